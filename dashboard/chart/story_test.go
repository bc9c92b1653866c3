package chart

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// baseOption builds chart id and returns its option without the media
// wrapper.
func baseOption(tb testing.TB, d *dataset.Dataset, id string, v View) map[string]any {
	tb.Helper()
	_, obj, err := build(id, d, v)
	if err != nil {
		tb.Fatalf("build(%q) = %v", id, err)
	}
	return obj["baseOption"].(map[string]any)
}

// TestMarkersFollowTheme: an exact figure's marker is filled with the line's
// colour, the others hollow, filled with the chart's background, in either
// theme. ECharts fills its "empty" symbols white whatever the theme, so in
// dark mode the hollow markers looked filled and the filled ones hollow.
func TestMarkersFollowTheme(t *testing.T) {
	d := datasettest.Record(t)
	for _, theme := range []string{Light, Dark} {
		t.Run(theme, func(t *testing.T) {
			p := palettes[theme]
			obj := baseOption(t, d, "strength", View{Theme: theme})
			s := obj["series"].([]any)[0].(map[string]any)
			conf := map[string]dataset.Confidence{}
			for _, pt := range d.Series() {
				conf[pt.Date.ISO()] = pt.Confidence
			}
			seen := map[dataset.Confidence]bool{}
			for _, it := range s["data"].([]any) {
				m := it.(map[string]any)
				c := conf[m["value"].([]any)[0].(string)]
				seen[c] = true
				st, _ := m["itemStyle"].(map[string]any)
				sym, _ := m["symbol"].(string)
				fill, border := "", ""
				if st != nil {
					fill, _ = st["color"].(string)
					border, _ = st["borderColor"].(string)
				}
				wantFill := p.bg
				if c == dataset.Exact {
					wantFill = p.strength
				}
				if sym != "circle" && sym != "diamond" && sym != "triangle" || fill != wantFill || border != p.strength {
					t.Fatalf("%s figure: symbol %q fill %q border %q; want circle, diamond or triangle filled %q, bordered %q", c, sym, fill, border, wantFill, p.strength)
				}
			}
			if !seen[dataset.Exact] || !seen[dataset.Approximate] {
				t.Errorf("confidences drawn %v; want exact and approximate at least", seen)
			}
		})
	}
}

// TestEveryColourKeyed: each colour a bar is drawn in is its series'
// colour, and the series are in a legend, so that a key explains every
// colour (the increases' green had none).
func TestEveryColourKeyed(t *testing.T) {
	d := datasettest.Record(t)
	for _, id := range []string{"reductions", "changes"} {
		t.Run(id, func(t *testing.T) {
			obj := baseOption(t, d, id, View{Theme: Light})
			if lg, _ := obj["legend"].(map[string]any); lg == nil || lg["show"] != true {
				t.Errorf("legend = %v; want shown", obj["legend"])
			}
			colours := map[string]bool{}
			for _, sr := range obj["series"].([]any) {
				s := sr.(map[string]any)
				if s["type"] != "bar" {
					continue
				}
				col := s["itemStyle"].(map[string]any)["color"]
				for _, it := range s["data"].([]any) {
					m, ok := it.(map[string]any)
					if !ok {
						continue
					}
					if st, ok := m["itemStyle"].(map[string]any); ok && st["color"] != nil && st["color"] != col {
						t.Fatalf("series %v (keyed %v) draws a bar in %v, which no key explains", s["name"], col, st["color"])
					}
				}
				colours[col.(string)] = true
			}
			p := palettes[Light]
			if !colours[p.up] || !colours[p.down] {
				t.Errorf("bar series colours %v; want the increases' %s and the cuts' %s each keyed", colours, p.up, p.down)
			}
		})
	}
}

// TestFirstBarWhole: the change bars' time axis leaves room before the
// first bar and after the last, which the axis' ends cut in half.
func TestFirstBarWhole(t *testing.T) {
	d := datasettest.Record(t)
	obj := baseOption(t, d, "changes", View{Theme: Light})
	x := obj["xAxis"].([]any)[0].(map[string]any)
	if x["boundaryGap"] == nil {
		t.Errorf("changes x axis = %v; want a boundaryGap", x)
	}
}

// TestShareWholePercent: the donut's labels are whole percentages (13%,
// not 13.21%); the tooltips keep one decimal.
func TestShareWholePercent(t *testing.T) {
	d := datasettest.Record(t)
	obj := baseOption(t, d, "share", View{Theme: Light})
	s := obj["series"].([]any)[0].(map[string]any)
	if toString(s["percentPrecision"]) != "0" {
		t.Errorf("share percentPrecision = %v; want 0", s["percentPrecision"])
	}
}

// TestImageTitlesNameKFOR: a chart drawn as an image stands alone when
// pasted, so its title names KFOR; the page's charts sit under a heading
// that does, and keep their short titles.
func TestImageTitlesNameKFOR(t *testing.T) {
	d := datasettest.Record(t)
	for _, sp := range Specs() {
		img, err := Build(sp.ID, d, View{Theme: Light, Image: true})
		if err != nil {
			t.Fatal(err)
		}
		var o struct {
			Title []struct {
				Text string `json:"text"`
			} `json:"title"`
		}
		if err := json.Unmarshal([]byte(img.JS), &o); err != nil || len(o.Title) == 0 {
			// Options with functions are not JSON: look for the text.
			if !strings.Contains(img.JS, `"text":"KFOR`) {
				t.Errorf("%s: the image's title does not begin with KFOR", sp.ID)
			}
			continue
		}
		if !strings.HasPrefix(o.Title[0].Text, "KFOR") {
			t.Errorf("%s: the image's title is %q, want it to name KFOR", sp.ID, o.Title[0].Text)
		}
	}
}
