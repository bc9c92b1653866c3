package dashboard

import (
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// apiNow is "today" for the API tests.
var apiNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newTestServer(tb testing.TB, o dataset.Origin, lifecycle bool) (*Server, *dataset.Store) {
	tb.Helper()
	store, err := dataset.NewStore(o, nil)
	if err != nil {
		tb.Fatalf("NewStore: %v", err)
	}
	return NewServer(Config{Store: store, EnableLifecycle: lifecycle, Now: func() time.Time { return apiNow }}), store
}

func get(tb testing.TB, h http.Handler, method, target string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest(method, target, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decode[T any](tb testing.TB, w *httptest.ResponseRecorder) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		tb.Fatalf("body is not the JSON expected: %v\n%s", err, w.Body.String())
	}
	return v
}

func TestStrength(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	w := get(t, s, "GET", "/api/v1/strength")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/strength = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	rows := decode[[]StrengthRow](t, w)
	if len(rows) != len(d.Series()) {
		t.Fatalf("got %d rows, want the %d points of the preferred series", len(rows), len(d.Series()))
	}
	for i, r := range rows {
		p := d.Series()[i]
		if r.Date != p.Date.ISO() || r.Troops != p.Troops || !r.Preferred {
			t.Errorf("row %d = %s %d, want %s %d", i, r.Date, r.Troops, p.Date.ISO(), p.Troops)
		}
		if r.Source.ID == "" || !strings.HasPrefix(r.Source.URL, "http") || r.Source.Title == "" || r.Confidence == "" {
			t.Errorf("row %d (%s) lacks its source or confidence: %+v", i, r.Date, r)
		}
		if i > 0 && r.Date < rows[i-1].Date {
			t.Errorf("rows out of order at %d: %s after %s", i, r.Date, rows[i-1].Date)
		}
	}
	// The 2017 placemat quotes 30 nations, 8 of them partners: the row carries both.
	for _, r := range rows {
		if r.DateAsGiven == "2017-02" {
			if r.Nations == nil || *r.Nations != 30 || r.PartnerNations == nil || *r.PartnerNations != 8 || r.NATONations == nil || *r.NATONations != 22 {
				t.Errorf("2017-02 nations = %v/%v/%v, want 30 in all, 22 NATO, 8 partner", r.Nations, r.NATONations, r.PartnerNations)
			}
		}
	}
	all := decode[[]StrengthRow](t, get(t, s, "GET", "/api/v1/strength?all=1"))
	if len(all) != len(d.Observations) {
		t.Errorf("?all=1 gave %d rows, want every one of the %d observations", len(all), len(d.Observations))
	}
	unused := 0
	for _, r := range all {
		if !r.Preferred {
			unused++
			if !strings.HasPrefix(r.Rule, "not used") {
				t.Errorf("observation %s %d is not used but its rule says %q", r.DateAsGiven, r.Troops, r.Rule)
			}
		}
	}
	if unused == 0 {
		t.Errorf("?all=1 shows no observation left out of the series; the record has conflicting sources")
	}
}

func TestStrengthCSV(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/api/v1/strength.csv")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("GET strength.csv = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if err != nil {
		t.Fatalf("strength.csv does not parse: %v", err)
	}
	if got, want := len(recs), len(store.Current().Series())+1; got != want {
		t.Errorf("strength.csv has %d lines, want %d (header and series)", got, want)
	}
	if h := strings.Join(recs[0], ","); !strings.HasPrefix(h, "date,date_given,precision,troops,nations,nato_nations,partner_nations,confidence") || !strings.Contains(h, "source_url") {
		t.Errorf("strength.csv header = %s", h)
	}
}

func TestContributions(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	tests := map[string]struct {
		query    string
		wantList func() *dataset.List
	}{
		"latest by default":        {"", func() *dataset.List { return d.ListAt(apiNow, false) }},
		"in force in January 2018": {"?date=2018-01-01", func() *dataset.List { return d.ListAt(time.Date(2018, 1, 1, 23, 0, 0, 0, time.UTC), false) }},
		"latest complete":          {"?complete=1", func() *dataset.List { return d.ListAt(apiNow, true) }},
		"complete in 2018":         {"?date=2018-01-01&complete=1", func() *dataset.List { return d.ListAt(time.Date(2018, 1, 1, 23, 0, 0, 0, time.UTC), true) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := get(t, s, "GET", "/api/v1/contributions"+tc.query)
			if w.Code != 200 {
				t.Fatalf("GET %s = %d %s", tc.query, w.Code, w.Body.String())
			}
			a := decode[ContributionsAnswer](t, w)
			want := tc.wantList()
			if a.ListID != want.ID || len(a.Entries) != len(want.Entries) || a.Complete != want.Complete {
				t.Fatalf("got list %s (%d entries), want %s (%d)", a.ListID, len(a.Entries), want.ID, len(want.Entries))
			}
			if a.Source.URL == "" {
				t.Errorf("list %s has no source URL", a.ListID)
			}
			for i := 1; i < len(a.Entries); i++ {
				if a.Entries[i].Troops > a.Entries[i-1].Troops {
					t.Errorf("entries not sorted largest first at %d", i)
				}
			}
		})
	}
	// Membership is by the list's date: Finland was a partner in 2017, NATO in the 2023 list.
	a := decode[ContributionsAnswer](t, get(t, s, "GET", "/api/v1/contributions?date=2018-01-01&complete=1"))
	for _, e := range a.Entries {
		if e.Nation == "FIN" && e.Membership != "partner" {
			t.Errorf("Finland in %s is %s, want partner", a.DateGiven, e.Membership)
		}
	}
	b := decode[ContributionsAnswer](t, get(t, s, "GET", "/api/v1/contributions?date=2024-01-01&complete=1"))
	for _, e := range b.Entries {
		if e.Nation == "FIN" && e.Membership != "nato" {
			t.Errorf("Finland in %s is %s, want nato", b.DateGiven, e.Membership)
		}
	}
	if b.NATO != 21 || b.Partner != 6 {
		t.Errorf("the 2023 list splits %d NATO / %d partner, want 21/6 as Danas quotes (S85)", b.NATO, b.Partner)
	}
}

// TestOneGrammar: a parameter reads the same on every route: the page's
// dates work in the API and the images, and the same mistake gets the same
// error body everywhere (the page shows the same words, and what it shows
// instead).
func TestOneGrammar(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, target := range []string{"/api/v1/contributions?date=2017", "/api/v1/contributions.csv?date=2017-02", "/api/v1/strength?from=2009&to=2010-06", "/?date=2017", "/table/contributions.json?date=2017"} {
		if w := get(t, s, "GET", target); w.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200: %s", target, w.Code, w.Body)
		}
	}
	var first string
	for _, target := range []string{"/api/v1/contributions?date=bogus", "/api/v1/contributions.csv?date=bogus", "/charts/contributions.svg?date=bogus", "/charts/contributions.png?date=bogus"} {
		w := get(t, s, "GET", target)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("GET %s = %d, want 400", target, w.Code)
		}
		if first == "" {
			first = w.Body.String()
		}
		if w.Body.String() != first {
			t.Errorf("GET %s = %s, want the same body as the API's %s", target, w.Body, first)
		}
	}
	e := map[string]string{}
	json.Unmarshal([]byte(first), &e)
	if e["param"] != "date" || e["code"] != string(EInvalid) {
		t.Errorf("error body %s: want param date, code %s", first, EInvalid)
	}
	page := get(t, s, "GET", "/?date=bogus").Body.String()
	if !strings.Contains(page, html.EscapeString(e["error"])+"; ignored") {
		t.Errorf("the page's notice for date=bogus does not say %q and what it shows instead", e["error"])
	}
}

