//go:build plateau_cudaemu

package emu

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// Hardware limits the launcher enforces, those of every GPU since compute
// capability 7.0.
const (
	maxBlockThreads = 1024
	maxBlockZ       = 64
	maxGridYZ       = 65535
	maxGridX        = 1<<31 - 1
	maxStaticShared = 48 << 10 // static __shared__ bytes per block
	maxParams       = 32
)

// Dim3 is a grid or block shape.
type Dim3 struct{ X, Y, Z int }

func (d Dim3) String() string { return fmt.Sprintf("(%d,%d,%d)", d.X, d.Y, d.Z) }

// count is the number of threads (or blocks) in d.
func (d Dim3) count() int64 { return int64(d.X) * int64(d.Y) * int64(d.Z) }

// Module is a loaded module: the resources nvcc's PTX says each entry uses,
// and the emulated implementations of its kernels (module_<name>.cc).
type Module struct {
	c       *Context
	name    string
	entries map[string]entryInfo // from the PTX; nil when loaded without PTX
}

// entryInfo is what one PTX entry declares.
type entryInfo struct {
	maxThreads  int // .maxntid / .reqntid (__launch_bounds__); 0 if none
	sharedBytes int // static .shared memory
}

// Function is one kernel of a module, ready to launch.
type Function struct {
	m     *Module
	entry entryInfo
	k     kernelInfo
}

// Name is the kernel's entry name.
func (f *Function) Name() string { return f.k.entry }

// Registered lists the kernels compiled into the emulator, module by module
// (the EMU_KERNEL lines of the module_*.cc files).
func Registered() map[string][]string {
	out := map[string][]string{}
	for m, ks := range registered() {
		for e := range ks {
			out[m] = append(out[m], e)
		}
		slices.Sort(out[m])
	}
	return out
}

// LoadModule loads module name (a .cu file's base name) from the PTX nvcc
// made of it, as cuModuleLoadData does: it fails, as the driver's PTX
// compiler would, when an entry uses more than 48 KB of static shared
// memory. An empty ptx loads the module's emulated kernels without PTX
// (and without its launch bounds).
func (c *Context) LoadModule(name, ptx string) (*Module, error) {
	if err := c.poisoned(); err != nil {
		return nil, err
	}
	m := &Module{c: c, name: name}
	if ptx == "" {
		return m, nil
	}
	entries, err := parsePTX(ptx)
	if err != nil {
		return nil, fmt.Errorf("emulated cuModuleLoadData %s: %w", name, err)
	}
	for e, info := range entries {
		if info.sharedBytes > maxStaticShared {
			return nil, fmt.Errorf("emulated cuModuleLoadData %s: entry %s uses %d bytes of static shared memory, more than %d",
				name, e, info.sharedBytes, maxStaticShared)
		}
	}
	m.entries = entries
	return m, nil
}

// Function returns the kernel entry of the module. It must be both in the
// PTX and registered with the emulator.
func (m *Module) Function(entry string) (*Function, error) {
	f := &Function{m: m}
	if m.entries != nil {
		info, ok := m.entries[entry]
		if !ok {
			return nil, fmt.Errorf("emulated cuModuleGetFunction: module %s has no entry %s", m.name, entry)
		}
		f.entry = info
	}
	k, ok := m.c.kernels[m.name][entry]
	if !ok {
		return nil, fmt.Errorf("emulated cuModuleGetFunction: kernel %s of module %s has no emulated implementation "+
			"(add EMU_KERNEL(%s, %s) to kernels/cuda/emu/module_%s.cc)", entry, m.name, m.name, entry, m.name)
	}
	f.k = k
	return f, nil
}

