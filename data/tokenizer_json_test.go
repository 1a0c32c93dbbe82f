package data

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestWriteJSONLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := handTokenizer(t).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var f struct {
		AddedTokens []struct {
			ID      int
			Content string
			Special bool
		} `json:"added_tokens"`
		PreTokenizer map[string]any `json:"pre_tokenizer"`
		Decoder      map[string]any
		Model        struct {
			Type   string
			Vocab  map[string]int
			Merges []string
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &f); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if len(f.AddedTokens) != 1 || f.AddedTokens[0].ID != 259 || f.AddedTokens[0].Content != EndOfText || !f.AddedTokens[0].Special {
		t.Errorf("added_tokens = %+v, want one special %s with id 259", f.AddedTokens, EndOfText)
	}
	if f.PreTokenizer["type"] != "ByteLevel" || f.PreTokenizer["add_prefix_space"] != false || f.PreTokenizer["use_regex"] != true {
		t.Errorf("pre_tokenizer = %v", f.PreTokenizer)
	}
	if f.Decoder["type"] != "ByteLevel" {
		t.Errorf("decoder = %v", f.Decoder)
	}
	if f.Model.Type != "BPE" {
		t.Errorf("model.type = %q", f.Model.Type)
	}
	// GPT-2's mapping: printable bytes stand for themselves, space is U+0120
	// "Ġ", newline U+010A "Ċ", byte 0 U+0100 "Ā", 0xAD U+0143 "Ń".
	for tok, id := range map[string]int{"a": 'a', "Ġ": ' ', "Ċ": '\n', "Ā": 0, "Ń": 0xAD, "ÿ": 0xFF, "Ġab": 258, EndOfText: 259} {
		if got, ok := f.Model.Vocab[tok]; !ok || got != id {
			t.Errorf("vocab[%q] = %d, %v, want %d", tok, got, ok, id)
		}
	}
	if want := []string{"a b", "ab c", "Ġ ab"}; !slices.Equal(f.Model.Merges, want) {
		t.Errorf("merges = %q, want %q", f.Model.Merges, want)
	}
	if !strings.Contains(buf.String(), `"<|endoftext|>"`) {
		t.Error("end-of-text token is HTML-escaped")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	for _, tok := range []*Tokenizer{handTokenizer(t), testTokenizer(t), testGPT2(t)} {
		var buf bytes.Buffer
		if err := tok.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		got, err := ReadTokenizerJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if got.eot != tok.eot || !slices.Equal(got.merges, tok.merges) || !slices.EqualFunc(got.tokens, tok.tokens, bytes.Equal) {
			t.Fatal("read tokenizer differs from the written one")
		}
		docs, _ := smallDocs()
		for _, d := range append(docs[:5], []byte("\xff\x00 odd \u3000 bytes 👋")) {
			if !slices.Equal(got.Encode(d), tok.Encode(d)) {
				t.Fatalf("encodings differ for %.40q", d)
			}
		}
		var again bytes.Buffer
		if err := got.WriteJSON(&again); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), buf.Bytes()) {
			t.Error("writing the read tokenizer gives different bytes")
		}
	}
}

