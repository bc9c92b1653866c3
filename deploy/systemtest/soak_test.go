package systemtest

// The soak run (make soak): the built binary under wrk on loopback for a
// minute, asking for every GET route of the route table, new views and
// chart images, some drawn anew at each request so that the image limiter
// is overloaded. It asserts what is not a matter of speed: no socket error,
// no 5xx but the image limiter's 503s with Retry-After, resident memory
// after the run within 10% of its level after a warm-up, every response
// cache within its bounds (it reports their sizes and hit ratios), and a
// peak under 75% of the limit when image export alone is overloaded.
//
//	cd deploy/systemtest && go test -run TestSoak -soak=60s -v
//
// TestImageOverload, the overload check on its own, and
// TestImageOverloadMemory, the overload in memory cgroups of 1 GiB and 512
// MiB, run in make test (make check-deploy).

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

var (
	soakFor         = flag.Duration("soak", 0, "run TestSoak under wrk for this long (make soak: 60s); 0 skips it")
	soakWarmup      = flag.Duration("soak.warmup", 4*time.Minute, "TestSoak's warm-up under the same load, before the memory baseline")
	soakConnections = flag.Int("soak.connections", 32, "TestSoak's wrk connections")
)

// memoryLimit is the memory limit deploy/kubernetes/deployment.yaml gives
// the container: what out of memory means for the server.
const memoryLimit = 1 << 30

// soakScript is wrk's Lua script: it cycles through the paths, turns each
// "DRAW" into a chart image of a random width (new, so drawn, not cached),
// counts answers by status (the image limiter's 503s apart), and prints
// the totals of every thread when done.
const soakScript = `-- made by TestSoak (deploy/systemtest/soak_test.go)
local paths = {%s}
local charts = {%s}
local nations = {%s}
local langs = {"en", "sq", "sr", "sr-Cyrl"}
local accepts = {"sq-AL,sq;q=0.9,en;q=0.8", "sr-Latn-RS,sr;q=0.9", "sr-Cyrl-RS", "de-DE,de;q=0.9"}
local headers = {["Accept-Encoding"] = "gzip, br"}
local threads = {}
local i = 0
statuses = {}
languages = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- Each thread of each run draws its own random views and images: unseeded,
-- every 20 s round of the warm-up would ask for the same ones, all cached
-- after the first, and warm nothing.
function init(args)
  math.randomseed(os.time() * 100 + id)
end

-- inLanguage gives a new view a language: by lang= in the address or by
-- the browser's Accept-Language (German: the page falls back to English).
local function inLanguage(p)
  if math.random(2) == 1 then
    return p .. "&lang=" .. langs[math.random(#langs)], headers
  end
  return p, {["Accept-Encoding"] = "gzip, br", ["Accept-Language"] = accepts[math.random(#accepts)]}
end

function request()
  i = i + 1
  local p = paths[(i %% #paths) + 1]
  local h = headers
  if p == "DRAW" then
    local ext = ".svg"
    if math.random(2) == 1 then ext = ".png" end
    p, h = inLanguage("/charts/" .. charts[math.random(#charts)] .. ext .. "?width=" .. math.random(400, 1600))
  elseif p == "VIEW" then
    local bases = {"/", "/options.js", "/embed/" .. charts[math.random(#charts)]}
    local themes = {"light", "dark"}
    local axes = {"linear", "log"}
    p = bases[math.random(#bases)] .. "?from=" .. math.random(1999, 2015) .. "&to=" .. math.random(2016, 2026) ..
      "&theme=" .. themes[math.random(2)] .. "&axis=" .. axes[math.random(2)] ..
      "&nation=" .. nations[math.random(#nations)] .. "&date=" .. math.random(2001, 2025) .. "-" .. string.format("%%02d", math.random(12))
    p, h = inLanguage(p)
  end
  return wrk.format("GET", p, h)
end

function response(status, hdrs, body)
  local key = tostring(status)
  if status == 503 and hdrs["Retry-After"] and body:find("chart", 1, true) then
    key = "503-image"
  end
  statuses[key] = (statuses[key] or 0) + 1
  -- Per language: the answers and those the cache held (Cache-Status).
  local lang = hdrs["Content-Language"]
  if lang and status == 200 then
    languages[lang .. " answers"] = (languages[lang .. " answers"] or 0) + 1
    local cs = hdrs["Cache-Status"]
    if cs and cs:find("; hit", 1, true) then
      languages[lang .. " hits"] = (languages[lang .. " hits"] or 0) + 1
    end
  end
end

function done(summary, latency, requests)
  io.write(string.format("soak requests %%d\n", summary.requests))
  local e = summary.errors
  io.write(string.format("soak errors connect %%d read %%d write %%d timeout %%d\n", e.connect, e.read, e.write, e.timeout))
  local total, langTotal = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    for k, v in pairs(t:get("languages")) do langTotal[k] = (langTotal[k] or 0) + v end
  end
  for k, v in pairs(total) do io.write(string.format("soak status %%s %%d\n", k, v)) end
  for _, l in ipairs(langs) do
    io.write(string.format("soak lang %%s %%d %%d\n", l, langTotal[l .. " answers"] or 0, langTotal[l .. " hits"] or 0))
  end
end
`

