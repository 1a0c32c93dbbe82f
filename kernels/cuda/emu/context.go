//go:build plateau_cudaemu

package emu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"syscall"
	"unsafe"

	"github.com/plateau-lab/plateau/kernels/cpu"
)

// Ptr is a device address. On the emulated GPU it is a host address inside
// one of the context's allocations; the Go side never dereferences it
// except through an allocation's bytes, which checks the range.
type Ptr uintptr

// Options configure a Context.
type Options struct {
	// Workers is how many OS threads run blocks in parallel (<= 0: GOMAXPROCS).
	Workers int
	// Memory is the device memory the context reports and allows (<= 0: 16 GiB).
	Memory int64
	// Multiprocessors is what the device reports for its multiprocessor
	// count (<= 0: 4); grid-stride kernels size their grids from it, so a
	// small number exercises their loops.
	Multiprocessors int
	// Profile, when set, receives at Close the time spent in each kernel.
	Profile io.Writer
}

// Context is an emulated GPU: its memory, its modules and streams. It is
// not safe for concurrent use, as a CUDA context used from one host thread.
//
// Kernel faults (a failed barrier or collective, an overwritten guard zone,
// a misaligned access) are sticky, as on a GPU: the first one poisons the
// context and every later call returns it.
type Context struct {
	opt     Options
	allocs  []*allocation // sorted by address
	used    int64
	host    [][]byte // pinned host memory from HostAlloc
	streams []*Stream
	kernels map[string]map[string]kernelInfo
	workers []*worker
	pool    *cpu.Pool
	gemm    gemmScratch
	fault   error
	profile *profile
}

// pageSize is the granularity of the guard pages.
var pageSize = syscall.Getpagesize()

// allocAlign is the alignment of every allocation, as cuMemAlloc's.
const allocAlign = 256

// poison is the 32-bit word that fills new device and pinned host memory
// and the guard zones: a signalling NaN as a float32, and as an int32 a
// number (2142952365) far outside any index, so a kernel that reads memory
// nobody wrote gets NaN or an index that fails its bounds check.
const poison uint32 = 0x7fbadbad

// allocation is one MemAlloc: its own mapping, with a guard page below and
// above. The data ends at the upper guard page, rounded up to allocAlign:
// the bytes between the end of the data and the guard page, and between the
// lower guard page and the data, form the guard zone, filled with poison and
// checked after every launch that was given a pointer into the allocation.
// An access beyond the zone hits a guard page.
type allocation struct {
	mapping []byte // guard page, zone and data, guard page
	start   int    // offset of the data in mapping
	bytes   int
	base    Ptr
}

func (a *allocation) data() []byte { return a.mapping[a.start : a.start+a.bytes] }

// zones returns the guard zone below and above the data.
func (a *allocation) zones() (lo, hi []byte) {
	end := len(a.mapping) - pageSize
	return a.mapping[pageSize:a.start], a.mapping[a.start+a.bytes : end]
}

// contains reports whether [p, p+n) lies in the allocation's data.
func (a *allocation) contains(p Ptr, n int64) bool {
	return p >= a.base && n >= 0 && int64(p-a.base)+n <= int64(a.bytes)
}

// NewContext opens an emulated GPU.
func NewContext(opt Options) (*Context, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Memory <= 0 {
		opt.Memory = 16 << 30
	}
	if opt.Multiprocessors <= 0 {
		opt.Multiprocessors = 4
	}
	c := &Context{opt: opt, kernels: registered(), pool: cpu.NewPool(opt.Workers)}
	if opt.Profile != nil {
		c.profile = &profile{w: opt.Profile, kernels: map[string]*kernelTime{}}
	}
	for range opt.Workers {
		c.workers = append(c.workers, newWorker())
	}
	return c, nil
}

// Multiprocessors is the multiprocessor count the context reports.
func (c *Context) Multiprocessors() int { return c.opt.Multiprocessors }

// Name describes the emulated GPU.
func (c *Context) Name() string {
	return fmt.Sprintf("emulated GPU on the CPU (%d threads run blocks)", c.opt.Workers)
}

