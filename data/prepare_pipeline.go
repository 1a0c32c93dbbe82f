package data

import (
	"errors"
	"runtime"
	"sync"
)

// inFlightPerWorker bounds the documents between the reader and the
// ordered emitter: memory stays at a few documents per worker however large
// the corpus.
const inFlightPerWorker = 4

// errStopped tells the reader that the pipeline was stopped by an error
// elsewhere.
var errStopped = errors.New("pipeline stopped")

// eachOrdered streams the documents of src through work on workers
// goroutines (all CPUs when workers <= 0) and hands each result to emit in
// source order, with the document's index and the document itself. One
// goroutine reads, workers compute, and the caller's goroutine emits, so
// emit needs no locking and its output is the same for any number of
// workers. The first error from the source, work or emit stops everything
// and is returned.
func eachOrdered[R any](src Source, workers int,
	work func(i int64, d Doc) (R, error),
	emit func(i int64, d Doc, r R) error,
) (SourceStats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		i int64
		d Doc
	}
	type result struct {
		job
		r   R
		err error
	}
	var (
		jobs    = make(chan job, workers)
		results = make(chan result, workers)
		slots   = make(chan struct{}, inFlightPerWorker*workers)
		done    = make(chan struct{})
		stats   SourceStats
		readErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() { // the reader
		defer close(jobs)
		var i int64
		stats, readErr = src.Each(func(d Doc) error {
			select {
			case slots <- struct{}{}:
			case <-done:
				return errStopped
			}
			select {
			case jobs <- job{i, d}:
			case <-done:
				return errStopped
			}
			i++
			return nil
		})
	})
	var workersWG sync.WaitGroup
	for range workers {
		workersWG.Go(func() {
			for j := range jobs {
				select {
				case <-done:
					return
				default:
				}
				r, err := work(j.i, j.d)
				select {
				case results <- result{j, r, err}:
				case <-done:
					return
				}
			}
		})
	}
	go func() {
		workersWG.Wait()
		close(results)
	}()

	var err error
	pending := make(map[int64]result)
	var next int64
	for res := range results {
		if err != nil {
			continue // draining after a stop
		}
		if res.err != nil {
			err = res.err
			close(done)
			continue
		}
		pending[res.i] = res
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-slots
			if e := emit(p.i, p.d, p.r); e != nil {
				err = e
				close(done)
				break
			}
		}
	}
	wg.Wait()
	if err == nil && readErr != nil && !errors.Is(readErr, errStopped) {
		err = readErr
	}
	return stats, err
}