// soakResult is what one wrk run reported.
type soakResult struct {
	requests int
	errors   map[string]int // connect, read, write, timeout
	statuses map[string]int // "200", "304", "503-image", ...
	// languages holds, per language (Content-Language), the 200 answers
	// and how many of them came from a cache (Cache-Status: hit).
	languages map[string][2]int
	text      string
}

var (
	soakRequests = regexp.MustCompile(`(?m)^soak requests (\d+)$`)
	soakErrors   = regexp.MustCompile(`(?m)^soak errors connect (\d+) read (\d+) write (\d+) timeout (\d+)$`)
	soakStatus   = regexp.MustCompile(`(?m)^soak status (\S+) (\d+)$`)
	soakLang     = regexp.MustCompile(`(?m)^soak lang (\S+) (\d+) (\d+)$`)
)

// soakWrk runs wrk with the script against base for d.
func soakWrk(tb testing.TB, wrk, script, base string, d time.Duration) soakResult {
	tb.Helper()
	// wrk stops itself after -d; the timeout on a request exceeds the
	// renderer's own bounds (2 s in the queue, 20 s drawing).
	out, err := exec.Command(wrk, "-t2", "-c"+strconv.Itoa(*soakConnections), "-d"+strconv.Itoa(int(d.Seconds()))+"s", "--timeout", "30s", "-s", script, base).CombinedOutput()
	if err != nil {
		tb.Fatalf("wrk: %v\n%s", err, out)
	}
	r := soakResult{errors: map[string]int{}, statuses: map[string]int{}, languages: map[string][2]int{}, text: string(out)}
	m, e := soakRequests.FindSubmatch(out), soakErrors.FindSubmatch(out)
	if m == nil || e == nil {
		tb.Fatalf("cannot read wrk's output:\n%s", out)
	}
	r.requests, _ = strconv.Atoi(string(m[1]))
	for i, k := range []string{"connect", "read", "write", "timeout"} {
		r.errors[k], _ = strconv.Atoi(string(e[i+1]))
	}
	for _, s := range soakStatus.FindAllSubmatch(out, -1) {
		r.statuses[string(s[1])], _ = strconv.Atoi(string(s[2]))
	}
	for _, l := range soakLang.FindAllSubmatch(out, -1) {
		n, _ := strconv.Atoi(string(l[2]))
		hits, _ := strconv.Atoi(string(l[3]))
		r.languages[string(l[1])] = [2]int{n, hits}
	}
	return r
}

// check fails the test on socket errors and on any status but 2xx, 304
// and the image limiter's 503.
func (r soakResult) check(tb testing.TB, phase string) {
	tb.Helper()
	for k, n := range r.errors {
		if n > 0 {
			tb.Errorf("%s: %d %s errors\n%s", phase, n, k, r.text)
		}
	}
	for s, n := range r.statuses {
		if s == "503-image" || s == "304" || strings.HasPrefix(s, "2") {
			continue
		}
		tb.Errorf("%s: %d answers with status %s\n%s", phase, n, s, r.text)
	}
	if r.requests == 0 {
		tb.Errorf("%s: wrk made no request\n%s", phase, r.text)
	}
	// Every language was asked for and answered.
	for _, l := range []string{"en", "sq", "sr", "sr-Cyrl"} {
		if r.languages[l][0] == 0 {
			tb.Errorf("%s: no answer in %s\n%s", phase, l, r.text)
		}
	}
}

