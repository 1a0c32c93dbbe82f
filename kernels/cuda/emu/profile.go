//go:build plateau_cudaemu

package emu

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// profile adds up, per kernel, the launches, threads and wall time the
// emulator spent, for choosing test shapes that fit a time budget
// (Options.Profile).
type profile struct {
	w       io.Writer
	kernels map[string]*kernelTime
}

type kernelTime struct {
	name              string
	launches, threads int64
	wall              time.Duration
}

func (p *profile) add(name string, threads int64, d time.Duration) {
	k := p.kernels[name]
	if k == nil {
		k = &kernelTime{name: name}
		p.kernels[name] = k
	}
	k.launches++
	k.threads += threads
	k.wall += d
}

// report writes one line per kernel, the slowest first.
func (p *profile) report() {
	ks := make([]*kernelTime, 0, len(p.kernels))
	var total time.Duration
	for _, k := range p.kernels {
		ks = append(ks, k)
		total += k.wall
	}
	slices.SortFunc(ks, func(a, b *kernelTime) int { return int(b.wall - a.wall) })
	fmt.Fprintf(p.w, "emulated GPU: %.2fs in kernels\n", total.Seconds())
	for _, k := range ks {
		fmt.Fprintf(p.w, "  %-32s %7d launches %12d threads %8.3fs %6.0f ns/thread\n", k.name, k.launches, k.threads,
			k.wall.Seconds(), float64(k.wall.Nanoseconds())/float64(max(1, k.threads)))
	}
}
