//go:build plateau_cudaemu

package emu

import (
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"unsafe"
)

// rig is a context with the selftest kernels (selftest.cc) and one stream.
type rig struct {
	t   testing.TB
	c   *Context
	s   *Stream
	mod *Module
}

func newRig(t testing.TB) *rig {
	t.Helper()
	c, err := NewContext(Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m, err := c.LoadModule("selftest", "")
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, c: c, s: c.NewStream(), mod: m}
}

// alloc returns n 32-bit words of device memory.
func (r *rig) alloc(n int) Ptr {
	r.t.Helper()
	p, err := r.c.MemAlloc(int64(4 * n))
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// launch queues kernel name with args (Ptr, int, float32, float64), each
// in its own 8-byte slot as the device passes them.
func (r *rig) launch(name string, grid, block Dim3, args ...any) error {
	r.t.Helper()
	f, err := r.mod.Function(name)
	if err != nil {
		r.t.Fatal(err)
	}
	slots := make([]uint64, len(args))
	ptrs := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Ptr:
			slots[i] = uint64(v)
		case int:
			slots[i] = uint64(uint32(int32(v)))
		case float32:
			slots[i] = uint64(math.Float32bits(v))
		case uint64:
			slots[i] = v
		default:
			r.t.Fatalf("argument %d: unsupported type %T", i, a)
		}
		ptrs[i] = unsafe.Pointer(&slots[i])
	}
	return r.s.Launch(f, grid, block, ptrs)
}

