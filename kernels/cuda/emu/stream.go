//go:build plateau_cudaemu

package emu

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Stream is an in-order queue of device work. Nothing runs when it is
// queued: the queue runs when the host waits for it (Synchronize, an
// event's Synchronize, MemFree, HostFree), which is the latest a GPU could
// run it. A host buffer that is changed before the copy that reads it has
// run therefore gives the device the changed contents, and one that is read
// before the copy that fills it has run holds what was there before, as on
// a GPU whose stream is behind.
type Stream struct {
	c     *Context
	queue []op
	done  int64 // ops run since the stream was made
	taken int64 // ops queued since the stream was made
}

type opKind int

const (
	opLaunch opKind = iota
	opMemset
	opHtoD
	opDtoH
	opDtoD
	opGemm
)

// op is one queued piece of work.
type op struct {
	kind        opKind
	fn          *Function
	grid, block Dim3
	params      [maxParams]uint64
	dst, src    Ptr
	bytes       int64
	value       uint32
	host        []byte
	gemm        Gemm
}

// NewStream makes a stream.
func (c *Context) NewStream() *Stream {
	s := &Stream{c: c}
	c.streams = append(c.streams, s)
	return s
}

// Launch queues f over grid blocks of block threads with the parameters
// that params point to (8-byte slots, read now, as cuLaunchKernel does).
// A bad configuration is returned at once; a fault in the kernel is
// returned when the stream runs it, and poisons the context.
func (s *Stream) Launch(f *Function, grid, block Dim3, params []unsafe.Pointer) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	vals, err := f.check(grid, block, params)
	if err != nil {
		return err
	}
	s.push(op{kind: opLaunch, fn: f, grid: grid, block: block, params: vals})
	return nil
}

// MemsetD32 queues setting n 32-bit words at p to v.
func (s *Stream) MemsetD32(p Ptr, v uint32, n int64) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	if p%4 != 0 || s.c.find(p, 4*n) == nil {
		return fmt.Errorf("emulated cuMemsetD32Async: %d words at %#x are not inside one device allocation", n, uintptr(p))
	}
	s.push(op{kind: opMemset, dst: p, value: v, bytes: 4 * n})
	return nil
}

// MemcpyHtoD queues copying src to the device at dst. src is read when the
// copy runs, so it must stay unchanged until then (pinned memory from
// HostAlloc, guarded by an event, as on a GPU).
func (s *Stream) MemcpyHtoD(dst Ptr, src []byte) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	if s.c.find(dst, int64(len(src))) == nil {
		return fmt.Errorf("emulated cuMemcpyHtoDAsync: %d bytes at %#x are not inside one device allocation", len(src), uintptr(dst))
	}
	s.push(op{kind: opHtoD, dst: dst, host: src, bytes: int64(len(src))})
	return nil
}

// MemcpyDtoH queues copying the device memory at src into dst; dst holds
// the data once the stream has run.
func (s *Stream) MemcpyDtoH(dst []byte, src Ptr) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	if s.c.find(src, int64(len(dst))) == nil {
		return fmt.Errorf("emulated cuMemcpyDtoHAsync: %d bytes at %#x are not inside one device allocation", len(dst), uintptr(src))
	}
	s.push(op{kind: opDtoH, src: src, host: dst, bytes: int64(len(dst))})
	return nil
}

// MemcpyDtoD queues a device-to-device copy of bytes.
func (s *Stream) MemcpyDtoD(dst, src Ptr, bytes int64) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	if s.c.find(dst, bytes) == nil || s.c.find(src, bytes) == nil {
		return fmt.Errorf("emulated cuMemcpyDtoDAsync: %d bytes from %#x to %#x are not inside device allocations",
			bytes, uintptr(src), uintptr(dst))
	}
	s.push(op{kind: opDtoD, dst: dst, src: src, bytes: bytes})
	return nil
}

func (s *Stream) push(o op) {
	s.queue = append(s.queue, o)
	s.taken++
}

