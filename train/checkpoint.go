package train

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/safetensors"
)

// Files a checkpoint adds to the Hugging Face model folder.
const (
	OptimizerFile = "optimizer.safetensors" // AdamW moments: m.<param>, v.<param>
	StateFile     = "trainer_state.json"
)

// State is what a run needs besides weights and moments to resume exactly.
type State struct {
	Step    int     `json:"step"` // steps completed
	Tokens  int64   `json:"tokens"`
	WallS   float64 `json:"wall_s"`
	Batch   int     `json:"batch"`
	Seq     int     `json:"seq"`
	Accum   int     `json:"accum"`
	Seed    uint64  `json:"seed"`
	Unique  int     `json:"unique_tokens"` // training tokens the batches draw from
	Steps   int     `json:"steps"`         // the run's planned length
	LastVal float64 `json:"last_val_loss,omitempty"`
}

// saveCheckpoint writes the model folder dir atomically: config.json,
// model.safetensors, tokenizer.json (when tok is known), the AdamW moments
// and the trainer state.
func saveCheckpoint(dir string, c model.Config, w *kernels.Weights, tok *data.Tokenizer, st State) error {
	values, err := w.Download()
	if err != nil {
		return err
	}
	m, v, err := w.DownloadMoments()
	if err != nil {
		return err
	}
	return model.SaveFolder(dir, c, values, func(tmp string) error {
		if tok != nil {
			if err := tok.Save(filepath.Join(tmp, model.TokenizerFile)); err != nil {
				return err
			}
		}
		moments := make([]safetensors.Tensor, 0, 2*len(w.Specs))
		for i, s := range w.Specs {
			moments = append(moments,
				safetensors.Tensor{Name: "m." + s.Name, Shape: s.Shape, Data: m[i]},
				safetensors.Tensor{Name: "v." + s.Name, Shape: s.Shape, Data: v[i]})
		}
		if err := safetensors.WriteFile(filepath.Join(tmp, OptimizerFile), moments, nil); err != nil {
			return err
		}
		raw, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(tmp, StateFile), append(raw, '\n'), 0o644)
	})
}

// loadCheckpoint reads a checkpoint written by saveCheckpoint into w (whose
// specs must be the config's) and returns the trainer state.
func loadCheckpoint(dir string, c model.Config, w *kernels.Weights) (State, error) {
	var st State
	got, values, err := model.LoadFolder(dir)
	if err != nil {
		return st, err
	}
	if got != c {
		return st, fmt.Errorf("resume %s: its config.json (%+v) differs from this run's model (%+v)", dir, got, c)
	}
	if err := w.Upload(values); err != nil {
		return st, fmt.Errorf("resume %s: %w", dir, err)
	}
	path := filepath.Join(dir, OptimizerFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("resume: %w", err)
	}
	m := make([][]float32, len(w.Specs))
	v := make([][]float32, len(w.Specs))
	for i, s := range w.Specs {
		if m[i], err = f.Data("m."+s.Name, s.Shape...); err != nil {
			return st, fmt.Errorf("resume %s: %w", path, err)
		}
		if v[i], err = f.Data("v."+s.Name, s.Shape...); err != nil {
			return st, fmt.Errorf("resume %s: %w", path, err)
		}
	}
	if err := w.UploadMoments(m, v); err != nil {
		return st, fmt.Errorf("resume %s: %w", path, err)
	}
	path = filepath.Join(dir, StateFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return st, fmt.Errorf("resume: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, fmt.Errorf("resume %s: %w", path, err)
	}
	if st.Step < 0 || st.Batch <= 0 || st.Seq <= 0 || st.Accum <= 0 {
		return st, fmt.Errorf("resume %s: step %d, batch %d, seq %d, accum %d: want a non-negative step and positive sizes", path, st.Step, st.Batch, st.Seq, st.Accum)
	}
	return st, nil
}
