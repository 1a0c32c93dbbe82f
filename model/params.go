package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// InitStd is the standard deviation of every weight matrix at
// initialisation, as in GPT-2 and Llama practice.
const InitStd = 0.02

// ParamSpec names one parameter tensor with its Hugging Face name and shape
// (weight matrices [out, in]).
type ParamSpec struct {
	Name  string
	Shape []int
	// Std is the initial standard deviation; 0 means a norm gain set to 1
	// (or, with ForgetBias, an LSTM gate bias).
	Std float64
	// ForgetBias marks an LSTM layer's gate bias ([4H], gates in the order
	// input, forget, cell, output): it starts at 0 except for the forget
	// gate's quarter, which starts at 1, so that the cell remembers by
	// default (Gers et al. 2000; Jozefowicz et al. 2015).
	ForgetBias bool
}

// Size is the number of elements.
func (p ParamSpec) Size() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// Decays reports whether AdamW applies weight decay to p: matrices and
// embeddings do, norm gains (vectors) do not.
func (p ParamSpec) Decays() bool { return len(p.Shape) >= 2 }

// Names of the per-layer parameters, in the order ParamSpecs lists them.
const (
	attnNorm = "input_layernorm.weight"
	wq       = "self_attn.q_proj.weight"
	wk       = "self_attn.k_proj.weight"
	wv       = "self_attn.v_proj.weight"
	wo       = "self_attn.o_proj.weight"
	mlpNorm  = "post_attention_layernorm.weight"
	wGate    = "mlp.gate_proj.weight"
	wUp      = "mlp.up_proj.weight"
	wDown    = "mlp.down_proj.weight"

	embedName = "model.embed_tokens.weight"
	normName  = "model.norm.weight"
	headName  = "lm_head.weight"
)

func layerName(i int, s string) string { return fmt.Sprintf("model.layers.%d.%s", i, s) }

// ParamSpecs lists every parameter of c in a fixed order (embedding, layers,
// final norm, head). For a transformer the initialisation is normal(0,
// 0.02), the two projections that write into the residual stream (o_proj
// and down_proj) scaled by 1/sqrt(2*layers) so the stream's variance does
// not grow with depth (GPT-2), and norm gains 1; for an LSTM see
// lstmParamSpecs.
func (c Config) ParamSpecs() []ParamSpec {
	if c.Family == LSTM {
		return c.lstmParamSpecs()
	}
	d, kv, f, v := c.HiddenSize, c.KVDim(), c.IntermediateSize, c.VocabSize
	resid := InitStd / math.Sqrt(2*float64(c.NumHiddenLayers))
	specs := []ParamSpec{{Name: embedName, Shape: []int{v, d}, Std: InitStd}}
	for i := 0; i < c.NumHiddenLayers; i++ {
		specs = append(specs,
			ParamSpec{Name: layerName(i, attnNorm), Shape: []int{d}, Std: 0},
			ParamSpec{Name: layerName(i, wq), Shape: []int{d, d}, Std: InitStd},
			ParamSpec{Name: layerName(i, wk), Shape: []int{kv, d}, Std: InitStd},
			ParamSpec{Name: layerName(i, wv), Shape: []int{kv, d}, Std: InitStd},
			ParamSpec{Name: layerName(i, wo), Shape: []int{d, d}, Std: resid},
			ParamSpec{Name: layerName(i, mlpNorm), Shape: []int{d}, Std: 0},
			ParamSpec{Name: layerName(i, wGate), Shape: []int{f, d}, Std: InitStd},
			ParamSpec{Name: layerName(i, wUp), Shape: []int{f, d}, Std: InitStd},
			ParamSpec{Name: layerName(i, wDown), Shape: []int{d, f}, Std: resid},
		)
	}
	specs = append(specs, ParamSpec{Name: normName, Shape: []int{d}, Std: 0})
	if !c.TieWordEmbeddings {
		specs = append(specs, ParamSpec{Name: headName, Shape: []int{v, d}, Std: InitStd})
	}
	return specs
}

// Init returns freshly initialised values for every parameter of c, in
// ParamSpecs order. Each tensor draws from its own stream seeded by (seed,
// index), so the values do not depend on anything but the seed and shape.
func (c Config) Init(seed uint64) [][]float32 {
	specs := c.ParamSpecs()
	out := make([][]float32, len(specs))
	for i, p := range specs {
		w := make([]float32, p.Size())
		switch {
		case p.ForgetBias:
			q := len(w) / 4
			for j := q; j < 2*q; j++ {
				w[j] = 1
			}
		case p.Std == 0:
			for j := range w {
				w[j] = 1
			}
		default:
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			for j := range w {
				w[j] = float32(r.NormFloat64() * p.Std)
			}
		}
		out[i] = w
	}
	return out
}