// TestBadRequests: every malformed or out-of-range parameter gets a 4xx with
// a JSON message that names the parameter and says what was expected.
func TestBadRequests(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		method, target string
		code           int
		want           string
	}{
		"bad date":              {"GET", "/api/v1/contributions?date=2017-13-01", 400, `"2017-13-01" is not a date (want a date as YYYY-MM-DD, YYYY-MM or YYYY)`},
		"date with slashes":     {"GET", "/api/v1/contributions?date=01/02/2017", 400, "want a date as YYYY-MM-DD, YYYY-MM or YYYY"},
		"date before KFOR":      {"GET", "/api/v1/contributions?date=1990-01-01", 400, "1990-01-01 is before KFOR began on 12 June 1999 (want a date from 1999-06-12 to 2026-11-27)"},
		"date in the future":    {"GET", "/api/v1/contributions?date=2030-01-01", 400, "out of range"},
		"very long date":        {"GET", "/api/v1/contributions?date=" + strings.Repeat("9", 5000), 400, "is 5000 characters long"},
		"no list yet":           {"GET", "/api/v1/contributions?date=1999-06-13", 404, "no per-nation list on or before 1999-06-13"},
		"bad all":               {"GET", "/api/v1/strength?all=maybe", 400, `"maybe" is not a boolean (want 1 or 0)`},
		"garbage from":          {"GET", "/api/v1/strength?from=garbage", 400, `"garbage" is not a date`},
		"from after to":         {"GET", "/api/v1/events.csv?from=2015&to=2010", 400, "2015 is after to 2010"},
		"future to":             {"GET", "/api/v1/counts?to=2031", 400, "2031 is out of range"},
		"bad complete":          {"GET", "/api/v1/contributions.csv?complete=2", 400, "is not a boolean"},
		"unknown route":         {"GET", "/api/v1/nope", 404, "no such page: /api/v1/nope"},
		"wrong method":          {"DELETE", "/api/v1/strength", 405, "method DELETE is not allowed on /api/v1/strength"},
		"reload without switch": {"POST", "/-/reload", 403, "lifecycle APIs are not enabled"},
		"reload by GET":         {"GET", "/-/reload", 405, "not allowed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := get(t, s, tc.method, tc.target)
			if w.Code != tc.code {
				t.Fatalf("%s %s = %d, want %d: %s", tc.method, tc.target, w.Code, tc.code, w.Body.String())
			}
			e := decode[map[string]any](t, w)
			msg, _ := e["error"].(string)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s %s error = %q, want it to contain %q", tc.method, tc.target, msg, tc.want)
			}
		})
	}
}

