package chart

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
		// Every chart in Albanian and Serbian; the Cyrillic script, made
		// from the Latin, on one.
		"-sq":      {Theme: Light, Lang: "sq"},
		"-sr":      {Theme: Light, Lang: "sr"},
		"-sr-Cyrl": {Theme: Light, Lang: "sr-Cyrl"},
	}
	for _, s := range Specs() {
		for suffix, v := range views {
			if suffix == "-dark" && s.ID != "strength" && s.ID != "contributions" {
				continue // one line chart and one bar chart cover the dark palette
			}
			if suffix == "-sr-Cyrl" && s.ID != "strength" {
				continue
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
			// The world map sets the partners' decals region by region
			// (TestWorldMapMembership).
			if aria["enabled"] != true || aria["decal"].(map[string]any)["show"] != (s.ID != "world-map") {
				t.Errorf("Build(%q) aria = %v, want enabled with decals (the world map's its own)", s.ID, aria)
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

// TestCoverageTextOverTotal: a list adding up to more than the force in
// place then (the commitments of June 1999) says so in troops, not as a
// share over 100%.
func TestCoverageTextOverTotal(t *testing.T) {
	d := datasettest.Record(t)
	ls := d.ListAt(time.Date(1999, 7, 1, 0, 0, 0, 0, time.UTC), false)
	c := d.CoverageOf(ls)
	if c.Sum <= c.Total {
		t.Fatalf("the list of %s adds up to %d of %d: pick a list over its total", ls.Date, c.Sum, c.Total)
	}
	want := fmt.Sprintf("%d nations, %s listed against a force of %s", len(ls.Entries), Thousands(c.Sum), Thousands(c.Total))
	if got := CoverageText(english, d, ls); got != want {
		t.Errorf("CoverageText(%s) = %q, want %q", ls.Date, got, want)
	}
}
