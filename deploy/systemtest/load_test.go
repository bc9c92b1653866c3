package systemtest

// The load run that `make bench` prints: the built binary served side by
// side with a minimal net/http server writing the same bytes, under wrk at
// 64 connections; the first load's compressed size; navigation to every
// chart drawn in headless Chromium; start-up to /readyz; resident memory;
// and the same on a record 100 times the real one. It measures and prints;
// it asserts only what is not a matter of speed (answers, cardinality).
//
//	cd deploy/systemtest && go test -run TestLoadSideBySide -load -v

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard/browsertest"
)

var (
	loadRun      = flag.Bool("load", false, "run the side-by-side load run (make bench)")
	loadDuration = flag.Duration("load.duration", 2*time.Second, "how long wrk loads each endpoint of each server")
	loadConns    = flag.Int("load.connections", 64, "wrk's connections")
	loadScale    = flag.Int("load.scale", 100, "how many times the real record the scale check serves (0 to skip it)")
)

// loadProc is a started kforstats binary.
type loadProc struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	took    time.Duration
	started time.Time
}

// loadStart starts bin serving and waits for /readyz, timing how long the
// process took from its start to its first ready answer.
func loadStart(tb testing.TB, bin string, args ...string) *loadProc {
	tb.Helper()
	addr := kforstatstest.FreeAddr(tb)
	cmd := exec.Command(bin, append([]string{"serve", "--web.listen-address=" + addr, "--log.level=warn"}, args...)...)
	cmd.Stderr = os.Stderr
	client := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &loadProc{cmd: cmd, base: "http://" + addr, started: start}
	tb.Cleanup(p.stop)
	for time.Since(start) < kforstatstest.WaitLimit {
		if resp, err := client.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.took = time.Since(start)
				return p
			}
		}
		time.Sleep(time.Millisecond)
	}
	tb.Fatalf("%s not ready within %s", bin, kforstatstest.WaitLimit)
	return nil
}

// loadWaitInline waits until p's page holds its charts as the server drew
// them at load (a page asked for before that leaves them to its script).
func loadWaitInline(tb testing.TB, p *loadProc) { loadWaitServerDrawn(tb, p, "/") }

// loadWaitServerDrawn waits until the page at path has its charts drawn by the
// server: at start for the default view, in the background after a first
// request for another (a language, say).
func loadWaitServerDrawn(tb testing.TB, p *loadProc, path string) {
	tb.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		page := loadFetch(tb, p.base+path, nil)
		// Drawn: every chart but those the renderer's memory budget cannot
		// draw (at 100x the strength chart's 5.2 MB option), which the page
		// leaves to its script.
		if bytes.Contains(page.body, []byte(`data-drawn="server"`)) {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s%s: the page's charts were not drawn by the server within a minute", p.base, path)
		}
	}
}

func (p *loadProc) stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}

// rss returns the process's resident set (VmRSS) in bytes.
func (p *loadProc) rss(tb testing.TB) int64 { return p.status(tb, "VmRSS") }