// Close waits for every stream and releases everything. It returns the
// context's fault, if any.
func (c *Context) Close() error {
	var errs []error
	for _, s := range c.streams {
		if err := s.Synchronize(); err != nil && !errors.Is(err, c.fault) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.fault)
	for _, a := range c.allocs {
		errs = append(errs, syscall.Munmap(a.mapping))
	}
	c.allocs, c.used = nil, 0
	for _, h := range c.host {
		errs = append(errs, syscall.Munmap(h))
	}
	c.host = nil
	for _, w := range c.workers {
		w.free()
	}
	c.workers = nil
	c.pool.Close()
	if c.profile != nil {
		c.profile.report()
	}
	return errors.Join(errs...)
}

// poisoned returns the context's fault as the error of a call made after it.
func (c *Context) poisoned() error {
	if c.fault == nil {
		return nil
	}
	return fmt.Errorf("emulated GPU: context unusable after an earlier fault: %w", c.fault)
}

// setFault records the context's first fault.
func (c *Context) setFault(err error) {
	if c.fault == nil {
		c.fault = err
	}
}

// MemInfo returns the free and total device memory.
func (c *Context) MemInfo() (free, total int64) { return c.opt.Memory - c.used, c.opt.Memory }

// MemAlloc returns an allocation of bytes, filled with poison (device memory
// starts uninitialised).
func (c *Context) MemAlloc(bytes int64) (Ptr, error) {
	if err := c.poisoned(); err != nil {
		return 0, err
	}
	if bytes <= 0 {
		return 0, fmt.Errorf("emulated cuMemAlloc: %d bytes: want a positive size", bytes)
	}
	if bytes > c.opt.Memory-c.used {
		return 0, fmt.Errorf("emulated cuMemAlloc: %d bytes: out of memory", bytes)
	}
	rounded := (int(bytes) + allocAlign - 1) / allocAlign * allocAlign
	dataPages := (rounded + pageSize - 1) / pageSize
	m, err := syscall.Mmap(-1, 0, (dataPages+2)*pageSize, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return 0, fmt.Errorf("emulated cuMemAlloc: %d bytes: %w", bytes, err)
	}
	end := len(m) - pageSize
	if err := errors.Join(syscall.Mprotect(m[:pageSize], syscall.PROT_NONE),
		syscall.Mprotect(m[end:], syscall.PROT_NONE)); err != nil {
		syscall.Munmap(m)
		return 0, fmt.Errorf("emulated cuMemAlloc: guard pages: %w", err)
	}
	fill(m[pageSize:end])
	a := &allocation{mapping: m, start: end - rounded, bytes: int(bytes)}
	a.base = addr(m[a.start:])
	i, _ := slices.BinarySearchFunc(c.allocs, a.base, func(x *allocation, p Ptr) int { return cmpPtr(x.base, p) })
	c.allocs = slices.Insert(c.allocs, i, a)
	c.used += bytes
	return a.base, nil
}

// MemFree waits for every stream (queued work may still use the memory)
// and releases the allocation that starts at p.
func (c *Context) MemFree(p Ptr) error {
	for _, s := range c.streams {
		s.drain()
	}
	i, ok := slices.BinarySearchFunc(c.allocs, p, func(x *allocation, p Ptr) int { return cmpPtr(x.base, p) })
	if !ok {
		return fmt.Errorf("emulated cuMemFree: %#x is not the start of an allocation", uintptr(p))
	}
	a := c.allocs[i]
	err := c.checkGuards(a, "cuMemFree")
	c.allocs = slices.Delete(c.allocs, i, i+1)
	c.used -= int64(a.bytes)
	return errors.Join(err, c.poisoned(), syscall.Munmap(a.mapping))
}

