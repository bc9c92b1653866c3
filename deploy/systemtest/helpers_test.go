package systemtest

// Helpers of the system tests alone: the kforstats binary, built once per
// run and started as the deployments start it, and the check of the flags
// a deployment file gives it. What they share with cmd/kforstats' own tests
// (the repository's files, the tools a check needs, the log, /metrics) is
// in package kforstatstest.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
)

// buildDir holds the binary the tests build; TestMain removes it.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kforstats-systemtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// builds are the binaries of ./cmd/kforstats, without and with -race,
// each built on first use and shared by every test of the run.
var builds [2]struct {
	once sync.Once
	bin  string
	err  error
}

// kforstats returns the binary of ./cmd/kforstats as make build builds it,
// or with -race when the tests run with -race, so that the server the
// tests drive is checked for data races as the tests are.
func kforstats(tb testing.TB) string {
	tb.Helper()
	return build(tb, raceEnabled())
}

// kforstatsPlain returns the binary as make build builds it, even under
// -race: for what the race detector would change, such as memory.
func kforstatsPlain(tb testing.TB) string {
	tb.Helper()
	return build(tb, false)
}

func build(tb testing.TB, race bool) string {
	tb.Helper()
	b := &builds[0]
	if race {
		b = &builds[1]
	}
	b.once.Do(func() {
		bin := filepath.Join(buildDir, "kforstats")
		args := []string{"build", "-trimpath", "-ldflags", "-s -w -X main.version=systemtest"}
		env := append(os.Environ(), "CGO_ENABLED=0")
		if race {
			bin += "-race"
			args = append(args, "-race")
			env = append(os.Environ(), "CGO_ENABLED=1")
		}
		cmd := exec.Command(kforstatstest.GoTool(tb), append(args, "-o", bin, "./cmd/kforstats")...)
		cmd.Dir, cmd.Env = kforstatstest.RepoPath(tb), env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
			return
		}
		b.bin = bin
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.bin
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}

// checkFlags asserts that a kforstats command line as a deployment file
// writes it (without the program name) has only flags the command knows:
// a typo there is a container that never starts. The binary, given the
// line and --help, prints the command's usage and exits 0 only if every
// flag before --help parsed.
func checkFlags(tb testing.TB, where string, args []string) {
	tb.Helper()
	bin := kforstats(tb)
	ctx, cancel := context.WithTimeout(context.Background(), kforstatstest.WaitLimit)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(slices.Clone(args), "--help")...)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	err := cmd.Run()
	if err != nil || !strings.HasPrefix(stderr.String(), "Usage: kforstats ") {
		tb.Errorf("%s: kforstats %s: %v, want every flag known\n%s", where, strings.Join(args, " "), err, stderr.String())
	}
}

// startServe starts the binary's serve command on a free loopback port and
// returns its address. When the test ends it gets SIGTERM, as a container
// does, and must exit 0.
func startServe(t *testing.T, args ...string) (addr string, logs *kforstatstest.LogWatch) {
	t.Helper()
	p := kforstatstest.StartBinary(t, kforstats(t), args...)
	return p.Addr, p.Logs
}