// status reads a field of /proc/PID/status given in kB, in bytes.
func (p *loadProc) status(tb testing.TB, field string) int64 {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		tb.Fatal(err)
	}
	m := regexp.MustCompile(`\n` + field + `:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		tb.Fatalf("no %s in /proc/%d/status", field, p.cmd.Process.Pid)
	}
	kb, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return kb << 10
}

// memLine says how much of the resident set is the process's own memory
// and how much the pages of its executable it has touched (shared, and
// dropped by the kernel first under pressure).
func (p *loadProc) memLine(tb testing.TB) string {
	mb := func(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB" }
	return fmt.Sprintf("%s (anonymous %s, executable's pages %s)", mb(p.rss(tb)), mb(p.status(tb, "RssAnon")), mb(p.status(tb, "RssFile")))
}

// loadAnswer is one answer as it travelled: headers and body, still
// compressed.
type loadAnswer struct {
	status int
	header http.Header
	body   []byte
}

func loadFetch(tb testing.TB, url string, headers map[string]string) loadAnswer {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	// The transport must not decompress: the bytes counted are those sent.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return loadAnswer{resp.StatusCode, resp.Header, body}
}

// sameBytesEnv names the directory of answers that makes this test binary
// the minimal server (TestLoadSameBytesServer), a process of its own as
// kforstats is.
const sameBytesEnv = "KFORSTATS_SAME_BYTES_DIR"

// sameBytesAnswer is one answer as the minimal server stores it.
type sameBytesAnswer struct {
	Path   string      `json:"path"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// loadSameBytes starts the minimal server in a process of its own: for
// each path, the headers and bytes the real server sent, written as they
// are by a bare net/http handler.
func loadSameBytes(tb testing.TB, answers map[string]loadAnswer) *loadProc {
	tb.Helper()
	dir := tb.TempDir()
	var list []sameBytesAnswer
	for p, a := range answers {
		h := a.header.Clone()
		h.Del("Date")
		list = append(list, sameBytesAnswer{p, h, a.body})
	}
	b, err := json.Marshal(list)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "answers.json"), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := kforstatstest.FreeAddr(tb)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadSameBytesServer$")
	cmd.Env = append(os.Environ(), sameBytesEnv+"="+dir, "KFORSTATS_SAME_BYTES_ADDR="+addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	p := &loadProc{cmd: cmd, base: "http://" + addr}
	tb.Cleanup(p.stop)
	deadline := time.Now().Add(kforstatstest.WaitLimit)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return p
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the minimal server did not listen on %s", addr)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLoadSameBytesServer is the minimal server of the load run, when the
// load run starts this binary with KFORSTATS_SAME_BYTES_DIR; otherwise it
// does nothing.
func TestLoadSameBytesServer(t *testing.T) {
	dir := os.Getenv(sameBytesEnv)
	if dir == "" {
		t.Skip("only the load run starts the minimal server")
	}
	b, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if err != nil {
		t.Fatal(err)
	}
	var list []sameBytesAnswer
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, a := range list {
		pattern := "GET " + a.Path
		if strings.HasSuffix(a.Path, "/") {
			pattern += "{$}"
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			for k, v := range a.Header {
				h[k] = v
			}
			w.Write(a.Body)
		})
	}
	t.Fatal(http.ListenAndServe(os.Getenv("KFORSTATS_SAME_BYTES_ADDR"), mux))
}

// wrkResult is what one wrk run measured.
type wrkResult struct {
	rps  float64
	p99  time.Duration
	bad  int // non-2xx/3xx answers and socket errors
	text string
}

var (
	wrkRPS = regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	wrkP99 = regexp.MustCompile(`\n\s+99%\s+([\d.]+)(us|ms|s)\b`)
	wrkBad = regexp.MustCompile(`(?:Non-2xx or 3xx responses:|connect|read|write|timeout)\s+(\d+)`)
)

// loadWrk runs wrk against url with the endpoint's headers.
func loadWrk(tb testing.TB, url string, headers map[string]string) wrkResult {
	tb.Helper()
	args := []string{"-t2", "-c" + strconv.Itoa(*loadConns), "-d" + loadDuration.String(), "--latency", "--timeout", "5s"}
	for k, v := range headers {
		args = append(args, "-H", k+": "+v)
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		tb.Fatalf("wrk %s: %v\n%s", url, err, out)
	}
	r := wrkResult{text: string(out)}
	m := wrkRPS.FindSubmatch(out)
	l := wrkP99.FindSubmatch(out)
	if m == nil || l == nil {
		tb.Fatalf("cannot read wrk's output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	v, _ := strconv.ParseFloat(string(l[1]), 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(l[2])]
	r.p99 = time.Duration(v * float64(unit))
	for _, b := range wrkBad.FindAllSubmatch(out, -1) {
		n, _ := strconv.Atoi(string(b[1]))
		r.bad += n
	}
	return r
}

// loadRounds is how many times each server is loaded, in turn.
const loadRounds = 5

// medianRun returns the run with the median requests per second.
func medianRun(rs []wrkResult) wrkResult {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b wrkResult) int { return int(a.rps - b.rps) })
	return s[len(s)/2]
}

// loadReport collects the lines the run prints at the end.
type loadReport struct {
	mu    sync.Mutex
	lines []string
}

func (r *loadReport) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms" }
func kb(n int) string           { return strconv.FormatFloat(float64(n)/1024, 'f', 1, 64) + " KB" }

// loadSideBySide loads each endpoint of p and of the minimal server writing
// its bytes, one after the other, and reports the ratios; it returns both
// servers' requests per second by path.
func loadSideBySide(t *testing.T, rep *loadReport, label string, p *loadProc, peak *int64) (real, same map[string]float64) {
	answers := map[string]loadAnswer{}
	for _, e := range kforstatstest.HotEndpoints() {
		a := loadFetch(t, p.base+e.Path, e.Headers)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s = %d", e.Path, a.status)
		}
		answers[e.Path] = a
	}
	minimal := loadSameBytes(t, answers).base
	done := make(chan struct{})
	go func() { // the resident set while under load
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if r := p.rss(t); r > *peak {
					*peak = r
				}
			}
		}
	}()
	defer close(done)
	real, same = map[string]float64{}, map[string]float64{}
	rep.printf("%s: %d connections, wrk -t2 on the same 2 cores, median of %d rounds of %s taken in turn", label, *loadConns, loadRounds, *loadDuration)
	rep.printf("  %-18s %8s %12s %12s %7s %10s %10s", "endpoint", "bytes", "kforstats/s", "same-bytes/s", "ratio", "p99", "p99 same")
	for _, e := range kforstatstest.HotEndpoints() {
		// Rounds taken in turn, so that whatever else the machine does
		// falls on both servers alike; the median round of each is shown.
		var reals, sames []wrkResult
		for range loadRounds {
			reals = append(reals, loadWrk(t, p.base+e.Path, e.Headers))
			sames = append(sames, loadWrk(t, minimal+e.Path, e.Headers))
		}
		r, s := medianRun(reals), medianRun(sames)
		if r.bad > 0 || s.bad > 0 {
			t.Errorf("%s %s: %d bad answers from kforstats, %d from the minimal server\n%s\n%s", label, e.Path, r.bad, s.bad, r.text, s.text)
		}
		real[e.Path], same[e.Path] = r.rps, s.rps
		rep.printf("  %-18s %8d %12.0f %12.0f %7.2f %10s %10s", e.Path+" ("+answers[e.Path].header.Get("Content-Encoding")+")",
			len(answers[e.Path].body), r.rps, s.rps, r.rps/s.rps, ms(r.p99), ms(s.p99))
	}
	return real, same
}