// languageReport is the answers per language and the share of them the
// caches held.
func (r soakResult) languageReport() string {
	var parts []string
	for _, l := range []string{"en", "sq", "sr", "sr-Cyrl"} {
		n := r.languages[l]
		parts = append(parts, fmt.Sprintf("%s %d answers, %.1f%% from a cache", l, n[0], 100*float64(n[1])/float64(max(n[0], 1))))
	}
	return strings.Join(parts, "; ")
}

func (r soakResult) String() string {
	keys := make([]string, 0, len(r.statuses))
	for k := range r.statuses {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, r.statuses[k]))
	}
	return fmt.Sprintf("%d requests (%s); socket errors %v", r.requests, strings.Join(parts, ", "), r.errors)
}

// rssTrace samples p's resident set every 50 ms until stop is closed.
type rssTrace struct {
	samples []int64
}

const rssEvery = 50 * time.Millisecond

func traceRSS(tb testing.TB, p *loadProc, stop <-chan struct{}) <-chan rssTrace {
	out := make(chan rssTrace, 1)
	go func() {
		var tr rssTrace
		tick := time.NewTicker(rssEvery)
		defer tick.Stop()
		for {
			tr.samples = append(tr.samples, p.rss(tb))
			select {
			case <-stop:
				out <- tr
				return
			case <-tick.C:
			}
		}
	}()
	return out
}

func (tr rssTrace) peak() int64 { return slices.Max(tr.samples) }

// level is the median of the samples of the last window. Under this load
// the resident set swings by some 15% either way within a minute (garbage
// collection, resvg instances closed and made anew), with no trend: over 9
// minutes the live heap after a collection stayed between 128 and 197 MiB.
// A single reading lands anywhere on that swing; a minute's median does not.
func (tr rssTrace) level(window time.Duration) int64 {
	last := tr.samples[max(0, len(tr.samples)-int(window/rssEvery)):]
	s := slices.Clone(last)
	slices.Sort(s)
	return s[len(s)/2]
}

// trend is a sample every 10 s, in MiB.
func (tr rssTrace) trend() string {
	var parts []string
	for i := 0; i < len(tr.samples); i += int(10 * time.Second / rssEvery) {
		parts = append(parts, strconv.FormatInt(tr.samples[i]>>20, 10))
	}
	return strings.Join(parts, " ")
}

// soakUnder runs wrk for d while tracing p's resident set.
func soakUnder(tb testing.TB, p *loadProc, wrk, script string, d time.Duration) (soakResult, rssTrace) {
	tb.Helper()
	stop := make(chan struct{})
	trace := traceRSS(tb, p, stop)
	r := soakWrk(tb, wrk, script, p.base, d)
	close(stop)
	return r, <-trace
}

func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

// soakPaths are the soak's requests: every GET route of the server
// (dashboard.Server.Routes, so that a route added is a route soaked), its
// parameters filled from soakSamples, or else the route itself. "DRAW" is a
// chart image and "VIEW" a view of the page, an options script or an embed,
// each new at every request (random view parameters).
func soakPaths(tb testing.TB, assets, charts []string) []string {
	tb.Helper()
	samples := map[string][]string{
		// Each language's usual views as well as English's: readers of
		// one language ask for the same pages as each other.
		"/":                                {"/", "/?theme=dark&from=2009", "/?lang=sq", "/?lang=sr-Cyrl&theme=dark", "VIEW", "VIEW"},
		"/options.js":                      {"/options.js", "/options.js?theme=dark&from=2009", "/options.js?lang=sr", "VIEW"},
		"/table/:file":                     {"/table/strength.csv", "/table/contributions.json", "/table/strength.csv?lang=sq"},
		"/embed/:chart":                    {"/embed/" + charts[0], "/embed/" + charts[len(charts)-1] + "?theme=dark", "/embed/" + charts[0] + "?lang=sr", "VIEW"},
		"/static/:file":                    assets,
		"/charts/:file":                    {"/charts/strength.svg", "/charts/nations.png", "/charts/strength.svg?lang=sr-Cyrl", "/charts/nations.png?lang=sq", "DRAW"},
		"/metrics":                         {"/metrics", "/metrics"},
		"/api/v1/strength.csv":             {"/api/v1/strength.csv?all=1"},
		"/api/v1/contributions":            {"/api/v1/contributions?date=2017-02-01"},
		"/api/v1/strength/:date":           {"/api/v1/strength/1999-06"},
		"/api/v1/nations/:code/troops":     {"/api/v1/nations/DEU/troops"},
		"/api/v1/nations/:code/troops.csv": {"/api/v1/nations/ITA/troops.csv?from=2010"},
		"/api/v1/structure":                {"/api/v1/structure", "/api/v1/structure?date=2012-02-15"},
		// 15 MB of text each: a copying benchmark, not a soak. It is made
		// once a day and pinned; TestHistory covers it.
		"/api/v1/history.om": nil,
	}
	srv := dashboard.NewServer(dashboard.Config{Store: datasettest.Store(tb), Metrics: http.NotFoundHandler(),
		History: func(io.Writer, *dataset.Dataset, time.Time) error { return nil }})
	var out []string
	for _, route := range srv.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		if method != http.MethodGet {
			continue
		}
		s, ok := samples[pattern]
		switch {
		case ok:
			out = append(out, s...)
		case strings.ContainsAny(pattern, ":*"):
			tb.Fatalf("route %s has parameters and no samples: add some to soakPaths", pattern)
		default:
			out = append(out, pattern)
		}
	}
	return out
}

