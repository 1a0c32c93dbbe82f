//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"errors"
	"fmt"
	"unsafe"
)

// Uploads go through pinned host memory: the copy from a pinned buffer is
// asynchronous (the stream reads the buffer when it reaches the copy), so
// Upload returns at once and the caller's slice is free for reuse. A
// pinned buffer must then stay unchanged until its copy has run: each one
// carries an event recorded after its copy, and is refilled only after that
// event has completed.
const (
	stagingBuffers = 4       // used in turn
	stagingChunk   = 4 << 20 // bytes per buffer at most; larger uploads go in chunks
)

// stager is the device's ring of pinned upload buffers.
type stager struct {
	d    *Device
	bufs [stagingBuffers]stagingBuffer
	next int
}

// stagingBuffer is one pinned buffer and the event after its last copy.
type stagingBuffer struct {
	mem     []byte
	ev      event
	pending bool // a copy from mem may not have run yet
}

// upload queues copying src to the device at dst, chunk by chunk.
func (s *stager) upload(dst devicePtr, src []byte) error {
	for off := 0; off < len(src); off += stagingChunk {
		chunk := src[off:min(len(src), off+stagingChunk)]
		b := &s.bufs[s.next]
		s.next = (s.next + 1) % stagingBuffers
		if err := s.take(b, len(chunk)); err != nil {
			return err
		}
		copy(b.mem, chunk)
		if err := s.d.drv.copyHtoD(dst+devicePtr(off), addrOf(b.mem), int64(len(chunk))); err != nil {
			return err
		}
		if err := b.ev.record(); err != nil {
			return fmt.Errorf("record staging event: %w", err)
		}
		b.pending = true
	}
	return nil
}

// take waits until b's last copy has run and makes it hold at least n bytes.
func (s *stager) take(b *stagingBuffer, n int) error {
	if b.pending {
		if err := b.ev.synchronize(); err != nil {
			return fmt.Errorf("wait for staging buffer: %w", err)
		}
		b.pending = false
	}
	if b.ev == nil {
		ev, err := s.d.drv.newEvent()
		if err != nil {
			return fmt.Errorf("create staging event: %w", err)
		}
		b.ev = ev
	}
	if len(b.mem) >= n {
		return nil
	}
	if b.mem != nil {
		if err := s.d.drv.hostFree(b.mem); err != nil {
			return fmt.Errorf("free staging buffer: %w", err)
		}
		b.mem = nil
	}
	size := min(stagingChunk, max(n, 64<<10))
	mem, err := s.d.drv.hostAlloc(size)
	if err != nil {
		return fmt.Errorf("pinned staging buffer of %s: %w", human(int64(size)), err)
	}
	b.mem = mem
	return nil
}

// free releases the buffers and their events (after their copies).
func (s *stager) free() error {
	var errs []error
	for i := range s.bufs {
		b := &s.bufs[i]
		if b.pending {
			errs = append(errs, b.ev.synchronize())
		}
		if b.mem != nil {
			errs = append(errs, s.d.drv.hostFree(b.mem))
		}
		if b.ev != nil {
			errs = append(errs, b.ev.destroy())
		}
		*b = stagingBuffer{}
	}
	return errors.Join(errs...)
}

// addrOf is the address of b's first byte.
func addrOf(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }
