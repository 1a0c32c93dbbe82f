//go:build plateau_cudaemu

package emu

/*
#cgo CXXFLAGS: -std=c++20 -O2 -fsanitize=alignment -I${SRCDIR}
#cgo LDFLAGS: -lboost_context
#include <stdlib.h>
#include "emu.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// kernelInfo is one kernel compiled into the emulator (a module_*.cc
// registration).
type kernelInfo struct {
	index          int
	module, entry  string
	kinds          string // one ParamKind letter per parameter
	nparams        int
	implementation string // where it was registered, for messages
}

// registered lists the kernels compiled into this binary, by module and
// entry name.
func registered() map[string]map[string]kernelInfo {
	out := map[string]map[string]kernelInfo{}
	n := int(C.emu_kernel_count())
	for i := range n {
		var module, name, kinds *C.char
		var np C.int
		C.emu_kernel_info(C.int(i), &module, &name, &np, &kinds)
		k := kernelInfo{index: i, module: C.GoString(module), entry: C.GoString(name), kinds: C.GoString(kinds), nparams: int(np)}
		k.implementation = "kernels/cuda/emu/module_" + k.module + ".cc"
		if out[k.module] == nil {
			out[k.module] = map[string]kernelInfo{}
		}
		out[k.module][k.entry] = k
	}
	return out
}

// worker runs blocks on whatever OS thread its goroutine is on; it keeps
// fiber stacks between launches. A worker serves one goroutine at a time.
type worker struct {
	w   *C.emu_worker
	err [2048]C.char
}

func newWorker() *worker { return &worker{w: C.emu_worker_new()} }

func (w *worker) free() {
	if w.w != nil {
		C.emu_worker_free(w.w)
		w.w = nil
	}
}

// run runs blocks first..first+count-1 of a launch.
func (w *worker) run(k *kernelInfo, grid, block Dim3, params []uint64, first, count int64) error {
	g := [3]C.uint{C.uint(grid.X), C.uint(grid.Y), C.uint(grid.Z)}
	b := [3]C.uint{C.uint(block.X), C.uint(block.Y), C.uint(block.Z)}
	var p *C.uint64_t
	if len(params) > 0 {
		p = (*C.uint64_t)(unsafe.Pointer(&params[0]))
	}
	if C.emu_run_blocks(w.w, C.int(k.index), &g[0], &b[0], p, C.int(len(params)), C.longlong(first), C.longlong(count),
		&w.err[0], C.int(len(w.err))) != 0 {
		return fmt.Errorf("%s", C.GoString(&w.err[0]))
	}
	return nil
}
