package cuda

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPTXEntries checks, without a GPU, that the embedded PTX defines every
// kernel the device looks up, for the architecture gen-ptx.sh targets.
func TestPTXEntries(t *testing.T) {
	for k, s := range kernelSpecs {
		if s.module == "" || s.entry == "" {
			t.Fatalf("kernel %d has no spec", k)
		}
		src, err := ptxModule(s.module)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`(?m)^\.visible \.entry ` + regexp.QuoteMeta(s.entry) + `\(`).MatchString(src) {
			t.Errorf("%s.ptx has no .entry %s", s.module, s.entry)
		}
	}
	for _, m := range modules() {
		src, _ := ptxModule(m)
		if !strings.Contains(src, "\n.target sm_80\n") {
			t.Errorf("%s.ptx does not target sm_80", m)
		}
	}
}

// TestPTXMatchesSources checks that every .cu has its embedded PTX and
// every PTX comes from a .cu the device loads, so no kernel source is left
// out of the build and no stale PTX is shipped.
func TestPTXMatchesSources(t *testing.T) {
	cus, err := filepath.Glob("*.cu")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range modules() {
		used[m] = true
	}
	for _, cu := range cus {
		m := strings.TrimSuffix(cu, ".cu")
		if _, err := ptxModule(m); err != nil {
			t.Errorf("%s: %v", cu, err)
		}
		if !used[m] {
			t.Errorf("%s: no kernel in names.go comes from it", cu)
		}
		delete(used, m)
	}
	for m := range used {
		t.Errorf("module %s has no %s.cu", m, m)
	}
	embedded, err := fs.Glob(ptxFiles, "ptx/*.ptx")
	if err != nil {
		t.Fatal(err)
	}
	if len(embedded) != len(cus) {
		t.Errorf("%d embedded PTX files for %d .cu sources", len(embedded), len(cus))
	}
	// The entries in the PTX that names.go does not list are kernels nobody
	// launches.
	listed := map[string]bool{}
	for _, s := range kernelSpecs {
		listed[s.entry] = true
	}
	entry := regexp.MustCompile(`(?m)^\.visible \.entry (\w+)\(`)
	for _, f := range embedded {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range entry.FindAllStringSubmatch(string(b), -1) {
			if !listed[m[1]] {
				t.Errorf("%s: entry %s is not in names.go", f, m[1])
			}
		}
	}
}

// TestAttnVariants checks the launch geometry the Go side assumes against
// the rule in attention.cu (128 threads, min(32, HD) columns per thread).
func TestAttnVariants(t *testing.T) {
	for _, v := range attnVariants {
		dpt := min(32, v.maxHD)
		if want := 128 / (v.maxHD / dpt); v.rows != want {
			t.Errorf("HD %d: %d rows per block, attention.cu has %d", v.maxHD, v.rows, want)
		}
	}
	for _, v := range tcVariants {
		if v.rows != 64 {
			t.Errorf("tensor-core HD %d: %d rows per block, attention_tc.cu has 64 (16 per warp, 4 warps)", v.maxHD, v.rows)
		}
	}
	for hd := 1; hd <= 200; hd++ {
		v, ok := attnVariantFor(hd)
		if hd > 128 {
			if ok {
				t.Errorf("hd %d: got variant %d, want none", hd, v.maxHD)
			}
			continue
		}
		if !ok || v.maxHD < hd || (v.maxHD > 16 && v.maxHD/2 >= hd) {
			t.Errorf("hd %d: got variant %d (ok %v), want the smallest bound >= hd", hd, v.maxHD, ok)
		}
	}
}
