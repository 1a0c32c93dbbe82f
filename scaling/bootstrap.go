package scaling

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
)

// DefaultResamples is the number of bootstrap resamples when
// BootstrapOptions.Resamples is zero.
const DefaultResamples = 200

// BootstrapOptions configure the resampling behind every interval. The
// zero value means 200 resamples, seed 0, 95% intervals.
type BootstrapOptions struct {
	Resamples int     // number of resamples; 0 means DefaultResamples, negative means none
	Seed      uint64  // the same seed gives the same intervals, whatever Workers is
	Level     float64 // coverage of the intervals, in (0, 1); 0 means 0.95
	Workers   int     // resamples fitted at once; 0 means GOMAXPROCS
}

func (o BootstrapOptions) resamples() int {
	switch {
	case o.Resamples == 0:
		return DefaultResamples
	case o.Resamples < 0:
		return 0
	}
	return o.Resamples
}

func (o BootstrapOptions) level() float64 {
	if o.Level > 0 && o.Level < 1 {
		return o.Level
	}
	return 0.95
}

// Interval is a fitted number with its bootstrap percentile interval:
// Value is the estimate on all the data, Lo and Hi the (1-level)/2 and
// (1+level)/2 quantiles of the estimates on the resamples. Lo and Hi are
// NaN when no resample could be fitted, and JSON leaves out whatever is
// not finite.
type Interval struct {
	Value float64
	Lo    float64
	Hi    float64
}

// Contains reports whether v lies in [Lo, Hi].
func (iv Interval) Contains(v float64) bool { return v >= iv.Lo && v <= iv.Hi }

// HasBounds reports whether the interval has finite bounds.
func (iv Interval) HasBounds() bool { return isFinite(iv.Lo) && isFinite(iv.Hi) }

// String prints the value and its interval, as "1.82 [1.75, 1.88]".
func (iv Interval) String() string {
	if !iv.HasBounds() {
		return fmt.Sprintf("%.4g", iv.Value)
	}
	return fmt.Sprintf("%.4g [%.4g, %.4g]", iv.Value, iv.Lo, iv.Hi)
}

type intervalJSON struct {
	Value *float64 `json:"value,omitempty"`
	Lo    *float64 `json:"lo,omitempty"`
	Hi    *float64 `json:"hi,omitempty"`
}

// MarshalJSON writes {"value":..,"lo":..,"hi":..}, leaving out the fields
// that are not finite (encoding/json cannot write NaN or Inf).
func (iv Interval) MarshalJSON() ([]byte, error) {
	fin := func(v float64) *float64 {
		if !isFinite(v) {
			return nil
		}
		return &v
	}
	return json.Marshal(intervalJSON{fin(iv.Value), fin(iv.Lo), fin(iv.Hi)})
}

// UnmarshalJSON reads what MarshalJSON writes; absent fields become NaN.
func (iv *Interval) UnmarshalJSON(b []byte) error {
	var j intervalJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("interval: %w", err)
	}
	get := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	*iv = Interval{get(j.Value), get(j.Lo), get(j.Hi)}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// bootstrapRun is the outcome of runBootstrap: the statistics of every
// resample that could be fitted, and how many could not.
type bootstrapRun struct {
	reps   [][]float64
	failed int
	level  float64
}

// runBootstrap draws opt.resamples() bootstrap resamples of n units and
// calls fit on each, on up to opt.Workers goroutines. A resample is a
// vector of counts (how many times each unit was drawn); units are drawn
// with replacement within each stratum (nil strata: one stratum of all
// units), so a stratified design keeps its shape. fit returns the
// resample's statistics, or ok false when the resample cannot be fitted;
// it must be safe for concurrent use and may draw more randomness from
// rng. Resample r uses its own generator seeded by (Seed, r), so results
// do not depend on the number of workers.
func runBootstrap(n int, strata [][]int, opt BootstrapOptions, fit func(w []float64, rng *rand.Rand) ([]float64, bool)) bootstrapRun {
	b := opt.resamples()
	if strata == nil {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		strata = [][]int{all}
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	reps := make([][]float64, b)
	ok := make([]bool, b)
	var wg sync.WaitGroup
	for wk := 0; wk < workers && wk < b; wk++ {
		wg.Add(1)
		go func(wk int) {
			defer wg.Done()
			w := make([]float64, n)
			for r := wk; r < b; r += workers {
				rng := rand.New(rand.NewPCG(opt.Seed, uint64(r)))
				for i := range w {
					w[i] = 0
				}
				for _, s := range strata {
					for range s {
						w[s[rng.IntN(len(s))]]++
					}
				}
				reps[r], ok[r] = fit(w, rng)
			}
		}(wk)
	}
	wg.Wait()
	out := bootstrapRun{level: opt.level()}
	for r := range reps {
		if ok[r] {
			out.reps = append(out.reps, reps[r])
		} else {
			out.failed++
		}
	}
	return out
}

// interval is the percentile interval of statistic k around value.
func (br bootstrapRun) interval(k int, value float64) Interval {
	col := make([]float64, 0, len(br.reps))
	for _, r := range br.reps {
		if !math.IsNaN(r[k]) {
			col = append(col, r[k])
		}
	}
	if len(col) < 2 {
		return Interval{Value: value, Lo: math.NaN(), Hi: math.NaN()}
	}
	sort.Float64s(col)
	tail := (1 - br.level) / 2
	return Interval{Value: value, Lo: quantileSorted(col, tail), Hi: quantileSorted(col, 1-tail)}
}

// quantileSorted is the q-quantile of sorted data by linear interpolation
// between order statistics (Hyndman and Fan's type 7, NumPy's default).
func quantileSorted(s []float64, q float64) float64 {
	h := q * float64(len(s)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (h-lo)*(s[i+1]-s[i])
}

// failedNote says how many resamples were left out of some intervals,
// for warnings; it is empty when none were.
func failedNote(failed, fitted int, what string) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d %s and were left out of the intervals", failed, failed+fitted, what)
}
