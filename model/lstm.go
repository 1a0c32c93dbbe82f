package model

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"
)

// This file holds what is particular to the LSTM family: its parameters,
// their counts and its forward graph. The model is
//
//	x = embed[ids]                       [rows, H]
//	x = LSTM_l(x)  for each of the L layers
//	x = RMSNorm(x)                       (unless NoFinalNorm)
//	logits = x head^T                    head = embed when tied
//	loss = mean cross-entropy
//
// with every layer H wide, so a tied head has the embedding's shape.

// Names of an LSTM layer's parameters, PyTorch nn.LSTM's without the layer
// suffix, inside model.layers.<i>.lstm.
const (
	lstmWih  = "lstm.weight_ih"
	lstmWhh  = "lstm.weight_hh"
	lstmBias = "lstm.bias"
)

// lstmParamSpecs lists an LSTM's parameters with PyTorch's default scales:
// the embedding at normal(0, 1) (nn.Embedding's), per layer the gate
// weights at standard deviation 1/sqrt(3H) (nn.LSTM's uniform(-1/sqrt(H),
// 1/sqrt(H)) has it) and the gate bias (forget gate at 1), the final norm's
// gain, and the head at normal(0, 0.02) as the transformer's. With the
// transformer's 0.02 the embedding barely moves the gates at first (the
// input term of a pre-activation is about 0.01), and the model learns
// markedly more slowly: on 0.5M tokens of the Go source, lstm400k reached
// 4.90 nats from a 0.02 embedding and 4.51 from a unit one.
func (c Config) lstmParamSpecs() []ParamSpec {
	h, v := c.HiddenSize, c.VocabSize
	std := 1 / math.Sqrt(3*float64(h))
	specs := []ParamSpec{{Name: embedName, Shape: []int{v, h}, Std: 1}}
	for i := range c.NumHiddenLayers {
		specs = append(specs,
			ParamSpec{Name: layerName(i, lstmWih), Shape: []int{4 * h, h}, Std: std},
			ParamSpec{Name: layerName(i, lstmWhh), Shape: []int{4 * h, h}, Std: std},
			ParamSpec{Name: layerName(i, lstmBias), Shape: []int{4 * h}, ForgetBias: true},
		)
	}
	if !c.NoFinalNorm {
		specs = append(specs, ParamSpec{Name: normName, Shape: []int{h}})
	}
	if !c.TieWordEmbeddings {
		specs = append(specs, ParamSpec{Name: headName, Shape: []int{v, h}, Std: InitStd})
	}
	return specs
}

// lstmNonEmbeddingParams is N for an LSTM: the gate weights and biases of
// every layer and the final norm's gain.
func (c Config) lstmNonEmbeddingParams() int64 {
	h := int64(c.HiddenSize)
	n := int64(c.NumHiddenLayers) * (4*h*(h+h) + 4*h)
	if !c.NoFinalNorm {
		n += h
	}
	return n
}

// forwardLSTM is the LSTM forward pass: embedding, the LSTM layers, the
// final norm, the head and the mean cross-entropy.
func (g *Graph) forwardLSTM(p map[string]*gorgonia.Node) error {
	c := g.Config
	b := &builder{}
	layer := &LSTMLayer{Batch: g.Batch, Seq: g.Seq, Hidden: c.HiddenSize}
	x := b.op(&Embedding{}, p[embedName], g.IDs)
	for i := range c.NumHiddenLayers {
		w := func(s string) *gorgonia.Node { return p[layerName(i, s)] }
		x = b.op(layer, x, w(lstmWih), w(lstmWhh), w(lstmBias))
	}
	if !c.NoFinalNorm {
		x = b.op(&RMSNorm{Eps: float32(c.RMSNormEps)}, x, p[normName])
	}
	g.head(b, x, p)
	if b.err != nil {
		return fmt.Errorf("lstm: %w", b.err)
	}
	return nil
}
