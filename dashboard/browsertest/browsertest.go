// Package browsertest finds and starts the headless Chromium that the
// browser tests drive: the dashboard's page, the chart images compared with
// Chromium's canvas, and the load run's navigation timing. Only test files
// import it, so chromedp is linked into test binaries only, never into
// kforstats itself.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is Debian's Chromium, which .ci/deps installs.
const Path = "/usr/bin/chromium"

// Find returns Chromium's path, or exec.LookPath's error, which names it.
// A caller that must have Chromium whatever the environment, as the load
// run must, fails on the error; tests call Need.
func Find() (string, error) { return exec.LookPath(Path) }

// Need returns Chromium's path for a test that needs it to do what, such as
// "to run the browser test". In CI (CI=true) a missing Chromium fails the
// test; on a developer's machine it skips with a note, as -short does.
func Need(tb testing.TB, what string) string {
	tb.Helper()
	return need(tb, Path, os.Getenv("CI") == "true", what)
}

func need(tb testing.TB, path string, ci bool, what string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("skipped in -short mode, which starts no Chromium")
	}
	p, err := exec.LookPath(path)
	if err == nil {
		return p
	}
	if ci {
		tb.Fatalf("Chromium is missing at %s (run bash .ci/deps): %v", path, err)
	}
	tb.Skipf("Chromium is missing at %s; install it with bash .ci/deps %s", path, what)
	return ""
}

// New starts the Chromium at exe headless, off the network (no background
// networking, component updates, sync or QUIC), without sandbox, GPU or
// first-run dialogs, in a fresh profile under tb.TempDir(), in a 1280x900
// window. opts come after these and may change them (WindowSize) or add
// flags. It returns the context of the browser's first tab; a
// chromedp.NewContext of it opens another tab, in a window of its own
// that draws as the first does. The browser stops when the test ends.
func New(tb testing.TB, exe string, opts ...chromedp.ExecAllocatorOption) context.Context {
	tb.Helper()
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	}, opts...)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), all...)
	bctx, cancelB := chromedp.NewContext(actx)
	tb.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx); err != nil { // start the browser
		tb.Fatalf("starting Chromium: %v", err)
	}
	return bctx
}
