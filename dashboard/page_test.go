package dashboard

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
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

// TestPageHeadlineSplitApart: the first screen shows one count of nations;
// when the NATO/partner split is another count (older, or adding up to
// another number), the card says so plainly, with the split's own date, so
// that 23 / 5 never reads as a split of 33.
func TestPageHeadlineSplitApart(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	body := get(t, s, "GET", "/").Body.String()
	sm := Summary(store.Current())
	sum := *sm.Split.NATO + *sm.Split.Partner
	apart := sm.Nations.All != sum || sm.Nations.Date != sm.Split.Date
	want := fmt.Sprintf("NATO / partner split known only for %s: ", i18n.NewPrinter(i18n.English).Day(sm.Split.DateGiven))
	if got := strings.Contains(body, want) && strings.Contains(body, fmt.Sprintf(" partner of %d then", sum)); got != apart {
		t.Errorf("page says %q: %v, want %v (nations %d on %s, split %d/%d on %s)",
			want, got, apart, sm.Nations.All, sm.Nations.Date, *sm.Split.NATO, *sm.Split.Partner, sm.Split.Date)
	}
	if n := strings.Count(body, `data-figure="nations"`); n != 1 {
		t.Errorf("the page shows %d counts of nations as headline figures, want one", n)
	}
	if sm.Split.Source.Kind == string(dataset.Secondary) {
		t.Errorf("the headline split rests on a secondary copy (%s) although the record has first-hand counts", sm.Split.Source.URL)
	}
}

