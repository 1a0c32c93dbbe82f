//go:build plateau_cuda || plateau_cudaemu

package cuda

import (
	"math/rand/v2"
	"testing"

	"github.com/plateau-lab/plateau/internal/golden"
	"github.com/plateau-lab/plateau/kernels"
)

// These tests run the device on a GPU, in a binary built with -tags
// plateau_cuda (scripts/gpu-check.sh on the GPU machine), or on the
// emulated GPU with -tags plateau_cudaemu (CI, any machine). Each compares
// the GPU with the CPU device, the reference every device must reproduce.

// precisions are the GEMM modes every model-level test runs in.
var precisions = []Precision{FP32, TF32, BF16}

// tolerance bounds the error relative to the reference's max-norm
// (golden.RelMaxErr) of what a model computes, per GEMM precision.
//
//   - fp32: the design's golden bounds (loss 1e-5 relative, logits and
//     gradients 1e-4): only the order of float32 sums differs from the CPU.
//   - tf32 keeps 10 mantissa bits of each GEMM operand (unit roundoff 2^-11,
//     4.9e-4) and bf16 7 bits (2^-8, 3.9e-3), both accumulating in float32.
//     Emulated on the CPU device (operands rounded before each GEMM) on the
//     golden cases and randomModels, the largest errors were: tf32 loss
//     7.6e-5, logits 1.3e-3, gradients 2.3e-3; bf16 loss 2.7e-5, logits
//     1.1e-2, gradients 2.4e-2. In bf16 the attention also runs on the
//     tensor cores (attention_tc.cu); on the emulated GPU that raised the
//     largest bf16 errors to loss 9.4e-4 (tiny-mha), logits 9.6e-3,
//     gradients 2.8e-2. The bounds leave a factor of 2 to 3 for the GPU's
//     other summation order.
type tolerance struct{ loss, logits, grads float64 }

func toleranceFor(p Precision) tolerance {
	switch p {
	case TF32:
		return tolerance{loss: 3e-4, logits: 4e-3, grads: 6e-3}
	case BF16:
		return tolerance{loss: 3e-3, logits: 3e-2, grads: 6e-2}
	}
	return tolerance{loss: 1e-5, logits: 1e-4, grads: 1e-4}
}

// openGPU opens GPU 0 for the test and closes it at the end, checking that
// no error is left pending.
func openGPU(t testing.TB, p Precision) *Device {
	t.Helper()
	d, err := New(0, p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return d
}

// pair runs the same kernel calls on the GPU and on the CPU device.
type pair struct {
	t   *testing.T
	gpu *Device
	cpu *kernels.CPU
	rng *rand.Rand
}

// buf is one tensor held on both devices.
type buf struct{ g, c kernels.Buf }

func newPair(t *testing.T, p Precision) *pair {
	t.Helper()
	c := kernels.NewCPU(2)
	t.Cleanup(func() { c.Close() })
	return &pair{t: t, gpu: openGPU(t, p), cpu: c, rng: rand.New(rand.NewPCG(7, 11))}
}

// alloc allocates n elements on both devices.
func (p *pair) alloc(n int, dt kernels.DType) buf {
	p.t.Helper()
	g, err := p.gpu.Alloc(n, dt)
	if err != nil {
		p.t.Fatal(err)
	}
	c, err := p.cpu.Alloc(n, dt)
	if err != nil {
		p.t.Fatal(err)
	}
	return buf{g, c}
}

// floats uploads the same values to both devices.
func (p *pair) floats(v []float32) buf {
	p.t.Helper()
	b := p.alloc(len(v), kernels.F32)
	if err := p.gpu.Upload(b.g, v); err != nil {
		p.t.Fatal(err)
	}
	if err := p.cpu.Upload(b.c, v); err != nil {
		p.t.Fatal(err)
	}
	return b
}

// randn uploads n standard normal values times scale.
func (p *pair) randn(n int, scale float64) buf {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(p.rng.NormFloat64() * scale)
	}
	return p.floats(v)
}

// ints uploads int32 values.
func (p *pair) ints(v []int32) buf {
	p.t.Helper()
	b := p.alloc(len(v), kernels.I32)
	if err := p.gpu.UploadInt32(b.g, v); err != nil {
		p.t.Fatal(err)
	}
	if err := p.cpu.UploadInt32(b.c, v); err != nil {
		p.t.Fatal(err)
	}
	return b
}

// run calls f on each device with a selector that picks the device's half
// of a buf, so one closure states the call for both.
func (p *pair) run(f func(d kernels.Device, b func(buf) kernels.Buf)) {
	f(p.gpu, func(x buf) kernels.Buf { return x.g })
	f(p.cpu, func(x buf) kernels.Buf { return x.c })
}

// get downloads both halves of b after checking the GPU reported no error.
func (p *pair) get(b buf) (gpu, cpu []float32) {
	p.t.Helper()
	if err := p.gpu.Sync(); err != nil {
		p.t.Fatal(err)
	}
	gpu, cpu = make([]float32, b.g.N), make([]float32, b.c.N)
	if err := p.gpu.Download(gpu, b.g); err != nil {
		p.t.Fatal(err)
	}
	if err := p.cpu.Download(cpu, b.c); err != nil {
		p.t.Fatal(err)
	}
	return gpu, cpu
}

// near requires the GPU's b within tol of the CPU's, relative to the CPU's
// max-norm.
func (p *pair) near(name string, b buf, tol float64) {
	p.t.Helper()
	p.nearFloor(name, b, tol, 0)
}

// nearFloor is near with the max-norm taken as at least floor
// (golden.RelMaxErrFloor), for outputs that can vanish exactly.
func (p *pair) nearFloor(name string, b buf, tol, floor float64) {
	p.t.Helper()
	g, c := p.get(b)
	if e := golden.RelMaxErrFloor(g, c, floor); e > tol {
		p.t.Errorf("%s: GPU differs from CPU by %.3g of the max-norm (tolerance %.1g, norm floor %g)", name, e, tol, floor)
	}
}

// same requires the GPU's b equal to the CPU's bit for bit.
func (p *pair) same(name string, b buf) {
	p.t.Helper()
	g, c := p.get(b)
	for i := range g {
		if g[i] != c[i] {
			p.t.Errorf("%s[%d]: GPU %v, CPU %v (want identical)", name, i, g[i], c[i])
			return
		}
	}
}
