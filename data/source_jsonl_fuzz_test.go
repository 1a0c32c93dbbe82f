package data

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJSONLSource checks that no JSONL file makes the jsonl source panic,
// and, for plain (not gzipped) files: that skipping bad lines never fails
// and accounts for every line as a document, an empty line or field, or a
// bad line; that a strict pass fails exactly when there is a bad line; that
// each document's text is what a JSON encoder reads back from its own
// encoding; and that the progress count only grows, up to the file size.
func FuzzJSONLSource(f *testing.F) {
	f.Add([]byte("{\"text\": \"hello\"}\n{\"text\": \"\"}\n\n{\"id\": 1}\n[1]\n{\"text\": 5}\n{\"text\": \"caf\\u00e9\"}"))
	f.Add([]byte("{\"text\": \"a\\nb\"}\r\n   \n{\"text\": \"x\", \"text\": \"y\"}\n"))
	f.Add([]byte("not json\n{\"text\": null}\n{\"text\": \"\\ud800\"}\n"))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("{\"text\": \"zipped\"}\n{\"text\": \"two\"}\n"))
	zw.Close()
	f.Add(gz.Bytes())
	f.Add(gz.Bytes()[:gz.Len()/2])
	path := filepath.Join(f.TempDir(), "docs.jsonl") // one per fuzzing process, which runs inputs one at a time
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		gzipped := len(raw) >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
		pass := func(skip bool) ([]Doc, SourceStats, error) {
			src, err := OpenSource("jsonl:"+path, SourceOptions{SkipBadLines: skip})
			if err != nil {
				t.Fatal(err)
			}
			var docs []Doc
			st, err := src.Each(func(d Doc) error {
				docs = append(docs, Doc{Text: bytes.Clone(d.Text), Read: d.Read})
				return nil
			})
			return docs, st, err
		}
		docs, st, err := pass(true)
		_, _, strictErr := pass(false)
		if gzipped {
			return
		}
		if err != nil {
			t.Fatalf("skipping bad lines: %v", err)
		}
		lines := int64(bytes.Count(raw, []byte("\n")))
		if len(raw) > 0 && raw[len(raw)-1] != '\n' {
			lines++
		}
		if st.Docs+st.Empty+st.BadLines != lines || st.Docs != int64(len(docs)) {
			t.Fatalf("%d lines, stats %+v, %d documents", lines, st, len(docs))
		}
		if (strictErr != nil) != (st.BadLines > 0) {
			t.Fatalf("strict pass: %v; %d bad lines", strictErr, st.BadLines)
		}
		var read int64
		for i, d := range docs {
			if d.Read < read || d.Read > int64(len(raw)) {
				t.Fatalf("document %d: read %d after %d, file of %d bytes", i, d.Read, read, len(raw))
			}
			read = d.Read
			enc, err := json.Marshal(map[string]string{"text": string(d.Text)})
			if err != nil {
				t.Fatal(err)
			}
			var back struct{ Text string }
			if err := json.Unmarshal(enc, &back); err != nil || back.Text != string(d.Text) || len(d.Text) == 0 {
				t.Fatalf("document %d: %q does not survive JSON encoding (%v)", i, d.Text, err)
			}
		}
	})
}
