package report

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Provenance says where and how a report was made, so a reader can tell
// which machine, which code and which command produced its numbers.
type Provenance struct {
	Command   string    `json:"command"`          // the command line that reproduces the report
	Commit    string    `json:"commit"`           // the source revision ("unknown" outside a git checkout)
	Dirty     bool      `json:"dirty,omitempty"`  // the checkout had uncommitted changes
	GoVersion string    `json:"go_version"`       // the toolchain that built the binary
	Platform  string    `json:"platform"`         // GOOS/GOARCH
	CPU       string    `json:"cpu,omitempty"`    // the processor's model name, where the OS says it
	Threads   int       `json:"threads"`          // GOMAXPROCS
	Device    string    `json:"device,omitempty"` // the training device of the sweep, when known
	Created   time.Time `json:"created"`          // when the report was written
}

// Collect fills a Provenance for this process: the commit comes from the
// binary's build information, or from git in the working directory when
// the binary was built without it (go run).
func Collect(command, device string) Provenance {
	p := Provenance{
		Command:   command,
		Commit:    "unknown",
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		CPU:       cpuModel(),
		Threads:   runtime.GOMAXPROCS(0),
		Device:    device,
		Created:   time.Now().UTC().Truncate(time.Second),
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				p.Commit = s.Value
			case "vcs.modified":
				p.Dirty = s.Value == "true"
			}
		}
	}
	if p.Commit == "unknown" {
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			p.Commit = strings.TrimSpace(string(out))
			if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
				p.Dirty = len(strings.TrimSpace(string(st))) > 0
			}
		}
	}
	return p
}

// cpuModel reads the processor's name from /proc/cpuinfo on Linux; elsewhere
// it is empty.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