func TestSummary(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	a := decode[SummaryAnswer](t, get(t, s, "GET", "/api/v1/summary"))
	sm := d.Summarize()
	if a.Latest.Troops != sm.Latest.Troops || a.Latest.DateGiven != sm.Latest.Date.String() || a.Latest.Source.URL == "" {
		t.Errorf("latest = %+v, want %d at %s with its source", a.Latest, sm.Latest.Troops, sm.Latest.Date)
	}
	if a.Peak.Troops != sm.Peak.Troops || a.DrawdownRatio != sm.Drawdown || a.AreaKm2 != 10887 {
		t.Errorf("summary = %+v", a)
	}
	if a.TroopsPer100Km2 != float64(sm.Latest.Troops)/10887*100 {
		t.Errorf("troops per 100 km² = %v", a.TroopsPer100Km2)
	}
	if a.Nations == nil || a.Split == nil || a.Split.NATO == nil || a.Split.Partner == nil || *a.Split.NATO+*a.Split.Partner != a.Split.All {
		t.Errorf("nations = %+v, split = %+v", a.Nations, a.Split)
	}
	if a.Checksum != d.Checksum || a.AsOf != d.AsOf.String() {
		t.Errorf("as of %s checksum %s, want %s %s", a.AsOf, a.Checksum, d.AsOf, d.Checksum)
	}
}

