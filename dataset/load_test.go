package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// testNow is "today" for every fixture: dates after it are in the future.
var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// overlay reads the valid fixture and replaces or removes files with those
// in dir; a file whose content is "DELETE" is removed.
func overlay(tb testing.TB, dir string) fstest.MapFS {
	tb.Helper()
	m := fstest.MapFS{}
	for _, base := range []string{"testdata/valid", dir} {
		if base == "" {
			continue
		}
		ents, err := os.ReadDir(base)
		if err != nil {
			tb.Fatal(err)
		}
		for _, e := range ents {
			if !strings.HasSuffix(e.Name(), ".csv") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(base, e.Name()))
			if err != nil {
				tb.Fatal(err)
			}
			if strings.TrimSpace(string(b)) == "DELETE" {
				delete(m, e.Name())
				continue
			}
			m[e.Name()] = &fstest.MapFile{Data: b}
		}
	}
	return m
}

func loadValid(tb testing.TB) *Dataset {
	tb.Helper()
	d, err := Load(overlay(tb, ""), Options{Dir: "testdata/valid", Now: testNow})
	if err != nil {
		tb.Fatalf("Load(valid) = %v", err)
	}
	return d
}

func TestLoadReportsEveryProblem(t *testing.T) {
	m := overlay(t, "")
	m["strength.csv"] = &fstest.MapFile{Data: []byte("date,troops,source,confidence,quote,note\n" +
		"2017-13,4273,P1,exact,q,\n" +
		"2017-02,-5,P1,exact,q,\n" +
		"2017-02,4273,NOPE,sure,q,\n")}
	_, err := Load(m, Options{Dir: "d", Now: testNow})
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Load = %v, want Errors", err)
	}
	want := []string{
		`d/strength.csv:2:1: date: "2017-13" is not a date (want YYYY, YYYY-MM or YYYY-MM-DD)`,
		`d/strength.csv:3:9: troops: -5 is not positive (want a whole number greater than 0)`,
		`d/strength.csv:4:14: source: "NOPE" does not resolve (want an id from sources.csv)`,
		`d/strength.csv:4:19: confidence: "sure" is not a confidence (want exact, approximate, derived or uncertain)`,
	}
	if len(es) != len(want) {
		t.Fatalf("Load gave %d errors:\n%v\nwant %d", len(es), err, len(want))
	}
	for i, w := range want {
		if es[i].Error() != w {
			t.Errorf("error %d = %q, want %q", i, es[i].Error(), w)
		}
	}
}

func TestPreferred(t *testing.T) {
	d := loadValid(t)
	var got []string
	for _, p := range d.Series() {
		got = append(got, p.Date.String()+"="+strconv.Itoa(p.Troops))
	}
	// 2000 and 2024 are year-only and alone in their year: used. The
	// placemat (official, exact) beats the press figure of 2017-02-20 that
	// falls in its month.
	want := "1999-06-15=24500 2000=42000 2017-02=4273 2019-06-12=3500 2024=4811"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("Series() = %s, want %s", g, want)
	}
	for _, o := range d.Observations {
		if o.Date.String() == "2017-02-20" {
			if o.Preferred || !strings.Contains(o.Rule, "an official source beats a press one") {
				t.Errorf("2017-02-20 Preferred=%v Rule=%q, want not preferred because official beats press", o.Preferred, o.Rule)
			}
		}
		if o.Rule == "" {
			t.Errorf("observation on line %d has no rule", o.Line)
		}
	}
}

