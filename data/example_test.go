package data_test

import (
	"fmt"
	"log"

	"github.com/plateau-lab/plateau/data"
)

// Example trains a small tokenizer on the built-in corpus and prepares
// training and validation batches from it.
func Example() {
	corpus, err := data.Builtin()
	if err != nil {
		log.Fatal(err)
	}
	trainDocs, valDocs, err := data.Split(corpus, 0.05, 1)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := data.TrainBPE(trainDocs, 512)
	if err != nil {
		log.Fatal(err)
	}
	text, err := tok.Decode(tok.Encode([]byte("Call me Ishmael.")))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d tokens, EOT %d, round trip %q\n", tok.VocabSize(), tok.EOT(), text)

	const batch, seq = 8, 128
	batcher, err := data.NewBatcher(data.Tokenize(tok, trainDocs, 0), batch, seq, 1)
	if err != nil {
		log.Fatal(err)
	}
	ids, targets := make([]int32, batch*seq), make([]int32, batch*seq)
	if err := batcher.Batch(0, ids, targets); err != nil {
		log.Fatal(err)
	}
	fmt.Println("targets shifted:", ids[1] == targets[0])

	val, err := data.ValBatches(data.Tokenize(tok, valDocs, 0), batch, seq, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("validation batches:", len(val))
	// Output:
	// 512 tokens, EOT 511, round trip "Call me Ishmael."
	// targets shifted: true
	// validation batches: 4
}