// Synchronize runs everything queued and returns the context's fault, if
// any, after checking every allocation's guard zone.
func (s *Stream) Synchronize() error {
	s.drain()
	if s.c.fault == nil {
		if err := s.c.checkAllGuards("a kernel"); err != nil {
			s.c.setFault(fmt.Errorf("emulated GPU: %w", err))
		}
	}
	return s.c.fault
}

// drain runs the whole queue.
func (s *Stream) drain() { s.runTo(s.taken) }

// runTo runs queued work until n ops have run since the stream was made.
// After a fault the rest is dropped.
func (s *Stream) runTo(n int64) {
	for s.done < n && len(s.queue) > 0 {
		o := &s.queue[0]
		if s.c.fault == nil {
			if err := s.run(o); err != nil {
				s.c.setFault(err)
			}
		}
		*o = op{}
		s.queue = s.queue[1:]
		s.done++
	}
	if len(s.queue) == 0 {
		s.queue = s.queue[:0:cap(s.queue)]
	}
}

// run does one op.
func (s *Stream) run(o *op) error {
	c := s.c
	switch o.kind {
	case opLaunch:
		return c.launch(o)
	case opMemset:
		b, err := c.bytes(o.dst, o.bytes, "cuMemsetD32Async")
		if err != nil {
			return err
		}
		fillWord(b, o.value)
	case opHtoD:
		b, err := c.bytes(o.dst, o.bytes, "cuMemcpyHtoDAsync")
		if err != nil {
			return err
		}
		copy(b, o.host)
	case opDtoH:
		b, err := c.bytes(o.src, o.bytes, "cuMemcpyDtoHAsync")
		if err != nil {
			return err
		}
		copy(o.host, b)
	case opDtoD:
		d, err := c.bytes(o.dst, o.bytes, "cuMemcpyDtoDAsync")
		if err != nil {
			return err
		}
		src, err := c.bytes(o.src, o.bytes, "cuMemcpyDtoDAsync")
		if err != nil {
			return err
		}
		copy(d, src)
	case opGemm:
		return c.runGemm(&o.gemm)
	}
	return nil
}

// launch runs every block of a kernel launch, spread over the workers, and
// then checks the guard zones of the allocations its pointers point into.
func (c *Context) launch(o *op) error {
	f := o.fn
	if c.profile != nil {
		t0 := time.Now()
		defer func() { c.profile.add(f.k.entry, o.grid.count()*o.block.count(), time.Since(t0)) }()
	}
	blocks := o.grid.count()
	params := o.params[:f.k.nparams]
	nw := int(min(int64(len(c.workers)), blocks))
	chunk := max(1, blocks/int64(8*nw))
	var next atomic.Int64
	var failed atomic.Bool
	errs := make([]error, nw)
	var wg sync.WaitGroup
	for i := range nw {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				first := next.Add(chunk) - chunk
				if first >= blocks {
					return
				}
				if err := c.workers[i].run(&f.k, o.grid, o.block, params, first, min(chunk, blocks-first)); err != nil {
					errs[i] = err
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := firstError(errs); err != nil {
		return fmt.Errorf("emulated GPU: %w", err)
	}
	for i, p := range params {
		if f.k.kinds[i] != 'p' || p == 0 {
			continue
		}
		if a := c.find(Ptr(p), 0); a != nil {
			if err := c.checkGuards(a, "kernel "+f.k.entry); err != nil {
				return fmt.Errorf("emulated GPU: %w (parameter %d points into it)", err, i)
			}
		}
	}
	return nil
}

// firstError is the first non-nil error.
func firstError(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// Event marks a point in a stream.
type Event struct {
	s *Stream
	n int64 // the stream's op count at the mark
}

// NewEvent makes an event that has no mark yet.
func (c *Context) NewEvent() *Event { return &Event{} }

// Record marks the point after the work queued on s so far.
func (e *Event) Record(s *Stream) {
	e.s, e.n = s, s.taken
}

// Synchronize runs the stream up to the mark and returns the context's
// fault, if any.
func (e *Event) Synchronize() error {
	if e.s == nil {
		return nil
	}
	e.s.runTo(e.n)
	return e.s.c.poisoned()
}
