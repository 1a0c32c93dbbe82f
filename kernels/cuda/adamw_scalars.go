package cuda

import (
	"math"
	"strconv"
)

// adamWScalars are the float32 constants of one AdamW step, prepared on the
// host in float64 the way the CPU device (kernels/cpu.AdamW) prepares them,
// so that the adamw kernel rounds every element as the CPU does.
type adamWScalars struct {
	decay, w1, w2, negStep, bc2Sqrt float32
}

// newAdamWScalars computes the constants for step (counting from 1): decay =
// 1-lr*wd, w1 = 1-beta1, w2 = 1-beta2, negStep = -lr/(1-beta1^step) and
// bc2Sqrt = sqrt(1-beta2^step), each from the hyperparameters widened to the
// decimal literal they were written as (see pyFloat).
func newAdamWScalars(lr, beta1, beta2, wd float32, step int) adamWScalars {
	lr64, wd64 := pyFloat(lr), pyFloat(wd)
	b1, b2 := pyFloat(beta1), pyFloat(beta2)
	bc1 := 1 - math.Pow(b1, float64(step))
	bc2 := 1 - math.Pow(b2, float64(step))
	return adamWScalars{
		decay:   float32(1 - lr64*wd64),
		w1:      float32(1 - b1),
		w2:      float32(1 - b2),
		negStep: float32(-(lr64 / bc1)),
		bc2Sqrt: float32(math.Sqrt(bc2)),
	}
}

// pyFloat widens x to the float64 nearest the shortest decimal that rounds to
// x in float32: the value a Python literal such as 0.999 has before PyTorch
// uses it.
func pyFloat(x float32) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	if err != nil {
		return float64(x)
	}
	return f
}
