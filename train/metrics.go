package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/plateau-lab/plateau/internal/atomicfile"
)

// Record is one line of metrics.jsonl.
type Record struct {
	Step       int      `json:"step"`
	Tokens     int64    `json:"tokens"`
	Epoch      float64  `json:"epoch"` // passes over the unique training tokens so far
	TrainLoss  float64  `json:"train_loss"`
	ValLoss    *float64 `json:"val_loss,omitempty"`
	ValBPB     *float64 `json:"val_bpb,omitempty"` // bits per byte of the validation text
	LR         float64  `json:"lr"`
	GradNorm   float64  `json:"grad_norm"`
	TokensPerS float64  `json:"tokens_per_s"`
	WallS      float64  `json:"wall_s"`
}

// metricsLog appends Records to a JSON-lines file.
type metricsLog struct {
	path string
	f    *os.File
}

// openMetrics opens path for appending. On resume, keep is the last step
// the checkpoint holds: lines for later steps (which will be run again) are
// dropped first, atomically.
func openMetrics(path string, keep int, resume bool) (*metricsLog, error) {
	if resume {
		if err := truncateMetrics(path, keep); err != nil {
			return nil, err
		}
	} else if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("metrics %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("metrics %s: %w", path, err)
	}
	return &metricsLog{path: path, f: f}, nil
}

func truncateMetrics(path string, keep int) error {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("metrics %s: %w", path, err)
	}
	var kept bytes.Buffer
	s := bufio.NewScanner(bytes.NewReader(raw))
	s.Buffer(make([]byte, 1<<16), 1<<20)
	for s.Scan() {
		var r struct {
			Step *int `json:"step"`
		}
		if json.Unmarshal(s.Bytes(), &r) != nil || r.Step == nil {
			continue // a line cut short by a crash
		}
		if *r.Step <= keep {
			kept.Write(s.Bytes())
			kept.WriteByte('\n')
		}
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(kept.Bytes())
		return err
	})
}

func (m *metricsLog) write(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if _, err := m.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("metrics %s: %w", m.path, err)
	}
	return nil
}

func (m *metricsLog) close() error { return m.f.Close() }