// TestHeadlineSentence: the first screen says the headline in one sentence
// a reader can paste, from the same figures as the cards, with its
// citation; the peak agrees with NATO's statement that KFOR initially
// consisted of 50,000 troops, and in-theatre and in-Kosovo peaks are told
// apart.
func TestHeadlineSentence(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	body := get(t, s, "GET", "/").Body.String()
	sm := Summary(store.Current())
	for _, want := range []string{
		fmt.Sprintf("KFOR has about %s troops from %d nations, down from %s in %s", chart.Thousands(sm.Latest.Troops), sm.Nations.All, chart.Thousands(sm.Peak.Troops), sm.Peak.Date[:4]),
		"data as of " + sm.AsOf,
		html.EscapeString(sm.Latest.Source.Publisher),
		"Down from the " + sm.Peak.Date[:4] + " peak",
	} {
		if !strings.Contains(body, want) || !strings.Contains(sm.Sentence+sm.Citation+body, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if sm.Peak.Troops != 50000 {
		t.Errorf("peak %d, want NATO's 50,000 (KFOR initially consisted of 50,000 troops)", sm.Peak.Troops)
	}
	if sm.PeakTheatre == nil || sm.PeakKosovo == nil || sm.PeakTheatre.Troops <= sm.PeakKosovo.Troops {
		t.Errorf("peaks in theatre %v and in Kosovo %v: want both, theatre the larger", sm.PeakTheatre, sm.PeakKosovo)
	}
	if strings.Contains(body, "Below the peak") {
		t.Errorf(`the page still says "Below the peak", which reads as "at 90%% of the peak"`)
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
		"axis":           {"?axis=sqrt", []string{"<code>axis</code>", "is not an axis scale (want linear or log); showing linear"}},
		"from not date":  {"?from=last-week", []string{"<code>from</code>", "is not a date"}},
		"to in future":   {"?to=2999-01-01", []string{"<code>to</code>", "out of range"}},
		"date too early": {"?date=1999-02-01", []string{"<code>date</code>", "is before KFOR began on 12 June 1999", "showing 1999-06-15, the first day with a per-nation list"}},
		"before lists":   {"?date=1999-06-13", []string{"<code>date</code>", "no per-nation list"}},
		"swapped":        {"?from=2012&to=2009", []string{"<code>from</code>", "2012 is after to 2009; showing 2009 to 2012"}},
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
		// Ours carry the first 12 hex digits of their SHA-256; the page's
		// ECharts modules the 8 characters of esbuild's hash.
		if !regexp.MustCompile(`^/static/([a-z]+\.[0-9a-f]{12}\.(js|css)|page-[0-9A-Z]{8}\.js)$`).MatchString(path) {
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
		"/static/echarts.min.js", "/static/page/page.js", "/static/../go.mod", "/static/..%2f..%2fgo.mod", "/static/%2e%2e/api.go",
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
	// A chart's tables by number, as the page links a cut one.
	tests := map[string]struct {
		path, want string // want: the CSV's first line or the JSON's caption
	}{
		"first CSV":   {"/table/strength.1.csv", "Date,Troops,Confidence,Nations,Source"},
		"second CSV":  {"/table/strength.2.csv", "Date,Kind,Event,Source,Drawn as"},
		"second JSON": {"/table/strength.2.json", "Events: the turning points labelled, the others ticks under the plot"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := get(t, s, "GET", tc.path)
			got := strings.SplitN(w.Body.String(), "\n", 2)[0]
			if strings.HasSuffix(tc.path, ".json") {
				var tbl chart.Table
				_ = json.Unmarshal(w.Body.Bytes(), &tbl)
				got = tbl.Caption
			}
			if w.Code != http.StatusOK || got != tc.want {
				t.Errorf("GET %s = %d %q, want 200 %q", tc.path, w.Code, got, tc.want)
			}
		})
	}
	for _, path := range []string{
		"/table/nope.csv", "/table/strength.xml", "/table/strength", "/table/strength.4.csv", "/table/strength.0.csv",
		"/table/strength.02.csv", "/table/strength.+2.json", "/table/strength.x.csv", "/table/strength.2.xml", "/table/strength.2.2.csv",
	} {
		if w := get(t, s, "GET", path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, w.Code)
		}
	}
}

// scaledOrigin is the real record with its long tables grown to about
// factor times their rows: observations, events, per-nation lists and
// sources (one per new row), dated evenly from mid-1999 to 2025. It is
// enough to push every list the page shows past its bound at 10x, and it
// loads in a fraction of a second.
func scaledOrigin(tb testing.TB, factor int) dataset.Origin {
	tb.Helper()
	tables := datasettest.Embedded(tb)
	add := tables.Add
	grow := func(f string) int { return (factor - 1) * (len(tables[f]) - 1) }
	day := datasettest.Day
	nSources := grow("sources.csv")
	for i := range nSources {
		add("sources.csv", map[string]string{"id": fmt.Sprintf("Z%06d", i), "title": fmt.Sprintf("Scaled source %d", i), "publisher": "Scale test",
			"url": fmt.Sprintf("https://example.org/scale/%d", i), "published": "2026-01-01", "kind": "press", "language": "en"})
	}
	source := func(i int) string { return fmt.Sprintf("Z%06d", i%nSources) }
	nations := tables["nations.csv"][1:]
	n := grow("strength.csv")
	for i := range n {
		troops := strconv.Itoa(45000 - 41000*i/n)
		add("strength.csv", map[string]string{"date": day(i, n), "troops": troops, "source": source(i), "confidence": "approximate", "quote": "about " + troops + " troops"})
	}
	n = grow("events.csv")
	for i := range n {
		add("events.csv", map[string]string{"date": day(i, n), "kind": "political", "title": fmt.Sprintf("Scaled event %d", i), "source": source(i)})
	}
	n = grow("lists.csv")
	for i := range n {
		// Each list states a total its one entry accounts for, so that it
		// can stand as the force by nation and the selector has them all.
		id, troops := fmt.Sprintf("Z%06d", i), strconv.Itoa(50+i%900)
		add("lists.csv", map[string]string{"id": id, "date": day(i, n), "total": troops, "complete": "no", "source": source(nSources/2 + i), "confidence": "approximate", "quote": "partial"})
		add("contributions.csv", map[string]string{"list": id, "nation": nations[i%len(nations)][0], "troops": troops, "confidence": "approximate"})
	}
	return tables.Origin(fmt.Sprintf("scaled %dx", factor))
}

// pageTables finds the tables' summaries on the page: the caption, and
// either the rows listed ("(99 rows)") or a cut ("(newest 250 of 8,336 rows)").
var pageTableSummary = regexp.MustCompile(`<summary>Table: (.*) \((?:(newest|first) ([0-9,]+) of )?([0-9,]+) rows\)</summary>`)

func atoiComma(tb testing.TB, s string) int {
	tb.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		tb.Fatalf("%q is not a number", s)
	}
	return n
}

// TestPageBounded: at the real record the page lists every row, source
// and list; at a record ten times larger it lists at most the bounds, says
// where it cuts, links the whole, and is not much larger than at 1x.
func TestPageBounded(t *testing.T) {
	pages := map[string]int{}
	tests := map[string]struct {
		origin dataset.Origin
		cut    bool
	}{
		"real record": {dataset.EmbeddedOrigin(), false},
		"10x record":  {scaledOrigin(t, 10), true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s, store := newTestServer(t, tc.origin, false)
			d := store.Current()
			body := get(t, s, "GET", "/").Body.String()
			pages[name] = len(body)

			// Tables: the summary gives the whole table's rows; when cut, the
			// page says so and links the whole table, which has them all.
			summaries := pageTableSummary.FindAllStringSubmatch(body, -1)
			var want []chart.Table
			opts, err := chart.BuildAll(d, chart.View{})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range opts {
				want = append(want, o.Tables...)
			}
			if len(summaries) != len(want) {
				t.Fatalf("page has %d table summaries, want %d", len(summaries), len(want))
			}
			anyCut := false
			for i, m := range summaries {
				total, whole := atoiComma(t, m[4]), len(want[i].Rows)
				if m[2] == "" {
					if total != whole {
						t.Errorf("table %q says %d rows, want %d", m[1], total, whole)
					}
					if whole > maxTableRows {
						t.Errorf("table %q lists all %d rows, want at most %d", m[1], whole, maxTableRows)
					}
					continue
				}
				anyCut = true
				if listed := atoiComma(t, m[3]); total != whole || listed != maxTableRows {
					t.Errorf("table %q says %s %d of %d rows, want %d of %d", m[1], m[2], listed, total, maxTableRows, whole)
				}
			}
			if anyCut != tc.cut {
				t.Errorf("some table cut: %v, want %v", anyCut, tc.cut)
			}
			for _, m := range regexp.MustCompile(`The whole table: <a href="([^"]+)">CSV</a> · <a href="([^"]+)">JSON</a>`).FindAllStringSubmatch(body, -1) {
				csvw := get(t, s, "GET", html.UnescapeString(m[1]))
				rows, err := csv.NewReader(csvw.Body).ReadAll()
				if csvw.Code != http.StatusOK || err != nil || len(rows)-1 <= maxTableRows {
					t.Errorf("GET %s = %d with %d rows (%v), want the whole table", m[1], csvw.Code, len(rows)-1, err)
				}
				var tbl chart.Table
				if jw := get(t, s, "GET", html.UnescapeString(m[2])); json.Unmarshal(jw.Body.Bytes(), &tbl) != nil || len(tbl.Rows) != len(rows)-1 {
					t.Errorf("GET %s = %d rows, want the CSV's %d", m[2], len(tbl.Rows), len(rows)-1)
				}
			}
			for _, tb := range regexp.MustCompile(`(?s)<tbody>.*?</tbody>`).FindAllString(body, -1) {
				if n := strings.Count(tb, "<tr>"); n > maxTableRows {
					t.Errorf("a table lists %d rows, want at most %d", n, maxTableRows)
				}
			}

			// Sources: each list says how many the chart has; a cut one names
			// how many more and links them all.
			more := regexp.MustCompile(`and ([0-9,]+) more: <a href="/api/v1/sources.csv">all ([0-9,]+) sources of the record \(CSV\)</a>`).FindAllStringSubmatch(body, -1)
			if got := len(more) > 0; got != tc.cut {
				t.Errorf("some source list cut: %v, want %v", got, tc.cut)
			}
			for _, m := range more {
				if atoiComma(t, m[2]) != len(d.Sources) {
					t.Errorf("page says the record has %s sources, want %d", m[2], len(d.Sources))
				}
			}
			for _, ol := range regexp.MustCompile(`(?s)<details class="sources"[^>]*>.*?</details>`).FindAllString(body, -1) {
				if n := strings.Count(ol, "<li>"); n > maxSourcesListed {
					t.Errorf("a source list lists %d sources, want at most %d", n, maxSourcesListed)
				}
			}

			// The list selector: every list at 1x, the complete ones and the
			// newest when cut, with a date field for any other.
			days := chart.ListDates(d)
			selector := body[strings.Index(body, `<select id="date-select"`):]
			options := strings.Count(selector[:strings.Index(selector, "</select>")], "<option ")
			dateField := strings.Contains(body, `<input type="date" name="date"`)
			switch {
			case !tc.cut && (options != len(days) || dateField):
				t.Errorf("selector has %d options (date field %v), want all %d lists and no date field", options, dateField, len(days))
			case tc.cut && (options > maxListChoices || !dateField):
				t.Errorf("selector has %d options of %d lists (date field %v), want at most %d and a date field", options, len(days), dateField, maxListChoices)
			}
			for _, ls := range days {
				offered := strings.Contains(body, `<option value="`+ls.Date.ISO()+`"`)
				if (ls.Complete || ls == days[len(days)-1]) && !offered {
					t.Errorf("selector does not offer the list of %s (complete %v)", ls.Date, ls.Complete)
				}
			}
		})
	}
	if pages["10x record"] > 2*pages["real record"] {
		t.Errorf("page is %d bytes at 10x, %d at 1x: want the 10x page at most twice as large", pages["10x record"], pages["real record"])
	}
}

