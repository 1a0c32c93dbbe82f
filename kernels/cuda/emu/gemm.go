//go:build plateau_cudaemu

package emu

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/plateau-lab/plateau/kernels/cpu"
)

// DataType is the element type of a GEMM operand (cudaDataType_t).
type DataType int

// The operand types plateau uses.
const (
	R32F  DataType = iota // CUDA_R_32F
	R16BF                 // CUDA_R_16BF
)

func (t DataType) size() int64 {
	if t == R16BF {
		return 2
	}
	return 4
}

// ComputeType is how a GEMM multiplies (cublasComputeType_t).
type ComputeType int

// The compute types plateau uses.
const (
	Compute32F         ComputeType = iota // CUBLAS_COMPUTE_32F: float32 throughout
	Compute32FFastTF32                    // CUBLAS_COMPUTE_32F_FAST_TF32: float32 operands rounded to TF32
)

// Gemm is a cublasGemmEx call: column-major C (m x n, leading dimension
// LDC, float32) = Alpha*op(A)*op(B) + Beta*C, op(A) m x k, op(B) k x n,
// op(X) = X^T when Trans is set. A and B are stored column-major with
// leading dimensions LDA and LDB.
type Gemm struct {
	TransA, TransB bool
	M, N, K        int
	Alpha          float32
	A              Ptr
	AType          DataType
	LDA            int
	B              Ptr
	BType          DataType
	LDB            int
	Beta           float32
	C              Ptr
	LDC            int
	Compute        ComputeType
}

// shape returns the stored rows and columns of A and B.
func (g *Gemm) shape() (ra, ca, rb, cb int) {
	ra, ca, rb, cb = g.M, g.K, g.K, g.N
	if g.TransA {
		ra, ca = ca, ra
	}
	if g.TransB {
		rb, cb = cb, rb
	}
	return
}

// span is the bytes a column-major operand of rows x cols with leading
// dimension ld reaches.
func span(rows, cols, ld int, size int64) int64 {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (int64(ld)*int64(cols-1) + int64(rows)) * size
}

// GemmEx queues the GEMM. Arguments cuBLAS would refuse
// (CUBLAS_STATUS_INVALID_VALUE, _NOT_SUPPORTED) are returned at once, as
// is an operand that does not lie in one device allocation (the GPU would
// fault) or a C that overlaps A or B (cuBLAS's result would be undefined).
//
// The product is computed by plateau's CPU GEMM in float32 with float32
// accumulation, after widening bfloat16 operands and, for
// Compute32FFastTF32, rounding float32 operands to TF32 (10 mantissa bits,
// round half away from zero, as the tensor cores' fast conversion).
func (s *Stream) GemmEx(g Gemm) error {
	if err := s.c.poisoned(); err != nil {
		return err
	}
	ra, ca, rb, cb := g.shape()
	bad := func(why string) error {
		return fmt.Errorf("emulated cublasGemmEx (m %d, n %d, k %d, transA %v, transB %v): %s", g.M, g.N, g.K, g.TransA, g.TransB, why)
	}
	switch {
	case g.M < 0 || g.N < 0 || g.K < 0:
		return bad("negative size (CUBLAS_STATUS_INVALID_VALUE)")
	case g.LDA < max(1, ra) || g.LDB < max(1, rb) || g.LDC < max(1, g.M):
		return bad(fmt.Sprintf("leading dimensions %d, %d, %d too small (CUBLAS_STATUS_INVALID_VALUE)", g.LDA, g.LDB, g.LDC))
	case g.AType != g.BType:
		return bad("A and B of different types (CUBLAS_STATUS_NOT_SUPPORTED)")
	case g.AType == R16BF && g.Compute != Compute32F:
		return bad("bfloat16 operands need CUBLAS_COMPUTE_32F (CUBLAS_STATUS_NOT_SUPPORTED)")
	}
	if g.M == 0 || g.N == 0 {
		return nil
	}
	es := g.AType.size()
	sa, sb, sc := span(ra, ca, g.LDA, es), span(rb, cb, g.LDB, es), span(g.M, g.N, g.LDC, 4)
	for _, o := range []struct {
		name string
		p    Ptr
		n    int64
		size int64
	}{{"A", g.A, sa, es}, {"B", g.B, sb, es}, {"C", g.C, sc, 4}} {
		if o.n > 0 && (uintptr(o.p)%uintptr(o.size) != 0 || s.c.find(o.p, o.n) == nil) {
			return bad(fmt.Sprintf("%s (%d bytes at %#x) is not aligned inside one device allocation", o.name, o.n, uintptr(o.p)))
		}
	}
	if overlaps(g.C, sc, g.A, sa) || overlaps(g.C, sc, g.B, sb) {
		return bad("C overlaps A or B")
	}
	s.push(op{kind: opGemm, gemm: g})
	return nil
}

