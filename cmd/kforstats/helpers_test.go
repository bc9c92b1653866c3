package main

// Helpers of the tests that run the server, in this process (startServe) or
// as the built binary (buildBinary). What they share with the system tests
// of deploy/systemtest is in package kforstatstest.

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
)

// buildBinary builds the binary as make build does.
func buildBinary(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "kforstats")
	cmd := exec.Command(kforstatstest.GoTool(tb), "build", "-trimpath", "-ldflags", "-X main.version=test", "-o", bin, ".") // unstripped: TestBinaryLinksNoTesting reads its symbols
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServe runs the serve command in this process and returns its
// address; the server stops when the test ends.
func startServe(t *testing.T, args ...string) (addr string, logs *kforstatstest.LogWatch) {
	t.Helper()
	logs = &kforstatstest.LogWatch{}
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
	return logs.WaitFor(t, kforstatstest.ListeningLine)[1], logs
}