// TestPageListDateField: where the selector is cut, a list it does not
// offer is a date away: the form sends the selector's date, then the date
// field's, and a filled-in field wins; an empty one leaves the selector's.
func TestPageListDateField(t *testing.T) {
	s, store := newTestServer(t, scaledOrigin(t, 10), false)
	days := chart.ListDates(store.Current())
	newest, old := days[len(days)-1].Date.ISO(), days[1].Date.ISO()
	if strings.Contains(get(t, s, "GET", "/").Body.String(), `<option value="`+old+`"`) {
		t.Fatalf("the selector offers the list of %s; the test wants one it does not", old)
	}
	tests := map[string]struct{ query, want string }{
		"field empty":  {"date=" + newest + "&date=", newest},
		"field filled": {"date=" + newest + "&date=" + old, old},
		"field alone":  {"date=" + old, old},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			body := get(t, s, "GET", "/?"+tc.query).Body.String()
			if !strings.Contains(body, `<option value="`+tc.want+`" selected>`) {
				t.Errorf("GET /?%s: the list of %s is not selected", tc.query, tc.want)
			}
			if !strings.Contains(body, `src="/options.js?date=`+tc.want+`"`) {
				t.Errorf("GET /?%s: the charts do not show the list of %s", tc.query, tc.want)
			}
		})
	}
}