func TestOtherTables(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	if ev := decode[[]EventRow](t, get(t, s, "GET", "/api/v1/events")); len(ev) != len(d.Events) || ev[0].Source.URL == "" {
		t.Errorf("events: %d rows, want %d with sources", len(ev), len(d.Events))
	}
	if c := decode[[]CountRow](t, get(t, s, "GET", "/api/v1/counts")); len(c) != len(d.NationCounts()) {
		t.Errorf("counts: %d rows, want %d", len(c), len(d.NationCounts()))
	}
	if src := decode[[]SourceRef](t, get(t, s, "GET", "/api/v1/sources")); len(src) != len(d.Sources) {
		t.Errorf("sources: %d rows, want %d", len(src), len(d.Sources))
	}
	ns := decode[[]NationRow](t, get(t, s, "GET", "/api/v1/nations"))
	for _, n := range ns {
		if n.Code == "SWE" && (n.Membership != "nato" || n.Accession != "2024-03-07") {
			t.Errorf("Sweden = %+v, want nato since 2024-03-07", n)
		}
	}
	st := decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?all=1"))
	if len(st.Units) != len(d.Units) || len(st.Facts) != len(d.Facts) {
		t.Errorf("structure: %d units and %d facts, want %d and %d", len(st.Units), len(st.Facts), len(d.Units), len(d.Facts))
	}
	for _, u := range st.Units {
		if (u.Lat == nil) != (u.Lon == nil) || u.Source.URL == "" || (u.Lat != nil) != (u.Coords != "") {
			t.Errorf("unit %s: coordinates %v,%v (%q) without both values or a kind", u.ID, u.Lat, u.Lon, u.Coords)
		}
	}
	for _, path := range []string{"/api/v1/events.csv", "/api/v1/counts.csv", "/api/v1/sources.csv", "/api/v1/nations.csv", "/api/v1/contributions.csv", "/api/v1/structure.csv"} {
		w := get(t, s, "GET", path)
		if _, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll(); w.Code != 200 || err != nil {
			t.Errorf("GET %s = %d, %v", path, w.Code, err)
		}
	}
}

