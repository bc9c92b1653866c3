package systemtest

// Helpers shared by the system tests: the repository's files, the tools a
// check needs, and the kforstats binary, built once per run and started as
// the deployments start it. cmd/kforstats' own tests, which run the server
// in their process, keep their own logWatch, waitReady, waitMetrics and
// scrape.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// kforstats returns the binary of ./cmd/kforstats, built on first use and
// shared by every test of the run: as make build builds it, or with -race
// when the tests run with -race, so that the server the tests drive is
// checked for data races as the tests are.
func kforstats(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		bin := filepath.Join(buildDir, "kforstats")
		args := []string{"build", "-trimpath", "-ldflags", "-s -w -X main.version=systemtest", "-o", bin}
		env := append(os.Environ(), "CGO_ENABLED=0")
		if raceEnabled() {
			args = append(args, "-race")
			env = append(os.Environ(), "CGO_ENABLED=1")
		}
		cmd := exec.Command(goTool(tb), append(args, "./cmd/kforstats")...)
		cmd.Dir, cmd.Env = repoPath(), env
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(cmd.Args[1:], " "), err, out)
			return
		}
		builtBin = bin
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return builtBin
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	return ok && slices.ContainsFunc(bi.Settings, func(s debug.BuildSetting) bool { return s.Key == "-race" && s.Value == "true" })
}

// repoPath is a path from the repository root; tests run in deploy/systemtest.
func repoPath(elem ...string) string {
	return filepath.Join(append([]string{"..", ".."}, elem...)...)
}

func readRepoFile(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(repoPath(elem...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// needTool finds a program a check needs. In CI a missing one fails the
// test; elsewhere it skips with the command that installs it.
func needTool(tb testing.TB, name, install string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is needed and missing (%s)", name, install)
	}
	tb.Skipf("%s is missing; install it with: %s", name, install)
	return ""
}

// goTool returns the go command that runs this test, for `go run` and `go build`.
func goTool(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if root := os.Getenv("GOROOT"); root != "" {
		return filepath.Join(root, "bin", "go")
	}
	tb.Fatal("no go command on PATH")
	return ""
}

// checkFlags asserts that a kforstats command line as a deployment file
// writes it (without the program name) has only flags the command knows:
// a typo there is a container that never starts. The binary, given the
// line and --help, prints the command's usage and exits 0 only if every
// flag before --help parsed.
func checkFlags(tb testing.TB, where string, args []string) {
	tb.Helper()
	bin := kforstats(tb)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(slices.Clone(args), "--help")...)
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	err := cmd.Run()
	if err != nil || !strings.HasPrefix(stderr.String(), "Usage: kforstats ") {
		tb.Errorf("%s: kforstats %s: %v, want every flag known\n%s", where, strings.Join(args, " "), err, stderr.String())
	}
}

// waitLimit bounds every wait for a server to do something; it is a guard
// against hanging, never a measure of speed.
const waitLimit = 30 * time.Second

// logWatch collects a server's log output and lets a test wait for a line.
type logWatch struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor waits until the log has a match for re and returns its groups.
func (l *logWatch) waitFor(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("no log line matching %s within %s; the log:\n%s", re, waitLimit, l.String())
	return nil
}

var listeningLine = regexp.MustCompile(`msg=listening address=(\S+)`)

// waitReady polls url until it answers 200.
func waitReady(tb testing.TB, client *http.Client, url string) {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	var last string
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("GET %s: not ready within %s: %s", url, waitLimit, last)
}

// startServe starts the binary's serve command on a free loopback port and
// returns its address. When the test ends it gets SIGTERM, as a container
// does, and must exit 0.
func startServe(t *testing.T, args ...string) (addr string, logs *logWatch) {
	t.Helper()
	logs = &logWatch{}
	cmd := exec.Command(kforstats(t), append([]string{"serve", "--web.listen-address=127.0.0.1:0"}, args...)...)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			t.Errorf("serve: SIGTERM: %v", err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, logs.String())
			}
		case <-time.After(waitLimit):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("serve did not exit within %s of SIGTERM", waitLimit)
		}
	})
	return logs.waitFor(t, listeningLine)[1], logs
}

// get fetches url and returns its body, failing the test on anything but 200.
func get(tb testing.TB, url string) []byte {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %s: %s", url, resp.Status, b)
	}
	return b
}

// scrape reads /metrics into series name{labels sorted} -> value.
func scrape(tb testing.TB, base string) map[string]float64 {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(get(tb, base+"/metrics")))
	if err != nil {
		tb.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[seriesKey(name, m.GetLabel())] = value(m)
		}
	}
	return out
}

func seriesKey(name string, labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return name
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l.GetName() + `="` + l.GetValue() + `"`
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return math.NaN()
}

// waitMetrics polls /metrics until cond holds of its samples.
func waitMetrics(tb testing.TB, base, what string, cond func(m map[string]float64) bool) map[string]float64 {
	tb.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		m := scrape(tb, base)
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			tb.Fatalf("/metrics: not %s within %s: %v", what, waitLimit, m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
