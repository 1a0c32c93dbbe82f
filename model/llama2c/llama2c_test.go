package llama2c_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plateau-lab/plateau/infer"
	"github.com/plateau-lab/plateau/kernels"
	"github.com/plateau-lab/plateau/model"
	"github.com/plateau-lab/plateau/model/llama2c"
)

// original holds a model in llama2.c's own layout: [out, in] matrices whose
// q and k rows pair dimensions (2m, 2m+1) of each head for RoPE.
type original struct {
	h                          llama2c.Header
	embed, norm, cls           []float32
	attnNorm, mlpNorm          [][]float32
	wq, wk, wv, wo, w1, w2, w3 [][]float32
}

func randomOriginal(h llama2c.Header, seed uint64) *original {
	r := rand.New(rand.NewPCG(seed, 1))
	vec := func(n int, mean, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(mean + std*r.NormFloat64())
		}
		return v
	}
	kv := h.KVHeads * h.Dim / h.Heads
	o := &original{h: h, embed: vec(h.VocabSize*h.Dim, 0, 1), norm: vec(h.Dim, 1, 0.1)}
	if h.Shared {
		o.cls = o.embed
	} else {
		o.cls = vec(h.VocabSize*h.Dim, 0, 0.3)
	}
	for range h.Layers {
		o.attnNorm = append(o.attnNorm, vec(h.Dim, 1, 0.1))
		o.mlpNorm = append(o.mlpNorm, vec(h.Dim, 1, 0.1))
		o.wq = append(o.wq, vec(h.Dim*h.Dim, 0, 0.3))
		o.wk = append(o.wk, vec(kv*h.Dim, 0, 0.3))
		o.wv = append(o.wv, vec(kv*h.Dim, 0, 0.3))
		o.wo = append(o.wo, vec(h.Dim*h.Dim, 0, 0.3))
		o.w1 = append(o.w1, vec(h.HiddenDim*h.Dim, 0, 0.3))
		o.w2 = append(o.w2, vec(h.Dim*h.HiddenDim, 0, 0.3))
		o.w3 = append(o.w3, vec(h.HiddenDim*h.Dim, 0, 0.3))
	}
	return o
}

// bytes lays o out as llama2.c's export.py writes version 0 (legacy_export)
// or version 1 (version1_export).
func (o *original) bytes(version int) []byte {
	var b bytes.Buffer
	put := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	each := func(ws [][]float32) {
		for _, w := range ws {
			put(w)
		}
	}
	h := o.h
	vocab := int32(h.VocabSize)
	fields := func() {
		put([]int32{int32(h.Dim), int32(h.HiddenDim), int32(h.Layers), int32(h.Heads), int32(h.KVHeads), vocab, int32(h.SeqLen)})
	}
	if version == 0 {
		if !h.Shared {
			vocab = -vocab
		}
		fields()
		put(o.embed)
		each(o.attnNorm)
		each(o.wq)
		each(o.wk)
		each(o.wv)
		each(o.wo)
		each(o.mlpNorm)
		each(o.w1)
		each(o.w2)
		each(o.w3)
		put(o.norm)
		hs := h.Dim / h.Heads
		cos, sin := make([]float32, h.SeqLen*hs/2), make([]float32, h.SeqLen*hs/2)
		for t := range h.SeqLen {
			for m := range hs / 2 {
				a := float64(t) / math.Pow(10000, float64(2*m)/float64(hs))
				cos[t*hs/2+m], sin[t*hs/2+m] = float32(math.Cos(a)), float32(math.Sin(a))
			}
		}
		put(cos)
		put(sin)
	} else {
		put(uint32(llama2c.Magic))
		put(int32(version))
		fields()
		shared := byte(0)
		if h.Shared {
			shared = 1
		}
		put(shared)
		b.Write(make([]byte, 256-b.Len()))
		each(o.attnNorm)
		each(o.mlpNorm)
		put(o.norm)
		put(o.embed)
		each(o.wq)
		each(o.wk)
		each(o.wv)
		each(o.wo)
		each(o.w1)
		each(o.w2)
		each(o.w3)
	}
	if !h.Shared {
		put(o.cls)
	}
	return b.Bytes()
}