// TestSoak is the soak run; see the top of the file.
func TestSoak(t *testing.T) {
	if *soakFor == 0 {
		t.Skip("the soak run is make soak (cd deploy/systemtest && go test -run TestSoak -soak=60s)")
	}
	if *soakWarmup < time.Minute {
		t.Fatalf("-soak.warmup %s: want at least a minute, the window of the memory level", *soakWarmup)
	}
	wrk := kforstatstest.NeedTool(t, "wrk", "apt-get install wrk")
	// As deployed: the Kubernetes manifest's GOMEMLIMIT, below its memory limit.
	m := regexp.MustCompile(`name: GOMEMLIMIT\s+value: (\S+)`).FindSubmatch(kforstatstest.ReadRepoFile(t, "deploy", "kubernetes", "deployment.yaml"))
	if m == nil {
		t.Fatal("deploy/kubernetes/deployment.yaml sets no GOMEMLIMIT")
	}
	t.Setenv("GOMEMLIMIT", string(m[1])) // for the child; this process read it at start
	// wrk's connections stand for many clients, all from 127.0.0.1: the
	// per-client limit is off, so that images are drawn as many clients
	// would have them drawn (TestClientLimit checks the limit).
	p := loadStart(t, kforstats(t), "--web.client-limit.rate=0")

	// The page's hashed assets and the chart IDs, as a browser and a
	// script would find them.
	var assets []string
	for _, m := range regexp.MustCompile(`"(/static/[^"]+)"`).FindAllSubmatch(kforstatstest.Get(t, p.base+"/"), -1) {
		assets = append(assets, string(m[1]))
	}
	var list struct{ Charts []struct{ ID string } }
	if err := json.Unmarshal(kforstatstest.Get(t, p.base+"/charts"), &list); err != nil {
		t.Fatal(err)
	}
	var charts, ids []string
	for _, c := range list.Charts {
		charts = append(charts, strconv.Quote(c.ID))
		ids = append(ids, c.ID)
	}
	nations := []string{`"DEU"`, `"ITA"`, `"USA"`, `"TUR"`, `"AUT"`, `"DEU,ITA,USA"`}
	var paths []string
	for _, path := range soakPaths(t, assets, ids) {
		if path != "DRAW" && path != "VIEW" {
			kforstatstest.Get(t, p.base+path) // each answers 200 before the load
		}
		paths = append(paths, strconv.Quote(path))
	}
	script := filepath.Join(t.TempDir(), "soak.lua")
	if err := os.WriteFile(script, fmt.Appendf(nil, soakScript, strings.Join(paths, ", "), strings.Join(charts, ", "), strings.Join(nations, ", ")), 0o644); err != nil {
		t.Fatal(err)
	}

	// Warm up until memory levels off. What grows under this load, as heap
	// profiles showed: the image cache (to 32 MiB) and each resvg instance's
	// memory, to the largest PNG it has drawn (up to 96 MiB, then it is
	// closed); with every language's views and images (four times the
	// distinct answers), the live heap levels off at some 255 MiB after
	// three and a half minutes of this load (GODEBUG=gctrace=1: 230 MiB
	// from the first to the third minute, 255 MiB from the fourth to the
	// sixth), the resident set at two and a half times that.
	// First the largest PNG of the mix, two at a time (one per instance on
	// two cores); then -soak.warmup of the load, in rounds of 20 s to show
	// the trend.
	prime := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for _, id := range list.Charts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prime <- struct{}{}
			defer func() { <-prime }()
			kforstatstest.Get(t, p.base+"/charts/"+id.ID+".png?width=1600")
		}()
	}
	wg.Wait()
	const round = 20 * time.Second
	var warm []string
	var warmTrace rssTrace
	for w := time.Duration(0); w < *soakWarmup; w += round {
		r, tr := soakUnder(t, p, wrk, script, round)
		r.check(t, "warm-up")
		warm = append(warm, fmt.Sprintf("%s (median %s)", r, mib(tr.level(round))))
		warmTrace.samples = append(warmTrace.samples, tr.samples...)
	}
	t.Logf("warm-up, %d rounds of %s:\n  %s", len(warm), round, strings.Join(warm, "\n  "))

	// The level after the warm-up: the median of its last minute; after the
	// soak: the median of the soak's last minute.
	warmed := kforstatstest.Scrape(t, p.base)
	run, tr := soakUnder(t, p, wrk, script, *soakFor)
	run.check(t, "soak")
	checkCaches(t, warmed, kforstatstest.Scrape(t, p.base))
	baseline, after := warmTrace.level(time.Minute), tr.level(time.Minute)
	t.Logf("soak %s, %d connections: %s", *soakFor, *soakConnections, run)
	t.Logf("per language: %s", run.languageReport())
	t.Logf("resident memory: %s after the warm-up, %s after the soak (%+.1f%%); peak %s; every 10 s (MiB): %s",
		mib(baseline), mib(after), 100*float64(after-baseline)/float64(baseline), mib(tr.peak()), tr.trend())
	if float64(after) > 1.10*float64(baseline) {
		t.Errorf("resident memory grew from %s after the warm-up to %s after the soak: more than 10%%", mib(baseline), mib(after))
	}

	stop := make(chan struct{})
	trace := traceRSS(t, p, stop)
	codes := imageOverload(t, p.base, 64, func(i int) string {
		return fmt.Sprintf("/charts/strength.png?width=%d&height=1500&scale=2", 2000+i) // 4000 by 3000 pixels
	})
	close(stop)
	top := (<-trace).peak()
	t.Logf("image export overloaded by 64 clients at once: %v; peak resident memory %s", codes, mib(top))
	if float64(top) > 0.75*memoryLimit {
		t.Errorf("overloading image export took resident memory to %s, over 75%% of the deployment's limit of %s", mib(top), mib(memoryLimit))
	}
}

