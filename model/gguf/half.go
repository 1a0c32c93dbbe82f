package gguf

import "math"

// Float32ToHalf rounds f to the nearest IEEE 754 half-precision value (ties
// to even), as numpy's astype(float16) does: values beyond the half range
// become infinities, tiny ones subnormals or zero, NaN stays NaN.
func Float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	switch {
	case exp == 0xff: // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp == 0 && mant == 0:
		return sign
	}
	e := exp - 127 + 15 // the half exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal half (or zero): shift the mantissa, with its implicit
		// bit, right by 14-e places (13 for the width change, 1-e more).
		if e < -10 {
			return sign // below half the smallest subnormal
		}
		m := mant | 0x800000
		shift := uint(14 - e)
		return sign | uint16(roundShift(m, shift))
	}
	// Normal: drop 13 mantissa bits with rounding; a carry out of the
	// mantissa bumps the exponent (up to Inf), which the addition does.
	return sign | uint16((uint32(e)<<10)+roundShift(mant, 13))
}

// roundShift returns m >> s rounded to nearest, ties to even.
func roundShift(m uint32, s uint) uint32 {
	q := m >> s
	rem := m & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	return q
}