// miniJSON is a valid tokenizer.json template for a byte tokenizer with the
// merge a+b; placeholders are replaced by the error tests.
func miniJSON(t testing.TB) string {
	t.Helper()
	tokens := make([][]byte, 0, 258)
	for b := range 256 {
		tokens = append(tokens, []byte{byte(b)})
	}
	tokens = append(tokens, []byte("ab"), []byte(EndOfText))
	tok, err := newTokenizer(tokens, []mergeRule{{'a', 'b', 256}}, 257)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tok.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestReadTokenizerJSONAccepts(t *testing.T) {
	base := miniJSON(t)
	tests := []struct {
		name, old, new string
	}{
		{"as written", "", ""},
		{"pair merges", `"a b"`, `["a", "b"]`},
		{"eot only in added_tokens", `"ab": 256,` + "\n" + `      "<|endoftext|>": 257`, `"ab": 256`},
		{"null decoder", `"decoder": {`, `"decoder": null, "x": {`},
		{"byte-level post-processor", `"post_processor": null`, `"post_processor": {"type": "ByteLevel", "trim_offsets": false}`},
		{"use_regex defaulted", `"use_regex": true`, `"unused": true`},
		{"legacy model without type", `"type": "BPE",`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			if tt.old != "" {
				if !strings.Contains(in, tt.old) {
					t.Fatalf("template lacks %q", tt.old)
				}
				in = strings.Replace(in, tt.old, tt.new, 1)
			}
			tok, err := ReadTokenizerJSON(strings.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			if got := tok.Encode([]byte("abc")); !slices.Equal(got, []int32{256, 'c'}) {
				t.Errorf("Encode(abc) = %v", got)
			}
			if tok.EOT() != 257 || tok.VocabSize() != 258 {
				t.Errorf("EOT %d, VocabSize %d; want 257, 258", tok.EOT(), tok.VocabSize())
			}
		})
	}
}

func TestReadTokenizerJSONRejects(t *testing.T) {
	base := miniJSON(t)
	tests := []struct {
		name, old, new, wantErr string
	}{
		{"not JSON", "{", "[", "invalid character"},
		{"trailing data", "", "", "trailing data"},
		{"missing model", `"model": {`, `"model": null, "x": {`, "missing model"},
		{"wrong model type", `"type": "BPE"`, `"type": "WordPiece"`, `model: type "WordPiece", want BPE`},
		{"eot id differs", `"id": 257`, `"id": 258`, `"<|endoftext|>" has id 257, but added_tokens gives 258`},
		{"no type and no merges", "", minimal(`{"vocab": {}}`), `model: type "", want BPE`},
		{"eot beyond vocab", "", minimal(`{"type": "BPE", "vocab": {"<|endoftext|>": 257}, "merges": []}`), `has id 257; ids of 1 tokens must be 0..0`},
		{"dropout", `"dropout": null`, `"dropout": 0.1`, "dropout 0.1"},
		{"suffix", `"end_of_word_suffix": null`, `"end_of_word_suffix": "</w>"`, "end_of_word_suffix"},
		{"ignore merges", `"fuse_unk": false`, `"fuse_unk": false, "ignore_merges": true`, "ignore_merges true"},
		{"normalizer", `"normalizer": null`, `"normalizer": {"type": "NFC"}`, "normalizer: want null"},
		{"no pre-tokenizer", `"pre_tokenizer": {`, `"pre_tokenizer": null, "x": {`, "pre_tokenizer: missing"},
		{"prefix space", `"add_prefix_space": false`, `"add_prefix_space": true`, "add_prefix_space true"},
		{"no regex", `"use_regex": true`, `"use_regex": false`, "want ByteLevel"},
		{"other decoder", `"decoder": {
    "type": "ByteLevel"`, `"decoder": {
    "type": "WordPiece"`, `decoder: got type "WordPiece"`},
		{"no added tokens", `"added_tokens": [`, `"added_tokens": [], "x": [`, `no "<|endoftext|>" token`},
		{"other added token", `"content": "<|endoftext|>"`, `"content": "<pad>"`, `unsupported added token "<pad>"`},
		{"eot id mismatch", `"id": 257`, `"id": 256`, `"<|endoftext|>" has id 257, but added_tokens gives 256`},
		{"duplicate token", `"ab": 256`, `"ab": 256, "ab": 258`, `duplicate token "ab"`},
		{"duplicate id", `"ab": 256`, `"ab": 255`, `share id 255`},
		{"id gap", `"ab": 256`, `"ab": 300`, `token "ab" has id 300`},
		{"negative id", `"ab": 256`, `"ab": -1`, `id -1 is not an integer`},
		{"fractional id", `"ab": 256`, `"ab": 1.5`, `id 1.5 is not an integer`},
		{"not byte-level", `"ab": 256`, `"a b": 256`, `token "a b" (id 256) is not in GPT-2 byte-level form`},
		{"missing byte", `"Ā": 0,`, `"ĀĀ": 0,`, "no token for byte 0x00"},
		{"merge of unknown token", `"a b"`, `"a z"`, `model.merges[0]: token "az" not in vocab`},
		{"merge form", `"a b"`, `"a b c"`, `want two tokens separated by one space`},
		{"merge array form", `"a b"`, `["a"]`, `want "left right"`},
		{"duplicate merge", `"a b"`, `"a b", "a b"`, `merge 1 repeats merge 0`},
		{"vocab not object", `"vocab": {`, `"vocab": [], "x": {`, "vocab: want an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base
			switch {
			case tt.name == "trailing data":
				in += "{}"
			case tt.old == "":
				in = tt.new
			case !strings.Contains(in, tt.old):
				t.Fatalf("template lacks %q", tt.old)
			default:
				in = strings.Replace(in, tt.old, tt.new, 1)
			}
			_, err := ReadTokenizerJSON(strings.NewReader(in))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// minimal returns a tokenizer.json with the given model and otherwise valid
// fields.
func minimal(model string) string {
	return `{"added_tokens": [{"id": 257, "content": "<|endoftext|>"}], "pre_tokenizer": {"type": "ByteLevel"}, "model": ` + model + `}`
}

func FuzzReadTokenizerJSON(f *testing.F) {
	base := miniJSON(f)
	f.Add([]byte(base))
	f.Add([]byte(strings.Replace(base, `"a b"`, `["a", "b"]`, 1)))
	f.Add([]byte(strings.Replace(base, `"ab": 256`, `"ab": 2560`, 1)))
	f.Add([]byte(minimal(`{"type": "BPE", "vocab": {"<|endoftext|>": 257}, "merges": []}`)))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	sp, err := newSentencePiece([]string{"<unk>", "<s>", "</s>", "<0x61>", " ", "a", "b", " a", "ab", " ab"},
		[]float32{0, 0, 0, 0, -9, -8, -7, -1, -2, -3}, 0, 1, 2)
	if err != nil {
		f.Fatal(err)
	}
	var spJSON bytes.Buffer
	if err := sp.WriteJSON(&spJSON); err != nil {
		f.Fatal(err)
	}
	f.Add(spJSON.Bytes())
	f.Fuzz(func(t *testing.T, in []byte) {
		tok, err := ReadTokenizerJSON(bytes.NewReader(in))
		if err != nil {
			return
		}
		text := []byte("ab abc \xff the end")
		// A sentencepiece vocabulary spells only the characters it has
		// (and bytes it has fallbacks for); the rest become <unk>.
		if got, err := tok.Decode(tok.Encode(text)); !tok.SentencePiece() && (err != nil || !bytes.Equal(got, text)) {
			t.Fatalf("accepted tokenizer does not round-trip: %q, %v", got, err)
		}
		var buf bytes.Buffer
		if err := tok.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ReadTokenizerJSON(&buf)
		if err != nil {
			t.Fatalf("rereading a written tokenizer: %v", err)
		}
		if !slices.Equal(again.Encode(text), tok.Encode(text)) {
			t.Fatal("rereading changed the encoding")
		}
	})
}
