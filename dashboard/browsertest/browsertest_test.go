package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// endTB records how a helper ended a test: Fatalf and Skip* stop the
// calling goroutine, as testing.T's do.
type endTB struct {
	testing.TB
	failed, skipped string
}

func (e *endTB) Helper() {}

func (e *endTB) Fatalf(format string, args ...any) {
	e.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (e *endTB) Skipf(format string, args ...any) {
	e.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (e *endTB) Skip(args ...any) {
	e.skipped = fmt.Sprint(args...)
	runtime.Goexit()
}

// TestNeed: a missing Chromium fails the test in CI, naming the path and
// bash .ci/deps, and skips it elsewhere with the same hint; a present one
// is returned.
func TestNeed(t *testing.T) {
	if testing.Short() {
		t.Skip("Need skips every test in -short mode")
	}
	missing := filepath.Join(t.TempDir(), "chromium")
	present, err := os.Executable() // any executable file stands in
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		path          string
		ci            bool
		want          string
		fail, skip    bool
		wantInMessage []string
	}{
		"missing in CI":     {path: missing, ci: true, fail: true, wantInMessage: []string{missing, "bash .ci/deps"}},
		"missing elsewhere": {path: missing, skip: true, wantInMessage: []string{missing, "bash .ci/deps", "to run it"}},
		"present in CI":     {path: present, ci: true, want: present},
		"present elsewhere": {path: present, want: present},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var (
				e    endTB
				got  string
				done = make(chan struct{})
			)
			go func() {
				defer close(done)
				got = need(&e, tc.path, tc.ci, "to run it")
			}()
			<-done
			if got != tc.want {
				t.Errorf("need(%q, ci=%v) = %q, want %q", tc.path, tc.ci, got, tc.want)
			}
			if (e.failed != "") != tc.fail || (e.skipped != "") != tc.skip {
				t.Fatalf("need(%q, ci=%v): failed %q, skipped %q; want fail %v, skip %v", tc.path, tc.ci, e.failed, e.skipped, tc.fail, tc.skip)
			}
			msg := e.failed + e.skipped
			for _, w := range tc.wantInMessage {
				if !strings.Contains(msg, w) {
					t.Errorf("need(%q, ci=%v) said %q, want it to name %q", tc.path, tc.ci, msg, w)
				}
			}
		})
	}
}

// TestNewTabsDraw starts Chromium as New does and checks what the tests
// rely on: with a second tab open (chromedp's default: in a window of its
// own), both tabs are visible and get animation frames, which ECharts
// draws in and chromedp.Poll waits on. (A tab opened in the first tab's
// window, chromedp.WithNewWindow(false), hides the first: it then gets no
// frames and a Poll on it waits for ever.)
func TestNewTabsDraw(t *testing.T) {
	bctx := New(t, Need(t, "to start the browser"))
	second, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if err := chromedp.Do(second); err != nil { // open the tab
		t.Fatalf("opening a second tab: %v", err)
	}
	const frame = `new Promise(function (done) {
  requestAnimationFrame(function () { done(document.visibilityState); });
})`
	for _, tab := range []struct {
		name string
		ctx  context.Context
	}{{"first tab", bctx}, {"second tab", second}} {
		ctx, cancelT := context.WithTimeout(tab.ctx, 30*time.Second)
		state, err := chromedp.Run(ctx, chromedp.Evaluate[string](frame, chromedp.EvalAwaitPromise))
		cancelT()
		if err != nil || state != "visible" {
			t.Errorf("%s: an animation frame ran with the page %q (%v), want one run while visible", tab.name, state, err)
		}
	}
}
