package train

import (
	"math"
	"testing"
)

func TestSchedule(t *testing.T) {
	cases := []struct {
		name string
		s    Schedule
		step int
		want float64
	}{
		{"warmup first", Schedule{Kind: "cosine", LR: 1, Warmup: 10, Steps: 100}, 0, 0.1},
		{"warmup last", Schedule{Kind: "cosine", LR: 1, Warmup: 10, Steps: 100}, 9, 1},
		{"cosine peak", Schedule{Kind: "cosine", LR: 1, MinLR: 0.1, Warmup: 10, Steps: 100}, 10, 1},
		{"cosine middle", Schedule{Kind: "cosine", LR: 1, MinLR: 0, Warmup: 0, Steps: 101}, 50, 0.5},
		{"cosine end", Schedule{Kind: "cosine", LR: 1, MinLR: 0.1, Warmup: 10, Steps: 100}, 99, 0.1},
		{"constant", Schedule{Kind: "constant", LR: 0.3, Warmup: 5, Steps: 100}, 70, 0.3},
		{"wsd stable", Schedule{Kind: "wsd", LR: 1, MinLR: 0, Warmup: 5, Steps: 100, DecayFrac: 0.2}, 79, 1},
		{"wsd decay start", Schedule{Kind: "wsd", LR: 1, MinLR: 0, Warmup: 5, Steps: 100, DecayFrac: 0.2}, 80, 1},
		{"wsd end", Schedule{Kind: "wsd", LR: 1, MinLR: 0.05, Warmup: 5, Steps: 100, DecayFrac: 0.2}, 99, 0.05},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := c.s.At(c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: At(%d) = %v, want %v", c.name, c.step, got, c.want)
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	bad := []Schedule{
		{Kind: "linear", LR: 1, Steps: 10},
		{Kind: "cosine", LR: 0, Steps: 10},
		{Kind: "cosine", LR: 1, MinLR: 2, Steps: 10},
		{Kind: "cosine", LR: 1, Warmup: 11, Steps: 10},
		{Kind: "wsd", LR: 1, Steps: 10, DecayFrac: 0},
	}
	for _, s := range bad {
		if s.Validate() == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}
