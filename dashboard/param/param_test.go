package param

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

var now = time.Date(2027, time.January, 15, 12, 0, 0, 0, time.UTC)

func load(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	d, err := dataset.EmbeddedOrigin().Load(now)
	if err != nil {
		tb.Fatalf("loading the embedded dataset: %v", err)
	}
	return d
}

func day(s string) time.Time { return dataset.MustDate(s).Start() }

func TestParseLenient(t *testing.T) {
	d := load(t)
	light := chart.View{Theme: chart.Light}
	tests := map[string]struct {
		query   string
		want    chart.View
		notices []string // the parameters noticed
	}{
		"empty":          {"", light, nil},
		"dark":           {"theme=dark", chart.View{Theme: chart.Dark}, nil},
		"bad theme":      {"theme=blue", light, []string{"theme"}},
		"log axis":       {"axis=log", chart.View{Theme: chart.Light, Axis: chart.Log}, nil},
		"linear axis":    {"axis=linear", light, nil},
		"bad axis":       {"axis=diagonal", light, []string{"axis"}},
		"years":          {"from=2009&to=2012", chart.View{Theme: chart.Light, From: day("2009-01-01"), To: day("2012-12-31")}, nil},
		"months":         {"from=2009-06&to=2010-02", chart.View{Theme: chart.Light, From: day("2009-06-01"), To: day("2010-02-28")}, nil},
		"swapped days":   {"from=2012-01-01&to=2009-01-01", chart.View{Theme: chart.Light, From: day("2009-01-01"), To: day("2012-01-01")}, []string{"from"}},
		"swapped years":  {"from=2015&to=2010", chart.View{Theme: chart.Light, From: day("2010-01-01"), To: day("2015-12-31")}, []string{"from"}},
		"same year":      {"from=2010&to=2010", chart.View{Theme: chart.Light, From: day("2010-01-01"), To: day("2010-12-31")}, nil},
		"not a date":     {"from=yesterday&to=2010-13-01", light, []string{"from", "to"}},
		"too early":      {"from=1990-01-01", light, []string{"from"}},
		"future":         {"to=2031-01-01", light, []string{"to"}},
		"to this year":   {"to=2027", chart.View{Theme: chart.Light, To: day("2027-01-15")}, nil},
		"too long":       {"date=" + strings.Repeat("9", 100), light, []string{"date"}},
		"list date":      {"date=2017-02-15", chart.View{Theme: chart.Light, At: day("2017-02-15")}, nil},
		"list year":      {"date=2017", chart.View{Theme: chart.Light, At: day("2017-01-01")}, nil},
		"before lists":   {"date=1999-06-13", light, []string{"date"}},
		"before KFOR":    {"date=1999-01-02", chart.View{Theme: chart.Light, At: day("1999-06-15")}, []string{"date"}},
		"KFOR's year":    {"date=1999", light, []string{"date"}}, // 1999-06-12: no list yet
		"first list":     {"date=1999-06-15", chart.View{Theme: chart.Light, At: day("1999-06-15")}, nil},
		"all bad":        {"from=x&to=y&date=z&theme=%00", light, []string{"theme", "from", "to", "date"}},
		"unknown params": {"utm_source=x&foo=bar", light, nil},
		"last non-empty": {"date=2017-02-15&date=", chart.View{Theme: chart.Light, At: day("2017-02-15")}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(q, View, Lenient, d, now)
			if err != nil {
				t.Fatalf("Parse(%q, Lenient) error %v, want none", tc.query, err)
			}
			if !got.View.From.Equal(tc.want.From) || !got.View.To.Equal(tc.want.To) || !got.View.At.Equal(tc.want.At) || got.View.Theme != tc.want.Theme {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.query, got.View, tc.want)
			}
			var params []string
			for _, n := range got.Notices {
				params = append(params, string(n.Param))
				if n.Msg.IsZero() || n.Fallback.IsZero() {
					t.Errorf("Parse(%q) notice for %s = %+v, want a message and what is shown instead", tc.query, n.Param, n)
				}
			}
			if strings.Join(params, ",") != strings.Join(tc.notices, ",") {
				t.Errorf("Parse(%q) noticed %v, want %v (%v)", tc.query, params, tc.notices, got.Notices)
			}
			// The view's own query reproduces it, without notices, in
			// either mode.
			for _, mode := range []Mode{Lenient, Strict} {
				again, err := Parse(got.View.Query(), View, mode, d, now)
				if err != nil || len(again.Notices) != 0 || again.Key(View) != (Values{View: got.View}).Key(View) {
					t.Errorf("Parse(%v.Query(), %v) = %+v, %v; want the same view and no notice", got.View, mode, again, err)
				}
			}
		})
	}
}

