package chart

import (
	"strings"
	"testing"
	"time"
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
			if len(series) > 4 {
				t.Errorf("strength has %d series, want at most 4 (the figures and three event groups)", len(series))
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
