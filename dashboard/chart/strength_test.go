package chart

import (
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// TestStrengthEvents: the strength chart draws its events as one dashed
// line series per group (a mark line per event made its image twice as
// slow to draw), under the strength line, and every event drawn stays in
// the table and in the tooltip of the figure after it.
func TestStrengthEvents(t *testing.T) {
	d := loadDataset(t)
	tests := map[string]View{
		"whole record": {},
		"2008-2012":    {From: time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2012, 12, 31, 0, 0, 0, 0, time.UTC)},
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			_, obj, err := build("strength", d, v)
			if err != nil {
				t.Fatal(err)
			}
			series := obj["baseOption"].(map[string]any)["series"].([]any)
			if len(series) > 1+len(eventGroups) {
				t.Errorf("strength has %d series, want at most %d (the figures and the event groups)", len(series), 1+len(eventGroups))
			}
			var tips []string
			for _, it := range series[0].(map[string]any)["data"].([]any) {
				tip, _ := it.(map[string]any)["tip"].(string)
				tips = append(tips, tip)
			}
			tipText := strings.Join(tips, "\n")
			segments := 0
			for _, sr := range series[1:] {
				s := sr.(map[string]any)
				if _, ok := s["markLine"]; ok {
					t.Errorf("series %v has mark lines; want the events drawn as one line series", s["name"])
				}
				if s["silent"] != true || toString(s["yAxisIndex"]) != "1" {
					t.Errorf("event series %v: silent %v, yAxisIndex %v; want silent on the hidden axis 1", s["name"], s["silent"], s["yAxisIndex"])
				}
				segments += len(s["data"].([]any)) / 3
			}
			o, err := Build("strength", d, v)
			if err != nil {
				t.Fatal(err)
			}
			events := o.Tables[1]
			if segments != len(events.Rows) || segments == 0 {
				t.Errorf("drew %d event lines, the table lists %d; want the same, more than 0", segments, len(events.Rows))
			}
			// The tooltips list at most five events each; each figure's
			// tooltip names the first of those since the figure before.
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

func toString(v any) string {
	b, _ := encodeJSON(v, "")
	return string(b)
}

// TestStrengthEventTicks: past maxEventLines events in view, lines across
// the chart would cover it, so each event is a tick at its foot, and the
// subtitle and note say so; every event is still drawn and in the table.
func TestStrengthEventTicks(t *testing.T) {
	real, scaled := loadDataset(t), scaledDataset(t, 2*maxEventLines, 0)
	year := View{From: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2009, 12, 31, 0, 0, 0, 0, time.UTC)}
	tests := map[string]struct {
		d     *dataset.Dataset
		v     View
		ticks bool
	}{
		"real record":  {real, View{}, false},
		"scaled":       {scaled, View{}, true},
		"scaled, 2009": {scaled, year, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, obj, err := build("strength", tc.d, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			base := obj["baseOption"].(map[string]any)
			segments := 0
			for _, sr := range base["series"].([]any)[1:] {
				s := sr.(map[string]any)
				data := s["data"].([]any)
				segments += len(data) / 3
				top, want := toString(data[1].([]any)[1]), "1"
				if tc.ticks {
					want = toString(eventTick)
				}
				if style := toString(s["lineStyle"].(map[string]any)["type"]); top != want || (style == `"solid"`) != tc.ticks {
					t.Errorf("%v: events drawn up to %s in %s lines, want up to %s, ticks: %v", s["name"], top, style, want, tc.ticks)
				}
			}
			if events := len(o.Tables[1].Rows); segments != events || (events > maxEventLines) != tc.ticks {
				t.Errorf("%d events drawn, %d in the table; want all, ticks: %v", segments, events, tc.ticks)
			}
			if caption := o.Tables[1].Caption; strings.Contains(caption, "ticks") != tc.ticks {
				t.Errorf("events table %q; want it to say the events are ticks: %v", caption, tc.ticks)
			}
			subtitle := base["title"].([]any)[0].(map[string]any)["subtext"]
			noted := strings.Contains(o.Note, "too many to draw as lines")
			if (subtitle == tickKey) != tc.ticks || noted != tc.ticks {
				t.Errorf("subtitle %q, note %q; want them to say the events are ticks: %v", subtitle, o.Note, tc.ticks)
			}
		})
	}
}
