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
