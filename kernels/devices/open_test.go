package devices

import (
	"flag"
	"strings"
	"testing"
)

func TestOpenCPU(t *testing.T) {
	for _, prec := range []string{"", "fp32"} {
		d, err := Open("cpu", 1, prec)
		if err != nil {
			t.Fatalf("Open(cpu, %q): %v", prec, err)
		}
		if !strings.HasPrefix(d.Name(), "cpu") {
			t.Errorf("Open(cpu).Name() = %q", d.Name())
		}
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	cases := []struct{ name, prec, want string }{
		{"cpu", "tf32", "fp32 only"},
		{"cpu", "bf16", "fp32 only"},
		{"gpu", "", `device "gpu": want cpu or cuda`},
		{"", "", `device "": want cpu or cuda`},
		{"cuda:x", "", "want cuda:N"},
		{"cuda:-1", "", "want cuda:N"},
	}
	for _, c := range cases {
		d, err := Open(c.name, 1, c.prec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Open(%q, %q): device %v, error %v; want an error containing %q", c.name, c.prec, d, err, c.want)
		}
	}
}

func TestFlags(t *testing.T) {
	var f Flags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f.Register(fs)
	if err := fs.Parse([]string{"-device", "cpu", "-threads", "1"}); err != nil {
		t.Fatal(err)
	}
	d, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	f.Device = "tpu"
	if _, err := f.Open(); err == nil || !strings.HasPrefix(err.Error(), "flag -device: ") {
		t.Errorf("Open with -device tpu: error %v, want one naming the flag", err)
	}
}