func TestParseStrict(t *testing.T) {
	d := load(t)
	names := []Name{Theme, Axis, From, To, Date, All, Width, Height, Scale}
	tests := map[string]struct {
		query   string
		param   Name // the parameter the error names; "" for none
		problem Problem
		msg     string // part of the message
	}{
		"empty":          {"", "", 0, ""},
		"year date":      {"date=2010", "", 0, ""},
		"month from":     {"from=2010-03&to=2011", "", 0, ""},
		"bogus date":     {"date=bogus", Date, Malformed, `"bogus" is not a date (want a date as YYYY-MM-DD, YYYY-MM or YYYY)`},
		"bad month":      {"from=2010-13", From, Malformed, "is not a date"},
		"from after to":  {"from=2015&to=2010", From, Malformed, "2015 is after to 2010"},
		"future":         {"to=2031", To, Malformed, "out of range"},
		"before lists":   {"date=1999-06-12", Date, Missing, "no per-nation list on or before 1999-06-12"},
		"before KFOR":    {"date=1999-02", Date, Malformed, "1999-02 is before KFOR began on 12 June 1999 (want a date from 1999-06-12 to 2027-01-15)"},
		"year before":    {"date=1998", Date, Malformed, "1998 is before KFOR began on 12 June 1999"},
		"bad theme":      {"theme=blue", Theme, Malformed, `"blue" is not a theme (want light or dark)`},
		"bad axis":       {"axis=Log", Axis, Malformed, `"Log" is not an axis scale (want linear or log)`},
		"bad bool":       {"all=maybe", All, Malformed, "is not a boolean"},
		"bool forms":     {"all=yes", "", 0, ""},
		"width low":      {"width=10", Width, Malformed, "10 is out of range (want 200 to 4000)"},
		"width text":     {"width=wide", Width, Malformed, `"wide" is not a whole number (want 200 to 4000)`},
		"scale high":     {"scale=9", Scale, Malformed, "out of range"},
		"too long":       {"to=" + strings.Repeat("1", 65), To, Malformed, "is 65 characters long"},
		"first error":    {"theme=x&from=y", Theme, Malformed, "not a theme"},
		"unknown params": {"foo=bar", "", 0, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			_, err := Parse(q, names, Strict, d, now)
			if tc.param == "" {
				if err != nil {
					t.Fatalf("Parse(%q, Strict) = %v, want no error", tc.query, err)
				}
				return
			}
			var n *Notice
			if !errors.As(err, &n) {
				t.Fatalf("Parse(%q, Strict) = %v, want a *Notice naming %s", tc.query, err, tc.param)
			}
			if n.Param != tc.param || n.Problem != tc.problem || !strings.Contains(n.Msg.String(), tc.msg) || !n.Fallback.IsZero() {
				t.Errorf("Parse(%q, Strict) = %+v, want param %s, problem %d, a message with %q and no fall-back", tc.query, n, tc.param, tc.problem, tc.msg)
			}
		})
	}
}

