package faultio

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestDisk(t *testing.T) {
	eio := syscall.EIO
	cases := []struct {
		name     string
		disk     *Disk
		files    []string // written in order, "payload" each
		wantFail string   // base name of the file whose write fails; "" = none
		wantKept int      // bytes the failing file holds
		wantErr  error
	}{
		{"first file, no bytes", &Disk{}, []string{"a", "b"}, "a", 0, syscall.ENOSPC},
		{"by name", &Disk{Name: "b", After: 3}, []string{"a", "b"}, "b", 3, syscall.ENOSPC},
		{"second opening", &Disk{Name: "a", Nth: 2, After: 100, Err: eio}, []string{"a", "a"}, "", 0, nil},
		{"no match", &Disk{Name: "zzz"}, []string{"a", "b"}, "", 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var gotErr error
			failedName := ""
			for i, name := range tc.files {
				path := filepath.Join(dir, name)
				f, err := tc.disk.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.Write([]byte("payload")); err != nil && gotErr == nil {
					gotErr, failedName = err, name
					var pe *fs.PathError
					if !errors.As(err, &pe) || pe.Path != path {
						t.Errorf("file %d: error %v does not name %s", i, err, path)
					}
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if failedName != tc.wantFail {
				t.Fatalf("failed file %q (%v), want %q", failedName, gotErr, tc.wantFail)
			}
			if tc.wantFail == "" {
				if tc.disk.Failed() != 0 {
					t.Errorf("Failed() = %d, want 0", tc.disk.Failed())
				}
				return
			}
			if !errors.Is(gotErr, tc.wantErr) || tc.disk.Failed() != 1 {
				t.Errorf("error %v, Failed() %d; want %v once", gotErr, tc.disk.Failed(), tc.wantErr)
			}
			raw, err := os.ReadFile(filepath.Join(dir, tc.wantFail))
			if err != nil {
				t.Fatal(err)
			}
			if len(raw) != tc.wantKept || !strings.HasPrefix("payload", string(raw)) {
				t.Errorf("failing file holds %q, want the first %d bytes", raw, tc.wantKept)
			}
		})
	}
}

// TestDiskNthWithData: the second opening of a name fails after its limit
// while the first is written in full.
func TestDiskNthWithData(t *testing.T) {
	d := &Disk{Name: "m", Nth: 2, After: 2}
	dir := t.TempDir()
	for i, want := range []string{"payload", "pa"} {
		path := filepath.Join(dir, "m")
		f, err := d.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		_, werr := f.Write([]byte("payload"))
		f.Close()
		if (werr != nil) != (i == 1) {
			t.Errorf("opening %d: write error %v", i+1, werr)
		}
		raw, _ := os.ReadFile(path)
		if string(raw) != want {
			t.Errorf("opening %d: file holds %q, want %q", i+1, raw, want)
		}
	}
}
