package half

import (
	"math"
	"testing"
)

func TestToFloat32(t *testing.T) {
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
		if got := ToFloat32(tt.h); got != tt.want {
			t.Errorf("ToFloat32(%#04x) = %g, want %g", tt.h, got, tt.want)
		}
	}
	if got := ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("ToFloat32(0x8000) = %g, want -0", got)
	}
	for _, h := range []uint16{0x7e00, 0x7c01, 0xfe00, 0x7fff} {
		if got := ToFloat32(h); !math.IsNaN(float64(got)) {
			t.Errorf("ToFloat32(%#04x) = %g, want NaN", h, got)
		}
	}
}

// TestToFloat32Exhaustive checks every binary16 value against a direct
// evaluation of the format's definition.
func TestToFloat32Exhaustive(t *testing.T) {
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
		got := ToFloat32(h)
		switch {
		case math.IsNaN(want):
			if !math.IsNaN(float64(got)) {
				t.Fatalf("ToFloat32(%#04x) = %g, want NaN", h, got)
			}
			// The payload is kept, so distinct NaNs stay distinct.
			if bits := math.Float32bits(got); bits>>13&0x3ff != uint32(h&0x3ff) || bits>>31 != uint32(h>>15) {
				t.Fatalf("ToFloat32(%#04x) = %#08x, NaN payload or sign lost", h, bits)
			}
		case float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want):
			t.Fatalf("ToFloat32(%#04x) = %g, want %g", h, got, want)
		}
	}
}

func TestBF16ToFloat32(t *testing.T) {
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
		if got := BF16ToFloat32(tt.b); got != tt.want {
			t.Errorf("BF16ToFloat32(%#04x) = %g, want %g", tt.b, got, tt.want)
		}
	}
	if got := BF16ToFloat32(0x8000); got != 0 || !math.Signbit(float64(got)) {
		t.Errorf("BF16ToFloat32(0x8000) = %g, want -0", got)
	}
	for _, b := range []uint16{0x7fc0, 0x7f81, 0xffc0} {
		if got := BF16ToFloat32(b); !math.IsNaN(float64(got)) {
			t.Errorf("BF16ToFloat32(%#04x) = %g, want NaN", b, got)
		}
	}
}

// TestBFloat16Exhaustive checks that every bfloat16 value converts to the
// float32 whose top half it is: bfloat16 is a truncated float32.
func TestBFloat16Exhaustive(t *testing.T) {
	for i := range 1 << 16 {
		b := uint16(i)
		if got := math.Float32bits(BF16ToFloat32(b)); got != uint32(b)<<16 {
			t.Fatalf("BF16ToFloat32(%#04x) has bits %#08x, want %#08x", b, got, uint32(b)<<16)
		}
	}
}

// TestFromFloat32 checks rounding against known half bit patterns.
func TestFromFloat32(t *testing.T) {
	cases := []struct {
		f    float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff}, // largest half
		{65520, 0x7c00}, // rounds up to Inf
		{65519, 0x7bff}, // rounds down
		{float32(math.Inf(1)), 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
		{float32(math.Pow(2, -14)), 0x0400}, // smallest normal
		{float32(math.Pow(2, -24)), 0x0001}, // smallest subnormal
		{float32(math.Pow(2, -25)), 0x0000}, // tie to even: 0
		{float32(1.5 * math.Pow(2, -25)), 0x0001},
		{float32(3 * math.Pow(2, -25)), 0x0002}, // 1.5 ulp ties to even 2
		{1 + 1.0/2048, 0x3c00},                  // tie to even (down)
		{1 + 3.0/2048, 0x3c02},                  // tie to even (up)
		{1 + 1.0/2048 + 1.0/65536, 0x3c01},      // above the tie
		{0.1, 0x2e66},
		{float32(math.Pow(2, -26)), 0x0000},
	}
	for _, c := range cases {
		if got := FromFloat32(c.f); got != c.want {
			t.Errorf("FromFloat32(%v) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
	if got := FromFloat32(float32(math.NaN())); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
		t.Errorf("NaN gives %#04x", got)
	}
	// Round trip of every finite half.
	for h := uint32(0); h < 0x10000; h++ {
		if h&0x7c00 == 0x7c00 {
			continue
		}
		if got := FromFloat32(ToFloat32(uint16(h))); got != uint16(h) && !(h == 0x8000 && got == 0x8000) {
			t.Fatalf("half %#04x -> %v -> %#04x", h, ToFloat32(uint16(h)), got)
		}
	}
}