// forward is run.c's forward pass in float64 on the original weights, one
// token at a time with a KV cache and RoPE on adjacent pairs; it returns
// the logits of every position.
func (o *original) forward(tokens []int32) [][]float64 {
	h := o.h
	d, hs := h.Dim, h.Dim/h.Heads
	kvDim := h.KVHeads * hs
	matvec := func(w []float32, x []float64, out int) []float64 {
		y := make([]float64, out)
		for i := range y {
			for j, xj := range x {
				y[i] += float64(w[i*len(x)+j]) * xj
			}
		}
		return y
	}
	rmsnorm := func(x []float64, w []float32) []float64 {
		var ss float64
		for _, v := range x {
			ss += v * v
		}
		s := 1 / math.Sqrt(ss/float64(len(x))+1e-5)
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(w[i]) * s * v
		}
		return y
	}
	kc := make([][][]float64, h.Layers)
	vc := make([][][]float64, h.Layers)
	var out [][]float64
	for pos, tok := range tokens {
		x := make([]float64, d)
		for i := range x {
			x[i] = float64(o.embed[int(tok)*d+i])
		}
		for l := range h.Layers {
			xb := rmsnorm(x, o.attnNorm[l])
			q, k, v := matvec(o.wq[l], xb, d), matvec(o.wk[l], xb, kvDim), matvec(o.wv[l], xb, kvDim)
			for i := 0; i < d; i += 2 {
				freq := 1 / math.Pow(10000, float64(i%hs)/float64(hs))
				c, s := math.Cos(float64(pos)*freq), math.Sin(float64(pos)*freq)
				q[i], q[i+1] = q[i]*c-q[i+1]*s, q[i]*s+q[i+1]*c
				if i < kvDim {
					k[i], k[i+1] = k[i]*c-k[i+1]*s, k[i]*s+k[i+1]*c
				}
			}
			kc[l], vc[l] = append(kc[l], k), append(vc[l], v)
			att := make([]float64, d)
			for hh := range h.Heads {
				g := hh / (h.Heads / h.KVHeads)
				scores := make([]float64, pos+1)
				mx := math.Inf(-1)
				for t := range scores {
					for i := range hs {
						scores[t] += q[hh*hs+i] * kc[l][t][g*hs+i]
					}
					scores[t] /= math.Sqrt(float64(hs))
					mx = math.Max(mx, scores[t])
				}
				var z float64
				for t := range scores {
					scores[t] = math.Exp(scores[t] - mx)
					z += scores[t]
				}
				for t, a := range scores {
					for i := range hs {
						att[hh*hs+i] += a / z * vc[l][t][g*hs+i]
					}
				}
			}
			for i, v := range matvec(o.wo[l], att, d) {
				x[i] += v
			}
			xb = rmsnorm(x, o.mlpNorm[l])
			hb, hb2 := matvec(o.w1[l], xb, h.HiddenDim), matvec(o.w3[l], xb, h.HiddenDim)
			for i := range hb {
				hb[i] = hb[i] / (1 + math.Exp(-hb[i])) * hb2[i]
			}
			for i, v := range matvec(o.w2[l], hb, d) {
				x[i] += v
			}
		}
		out = append(out, matvec(o.cls, rmsnorm(x, o.norm), h.VocabSize))
	}
	return out
}

var headers = []llama2c.Header{
	{Dim: 16, HiddenDim: 24, Layers: 2, Heads: 4, KVHeads: 2, VocabSize: 11, SeqLen: 10, Shared: true},
	{Dim: 12, HiddenDim: 20, Layers: 1, Heads: 2, KVHeads: 2, VocabSize: 9, SeqLen: 8, Shared: false},
}

