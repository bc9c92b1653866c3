package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
)

// TestBinaryLinksNoTesting: nothing test-only is linked into kforstats. The
// symbols of the built binary, as go tool nm lists them, hold none of
// package testing or its subpackages (testing/fstest and the like), which
// a product file importing one, or a dependency doing so, would bring in;
// nor any of kforstatstest, the helpers the tests share.
func TestBinaryLinksNoTesting(t *testing.T) {
	bin := buildBinary(t)
	out, err := exec.Command(kforstatstest.GoTool(t), "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm %s: %v", bin, err)
	}
	if !strings.Contains(string(out), " main.main") {
		t.Fatalf("go tool nm lists no main.main: the binary is stripped, and the check would pass on anything")
	}
	var found []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && (strings.HasPrefix(f[2], "testing.") || strings.HasPrefix(f[2], "testing/") || strings.Contains(f[2], "/kforstatstest.")) {
			found = append(found, f[2])
		}
	}
	if len(found) > 0 {
		t.Errorf("kforstats links %d symbols of package testing or kforstatstest, such as %s; go list -deps ./cmd/kforstats and go mod why name what imports it", len(found), strings.Join(found[:min(5, len(found))], ", "))
	}
}

// TestUsageErrorsSaySo: a mistake in the command line exits 2 and says on
// standard error what is wrong, naming the flag, once; the built binary
// too (its main printed nothing for these before, exiting 2 in silence).
func TestUsageErrorsSaySo(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "charts", "--chart", "world-map", "--date", "1990-01-01"}, "--date: 1990-01-01 is before KFOR began"},
		{[]string{"export", "charts", "--chart", "nope"}, `--chart "nope": no such chart`},
		{[]string{"export", "charts", "--format", "gif"}, `--format "gif"`},
		{[]string{"export", "nope"}, `unknown export format "nope"`},
		{[]string{"serve", "--web.trusted-proxies=10.0.0.0/33"}, "--web.trusted-proxies"},
		{[]string{"serve", "--log.level=loud"}, `--log.level "loud" is not a level`},
		{[]string{"serve", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"export", "openmetrics", "--step", "1m"}, "--step 1m"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, func(string) string { return "" }, io.Discard, &stderr)
		code := exitCode(err, &stderr)
		if code != 2 || strings.Count(stderr.String(), tc.want) != 1 {
			t.Errorf("kforstats %s: exit %d, stderr %q; want 2 and %q said once", strings.Join(tc.args, " "), code, stderr.String(), tc.want)
		}
	}
	for _, tc := range []struct {
		err  error
		code int
		want string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{errors.New("cannot load the dataset"), 1, "kforstats: cannot load the dataset\n"},
	} {
		var stderr bytes.Buffer
		if code := exitCode(tc.err, &stderr); code != tc.code || stderr.String() != tc.want {
			t.Errorf("exitCode(%v) = %d, stderr %q; want %d, %q", tc.err, code, stderr.String(), tc.code, tc.want)
		}
	}

	bin := buildBinary(t)
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "export", "charts", "--chart", "structure-map", "--date", "2040-01-01", "--out", t.TempDir())
	cmd.Stderr = &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), "kforstats: --date: 2040-01-01") {
		t.Errorf("the binary's export charts --date 2040-01-01: %v, stderr %q; want exit status 2 naming --date", err, stderr.String())
	}
}