// moduleImport is a static import of a module beside it in minified ES
// module code: import{a as b}from"./chunk-X.js" or import"./chunk-X.js".
var moduleImport = regexp.MustCompile(`(?:from|import)"\./([^"/]+\.js)"`)

var assetRef = regexp.MustCompile(`(?:href|src|data-echarts|data-options)="(/(?:static/[^"]+|options\.js[^"]*))"`)

// loadFirstVisit sums the compressed bytes a browser fetches on a first
// visit: the page, its styles, scripts and chart options. A page whose
// charts the server drew is complete with its HTML, styles and app.js;
// app.js fetches ECharts and the options (named in its data-echarts and
// data-options) once the page is painted, to make the charts interactive:
// the line says both. It returns the whole.
func loadFirstVisit(t *testing.T, rep *loadReport, label, base string) int {
	return loadFirstVisitOf(t, rep, label, base, "/")
}

// loadFirstVisitOf is loadFirstVisit of the page at path (a view, a
// language).
func loadFirstVisitOf(t *testing.T, rep *loadReport, label, base, path string) int {
	hdr := map[string]string{"Accept-Encoding": kforstatstest.BrowserEncodings}
	page := loadFetch(t, base+path, hdr)
	complete, total := len(page.body), len(page.body)
	parts := []string{fmt.Sprintf("page %s", kb(len(page.body)))}
	html := page.body
	if page.header.Get("Content-Encoding") != "" {
		html = loadFetch(t, base+path, nil).body
	}
	refs := assetRef.FindAllSubmatch(html, -1)
	if len(refs) < 4 {
		t.Fatalf("the page names %d assets, want its CSS, ECharts, app.js and options.js", len(refs))
	}
	// The modules ECharts' entry imports at once (not the maps' parts,
	// which it imports when a map scrolls into view), fetched with it.
	for _, m := range refs {
		if u := string(m[1]); strings.HasPrefix(u, "/static/page-") {
			for _, imp := range moduleImport.FindAllSubmatch(loadFetch(t, base+u, nil).body, -1) {
				refs = append(refs, [][]byte{m[0], []byte("/static/" + string(imp[1]))})
			}
		}
	}
	for _, m := range refs {
		u := strings.ReplaceAll(string(m[1]), "&amp;", "&")
		a := loadFetch(t, base+u, hdr)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s = %d", u, a.status)
		}
		later := bytes.Contains(m[0], []byte("data-"))
		total += len(a.body)
		if !later {
			complete += len(a.body)
		}
		name := filepath.Base(strings.SplitN(u, "?", 2)[0])
		if later {
			name += " (after the first paint)"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s", name, a.header.Get("Content-Encoding"), kb(len(a.body))))
	}
	rep.printf("%s first load, compressed as Chromium fetches it: %s for the page complete, %s with the interactive charts (%s; page %s uncompressed)",
		label, kb(complete), kb(total), strings.Join(parts, ", "), kb(len(html)))
	return total
}

