//go:build !unix

package mmapfile

import (
	"errors"
	"os"
)

// mapFile is not available here: Open reads the file instead.
func mapFile(*os.File, int) ([]byte, func() error, error) {
	return nil, nil, errors.New("mmap not supported on this system")
}
