package cuda

import (
	"embed"
	"fmt"
)

// ptxFiles holds the PTX that scripts/gen-ptx.sh made from the .cu sources,
// one file per source (ptx/<module>.ptx).
//
//go:embed ptx/*.ptx
var ptxFiles embed.FS

// ptxModule returns the PTX text of one module (a .cu file's base name).
func ptxModule(module string) (string, error) {
	b, err := ptxFiles.ReadFile("ptx/" + module + ".ptx")
	if err != nil {
		return "", fmt.Errorf("embedded PTX for %s.cu: %w (run go generate ./kernels/cuda)", module, err)
	}
	return string(b), nil
}

// modules lists the PTX modules the kernels need, each once, in the order of
// kernelSpecs.
func modules() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range kernelSpecs {
		if !seen[s.module] {
			seen[s.module] = true
			out = append(out, s.module)
		}
	}
	return out
}
