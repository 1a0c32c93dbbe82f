package scaling

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/plateau-lab/plateau/data"
	"github.com/plateau-lab/plateau/model"
)

// dataset loads the plan's data the first time a run needs it, and keeps
// it for every later run of the sweep. A BPE tokenizer trained for the
// sweep is kept in OUT/tokenizer.json and used from there by later
// invocations and by every cluster task, so that all runs of a sweep see
// the same token streams.
func (s *Sweep) dataset() (*data.Dataset, error) {
	if s.ds != nil {
		return s.ds, nil
	}
	p := s.plan
	tok := p.Tokenizer
	kept := filepath.Join(s.opt.Out, model.TokenizerFile)
	bpe := strings.HasPrefix(tok, "bpe:")
	if _, err := os.Stat(kept); bpe && err == nil {
		tok = kept
	}
	s.prog.note("loading data %s", p.Data)
	ds, err := data.LoadDataset(p.Data, data.DatasetOptions{Tokenizer: tok, ValFraction: p.ValFrac, Seed: p.Seed, Workers: s.opt.Workers})
	if err != nil {
		return nil, fmt.Errorf("%s: field \"data\": %w", s.opt.PlanSource, err)
	}
	if u := int64(p.UniqueTokens); u > int64(len(ds.Train)) {
		return nil, fmt.Errorf("%s: field \"unique_tokens\": %d, but the training split has only %d tokens", s.opt.PlanSource, u, len(ds.Train))
	}
	if _, err := os.Stat(kept); bpe && ds.Tokenizer != nil && errors.Is(err, fs.ErrNotExist) {
		if err := ds.Tokenizer.Save(kept); err != nil {
			return nil, err
		}
	}
	s.prog.note("data: %s", ds.Description)
	if ds.EntropyRate > 0 {
		s.prog.note("data: the source's entropy rate, the lowest loss any model can reach, is %.4f nats/token", ds.EntropyRate)
	}
	s.ds = ds
	return ds, nil
}
