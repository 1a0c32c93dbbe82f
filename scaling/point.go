package scaling

// Point is one measured run as the fits see it: a model of Params
// parameters trained on Tokens tokens reached Loss (nats per token on held-out
// data). Points come from a sweep's runs or from a CSV of runs measured
// elsewhere.
type Point struct {
	Run    string  `json:"run,omitempty"`    // the run's name, when it came from a sweep
	Preset string  `json:"preset,omitempty"` // the model preset, when known
	Arch   string  `json:"arch,omitempty"`   // the model family ("transformer", "lstm"), when known
	Params float64 `json:"params"`           // N: non-embedding parameters for plateau's runs
	Tokens float64 `json:"tokens"`           // D: training tokens
	FLOPs  float64 `json:"flops"`            // C: training compute, 6ND unless measured otherwise
	Loss   float64 `json:"loss"`             // final held-out loss, nats per token
}

// Compute is the point's training compute: FLOPs when set, else 6ND.
func (p Point) Compute() float64 {
	if p.FLOPs > 0 {
		return p.FLOPs
	}
	return 6 * p.Params * p.Tokens
}

// Curve is the loss curve of one run, for plots: held-out loss against
// tokens seen.
type Curve struct {
	Run    string    `json:"run"`
	Preset string    `json:"preset,omitempty"`
	Arch   string    `json:"arch,omitempty"`
	Params float64   `json:"params"`
	Tokens []float64 `json:"tokens"`
	Loss   []float64 `json:"loss"`
}
