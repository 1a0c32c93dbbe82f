package data

import (
	"fmt"
	"os"
	"path/filepath"
)

// partWriter writes one side of a split as a sequence of shard files named
// PREFIX_000000.bin, PREFIX_000001.bin, ..., each of shardTokens tokens
// except the last. Documents are joined with the end-of-text id between
// them, and shard boundaries fall wherever the count says, inside
// documents too, as llm.c's shards do.
type partWriter struct {
	dir, prefix string
	format      ShardFormat
	shardTokens int64
	eot         []int32
	cur         *ShardWriter
	part        ManifestPart
}

func newPartWriter(dir, prefix string, format ShardFormat, shardTokens int64, eot int32) *partWriter {
	return &partWriter{dir: dir, prefix: prefix, format: format, shardTokens: shardTokens, eot: []int32{eot}}
}

// addDoc appends one document's tokens, preceded by the end-of-text id
// unless it is the first document. textBytes is the document's size.
func (p *partWriter) addDoc(tokens []int32, textBytes int) error {
	if p.part.Documents > 0 {
		if err := p.write(p.eot); err != nil {
			return err
		}
	}
	p.part.Documents++
	p.part.Bytes += int64(textBytes)
	return p.write(tokens)
}

// write appends tokens, starting a new shard whenever one fills up.
func (p *partWriter) write(tokens []int32) error {
	for len(tokens) > 0 {
		if p.cur == nil {
			name := fmt.Sprintf("%s_%06d.bin", p.prefix, len(p.part.Shards))
			w, err := CreateShard(filepath.Join(p.dir, name), p.format)
			if err != nil {
				return err
			}
			p.cur = w
		}
		k := int(min(int64(len(tokens)), p.shardTokens-p.cur.Tokens()))
		if err := p.cur.Write(tokens[:k]); err != nil {
			return err
		}
		p.part.Tokens += int64(k)
		tokens = tokens[k:]
		if p.cur.Tokens() == p.shardTokens {
			if err := p.closeShard(); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeShard finishes the current shard and records it.
func (p *partWriter) closeShard() error {
	sf, err := p.cur.Close()
	p.cur = nil
	if err != nil {
		return err
	}
	p.part.Shards = append(p.part.Shards, sf)
	return nil
}

// close finishes the last shard, if one is open.
func (p *partWriter) close() error {
	if p.cur == nil {
		return nil
	}
	return p.closeShard()
}

// remove deletes the shards written so far.
func (p *partWriter) remove() error {
	for _, s := range p.part.Shards {
		if err := os.Remove(filepath.Join(p.dir, s.File)); err != nil {
			return err
		}
	}
	return nil
}
