package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard"
)

// TestReloadOnSIGHUP runs the built binary with file watching off, so that
// only the signal can reload: SIGHUP picks up a good change, keeps the last
// good dataset on a bad one, and SIGTERM then ends the process with 0.
func TestReloadOnSIGHUP(t *testing.T) {
	dir, files := faultDir(t)
	bin := filepath.Join(t.TempDir(), "kforstats")
	if out, err := exec.Command(goTool(t), "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	logs := &logWatch{}
	cmd := exec.Command(bin, "serve", "--web.listen-address=127.0.0.1:0", "--data.path="+dir, "--data.watch-interval=0")
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	base := "http://" + logs.waitFor(t, listeningLine)[1]
	latest := func() int {
		t.Helper()
		resp, err := http.Get(base + "/api/v1/summary")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var s dashboard.SummaryAnswer
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&s) != nil {
			t.Fatalf("GET /api/v1/summary = %d", resp.StatusCode)
		}
		return s.Latest.Troops
	}
	before := latest()

	// A good change: an exact figure that outranks the approximate one of the same day.
	good := append(bytes.Clone(files["strength.csv"]), []byte("2026-03-03,4242,S106,exact,\"4.242\",,test figure\n")...)
	renameInto(t, dir, "strength.csv", good)
	time.Sleep(200 * time.Millisecond) // nothing watches: the figure must not change by itself
	if got := latest(); got != before {
		t.Fatalf("latest changed to %d before SIGHUP with watching off", got)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, regexp.MustCompile(`msg="dataset reloaded"`))
	if got := latest(); got != 4242 {
		t.Fatalf("after SIGHUP latest = %d, want 4242", got)
	}

	// A bad change: the last good dataset keeps serving, the log says why.
	renameInto(t, dir, "strength.csv", append(bytes.Clone(good), []byte("2026-03-04,lots,S106,exact,q,,\n")...))
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	logs.waitFor(t, regexp.MustCompile(`msg="dataset reload failed; still serving the last good dataset".*troops: \\"lots\\" is not a whole number`))
	if got := latest(); got != 4242 {
		t.Fatalf("after a bad SIGHUP reload latest = %d, want the last good 4242", got)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("kforstats after SIGTERM: %v, want exit 0\n%s", err, logs.String())
		}
	case <-time.After(waitLimit):
		t.Fatal("kforstats did not exit within the wait limit after SIGTERM")
	}
	_ = os.Remove(bin)
}
