#include "textflag.h"

// Packing helpers for the float32 GEMM (see gemm_pack.go). They need AVX
// only. Lengths are not checked here: the Go wrappers in
// gemm_pack_amd64.go check them before calling.

// func packT8AVX(dst []float32, w int, src []float32, ld, n int)
//
// For lane r < 8 and step p < n (n a multiple of 8):
// dst[p*w+r] = src[r*ld+p], one 8x8 transpose in registers per 8 steps.
TEXT ·packT8AVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), R10
	SHLQ $2, R10
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), R11
	SHLQ $2, R11
	MOVQ n+64(FP), CX
	SHRQ $3, CX
	JZ packT8_done
	LEAQ (R11)(R11*2), R13
	LEAQ (SI)(R11*4), R12

packT8_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R11*1), Y1
	VMOVUPS (SI)(R11*2), Y2
	VMOVUPS (SI)(R13*1), Y3
	VMOVUPS (R12), Y4
	VMOVUPS (R12)(R11*1), Y5
	VMOVUPS (R12)(R11*2), Y6
	VMOVUPS (R12)(R13*1), Y7
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15
	VMOVUPS Y8, (DI)
	ADDQ R10, DI
	VMOVUPS Y9, (DI)
	ADDQ R10, DI
	VMOVUPS Y10, (DI)
	ADDQ R10, DI
	VMOVUPS Y11, (DI)
	ADDQ R10, DI
	VMOVUPS Y12, (DI)
	ADDQ R10, DI
	VMOVUPS Y13, (DI)
	ADDQ R10, DI
	VMOVUPS Y14, (DI)
	ADDQ R10, DI
	VMOVUPS Y15, (DI)
	ADDQ R10, DI
	ADDQ $32, SI
	ADDQ $32, R12
	DECQ CX
	JNZ packT8_loop

packT8_done:
	VZEROUPPER
	RET

// func packT4AVX(dst []float32, w int, src []float32, ld, n int)
//
// For lane r < 4 and step p < n (n a multiple of 8):
// dst[p*w+r] = src[r*ld+p].
TEXT ·packT4AVX(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), R10
	SHLQ $2, R10
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), R11
	SHLQ $2, R11
	MOVQ n+64(FP), CX
	SHRQ $3, CX
	JZ packT4_done
	LEAQ (R11)(R11*2), R13
	LEAQ (R10)(R10*2), R9

packT4_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R11*1), Y1
	VMOVUPS (SI)(R11*2), Y2
	VMOVUPS (SI)(R13*1), Y3
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(R10*1)
	VMOVUPS X2, (DI)(R10*2)
	VMOVUPS X3, (DI)(R9*1)
	LEAQ (DI)(R10*4), DI
	VEXTRACTF128 $1, Y0, (DI)
	VEXTRACTF128 $1, Y1, (DI)(R10*1)
	VEXTRACTF128 $1, Y2, (DI)(R10*2)
	VEXTRACTF128 $1, Y3, (DI)(R9*1)
	LEAQ (DI)(R10*4), DI
	ADDQ $32, SI
	DECQ CX
	JNZ packT4_loop

packT4_done:
	VZEROUPPER
	RET

// func packCopyAVX(dst []float32, w int, src []float32, ld, kc, cnt int)
//
// For step p < kc and lane r < cnt (cnt a multiple of 4):
// dst[p*w+r] = src[p*ld+r].
TEXT ·packCopyAVX(SB), NOSPLIT, $0-80
	MOVQ dst_base+0(FP), DI
	MOVQ w+24(FP), R10
	SHLQ $2, R10
	MOVQ src_base+32(FP), SI
	MOVQ ld+56(FP), R11
	SHLQ $2, R11
	MOVQ kc+64(FP), CX
	MOVQ cnt+72(FP), R8
	TESTQ CX, CX
	JZ packCopy_done

packCopy_row:
	XORQ AX, AX
	MOVQ R8, R9
	SHRQ $3, R9
	JZ packCopy_four
packCopy_eight:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	DECQ R9
	JNZ packCopy_eight
packCopy_four:
	TESTQ $4, R8
	JZ packCopy_next
	VMOVUPS (SI)(AX*1), X0
	VMOVUPS X0, (DI)(AX*1)
packCopy_next:
	ADDQ R11, SI
	ADDQ R10, DI
	DECQ CX
	JNZ packCopy_row

packCopy_done:
	VZEROUPPER
	RET
