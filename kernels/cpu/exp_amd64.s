//go:build amd64

#include "textflag.h"

// The vector e^x of this file evaluates, lane by lane,
//
//	x = k*ln2 + r,  k = round(x*log2(e)),  |r| <= ln2/2 (plus rounding)
//	e^x = 2^k * p(r)
//
// where p is the degree-7 Taylor polynomial of e^r, whose truncation error is
// below 8e-9 relative (a sixteenth of a float32 ulp), and 2^k is applied by
// adding k to p's exponent field. k*ln2 is subtracted with two FMAs, against
// ln2 split into a float32 head and tail, so r is accurate to the last bit.
// Before the reduction x is clamped into [expLo, expHi], where 2^k*p(r) is a
// normal float32 and the exponent add cannot wrap; afterwards lanes below
// expLo are set to 0, lanes above expHi to +Inf and NaN lanes to NaN.

// EXP8 sets R = e^X for the eight float32 lanes of X, leaving X unchanged and
// clobbering T1 and T2. In order: clamp; T1 = x*log2(e) + 1.5*2^23, whose low
// mantissa bits hold k, and T2 = k as a float; r = x - k*ln2 (two FMAs);
// Horner's rule for p(r); the exponent add; then the edges: compare
// predicate 0x11 (LT_OQ) marks x < expLo, whose lanes are cleared, and 0x16
// (NLE_UQ) marks x > expHi or NaN, whose lanes get x + Inf (+Inf or NaN).
#define EXP8(X, R, T1, T2) \
	VMAXPS      expLo<>(SB), X, R; \
	VMINPS      expHi<>(SB), R, R; \
	VMOVUPS     expMagic<>(SB), T1; \
	VFMADD231PS expLog2e<>(SB), R, T1; \
	VSUBPS      expMagic<>(SB), T1, T2; \
	VFMADD231PS expNegLn2Hi<>(SB), T2, R; \
	VFMADD231PS expNegLn2Lo<>(SB), T2, R; \
	VMOVUPS     expC7<>(SB), T2; \
	VFMADD213PS expC6<>(SB), R, T2; \
	VFMADD213PS expC5<>(SB), R, T2; \
	VFMADD213PS expC4<>(SB), R, T2; \
	VFMADD213PS expC3<>(SB), R, T2; \
	VFMADD213PS expC2<>(SB), R, T2; \
	VFMADD213PS expOne<>(SB), R, T2; \
	VFMADD213PS expOne<>(SB), R, T2; \
	VPSLLD      $23, T1, T1; \
	VPADDD      T1, T2, R; \
	VCMPPS      $0x11, expLo<>(SB), X, T1; \
	VANDNPS     R, T1, R; \
	VCMPPS      $0x16, expHi<>(SB), X, T1; \
	VADDPS      expInf<>(SB), X, T2; \
	VBLENDVPS   T1, T2, R, R

// SUM8 adds the eight float32 lanes of R (whose low half is RX), widened to
// float64, to the accumulators Y12 (lanes 0-3) and Y13 (lanes 4-7),
// clobbering Y8 and Y9.
#define SUM8(R, RX) \
	VCVTPS2PD    RX, Y8; \
	VEXTRACTF128 $1, R, X9; \
	VCVTPS2PD    X9, Y9; \
	VADDPD       Y8, Y12, Y12; \
	VADDPD       Y9, Y13, Y13

// STORE7 stores the first CX (1 to 7) lanes of R, whose low half is RX, to
// (DI) in pieces of 4, 2 and 1, clobbering R and DI and jumping to L2, L1
// and DONE on its way (labels that the caller defines). A masked store
// (VMASKMOVPS, or an AVX-512 store under a mask) would do it in one
// instruction, but measured several times slower on AMD Zen for short rows;
// masked loads showed no such cost and are used for the tails.
#define STORE7(R, RX, L2, L1, DONE) \
	TESTQ        $4, CX; \
	JEQ          L2; \
	VMOVUPS      RX, (DI); \
	VEXTRACTF128 $1, R, RX; \
	ADDQ         $16, DI; \
