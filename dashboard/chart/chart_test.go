package chart

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// now is the fixed "today" of every test: options must not depend on the
// clock, and views are bounded by it.
var now = time.Date(2027, time.January, 15, 12, 0, 0, 0, time.UTC)

// goldenView is a chart's golden file: its option and what the page shows
// around it.
type goldenView struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Theme   string         `json:"theme"`
	AsOf    string         `json:"as_of"`
	Note    string         `json:"note"`
	Height  int            `json:"height"`
	Sources []string       `json:"sources"`
	Data    []Link         `json:"data"`
	Tables  []Table        `json:"tables"`
	Option  map[string]any `json:"option"`
}

func TestGolden(t *testing.T) {
	d := datasettest.Record(t)
	views := map[string]View{
		"":       {Theme: Light},
		"-dark":  {Theme: Dark},
		"-range": {Theme: Light, From: time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2012, 12, 31, 0, 0, 0, 0, time.UTC), At: time.Date(2022, 8, 15, 0, 0, 0, 0, time.UTC)},
	}
	for _, s := range Specs() {
		for suffix, v := range views {
			if suffix == "-dark" && s.ID != "strength" && s.ID != "contributions" {
				continue // one line chart and one bar chart cover the dark palette
			}
			t.Run(s.ID+suffix, func(t *testing.T) {
				o, obj, err := build(s.ID, d, v)
				if err != nil {
					t.Fatalf("Build(%q) = %v", s.ID, err)
				}
				g := goldenView{ID: o.ID, Title: o.Title, Theme: o.Theme, AsOf: o.AsOf.String(), Note: o.Note, Height: o.Height, Data: o.Data, Tables: o.Tables, Option: obj}
				for _, src := range o.Sources {
					g.Sources = append(g.Sources, src.ID)
				}
				b, err := encodeJSON(g, "  ")
				if err != nil {
					t.Fatal(err)
				}
				datasettest.Golden(t, filepath.Join("testdata", s.ID+suffix+".json"), append(b, '\n'))
			})
		}
	}
}

// TestBuildEveryChart checks what a reader relies on in every chart: an
// option that is JavaScript with every go-echarts function marker gone,
// accessible, with a toolbox that saves at pixel ratio 2, sources, and
// series with data.
func TestBuildEveryChart(t *testing.T) {
	d := datasettest.Record(t)
	for _, s := range Specs() {
		t.Run(s.ID, func(t *testing.T) {
			o, wrapped, err := build(s.ID, d, View{Theme: Light})
			if err != nil {
				t.Fatalf("Build(%q) = %v", s.ID, err)
			}
			obj, ok := wrapped["baseOption"].(map[string]any)
			if !ok || wrapped["media"] == nil {
				t.Fatalf("Build(%q) has no baseOption and media", s.ID)
			}
			if o.ID != s.ID || o.Title == "" || o.Description == "" {
				t.Errorf("Build(%q) = id %q title %q description %q, want all set", s.ID, o.ID, o.Title, o.Description)
			}
			if strings.Contains(o.JS, "__f__") {
				t.Errorf("Build(%q).JS still holds a function marker", s.ID)
			}
			if !strings.Contains(o.JS, "function (p)") {
				t.Errorf("Build(%q).JS has no tooltip function", s.ID)
			}
			if len(o.Sources) == 0 || o.AsOf.IsZero() {
				t.Errorf("Build(%q) has %d sources, as-of %v; want sources and a date", s.ID, len(o.Sources), o.AsOf)
			}
			tb := obj["toolbox"].(map[string]any)["feature"].(map[string]any)["saveAsImage"].(map[string]any)
			if tb["pixelRatio"] != 2 {
				t.Errorf("Build(%q) saveAsImage.pixelRatio = %v, want 2", s.ID, tb["pixelRatio"])
			}
			aria := obj["aria"].(map[string]any)
			if aria["enabled"] != true || aria["decal"].(map[string]any)["show"] != true {
				t.Errorf("Build(%q) aria = %v, want enabled with decals", s.ID, aria)
			}
			if _, ok := obj["animation"]; !ok {
				t.Errorf("Build(%q) leaves animation to the default; want it off", s.ID)
			}
			drawn := 0
			for _, sr := range obj["series"].([]any) {
				if data, ok := sr.(map[string]any)["data"].([]any); ok {
					drawn += len(data)
				}
			}
			if drawn == 0 {
				t.Errorf("Build(%q) draws no data", s.ID)
			}
			if len(o.Tables) == 0 || len(o.Tables[0].Rows) == 0 {
				t.Errorf("Build(%q) has no table rows", s.ID)
			}
		})
	}
	if _, err := Build("nope", d, View{}); err == nil {
		t.Errorf(`Build("nope") = nil error, want ErrUnknown`)
	}
}