// checkCaches reports each response cache's size and its hit ratio over
// the soak, from /metrics before and after it, and fails on a cache past
// its bounds.
func checkCaches(tb testing.TB, before, after map[string]float64) {
	tb.Helper()
	for _, c := range []string{"answers", "images"} {
		m := func(set map[string]float64, name string) float64 {
			v, ok := set["kfor_response_cache_"+name+`{cache="`+c+`"}`]
			if !ok {
				tb.Fatalf("/metrics has no kfor_response_cache_%s for cache %s", name, c)
			}
			return v
		}
		hits, misses := m(after, "hits_total")-m(before, "hits_total"), m(after, "misses_total")-m(before, "misses_total")
		entries, bytes := m(after, "entries"), m(after, "bytes")
		tb.Logf("cache %s: %.0f answers of at most %.0f, %s of at most %s, and %.0f pinned (%s); over the soak %.0f hits, %.0f misses: hit ratio %.1f%%",
			c, entries, m(after, "max_entries"), mib(int64(bytes)), mib(int64(m(after, "max_bytes"))), m(after, "pinned_entries"), mib(int64(m(after, "pinned_bytes"))),
			hits, misses, 100*hits/max(hits+misses, 1))
		if entries > m(after, "max_entries") || bytes > m(after, "max_bytes") {
			tb.Errorf("cache %s past its bounds: %.0f answers, %.0f bytes", c, entries, bytes)
		}
	}
}

