package infer

import (
	"fmt"

	"github.com/plateau-lab/plateau/kernels"
)

// PositionScore is the loss by position in the context (cmd/eval
// -by-position): LossByPosition[t] is the mean loss in nats of the tokens
// predicted from t+1 tokens of context, over Windows windows of Window+1
// tokens cut from the stream one after another, each starting from no
// context (a transformer's empty prefix, an LSTM's zero state).
type PositionScore struct {
	Window         int       `json:"window"`
	Windows        int       `json:"windows"`
	LossByPosition []float64 `json:"loss_by_position"`
}

// LossByPosition scores tokens in consecutive windows of window+1 tokens
// (0: max_position_embeddings), at most maxWindows of them (0: all),
// batch windows per forward pass, and returns the mean loss at each
// position of the window.
func (m *Model) LossByPosition(tokens []int32, window, maxWindows, batch int) (PositionScore, error) {
	if window == 0 {
		window = m.Config.MaxPositionEmbeddings
	}
	if batch <= 0 {
		batch = 1
	}
	if window < 1 || window > m.Config.MaxPositionEmbeddings {
		return PositionScore{}, fmt.Errorf("by position: flag -window %d: want 1..%d (max_position_embeddings)", window, m.Config.MaxPositionEmbeddings)
	}
	windows := 0
	if len(tokens) > 0 {
		windows = (len(tokens) - 1) / window
	}
	if maxWindows > 0 {
		windows = min(windows, maxWindows)
	}
	if windows == 0 {
		return PositionScore{}, fmt.Errorf("by position: %d tokens do not fill one window of %d", len(tokens), window+1)
	}
	if err := m.checkIDs(tokens[:windows*window+1], "by position"); err != nil {
		return PositionScore{}, err
	}
	batch = min(batch, windows)
	p, err := m.program(batch, window)
	if err != nil {
		return PositionScore{}, err
	}
	ids, targets := make([]int32, batch*window), make([]int32, batch*window)
	rows := make([]float64, batch*window)
	acc := kernels.PositionLosses{Seq: window}
	for w0 := 0; w0 < windows; w0 += batch {
		for r := range batch {
			w := w0 + r
			row, rowT := ids[r*window:(r+1)*window], targets[r*window:(r+1)*window]
			if w >= windows { // padding: nothing scored
				clear(row)
				for i := range rowT {
					rowT[i] = -1
				}
				continue
			}
			copy(row, tokens[w*window:])
			copy(rowT, tokens[w*window+1:])
		}
		if err := p.SetBatch(ids, targets); err != nil {
			return PositionScore{}, err
		}
		p.Run()
		if err := p.RowLosses(rows, targets); err != nil {
			return PositionScore{}, err
		}
		acc.Add(rows)
	}
	return PositionScore{Window: window, Windows: windows, LossByPosition: acc.Mean()}, nil
}
