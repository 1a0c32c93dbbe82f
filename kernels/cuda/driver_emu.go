//go:build plateau_cudaemu

package cuda

import (
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"unsafe"

	"github.com/plateau-lab/plateau/kernels/cuda/emu"
)

// emuDriver is the emulated GPU of kernels/cuda/emu: the .cu sources
// compiled for the CPU, one context and stream, the kernels looked up in the
// modules loaded from the same PTX the GPU build loads, and cublasGemmEx
// emulated in the device's precision.
type emuDriver struct {
	ctx    *emu.Context
	stream *emu.Stream
	fn     [numKernels]*emu.Function
	prec   Precision
}

// sources are the kernel sources, to check that the emulator was compiled
// from these (see emu.KernelSourcesSum).
//
//go:embed *.cu *.cuh
var sources embed.FS

// openDriver opens the emulated GPU, the only device (ordinal 0).
func openDriver(ordinal int, p Precision) (driver, error) {
	if ordinal != 0 {
		return nil, fmt.Errorf("device %d requested, 1 present (the emulated GPU)", ordinal)
	}
	sum, err := sourcesSum()
	if err != nil {
		return nil, fmt.Errorf("kernel sources: %w", err)
	}
	if sum != emu.KernelSourcesSum {
		return nil, fmt.Errorf("the emulator was compiled for kernel sources with sum %s, kernels/cuda holds sources with sum %s: "+
			"run go generate ./kernels/cuda", emu.KernelSourcesSum, sum)
	}
	opt := emu.Options{}
	if os.Getenv("PLATEAU_CUDAEMU_PROFILE") != "" {
		opt.Profile = os.Stderr
	}
	c, err := emu.NewContext(opt)
	if err != nil {
		return nil, err
	}
	d := &emuDriver{ctx: c, stream: c.NewStream(), prec: p}
	if err := d.load(); err != nil {
		c.Close()
		return nil, err
	}
	return d, nil
}

// sourcesSum is the SHA-256 of the listing "sha256  name" of every .cu and
// .cuh file, sorted by name: what scripts/emu-sources.sh writes into
// emu/sources.go.
func sourcesSum() (string, error) {
	names, err := fs.Glob(sources, "*.cu*")
	if err != nil {
		return "", err
	}
	slices.Sort(names)
	var listing []byte
	for _, n := range names {
		b, err := sources.ReadFile(n)
		if err != nil {
			return "", err
		}
		listing = fmt.Appendf(listing, "%x  %s\n", sha256.Sum256(b), n)
	}
	return fmt.Sprintf("%x", sha256.Sum256(listing)), nil
}

// load loads every module from its PTX and looks up every kernel.
func (d *emuDriver) load() error {
	return loadKernels(d.ctx.LoadModule, (*emu.Module).Function, &d.fn)
}

func (d *emuDriver) describe() string {
	return fmt.Sprintf("cuda (%s, %d SMs, GEMM %s)", d.ctx.Name(), d.ctx.Multiprocessors(), d.prec)
}

func (d *emuDriver) multiprocessors() int { return d.ctx.Multiprocessors() }

func (d *emuDriver) memInfo() (free, total int64, err error) {
	free, total = d.ctx.MemInfo()
	return free, total, nil
}

func (d *emuDriver) memAlloc(bytes int64) (devicePtr, error) {
	p, err := d.ctx.MemAlloc(bytes)
	return devicePtr(p), err
}

func (d *emuDriver) memFree(p devicePtr) error { return d.ctx.MemFree(emu.Ptr(p)) }

func (d *emuDriver) hostAlloc(bytes int) ([]byte, error) { return d.ctx.HostAlloc(bytes) }

func (d *emuDriver) hostFree(b []byte) error { return d.ctx.HostFree(b) }

// emuEvent is an event of the emulated stream.
type emuEvent struct {
	d  *emuDriver
	ev *emu.Event
}

func (d *emuDriver) newEvent() (event, error) { return &emuEvent{d: d, ev: d.ctx.NewEvent()}, nil }

func (e *emuEvent) record() error {
	e.ev.Record(e.d.stream)
	return nil
}

func (e *emuEvent) synchronize() error { return e.ev.Synchronize() }

func (e *emuEvent) destroy() error { return nil }

func (d *emuDriver) memsetD32(p devicePtr, v uint32, n int64) error {
	return d.stream.MemsetD32(emu.Ptr(p), v, n)
}

func (d *emuDriver) copyHtoD(dst devicePtr, src unsafe.Pointer, bytes int64) error {
	return d.stream.MemcpyHtoD(emu.Ptr(dst), unsafe.Slice((*byte)(src), bytes))
}

func (d *emuDriver) copyDtoH(dst unsafe.Pointer, src devicePtr, bytes int64) error {
	return d.stream.MemcpyDtoH(unsafe.Slice((*byte)(dst), bytes), emu.Ptr(src))
}

func (d *emuDriver) copyDtoD(dst, src devicePtr, bytes int64) error {
	return d.stream.MemcpyDtoD(emu.Ptr(dst), emu.Ptr(src), bytes)
}

func (d *emuDriver) launch(k kernel, grid, block dim3, params []unsafe.Pointer) error {
	return d.stream.Launch(d.fn[k], emu.Dim3{X: grid.x, Y: grid.y, Z: grid.z}, emu.Dim3{X: block.x, Y: block.y, Z: block.z}, params)
}

func (d *emuDriver) gemm(transA, transB bool, m, n, k int, alpha float32, a devicePtr, lda int, b devicePtr, ldb int,
	beta float32, c devicePtr, ldc int) error {
	g := emu.Gemm{TransA: transA, TransB: transB, M: m, N: n, K: k, Alpha: alpha,
		A: emu.Ptr(a), LDA: lda, B: emu.Ptr(b), LDB: ldb, Beta: beta, C: emu.Ptr(c), LDC: ldc}
	switch d.prec {
	case TF32:
		g.Compute = emu.Compute32FFastTF32
	case BF16:
		g.AType, g.BType = emu.R16BF, emu.R16BF
	}
	return d.stream.GemmEx(g)
}

func (d *emuDriver) synchronize() error { return d.stream.Synchronize() }

func (d *emuDriver) close() error { return d.ctx.Close() }
