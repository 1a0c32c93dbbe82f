package scaling

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"github.com/plateau-lab/plateau/train"
)

// readMetrics reads a trainer's metrics.jsonl. A last line cut short by a
// crash is skipped, as the trainer skips it on resume; any other line
// that is not a record is an error naming the file and line.
func readMetrics(path string) ([]train.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		recs []train.Record
		bad  error
	)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if bad != nil {
			return nil, bad // a bad line that was not the last
		}
		var r train.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			bad = fmt.Errorf("%s: line %d: %w", path, line, err)
			continue
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// lastTrainLoss is the training loss logged at step, 0 if none was.
func lastTrainLoss(recs []train.Record, step int) float64 {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Step == step && recs[i].Step > 0 {
			return recs[i].TrainLoss
		}
	}
	return 0
}