// The same mistake reads the same in both modes: the page's notice is the
// API's error message with what the page shows instead.
func TestModesAgree(t *testing.T) {
	d := load(t)
	for _, raw := range []string{"date=bogus", "from=1990", "theme=blue", "to=" + strings.Repeat("x", 70), "date=1999-03"} {
		q, _ := url.ParseQuery(raw)
		_, err := Parse(q, View, Strict, d, now)
		lv, _ := Parse(q, View, Lenient, d, now)
		var n *Notice
		if !errors.As(err, &n) || len(lv.Notices) != 1 {
			t.Fatalf("%s: strict %v, lenient %v: want one error and one notice", raw, err, lv.Notices)
		}
		if got := lv.Notices[0]; got.Param != n.Param || got.Msg.String() != n.Msg.String() || got.Problem != n.Problem {
			t.Errorf("%s: lenient notice %+v, strict error %+v: want the same parameter, problem and message", raw, got, n)
		}
	}
}

func TestKey(t *testing.T) {
	d := load(t)
	key := func(raw string) string {
		q, _ := url.ParseQuery(raw)
		v, _ := Parse(q, View, Lenient, d, now)
		return v.Key(View)
	}
	same := [][2]string{
		{"to=2010", "to=2010-12-31"},
		{"from=2010-03", "from=2010-03-01&utm=x"},
		{"", "theme=light"},
		{"date=2017", "date=2017-01-01"},
	}
	for _, p := range same {
		if key(p[0]) != key(p[1]) {
			t.Errorf("Key(%q) != Key(%q), want one key for one meaning", p[0], p[1])
		}
	}
	differ := [][2]string{
		{"to=2010", "to=2011"},
		{"", "theme=dark"},
		{"", "theme=blue"}, // the page shows a notice
	}
	for _, p := range differ {
		if key(p[0]) == key(p[1]) {
			t.Errorf("Key(%q) == Key(%q), want different keys", p[0], p[1])
		}
	}
}

func TestSpecs(t *testing.T) {
	for _, sp := range Specs([]Name{Theme, From, To, Date, All, Complete, Width, Height, Scale}) {
		if sp.Name == "" || sp.Kind == "" || sp.Doc == "" {
			t.Errorf("spec %+v: want a name, a kind and a doc", sp)
		}
		if sp.Kind == KindInteger && sp.Min >= sp.Max {
			t.Errorf("spec %s: min %d, max %d", sp.Name, sp.Min, sp.Max)
		}
	}
}

func FuzzParse(f *testing.F) {
	d := load(f)
	for _, s := range []string{"", "from=2009&to=2012", "date=2017-02-15&theme=dark", "from=9999-99-99", "to=%zz", "from=2015&to=2010", "width=300&scale=2"} {
		f.Add(s)
	}
	names := []Name{Theme, Axis, From, To, Date, All, Complete, Width, Height, Scale}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		v, err := Parse(q, names, Lenient, d, now)
		if err != nil {
			t.Fatalf("Parse(%q, Lenient) error %v", raw, err)
		}
		if v.View.Theme != chart.Light && v.View.Theme != chart.Dark {
			t.Fatalf("Parse(%q) theme = %q", raw, v.View.Theme)
		}
		if !v.View.From.IsZero() && !v.View.To.IsZero() && v.View.From.After(v.View.To) {
			t.Fatalf("Parse(%q) from %v after to %v", raw, v.View.From, v.View.To)
		}
		if _, err := chart.Build("strength", d, v.View); err != nil {
			t.Fatalf("Build(strength, Parse(%q)) = %v", raw, err)
		}
		sv, serr := Parse(q, names, Strict, d, now)
		if (serr == nil) != (len(v.Notices) == 0) {
			t.Fatalf("Parse(%q): strict error %v but lenient notices %v", raw, serr, v.Notices)
		}
		if serr == nil && sv.Key(names) != v.Key(names) {
			t.Fatalf("Parse(%q): strict and lenient values differ", raw)
		}
		// What parses reproduces itself.
		again, err := Parse(v.View.Query(), View, Strict, d, now)
		if err != nil || again.Key(View) != (Values{View: v.View}).Key(View) {
			t.Fatalf("Parse(%q): its view's query %v parses as %+v, %v", raw, v.View.Query(), again.View, err)
		}
	})
}

