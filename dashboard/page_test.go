package dashboard

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset"
)

// figureAttr finds the headline's data-figure/data-value pairs.
var figureAttr = regexp.MustCompile(`data-figure="([a-z0-9_]+)" data-value="([^"]*)"`)

func headlineFigures(tb testing.TB, html string) map[string]float64 {
	tb.Helper()
	out := map[string]float64{}
	for _, m := range figureAttr.FindAllStringSubmatch(html, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			tb.Errorf("data-figure %s has data-value %q, want a number", m[1], m[2])
		}
		out[m[1]] = v
	}
	return out
}

func TestPageHeadlineMatchesSummary(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/")
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", w.Code)
	}
	sm := Summary(store.Current())
	want := map[string]float64{
		"latest_troops":     float64(sm.Latest.Troops),
		"peak_troops":       float64(sm.Peak.Troops),
		"drawdown_ratio":    sm.DrawdownRatio,
		"nations":           float64(sm.Nations.All),
		"nato_nations":      float64(*sm.Split.NATO),
		"partner_nations":   float64(*sm.Split.Partner),
		"area_km2":          sm.AreaKm2,
		"troops_per_100km2": sm.TroopsPer100Km2,
	}
	got := headlineFigures(t, w.Body.String())
	for name, v := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("headline has no data-figure=%q", name)
			continue
		}
		if g != v {
			t.Errorf("headline %s = %v, want %v as /api/v1/summary gives it", name, g, v)
		}
	}
}

// TestPageHeadlineSplitApart: when the NATO/partner split is another count
// than the nations' total (older, or adding up to another number), the
// headline says so beside it, so that 23 / 5 never reads as a split of 33.
func TestPageHeadlineSplitApart(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	body := get(t, s, "GET", "/").Body.String()
	sm := Summary(store.Current())
	sum := *sm.Split.NATO + *sm.Split.Partner
	apart := sm.Nations.All != sum || sm.Nations.Date != sm.Split.Date
	want := fmt.Sprintf("of %d counted in %s: a separate count, not a split of the %d beside it", sum, sm.Split.DateGiven, sm.Nations.All)
	if got := strings.Contains(body, want); got != apart {
		t.Errorf("page says %q: %v, want %v (nations %d on %s, split %d/%d on %s)",
			want, got, apart, sm.Nations.All, sm.Nations.Date, *sm.Split.NATO, *sm.Split.Partner, sm.Split.Date)
	}
}

func TestPageStructure(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/")
	body := w.Body.String()
	for _, want := range []string{
		`<html lang="en"`, `name="viewport"`, `<select id="date-select" name="date">`, `<button type="submit">Show</button>`,
		`href="/?theme=dark"`, `src="/options.js"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, sp := range chart.Specs() {
		for _, want := range []string{`id="chart-` + sp.ID + `"`, `<details class="table">`, `Sources of these figures`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %s for chart %s", want, sp.ID)
			}
		}
	}
	// No inline script: every <script> has a src on this origin.
	for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(m, ` src="/`) {
			t.Errorf("inline or foreign script: %s", m)
		}
	}
	if strings.Contains(body, "http://") && strings.Contains(body, `src="http`) {
		t.Errorf("page loads something from another host")
	}
}

func TestPageHeaders(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, path := range []string{"/", "/?theme=dark&from=2009", "/options.js"} {
		w := get(t, s, "GET", path)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, w.Code)
		}
		h := w.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("GET %s Content-Security-Policy = %q, want script-src 'self' only", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("GET %s headers = %v, want nosniff and a Referrer-Policy", path, h)
		}
	}
}

func TestPageBadParamsFallBack(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		query string
		want  []string // in the notice
	}{
		"theme":          {"?theme=neon", []string{"<code>theme</code>", "neon"}},
		"from not date":  {"?from=last-week", []string{"<code>from</code>", "is not a date"}},
		"to in future":   {"?to=2999-01-01", []string{"<code>to</code>", "out of range"}},
		"date too early": {"?date=1999-02-01", []string{"<code>date</code>", "no per-nation list"}},
		"swapped":        {"?from=2012&to=2009", []string{"<code>from</code>", "swapped"}},
		"huge":           {"?from=" + strings.Repeat("x", 5000), []string{"<code>from</code>", "characters long"}},
		"html":           {"?theme=%3Cscript%3E", []string{"<code>theme</code>", "&#34;&lt;script&gt;&#34;"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := get(t, s, "GET", "/"+tc.query)
			if w.Code != http.StatusOK {
				t.Fatalf("GET /%s = %d, want 200 with a notice", tc.query, w.Code)
			}
			body := w.Body.String()
			i := strings.Index(body, `class="notice"`)
			if i < 0 {
				t.Fatalf("GET /%s shows no notice", tc.query)
			}
			notice := body[i:min(len(body), i+2000)]
			for _, want := range tc.want {
				if !strings.Contains(notice, want) {
					t.Errorf("GET /%s notice lacks %q:\n%s", tc.query, want, notice)
				}
			}
			if strings.Contains(body, "<script>") {
				t.Errorf("GET /%s reflects a script tag", tc.query)
			}
		})
	}
	w := get(t, s, "GET", "/")
	if strings.Contains(w.Body.String(), `class="notice"`) {
		t.Errorf("GET / shows a notice without bad parameters")
	}
}