func TestQueries(t *testing.T) {
	d := loadValid(t)
	if p := d.Peak(); p.Troops != 42000 {
		t.Errorf("Peak() = %d, want 42000", p.Troops)
	}
	if l := d.Latest(); l.Troops != 4811 || l.Date.String() != "2024" {
		t.Errorf("Latest() = %d at %s, want 4811 at 2024", l.Troops, l.Date)
	}
	if got, want := d.Drawdown(), 1-4811.0/42000; got != want {
		t.Errorf("Drawdown() = %v, want %v", got, want)
	}
	cs := d.Changes()
	if len(cs) != 4 || cs[1].Delta != 4273-42000 {
		t.Errorf("Changes() = %+v, want 4 changes, the second %d", cs, 4273-42000)
	}
	ys := d.Yearly()
	if len(ys) != 5 || ys[0].HasPrv || !ys[1].HasPrv || ys[1].Delta != 42000-24500 {
		t.Errorf("Yearly() = %+v", ys)
	}
	ls := d.ListAt(MustDate("2018-01-01").Time(), false)
	if ls == nil || ls.ID != "L2017" {
		t.Fatalf("ListAt(2018) = %v, want L2017", ls)
	}
	if nato, partner := ls.Split(); nato != 2 || partner != 1 {
		t.Errorf("L2017.Split() = %d, %d, want 2, 1", nato, partner)
	}
	if nt, pt := ls.TroopsSplit(); nt != 600 || pt != 400 {
		t.Errorf("L2017.TroopsSplit() = %d, %d, want 600, 400", nt, pt)
	}
	if got := d.ListAt(MustDate("2020-01-01").Time(), false); got == nil || got.ID != "L2019" {
		t.Errorf("ListAt(2020, any) = %v, want L2019", got)
	}
	if got := d.ListAt(MustDate("2020-01-01").Time(), true); got == nil || got.ID != "L2017" {
		t.Errorf("ListAt(2020, complete) = %v, want L2017", got)
	}
	if got := d.ListAt(MustDate("1999-01-01").Time(), false); got != nil {
		t.Errorf("ListAt(1999) = %v, want nil", got.ID)
	}
	fin := d.Nation("fin")
	if fin.MembershipAt(MustDate("2023-04-03").Time()) != Partner || fin.MembershipAt(MustDate("2023-04-04").Time()) != NATO {
		t.Errorf("Finland's membership does not change on its accession day 2023-04-04")
	}
	ns := d.NationSeries("ITA")
	if len(ns) != 2 || ns[1].Troops != 600 {
		t.Errorf("NationSeries(ITA) = %+v", ns)
	}
	nf := d.NationFigures("ita")
	if len(nf) != 3 || nf[0].Contingent == nil || nf[0].Troops != 540 || nf[0].Source.ID != "P1" || nf[1].List == nil || nf[1].List.ID != "L2017" || nf[2].List == nil || nf[2].Membership != NATO {
		t.Errorf("NationFigures(ita) = %+v, want the 2016-11 contingent (540, P1), L2017, L2019", nf)
	}
	if fin := d.NationFigures("FIN"); len(fin) != 1 || fin[0].Membership != Partner || fin[0].Contingent == nil {
		t.Errorf("NationFigures(FIN) = %+v, want one contingent, partner in 2019", fin)
	}
	if nf := d.NationFigures("XKX"); nf != nil {
		t.Errorf("NationFigures(XKX) = %+v, want nil", nf)
	}
	if o, ok := d.PeakOf(Theatre); ok {
		t.Errorf("PeakOf(theatre) = %+v, want none in the fixture", o)
	}
	if o, ok := d.PeakOf(ScopeUnknown); !ok || o.Troops != 24500 {
		t.Errorf("PeakOf(unknown) = %+v, %v, want 24500 (42000 is uncertain)", o, ok)
	}
	if ls := d.LongSeries(); len(ls) != 0 {
		t.Errorf("LongSeries() = %v, want none", ls)
	}
	s := d.Summarize()
	if s.AreaKm2 != 10887 || s.Nations == nil || s.Nations.Nations != 28 || s.Split == nil || *s.Split.NATO != 2 {
		t.Errorf("Summarize() = %+v", s)
	}
	if p, ok := d.StrengthAt(MustDate("2018-05-01").Time()); !ok || p.Troops != 4273 {
		t.Errorf("StrengthAt(2018-05-01) = %d, %v, want 4273", p.Troops, ok)
	}
	if _, ok := d.StrengthAt(MustDate("1999-01-01").Time()); ok {
		t.Errorf("StrengthAt(1999-01-01) found a point before the first")
	}
}

