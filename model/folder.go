package model

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/plateau-lab/plateau/internal/atomicfile"
	"github.com/plateau-lab/plateau/model/safetensors"
)

// File names inside a Hugging Face model folder.
const (
	ConfigFile    = "config.json"
	WeightsFile   = "model.safetensors"
	TokenizerFile = "tokenizer.json"
)

// LoadConfig reads dir/config.json.
func LoadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	c, err := ReadConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("load %s: %w", path, err)
	}
	return c, nil
}

// LoadFolder reads a Hugging Face Llama folder (config.json and
// model.safetensors) written by plateau or by transformers, and returns the
// config and the parameters in ParamSpecs order. A missing tensor, a shape
// that does not match the config, or a tensor name the model does not have
// is an error naming the tensor.
func LoadFolder(dir string) (Config, [][]float32, error) {
	if err := atomicfile.Recover(dir); err != nil {
		return Config{}, nil, err
	}
	c, err := LoadConfig(dir)
	if err != nil {
		return Config{}, nil, err
	}
	path := filepath.Join(dir, WeightsFile)
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return Config{}, nil, fmt.Errorf("load %s: %w", path, err)
	}
	values, err := paramsFrom(c, f)
	if err != nil {
		return Config{}, nil, fmt.Errorf("load %s: %w", path, err)
	}
	return c, values, nil
}

// OpenFolder is LoadFolder with model.safetensors memory-mapped
// (safetensors.Open): float32 tensors are read-only views of the file, so
// a large model loads at once and shares its memory with the page cache.
// Call release when the values are no longer used; they must not be used
// after. The values equal LoadFolder's bit for bit.
func OpenFolder(dir string) (c Config, values [][]float32, release func() error, err error) {
	if err := atomicfile.Recover(dir); err != nil {
		return Config{}, nil, nil, err
	}
	if c, err = LoadConfig(dir); err != nil {
		return Config{}, nil, nil, err
	}
	path := filepath.Join(dir, WeightsFile)
	f, err := safetensors.Open(path)
	if err != nil {
		return Config{}, nil, nil, fmt.Errorf("load %s: %w", path, err)
	}
	if values, err = paramsFrom(c, f); err != nil {
		f.Close()
		return Config{}, nil, nil, fmt.Errorf("load %s: %w", path, err)
	}
	return c, values, f.Close, nil
}

// paramsFrom takes c's parameters out of f, in ParamSpecs order.
func paramsFrom(c Config, f *safetensors.File) ([][]float32, error) {
	specs := c.ParamSpecs()
	known := map[string]bool{}
	values := make([][]float32, len(specs))
	for i, p := range specs {
		known[p.Name] = true
		t := f.Lookup(p.Name)
		if t == nil {
			return nil, fmt.Errorf("tensor %q is missing (config.json describes %d layers)", p.Name, c.NumHiddenLayers)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, config.json implies %v", p.Name, t.Shape, p.Shape)
		}
		values[i] = t.Data
	}
	for _, t := range f.Tensors {
		switch {
		case known[t.Name]:
		case c.TieWordEmbeddings && t.Name == headName: // some writers keep the tied head
		case strings.HasSuffix(t.Name, "rotary_emb.inv_freq"): // a buffer older transformers saved
		default:
			return nil, fmt.Errorf("unknown tensor %q: not a parameter of a Llama model with this config", t.Name)
		}
	}
	return values, nil
}

// OpenFunc opens a file for writing, as os.OpenFile does. The writers of
// model folders and of training runs take one so that a test can stand in
// a disk that fills up or fails part way; nil means os.OpenFile.
type OpenFunc func(name string, flag int, perm fs.FileMode) (io.WriteCloser, error)

// FolderWriter writes model folders, creating every file through Open. Its
// zero value writes to the real file system; WriteFolder and SaveFolder
// use it.
type FolderWriter struct {
	// Open creates the folder's files; nil means os.OpenFile.
	Open OpenFunc
}

// WriteFile creates (or truncates) the file at path and fills it with what
// fn writes, through a buffer. It does not sync: Save syncs the whole folder
// before swapping it in. Errors are of the form "write PATH: ...".
func (fw FolderWriter) WriteFile(path string, fn func(w io.Writer) error) error {
	open := fw.Open
	if open == nil {
		open = func(name string, flag int, perm fs.FileMode) (io.WriteCloser, error) {
			return os.OpenFile(name, flag, perm)
		}
	}
	f, err := open(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriter(f)
	err = fn(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Write writes c and values (ParamSpecs order) as config.json and
// model.safetensors into dir, an existing directory. It is not atomic:
// Save is.
func (fw FolderWriter) Write(dir string, c Config, values [][]float32) error {
	specs := c.ParamSpecs()
	if len(values) != len(specs) {
		return fmt.Errorf("write %s: %d tensors for %d parameters", dir, len(values), len(specs))
	}
	tensors := make([]safetensors.Tensor, len(specs))
	for i, p := range specs {
		if len(values[i]) != p.Size() {
			return fmt.Errorf("write %s: tensor %q has %d values, want %d", dir, p.Name, len(values[i]), p.Size())
		}
		tensors[i] = safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: values[i]}
	}
	if err := fw.WriteFile(filepath.Join(dir, ConfigFile), func(w io.Writer) error { return WriteConfig(w, c) }); err != nil {
		return err
	}
	return fw.WriteFile(filepath.Join(dir, WeightsFile), func(w io.Writer) error {
		return safetensors.Write(w, tensors, map[string]string{"format": "pt"})
	})
}

// Save replaces dir atomically with a model folder holding c and values;
// extra, when not nil, adds more files (a tokenizer, optimizer state) to
// the new folder before it is swapped in. Every file is synced, then the
// folder is swapped in by renames (internal/atomicfile.WriteDir): a crash
// at any moment leaves either the old or the new complete folder, possibly
// at a recovery path that LoadFolder (or atomicfile.Recover) moves back. A
// failed write leaves the old folder untouched and names the file.
func (fw FolderWriter) Save(dir string, c Config, values [][]float32, extra func(tmpDir string) error) error {
	return atomicfile.WriteDir(dir, func(tmp string) error {
		if err := fw.Write(tmp, c, values); err != nil {
			return err
		}
		if extra != nil {
			return extra(tmp)
		}
		return nil
	})
}

// WriteFolder writes c and values (ParamSpecs order) as config.json and
// model.safetensors into dir, an existing directory, on the real file
// system (FolderWriter.Write).
func WriteFolder(dir string, c Config, values [][]float32) error {
	return FolderWriter{}.Write(dir, c, values)
}

// SaveFolder replaces dir atomically with a model folder holding c and
// values, on the real file system (FolderWriter.Save); extra, when not nil,
// adds more files to the new folder before it is swapped in. A crash at any
// moment leaves either the old or the new complete folder.
func SaveFolder(dir string, c Config, values [][]float32, extra func(tmpDir string) error) error {
	return FolderWriter{}.Save(dir, c, values, extra)
}
