package train

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/safetensors"
)

// Files a checkpoint adds to the Hugging Face model folder.
const (
	OptimizerFile = "optimizer.safetensors" // AdamW moments: m.<param>, v.<param>
	StateFile     = "trainer_state.json"
)

// State is what a run needs besides weights and moments to resume exactly;
// it is saved as trainer_state.json in every checkpoint.
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
	// LastLoss is the training loss of the last step (absent before the
	// first step).
	LastLoss float64 `json:"last_train_loss,omitempty"`
	// Skipped counts the batches dropped for a NaN or infinite loss or
	// gradient (NaNPolicy.Skip); step i trains on batch i+Skipped.
	Skipped int `json:"skipped_batches,omitempty"`
	// LRScale multiplies the schedule's learning rate after skips; absent
	// (0) means 1.
	LRScale float64 `json:"lr_scale,omitempty"`
}

// lrScale is LRScale with its default.
func (s State) lrScale() float64 {
	if s.LRScale == 0 {
		return 1
	}
	return s.LRScale
}

// lastLoss is LastLoss, NaN when unknown.
func (s State) lastLoss() float64 {
	if s.LastLoss == 0 {
		return math.NaN()
	}
	return s.LastLoss
}

// ReadState parses a trainer_state.json and checks that its numbers are in
// range: a non-negative step, tokens and skips, positive sizes, a
// learning-rate scale in [0, 1]. An unknown field is an error, so a file
// from another program is not mistaken for one of these.
func ReadState(r io.Reader) (State, error) {
	var st State
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return State{}, fmt.Errorf("parse trainer state: %w", err)
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return State{}, errors.New("parse trainer state: data after the JSON object")
	}
	switch {
	case st.Step < 0 || st.Tokens < 0 || st.Skipped < 0 || st.Unique < 0:
		return State{}, fmt.Errorf("fields step %d, tokens %d, skipped_batches %d, unique_tokens %d: want numbers >= 0", st.Step, st.Tokens, st.Skipped, st.Unique)
	case st.Batch <= 0 || st.Seq <= 0 || st.Accum <= 0:
		return State{}, fmt.Errorf("fields batch %d, seq %d, accum %d: want positive sizes", st.Batch, st.Seq, st.Accum)
	case !(st.LRScale >= 0 && st.LRScale <= 1):
		return State{}, fmt.Errorf("field lr_scale %v: want 0 < scale <= 1 (absent for 1)", st.LRScale)
	}
	return st, nil
}

// hasCheckpoint reports whether the model folder dir holds a checkpoint,
// after putting back the complete old folder if a crash stopped a save
// between its two renames (internal/atomicfile.Recover).
func hasCheckpoint(dir string) (bool, error) {
	if err := atomicfile.Recover(dir); err != nil {
		return false, fmt.Errorf("resume: %w", err)
	}
	_, err := os.Stat(filepath.Join(dir, model.ConfigFile))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("resume: %w", err)
}

// saveCheckpoint writes the model folder dir atomically through fw:
// config.json, model.safetensors, the tokenizer files Hugging Face loaders
// read (tokenizer.json, tokenizer_config.json, special_tokens_map.json,
// generation_config.json; when tok is known), the AdamW moments and the
// trainer state.
func saveCheckpoint(fw model.FolderWriter, dir string, c model.Config, w *kernels.Weights, tok *data.Tokenizer, st State) error {
	values, err := w.Download()
	if err != nil {
		return err
	}
	m, v, err := w.DownloadMoments()
	if err != nil {
		return err
	}
	return fw.Save(dir, c, values, func(tmp string) error {
		if tok != nil {
			if err := tok.WriteHFFiles(tmp, c.MaxPositionEmbeddings, fw.WriteFile); err != nil {
				return err
			}
		}
		moments := make([]safetensors.Tensor, 0, 2*len(w.Specs))
		for i, s := range w.Specs {
			moments = append(moments,
				safetensors.Tensor{Name: "m." + s.Name, Shape: s.Shape, Data: m[i]},
				safetensors.Tensor{Name: "v." + s.Name, Shape: s.Shape, Data: v[i]})
		}
		if err := fw.WriteFile(filepath.Join(tmp, OptimizerFile), func(w io.Writer) error {
			return safetensors.Write(w, moments, nil)
		}); err != nil {
			return err
		}
		raw, err := json.MarshalIndent(st, "", "  ")
		if err != nil {
			return err
		}
		return fw.WriteFile(filepath.Join(tmp, StateFile), func(w io.Writer) error {
			_, err := w.Write(append(raw, '\n'))
			return err
		})
	})
}

// Checkpoint is a checkpoint read back from its model folder.
type Checkpoint struct {
	Config       model.Config
	Params, M, V [][]float32 // weights and AdamW moments, in Config.ParamSpecs order
	State        State
}

// ReadCheckpoint reads the checkpoint in the model folder dir that a run
// saved: config.json and model.safetensors (model.LoadFolder, which first
// puts back the complete old folder if a save was cut short), the moments
// of every parameter from optimizer.safetensors, and trainer_state.json. A
// missing file or tensor, or a shape that does not match config.json, is an
// error naming the file and the tensor.
func ReadCheckpoint(dir string) (*Checkpoint, error) {
	c, values, err := model.LoadFolder(dir)
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{Config: c, Params: values}
	path := filepath.Join(dir, OptimizerFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	specs := c.ParamSpecs()
	ck.M, ck.V = make([][]float32, len(specs)), make([][]float32, len(specs))
	for i, s := range specs {
		if ck.M[i], err = f.Data("m."+s.Name, s.Shape...); err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
		if ck.V[i], err = f.Data("v."+s.Name, s.Shape...); err != nil {
			return nil, fmt.Errorf("load %s: %w", path, err)
		}
	}
	path = filepath.Join(dir, StateFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load trainer state: %w", err)
	}
	if ck.State, err = ReadState(bytes.NewReader(raw)); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return ck, nil
}

// loadCheckpoint reads the checkpoint in dir into w (whose specs must be
// the config's) and returns the trainer state.
func loadCheckpoint(dir string, c model.Config, w *kernels.Weights) (State, error) {
	ck, err := ReadCheckpoint(dir)
	if err != nil {
		return State{}, fmt.Errorf("resume: %w", err)
	}
	if ck.Config != c {
		return State{}, fmt.Errorf("resume %s: its config.json (%+v) differs from this run's model (%+v)", dir, ck.Config, c)
	}
	if err := w.Upload(ck.Params); err != nil {
		return State{}, fmt.Errorf("resume %s: %w", dir, err)
	}
	if err := w.UploadMoments(ck.M, ck.V); err != nil {
		return State{}, fmt.Errorf("resume %s: %w", dir, err)
	}
	return ck.State, nil
}
