package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// listDir returns the sorted names in dir.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// readTree returns the relative path and contents of every regular file
// under root.
func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// writeTree creates the given files under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o666); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWrite(t *testing.T) {
	errFn := errors.New("fn failed")
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, several buffer flushes
	tests := []struct {
		name    string
		old     *string // existing contents of the file, if any
		fn      func(w io.Writer) error
		want    string // contents of the file afterwards
		wantErr error
	}{
		{
			name: "create",
			fn:   func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err },
			want: "new",
		},
		{
			name: "replace",
			old:  ptr("old contents"),
			fn:   func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err },
			want: "new",
		},
		{
			name: "replace with empty",
			old:  ptr("old contents"),
			fn:   func(w io.Writer) error { return nil },
			want: "",
		},
		{
			name: "large",
			old:  ptr("old contents"),
			fn:   func(w io.Writer) error { _, err := w.Write(big); return err },
			want: string(big),
		},
		{
			name:    "fn fails before writing",
			old:     ptr("old contents"),
			fn:      func(w io.Writer) error { return errFn },
			want:    "old contents",
			wantErr: errFn,
		},
		{
			name: "fn fails after partial writes",
			old:  ptr("old contents"),
			fn: func(w io.Writer) error {
				if _, err := w.Write(big); err != nil {
					return err
				}
				return errFn
			},
			want:    "old contents",
			wantErr: errFn,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.bin")
			if tt.old != nil {
				if err := os.WriteFile(path, []byte(*tt.old), 0o666); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(path, tt.fn)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Write: got error %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "write "+path+": ") {
				t.Errorf("Write error %q does not name the path", err)
			}
			if tt.old == nil && err != nil {
				if _, statErr := os.Stat(path); !errors.Is(statErr, os.ErrNotExist) {
					t.Errorf("failed Write created %s", path)
				}
			} else if got, err := os.ReadFile(path); err != nil {
				t.Fatal(err)
			} else if string(got) != tt.want {
				t.Errorf("file holds %d bytes %.20q, want %d bytes %.20q", len(got), got, len(tt.want), tt.want)
			}
			if names := listDir(t, dir); len(names) > 1 || len(names) == 1 && names[0] != "f.bin" {
				t.Errorf("directory holds %q, want only f.bin", names)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestWriteMode(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "ref")
	f, err := os.Create(ref)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	path := filepath.Join(dir, "f")
	if err := Write(path, func(io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want, err := os.Stat(ref)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Mode() != want.Mode() {
		t.Errorf("Write made a file of mode %v, want %v as os.Create gives", got.Mode(), want.Mode())
	}
}

func TestWriteErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o777); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"sub/x": "x"})
	tests := []struct {
		name string
		path string
	}{
		{"missing parent", filepath.Join(dir, "nope", "f")},
		{"target is a non-empty directory", filepath.Join(dir, "sub")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(tt.path, func(w io.Writer) error { return nil })
			if err == nil {
				t.Fatal("Write succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name %s", err, tt.path)
			}
			if names := listDir(t, dir); !slices.Equal(names, []string{"sub"}) {
				t.Errorf("directory holds %q after a failed Write, want [sub]", names)
			}
		})
	}
}

func TestWritePanic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic in fn did not propagate")
			}
		}()
		Write(path, func(w io.Writer) error {
			io.WriteString(w, "partial")
			panic("boom")
		})
	}()
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q after fn panicked, want nothing", names)
	}
}

