// Package testfs holds file-system helpers that the tests of several
// packages share.
package testfs

import (
	"io/fs"
	"path/filepath"
	"time"
)

// ModTimes maps every regular file under dir to its modification time, so
// a test can tell which files a second run rewrote.
func ModTimes(dir string) (map[string]time.Time, error) {
	m := map[string]time.Time{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m[path] = info.ModTime()
		return nil
	})
	return m, err
}