L2:; \
	TESTQ        $2, CX; \
	JEQ          L1; \
	VMOVLPS      RX, (DI); \
	VPSRLDQ      $8, RX, RX; \
	ADDQ         $8, DI; \
L1:; \
	TESTQ        $1, CX; \
	JEQ          DONE; \
	VMOVSS       RX, (DI)

// STORE15 is STORE7 for the first CX (1 to 15) lanes of the ZMM register R,
// whose low halves are RY and RX.
#define STORE15(R, RY, RX, L4, L2, L1, DONE) \
	TESTQ         $8, CX; \
	JEQ           L4; \
	VMOVUPS       RY, (DI); \
	VEXTRACTF64X4 $1, R, RY; \
	ADDQ          $32, DI; \
L4:; \
	STORE7(RY, RX, L2, L1, DONE)

// TAILMASK8 sets Y10 to a mask enabling the first CX (1 to 7) lanes,
// clobbering AX and BX.
#define TAILMASK8 \
	LEAQ    expTailMask<>+32(SB), AX; \
	LEAQ    (CX*4), BX; \
	SUBQ    BX, AX; \
	VMOVDQU (AX), Y10

// func expSubMulAVX2(dst, src []float32, sub, mul float32) float64
TEXT ·expSubMulAVX2(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS sub+48(FP), Y14
	VBROADCASTSS mul+52(FP), Y15
	VXORPD       Y12, Y12, Y12
	VXORPD       Y13, Y13, Y13
	CMPQ         CX, $16
	JLT          esm8

esm16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y4
	VSUBPS  Y14, Y0, Y0
	VSUBPS  Y14, Y4, Y4
	EXP8(Y0, Y1, Y2, Y3)
	EXP8(Y4, Y5, Y6, Y7)
	VMULPS  Y15, Y1, Y1
	VMULPS  Y15, Y5, Y5
	VMOVUPS Y1, (DI)
	VMOVUPS Y5, 32(DI)
	SUM8(Y1, X1)
	SUM8(Y5, X5)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     esm16

esm8:
	CMPQ    CX, $8
	JLT     esmTail
	VMOVUPS (SI), Y0
	VSUBPS  Y14, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VMULPS  Y15, Y1, Y1
	VMOVUPS Y1, (DI)
	SUM8(Y1, X1)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX

esmTail:
	TESTQ      CX, CX
	JEQ        esmDone
	TAILMASK8
	VMASKMOVPS (SI), Y10, Y0
	VSUBPS     Y14, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VMULPS     Y15, Y1, Y1
	VANDPS     Y10, Y1, Y1
	SUM8(Y1, X1)
	STORE7(Y1, X1, esmSt2, esmSt1, esmDone)

esmDone:
	VADDPD       Y13, Y12, Y12
	VEXTRACTF128 $1, Y12, X13
	VADDPD       X13, X12, X12
	VUNPCKHPD    X12, X12, X13
	VADDSD       X13, X12, X12
	VMOVSD       X12, ret+56(FP)
	VZEROUPPER
	RET

// SIGMOID8 sets R = 1/(1+e^-X) for the eight lanes of X, clobbering X, T1
// and T2.
#define SIGMOID8(X, R, T1, T2) \
	VXORPS  expSign<>(SB), X, X; \
	EXP8(X, R, T1, T2); \
	VADDPS  expOne<>(SB), R, R; \
	VMOVUPS expOne<>(SB), T1; \
	VDIVPS  R, T1, R

// SWIGLUFWD8 sets R = G*sigmoid(G)*U for the eight lanes of G, clobbering G
// and T1 to T3.
#define SWIGLUFWD8(G, U, R, T1, T2, T3) \
	VMOVAPS G, T3; \
	SIGMOID8(G, R, T1, T2); \
	VMULPS  R, T3, R; \
	VMULPS  U, R, R

// func swigluFwdAVX2(out, gate, up []float32)
TEXT ·swigluFwdAVX2(SB), NOSPLIT, $0-72
	MOVQ out_base+0(FP), DI
	MOVQ gate_base+24(FP), SI
	MOVQ gate_len+32(FP), CX
	MOVQ up_base+48(FP), DX
	CMPQ CX, $8
	JLT  sfTail

sf8:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y5
	SWIGLUFWD8(Y0, Y5, Y1, Y2, Y3, Y4)
	VMOVUPS Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	CMPQ    CX, $8
	JGE     sf8

sfTail:
	TESTQ      CX, CX
	JEQ        sfDone
	TAILMASK8
	VMASKMOVPS (SI), Y10, Y0
	VMASKMOVPS (DX), Y10, Y5
	SWIGLUFWD8(Y0, Y5, Y1, Y2, Y3, Y4)
	STORE7(Y1, X1, sfSt2, sfSt1, sfDone)

sfDone:
	VZEROUPPER
	RET

// SWIGLUBWD8 sets DG = D*U * s*(1+G*(1-s)) and DU = D*(G*s) for the eight
// lanes of G, with s = sigmoid(G), clobbering G, D and T1 to T3.
#define SWIGLUBWD8(G, U, D, DG, DU, T1, T2, T3) \
	VMOVAPS     G, T3; \
	SIGMOID8(G, DG, T1, T2); \
	VMULPS      DG, T3, DU; \
	VMULPS      DU, D, DU; \
	VMOVUPS     expOne<>(SB), T1; \
	VSUBPS      DG, T1, T1; \
	VFMADD213PS expOne<>(SB), T3, T1; \
	VMULPS      T1, DG, T1; \
	VMULPS      U, D, D; \
	VMULPS      T1, D, DG

// func swigluBwdAVX2(dgate, dup, gate, up, dout []float32)
TEXT ·swigluBwdAVX2(SB), NOSPLIT, $0-120
	MOVQ dgate_base+0(FP), DI
	MOVQ dup_base+24(FP), R8
	MOVQ gate_base+48(FP), SI
	MOVQ gate_len+56(FP), CX
	MOVQ up_base+72(FP), DX
	MOVQ dout_base+96(FP), R9
	CMPQ CX, $8
	JLT  sbTail

sb8:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y5
	VMOVUPS (R9), Y6
	SWIGLUBWD8(Y0, Y5, Y6, Y1, Y7, Y2, Y3, Y4)
	VMOVUPS Y1, (DI)
	VMOVUPS Y7, (R8)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R9
	ADDQ    $32, DI
	ADDQ    $32, R8
	SUBQ    $8, CX
	CMPQ    CX, $8
	JGE     sb8

sbTail:
	TESTQ      CX, CX
	JEQ        sbDone
	TAILMASK8
	VMASKMOVPS (SI), Y10, Y0
	VMASKMOVPS (DX), Y10, Y5
	VMASKMOVPS (R9), Y10, Y6
	SWIGLUBWD8(Y0, Y5, Y6, Y1, Y7, Y2, Y3, Y4)
	STORE7(Y1, X1, sbSt2, sbSt1, sbDG)

sbDG:
	MOVQ R8, DI
	STORE7(Y7, X7, sbSt2b, sbSt1b, sbDone)

sbDone:
	VZEROUPPER
	RET

// func softmaxGradAVX2(dp, p []float32, d float32)
TEXT ·softmaxGradAVX2(SB), NOSPLIT, $0-52
	MOVQ         dp_base+0(FP), DI
	MOVQ         dp_len+8(FP), CX
	MOVQ         p_base+24(FP), SI
	VBROADCASTSS d+48(FP), Y15
	CMPQ         CX, $8
	JLT          sgTail

sg8:
	VMOVUPS (DI), Y0
	VSUBPS  Y15, Y0, Y0
	VMULPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	CMPQ    CX, $8
	JGE     sg8

sgTail:
	TESTQ      CX, CX
	JEQ        sgDone
	TAILMASK8
	VMASKMOVPS (DI), Y10, Y0
	VMASKMOVPS (SI), Y10, Y1
	VSUBPS     Y15, Y0, Y0
	VMULPS     Y1, Y0, Y0
	STORE7(Y0, X0, sgSt2, sgSt1, sgDone)

sgDone:
	VZEROUPPER
	RET

// func maxAVX2(x []float32) float32
// len(x) must be a positive multiple of 8.
TEXT ·maxAVX2(SB), NOSPLIT, $0-28
	MOVQ    x_base+0(FP), SI
	MOVQ    x_len+8(FP), CX
	VMOVUPS (SI), Y0
	ADDQ    $32, SI
	SUBQ    $8, CX

max8:
	TESTQ  CX, CX
	JEQ    maxDone
	VMAXPS (SI), Y0, Y0
	ADDQ   $32, SI
	SUBQ   $8, CX
	JMP    max8

maxDone:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VMOVHLPS     X0, X0, X1
	VMAXPS       X1, X0, X0
	VMOVSHDUP    X0, X1
	VMAXSS       X1, X0, X0
	VMOVSS       X0, ret+24(FP)
	VZEROUPPER
	RET

// EXP16 is EXP8 for the sixteen lanes of a ZMM register, with the constants
// broadcast from memory and the edge lanes fixed up under masks K1 and K2.
// It computes the same value as EXP8 in every lane, bit for bit.
#define EXP16(X, R, T1, T2) \
	VMAXPS.BCST      expLo<>(SB), X, R; \
	VMINPS.BCST      expHi<>(SB), R, R; \
	VBROADCASTSS     expMagic<>(SB), T1; \
	VFMADD231PS.BCST expLog2e<>(SB), R, T1; \
	VSUBPS.BCST      expMagic<>(SB), T1, T2; \
	VFMADD231PS.BCST expNegLn2Hi<>(SB), T2, R; \
	VFMADD231PS.BCST expNegLn2Lo<>(SB), T2, R; \
	VBROADCASTSS     expC7<>(SB), T2; \
	VFMADD213PS.BCST expC6<>(SB), R, T2; \
	VFMADD213PS.BCST expC5<>(SB), R, T2; \
	VFMADD213PS.BCST expC4<>(SB), R, T2; \
	VFMADD213PS.BCST expC3<>(SB), R, T2; \
	VFMADD213PS.BCST expC2<>(SB), R, T2; \
	VFMADD213PS.BCST expOne<>(SB), R, T2; \
	VFMADD213PS.BCST expOne<>(SB), R, T2; \
	VPSLLD           $23, T1, T1; \
	VPADDD           T1, T2, R; \
	VCMPPS.BCST      $0x11, expLo<>(SB), X, K1; \
	VXORPS           R, R, K1, R; \
	VCMPPS.BCST      $0x16, expHi<>(SB), X, K2; \
	VADDPS.BCST      expInf<>(SB), X, K2, R

// SUM16 adds the sixteen float32 lanes of R (whose low half is RY), widened
// to float64, to the accumulators Z12 (lanes 0-7) and Z13 (lanes 8-15),
// clobbering Z8 and Z9.
#define SUM16(R, RY) \
	VCVTPS2PD     RY, Z8; \
	VEXTRACTF64X4 $1, R, Y9; \
	VCVTPS2PD     Y9, Z9; \
	VADDPD        Z8, Z12, Z12; \
	VADDPD        Z9, Z13, Z13

// TAILMASK16 sets K3 to a mask enabling the first CX (1 to 15) lanes,
// clobbering AX.
#define TAILMASK16 \
	MOVL  $1, AX; \
	SHLL  CX, AX; \
	DECL  AX; \
	KMOVW AX, K3

// func expSubMulAVX512(dst, src []float32, sub, mul float32) float64
TEXT ·expSubMulAVX512(SB), NOSPLIT, $0-64
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS sub+48(FP), Z14
	VBROADCASTSS mul+52(FP), Z15
	VPXORQ       Z12, Z12, Z12
	VPXORQ       Z13, Z13, Z13
	CMPQ         CX, $32
	JLT          esz16

esz32:
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z4
	VSUBPS  Z14, Z0, Z0
	VSUBPS  Z14, Z4, Z4
	EXP16(Z0, Z1, Z2, Z3)
	EXP16(Z4, Z5, Z6, Z7)
	VMULPS  Z15, Z1, Z1
	VMULPS  Z15, Z5, Z5
	VMOVUPS Z1, (DI)
	VMOVUPS Z5, 64(DI)
	SUM16(Z1, Y1)
	SUM16(Z5, Y5)
	ADDQ    $128, SI
	ADDQ    $128, DI
	SUBQ    $32, CX
	CMPQ    CX, $32
	JGE     esz32

esz16:
	CMPQ    CX, $16
	JLT     eszTail
	VMOVUPS (SI), Z0
	VSUBPS  Z14, Z0, Z0
	EXP16(Z0, Z1, Z2, Z3)
	VMULPS  Z15, Z1, Z1
	VMOVUPS Z1, (DI)
	SUM16(Z1, Y1)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX

eszTail:
	TESTQ     CX, CX
	JEQ       eszDone
	TAILMASK16
	VMOVUPS.Z (SI), K3, Z0
	VSUBPS    Z14, Z0, Z0
	EXP16(Z0, Z1, Z2, Z3)
	VMULPS.Z  Z15, Z1, K3, Z1
	SUM16(Z1, Y1)
	STORE15(Z1, Y1, X1, eszSt4, eszSt2, eszSt1, eszDone)

eszDone:
	VADDPD        Z13, Z12, Z12
	VEXTRACTF64X4 $1, Z12, Y13
	VADDPD        Y13, Y12, Y12
	VEXTRACTF128  $1, Y12, X13
	VADDPD        X13, X12, X12
	VUNPCKHPD     X12, X12, X13
	VADDSD        X13, X12, X12
	VMOVSD        X12, ret+56(FP)
	VZEROUPPER
	RET

// SIGMOID16 is SIGMOID8 for the sixteen lanes of a ZMM register.
#define SIGMOID16(X, R, T1, T2) \
	VXORPS.BCST  expSign<>(SB), X, X; \
	EXP16(X, R, T1, T2); \
	VADDPS.BCST  expOne<>(SB), R, R; \
	VBROADCASTSS expOne<>(SB), T1; \
	VDIVPS       R, T1, R

// SWIGLUFWD16 is SWIGLUFWD8 for sixteen lanes.
#define SWIGLUFWD16(G, U, R, T1, T2, T3) \
	VMOVAPS G, T3; \
	SIGMOID16(G, R, T1, T2); \
	VMULPS  R, T3, R; \
	VMULPS  U, R, R

// func swigluFwdAVX512(out, gate, up []float32)
TEXT ·swigluFwdAVX512(SB), NOSPLIT, $0-72
	MOVQ out_base+0(FP), DI
	MOVQ gate_base+24(FP), SI
	MOVQ gate_len+32(FP), CX
	MOVQ up_base+48(FP), DX
	CMPQ CX, $16
	JLT  sfzTail

sfz16:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z5
	SWIGLUFWD16(Z0, Z5, Z1, Z2, Z3, Z4)
	VMOVUPS Z1, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     sfz16

sfzTail:
	TESTQ     CX, CX
	JEQ       sfzDone
	TAILMASK16
	VMOVUPS.Z (SI), K3, Z0
	VMOVUPS.Z (DX), K3, Z5
	SWIGLUFWD16(Z0, Z5, Z1, Z2, Z3, Z4)
	STORE15(Z1, Y1, X1, sfzSt4, sfzSt2, sfzSt1, sfzDone)

sfzDone:
	VZEROUPPER
	RET

// SWIGLUBWD16 is SWIGLUBWD8 for sixteen lanes.
#define SWIGLUBWD16(G, U, D, DG, DU, T1, T2, T3) \
	VMOVAPS          G, T3; \
	SIGMOID16(G, DG, T1, T2); \
	VMULPS           DG, T3, DU; \
	VMULPS           DU, D, DU; \
	VBROADCASTSS     expOne<>(SB), T1; \
	VSUBPS           DG, T1, T1; \
	VFMADD213PS.BCST expOne<>(SB), T3, T1; \
	VMULPS           T1, DG, T1; \
	VMULPS           U, D, D; \
	VMULPS           T1, D, DG

// func swigluBwdAVX512(dgate, dup, gate, up, dout []float32)
TEXT ·swigluBwdAVX512(SB), NOSPLIT, $0-120
	MOVQ dgate_base+0(FP), DI
	MOVQ dup_base+24(FP), R8
	MOVQ gate_base+48(FP), SI
	MOVQ gate_len+56(FP), CX
	MOVQ up_base+72(FP), DX
	MOVQ dout_base+96(FP), R9
	CMPQ CX, $16
	JLT  sbzTail

sbz16:
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z5
	VMOVUPS (R9), Z6
	SWIGLUBWD16(Z0, Z5, Z6, Z1, Z7, Z2, Z3, Z4)
	VMOVUPS Z1, (DI)
	VMOVUPS Z7, (R8)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R9
	ADDQ    $64, DI
	ADDQ    $64, R8
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     sbz16

sbzTail:
	TESTQ     CX, CX
	JEQ       sbzDone
	TAILMASK16
	VMOVUPS.Z (SI), K3, Z0
	VMOVUPS.Z (DX), K3, Z5
	VMOVUPS.Z (R9), K3, Z6
	SWIGLUBWD16(Z0, Z5, Z6, Z1, Z7, Z2, Z3, Z4)
	STORE15(Z1, Y1, X1, sbzSt4, sbzSt2, sbzSt1, sbzDG)

sbzDG:
	MOVQ R8, DI
	STORE15(Z7, Y7, X7, sbzSt4b, sbzSt2b, sbzSt1b, sbzDone)

sbzDone:
	VZEROUPPER
	RET

// func softmaxGradAVX512(dp, p []float32, d float32)
TEXT ·softmaxGradAVX512(SB), NOSPLIT, $0-52
	MOVQ         dp_base+0(FP), DI
	MOVQ         dp_len+8(FP), CX
	MOVQ         p_base+24(FP), SI
	VBROADCASTSS d+48(FP), Z15
	CMPQ         CX, $16
	JLT          sgzTail

sgz16:
	VMOVUPS (DI), Z0
	VSUBPS  Z15, Z0, Z0
	VMULPS  (SI), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $16, CX
	CMPQ    CX, $16
	JGE     sgz16

sgzTail:
	TESTQ     CX, CX
	JEQ       sgzDone
	TAILMASK16
	VMOVUPS.Z (DI), K3, Z0
	VMOVUPS.Z (SI), K3, Z1
	VSUBPS    Z15, Z0, Z0
	VMULPS    Z1, Z0, Z0
	STORE15(Z0, Y0, X0, sgzSt4, sgzSt2, sgzSt1, sgzDone)

sgzDone:
	VZEROUPPER
	RET

// expLog2e: log2(e).
DATA expLog2e<>+0(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+4(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+8(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+12(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+16(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+20(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+24(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32

// expMagic: 1.5*2^23: adding then subtracting it rounds to an integer.
DATA expMagic<>+0(SB)/4, $0x4b400000
DATA expMagic<>+4(SB)/4, $0x4b400000
DATA expMagic<>+8(SB)/4, $0x4b400000
DATA expMagic<>+12(SB)/4, $0x4b400000
DATA expMagic<>+16(SB)/4, $0x4b400000
DATA expMagic<>+20(SB)/4, $0x4b400000
DATA expMagic<>+24(SB)/4, $0x4b400000
DATA expMagic<>+28(SB)/4, $0x4b400000
GLOBL expMagic<>(SB), RODATA|NOPTR, $32

// expNegLn2Hi: -ln(2) rounded to float32.
DATA expNegLn2Hi<>+0(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+4(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+8(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+12(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+16(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+20(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+24(SB)/4, $0xbf317218
DATA expNegLn2Hi<>+28(SB)/4, $0xbf317218
GLOBL expNegLn2Hi<>(SB), RODATA|NOPTR, $32

// expNegLn2Lo: -(ln(2) - float32(ln(2))).
DATA expNegLn2Lo<>+0(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+4(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+8(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+12(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+16(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+20(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+24(SB)/4, $0x3102e308
DATA expNegLn2Lo<>+28(SB)/4, $0x3102e308
GLOBL expNegLn2Lo<>(SB), RODATA|NOPTR, $32

// expC2: 1/2!.
DATA expC2<>+0(SB)/4, $0x3f000000
DATA expC2<>+4(SB)/4, $0x3f000000
DATA expC2<>+8(SB)/4, $0x3f000000
DATA expC2<>+12(SB)/4, $0x3f000000
DATA expC2<>+16(SB)/4, $0x3f000000
DATA expC2<>+20(SB)/4, $0x3f000000
DATA expC2<>+24(SB)/4, $0x3f000000
DATA expC2<>+28(SB)/4, $0x3f000000
GLOBL expC2<>(SB), RODATA|NOPTR, $32

// expC3: 1/3!.
DATA expC3<>+0(SB)/4, $0x3e2aaaab
DATA expC3<>+4(SB)/4, $0x3e2aaaab
DATA expC3<>+8(SB)/4, $0x3e2aaaab
DATA expC3<>+12(SB)/4, $0x3e2aaaab
DATA expC3<>+16(SB)/4, $0x3e2aaaab
DATA expC3<>+20(SB)/4, $0x3e2aaaab
DATA expC3<>+24(SB)/4, $0x3e2aaaab
DATA expC3<>+28(SB)/4, $0x3e2aaaab
GLOBL expC3<>(SB), RODATA|NOPTR, $32

// expC4: 1/4!.
DATA expC4<>+0(SB)/4, $0x3d2aaaab
DATA expC4<>+4(SB)/4, $0x3d2aaaab
DATA expC4<>+8(SB)/4, $0x3d2aaaab
DATA expC4<>+12(SB)/4, $0x3d2aaaab
DATA expC4<>+16(SB)/4, $0x3d2aaaab
DATA expC4<>+20(SB)/4, $0x3d2aaaab
DATA expC4<>+24(SB)/4, $0x3d2aaaab
DATA expC4<>+28(SB)/4, $0x3d2aaaab
GLOBL expC4<>(SB), RODATA|NOPTR, $32

// expC5: 1/5!.
DATA expC5<>+0(SB)/4, $0x3c088889
DATA expC5<>+4(SB)/4, $0x3c088889
DATA expC5<>+8(SB)/4, $0x3c088889
DATA expC5<>+12(SB)/4, $0x3c088889
DATA expC5<>+16(SB)/4, $0x3c088889
DATA expC5<>+20(SB)/4, $0x3c088889
DATA expC5<>+24(SB)/4, $0x3c088889
DATA expC5<>+28(SB)/4, $0x3c088889
GLOBL expC5<>(SB), RODATA|NOPTR, $32

// expC6: 1/6!.
DATA expC6<>+0(SB)/4, $0x3ab60b61
DATA expC6<>+4(SB)/4, $0x3ab60b61
DATA expC6<>+8(SB)/4, $0x3ab60b61
DATA expC6<>+12(SB)/4, $0x3ab60b61
DATA expC6<>+16(SB)/4, $0x3ab60b61
DATA expC6<>+20(SB)/4, $0x3ab60b61
DATA expC6<>+24(SB)/4, $0x3ab60b61
DATA expC6<>+28(SB)/4, $0x3ab60b61
GLOBL expC6<>(SB), RODATA|NOPTR, $32

// expC7: 1/7!.
DATA expC7<>+0(SB)/4, $0x39500d01
DATA expC7<>+4(SB)/4, $0x39500d01
DATA expC7<>+8(SB)/4, $0x39500d01
DATA expC7<>+12(SB)/4, $0x39500d01
DATA expC7<>+16(SB)/4, $0x39500d01
DATA expC7<>+20(SB)/4, $0x39500d01
DATA expC7<>+24(SB)/4, $0x39500d01
DATA expC7<>+28(SB)/4, $0x39500d01
GLOBL expC7<>(SB), RODATA|NOPTR, $32

// expOne: 1.
DATA expOne<>+0(SB)/4, $0x3f800000
DATA expOne<>+4(SB)/4, $0x3f800000
DATA expOne<>+8(SB)/4, $0x3f800000
DATA expOne<>+12(SB)/4, $0x3f800000
DATA expOne<>+16(SB)/4, $0x3f800000
DATA expOne<>+20(SB)/4, $0x3f800000
DATA expOne<>+24(SB)/4, $0x3f800000
DATA expOne<>+28(SB)/4, $0x3f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $32

// expLo: -87.33654: smallest x whose e^x is a normal float32.
DATA expLo<>+0(SB)/4, $0xc2aeac4f
DATA expLo<>+4(SB)/4, $0xc2aeac4f
DATA expLo<>+8(SB)/4, $0xc2aeac4f
DATA expLo<>+12(SB)/4, $0xc2aeac4f
DATA expLo<>+16(SB)/4, $0xc2aeac4f
DATA expLo<>+20(SB)/4, $0xc2aeac4f
DATA expLo<>+24(SB)/4, $0xc2aeac4f
DATA expLo<>+28(SB)/4, $0xc2aeac4f
GLOBL expLo<>(SB), RODATA|NOPTR, $32

// expHi: 88.72283: largest x whose e^x is finite.
DATA expHi<>+0(SB)/4, $0x42b17217
DATA expHi<>+4(SB)/4, $0x42b17217
DATA expHi<>+8(SB)/4, $0x42b17217
DATA expHi<>+12(SB)/4, $0x42b17217
DATA expHi<>+16(SB)/4, $0x42b17217
DATA expHi<>+20(SB)/4, $0x42b17217
DATA expHi<>+24(SB)/4, $0x42b17217
DATA expHi<>+28(SB)/4, $0x42b17217
GLOBL expHi<>(SB), RODATA|NOPTR, $32

// expInf: +Inf.
DATA expInf<>+0(SB)/4, $0x7f800000
DATA expInf<>+4(SB)/4, $0x7f800000
DATA expInf<>+8(SB)/4, $0x7f800000
DATA expInf<>+12(SB)/4, $0x7f800000
DATA expInf<>+16(SB)/4, $0x7f800000
DATA expInf<>+20(SB)/4, $0x7f800000
DATA expInf<>+24(SB)/4, $0x7f800000
DATA expInf<>+28(SB)/4, $0x7f800000
GLOBL expInf<>(SB), RODATA|NOPTR, $32

// expSign: the sign bit.
DATA expSign<>+0(SB)/4, $0x80000000
DATA expSign<>+4(SB)/4, $0x80000000
DATA expSign<>+8(SB)/4, $0x80000000
DATA expSign<>+12(SB)/4, $0x80000000
DATA expSign<>+16(SB)/4, $0x80000000
DATA expSign<>+20(SB)/4, $0x80000000
DATA expSign<>+24(SB)/4, $0x80000000
DATA expSign<>+28(SB)/4, $0x80000000
GLOBL expSign<>(SB), RODATA|NOPTR, $32

// expTailMask: eight all-ones lanes then eight zero lanes; the 32 bytes at
// 4*(8-n) enable the first n lanes.
DATA expTailMask<>+0(SB)/4, $0xffffffff
DATA expTailMask<>+4(SB)/4, $0xffffffff
DATA expTailMask<>+8(SB)/4, $0xffffffff
DATA expTailMask<>+12(SB)/4, $0xffffffff
DATA expTailMask<>+16(SB)/4, $0xffffffff
DATA expTailMask<>+20(SB)/4, $0xffffffff
DATA expTailMask<>+24(SB)/4, $0xffffffff
DATA expTailMask<>+28(SB)/4, $0xffffffff
DATA expTailMask<>+32(SB)/4, $0x00000000
DATA expTailMask<>+36(SB)/4, $0x00000000
DATA expTailMask<>+40(SB)/4, $0x00000000
DATA expTailMask<>+44(SB)/4, $0x00000000
DATA expTailMask<>+48(SB)/4, $0x00000000
DATA expTailMask<>+52(SB)/4, $0x00000000
DATA expTailMask<>+56(SB)/4, $0x00000000
DATA expTailMask<>+60(SB)/4, $0x00000000
GLOBL expTailMask<>(SB), RODATA|NOPTR, $64