// imageOverload asks for n chart images at once, each new (so drawn, not
// cached): url(i) is the i-th. It checks that every answer is the image or
// a 503 with Retry-After, that some are each, and that the server still
// answers.
func imageOverload(tb testing.TB, base string, n int, url func(i int) string) map[int]int {
	tb.Helper()
	var (
		mu    sync.Mutex
		codes = map[int]int{}
		wg    sync.WaitGroup
	)
	client := &http.Client{Timeout: kforstatstest.WaitLimit}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := base + url(i)
			resp, body, err := getCounting(client, url, &mu, codes)
			if err != nil {
				tb.Errorf("GET %s: %v", url, err)
				return
			}
			switch {
			case resp.StatusCode == http.StatusOK && strings.HasPrefix(resp.Header.Get("Content-Type"), "image/"):
			case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
			default:
				tb.Errorf("GET %s under overload = %s (Retry-After %q) %.200s; want the image or 503 with Retry-After", url, resp.Status, resp.Header.Get("Retry-After"), body)
			}
		}()
	}
	wg.Wait()
	if codes[http.StatusOK] == 0 || codes[http.StatusServiceUnavailable] == 0 {
		tb.Errorf("%d images asked for at once: %v; want some drawn and some refused with 503", n, codes)
	}
	kforstatstest.WaitReady(tb, http.DefaultClient, base+"/readyz")
	return codes
}

// getCounting gets url and counts its status in codes, under mu.
func getCounting(client *http.Client, url string, mu *sync.Mutex, codes map[int]int) (*http.Response, []byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mu.Lock()
	codes[resp.StatusCode]++
	mu.Unlock()
	return resp, body, nil
}

// TestImageOverload: more chart images asked for at once than the
// renderer takes are refused with 503 and Retry-After, not queued without
// bound; the others are drawn, and the server goes on serving. SVG, which
// costs less than PNG under -race; TestSoak overloads it with large PNGs.
// 64 of the costliest chart (~100 ms each without -race, on renderers as
// many as the cores) are more than the 2 s queue wait can absorb on any
// machine of this kind, with or without -race.
func TestImageOverload(t *testing.T) {
	// The renderer's own bound, not the per-client limit, which would
	// refuse some of one client's 64 first.
	addr, _ := startServe(t, "--web.client-limit.rate=0")
	const n = 64
	codes := imageOverload(t, "http://"+addr, n, func(i int) string {
		return fmt.Sprintf("/charts/strength.svg?width=%d", 1200+i)
	})
	t.Logf("%d SVGs asked for at once: %v", n, codes)
}

// TestImageOverloadMemory: 64 of the largest PNG exports this server draws,
// asked for at once, with the built binary (without -race, which would
// multiply its memory) in a memory cgroup of the Deployment's 1 GiB, then
// of 512 MiB, and no GOMEMLIMIT: kforstats reads the cgroup's limit and
// sizes its image budget by it (render.BudgetFor). The cgroup's peak
// usage, which the kernel weighs against the limit, stays at most 75% of
// it; nothing is killed; what is refused is 503 with Retry-After; at 512
// MiB a 4000x3000 PNG, over the budget, is refused with 400 at once.
func TestImageOverloadMemory(t *testing.T) {
	for _, limit := range []int64{1 << 30, 512 << 20} {
		t.Run(mib(limit), func(t *testing.T) {
			cg, base := serveInCgroup(t, limit)
			var list struct {
				MaxPixels int `json:"max_pixels"`
			}
			if err := json.Unmarshal(kforstatstest.Get(t, base+"/charts"), &list); err != nil || list.MaxPixels == 0 {
				t.Fatalf("GET /charts: max_pixels %d, %v", list.MaxPixels, err)
			}
			// The largest 4:3 PNG at scale 2 within the budget, less the 63
			// pixels of width that make each of the 64 new.
			w, h := 2000, 1500
			for (w+63)*h*4 > list.MaxPixels {
				w, h = w*19/20, h*19/20
			}
			cg.ResetPeak()
			codes := imageOverload(t, base, 64, func(i int) string {
				return fmt.Sprintf("/charts/strength.png?width=%d&height=%d&scale=2", w+i, h)
			})
			peak := cg.Peak(t)
			t.Logf("limit %s: max_pixels %d; 64 PNGs of %dx%d at once: %v; cgroup peak %s (%.0f%% of the limit)", mib(limit), list.MaxPixels, 2*w, 2*h, codes, mib(peak), 100*float64(peak)/float64(limit))
			if float64(peak) > 0.75*float64(limit) {
				t.Errorf("64 PNGs at once took the cgroup to %s, over 75%% of its limit of %s", mib(peak), mib(limit))
			}
			if n := cg.OOMKills(t); n > 0 {
				t.Errorf("the kernel killed %d processes of the cgroup for want of memory", n)
			}
			if list.MaxPixels < 4000*3000 {
				resp, err := http.Get(base + "/charts/strength.png?width=2000&height=1500&scale=2")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("a 4000x3000 PNG over the budget of %d pixels = %s, want 400", list.MaxPixels, resp.Status)
				}
			}
		})
	}
}

