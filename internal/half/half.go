// Package half converts between float32 and the 16-bit floating-point
// formats model files store: IEEE 754 binary16 ("f16", both ways) and
// bfloat16 (read). The safetensors reader and the GGUF writer share it.
package half

import "math"

// ToFloat32 converts an IEEE 754 binary16 value to float32. Every half
// value, subnormals included, is exactly representable as a float32; NaN
// payloads are kept.
func ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	case mant == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: mant × 2^-24. In float32 it is normal, so shift the
	// leading one into the implicit-bit position, lowering the exponent
	// from that of 2^-14 (the smallest normal half) by one per shift.
	e := uint32(127 - 14)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}

// BF16ToFloat32 converts a bfloat16 value, the top half of a float32, to
// float32. The conversion is exact for all values, NaN payloads included.
func BF16ToFloat32(b uint16) float32 {
	return math.Float32frombits(uint32(b) << 16)
}

// FromFloat32 rounds f to the nearest IEEE 754 half-precision value (ties
// to even), as numpy's astype(float16) does: values beyond the half range
// become infinities, tiny ones subnormals or zero, NaN stays NaN.
func FromFloat32(f float32) uint16 {
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
