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
	"github.com/plateau-lab/plateau/model"
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
	// SkippedBatches counts the batches skipped so far for a NaN or
	// infinite loss or gradient (NaNPolicy.Skip); LR is already lowered.
	SkippedBatches int `json:"skipped_batches,omitempty"`
}

// ReadMetrics parses a metrics.jsonl, one Record per line. Every line must
// be a JSON object with a "step"; fields it does not know are ignored. A
// last line without its newline that does not parse, as a crash while
// writing leaves it, is dropped. Any other bad line is an error naming its
// number.
func ReadMetrics(r io.Reader) ([]Record, error) {
	br := bufio.NewReader(r)
	var out []Record
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("metrics line %d: %w", n, err)
		}
		if len(line) == 0 && err == io.EOF {
			return out, nil
		}
		rec, perr := parseRecord(line)
		switch {
		case perr != nil && err == io.EOF:
			return out, nil // cut short by a crash
		case perr != nil:
			return nil, fmt.Errorf("metrics line %d: %w", n, perr)
		}
		out = append(out, rec)
		if err == io.EOF {
			return out, nil
		}
	}
}

// ReadMetricsFile reads the metrics.jsonl at path as ReadMetrics does;
// errors name the file.
func ReadMetricsFile(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := ReadMetrics(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// parseRecord parses one metrics line, which must hold a step.
func parseRecord(line []byte) (Record, error) {
	var r struct {
		Record
		Step *int `json:"step"`
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return Record{}, err
	}
	if r.Step == nil {
		return Record{}, errors.New(`no field "step"`)
	}
	r.Record.Step = *r.Step
	return r.Record, nil
}

// metricsLog appends Records to a JSON-lines file.
type metricsLog struct {
	path string
	f    io.WriteCloser
}

// openMetrics opens path for appending through open (nil: os.OpenFile).
// When resumed is set, keep is the last step the checkpoint holds: lines for
// later steps (which will be run again) are dropped first, atomically.
// Otherwise the run starts from scratch and any old file is removed.
func openMetrics(open model.OpenFunc, path string, keep int, resumed bool) (*metricsLog, error) {
	if resumed {
		if err := truncateMetrics(path, keep); err != nil {
			return nil, err
		}
	} else if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("metrics %s: %w", path, err)
	}
	if open == nil {
		open = func(name string, flag int, perm fs.FileMode) (io.WriteCloser, error) {
			return os.OpenFile(name, flag, perm)
		}
	}
	f, err := open(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
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
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(keepMetrics(raw, keep))
		return err
	})
}

// keepMetrics returns the lines of a metrics.jsonl whose step is at most
// keep, each with its newline, dropping lines that do not parse (a line
// cut short by a crash).
func keepMetrics(raw []byte, keep int) []byte {
	var kept bytes.Buffer
	for line := range bytes.Lines(raw) {
		if r, err := parseRecord(line); err == nil && r.Step <= keep {
			kept.Write(bytes.TrimRight(line, "\r\n"))
			kept.WriteByte('\n')
		}
	}
	return kept.Bytes()
}

func (m *metricsLog) write(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("metrics %s: step %d: %w", m.path, r.Step, err)
	}
	if _, err := m.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("metrics %s: %w", m.path, err)
	}
	return nil
}

// sync makes the lines written so far durable, when the file can be synced;
// a run syncs before each checkpoint, so that a checkpoint never survives a
// power loss that the metrics of its steps do not.
func (m *metricsLog) sync() error {
	s, ok := m.f.(interface{ Sync() error })
	if !ok {
		return nil
	}
	if err := s.Sync(); err != nil {
		return fmt.Errorf("metrics %s: %w", m.path, err)
	}
	return nil
}

func (m *metricsLog) close() error {
	if err := m.f.Close(); err != nil {
		return fmt.Errorf("metrics %s: %w", m.path, err)
	}
	return nil
}