// serveInCgroup starts the binary built without -race (the race detector
// multiplies memory) in a new memory cgroup of limit bytes, with no
// GOMEMLIMIT (kforstats derives its own from the cgroup) and no per-client
// limit, and waits until it is ready.
func serveInCgroup(t *testing.T, limit int64, args ...string) (*kforstatstest.Cgroup, string) {
	t.Helper()
	cg := kforstatstest.MemoryCgroup(t, limit)
	addr := kforstatstest.FreeAddr(t)
	logs := &kforstatstest.LogWatch{}
	cmd := exec.Command("/bin/sh", append([]string{"-c", `echo $$ > "$1" && shift && exec "$@"`, "sh", cg.Procs(), kforstatsPlain(t), "serve", "--web.listen-address=" + addr, "--web.client-limit.rate=0"}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GOMEMLIMIT=") })
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	base := "http://" + addr
	kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")
	return cg, base
}

// TestScaledRecordMemory (make soak): the record grown a hundredfold, whose
// strength chart is a 5.2 MB option, served in memory cgroups of 1 GiB and
// 512 MiB. The page's drawings at start, then every chart's SVG and PNG
// asked for two at a time, keep the cgroup under 75% of its limit with no
// OOM kill: what the renderer's budget cannot draw is a 400 naming from
// (which narrows the option), and the page leaves it to its script.
func TestScaledRecordMemory(t *testing.T) {
	if *soakFor == 0 {
		t.Skip("make soak runs it (cd deploy/systemtest && go test -run TestScaledRecordMemory -soak=60s)")
	}
	dir := scaledRecord(t, 100)
	for _, limit := range []int64{1 << 30, 512 << 20} {
		t.Run(mib(limit), func(t *testing.T) {
			cg, base := serveInCgroup(t, limit, "--data.path="+dir, "--data.watch-interval=0")
			loadWaitServerDrawn(t, &loadProc{base: base}, "/")
			atStart := cg.Peak(t)
			var list struct{ Charts []struct{ SVG, PNG string } }
			if err := json.Unmarshal(kforstatstest.Get(t, base+"/charts"), &list); err != nil || len(list.Charts) == 0 {
				t.Fatalf("GET /charts: %d charts, %v", len(list.Charts), err)
			}
			var paths []string
			for _, c := range list.Charts {
				paths = append(paths, c.SVG, c.PNG)
			}
			codes := map[int]int{}
			var mu sync.Mutex
			next := make(chan string)
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					for path := range next {
						resp, body, err := getCounting(http.DefaultClient, base+path, &mu, codes)
						if err != nil {
							t.Error(err)
							continue
						}
						var e struct{ Param string }
						switch {
						case resp.StatusCode == http.StatusOK:
						case resp.StatusCode == http.StatusBadRequest && json.Unmarshal(body, &e) == nil && e.Param == "from":
						default:
							t.Errorf("GET %s = %s %.300s, want 200 or 400 naming from", path, resp.Status, body)
						}
					}
				})
			}
			for _, p := range paths {
				next <- p
			}
			close(next)
			wg.Wait()
			peak := cg.Peak(t)
			t.Logf("limit %s, the 100x record: cgroup peak %s at start (%.0f%%), %s after every chart's SVG and PNG (%.0f%%); answers %v", mib(limit), mib(atStart), 100*float64(atStart)/float64(limit), mib(peak), 100*float64(peak)/float64(limit), codes)
			if float64(peak) > 0.75*float64(limit) {
				t.Errorf("the 100x record took the cgroup to %s, over 75%% of its limit of %s", mib(peak), mib(limit))
			}
			if n := cg.OOMKills(t); n > 0 {
				t.Errorf("the kernel killed %d processes of the cgroup for want of memory", n)
			}
			if codes[http.StatusOK] == 0 {
				t.Errorf("no chart drawn at all")
			}
		})
	}
}