// TestReloadKeepsLastGood: a reload of a broken record answers 422 with the
// problems, and the server keeps serving the last good dataset.
func TestReloadKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../dataset/testdata/valid", dir)
	s, store := newTestServer(t, dataset.DirOrigin(dir), true)
	before := store.Current().Checksum
	if err := os.WriteFile(filepath.Join(dir, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02,many,P1,exact,q,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := get(t, s, "POST", "/-/reload")
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `strength.csv:2:9: troops: \"many\" is not a whole number`) {
		t.Fatalf("POST /-/reload = %d %s, want 422 naming the bad field", w.Code, w.Body.String())
	}
	if store.Current().Checksum != before {
		t.Fatalf("a failed reload replaced the dataset")
	}
	if w := get(t, s, "GET", "/api/v1/summary"); w.Code != 200 {
		t.Fatalf("after a failed reload GET /api/v1/summary = %d", w.Code)
	}
	copyDir(t, "../dataset/testdata/valid", dir)
	if err := os.WriteFile(filepath.Join(dir, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02,4000,P1,exact,q,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if w := get(t, s, "POST", "/-/reload"); w.Code != 200 {
		t.Fatalf("POST /-/reload of a good record = %d %s", w.Code, w.Body.String())
	}
	if a := decode[SummaryAnswer](t, get(t, s, "GET", "/api/v1/summary")); a.Latest.Troops != 4000 {
		t.Errorf("after reload latest = %d, want 4000", a.Latest.Troops)
	}
}

func copyDir(tb testing.TB, from, to string) {
	tb.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// FuzzAPI drives the API routes with arbitrary query strings: the answer is
// never a 5xx, and a 4xx always carries a JSON error message.
func FuzzAPI(f *testing.F) {
	s, _ := newTestServer(f, dataset.EmbeddedOrigin(), false)
	for _, q := range []string{"date=2017-02-01", "all=1", "date=%ff", "complete=yes&date=2023-10-10", "date=9999-99-99", "date=&all="} {
		f.Add("/api/v1/contributions", q)
		f.Add("/api/v1/strength.csv", q)
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#?") || strings.ContainsAny(query, " \r\n\t#") {
			return
		}
		r, err := http.NewRequest("GET", "http://x"+path+"?"+query, nil)
		if err != nil {
			return
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("GET %s?%s = %d %s", path, query, w.Code, w.Body.String())
		}
		if w.Code >= 400 && strings.HasPrefix(path, "/api/") {
			var e map[string]any
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e["error"] == "" {
				t.Fatalf("GET %s?%s = %d without a JSON error: %s", path, query, w.Code, w.Body.String())
			}
		}
	})
}

// TestNationTroops: one nation's contingent over time, from its lists and
// its national sources, oldest first, each figure with its source and the
// nation's NATO status at that date.
func TestNationTroops(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/api/v1/nations/deu/troops")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/nations/deu/troops = %d: %s", w.Code, w.Body)
	}
	rows := decode[[]NationTroopsRow](t, w)
	want := len(store.Current().NationFigures("DEU"))
	if len(rows) != want || want < 6 {
		t.Fatalf("Germany has %d figures, want the record's %d (at least 6)", len(rows), want)
	}
	first, last := rows[0].Date, rows[len(rows)-1].Date
	if first > "2000" || last < "2015" {
		t.Errorf("Germany's figures span %s to %s, want from 1999 to past 2015", first, last)
	}
	lists := 0
	for i, r := range rows {
		if i > 0 && r.Date < rows[i-1].Date {
			t.Errorf("row %d (%s) is older than row %d (%s): want oldest first", i, r.Date, i-1, rows[i-1].Date)
		}
		if r.Source.URL == "" || r.Troops <= 0 || r.Membership != "nato" {
			t.Errorf("row %+v: want a source URL, troops and NATO membership (Germany joined in 1955)", r)
		}
		if r.List != "" {
			lists++
		}
	}
	if lists == 0 || lists == len(rows) {
		t.Errorf("%d of %d figures come from lists, want figures from both lists and national sources", lists, len(rows))
	}
	// Albania was a partner until 2009.
	alb := decode[[]NationTroopsRow](t, get(t, s, "GET", "/api/v1/nations/ALB/troops"))
	for _, r := range alb {
		if want := map[bool]string{true: "partner", false: "nato"}[r.Date < "2009-04-01"]; r.Membership != want {
			t.Errorf("Albania on %s: membership %s, want %s", r.Date, r.Membership, want)
		}
	}
	ranged := decode[[]NationTroopsRow](t, get(t, s, "GET", "/api/v1/nations/DEU/troops?from=2010&to=2012"))
	for _, r := range ranged {
		if r.Date < "2010-01-01" || r.Date > "2012-12-31" {
			t.Errorf("from=2010&to=2012 gave a figure of %s", r.Date)
		}
	}
	csvw := get(t, s, "GET", "/api/v1/nations/DEU/troops.csv")
	recs, err := csv.NewReader(csvw.Body).ReadAll()
	if err != nil || len(recs) != want+1 || recs[0][0] != "date" || recs[0][2] != "troops" {
		t.Errorf("troops.csv: %d records, %v; want a header and %d rows", len(recs), err, want)
	}
	if !strings.Contains(csvw.Header().Get("Content-Disposition"), "kfor-troops-DEU.csv") {
		t.Errorf("troops.csv Content-Disposition %q", csvw.Header().Get("Content-Disposition"))
	}
	for target, code := range map[string]int{"/api/v1/nations/DE/troops": 400, "/api/v1/nations/D3U/troops.csv": 400, "/api/v1/nations/XYZ/troops": 404, "/api/v1/nations/DEU/troops?from=bogus": 400} {
		w := get(t, s, "GET", target)
		e := decode[map[string]string](t, w)
		if w.Code != code || e["param"] == "" {
			t.Errorf("GET %s = %d %v, want %d naming the parameter", target, w.Code, e, code)
		}
	}
}