// loadBrowser starts the headless Chromium at exe off the network, in a
// fresh profile, with drawnAt in every page of its first tab.
func loadBrowser(tb testing.TB, exe string) context.Context {
	tb.Helper()
	bctx := browsertest.New(tb, exe)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1280, 900), watchTab(false)); err != nil {
		tb.Fatalf("preparing Chromium's first tab: %v", err)
	}
	return bctx
}

// watchTab prepares a tab for timing: its network domain on, the browser's
// cache off if cold, and drawnAt in every page it loads.
func watchTab(cold bool) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, s *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, s, network.Enable, network.EnableParams{}); err != nil {
			return chromedp.Void{}, err
		}
		if _, err := cdp.Call(ctx, s, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: cold}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, s, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: drawnAt})
		return chromedp.Void{}, err
	}
}

// loadTimes is when a page's charts were first all visible and when they
// were all interactive, counted from the start of its navigation.
type loadTimes struct{ visible, drawn time.Duration }

// loadDrawnTime waits until the tab's page has drawn every chart and returns
// when they were visible and when drawn.
func loadDrawnTime(t *testing.T, ctx context.Context, url string) loadTimes {
	if err := loadWaitDrawn(ctx); err != nil {
		t.Fatalf("%s: the charts were not all drawn: %v", url, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.__kforVisible !== undefined`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("%s: no time recorded for the charts visible: %v", url, err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[window.__kforVisible, window.__kforDrawn]`))
	if err != nil || len(v) != 2 || v[1] == 0 {
		t.Fatalf("%s: no time recorded for the charts drawn: %v", url, err)
	}
	return loadTimes{time.Duration(v[0] * float64(time.Millisecond)), time.Duration(v[1] * float64(time.Millisecond))}
}

// timesLine says the median, min and max of both times of loads.
func timesLine(loads []loadTimes) string {
	var vis, drawn []time.Duration
	for _, l := range loads {
		vis, drawn = append(vis, l.visible), append(drawn, l.drawn)
	}
	return fmt.Sprintf("charts visible median %s (min %s, max %s), interactive (those in view) median %s (min %s, max %s), of %d",
		ms(median(vis)), ms(slices.Min(vis)), ms(slices.Max(vis)), ms(median(drawn)), ms(slices.Min(drawn)), ms(slices.Max(drawn)), len(loads))
}