func overlaps(p Ptr, n int64, q Ptr, m int64) bool {
	return n > 0 && m > 0 && p < q+Ptr(m) && q < p+Ptr(n)
}

// gemmScratch holds the operands of a GEMM in float32, densely packed.
type gemmScratch struct{ a, b, c []float32 }

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// runGemm computes a queued GEMM. A column-major r x c matrix is the
// row-major c x r matrix of its transpose, so the column-major
// C = op(A) op(B) is the row-major C^T = op(B)^T op(A)^T: the CPU GEMM gets
// B first.
func (c *Context) runGemm(g *Gemm) error {
	ra, ca, rb, cb := g.shape()
	sc := &c.gemm
	var err error
	if sc.a, err = c.operand(sc.a, g.A, ra, ca, g.LDA, g.AType, g.Compute); err != nil {
		return err
	}
	if sc.b, err = c.operand(sc.b, g.B, rb, cb, g.LDB, g.BType, g.Compute); err != nil {
		return err
	}
	cb8, err := c.bytes(g.C, span(g.M, g.N, g.LDC, 4), "cublasGemmEx C")
	if err != nil {
		return err
	}
	cm := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(cb8))), len(cb8)/4)
	out := cm
	if g.LDC != g.M {
		sc.c = grow(sc.c, g.M*g.N)
		out = sc.c
		for j := range g.N {
			copy(out[j*g.M:(j+1)*g.M], cm[j*g.LDC:j*g.LDC+g.M])
		}
	}
	cpu.Gemm(c.pool, g.TransB, g.TransA, g.N, g.M, g.K, g.Alpha, sc.b, sc.a, g.Beta, out)
	if g.LDC != g.M {
		for j := range g.N {
			copy(cm[j*g.LDC:j*g.LDC+g.M], out[j*g.M:(j+1)*g.M])
		}
	}
	return nil
}

// operand reads a column-major rows x cols operand with leading dimension
// ld into dst, densely packed (leading dimension rows), in float32.
func (c *Context) operand(dst []float32, p Ptr, rows, cols, ld int, t DataType, compute ComputeType) ([]float32, error) {
	dst = grow(dst, rows*cols)
	if rows == 0 || cols == 0 {
		return dst, nil
	}
	raw, err := c.bytes(p, span(rows, cols, ld, t.size()), "cublasGemmEx operand")
	if err != nil {
		return nil, err
	}
	switch t {
	case R32F:
		src := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/4)
		for j := range cols {
			col := src[j*ld : j*ld+rows]
			out := dst[j*rows : (j+1)*rows]
			for i, u := range col {
				if compute == Compute32FFastTF32 {
					u = toTF32(u)
				}
				out[i] = math.Float32frombits(u)
			}
		}
	case R16BF:
		src := unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/2)
		for j := range cols {
			col := src[j*ld : j*ld+rows]
			out := dst[j*rows : (j+1)*rows]
			for i, h := range col {
				out[i] = math.Float32frombits(uint32(h) << 16)
			}
		}
	}
	return dst, nil
}

// toTF32 rounds float32 bits to TF32 (10 explicit mantissa bits), half
// away from zero; infinities and NaN are kept.
func toTF32(u uint32) uint32 {
	if u&0x7f800000 == 0x7f800000 {
		return u
	}
	return (u + 0x1000) &^ 0x1fff
}