func TestStrict(t *testing.T) {
	d := loadValid(t)
	var got []string
	for _, e := range d.Strict() {
		got = append(got, e.Error())
	}
	want := []string{
		`testdata/valid/lists.csv:2: coverage: list L2017 says nothing of which nations it covers (want e.g. "all 28 nations" or "the largest contingents")`,
		`testdata/valid/lists.csv:3: quote: list L2019 has no quote (want the source's words for its total or heading)`,
		`testdata/valid/lists.csv:3: coverage: list L2019 says nothing of which nations it covers (want e.g. "all 28 nations" or "the largest contingents")`,
		`testdata/valid/sources.csv:4: note: source W1 says it was not retrieved (want the page found and its quote checked, or a source that was)`,
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Strict() =\n%s\nwant\n%s", g, w)
	}
}

func TestRoundTrip(t *testing.T) {
	d := loadValid(t)
	e, err := Load(d.EncodeFS(), Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load(Encode()) = %v", err)
	}
	a, b := d.Encode(), e.Encode()
	for name := range a {
		if string(a[name]) != string(b[name]) {
			t.Errorf("%s changed in the round trip:\n%s\nvs\n%s", name, a[name], b[name])
		}
	}
	if len(e.Series()) != len(d.Series()) {
		t.Errorf("round trip changed the series: %d points, want %d", len(e.Series()), len(d.Series()))
	}
}

func TestParseDate(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    string
		plotted string
		bad     bool
	}{
		"day":        {in: "2017-02-15", want: "2017-02-15", plotted: "2017-02-15"},
		"month":      {in: "2017-02", want: "2017-02", plotted: "2017-02-15"},
		"year":       {in: "2017", want: "2017", plotted: "2017-07-01"},
		"bad month":  {in: "2017-13", bad: true},
		"bad day":    {in: "2017-02-30", bad: true},
		"slashes":    {in: "15/02/2017", bad: true},
		"empty":      {in: "", bad: true},
		"short year": {in: "999", bad: true},
		"year 0":     {in: "0000-01-01", bad: true},
		"signed":     {in: "+999", bad: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if tc.bad {
				if err == nil {
					t.Errorf("ParseDate(%q) = %v, want an error", tc.in, d)
				}
				return
			}
			if err != nil || d.String() != tc.want || d.ISO() != tc.plotted {
				t.Errorf("ParseDate(%q) = %v (%s), %v, want %s (%s)", tc.in, d, d.ISO(), err, tc.want, tc.plotted)
			}
		})
	}
}

// FuzzLoad feeds arbitrary strength.csv contents to Load beside the valid
// fixture: it must never panic, and whatever loads must round-trip.
func FuzzLoad(f *testing.F) {
	base := overlay(f, "")
	f.Add(string(base["strength.csv"].Data))
	f.Add("date,troops,source,confidence,quote,note\n2017,1,P1,exact,q,\n")
	f.Add("date,troops,source,confidence,quote\n\"2017-02\",\"4273\",P1,exact,\"a \"\"quote\"\"\"\n")
	f.Add("\ufeffdate,troops,source,confidence,quote,note\n1999-06-15,24500,N1,derived,x,y\n,,,,,\n")
	f.Fuzz(func(t *testing.T, strength string) {
		m := overlay(t, "")
		m["strength.csv"] = &fstest.MapFile{Data: []byte(strength)}
		d, err := Load(m, Options{Now: testNow})
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("Load error %T %v, want non-empty Errors", err, err)
			}
			for _, e := range es {
				if e.File == "" || e.Msg == "" {
					t.Fatalf("error without file or message: %#v", e)
				}
			}
			return
		}
		if len(d.Series()) == 0 {
			t.Fatalf("a loaded dataset has an empty series")
		}
		e, err := Load(d.EncodeFS(), Options{Now: testNow})
		if err != nil {
			t.Fatalf("Load(Encode()) = %v", err)
		}
		if a, b := string(d.Encode()["strength.csv"]), string(e.Encode()["strength.csv"]); a != b {
			t.Fatalf("round trip changed strength.csv:\n%s\nvs\n%s", a, b)
		}
	})
}