// drawnAt records, in the page, when app.js marks every chart drawn
// (__kforDrawn: the charts are interactive, tooltips work; on the page
// drawn by the server, those in view, the others taken over as they come
// near, and on both pages not the maps, drawn when scrolled to), and when every
// chart but the maps (which the script-drawn page leaves until scrolled
// to) is first visible (__kforVisible): the first frame painted once the
// whole page is parsed (its footer is there) and every chart's box holds
// a drawing, the server's SVG or ECharts'. performance.now() counts from
// the start of the navigation.
const drawnAt = `(function () {
  function visible() {
    if (!document.querySelector('body > footer')) { return false; }
    return Array.from(document.querySelectorAll('.chart:not([data-maps])')).every(function (el) {
      return el.querySelector('svg, canvas');
    });
  }
  new MutationObserver(function (_, o) {
    var root = document.documentElement;
    if (root && window.__kforVisible === undefined && !window.__kforSeen && visible()) {
      window.__kforSeen = true;
      requestAnimationFrame(function () { setTimeout(function () { window.__kforVisible = performance.now(); }, 0); });
    }
    if (root && root.getAttribute('data-charts') === 'ready' && !window.__kforDrawn) {
      window.__kforDrawn = performance.now();
    }
    if (window.__kforSeen && window.__kforDrawn) { o.disconnect(); }
  }).observe(document, {attributes: true, childList: true, subtree: true, attributeFilter: ['data-charts']});
})();`

// loadRender loads url n times and returns the times from navigation to
// every chart drawn; cold disables the browser's cache. It navigates the
// browser's first tab away and back, so that after the first load each
// load runs in a renderer process that has run the page before. A new tab
// per load would draw too (chromedp opens it in a window of its own,
// browsertest.TestNewTabsDraw), but in a new renderer with a cold script
// engine, as a reader's first visit in a new tab is: 100-230 ms more per
// load here (medians 548 against 315 ms cache off, 473 against 275 ms
// repeat visit), a different figure from the one the README reports.
func loadRender(t *testing.T, bctx context.Context, url string, n int, cold bool) []loadTimes {
	setup := func(ctx context.Context, s *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, s, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: cold})
		return chromedp.Void{}, err
	}
	if err := chromedp.Do(bctx, setup); err != nil {
		t.Fatalf("preparing the tab: %v", err)
	}
	var out []loadTimes
	for range n {
		ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(url)); err != nil {
			t.Fatalf("loading %s: %v", url, err)
		}
		out = append(out, loadDrawnTime(t, ctx, url))
		cancel()
	}
	return out
}

// loadRenderNewTabs loads url n times, each in a new tab with the browser's
// cache off, and returns the times from navigation to every chart drawn: a
// reader's first visit in a new tab, whose renderer process and script
// engine start cold (loadRender's first-tab loads reuse a warm one).
func loadRenderNewTabs(t *testing.T, bctx context.Context, url string, n int) []loadTimes {
	var out []loadTimes
	for range n {
		func() {
			ctx, cancel := chromedp.NewContext(bctx)
			defer cancel() // closes the tab
			ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
			defer cancelT()
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), watchTab(true), chromedp.Navigate(url)); err != nil {
				t.Fatalf("loading %s in a new tab: %v", url, err)
			}
			out = append(out, loadDrawnTime(t, ctx, url+" in a new tab"))
		}()
	}
	return out
}

