package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard"
)

// TestReloadOnSIGHUP runs the built binary with file watching off, so that
// only the signal can reload: SIGHUP picks up a good change, keeps the last
// good dataset on a bad one, and SIGTERM then ends the process with 0.
func TestReloadOnSIGHUP(t *testing.T) {
	dir, files := faultDir(t)
	bin := buildBinary(t)
	srv := kforstatstest.StartBinary(t, bin, "--data.path="+dir, "--data.watch-interval=0")
	base := "http://" + srv.Addr
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
	if err := srv.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	srv.Logs.WaitFor(t, regexp.MustCompile(`msg="dataset reloaded"`))
	if got := latest(); got != 4242 {
		t.Fatalf("after SIGHUP latest = %d, want 4242", got)
	}

	// A bad change: the last good dataset keeps serving, the log says why.
	renameInto(t, dir, "strength.csv", append(bytes.Clone(good), []byte("2026-03-04,lots,S106,exact,q,,\n")...))
	if err := srv.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	srv.Logs.WaitFor(t, regexp.MustCompile(`msg="dataset reload failed; still serving the last good dataset".*troops: \\"lots\\" is not a whole number`))
	if got := latest(); got != 4242 {
		t.Fatalf("after a bad SIGHUP reload latest = %d, want the last good 4242", got)
	}

	srv.Stop(t) // SIGTERM, and exit 0
	_ = os.Remove(bin)
}