func TestNationCode(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"upper":   {"DEU", "DEU"},
		"lower":   {"deu", "DEU"},
		"mixed":   {"dEu", "DEU"},
		"short":   {"DE", ""},
		"long":    {"DEUT", ""},
		"digits":  {"D3U", ""},
		"unicode": {"DÉU", ""},
		"empty":   {"", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := NationCode(tc.in)
			if got != tc.want {
				t.Errorf("NationCode(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			var n *Notice
			if tc.want == "" && (!errors.As(err, &n) || n.Param != Code || !strings.Contains(n.Msg.String(), "not a nation code")) {
				t.Errorf("NationCode(%q) error = %v, want a notice naming code", tc.in, err)
			}
		})
	}
}

func TestParseNations(t *testing.T) {
	d := load(t)
	tests := map[string]struct {
		query string
		want  string // the codes, comma-separated; "" for none
		err   string // part of the strict error
	}{
		"one":            {"nation=deu", "DEU", ""},
		"list":           {"nation=DEU,ita,%20TUR", "DEU,ITA,TUR", ""},
		"repeated":       {"nation=DEU&nation=ITA", "DEU,ITA", ""},
		"duplicates":     {"nation=DEU,deu", "DEU", ""},
		"empty":          {"nation=", "", ""},
		"unknown":        {"nation=DEU,XYZ", "", "XYZ is not a nation of the record"},
		"malformed":      {"nation=Germany", "", `"Germany" is not a nation code`},
		"too many":       {"nation=DEU,ITA,USA,TUR,FRA,GBR,AUT,CHE,POL,GRC,HUN,SVN,ROU", "", "names 13 nations"},
		"trailing comma": {"nation=DEU,", "", `"" is not a nation code`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			v, err := Parse(q, View, Strict, d, now)
			if tc.err != "" {
				var n *Notice
				if !errors.As(err, &n) || n.Param != Nation || !strings.Contains(n.Msg.String(), tc.err) {
					t.Fatalf("Parse(%q) = %v, want an error naming nation with %q", tc.query, err, tc.err)
				}
				lv, _ := Parse(q, View, Lenient, d, now)
				if len(lv.View.Nations) != 0 || len(lv.Notices) != 1 || lv.Notices[0].Fallback.String() != "showing the largest contingents" {
					t.Errorf("Parse(%q, Lenient) = %v %v, want no nations and a notice", tc.query, lv.View.Nations, lv.Notices)
				}
				return
			}
			if err != nil || strings.Join(v.View.Nations, ",") != tc.want {
				t.Errorf("Parse(%q) = %v, %v; want %q", tc.query, v.View.Nations, err, tc.want)
			}
		})
	}
}