// loadWaitDrawn waits until the tab's page has drawn every chart. chromedp
// hands events to Navigate's wait before its own record of the page's
// execution contexts takes them in, so just after a navigation it can still
// name the context of the page navigated away from, which Chromium has
// dropped: the wait then fails at once with "Cannot find context with
// specified id" (seen once in some 115 loads here). It is asked again once
// the record has caught up; the time measured is the page's own, so the
// retry does not change it.
func loadWaitDrawn(ctx context.Context) error {
	for try := 1; ; try++ {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.getAttribute('data-charts') === 'ready'`,
			chromedp.WithPollingTimeout(50*time.Second)))
		if err == nil || try == 5 || !strings.Contains(err.Error(), "Cannot find context with specified id") {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// seriesCount counts the samples of a text exposition, by family.
func seriesCount(text []byte) (total int, byName map[string]int) {
	byName = map[string]int{}
	for _, line := range bytes.Split(text, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, _, _ := bytes.Cut(line, []byte("{"))
		name, _, _ = bytes.Cut(name, []byte(" "))
		byName[string(name)]++
		total++
	}
	return total, byName
}

func loadScrape(tb testing.TB, base string) []byte {
	a := loadFetch(tb, base+"/metrics", map[string]string{"Accept": "text/plain;version=0.0.4"})
	if a.status != http.StatusOK {
		tb.Fatalf("GET /metrics = %d", a.status)
	}
	return a.body
}

// TestLoadSideBySide is the load run. It needs wrk and Chromium, and takes
// a few minutes: make bench runs it, make test does not.
func TestLoadSideBySide(t *testing.T) {
	if !*loadRun {
		t.Skip("the load run: cd deploy/systemtest && go test -run TestLoadSideBySide -load -v (make bench)")
	}
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Fatalf("the load run needs wrk (bash .ci/deps): %v", err)
	}
	// Chromium too, in CI or not: make bench asked for its figures.
	chromium, err := browsertest.Find()
	if err != nil {
		t.Fatalf("the load run needs Chromium (bash .ci/deps): %v", err)
	}
	rep := &loadReport{}
	defer func() {
		fmt.Printf("\n== kforstats load run (%s, %d cores) ==\n%s\n", runtime.Version(), runtime.NumCPU(), strings.Join(rep.lines, "\n"))
	}()
	if avg, err := os.ReadFile("/proc/loadavg"); err == nil {
		rep.printf("load average before the run: %s (other work on these cores makes every figure noisier)", strings.Join(strings.Fields(string(avg))[:3], " "))
	}
	bin := kforstats(t)

	// Start-up to ready, over several starts.
	var starts []time.Duration
	for range 9 {
		p := loadStart(t, bin)
		starts = append(starts, p.took)
		p.stop()
	}
	start1 := median(starts)
	rep.printf("start-up to /readyz, embedded record: median %s of %d starts (min %s, max %s)", ms(median(starts)), len(starts), ms(slices.Min(starts)), ms(slices.Max(starts)))

	// A process left idle after its start, for its resident memory a
	// minute later: the engines that drew the page's charts at load are
	// freed by then.
	idle := loadStart(t, bin)
	p := loadStart(t, bin)
	time.Sleep(time.Second)
	atStart := p.memLine(t)
	loadWaitInline(t, p)
	series1, byName1 := seriesCount(loadScrape(t, p.base))
	size1 := loadFirstVisit(t, rep, "1x", p.base)
	// Each language's page is a view like any other, made and kept once.
	for _, lang := range []string{"sq", "sr", "sr-Cyrl"} {
		loadWaitServerDrawn(t, p, "/?lang="+lang)
		loadFirstVisitOf(t, rep, "1x in "+lang+",", p.base, "/?lang="+lang)
	}
	loadFetch(t, p.base+"/api/v1/strength", kforstatstest.HotEndpoints()[1].Headers)
	time.Sleep(2 * time.Second)
	rep.printf("resident memory: %s a second after start (drawing the default view's charts); %s once the page, its options and assets and the API have been served", atStart, p.memLine(t))
	var peak int64
	rps1, same1 := loadSideBySide(t, rep, "1x", p, &peak)
	rep.printf("resident memory under load: peak %.1f MB", float64(peak)/(1<<20))

	bctx := loadBrowser(t, chromium)
	// The page with its charts drawn by the server (the default), beside
	// the same page drawn by its script alone (--web.inline-charts=false).
	client := loadStart(t, bin, "--web.inline-charts=false")
	loadFirstVisit(t, rep, "1x, charts drawn by the script alone:", client.base)
	var cold []loadTimes
	for _, pg := range []struct {
		label string
		base  string
	}{{"charts drawn by the server", p.base}, {"charts drawn by the script alone", client.base}} {
		c := loadRender(t, bctx, pg.base+"/", 10, true)
		warm := loadRender(t, bctx, pg.base+"/", 10, false)
		fresh := loadRenderNewTabs(t, bctx, pg.base+"/", 10)
		if cold == nil {
			cold = c
		}
		rep.printf("navigation, headless Chromium on loopback, %s:", pg.label)
		rep.printf("  in a new tab each time (a cold renderer and script engine, cache off): %s", timesLine(fresh))
		rep.printf("  in a tab that has shown the page before, first visit (cache off): %s", timesLine(c))
		rep.printf("  repeat visit: %s", timesLine(warm))
	}
	client.stop()
	p.stop()
	if wait := time.Until(idle.started.Add(time.Minute)); wait > 0 {
		time.Sleep(wait)
	}
	rep.printf("resident memory a minute after start, idle since (the default view's charts drawn at load, the engines freed since): %s", idle.memLine(t))
	idle.stop()

	if *loadScale <= 1 {
		return
	}
	dir := scaledRecord(t, *loadScale)
	label := strconv.Itoa(*loadScale) + "x"
	var csvBytes int64
	for _, e := range must(os.ReadDir(dir)) {
		csvBytes += must(e.Info()).Size()
	}
	starts = starts[:0]
	for range 3 {
		p := loadStart(t, bin, "--data.path="+dir, "--data.watch-interval=0")
		starts = append(starts, p.took)
		p.stop()
	}
	rep.printf("%s record (%.1f MB of CSV): start-up to /readyz median %s of %d (1x: %s)", label, float64(csvBytes)/(1<<20), ms(median(starts)), len(starts), ms(start1))
	ps := loadStart(t, bin, "--data.path="+dir, "--data.watch-interval=0")
	loadWaitInline(t, ps)
	seriesN, byNameN := seriesCount(loadScrape(t, ps.base))
	sizeN := loadFirstVisit(t, rep, label, ps.base)
	rep.printf("first load grows %.1fx from 1x to %s", float64(sizeN)/float64(size1), label)
	rep.printf("%s resident memory once the first visit was served: %s", label, ps.memLine(t))
	peak = 0
	rpsN, sameN := loadSideBySide(t, rep, label, ps, &peak)
	rep.printf("requests/s at %s over 1x, kforstats and the minimal server (the answers are larger: both fall alike if serving per byte does not slow down):", label)
	for _, e := range kforstatstest.HotEndpoints() {
		rep.printf("  %-18s %.2f and %.2f", e.Path, rpsN[e.Path]/rps1[e.Path], sameN[e.Path]/same1[e.Path])
	}
	coldN := loadRender(t, bctx, ps.base+"/", 5, true)
	rep.printf("%s navigation, first visit: %s (1x: %s)", label, timesLine(coldN), timesLine(cold))

	// Cardinality: only the per-nation family, which comes from one list,
	// may grow with the record; every other family stays as it is.
	const perNation = "kfor_nation_troops"
	rep.printf("/metrics series: 1x %d, %s %d (%s: %d and %d)", series1, label, seriesN, perNation, byName1[perNation], byNameN[perNation])
	for name, n := range byNameN {
		if name != perNation && n != byName1[name] {
			t.Errorf("/metrics family %s has %d series at %s and %d at 1x: only %s may grow with the record", name, n, label, byName1[name], perNation)
		}
	}
	if seriesN > maxSeries {
		t.Errorf("/metrics has %d series at %s, want at most %d", seriesN, label, maxSeries)
	}
}

// maxSeries bounds /metrics: the fixed families, plus one kfor_nation_troops
// series per nation of the newest complete list, which the 100x record
// makes name all of its 540 nations (the real record has 27; there are 249
// ISO 3166-1 codes).
const maxSeries = 1000

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// scaledRecord writes the real record grown factor times
// (dataset/scale_test.go) into a new directory and returns it.
func scaledRecord(t *testing.T, factor int) string {
	t.Helper()
	dir := t.TempDir()
	gen := exec.Command(kforstatstest.GoTool(t), "test", "./dataset", "-run", "^TestScaleWrite$", "-count=1", "-args",
		"-scale.out="+dir, "-scale.factor="+strconv.Itoa(factor))
	gen.Dir = kforstatstest.RepoPath(t)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("writing the %dx record: %v\n%s", factor, err, out)
	}
	return dir
}