// HostAlloc returns pinned host memory (cuMemHostAlloc), filled with
// poison. The host reads and writes it directly; copies to and from the
// device run when the stream reaches them, so memory that is reused before
// then gives the device the new contents, as on a GPU.
func (c *Context) HostAlloc(bytes int) ([]byte, error) {
	if bytes <= 0 {
		return nil, fmt.Errorf("emulated cuMemHostAlloc: %d bytes: want a positive size", bytes)
	}
	m, err := syscall.Mmap(-1, 0, bytes, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, fmt.Errorf("emulated cuMemHostAlloc: %d bytes: %w", bytes, err)
	}
	fill(m)
	c.host = append(c.host, m)
	return m, nil
}

// HostFree waits for every stream and releases memory from HostAlloc.
func (c *Context) HostFree(b []byte) error {
	for _, s := range c.streams {
		s.drain()
	}
	for i, h := range c.host {
		if len(b) > 0 && len(h) > 0 && &h[0] == &b[0] {
			c.host = slices.Delete(c.host, i, i+1)
			return syscall.Munmap(h)
		}
	}
	return errors.New("emulated cuMemFreeHost: not memory from cuMemHostAlloc")
}

// find returns the allocation whose data holds [p, p+n), or nil.
func (c *Context) find(p Ptr, n int64) *allocation {
	i, ok := slices.BinarySearchFunc(c.allocs, p, func(x *allocation, p Ptr) int { return cmpPtr(x.base, p) })
	if !ok {
		i--
	}
	if i < 0 || i >= len(c.allocs) || !c.allocs[i].contains(p, n) {
		return nil
	}
	return c.allocs[i]
}

// bytes returns the device memory [p, p+n) as a slice, or an error naming
// what wanted it.
func (c *Context) bytes(p Ptr, n int64, what string) ([]byte, error) {
	a := c.find(p, n)
	if a == nil {
		return nil, fmt.Errorf("%s: %d bytes at %#x are not inside one device allocation", what, n, uintptr(p))
	}
	off := int(p - a.base)
	return a.data()[off : off+int(n)], nil
}

// checkGuards reports an allocation whose guard zone was written.
func (c *Context) checkGuards(a *allocation, after string) error {
	lo, hi := a.zones()
	if i := firstChanged(hi, a.start+a.bytes); i >= 0 {
		return fmt.Errorf("%s wrote past the end of a %d-byte allocation at %#x (byte %d after its end changed)",
			after, a.bytes, uintptr(a.base), i)
	}
	if i := firstChanged(lo, pageSize); i >= 0 {
		return fmt.Errorf("%s wrote before the start of a %d-byte allocation at %#x (byte %d before its start changed)",
			after, a.bytes, uintptr(a.base), len(lo)-i)
	}
	return nil
}

// checkAllGuards checks every allocation.
func (c *Context) checkAllGuards(after string) error {
	for _, a := range c.allocs {
		if err := c.checkGuards(a, after); err != nil {
			return err
		}
	}
	return nil
}

// poisonBytes is poison repeated over a page and a word, the reference
// guard zones are compared with.
var poisonBytes = func() []byte {
	b := make([]byte, pageSize+4)
	fill(b)
	return b
}()

// fill writes poison over b.
func fill(b []byte) {
	fillWord(b, poison)
}

// firstChanged returns the index of the first byte of zone that is not
// poison, or -1; zone starts at byte offset at of its mapping (which
// poison fills from offset 0).
func firstChanged(zone []byte, at int) int {
	ref := poisonBytes[at%4 : at%4+pageSize]
	for off := 0; off < len(zone); off += pageSize {
		chunk := zone[off:min(len(zone), off+pageSize)]
		if !bytes.Equal(chunk, ref[:len(chunk)]) {
			for i := range chunk {
				if chunk[i] != ref[i] {
					return off + i
				}
			}
		}
	}
	return -1
}

// addr is the address of b's first byte.
func addr(b []byte) Ptr { return Ptr(unsafe.Pointer(unsafe.SliceData(b))) }

func cmpPtr(a, b Ptr) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fillWord writes the little-endian word v over b (whole words; a partial
// last word gets v's first bytes).
func fillWord(b []byte, v uint32) {
	w := [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	copy(b, w[:])
	for n := 4; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}
