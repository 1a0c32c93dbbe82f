package safetensors

import (
	"math"
	"testing"
)

func TestHalfToFloat32(t *testing.T) {
	tests := []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0},
		{0x3c00, 1},
		{0xc000, -2},
		{0x3800, 0.5},
		{0x3555, 0.333251953125},
		{0x7bff, 65504},                 // largest finite
		{0xfbff, -65504},                //
		{0x0400, 6.103515625e-05},       // smallest normal, 2^-14
		{0x03ff, 6.097555160522461e-05}, // largest subnormal, 1023 × 2^-24
		{0x0200, 3.0517578125e-05},      // 2^-15
		{0x0001, 5.960464477539063e-08}, // smallest subnormal, 2^-24
		{0x8001, -5.960464477539063e-08},
		{0x7c00, float32(math.Inf(1))},
		{0xfc00, float32(math.Inf(-1))},
	}
	for _, tt := range tests {
		if got := halfToFloat32(tt.h); got != tt.want {
			t.Errorf("halfToFloat32(%#04x) = %g, want %g", tt.h, got, tt.want)
		}
	}
	if got := halfToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("halfToFloat32(0x8000) = %g, want -0", got)
	}
	for _, h := range []uint16{0x7e00, 0x7c01, 0xfe00, 0x7fff} {
		if got := halfToFloat32(h); !math.IsNaN(float64(got)) {
			t.Errorf("halfToFloat32(%#04x) = %g, want NaN", h, got)
		}
	}
}

// TestHalfToFloat32Exhaustive checks every binary16 value against a direct
// evaluation of the format's definition.
func TestHalfToFloat32Exhaustive(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		sign := 1.0
		if h&0x8000 != 0 {
			sign = -1
		}
		exp := int(h>>10) & 0x1f
		frac := float64(h & 0x3ff)
		var want float64
		switch exp {
		case 0:
			want = sign * math.Ldexp(frac, -24)
		case 0x1f:
			want = sign * math.Inf(1)
			if frac != 0 {
				want = math.NaN()
			}
		default:
			want = sign * math.Ldexp(1+frac/1024, exp-15)
		}
		got := halfToFloat32(h)
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(float64(got)) {
				t.Fatalf("halfToFloat32(%#04x) = %g, want NaN", h, got)
			}
			// The payload is kept, so distinct NaNs stay distinct.
			if bits := math.Float32bits(got); bits>>13&0x3ff != uint32(h&0x3ff) || bits>>31 != uint32(h>>15) {
				t.Fatalf("halfToFloat32(%#04x) = %#08x, NaN payload or sign lost", h, bits)
			}
		case float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want):
			t.Fatalf("halfToFloat32(%#04x) = %g, want %g", h, got, want)
		}
	}
}

func TestBFloat16ToFloat32(t *testing.T) {
	tests := []struct {
		b    uint16
		want float32
	}{
		{0x0000, 0},
		{0x3f80, 1},
		{0xc000, -2},
		{0x4049, 3.140625},
		{0x7f7f, 3.3895313892515355e+38}, // largest finite
		{0x0080, 1.1754943508222875e-38}, // smallest normal, 2^-126
		{0x007f, 1.1663108012064884e-38}, // largest subnormal
		{0x0001, 9.183549615799121e-41},  // smallest subnormal, 2^-133
		{0x8001, -9.183549615799121e-41},
		{0x7f80, float32(math.Inf(1))},
		{0xff80, float32(math.Inf(-1))},
	}
	for _, tt := range tests {
		if got := bfloat16ToFloat32(tt.b); got != tt.want {
			t.Errorf("bfloat16ToFloat32(%#04x) = %g, want %g", tt.b, got, tt.want)
		}
	}
	if got := bfloat16ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("bfloat16ToFloat32(0x8000) = %g, want -0", got)
	}
	for _, b := range []uint16{0x7fc0, 0x7f81, 0xffc0} {
		if got := bfloat16ToFloat32(b); !math.IsNaN(float64(got)) {
			t.Errorf("bfloat16ToFloat32(%#04x) = %g, want NaN", b, got)
		}
	}
}

// TestBFloat16Exhaustive checks that every bfloat16 value converts to the
// float32 whose top half it is: bfloat16 is a truncated float32.
func TestBFloat16Exhaustive(t *testing.T) {
	for i := range 1 << 16 {
		b := uint16(i)
		if got := math.Float32bits(bfloat16ToFloat32(b)); got != uint32(b)<<16 {
			t.Fatalf("bfloat16ToFloat32(%#04x) has bits %#08x, want %#08x", b, got, uint32(b)<<16)
		}
	}
}
