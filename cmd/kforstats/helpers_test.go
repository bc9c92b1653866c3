package main

// Helpers of the tests that run the server, in this process (startServe) or
// as the built binary (buildBinary). The system tests of deploy/systemtest,
// a module of their own, keep their own copies of the few they share.

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// repoPath is a path from the repository root; tests run in cmd/kforstats.
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

// buildBinary builds the binary as make build does.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "kforstats")
	cmd := exec.Command(goTool(tb), "build", "-trimpath", "-ldflags", "-X main.version=test", "-o", bin, ".") // unstripped: TestBinaryLinksNoTesting reads its symbols
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a free port.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
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

// startServe runs the serve command in this process and returns its
// address; the server stops when the test ends.
func startServe(t *testing.T, args ...string) (addr string, logs *logWatch) {
	t.Helper()
	logs = &logWatch{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"serve", "--web.listen-address=127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard, logs)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return logs.waitFor(t, listeningLine)[1], logs
}