// TestReadMatchesLlama2c reads checkpoints of both versions, shared and
// unshared classifier, and checks that plateau's logits on the converted
// model (rotate-half RoPE, permuted wq and wk) equal those of run.c's
// forward pass on the original weights.
func TestReadMatchesLlama2c(t *testing.T) {
	for hi, h := range headers {
		for _, version := range []int{0, 1} {
			t.Run(fmt.Sprintf("%d/v%d", hi, version), func(t *testing.T) {
				o := randomOriginal(h, uint64(hi+1))
				raw := o.bytes(version)
				gotH, c, values, err := llama2c.Read(bytes.NewReader(raw), int64(len(raw)))
				if err != nil {
					t.Fatal(err)
				}
				want := h
				want.Version = version
				if gotH != want {
					t.Fatalf("header %+v, want %+v", gotH, want)
				}
				if c.TieWordEmbeddings != h.Shared || c.RMSNormEps != 1e-5 || c.RopeTheta != 10000 || c.MaxPositionEmbeddings != h.SeqLen {
					t.Fatalf("config %+v", c)
				}
				m, err := infer.New(kernels.NewCPU(1), c, values, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				tokens := []int32{3, 1, 4, 1, 5, 9 % int32(h.VocabSize), 2, 6}
				got, err := m.Logits([][]int32{tokens})
				if err != nil {
					t.Fatal(err)
				}
				ref := o.forward(tokens)
				for pos, row := range ref {
					scale := 0.0
					for _, v := range row {
						scale = math.Max(scale, math.Abs(v))
					}
					for i, v := range row {
						if g := float64(got[pos*h.VocabSize+i]); math.Abs(g-v) > 1e-4*scale {
							t.Fatalf("position %d logit %d: plateau %v, llama2.c %v", pos, i, g, v)
						}
					}
				}
			})
		}
	}
}

// TestOpenMatchesRead checks that Open, which maps the file and views its
// tensors in place, gives Read's header, config and parameters bit for bit,
// and that Write writes back the file it read, byte for byte.
func TestOpenMatchesRead(t *testing.T) {
	dir := t.TempDir()
	for hi, h := range headers {
		for _, version := range []int{0, 1} {
			t.Run(fmt.Sprintf("%d/v%d", hi, version), func(t *testing.T) {
				raw := randomOriginal(h, uint64(hi+1)).bytes(version)
				path := filepath.Join(dir, fmt.Sprintf("%d-v%d.bin", hi, version))
				if err := os.WriteFile(path, raw, 0o666); err != nil {
					t.Fatal(err)
				}
				wantH, wantC, want, err := llama2c.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				ck, err := llama2c.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer ck.Close()
				if ck.Header != wantH || ck.Config != wantC {
					t.Fatalf("Open: header %+v config %+v, Read: %+v %+v", ck.Header, ck.Config, wantH, wantC)
				}
				if !sameBits(ck.Values, want) {
					t.Fatal("Open's parameters differ from Read's")
				}
				var back bytes.Buffer
				if err := llama2c.Write(&back, wantC, want, version); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(back.Bytes(), raw) {
					t.Fatal("Write does not reproduce the file Read read")
				}
			})
		}
	}
	if _, err := llama2c.Open(filepath.Join(dir, "missing.bin")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
	bad := filepath.Join(dir, "bad.bin")
	if err := os.WriteFile(bad, []byte("not a checkpoint at all, no"), 0o666); err != nil {
		t.Fatal(err)
	}
	if _, err := llama2c.Open(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Open of a bad file: %v, want an error naming it", err)
	}
}

// sameBits reports whether two parameter lists are equal bit for bit.
func sameBits(a, b [][]float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// TestWriteErrors checks that a model llama2.c cannot hold is refused.
func TestWriteErrors(t *testing.T) {
	raw := randomOriginal(headers[0], 1).bytes(0)
	_, c, values, err := llama2c.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	eps := c
	eps.RMSNormEps = 1e-6
	cases := []struct {
		name    string
		c       model.Config
		values  [][]float32
		version int
		want    string
	}{
		{"eps", eps, values, 0, "rms_norm_eps"},
		{"version", c, values, 2, "version 2"},
		{"tensors", c, values[1:], 0, "tensors for"},
		{"shape", c, append([][]float32{values[0][1:]}, values[1:]...), 1, "values, want"},
	}
	for _, tc := range cases {
		if err := llama2c.Write(io.Discard, tc.c, tc.values, tc.version); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestReadErrors checks that damaged and unsupported files are errors that
// say what is wrong.
func TestReadErrors(t *testing.T) {
	o := randomOriginal(headers[0], 1)
	v0, v1 := o.bytes(0), o.bytes(1)
	setWord := func(b []byte, i int, v uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[4*i:], v)
		return b
	}
	cases := []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "truncated"},
		{"short header", v0[:20], "truncated"},
		{"v0 cut in a tensor", v0[:len(v0)-5], "want"},
		{"v0 trailing bytes", append(bytes.Clone(v0), 0, 0, 0, 0), "want"},
		{"v1 cut in the header", v1[:100], "truncated"},
		{"v1 cut in a tensor", v1[:len(v1)-4], "want"},
		{"bad magic", setWord(v1, 0, 0x616b3433), "is this a llama2.c checkpoint"},
		{"version 2", setWord(v1, 1, 2), "version 2"},
		{"version -1", setWord(v1, 1, 0xffffffff), "version -1"},
		{"negative dim", setWord(v0, 0, 0xfffffff0), "dim is -16"},
		{"zero layers", setWord(v0, 2, 0), "n_layers is 0"},
		{"heads not dividing dim", setWord(v0, 3, 3), "num_attention_heads"},
		{"huge dim", setWord(v0, 0, 1<<30), "more than"},
		{"bad shared flag", func() []byte { b := bytes.Clone(v1); b[36] = 7; return b }(), "shared_classifier"},
	}
	for _, c := range cases {
		_, _, _, err := llama2c.Read(bytes.NewReader(c.raw), int64(len(c.raw)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// FuzzRead checks that no input makes Read panic, and that whatever it
// accepts has every parameter at its shape.
func FuzzRead(f *testing.F) {
	small := llama2c.Header{Dim: 4, HiddenDim: 6, Layers: 1, Heads: 2, KVHeads: 1, VocabSize: 5, SeqLen: 3, Shared: true}
	for _, v := range []int{0, 1} {
		f.Add(randomOriginal(small, 1).bytes(v))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, c, values, err := llama2c.Read(bytes.NewReader(raw), int64(len(raw)))
		path := filepath.Join(dir, "ck.bin")
		if werr := os.WriteFile(path, raw, 0o666); werr != nil {
			t.Fatal(werr)
		}
		ck, oerr := llama2c.Open(path)
		if (err == nil) != (oerr == nil) {
			t.Fatalf("Read and Open disagree: %v vs %v", err, oerr)
		}
		if err != nil {
			return
		}
		defer ck.Close()
		if !sameBits(ck.Values, values) {
			t.Fatal("Open's parameters differ from Read's")
		}
		specs := c.ParamSpecs()
		if len(values) != len(specs) {
			t.Fatalf("%d tensors for %d parameters", len(values), len(specs))
		}
		for i, p := range specs {
			if len(values[i]) != p.Size() {
				t.Fatalf("%s: %d values, want %d", p.Name, len(values[i]), p.Size())
			}
		}
	})
}
