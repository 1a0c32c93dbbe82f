package model

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/plateau-lab/plateau/internal/faultio"
	"github.com/plateau-lab/plateau/model/safetensors"
)

func TestFolderRoundTrip(t *testing.T) {
	c := NewConfig(Shape{32, 2, 4, 2}, 50, 64)
	values := c.Init(3)
	dir := filepath.Join(t.TempDir(), "m")
	if err := SaveFolder(dir, c, values, nil); err != nil {
		t.Fatal(err)
	}
	got, gotValues, err := LoadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Errorf("config %+v, want %+v", got, c)
	}
	for i := range values {
		if !slices.Equal(values[i], gotValues[i]) {
			t.Errorf("tensor %d differs", i)
		}
	}
}

// TestFolderErrors: every way a folder can be wrong gives an error that
// names the file and the tensor or field.
func TestFolderErrors(t *testing.T) {
	c := NewConfig(Shape{32, 2, 4, 2}, 50, 64)
	specs := c.ParamSpecs()
	values := c.Init(3)
	tensors := func() []safetensors.Tensor {
		out := make([]safetensors.Tensor, len(specs))
		for i, p := range specs {
			out[i] = safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: values[i]}
		}
		return out
	}
	cases := []struct {
		name   string
		mutate func(dir string) error
		want   []string
	}{
		{"no config", func(dir string) error { return os.Remove(filepath.Join(dir, ConfigFile)) }, []string{"config.json"}},
		{"bad config", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, ConfigFile), []byte(`{"hidden_size": 0}`), 0o644)
		}, []string{"config.json", "vocab_size"}},
		{"missing tensor", func(dir string) error {
			ts := tensors()
			return safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts[:len(ts)-1], nil)
		}, []string{"model.safetensors", "lm_head.weight", "missing"}},
		{"wrong shape", func(dir string) error {
			ts := tensors()
			ts[2].Shape = []int{ts[2].Shape[1], ts[2].Shape[0]}
			if ts[2].Shape[0] == ts[2].Shape[1] {
				ts[2].Shape, ts[2].Data = []int{1, 1}, ts[2].Data[:1]
			}
			return safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil)
		}, []string{"model.safetensors", specs[2].Name, "shape"}},
		{"unknown tensor", func(dir string) error {
			ts := append(tensors(), safetensors.Tensor{Name: "model.layers.9.mlp.extra.weight", Shape: []int{2}, Data: []float32{1, 2}})
			return safetensors.WriteFile(filepath.Join(dir, WeightsFile), ts, nil)
		}, []string{"model.safetensors", "model.layers.9.mlp.extra.weight", "unknown"}},
		{"truncated", func(dir string) error {
			path := filepath.Join(dir, WeightsFile)
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(path, raw[:len(raw)-10], 0o644)
		}, []string{"model.safetensors"}},
		{"not safetensors", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, WeightsFile), []byte("PK\x03\x04 a zip file, not safetensors"), 0o644)
		}, []string{"model.safetensors"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			if err := SaveFolder(dir, c, values, nil); err != nil {
				t.Fatal(err)
			}
			if err := tc.mutate(dir); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadFolder(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestSaveFolderWriteFails: a write that fails while a folder is being
// replaced (a full disk, through FolderWriter.Open) is an error naming the
// file and wrapping the cause, and leaves the old folder complete and
// unchanged, with no temporary folder beside it.
func TestSaveFolderWriteFails(t *testing.T) {
	c := NewConfig(Shape{32, 2, 4, 2}, 50, 64)
	old, next := c.Init(3), c.Init(4)
	cases := []struct {
		name string
		disk *faultio.Disk
	}{
		{"config", &faultio.Disk{Name: ConfigFile, After: 10}},
		{"weights", &faultio.Disk{Name: WeightsFile, After: 4096}},
		{"extra file", &faultio.Disk{Name: "extra.json", Err: syscall.EIO}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "m")
			if err := SaveFolder(dir, c, old, nil); err != nil {
				t.Fatal(err)
			}
			fw := FolderWriter{Open: tc.disk.OpenFile}
			err := fw.Save(dir, c, next, func(tmp string) error {
				return fw.WriteFile(filepath.Join(tmp, "extra.json"), func(w io.Writer) error {
					_, err := w.Write([]byte("{}"))
					return err
				})
			})
			want := tc.disk.Err
			if want == nil {
				want = syscall.ENOSPC
			}
			if tc.disk.Failed() == 0 || !errors.Is(err, want) || !strings.Contains(err.Error(), tc.disk.Name) {
				t.Fatalf("Save: %v (faults %d); want %v naming %s", err, tc.disk.Failed(), want, tc.disk.Name)
			}
			_, got, err := LoadFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			for i := range old {
				if !slices.Equal(got[i], old[i]) {
					t.Fatalf("tensor %d changed", i)
				}
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 1 {
				t.Errorf("left beside the folder: %v", entries)
			}
		})
	}
}