func TestPageView(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/?from=2009&to=2012-06&date=2022-08-15&theme=dark")
	body := w.Body.String()
	for _, want := range []string{
		`data-theme="dark"`, `value="2009-01-01"`, `value="2012-06-30"`, `<option value="2022-08-15" selected>`,
		`src="/options.js?date=2022-08-15&amp;from=2009-01-01&amp;theme=dark&amp;to=2012-06-30"`,
		`href="/?date=2022-08-15&amp;from=2009-01-01&amp;to=2012-06-30"`, // the theme toggle keeps the view
		`<input type="hidden" name="theme" value="dark">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET with a view: page lacks %s", want)
		}
	}
}

func TestOptionsScript(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/options.js?theme=dark")
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("options.js Content-Type = %q, want text/javascript", ct)
	}
	body := w.Body.String()
	if !strings.HasPrefix(body, "kfor.draw([") || !strings.HasSuffix(body, "]);\n") {
		t.Fatalf("options.js = %.80q..., want kfor.draw([...]);", body)
	}
	// Each chart's option is exactly what chart.Build gives the image exporter.
	v := chart.View{Theme: chart.Dark}
	for _, sp := range chart.Specs() {
		o, err := chart.Build(sp.ID, store.Current(), v)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, `{"id":"`+sp.ID+`","theme":"dark","height":`+strconv.Itoa(o.Height)+`,"option":`+o.JS+`}`) {
			t.Errorf("options.js does not hand chart %s its built option", sp.ID)
		}
	}
}

func TestStaticAssets(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	page := get(t, s, "GET", "/").Body.String()
	names := regexp.MustCompile(`"(/static/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(names) != 3 {
		t.Fatalf("page references %d static assets, want 3 (ECharts, app.js, app.css): %v", len(names), names)
	}
	for _, m := range names {
		path := m[1]
		if !regexp.MustCompile(`^/static/[a-z]+\.[0-9a-f]{12}\.(min\.js|js|css)$`).MatchString(path) {
			t.Errorf("asset %s has no content hash in its name", path)
		}
		plain := get(t, s, "GET", path)
		if plain.Code != http.StatusOK {
			t.Fatalf("GET %s = %d", path, plain.Code)
		}
		if cc := plain.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q, want immutable for a year", path, cc)
		}
		gz := getWith(t, s, path, map[string]string{"Accept-Encoding": "gzip"})
		if gz.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s with gzip: Content-Encoding %q", path, gz.Header().Get("Content-Encoding"))
		} else {
			zr, err := gzip.NewReader(gz.Body)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(zr)
			if string(b) != plain.Body.String() {
				t.Errorf("GET %s: gzip body differs from the plain one", path)
			}
		}
		etag := plain.Header().Get("ETag")
		if nm := getWith(t, s, path, map[string]string{"If-None-Match": etag}); nm.Code != http.StatusNotModified {
			t.Errorf("GET %s If-None-Match %s = %d, want 304", path, etag, nm.Code)
		}
	}
	for _, path := range []string{
		"/static/echarts.min.js", "/static/../go.mod", "/static/..%2f..%2fgo.mod", "/static/%2e%2e/api.go",
		"/static/", "/static/app.000000000000.js", "/static//etc/passwd",
	} {
		if w := get(t, s, "GET", path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, w.Code)
		}
	}
}

func TestTableDownloads(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, sp := range chart.Specs() {
		csvw := get(t, s, "GET", "/table/"+sp.ID+".csv?from=2009")
		if csvw.Code != http.StatusOK || !strings.HasPrefix(csvw.Header().Get("Content-Type"), "text/csv") {
			t.Errorf("GET /table/%s.csv = %d %s", sp.ID, csvw.Code, csvw.Header().Get("Content-Type"))
		}
		jw := get(t, s, "GET", "/table/"+sp.ID+".json")
		var tables []chart.Table
		if err := json.Unmarshal(jw.Body.Bytes(), &tables); err != nil || len(tables) == 0 || len(tables[0].Rows) == 0 {
			t.Errorf("GET /table/%s.json = %v tables (%v), want rows", sp.ID, len(tables), err)
		}
	}
	for _, path := range []string{"/table/nope.csv", "/table/strength.xml", "/table/strength"} {
		if w := get(t, s, "GET", path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, w.Code)
		}
	}
}