// check validates a launch as cuLaunchKernel does, and more strictly: the
// parameter count must be the kernel's and every pointer parameter must be
// null or point into a device allocation. It returns the parameter values.
func (f *Function) check(grid, block Dim3, params []unsafe.Pointer) ([maxParams]uint64, error) {
	var vals [maxParams]uint64
	name := f.k.entry
	switch {
	case block.X < 1 || block.Y < 1 || block.Z < 1 || grid.X < 1 || grid.Y < 1 || grid.Z < 1:
		return vals, fmt.Errorf("launch %s: grid %v, block %v: every dimension must be at least 1", name, grid, block)
	case block.count() > maxBlockThreads || block.Z > maxBlockZ:
		return vals, fmt.Errorf("launch %s: block %v has more than %d threads (or z > %d)", name, block, maxBlockThreads, maxBlockZ)
	case f.entry.maxThreads > 0 && block.count() > int64(f.entry.maxThreads):
		return vals, fmt.Errorf("launch %s: block %v has %d threads, more than its __launch_bounds__ (%d): too many resources requested",
			name, block, block.count(), f.entry.maxThreads)
	case grid.X > maxGridX || grid.Y > maxGridYZ || grid.Z > maxGridYZ:
		return vals, fmt.Errorf("launch %s: grid %v exceeds the grid limits", name, grid)
	case len(params) != f.k.nparams:
		return vals, fmt.Errorf("launch %s: %d parameters given, the kernel takes %d", name, len(params), f.k.nparams)
	}
	for i, p := range params {
		vals[i] = *(*uint64)(p)
		switch f.k.kinds[i] {
		case 'p':
			if vals[i] != 0 && f.m.c.find(Ptr(vals[i]), 0) == nil {
				return vals, fmt.Errorf("launch %s: parameter %d is a pointer (%#x) outside device memory", name, i, vals[i])
			}
		case 'i':
			if v := vals[i] >> 32; v != 0 {
				return vals, fmt.Errorf("launch %s: parameter %d is a 32-bit integer but its slot holds %#x", name, i, vals[i])
			}
		}
	}
	return vals, nil
}

var (
	ptxEntry  = regexp.MustCompile(`^\.(?:visible|weak)\s+\.entry\s+(\w+)\(`)
	ptxBounds = regexp.MustCompile(`^\.(?:maxntid|reqntid)\s+(\d+)(?:,\s*(\d+))?(?:,\s*(\d+))?`)
	ptxShared = regexp.MustCompile(`^\s*\.shared\s+(?:\.align\s+\d+\s+)?\.([bsuf])(8|16|32|64)\s+(\w+)(?:\[(\d+)\])?;`)
)

// parsePTX reads, for every entry of a PTX module, its launch bounds and the
// static shared memory it declares (in its body, or at module scope and
// named in its body).
func parsePTX(ptx string) (map[string]entryInfo, error) {
	lines := strings.Split(ptx, "\n")
	global := map[string]int{} // module-scope shared variables
	for _, l := range lines {
		if m := ptxShared.FindStringSubmatch(l); m != nil && !strings.HasPrefix(l, "\t") && !strings.HasPrefix(l, " ") {
			global[m[3]] = sharedSize(m)
		}
	}
	out := map[string]entryInfo{}
	for i := 0; i < len(lines); i++ {
		m := ptxEntry.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		name := m[1]
		var info entryInfo
		for ; i < len(lines) && lines[i] != "{"; i++ {
			if b := ptxBounds.FindStringSubmatch(lines[i]); b != nil {
				info.maxThreads = 1
				for _, s := range b[1:] {
					if s != "" {
						n, _ := strconv.Atoi(s)
						info.maxThreads *= n
					}
				}
			}
		}
		if i == len(lines) {
			return nil, fmt.Errorf("entry %s has no body", name)
		}
		start := i
		for ; i < len(lines) && lines[i] != "}"; i++ {
		}
		body := strings.Join(lines[start:i], "\n")
		for _, l := range lines[start:i] {
			if s := ptxShared.FindStringSubmatch(l); s != nil {
				info.sharedBytes += sharedSize(s)
			}
		}
		for v, n := range global {
			if strings.Contains(body, v) {
				info.sharedBytes += n
			}
		}
		out[name] = info
	}
	return out, nil
}

// sharedSize is the size in bytes of a matched .shared declaration.
func sharedSize(m []string) int {
	bits, _ := strconv.Atoi(m[2])
	n := 1
	if m[4] != "" {
		n, _ = strconv.Atoi(m[4])
	}
	return n * bits / 8
}
