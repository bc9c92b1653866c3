// Package kforstatstest is what the tests of the kforstats command share
// with the system tests of deploy/systemtest, a module of its own: the
// repository's files, the tools a check needs, a free port, a server's log
// and readiness, a started binary, /metrics as samples, and the hot routes
// the benchmark and the load run both serve. Like net/http/httptest it sits
// beside what it tests; only tests import it, and TestBinaryLinksNoTesting
// checks that the kforstats binary does not.
package kforstatstest

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// WaitLimit bounds every wait for a server to do something; it is a guard
// against hanging, never a measure of speed.
const WaitLimit = 30 * time.Second

// module is the module path whose go.mod marks the repository's root.
const module = "github.com/kforstats/kforstats"

// root finds the repository's root once, from the directory a test runs in
// (cmd/kforstats, deploy/systemtest or any other below the root).
var root = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRoot(filepath.Join(dir, "go.mod")) {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", os.ErrNotExist
		}
		dir = up
	}
})

// isRoot reports whether the go.mod at path declares the module.
func isRoot(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		if f := bytes.Fields(s.Bytes()); len(f) == 2 && string(f[0]) == "module" && string(f[1]) == module {
			return true
		}
	}
	return false
}

// RepoPath is the absolute path of elem from the repository's root.
func RepoPath(tb testing.TB, elem ...string) string {
	tb.Helper()
	dir, err := root()
	if err != nil {
		tb.Fatalf("no directory above the test's holds the go.mod of %s: %v", module, err)
	}
	return filepath.Join(append([]string{dir}, elem...)...)
}

// ReadRepoFile reads the file at elem from the repository's root.
func ReadRepoFile(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(RepoPath(tb, elem...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// NeedTool finds a program a check needs. In CI (CI=true) a missing one
// fails the test; elsewhere it skips with the command that installs it.
func NeedTool(tb testing.TB, name, install string) string {
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

// GoTool returns the go command that runs this test, for `go run` and `go build`.
func GoTool(tb testing.TB) string {
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

// FreeAddr returns a loopback address with a port nothing listens on right
// now, for a server that cannot be told to listen on port 0.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
