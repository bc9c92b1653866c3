package chart

import (
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset/datasettest"
)

func toString(v any) string {
	b, _ := encodeJSON(v, "")
	return string(b)
}

// TestStrengthEvents: the strength chart labels at most maxTurns turning
// points, KFOR's entry among them, and draws every other event as a tick in
// the track under the plot (lines across the plot hid the figures); every
// event is in the table once, and the figures' tooltips name them.
func TestStrengthEvents(t *testing.T) {
	d := datasettest.Record(t)
	tests := map[string]struct {
		v     View
		entry bool
	}{
		"whole record": {View{}, true},
		"2008-2012":    {View{From: time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2012, 12, 31, 0, 0, 0, 0, time.UTC)}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, obj, err := build("strength", d, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			series := obj["baseOption"].(map[string]any)["series"].([]any)
			var tips []string
			for _, it := range series[0].(map[string]any)["data"].([]any) {
				tip, _ := it.(map[string]any)["tip"].(string)
				tips = append(tips, tip)
			}
			tipText := strings.Join(tips, "\n")
			turns, ticks, lines := 0, 0, 0
			var labels []string
			for _, sr := range series[1:] {
				s := sr.(map[string]any)
				n := len(s["data"].([]any))
				switch toString(s["xAxisIndex"]) + "/" + toString(s["yAxisIndex"]) {
				case "null/1": // the turning points' lines, on the plot's hidden axis
					lines += n / 3
				case "1/2": // their labels, in the band above the plot
					turns += n
					for _, it := range s["data"].([]any) {
						labels = append(labels, it.(map[string]any)["name"].(string))
					}
				case "2/3": // the track under the plot
					ticks += n
				default:
					t.Errorf("series %v on axes %v/%v; want the turning points' or the track's", s["name"], s["xAxisIndex"], s["yAxisIndex"])
				}
			}
			if turns == 0 || turns > maxTurns || lines != turns {
				t.Errorf("%d turning points labelled, %d lines; want 1 to %d, a line each", turns, lines, maxTurns)
			}
			if entry := len(labels) > 0 && strings.HasPrefix(labels[0], "Jun 1999: First KFOR"); entry != tc.entry {
				t.Errorf("turning points %q: KFOR's entry first %v, want %v", labels, entry, tc.entry)
			}
			events := o.Tables[1]
			if turns+ticks != len(events.Rows) {
				t.Errorf("drew %d turning points and %d ticks, the table lists %d events; want each drawn once", turns, ticks, len(events.Rows))
			}
			missing := 0
			for _, row := range events.Rows {
				if !strings.Contains(tipText, esc(row[0])+" · ") {
					missing++
				}
			}
			if missing > len(events.Rows)/4 {
				t.Errorf("%d of %d events are in no figure's tooltip", missing, len(events.Rows))
			}
		})
	}
}

// TestTurningPointsRule: the rule is deterministic, keeps KFOR's entry, and
// never takes two within turnMonths of each other.
func TestTurningPointsRule(t *testing.T) {
	d := datasettest.Record(t)
	a, b := turningPoints(d, d.Events), turningPoints(d, d.Events)
	if len(a) == 0 || len(a) > maxTurns {
		t.Fatalf("%d turning points; want 1 to %d", len(a), maxTurns)
	}
	if a[0].e.Date.ISO() != "1999-06-12" {
		t.Errorf("first turning point %s %q; want KFOR's entry, 1999-06-12", a[0].e.Date, a[0].e.Title)
	}
	for i := range a {
		if a[i].e.Line != b[i].e.Line {
			t.Fatalf("turning points differ between two runs at %d", i)
		}
		if i > 0 && within(a[i-1].e.Date.Time(), a[i].e.Date.Time(), turnMonths) {
			t.Errorf("turning points %s and %s are within %d months", a[i-1].e.Date, a[i].e.Date, turnMonths)
		}
	}
}

// TestStrengthAxis: axis=log draws the troops on a log scale over powers of
// ten, said in the axis' name (so on an image too); the x axis starts on
// the first of January of the first year, so that its label shows.
func TestStrengthAxis(t *testing.T) {
	d := datasettest.Record(t)
	for name, tc := range map[string]struct {
		v          View
		typ, label string
	}{
		"linear": {View{}, "value", "Troops"},
		"log":    {View{Axis: Log}, "log", "Troops (log scale)"},
	} {
		t.Run(name, func(t *testing.T) {
			obj := baseOption(t, d, "strength", tc.v)
			y := obj["yAxis"].([]any)[0].(map[string]any)
			if y["type"] != tc.typ || y["name"] != tc.label {
				t.Errorf("y axis %v named %q; want %s named %q", y["type"], y["name"], tc.typ, tc.label)
			}
			if tc.typ == "log" && (toString(y["min"]) != "1000" || toString(y["max"]) != "100000") {
				t.Errorf("log axis from %v to %v; want 1000 to 100000", y["min"], y["max"])
			}
			for i, x := range obj["xAxis"].([]any) {
				if m := x.(map[string]any); m["min"] != "1999-01-01" {
					t.Errorf("x axis %d starts %v; want 1999-01-01", i, m["min"])
				}
			}
		})
	}
}

// TestImageHasNoControls: drawn as an image, a chart has no zoom slider,
// toolbox or brush, and the strength chart's title names KFOR and its years.
func TestImageHasNoControls(t *testing.T) {
	d := datasettest.Record(t)
	o, obj, err := build("strength", d, View{Image: true})
	if err != nil {
		t.Fatal(err)
	}
	base := obj["baseOption"].(map[string]any)
	for _, k := range []string{"dataZoom", "toolbox", "brush"} {
		if _, ok := base[k]; ok {
			t.Errorf("image option has %s; want no interactive controls", k)
		}
	}
	if o.Title != "KFOR force strength, 1999-2026" {
		t.Errorf("title %q; want KFOR force strength, 1999-2026", o.Title)
	}
	page := baseOption(t, d, "strength", View{})
	if _, ok := page["dataZoom"]; !ok {
		t.Errorf("page option has no dataZoom; want the slider on the page")
	}
}
