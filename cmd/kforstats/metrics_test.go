package main

// End-to-end tests of what Prometheus and Grafana read: /metrics against
// /api/v1/summary and the page's headline, and a real Prometheus (Debian's
// package) scraping a running kforstats, backfilled from its history, with
// the rules and the Grafana dashboard's queries evaluated against it.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// figureAttr finds the page headline's data-figure/data-value pairs.
var figureAttr = regexp.MustCompile(`data-figure="([a-z0-9_]+)" data-value="([^"]*)"`)

// sameFigure compares figures that went through different arithmetic (a
// ratio computed in two orders), to a relative 1e-12.
func sameFigure(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

// TestMetricsMatchSummaryAndPage checks that every headline figure on
// /metrics is the one /api/v1/summary and the dashboard page's headline give.
func TestMetricsMatchSummaryAndPage(t *testing.T) {
	addr, _ := startServe(t)
	base := "http://" + addr
	kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")

	var sm dashboard.SummaryAnswer
	if err := json.Unmarshal(kforstatstest.Get(t, base+"/api/v1/summary"), &sm); err != nil {
		t.Fatal(err)
	}
	page := map[string]float64{}
	for _, m := range figureAttr.FindAllStringSubmatch(string(kforstatstest.Get(t, base+"/")), -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatalf("page: data-figure %s has data-value %q, want a number", m[1], m[2])
		}
		page[m[1]] = v
	}
	m := kforstatstest.Scrape(t, base)
	day := func(iso string) float64 {
		d, err := time.Parse(time.DateOnly, iso)
		if err != nil {
			t.Fatal(err)
		}
		return float64(d.Unix())
	}

	tests := map[string]struct {
		metrics, summary float64
		page             string // the headline's data-figure; empty when the page shows no such number
	}{
		"latest troops":      {m["kfor_troops"], float64(sm.Latest.Troops), "latest_troops"},
		"latest date":        {m["kfor_troops_timestamp_seconds"], day(sm.Latest.Date), ""},
		"nations":            {m["kfor_nations"], float64(sm.Nations.All), "nations"},
		"nations date":       {m["kfor_nations_timestamp_seconds"], day(sm.Nations.Date), ""},
		"nato nations":       {m[`kfor_nations_by_membership{membership="nato"}`], float64(*sm.Split.NATO), "nato_nations"},
		"partner nations":    {m[`kfor_nations_by_membership{membership="partner"}`], float64(*sm.Split.Partner), "partner_nations"},
		"membership date":    {m["kfor_nations_by_membership_timestamp_seconds"], day(sm.Split.Date), ""},
		"peak troops":        {m["kfor_peak_troops"], float64(sm.Peak.Troops), "peak_troops"},
		"peak date":          {m["kfor_peak_timestamp_seconds"], day(sm.Peak.Date), ""},
		"drawdown":           {m["kfor_drawdown_ratio"], sm.DrawdownRatio, "drawdown_ratio"},
		"area":               {m["kfor_area_square_meters"] / 1e6, sm.AreaKm2, "area_km2"},
		"troops per 100 km²": {m["kfor_troops"] / m["kfor_area_square_meters"] * 1e8, sm.TroopsPer100Km2, "troops_per_100km2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if !sameFigure(tc.metrics, tc.summary) {
				t.Errorf("/metrics gives %v, /api/v1/summary %v", tc.metrics, tc.summary)
			}
			if tc.page == "" {
				return
			}
			got, ok := page[tc.page]
			if !ok {
				t.Fatalf("the page's headline has no data-figure=%q", tc.page)
			}
			if !sameFigure(got, tc.summary) {
				t.Errorf("the page's headline %s = %v, /api/v1/summary %v", tc.page, got, tc.summary)
			}
		})
	}
	if got, want := m[`kfor_dataset_info{as_of="`+sm.AsOf+`",checksum="`+sm.Checksum+`",version="`+sm.DatasetVersion+`"}`], 1.0; got != want {
		t.Errorf("kfor_dataset_info for checksum %s = %v, want %v", sm.Checksum, got, want)
	}
}

// prometheusServer is a Prometheus process the test started.
type prometheusServer struct {
	base string // http://127.0.0.1:PORT
}