func TestWriteDir(t *testing.T) {
	errFn := errors.New("fn failed")
	oldTree := map[string]string{"config.json": "old config", "model.safetensors": "old weights", "sub/a": "old a"}
	newTree := map[string]string{"config.json": "new config", "model.safetensors": "new weights", "nested/deep/b": "new b"}
	fill := func(files map[string]string, err error) func(string) error {
		return func(tmp string) error {
			writeTree(t, tmp, files)
			return err
		}
	}
	tests := []struct {
		name    string
		old     map[string]string // existing directory, if not nil
		fn      func(tmp string) error
		want    map[string]string // nil: dir must not exist
		wantErr error
	}{
		{name: "create", fn: fill(newTree, nil), want: newTree},
		{name: "create empty", fn: fill(nil, nil), want: map[string]string{}},
		{name: "replace", old: oldTree, fn: fill(newTree, nil), want: newTree},
		{name: "create fails", fn: fill(newTree, errFn), wantErr: errFn},
		{name: "replace fails before writing", old: oldTree, fn: fill(nil, errFn), want: oldTree, wantErr: errFn},
		{name: "replace fails after partial writes", old: oldTree, fn: fill(newTree, errFn), want: oldTree, wantErr: errFn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "ckpt")
			if tt.old != nil {
				writeTree(t, dir, tt.old)
			}
			var gotTmp string
			err := WriteDir(dir, func(tmp string) error {
				gotTmp = tmp
				if filepath.Dir(tmp) != parent || !strings.HasPrefix(filepath.Base(tmp), ".ckpt.tmp-") {
					t.Errorf("temporary directory %s is not .ckpt.tmp-* next to %s", tmp, dir)
				}
				if names := listDir(t, tmp); len(names) != 0 {
					t.Errorf("temporary directory is not empty: %q", names)
				}
				return tt.fn(tmp)
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("WriteDir: got error %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "write "+dir+": ") {
				t.Errorf("WriteDir error %q does not name the directory", err)
			}
			checkDir(t, dir, tt.want)
			if _, err := os.Stat(gotTmp); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("temporary directory %s left behind", gotTmp)
			}
		})
	}
}

// checkDir checks that dir holds exactly the files want (or is absent if want
// is nil) and that its parent holds nothing else.
func checkDir(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	names := listDir(t, filepath.Dir(dir))
	if want == nil {
		if len(names) != 0 {
			t.Errorf("parent holds %q, want nothing", names)
		}
		return
	}
	if !slices.Equal(names, []string{filepath.Base(dir)}) {
		t.Errorf("parent holds %q, want only %s", names, filepath.Base(dir))
	}
	if got := readTree(t, dir); !mapsEqual(got, want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestWriteDirCrash stops WriteDir at each point a crash could hit it and
// checks that Recover always yields the complete old or the complete new
// directory, and that a later WriteDir succeeds.
func TestWriteDirCrash(t *testing.T) {
	oldTree := map[string]string{"weights": "old weights", "sub/a": "old a"}
	newTree := map[string]string{"weights": "new weights", "sub/b": "new b"}
	errCrash := errors.New("simulated crash")
	tests := []struct {
		at      stage
		hasOld  bool
		want    map[string]string
		wantDir bool // whether dir exists right after the crash
	}{
		{at: stageFilled, hasOld: true, want: oldTree, wantDir: true},
		{at: stageMovedAside, hasOld: true, want: oldTree, wantDir: false},
		{at: stageMovedIn, hasOld: true, want: newTree, wantDir: true},
		{at: stageFilled, hasOld: false, want: nil, wantDir: false},
		{at: stageMovedAside, hasOld: false, want: nil, wantDir: false},
		{at: stageMovedIn, hasOld: false, want: newTree, wantDir: true},
	}
	for _, tt := range tests {
		stageName := [...]string{stageFilled: "filled", stageMovedAside: "moved aside", stageMovedIn: "moved in"}[tt.at]
		t.Run(fmt.Sprintf("%s/old=%v", stageName, tt.hasOld), func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "ckpt")
			if tt.hasOld {
				writeTree(t, dir, oldTree)
			}
			err := writeDir(dir, func(tmp string) error {
				writeTree(t, tmp, newTree)
				return nil
			}, func(s stage) error {
				if s == tt.at {
					return errCrash
				}
				return nil
			})
			if !errors.Is(err, errCrash) {
				t.Fatalf("writeDir: got error %v, want the simulated crash", err)
			}
			if _, err := os.Stat(dir); (err == nil) != tt.wantDir {
				t.Fatalf("after crash: Stat(dir) = %v, want exists=%v", err, tt.wantDir)
			}
			if tt.at == stageMovedIn && tt.hasOld {
				// Simulate a crash part way through removing .ckpt.old.
				if err := os.Remove(filepath.Join(parent, ".ckpt.old", "weights")); err != nil {
					t.Fatal(err)
				}
			}
			if err := Recover(dir); err != nil {
				t.Fatalf("Recover: %v", err)
			}
			checkDir(t, dir, tt.want)
			if err := Recover(dir); err != nil {
				t.Fatalf("second Recover: %v", err)
			}
			checkDir(t, dir, tt.want)

			final := map[string]string{"weights": "final"}
			if err := WriteDir(dir, func(tmp string) error { writeTree(t, tmp, final); return nil }); err != nil {
				t.Fatalf("WriteDir after recovery: %v", err)
			}
			checkDir(t, dir, final)
		})
	}
}

