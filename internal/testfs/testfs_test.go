package testfs

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestModTimes(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, p := range []string{filepath.Join(dir, "x"), filepath.Join(sub, "y")} {
		if err := os.WriteFile(p, []byte("z"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	m, err := ModTimes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 2 || !m[filepath.Join(sub, "y")].Equal(old) {
		t.Errorf("ModTimes = %v, want the two files (not the folders) at %v", m, old)
	}
	if _, err := ModTimes(filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing folder")
	}
}