func TestEncodeJSKeepsQuotesInFunctions(t *testing.T) {
	obj := map[string]any{"f": "__f__function (p) { return \"a\" + '\\n'; }__f__", "s": "x"}
	js, err := encodeJS(obj)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"f":function (p) { return "a" + '\n'; },"s":"x"}`
	if js != want {
		t.Errorf("encodeJS = %s, want %s", js, want)
	}
}

func TestParseView(t *testing.T) {
	d := datasettest.Record(t)
	day := func(s string) time.Time { return dataset.MustDate(s).Start() }
	tests := map[string]struct {
		query   string
		want    View
		notices []string // the parameters noticed
	}{
		"empty":          {"", View{Theme: Light}, nil},
		"dark":           {"theme=dark", View{Theme: Dark}, nil},
		"bad theme":      {"theme=blue", View{Theme: Light}, []string{"theme"}},
		"years":          {"from=2009&to=2012", View{Theme: Light, From: day("2009-01-01"), To: day("2012-12-31")}, nil},
		"months":         {"from=2009-06&to=2010-02", View{Theme: Light, From: day("2009-06-01"), To: day("2010-02-28")}, nil},
		"swapped":        {"from=2012-01-01&to=2009-01-01", View{Theme: Light, From: day("2009-01-01"), To: day("2012-01-01")}, []string{"from"}},
		"not a date":     {"from=yesterday&to=2010-13-01", View{Theme: Light}, []string{"from", "to"}},
		"too early":      {"from=1990-01-01", View{Theme: Light}, []string{"from"}},
		"future":         {"to=2031-01-01", View{Theme: Light}, []string{"to"}},
		"to this year":   {"to=2027", View{Theme: Light, To: day("2027-01-15")}, nil},
		"too long":       {"date=" + strings.Repeat("9", 100), View{Theme: Light}, []string{"date"}},
		"list date":      {"date=2017-02-15", View{Theme: Light, At: day("2017-02-15")}, nil},
		"before lists":   {"date=1999-01-02", View{Theme: Light}, []string{"date"}},
		"all bad":        {"from=x&to=y&date=z&theme=%00", View{Theme: Light}, []string{"theme", "from", "to", "date"}},
		"unknown params": {"utm_source=x&foo=bar", View{Theme: Light}, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			got, ns := ParseView(q, d, now)
			if !got.From.Equal(tc.want.From) || !got.To.Equal(tc.want.To) || !got.At.Equal(tc.want.At) || got.Theme != tc.want.Theme {
				t.Errorf("ParseView(%q) = %+v, want %+v", tc.query, got, tc.want)
			}
			var params []string
			for _, n := range ns {
				params = append(params, n.Param)
				if n.Msg == "" {
					t.Errorf("ParseView(%q) notice for %s has no message", tc.query, n.Param)
				}
			}
			if strings.Join(params, ",") != strings.Join(tc.notices, ",") {
				t.Errorf("ParseView(%q) noticed %v, want %v (%v)", tc.query, params, tc.notices, ns)
			}
			// The view's own query reproduces it without notices.
			again, ns2 := ParseView(got.Query(), d, now)
			if len(ns2) != 0 || !again.From.Equal(got.From) || !again.To.Equal(got.To) || !again.At.Equal(got.At) || again.Theme != got.Theme {
				t.Errorf("ParseView(%v.Query()) = %+v %v, want the same view and no notice", got, again, ns2)
			}
		})
	}
}

func TestChooseList(t *testing.T) {
	d := datasettest.Record(t)
	def := ChooseList(d, View{})
	if def.List == nil || !def.List.Complete {
		t.Fatalf("ChooseList(default) = %+v, want the newest complete list", def)
	}
	for _, ls := range d.Lists {
		if ls.Complete && def.List.Date.Before(ls.Date) {
			t.Errorf("ChooseList(default) = %s, but %s is a newer complete list", def.List.ID, ls.ID)
		}
	}
	for _, ls := range ListDates(d) {
		got := ChooseList(d, View{At: ls.Date.Time()})
		if got.List != ls || got.Why != "" {
			t.Errorf("ChooseList(%s) = %s (%q), want the selector's list %s", ls.Date.ISO(), got.List.ID, got.Why, ls.ID)
		}
	}
}

func FuzzParseView(f *testing.F) {
	d := datasettest.Record(f)
	for _, s := range []string{"", "from=2009&to=2012", "date=2017-02-15&theme=dark", "from=9999-99-99", "to=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		v, _ := ParseView(q, d, now)
		if v.Theme != Light && v.Theme != Dark {
			t.Fatalf("ParseView(%q) theme = %q", raw, v.Theme)
		}
		if !v.From.IsZero() && !v.To.IsZero() && v.From.After(v.To) {
			t.Fatalf("ParseView(%q) from %v after to %v", raw, v.From, v.To)
		}
		if _, err := Build("strength", d, v); err != nil {
			t.Fatalf("Build(strength, ParseView(%q)) = %v", raw, err)
		}
	})
}

// The golden files must be valid JSON a reviewer can read.
func TestGoldenFilesParse(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(b) {
			t.Errorf("%s is not valid JSON", f)
		}
	}
}

// TestUncertainNamesMarked: in the February 2017 placemat four nation names
// are missing and were inferred; their bars say so with "(?)", and the
// others do not.
func TestUncertainNamesMarked(t *testing.T) {
	d := datasettest.Record(t)
	o, err := Build("contributions", d, View{At: time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC), Theme: "light"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"United States (?)", "Türkiye (?)", "Slovenia (?)", "United Kingdom (?)"} {
		if !strings.Contains(o.JS, want) {
			t.Errorf("the 2017 list does not mark %q as uncertain", want)
		}
	}
	if strings.Contains(o.JS, "Italy (?)") {
		t.Errorf("Italy, named in the placemat, is marked uncertain")
	}
}