// TestPageTableCut: a table of dated rows keeps its newest, in the table's
// order, even when the chart groups them (events by kind); any other table
// keeps its first rows.
func TestPageTableCut(t *testing.T) {
	day := func(from time.Time, i int) string { return from.AddDate(0, 0, i).Format(time.DateOnly) }
	dated := func(n int, from time.Time) [][]string {
		var rows [][]string
		for i := range n {
			rows = append(rows, []string{day(from, i), strconv.Itoa(i)})
		}
		return rows
	}
	a, b := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	var named [][]string
	for i := range maxTableRows + 10 {
		named = append(named, []string{"nation " + strconv.Itoa(i), "1"})
	}
	tests := map[string]struct {
		rows     [][]string
		newest   bool
		first    string // the first cell of the first row listed
		from, to string // the dates the page says the rows listed span
	}{
		"short":   {dated(10, a), false, "2000-01-01", "", ""},
		"dated":   {dated(maxTableRows+50, a), true, day(a, 50), day(a, 50), day(a, maxTableRows+49)},
		"grouped": {append(dated(maxTableRows, b), dated(100, a)...), true, day(b, 0), day(b, 0), day(b, maxTableRows-1)},
		"named":   {named, false, "nation 0", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pt := newPageTable(chart.Table{Head: []string{"Date", "N"}, Rows: tc.rows}, "x", 2, nil)
			wantCut := len(tc.rows) > maxTableRows
			if pt.Cut() != wantCut || pt.Total != len(tc.rows) || len(pt.Rows) != min(len(tc.rows), maxTableRows) {
				t.Fatalf("lists %d of %d rows (cut %v), want %d (cut %v)", len(pt.Rows), pt.Total, pt.Cut(), min(len(tc.rows), maxTableRows), wantCut)
			}
			if pt.Newest != tc.newest || pt.Rows[0][0] != tc.first || pt.From != tc.from || pt.To != tc.to {
				t.Errorf("newest %v, first %s, dated %q to %q; want %v, %s, %q to %q", pt.Newest, pt.Rows[0][0], pt.From, pt.To, tc.newest, tc.first, tc.from, tc.to)
			}
			if wantCut && (pt.CSV != "/table/x.2.csv" || pt.JSON != "/table/x.2.json") {
				t.Errorf("links the whole table as %s and %s, want /table/x.2.csv and .json", pt.CSV, pt.JSON)
			}
		})
	}
}

