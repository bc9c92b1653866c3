package kforstatstest

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LogWatch collects a server's log output and lets a test wait for a line.
type LogWatch struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the log; a server writes to it from its own goroutine
// or process.
func (l *LogWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns the log so far.
func (l *LogWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// WaitFor waits until the log has a match for re and returns its groups.
func (l *LogWatch) WaitFor(tb testing.TB, re *regexp.Regexp) []string {
	tb.Helper()
	deadline := time.Now().Add(WaitLimit)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(l.String()); m != nil {
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("no log line matching %s within %s; the log:\n%s", re, WaitLimit, l.String())
	return nil
}

// ListeningLine is the log line of a server that listens; its group is the
// address, the port chosen when it was told port 0.
var ListeningLine = regexp.MustCompile(`msg=listening address=(\S+)`)

// WaitReady polls url until it answers 200.
func WaitReady(tb testing.TB, client *http.Client, url string) {
	tb.Helper()
	deadline := time.Now().Add(WaitLimit)
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
	tb.Fatalf("GET %s: not ready within %s: %s", url, WaitLimit, last)
}

// Process is a kforstats binary serving, started by StartBinary.
type Process struct {
	Cmd  *exec.Cmd
	Addr string    // the address it listens on, 127.0.0.1:PORT
	Logs *LogWatch // its standard error

	done     chan error
	stopOnce sync.Once
}

// StartBinary starts bin's serve command on a free loopback port with args
// and waits for it to listen. When the test ends it is stopped as Stop
// stops it.
func StartBinary(tb testing.TB, bin string, args ...string) *Process {
	tb.Helper()
	p := &Process{Logs: &LogWatch{}, done: make(chan error, 1)}
	p.Cmd = exec.Command(bin, append([]string{"serve", "--web.listen-address=127.0.0.1:0"}, args...)...)
	p.Cmd.Stderr = p.Logs
	if err := p.Cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.done <- p.Cmd.Wait() }()
	tb.Cleanup(func() { p.Stop(tb) })
	p.Addr = p.Logs.WaitFor(tb, ListeningLine)[1]
	return p
}

// Stop sends the process SIGTERM, as a container runtime does, and fails
// the test unless it exits 0 within WaitLimit; then it is killed. Only the
// first call does anything.
func (p *Process) Stop(tb testing.TB) {
	tb.Helper()
	p.stopOnce.Do(func() {
		if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			tb.Errorf("serve: SIGTERM: %v", err)
		}
		select {
		case err := <-p.done:
			if err != nil {
				tb.Errorf("serve: %v after SIGTERM, want exit 0\n%s", err, p.Logs.String())
			}
		case <-time.After(WaitLimit):
			_ = p.Cmd.Process.Kill()
			<-p.done
			tb.Errorf("serve did not exit within %s of SIGTERM", WaitLimit)
		}
	})
}
