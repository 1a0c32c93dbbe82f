// Package faultio stands in for a disk that fills up or fails, for tests of
// what plateau does then: a Disk opens real files but makes the writes to
// a chosen one fail part way, as ENOSPC or EIO would. Its OpenFile method
// has the signature of model.OpenFunc, the hook that the checkpoint and
// metrics writers take.
package faultio

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Disk opens files with os.OpenFile and makes the writes to one of them
// fail: the Nth file opened whose base name is Name accepts After bytes,
// then every write to it returns Err. The zero value fails the first write
// to the first file opened with ENOSPC. A Disk is safe for concurrent use.
type Disk struct {
	Name  string // base name of the file that fails ("optimizer.safetensors"); "" matches every file
	Nth   int    // which opening of a matching file fails, counting from 1; 0 or 1 is the first
	After int64  // bytes the failing file accepts before its writes fail
	Err   error  // what the failing writes return, wrapped in *fs.PathError; nil means syscall.ENOSPC

	mu     sync.Mutex
	opened int // matching files opened so far
	failed int // writes that failed
}

// OpenFile opens name as os.OpenFile does; the file it returns fails its
// writes if it is the one d was set up to fail.
func (d *Disk) OpenFile(name string, flag int, perm fs.FileMode) (io.WriteCloser, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.Name != "" && filepath.Base(name) != d.Name {
		return f, nil
	}
	d.opened++
	if d.opened != max(d.Nth, 1) {
		return f, nil
	}
	return &failingFile{f: f, d: d, left: d.After}, nil
}

// Failed reports how many writes have failed, so that a test can check that
// its fault really happened.
func (d *Disk) Failed() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}

// failingFile passes writes through to f until left bytes have gone, then
// fails them; a write that crosses the limit writes the bytes that fit.
type failingFile struct {
	f    *os.File
	d    *Disk
	left int64
}

func (w *failingFile) Write(p []byte) (int, error) {
	n := 0
	if w.left > 0 {
		k := int(min(int64(len(p)), w.left))
		var err error
		n, err = w.f.Write(p[:k])
		w.left -= int64(n)
		if err != nil {
			return n, err
		}
		if n == len(p) {
			return n, nil
		}
	}
	w.d.mu.Lock()
	w.d.failed++
	w.d.mu.Unlock()
	err := w.d.Err
	if err == nil {
		err = syscall.ENOSPC
	}
	return n, &fs.PathError{Op: "write", Path: w.f.Name(), Err: err}
}

func (w *failingFile) Close() error { return w.f.Close() }
