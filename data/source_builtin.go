package data

import "bytes"

// builtinSource serves the documents of Builtin.
type builtinSource struct {
	spec string
	docs [][]byte
	size int64
}

func openBuiltin(s sourceSpec) (Source, error) {
	c, err := Builtin()
	if err != nil {
		return nil, err
	}
	return &builtinSource{spec: s.raw, docs: c.Docs, size: int64(c.Bytes())}, nil
}

func (b *builtinSource) Spec() string { return b.spec }
func (b *builtinSource) Root() string { return "" }
func (b *builtinSource) Size() int64  { return b.size }

func (b *builtinSource) Each(visit func(Doc) error) (SourceStats, error) {
	var st SourceStats
	for _, d := range b.docs {
		if len(d) == 0 {
			st.Empty++
			continue
		}
		st.Docs++
		st.Bytes += int64(len(d))
		if err := visit(Doc{Text: bytes.Clone(d), Read: st.Bytes}); err != nil {
			return st, err
		}
	}
	return st, nil
}