// TestPerNationNeverMisleads: "Troops by nation" draws only lists that
// account for most of the force at their date and says how much; a date
// with only a one-nation fragment falls back to such a list and says so;
// the contingents chart follows the nations the reader picks, in the page
// and in its images, and refuses an unknown one.
func TestPerNationNeverMisleads(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	for _, ls := range chart.ListDates(d) {
		if c := d.CoverageOf(ls); !ls.Complete && c.Share() < dataset.MinCoverage {
			t.Errorf("the selector offers %s, which accounts for %.0f%% of %d troops", ls.ID, c.Share()*100, c.Total)
		}
	}
	// 2011-05-13 has a list naming Germany alone.
	if fragment := d.ListByDate("2011-05-13"); fragment == nil || len(fragment.Entries) != 1 {
		t.Fatalf("the record's 2011-05-13 list is %v; the test wants its one-nation fragment", fragment)
	}
	body := get(t, s, "GET", "/?date=2011-05-13").Body.String()
	if strings.Contains(body, "Troops by nation, 2011-05-13") {
		t.Errorf("the page draws the one-nation list of 2011-05-13 as troops by nation")
	}
	if !strings.Contains(body, "that accounts for at least 80% of the force") {
		t.Errorf("the page does not say why it shows another list than 2011-05-13's")
	}
	if !regexp.MustCompile(`<option value="[0-9-]+"[^>]*>[0-9-]+ · [0-9]+ nations, [0-9]+% of [0-9,]+`).MatchString(body) {
		t.Errorf("the list selector does not show each list's coverage (27 nations, 98%% of 4,353)")
	}
	picked := get(t, s, "GET", "/?nation=deu,ITA").Body.String()
	for _, want := range []string{"Contingents over time: Germany, Italy", `<option value="DEU" selected>`, `<option value="ITA" selected>`} {
		if !strings.Contains(picked, want) {
			t.Errorf("/?nation=deu,ITA does not show %q", want)
		}
	}
	if w := get(t, s, "GET", "/?nation=XYZ"); w.Code != 200 || !strings.Contains(w.Body.String(), "XYZ is not a nation of the record") {
		t.Errorf("/?nation=XYZ = %d, want 200 with a notice", w.Code)
	}
	tbl := decode[[]chart.Table](t, get(t, s, "GET", "/table/contingents.json?nation=AUT"))
	want := len(d.NationFigures("AUT"))
	if len(tbl) == 0 || len(tbl[0].Rows) != want || want < 6 {
		t.Errorf("contingents table for AUT has %v rows, want every one of the record's %d figures", len(tbl), want)
	}
	w := get(t, s, "GET", "/charts/contingents.svg?nation=XYZ")
	if e := decode[map[string]string](t, w); w.Code != 400 || e["param"] != "nation" {
		t.Errorf("/charts/contingents.svg?nation=XYZ = %d %v, want 400 naming nation", w.Code, e)
	}
}