// TestWriteDirAfterCrash checks that WriteDir recovers by itself from a crash
// between its two renames, without an explicit call to Recover.
func TestWriteDirAfterCrash(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ckpt")
	writeTree(t, filepath.Join(parent, ".ckpt.old"), map[string]string{"w": "old"})
	writeTree(t, filepath.Join(parent, ".ckpt.tmp-123"), map[string]string{"w": "half"})
	want := map[string]string{"w": "new"}
	if err := WriteDir(dir, func(tmp string) error { writeTree(t, tmp, want); return nil }); err != nil {
		t.Fatal(err)
	}
	checkDir(t, dir, want)
}

func TestRecover(t *testing.T) {
	tests := []struct {
		name  string
		setup map[string]string // files relative to the parent
		want  map[string]string // nil: ckpt must not exist
	}{
		{name: "nothing", want: nil},
		{name: "clean", setup: map[string]string{"ckpt/w": "cur"}, want: map[string]string{"w": "cur"}},
		{
			name:  "crash between renames",
			setup: map[string]string{".ckpt.old/w": "old", ".ckpt.tmp-42/w": "new"},
			want:  map[string]string{"w": "old"},
		},
		{
			name:  "crash while removing old",
			setup: map[string]string{"ckpt/w": "new", ".ckpt.old/x": "partial"},
			want:  map[string]string{"w": "new"},
		},
		{
			name:  "stale temporaries",
			setup: map[string]string{"ckpt/w": "cur", ".ckpt.tmp-1/w": "a", ".ckpt.tmp-2": "file left by Write"},
			want:  map[string]string{"w": "cur"},
		},
		{
			name:  "stale temporary of a first write",
			setup: map[string]string{".ckpt.tmp-7/w": "a"},
			want:  nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			writeTree(t, parent, tt.setup)
			dir := filepath.Join(parent, "ckpt")
			if err := Recover(dir + string(filepath.Separator)); err != nil {
				t.Fatalf("Recover: %v", err)
			}
			checkDir(t, dir, tt.want)
		})
	}
}

func TestRecoverOtherNamesUntouched(t *testing.T) {
	parent := t.TempDir()
	others := map[string]string{"ckpt2/w": "x", ".ckpt2.old/w": "y", ".ckpt2.tmp-1/w": "z", "ckpt.tmp-1": "w"}
	writeTree(t, parent, others)
	if err := Recover(filepath.Join(parent, "ckpt")); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, parent); !mapsEqual(got, others) {
		t.Errorf("Recover(ckpt) changed other entries: got %v, want %v", got, others)
	}
}

func TestBadDirNames(t *testing.T) {
	for _, dir := range []string{".", "/", "..", ""} {
		if err := WriteDir(dir, func(string) error { return nil }); err == nil {
			t.Errorf("WriteDir(%q) succeeded, want an error", dir)
		}
		if err := Recover(dir); err == nil {
			t.Errorf("Recover(%q) succeeded, want an error", dir)
		}
	}
}