// TestParseAnyDay: the structure's date is any day of KFOR's, from its
// first, 12 June 1999, before the first per-nation list; an earlier one
// is refused in Strict mode, naming date and KFOR's start, and shows that
// first day in Lenient mode.
func TestParseAnyDay(t *testing.T) {
	d := load(t)
	tests := map[string]struct {
		query  string
		want   time.Time
		notice string // part of the error (Strict) and notice (Lenient); "" for none
	}{
		"first day":  {"date=1999-06-12", day("1999-06-12"), ""},
		"year 1999":  {"date=1999", day("1999-06-12"), ""},
		"June 1999":  {"date=1999-06", day("1999-06-12"), ""},
		"a day":      {"date=2012-02-15", day("2012-02-15"), ""},
		"day before": {"date=1999-06-11", day("1999-06-12"), "1999-06-11 is before KFOR began on 12 June 1999 (want a date from 1999-06-12 to 2027-01-15)"},
		"year 1998":  {"date=1998", day("1999-06-12"), "1998 is before KFOR began on 12 June 1999"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			strict, err := ParseAnyDay(q, []Name{Date}, Strict, d, now)
			lenient, _ := ParseAnyDay(q, []Name{Date}, Lenient, d, now)
			if tc.notice == "" {
				if err != nil || !strict.View.At.Equal(tc.want) || len(lenient.Notices) != 0 {
					t.Errorf("ParseAnyDay(%q) = %v, %v (lenient notices %v), want %s and no error", tc.query, strict.View.At, err, lenient.Notices, tc.want)
				}
				return
			}
			var n *Notice
			if !errors.As(err, &n) || n.Param != Date || n.Problem != Malformed || !strings.Contains(n.Msg.String(), tc.notice) {
				t.Errorf("ParseAnyDay(%q, Strict) error = %v, want a Malformed date notice with %q", tc.query, err, tc.notice)
			}
			if len(lenient.Notices) != 1 || !lenient.View.At.Equal(tc.want) || !strings.Contains(lenient.Notices[0].Text(), "showing 1999-06-12, KFOR's first day") {
				t.Errorf("ParseAnyDay(%q, Lenient) = %v, %v; want %s with one notice showing KFOR's first day", tc.query, lenient.View.At, lenient.Notices, tc.want)
			}
		})
	}
}

// TestNoticesInTheLanguage: every notice the page can show reads in the
// page's language, the reader's own value kept as typed (never
// transliterated), and in English on the command line.
func TestNoticesInTheLanguage(t *testing.T) {
	d := load(t)
	bad := map[string]string{
		"theme":  "theme=pinkish",
		"axis":   "axis=loglog",
		"lang":   "lang=xx-bogus",
		"long":   "lang=" + strings.Repeat("x", MaxLen+1),
		"date":   "date=bogus",
		"before": "date=1998",
		"range":  "from=2015&to=2010",
		"future": "to=2099",
		"nation": "nation=XYZ",
		"code":   "nation=Germany",
		"many":   "nation=DEU,ITA,FRA,USA,GBR,TUR,POL,AUT,CHE,HUN,GRC,SVN,ROU",
	}
	for name, query := range bad {
		q, err := url.ParseQuery(query)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := Parse(q, View, Lenient, d, now)
		if len(v.Notices) == 0 {
			t.Fatalf("%s: Parse(%q) gave no notice", name, query)
		}
		for _, n := range v.Notices {
			en := n.In(i18n.NewPrinter(i18n.English))
			if en != n.Text() || !strings.Contains((&n).Error(), en[:min(len(en), 20)]) {
				t.Errorf("%s: English notice %q, Text %q, Error %q: want the same words", name, en, n.Text(), (&n).Error())
			}
			for _, l := range []i18n.Lang{i18n.Albanian, i18n.Serbian, i18n.SerbianCyrillic} {
				got := n.In(i18n.NewPrinter(l))
				if got == en || strings.Contains(got, "is not") || strings.Contains(got, "showing") || strings.Contains(got, "want") {
					t.Errorf("%s in %s: %q reads as English (%q)", name, l.Code, got, en)
				}
				if l.Code == "sr-Cyrl" && !strings.ContainsAny(got, "ејаоиу") {
					t.Errorf("%s in sr-Cyrl: %q has no Cyrillic", name, got)
				}
				// What the reader typed comes back as typed.
				for _, typed := range []string{"pinkish", "loglog", "bogus", "XYZ", "Germany", "1998", "2015", "2099"} {
					if strings.Contains(en, typed) && !strings.Contains(got, typed) {
						t.Errorf("%s in %s: %q lost the value %q", name, l.Code, got, typed)
					}
				}
			}
			pseudo := n.In(i18n.NewPrinter(i18n.Pseudo))
			if !strings.HasPrefix(pseudo, "⟦") {
				t.Errorf("%s: pseudo-language notice %q not from the catalogue", name, pseudo)
			}
		}
	}
}
