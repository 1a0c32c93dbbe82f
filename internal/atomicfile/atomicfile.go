// Package atomicfile replaces files and whole directories so that a crash
// or a failed write never leaves a half-written result behind.
//
// Write replaces one file: the new contents go to a temporary file in the
// same directory, which is flushed to disk and then renamed over the target.
// Rename within a directory is atomic, so a reader (or a restarted process)
// sees either the old file or the complete new one.
//
// WriteDir replaces a directory, such as a checkpoint or a Hugging Face model
// folder. A directory cannot be renamed over a non-empty one, so this takes
// two renames, and a crash between them leaves no directory at the target.
// WriteDir keeps the old directory at a fixed recovery path until the new
// one is in place, and Recover puts things right after such a crash: call
// it before reading a directory that WriteDir may have been writing.
//
// Temporary names start with a dot followed by the target's name (for
// "ckpt" they are ".ckpt.tmp-123456" and ".ckpt.old"), so they are hidden
// from ls and sort next to the target.
//
// Neither function is safe for concurrent use on the same target, from one
// process or several.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Write atomically replaces the file at path with the bytes that fn writes.
//
// fn gets a buffered writer onto a temporary file in path's directory. If fn
// succeeds, Write flushes the buffer, syncs the file to disk, renames it to
// path and syncs the directory, so that the new contents survive a crash
// once Write returns. If fn or any later step fails, the temporary file is
// removed and any existing file at path is left untouched; the only
// exception is a failure to sync the directory, which happens after the
// rename, when path already holds the new contents.
//
// The new file gets mode 0666 before the umask, as with os.Create. If path
// is a symbolic link, the link itself is replaced. Errors are of the form
// "write PATH: ...", wrapping the underlying error.
func Write(path string, fn func(w io.Writer) error) error {
	if err := write(path, fn); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func write(path string, fn func(w io.Writer) error) error {
	dir, name := filepath.Split(filepath.Clean(path))
	if dir == "" {
		dir = "."
	}
	f, tmp, err := createTemp(dir, tempPrefix(name))
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done { // fn or a later step failed, or fn panicked
			f.Close()
			os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriter(f)
	if err := fn(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// WriteDir atomically replaces the directory dir with one that fn builds.
//
// WriteDir first calls Recover(dir) to clear up after any earlier crash.
// It then creates an empty temporary directory next to dir and calls fn with
// its path; fn fills it with files and subdirectories, which need not be
// synced. If fn fails, the temporary directory is removed, dir is left
// untouched and fn's error is returned, wrapped. Otherwise WriteDir syncs
// everything in the new directory to disk and swaps it in:
//
//  1. rename dir to .NAME.old (skipped if dir does not exist), then sync
//     the parent directory;
//  2. rename the temporary directory to dir, then sync the parent;
//  3. remove .NAME.old.
//
// A crash before step 1 leaves the old dir in place, plus a temporary
// directory that Recover removes. A crash between steps 1 and 2 is the one
// window in which dir does not exist; the complete old directory is then at
// .NAME.old, and Recover renames it back. A crash during step 3 leaves the
// complete new dir in place and a partly removed .NAME.old, which Recover
// removes. .NAME.old is only ever renamed back while dir is missing, and it
// is only ever partly removed after dir has been durably replaced, so
// Recover never restores an incomplete directory.
//
// Errors are of the form "write DIR: ...", wrapping the underlying error.
func WriteDir(dir string, fn func(tmpDir string) error) error {
	if err := writeDir(dir, fn, nil); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	return nil
}

// A stage names a point in writeDir where a test can simulate a crash.
type stage int

const (
	stageFilled     stage = iota // fn has filled and WriteDir synced the temporary directory
	stageMovedAside              // dir has been renamed to .NAME.old
	stageMovedIn                 // the temporary directory has been renamed to dir
)

// writeDir implements WriteDir. If crash is not nil, it is called at each
// stage, and if it returns an error writeDir returns that error at once,
// leaving the file system as a crash at that point would.
func writeDir(dir string, fn func(tmpDir string) error, crash func(stage) error) error {
	parent, name, err := splitDir(dir)
	if err != nil {
		return err
	}
	if err := recoverDir(parent, name); err != nil {
		return err
	}
	tmp, err := mkdirTemp(parent, tempPrefix(name))
	if err != nil {
		return err
	}
	if err := fillDir(tmp, fn); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if crash != nil {
		if err := crash(stageFilled); err != nil {
			return err
		}
	}

	target := filepath.Join(parent, name)
	old := filepath.Join(parent, oldName(name))
	hadOld := true
	if err := os.Rename(target, old); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			os.RemoveAll(tmp)
			return err
		}
		hadOld = false
	} else if err := syncDir(parent); err != nil {
		// Durability of the first rename is unknown; put things back so
		// that dir is never left missing by a returned error.
		if os.Rename(old, target) == nil {
			os.RemoveAll(tmp)
		}
		return err
	}
	if crash != nil {
		if err := crash(stageMovedAside); err != nil {
			return err
		}
	}

	if err := os.Rename(tmp, target); err != nil {
		if hadOld && os.Rename(old, target) == nil {
			os.RemoveAll(tmp)
		}
		return err
	}
	// The old directory may only be removed once the new one is durably in
	// place; otherwise a crash could lose both.
	if err := syncDir(parent); err != nil {
		return err
	}
	if crash != nil {
		if err := crash(stageMovedIn); err != nil {
			return err
		}
	}
	if hadOld {
		if err := os.RemoveAll(old); err != nil {
			return err
		}
	}
	return nil
}

// fillDir runs fn on the temporary directory tmp and syncs everything it
// wrote, so that the directory is complete on disk before it is renamed into
// place.
func fillDir(tmp string, fn func(tmpDir string) error) error {
	if err := fn(tmp); err != nil {
		return err
	}
	return syncTree(tmp)
}

// Recover restores the state that WriteDir guarantees after a crash or
// failure while replacing dir: afterwards dir is the complete old or the
// complete new directory (or absent, if WriteDir was creating it), and no
// temporary directories are left. Call it before reading a directory that
// WriteDir may have been writing when the process stopped. Recover does
// nothing if there is nothing to recover, and it also removes temporary
// files that a crash during Write left for the same path.
func Recover(dir string) error {
	parent, name, err := splitDir(dir)
	if err == nil {
		err = recoverDir(parent, name)
	}
	if err != nil {
		return fmt.Errorf("recover %s: %w", dir, err)
	}
	return nil
}

func recoverDir(parent, name string) error {
	target := filepath.Join(parent, name)
	old := filepath.Join(parent, oldName(name))
	_, err := os.Lstat(old)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// No swap was under way.
	case err != nil:
		return err
	default:
		_, err := os.Lstat(target)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Crash between the two renames: the old directory is
			// complete, the new one may not be. Restore the old one.
			if err := os.Rename(old, target); err != nil {
				return err
			}
			if err := syncDir(parent); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			// The new directory is in place; the old one may be partly
			// removed.
			if err := os.RemoveAll(old); err != nil {
				return err
			}
		}
	}

	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	prefix := tempPrefix(name)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitDir splits dir into its parent and its final element, refusing paths
// such as "." and "/" that name no replaceable directory.
func splitDir(dir string) (parent, name string, err error) {
	clean := filepath.Clean(dir)
	parent, name = filepath.Split(clean)
	if name == "" || name == "." || name == ".." {
		return "", "", fmt.Errorf("path %q does not name a directory that can be replaced", dir)
	}
	if parent == "" {
		parent = "."
	}
	return parent, name, nil
}

func tempPrefix(name string) string { return "." + name + ".tmp-" }

func oldName(name string) string { return "." + name + ".old" }

// createTemp creates a new file in dir whose name is prefix followed by a
// random number. Unlike os.CreateTemp it uses mode 0666 before the umask, so
// the file ends up with the permissions os.Create would give it.
func createTemp(dir, prefix string) (*os.File, string, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, name, err
	}
	return nil, "", fmt.Errorf("creating temporary file in %s: too many name collisions", dir)
}

// mkdirTemp is the directory counterpart of createTemp, using mode 0777
// before the umask.
func mkdirTemp(dir, prefix string) (string, error) {
	for range 10000 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		err := os.Mkdir(name, 0o777)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return name, err
	}
	return "", fmt.Errorf("creating temporary directory in %s: too many name collisions", dir)
}

// syncTree syncs every regular file and directory under root, directories
// after their contents.
func syncTree(root string) error {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			dirs = append(dirs, path)
		case d.Type().IsRegular():
			return syncFile(path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return err
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir syncs a directory, making renames and creations in it durable.
// Some platforms and file systems cannot sync a directory; there the error
// is ignored, as nothing better can be done.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL) {
		return nil
	}
	return err
}