// startPrometheus runs Debian's prometheus on loopback with config, on the
// TSDB in dataDir, until the test ends.
func startPrometheus(tb testing.TB, config, dataDir string) *prometheusServer {
	tb.Helper()
	bin := kforstatstest.NeedTool(tb, "prometheus", "bash .ci/deps (Debian package prometheus)")
	dir := tb.TempDir()
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := kforstatstest.FreeAddr(tb)
	var logs kforstatstest.LogWatch
	cmd := exec.Command(bin,
		"--config.file="+cfg,
		"--storage.tsdb.path="+dataDir,
		"--storage.tsdb.retention.time=100y", // keep the history from 1999
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(kforstatstest.WaitLimit):
			cmd.Process.Kill()
			<-done
		}
		if tb.Failed() {
			tb.Logf("prometheus log:\n%s", logs.String())
		}
	})
	p := &prometheusServer{base: "http://" + addr}
	kforstatstest.WaitReady(tb, http.DefaultClient, p.base+"/-/ready")
	return p
}

// promResult is the data of a Prometheus query answer.
type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`  // instant: [time, "value"]
	Values [][2]any          `json:"values"` // range: [[time, "value"], ...]
}

// api calls a Prometheus HTTP API endpoint and decodes the data field.
func (p *prometheusServer) api(tb testing.TB, path string, params url.Values, data any) error {
	tb.Helper()
	resp, err := http.Get(p.base + path + "?" + params.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if body.Status != "success" {
		return fmt.Errorf("%s %v: %s", path, params, body.Error)
	}
	return json.Unmarshal(body.Data, data)
}

// query runs an instant query at t (now when zero).
func (p *prometheusServer) query(tb testing.TB, expr string, at time.Time) ([]promResult, error) {
	tb.Helper()
	params := url.Values{"query": {expr}}
	if !at.IsZero() {
		params.Set("time", strconv.FormatInt(at.Unix(), 10))
	}
	var data struct {
		Result []promResult `json:"result"`
	}
	err := p.api(tb, "/api/v1/query", params, &data)
	return data.Result, err
}

// queryRange runs a range query.
func (p *prometheusServer) queryRange(tb testing.TB, expr string, from, to time.Time, step time.Duration) ([]promResult, error) {
	tb.Helper()
	var data struct {
		Result []promResult `json:"result"`
	}
	err := p.api(tb, "/api/v1/query_range", url.Values{"query": {expr},
		"start": {strconv.FormatInt(from.Unix(), 10)}, "end": {strconv.FormatInt(to.Unix(), 10)}, "step": {step.String()}}, &data)
	return data.Result, err
}

// scalar runs an instant query that must give exactly one series.
func (p *prometheusServer) scalar(tb testing.TB, expr string, at time.Time) float64 {
	tb.Helper()
	res, err := p.query(tb, expr, at)
	if err != nil {
		tb.Fatal(err)
	}
	if len(res) != 1 {
		tb.Fatalf("%s at %s: %d series, want 1: %v", expr, at.Format(time.RFC3339), len(res), res)
	}
	return sampleValue(tb, res[0].Value)
}

func sampleValue(tb testing.TB, v [2]any) float64 {
	tb.Helper()
	s, _ := v[1].(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatalf("sample value %v: %v", v, err)
	}
	return f
}

// waitQuery waits until expr gives at least one series at now.
func (p *prometheusServer) waitQuery(tb testing.TB, expr string) {
	tb.Helper()
	deadline := time.Now().Add(kforstatstest.WaitLimit)
	for time.Now().Before(deadline) {
		if res, err := p.query(tb, expr, time.Time{}); err == nil && len(res) > 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	tb.Fatalf("%s gave no data within %s", expr, kforstatstest.WaitLimit)
}

// TestPrometheus runs the whole path an operator sets up: the history from
// `kforstats export openmetrics` backfilled with promtool, a Prometheus on
// that TSDB scraping a running kforstats every second with the rules of
// deploy/prometheus loaded, then checks the scraped figures, the figures of
// past dates, the rules and every query of the Grafana dashboard.
func TestPrometheus(t *testing.T) {
	promtool := kforstatstest.NeedTool(t, "promtool", "bash .ci/deps (Debian package prometheus)")
	kforstatstest.NeedTool(t, "prometheus", "bash .ci/deps (Debian package prometheus)")
	now := time.Now()
	d := datasettest.Record(t)

	addr, _ := startServe(t)
	base := "http://" + addr
	kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")

	// The backfill, exactly as the README says.
	dir := t.TempDir()
	history, tsdb := filepath.Join(dir, "kfor-history.om"), filepath.Join(dir, "data")
	if _, stderr, err := runCLI(t, "export", "openmetrics", "--out", history); err != nil {
		t.Fatalf("export openmetrics: %v\n%s", err, stderr)
	}
	out, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=87600h", history, tsdb).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}

	rules := kforstatstest.RepoPath(t, "deploy", "prometheus", "rules")
	prom := startPrometheus(t, fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %s/*.yml
scrape_configs:
  - job_name: kforstats
    static_configs:
      - targets: [%q]
`, rules, addr), tsdb)

	// Some requests for the HTTP metrics, then three scrapes, so that
	// rate() over a minute has points.
	kforstatstest.Get(t, base+"/api/v1/summary")
	kforstatstest.Get(t, base+"/api/v1/strength")
	prom.waitQuery(t, `count_over_time(up{job="kforstats"}[1m]) >= 3`)
	prom.waitQuery(t, `kfor:troops_per_100km2`)

	t.Run("scraped figures are the dataset's", func(t *testing.T) {
		sm := d.Summarize()
		ls := d.ListAt(now, true)
		nato, partner := ls.TroopsSplit()
		want := map[string]float64{
			`up{job="kforstats"}`:                                              1,
			`kfor_troops{job="kforstats"}`:                                     float64(sm.Latest.Troops),
			`kfor_troops_timestamp_seconds{job="kforstats"}`:                   float64(sm.Latest.Date.Time().Unix()),
			`kfor_peak_troops{job="kforstats"}`:                                float64(sm.Peak.Troops),
			`kfor_drawdown_ratio{job="kforstats"}`:                             sm.Drawdown,
			`kfor_nations{job="kforstats"}`:                                    float64(sm.Nations.Nations),
			`kfor_nations_by_membership{job="kforstats",membership="nato"}`:    float64(*sm.Split.NATO),
			`kfor_nations_by_membership{job="kforstats",membership="partner"}`: float64(*sm.Split.Partner),
			`kfor_area_square_meters{job="kforstats"}`:                         sm.AreaKm2 * 1e6,
			`count(kfor_nation_troops{job="kforstats"})`:                       float64(len(ls.Entries)),
			`sum(kfor_nation_troops{job="kforstats"})`:                         float64(ls.Sum()),
			`kfor_dataset_last_reload_successful{job="kforstats"}`:             1,
			`kfor_dataset_info{job="kforstats",checksum="` + d.Checksum + `"}`: 1,
			`kfor_build_info{job="kforstats",version="` + version + `"}`:       1,
			// The recording rules.
			`kfor:troops_per_100km2`:                                  sm.TroopsPer100Km2,
			`membership:kfor_nation_troops:sum{membership="nato"}`:    float64(nato),
			`membership:kfor_nation_troops:sum{membership="partner"}`: float64(partner),
		}
		for _, e := range ls.Entries {
			want[fmt.Sprintf(`kfor_nation_troops{job="kforstats",nation=%q,membership=%q}`, e.Nation.Code, e.Nation.MembershipAt(ls.Date.Time()))] = float64(e.Troops)
		}
		for expr, w := range want {
			if got := prom.scalar(t, expr, time.Time{}); !sameFigure(got, w) {
				t.Errorf("%s = %v, want %v", expr, got, w)
			}
		}
	})

	t.Run("backfilled past is the figure then in force", func(t *testing.T) {
		for _, date := range []string{"1999-07-01", "2004-03-20", "2008-02-17", "2012-02-20", "2019-06-30", "2023-01-01"} {
			at, _ := time.Parse(time.DateOnly, date)
			at = at.Add(12 * time.Hour) // midday: between two daily samples
			p, ok := d.StrengthAt(at)
			if !ok {
				t.Fatalf("no figure in force on %s", date)
			}
			if got := prom.scalar(t, "max(last_over_time(kfor_troops[1d]))", at); got != float64(p.Troops) {
				t.Errorf("strength on %s = %v, want %d (%s, %s)", date, got, p.Troops, p.Date, p.Source.ID)
			}
			if ls := d.ListAt(at, true); ls != nil {
				if got := prom.scalar(t, "count(last_over_time(kfor_nation_troops[1d]))", at); got != float64(len(ls.Entries)) {
					t.Errorf("nations in the per-nation list on %s = %v, want %d (list %s)", date, got, len(ls.Entries), ls.ID)
				}
			}
		}
	})

	t.Run("rules evaluate and none fires", func(t *testing.T) {
		var data struct {
			Groups []struct {
				Name  string `json:"name"`
				Rules []struct {
					Name      string `json:"name"`
					Query     string `json:"query"`
					Health    string `json:"health"`
					LastError string `json:"lastError"`
					State     string `json:"state"`
					Type      string `json:"type"`
				} `json:"rules"`
			} `json:"groups"`
		}
		if err := prom.api(t, "/api/v1/rules", nil, &data); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, g := range data.Groups {
			for _, r := range g.Rules {
				n++
				if r.Health != "ok" {
					t.Errorf("rule %s: health %q: %s", r.Name, r.Health, r.LastError)
				}
				if _, err := prom.query(t, r.Query, time.Time{}); err != nil {
					t.Errorf("rule %s: %v", r.Name, err)
				}
				if r.Type == "alerting" && r.State == "firing" {
					t.Errorf("alert %s fires on the shipped dataset", r.Name)
				}
			}
		}
		if n == 0 {
			t.Error("Prometheus loaded no rules from deploy/prometheus/rules")
		}
	})

	t.Run("every dashboard query returns data", func(t *testing.T) {
		exprs := dashboardExprs(t)
		if len(exprs) < 10 {
			t.Fatalf("only %d queries found in the dashboard", len(exprs))
		}
		first := d.Series()[0].Date.Time()
		for _, expr := range exprs {
			q := strings.NewReplacer("$__rate_interval", "1m", "$__interval", "1m", "${datasource}", "").Replace(expr)
			res, err := prom.query(t, q, time.Time{})
			if err != nil {
				t.Errorf("dashboard query %s: %v", expr, err)
				continue
			}
			if len(res) > 0 {
				continue
			}
			// Annotations are dated events: the history has them, now does not.
			res, err = prom.queryRange(t, q, first.AddDate(0, -6, 0), now, 24*time.Hour)
			if err != nil || len(res) == 0 {
				t.Errorf("dashboard query %s returns no data now nor since %s (%v)", expr, first.Format(time.DateOnly), err)
			}
		}
	})
}

