package data

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// sourceSpec is a parsed data spec: KIND, KIND:PATH or KIND:PATH?PARAMS.
type sourceSpec struct {
	raw    string     // the spec as given, for messages
	kind   string     // builtin, gosrc, dir, jsonl, bin or synthetic
	path   string     // what follows "KIND:", before any '?'
	params url.Values // the parameters after '?'
}

// specKinds lists each source kind, whether it takes a path, and the
// parameters it accepts.
var specKinds = map[string]struct {
	path   bool
	params []string
}{
	"builtin":   {false, nil},
	"gosrc":     {false, nil},
	"dir":       {true, []string{"glob", "maxdoc"}},
	"jsonl":     {true, []string{"field"}},
	"bin":       {true, []string{"val", "vocab"}},
	"synthetic": {true, []string{"train", "val", "doc", "seed", "rules", "zipf", "symbols", "segment", "noise"}},
}

// parseSpec splits a data spec into its kind, path and parameters and checks
// them against specKinds.
func parseSpec(spec string) (sourceSpec, error) {
	s := sourceSpec{raw: spec}
	rest, query, hasQuery := strings.Cut(spec, "?")
	kind, path, hasPath := strings.Cut(rest, ":")
	s.kind, s.path = kind, path
	k, ok := specKinds[kind]
	if !ok {
		return s, fmt.Errorf("data %q: unknown source kind %q, want builtin, gosrc, dir:PATH, jsonl:PATH, bin:PATH or synthetic:KIND", spec, kind)
	}
	switch {
	case k.path && path == "":
		return s, fmt.Errorf("data %q: want %s:PATH", spec, kind)
	case !k.path && hasPath:
		return s, fmt.Errorf("data %q: %s takes no path", spec, kind)
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return s, fmt.Errorf("data %q: parameters: %w", spec, err)
	}
	if hasQuery && len(params) == 0 {
		return s, fmt.Errorf("data %q: empty parameter list after '?'", spec)
	}
	for name, vals := range params {
		if !slices.Contains(k.params, name) {
			if len(k.params) == 0 {
				return s, fmt.Errorf("data %q: %s takes no parameters, got %q", spec, kind, name)
			}
			return s, fmt.Errorf("data %q: unknown parameter %q, want one of %s", spec, name, strings.Join(k.params, ", "))
		}
		if len(vals) > 1 {
			return s, fmt.Errorf("data %q: parameter %q given %d times", spec, name, len(vals))
		}
	}
	s.params = params
	return s, nil
}

// param returns the parameter name, or def when it is absent.
func (s sourceSpec) param(name, def string) string {
	if v, ok := s.params[name]; ok {
		return v[0]
	}
	return def
}

// floatParam returns the parameter name as a finite number, or def when it
// is absent; the caller checks its range.
func (s sourceSpec) floatParam(name string, def float64) (float64, error) {
	v, ok := s.params[name]
	if !ok {
		return def, nil
	}
	x, err := strconv.ParseFloat(v[0], 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, fmt.Errorf("data %q: parameter %s=%q, want a number", s.raw, name, v[0])
	}
	return x, nil
}

// intParam returns the parameter name as an integer in [lo, hi], or def
// when it is absent.
func (s sourceSpec) intParam(name string, def, lo, hi int64) (int64, error) {
	v, ok := s.params[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("data %q: parameter %s=%q, want an integer from %d to %d", s.raw, name, v[0], lo, hi)
	}
	return n, nil
}
