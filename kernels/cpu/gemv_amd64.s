//go:build amd64

#include "textflag.h"

// func sdot4AVX2(k int, a, b []float32, ldb int, out *[4]float32)
//
// Four dot products of a against rows 0..3 of b (ldb elements apart), k a
// multiple of 8. Each row keeps two YMM accumulators (even and odd blocks of
// eight), so the FMAs of one row do not wait on each other; the loop takes
// 16 elements per row per pass. The eight lanes of each row are then added
// with two horizontal adds and one 128-bit add.
TEXT ·sdot4AVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), R8
	MOVQ ldb+56(FP), DX
	MOVQ out+64(FP), DI
	SHLQ $2, DX
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	LEAQ (R10)(DX*1), R11

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	XORQ AX, AX

	MOVQ CX, BX
	SHRQ $4, BX
	JZ sdot4AVX2_tail

sdot4AVX2_loop:
	VMOVUPS (SI)(AX*1), Y8
	VMOVUPS 32(SI)(AX*1), Y9
	VFMADD231PS (R8)(AX*1), Y8, Y0
	VFMADD231PS 32(R8)(AX*1), Y9, Y1
	VFMADD231PS (R9)(AX*1), Y8, Y2
	VFMADD231PS 32(R9)(AX*1), Y9, Y3
	VFMADD231PS (R10)(AX*1), Y8, Y4
	VFMADD231PS 32(R10)(AX*1), Y9, Y5
	VFMADD231PS (R11)(AX*1), Y8, Y6
	VFMADD231PS 32(R11)(AX*1), Y9, Y7
	ADDQ $64, AX
	DECQ BX
	JNZ sdot4AVX2_loop

sdot4AVX2_tail:
	TESTQ $8, CX
	JZ sdot4AVX2_reduce
	VMOVUPS (SI)(AX*1), Y8
	VFMADD231PS (R8)(AX*1), Y8, Y0
	VFMADD231PS (R9)(AX*1), Y8, Y2
	VFMADD231PS (R10)(AX*1), Y8, Y4
	VFMADD231PS (R11)(AX*1), Y8, Y6

sdot4AVX2_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	VADDPS Y7, Y6, Y6
	VHADDPS Y2, Y0, Y0
	VHADDPS Y6, Y4, Y4
	VHADDPS Y4, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VMOVUPS X0, (DI)
	VZEROUPPER
	RET

// func sgemv1AVX2(k int, a, b, c []float32)
//
// c[i] = a·b[i*k : (i+1)*k] for i < len(c), k a positive multiple of 8:
// one row of b at a time, read front to back, so the whole matrix is one
// sequential stream. Each row keeps four YMM accumulators (32 elements a
// pass), then a pass of 8 for the rest, added together and reduced.
TEXT ·sgemv1AVX2(SB), NOSPLIT, $0-80
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), R8
	MOVQ c_base+56(FP), DI
	MOVQ c_len+64(FP), R9
	TESTQ R9, R9
	JZ sgemv1_done
	MOVQ CX, R10
	SHRQ $5, R10       // passes of 32
	MOVQ CX, R11
	ANDQ $24, R11
	SHRQ $3, R11       // then passes of 8

sgemv1_row:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	XORQ AX, AX
	MOVQ R10, BX
	TESTQ BX, BX
	JZ sgemv1_tail

sgemv1_loop32:
	VMOVUPS (SI)(AX*1), Y4
	VMOVUPS 32(SI)(AX*1), Y5
	VMOVUPS 64(SI)(AX*1), Y6
	VMOVUPS 96(SI)(AX*1), Y7
	VFMADD231PS (R8)(AX*1), Y4, Y0
	VFMADD231PS 32(R8)(AX*1), Y5, Y1
	VFMADD231PS 64(R8)(AX*1), Y6, Y2
	VFMADD231PS 96(R8)(AX*1), Y7, Y3
	ADDQ $128, AX
	DECQ BX
	JNZ sgemv1_loop32

sgemv1_tail:
	MOVQ R11, BX
	TESTQ BX, BX
	JZ sgemv1_reduce

sgemv1_loop8:
	VMOVUPS (SI)(AX*1), Y4
	VFMADD231PS (R8)(AX*1), Y4, Y0
	ADDQ $32, AX
	DECQ BX
	JNZ sgemv1_loop8

sgemv1_reduce:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, (DI)
	ADDQ $4, DI
	LEAQ (R8)(CX*4), R8
	DECQ R9
	JNZ sgemv1_row

sgemv1_done:
	VZEROUPPER
	RET

// func saxpy4AVX2(k int, out, v []float32, ldv int, w *[4]float32)
//
// out[j] += w[0]*v[j] + w[1]*v[ldv+j] + w[2]*v[2*ldv+j] + w[3]*v[3*ldv+j]
// for j < k, k a positive multiple of 8, the four products added in that
// order to out[j].
TEXT ·saxpy4AVX2(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), CX
	MOVQ out_base+8(FP), DI
	MOVQ v_base+32(FP), R8
	MOVQ ldv+56(FP), DX
	MOVQ w+64(FP), SI
	SHLQ $2, DX
	LEAQ (R8)(DX*1), R9
	LEAQ (R9)(DX*1), R10
	LEAQ (R10)(DX*1), R11
	VBROADCASTSS 0(SI), Y4
	VBROADCASTSS 4(SI), Y5
	VBROADCASTSS 8(SI), Y6
	VBROADCASTSS 12(SI), Y7
	XORQ AX, AX
	SHRQ $3, CX

saxpy4_loop:
	VMOVUPS (DI)(AX*1), Y0
	VFMADD231PS (R8)(AX*1), Y4, Y0
	VFMADD231PS (R9)(AX*1), Y5, Y0
	VFMADD231PS (R10)(AX*1), Y6, Y0
	VFMADD231PS (R11)(AX*1), Y7, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	DECQ CX
	JNZ saxpy4_loop
	VZEROUPPER
	RET
