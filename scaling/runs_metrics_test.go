package scaling

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plateau-lab/plateau/train"
)

func TestLastTrainLoss(t *testing.T) {
	cases := []struct {
		name, body string
		records    int // -1: an error
		trainLoss  float64
	}{
		{"whole", `{"step":0,"tokens":0,"train_loss":0,"val_loss":6}` + "\n" + `{"step":4,"tokens":512,"train_loss":5.5}` + "\n", 2, 5.5},
		{"last line cut short", `{"step":4,"tokens":512,"train_loss":5.5}` + "\n" + `{"step":8,"tok`, 1, 5.5},
		{"bad line inside", `{"step":4}` + "\nnot json\n" + `{"step":8,"train_loss":5}` + "\n", -1, 0},
		{"empty", "", 0, 0},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), MetricsFile)
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		recs, err := train.ReadMetricsFile(path)
		switch {
		case c.records < 0 && err == nil:
			t.Errorf("%s: no error", c.name)
		case c.records >= 0 && (err != nil || len(recs) != c.records):
			t.Errorf("%s: %d records, %v; want %d", c.name, len(recs), err, c.records)
		case c.records >= 0 && lastTrainLoss(recs, 4) != c.trainLoss:
			t.Errorf("%s: train loss at step 4 = %v, want %v", c.name, lastTrainLoss(recs, 4), c.trainLoss)
		}
	}
}