// dashboardExprs returns every PromQL expression of the Grafana dashboard:
// the panels' queries and the annotations'.
func dashboardExprs(tb testing.TB) []string {
	tb.Helper()
	var doc any
	if err := json.Unmarshal(kforstatstest.ReadRepoFile(tb, "deploy", "grafana", "dashboards", "kforstats.json"), &doc); err != nil {
		tb.Fatal(err)
	}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "expr" {
					out = append(out, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

// TestPromtoolCheckMetrics lints a real scrape with promtool, as Prometheus'
// own tools would.
func TestPromtoolCheckMetrics(t *testing.T) {
	promtool := kforstatstest.NeedTool(t, "promtool", "bash .ci/deps (Debian package prometheus)")
	addr, _ := startServe(t)
	base := "http://" + addr
	kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")
	kforstatstest.Get(t, base+"/api/v1/summary") // so that the HTTP metrics have series
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(kforstatstest.Get(t, base+"/metrics"))
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestExportOpenMetrics(t *testing.T) {
	dir := t.TempDir()
	daily, _, err := runCLI(t, "export", "openmetrics")
	if err != nil {
		t.Fatalf("export openmetrics: %v", err)
	}
	if !strings.HasSuffix(daily, "\n# EOF\n") || !strings.Contains(daily, "# TYPE kfor_troops gauge\n") {
		t.Fatalf("export openmetrics wrote no OpenMetrics history (%d bytes)", len(daily))
	}

	tests := map[string]struct {
		args  []string
		usage bool   // want errUsage
		err   string // want an error containing this
		check func(t *testing.T, stdout string)
	}{
		"to a file": {args: []string{"--out", filepath.Join(dir, "h.om")}, check: func(t *testing.T, _ string) {
			// The same text as on standard output (its start: the end moves at midnight).
			b, err := os.ReadFile(filepath.Join(dir, "h.om"))
			if err != nil || !bytes.HasPrefix(b, []byte(daily[:10000])) || !bytes.HasSuffix(b, []byte("\n# EOF\n")) {
				t.Errorf("--out file: %v; %d bytes, not the history written to standard output", err, len(b))
			}
		}},
		"weekly": {args: []string{"--step", "168h"}, check: func(t *testing.T, out string) {
			if w, d := strings.Count(out, "\nkfor_troops "), strings.Count(daily, "\nkfor_troops "); w*7 > d+7 || w*7 < d-7 {
				t.Errorf("--step 168h wrote %d kfor_troops samples, want about a seventh of %d", w, d)
			}
		}},
		"step under a second": {args: []string{"--step", "1ms"}, usage: true},
		"step under an hour":  {args: []string{"--step", "1m"}, usage: true},
		"an argument":         {args: []string{"extra"}, usage: true},
		"missing directory":   {args: []string{"--data.path", filepath.Join(dir, "none")}, err: "cannot load the dataset from " + filepath.Join(dir, "none")},
		"unwritable --out":    {args: []string{"--out", filepath.Join(dir, "none", "h.om")}, err: filepath.Join(dir, "none")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runCLI(t, append([]string{"export", "openmetrics"}, tc.args...)...)
			switch {
			case tc.usage:
				if !errors.Is(err, errUsage) {
					t.Errorf("export openmetrics %q = %v, want a usage error", tc.args, err)
				}
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("export openmetrics %q = %v, want an error naming %q", tc.args, err, tc.err)
				}
			case err != nil:
				t.Fatalf("export openmetrics %q = %v", tc.args, err)
			default:
				tc.check(t, out)
			}
		})
	}
}

func TestExportDispatch(t *testing.T) {
	tests := map[string]struct {
		args      []string
		usage     bool
		stdoutHas string
		stderrHas string
	}{
		"no format":      {args: []string{"export"}, usage: true, stderrHas: "Formats:"},
		"unknown format": {args: []string{"export", "pdf"}, usage: true, stderrHas: "openmetrics"},
		"help":           {args: []string{"export", "--help"}, stdoutHas: "openmetrics"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, errOut, err := runCLI(t, tc.args...)
			if tc.usage != errors.Is(err, errUsage) {
				t.Fatalf("run(%q) = %v, want usage error %v", tc.args, err, tc.usage)
			}
			if !strings.Contains(out, tc.stdoutHas) || !strings.Contains(errOut, tc.stderrHas) {
				t.Errorf("run(%q) stdout %q stderr %q, want %q and %q", tc.args, out, errOut, tc.stdoutHas, tc.stderrHas)
			}
		})
	}
}

// TestHistoryRoute checks that a running server serves the history for
// `curl -o kfor-history.om .../api/v1/history.om`, compressed on request.
func TestHistoryRoute(t *testing.T) {
	addr, _ := startServe(t)
	base := "http://" + addr
	kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")
	resp, err := http.Get(base + "/api/v1/history.om") // the client asks for gzip and unzips
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !resp.Uncompressed {
		t.Fatalf("GET /api/v1/history.om = %s, compressed %v; want 200, gzip", resp.Status, resp.Uncompressed)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("Content-Type %q, want application/openmetrics-text", ct)
	}
	if !bytes.HasPrefix(body, []byte("# HELP kfor_troops ")) || !bytes.HasSuffix(body, []byte("\n# EOF\n")) {
		t.Errorf("GET /api/v1/history.om: %d bytes, not the OpenMetrics history", len(body))
	}
	m := kforstatstest.Scrape(t, base)
	if got := m[`kfor_http_requests_total{code="200",method="GET",route="/api/v1/history.om"}`]; got != 1 {
		t.Errorf("kfor_http_requests_total for /api/v1/history.om = %v, want 1 (by route template)", got)
	}
}

// TestMetricsMaxAge checks what --metrics.max-age trades: within it a
// scrape is answered as the one before, so a request between them is not
// yet counted; with 0 every scrape is gathered anew and counts it.
func TestMetricsMaxAge(t *testing.T) {
	const summaries = `kfor_http_requests_total{code="200",method="GET",route="/api/v1/summary"}`
	tests := map[string]struct {
		maxAge string
		want   float64 // summaries on the second scrape
	}{
		"gathered for each scrape": {maxAge: "0s", want: 1},
		"served again within it":   {maxAge: "1h", want: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			addr, _ := startServe(t, "--metrics.max-age="+tc.maxAge)
			base := "http://" + addr
			kforstatstest.WaitReady(t, http.DefaultClient, base+"/readyz")
			kforstatstest.Scrape(t, base)
			kforstatstest.Get(t, base+"/api/v1/summary")
			if got := kforstatstest.Scrape(t, base)[summaries]; got != tc.want {
				t.Errorf("--metrics.max-age=%s: %s = %v on the next scrape, want %v", tc.maxAge, summaries, got, tc.want)
			}
		})
	}
}