// words downloads n 32-bit words from p after running the stream.
func (r *rig) words(p Ptr, n int) []uint32 {
	r.t.Helper()
	b := make([]byte, 4*n)
	if err := r.s.MemcpyDtoH(b, p); err != nil {
		r.t.Fatal(err)
	}
	if err := r.s.Synchronize(); err != nil {
		r.t.Fatal(err)
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

func (r *rig) upload(p Ptr, v []float32) {
	r.t.Helper()
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	if err := r.s.MemcpyHtoD(p, b); err != nil {
		r.t.Fatal(err)
	}
}

func TestCollectives(t *testing.T) {
	r := newRig(t)
	const n = 64
	out := r.alloc(8 * n)
	if err := r.launch("selftest_collectives", Dim3{1, 1, 1}, Dim3{n, 1, 1}, out); err != nil {
		t.Fatal(err)
	}
	got := r.words(out, 8*n)
	for tid := range n {
		lane, base := tid%32, tid-tid%32
		src := func(l int) int { return 10 * (base + l) }
		up, down := src(lane), src(lane)
		if lane >= 3 {
			up = src(lane - 3)
		}
		if lane < 29 {
			down = src(lane + 3)
		}
		ballot := 0
		for l := 0; l < 32; l += 3 {
			ballot |= 1 << l
		}
		anyAll := 2
		if tid/32 == 1 {
			anyAll = 3 // lane 8 of warp 1 is thread 40
		}
		want := []int{src(31 - lane), src(lane ^ 5), up, down, src(lane ^ 1), ballot, anyAll, 2*(base+(lane^16)) + 1}
		for i, w := range want {
			if g := int(int32(got[tid*8+i])); g != w {
				t.Errorf("thread %d, collective %d: got %d, want %d", tid, i, g, w)
			}
		}
	}
}

func TestBlockSumAndIndexing(t *testing.T) {
	r := newRig(t)
	const blocks, threads = 3, 256
	in := make([]float32, blocks*threads)
	for i := range in {
		in[i] = float32(i % 7)
	}
	pin, pout := r.alloc(len(in)), r.alloc(blocks)
	r.upload(pin, in)
	if err := r.launch("selftest_block_sum", Dim3{blocks, 1, 1}, Dim3{threads, 1, 1}, pout, pin); err != nil {
		t.Fatal(err)
	}
	for b, w := range r.words(pout, blocks) {
		want := float32(0)
		for _, x := range in[b*threads : (b+1)*threads] {
			want += x
		}
		if math.Float32frombits(w) != want {
			t.Errorf("block %d: sum %v, want %v", b, math.Float32frombits(w), want)
		}
	}
	grid, block := Dim3{3, 2, 2}, Dim3{4, 3, 2}
	n := int(grid.count()*block.count()) - 5
	idx := r.alloc(n + 5)
	if err := r.launch("selftest_index", grid, block, idx, n); err != nil {
		t.Fatal(err)
	}
	for i, v := range r.words(idx, n) {
		if int(v) != i {
			t.Fatalf("element %d: %d (the 3-D thread and block numbering is wrong)", i, v)
		}
	}
}

// TestNoFMA: a*b+c in kernel code rounds the product, as the __f*_rn
// intrinsics promise.
func TestNoFMA(t *testing.T) {
	r := newRig(t)
	a := float32(1 + 1.0/4096) // a*a = 1 + 2^-11 + 2^-24: the 2^-24 is lost when rounded
	out := r.alloc(1)
	if err := r.launch("selftest_madd", Dim3{1, 1, 1}, Dim3{1, 1, 1}, out, a, a, -(1 + float32(1.0/2048))); err != nil {
		t.Fatal(err)
	}
	if got := math.Float32frombits(r.words(out, 1)[0]); got != 0 {
		t.Errorf("a*b+c = %g, want 0 (a fused multiply-add gives 2^-24)", got)
	}
}

// TestUninitialisedMemoryIsNaN: memory nobody wrote reads as the poison
// pattern, a NaN.
func TestUninitialisedMemoryIsNaN(t *testing.T) {
	r := newRig(t)
	in, out := r.alloc(40), r.alloc(40)
	if err := r.launch("selftest_copy", Dim3{1, 1, 1}, Dim3{64, 1, 1}, out, in, 40); err != nil {
		t.Fatal(err)
	}
	for i, w := range r.words(out, 40) {
		if w != poison || !math.IsNaN(float64(math.Float32frombits(w))) {
			t.Fatalf("element %d of fresh memory: %#x, want the NaN %#x", i, w, poison)
		}
	}
}

// TestFaults runs the broken kernels: each must fail with a message that
// names the kernel and the bug, and poison the context.
func TestFaults(t *testing.T) {
	for _, c := range []struct {
		kernel      string
		grid, block Dim3
		args        func(r *rig) []any
		want        []string
	}{
		{"broken_divergent_barrier", Dim3{1, 1, 1}, Dim3{128, 1, 1}, func(r *rig) []any { return []any{r.alloc(128)} },
			[]string{"kernel broken_divergent_barrier, block (0,0,0)", "must reach the same barrier", "selftest.cc"}},
		{"broken_partial_barrier", Dim3{2, 1, 1}, Dim3{64, 1, 1}, func(r *rig) []any { return []any{r.alloc(64), 40} },
			[]string{"kernel broken_partial_barrier", "returned", "every thread of the block"}},
		{"broken_write_past_end", Dim3{1, 1, 1}, Dim3{128, 1, 1}, func(r *rig) []any { return []any{r.alloc(100), 100} },
			[]string{"kernel broken_write_past_end wrote past the end of a 400-byte allocation", "byte 0 after its end"}},
		{"broken_write_before_start", Dim3{1, 1, 1}, Dim3{32, 1, 1}, func(r *rig) []any { return []any{r.alloc(10)} },
			[]string{"kernel broken_write_before_start wrote before the start"}},
		{"broken_shuffle_after_exit", Dim3{1, 1, 1}, Dim3{32, 1, 1}, func(r *rig) []any { return []any{r.alloc(32)} },
			[]string{"kernel broken_shuffle_after_exit", "thread (31,0,0): returned while lanes of its warp wait for it in __shfl_xor_sync"}},
		{"broken_deadlock", Dim3{1, 1, 1}, Dim3{32, 1, 1}, func(r *rig) []any { return []any{r.alloc(32)} },
			[]string{"kernel broken_deadlock", "deadlock", "threads 0-15 wait in __shfl_sync", "threads 16-31 wait in __syncthreads"}},
		{"broken_misaligned_load", Dim3{1, 1, 1}, Dim3{4, 1, 1}, func(r *rig) []any { return []any{r.alloc(4), r.alloc(20)} },
			[]string{"kernel broken_misaligned_load", "misaligned access at selftest.cc", "not a multiple of 16"}},
		{"broken_wmma_misaligned", Dim3{1, 1, 1}, Dim3{32, 1, 1}, func(r *rig) []any { return []any{r.alloc(256)} },
			[]string{"kernel broken_wmma_misaligned", "wmma::load_matrix_sync", "not 32-byte aligned"}},
	} {
		t.Run(c.kernel, func(t *testing.T) {
			r := newRig(t)
			if err := r.launch(c.kernel, c.grid, c.block, c.args(r)...); err != nil {
				t.Fatal(err)
			}
			err := r.s.Synchronize()
			if err == nil {
				t.Fatal("no error")
			}
			t.Log(err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if _, err := r.c.MemAlloc(4); err == nil || !strings.Contains(err.Error(), "unusable after an earlier fault") {
				t.Errorf("after the fault, MemAlloc gives %v; want the context poisoned", err)
			}
		})
	}
}

// TestReadPastTheGuardZoneCrashes: an access that reaches a guard page ends
// the process, after a message naming the kernel (run in a child process).
func TestReadPastTheGuardZoneCrashes(t *testing.T) {
	if os.Getenv("EMU_CRASH_CHILD") == "1" {
		r := newRig(t)
		in := r.alloc(100) // 400 bytes, rounded to 512: element 128 is the guard page
		r.launch("broken_read_at", Dim3{1, 1, 1}, Dim3{1, 1, 1}, r.alloc(1), in, 128)
		r.s.Synchronize()
		t.Fatal("the read of a guard page did not fault")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestReadPastTheGuardZoneCrashes$")
	cmd.Env = append(os.Environ(), "EMU_CRASH_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child process succeeded:\n%s", out)
	}
	for _, w := range []string{"emulated GPU: kernel broken_read_at, block (0,0,0), thread (0,0,0): invalid memory access", "SIGSEGV"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("the child's output does not say %q:\n%s", w, out)
		}
	}
}

func TestLaunchChecks(t *testing.T) {
	r := newRig(t)
	out := r.alloc(64)
	host := make([]byte, 64)
	for _, c := range []struct {
		name        string
		grid, block Dim3
		args        []any
		want        string
	}{
		{"selftest_copy", Dim3{1, 1, 1}, Dim3{1025, 1, 1}, []any{out, out, 1}, "more than 1024 threads"},
		{"selftest_copy", Dim3{1, 1, 1}, Dim3{32, 1, 1}, []any{out, out}, "2 parameters given, the kernel takes 3"},
		{"selftest_copy", Dim3{1, 1, 1}, Dim3{32, 1, 1}, []any{out, Ptr(unsafe.Pointer(&host[0])), 1}, "parameter 1 is a pointer"},
		{"selftest_copy", Dim3{1, 1, 1}, Dim3{32, 1, 1}, []any{out, out, uint64(1) << 40}, "parameter 2 is a 32-bit integer"},
		{"selftest_copy", Dim3{1, 70000, 1}, Dim3{32, 1, 1}, []any{out, out, 1}, "grid limits"},
	} {
		if err := r.launch(c.name, c.grid, c.block, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s grid %v block %v: error %v, want %q", c.name, c.grid, c.block, err, c.want)
		}
	}
	if _, err := r.mod.Function("no_such_kernel"); err == nil || !strings.Contains(err.Error(), "EMU_KERNEL(selftest, no_such_kernel)") {
		t.Errorf("unknown kernel: error %v", err)
	}
	if _, err := r.c.MemAlloc(1 << 40); err == nil || !strings.Contains(err.Error(), "out of memory") {
		t.Errorf("1 TiB: error %v", err)
	}
	if err := r.s.Synchronize(); err != nil {
		t.Errorf("refused launches poisoned the context: %v", err)
	}
}

// TestPTXResources: the launch bounds and static shared memory come from
// the PTX.
func TestPTXResources(t *testing.T) {
	const ptx = `
.visible .entry selftest_copy(
	.param .u64 a
)
.maxntid 64, 1, 1
{
	.shared .align 16 .b8 small[1024];
	ret;
}
.visible .entry selftest_index(
	.param .u64 a
)
{
	.shared .align 4 .f32 big[16384];
	ret;
}
`
	r := newRig(t)
	if _, err := r.c.LoadModule("selftest", ptx); err == nil || !strings.Contains(err.Error(), "entry selftest_index uses 65536 bytes of static shared memory") {
		t.Errorf("64 KB of shared memory: error %v", err)
	}
	m, err := r.c.LoadModule("selftest", strings.Replace(ptx, "big[16384]", "big[16]", 1))
	if err != nil {
		t.Fatal(err)
	}
	r.mod = m
	out := r.alloc(128)
	if err := r.launch("selftest_copy", Dim3{1, 1, 1}, Dim3{128, 1, 1}, out, out, 1); err == nil || !strings.Contains(err.Error(), "__launch_bounds__ (64)") {
		t.Errorf("128 threads for .maxntid 64: error %v", err)
	}
	if _, err := m.Function("selftest_madd"); err == nil || !strings.Contains(err.Error(), "has no entry selftest_madd") {
		t.Errorf("a kernel the PTX lacks: error %v", err)
	}
	info, _ := parsePTX(ptx)
	if got := info["selftest_copy"]; got.maxThreads != 64 || got.sharedBytes != 1024 {
		t.Errorf("selftest_copy: %+v, want 64 threads and 1024 bytes", got)
	}
}

// TestStreamRunsWhenWaited: a copy reads its host buffer when the stream
// runs, so a buffer reused before then gives the device the new contents.
func TestStreamRunsWhenWaited(t *testing.T) {
	r := newRig(t)
	p := r.alloc(1)
	host, err := r.c.HostAlloc(4)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(host, 1)
	if err := r.s.MemcpyHtoD(p, host); err != nil {
		t.Fatal(err)
	}
	ev := r.c.NewEvent()
	ev.Record(r.s)
	binary.LittleEndian.PutUint32(host, 2) // too early: the copy has not run
	if got := r.words(p, 1)[0]; got != 2 {
		t.Errorf("device holds %d, want 2 (the host changed the buffer before the copy ran)", got)
	}
	binary.LittleEndian.PutUint32(host, 3)
	if err := r.s.MemcpyHtoD(p, host); err != nil {
		t.Fatal(err)
	}
	ev.Record(r.s)
	if err := ev.Synchronize(); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(host, 4) // after the event: safe
	if got := r.words(p, 1)[0]; got != 3 {
		t.Errorf("device holds %d, want 3", got)
	}
	if err := r.c.HostFree(host); err != nil {
		t.Error(err)
	}
}

// TestWMMA: the emulated tensor-core product, its loads and stores in both
// layouts, against a product computed here.
func TestWMMA(t *testing.T) {
	r := newRig(t)
	bf := func(x float32) uint16 { return uint16(math.Float32bits(x) >> 16) } // exact for these values
	var a, b [256]uint16
	var c [256]float32
	var want [16][16]float32
	for i := range 16 {
		for j := range 16 {
			a[i*16+j] = bf(float32((i*3+j)%7) - 3)
			b[j*16+i] = bf(float32((i+2*j)%5) - 2) // column-major: element (i, j) at j*16+i
			c[j*16+i] = float32(i - j)
		}
	}
	for i := range 16 {
		for j := range 16 {
			s := 2 * c[j*16+i]
			for k := range 16 {
				s += math.Float32frombits(uint32(a[i*16+k])<<16) * math.Float32frombits(uint32(b[j*16+k])<<16)
			}
			want[i][j] = s
		}
	}
	pa, pb, pc, pd := r.alloc(128), r.alloc(128), r.alloc(256), r.alloc(256)
	put := func(p Ptr, words []uint32) {
		buf := make([]byte, 4*len(words))
		for i, w := range words {
			binary.LittleEndian.PutUint32(buf[4*i:], w)
		}
		if err := r.s.MemcpyHtoD(p, buf); err != nil {
			t.Fatal(err)
		}
	}
	pack := func(h [256]uint16) []uint32 {
		w := make([]uint32, 128)
		for i := range w {
			w[i] = uint32(h[2*i]) | uint32(h[2*i+1])<<16
		}
		return w
	}
	cw := make([]uint32, 256)
	for i, x := range c {
		cw[i] = math.Float32bits(x)
	}
	put(pa, pack(a))
	put(pb, pack(b))
	put(pc, cw)
	if err := r.launch("selftest_wmma", Dim3{1, 1, 1}, Dim3{32, 1, 1}, pd, pa, pb, pc); err != nil {
		t.Fatal(err)
	}
	got := r.words(pd, 256)
	for i := range 16 {
		for j := range 16 {
			if g := math.Float32frombits(got[i*16+j]); g != want[i][j] {
				t.Fatalf("d[%d][%d] = %v, want %v", i, j, g, want[i][j])
			}
		}
	}
}
