package chart

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// scaledDataset is the real record grown past the charts' bounds: figures
// more strength figures, counts and events of the kinds the strength
// chart draws, spread evenly over 1999-2025, and a
// newest complete list (dated 2025-12-31) naming nations new nations,
// every third a NATO member, the smallest uncertain. It loads in a few
// milliseconds, so the tests can build several.
func scaledDataset(tb testing.TB, figures, nations int) *dataset.Dataset {
	tb.Helper()
	tables := datasettest.Embedded(tb)
	add := tables.Add
	// One source per new row, so that no two figures share one.
	next := 0
	source := func() string {
		id := fmt.Sprintf("T%06d", next)
		next++
		add("sources.csv", map[string]string{"id": id, "title": "Scale test source " + id, "publisher": "Scale test",
			"url": "https://example.org/scale/" + id, "published": "2026-01-01", "kind": "press", "language": "en"})
		return id
	}
	day := datasettest.Day
	confs := []dataset.Confidence{dataset.Exact, dataset.Approximate, dataset.Derived, dataset.Uncertain}
	for i := range figures {
		troops := strconv.Itoa(45000 - 41000*i/figures + (i%7)*150)
		add("strength.csv", map[string]string{"date": day(i, figures), "troops": troops, "source": source(),
			"confidence": string(confs[i%len(confs)]), "quote": "about " + troops + " troops"})
		count := strconv.Itoa(40 - 12*i/figures)
		add("counts.csv", map[string]string{"date": day(i, figures), "nations": count, "source": source(),
			"confidence": "approximate", "quote": count + " countries"})
		kinds := []dataset.EventKind{dataset.Reduction, dataset.Deployment, dataset.Reinforcement, dataset.Unrest}
		add("events.csv", map[string]string{"date": day(i, figures), "kind": string(kinds[i%len(kinds)]),
			"title": fmt.Sprintf("Scale test event %d", i), "source": source()})
	}
	taken := map[string]bool{}
	for _, r := range tables["nations.csv"][1:] {
		taken[r[0]] = true
	}
	total := 0
	for n := range nations {
		total += troopsOf(n, nations)
	}
	if nations > 0 {
		add("lists.csv", map[string]string{"id": "TALL", "date": datasettest.Last.Format(time.DateOnly), "complete": "yes", "total": strconv.Itoa(total),
			"source": source(), "confidence": "exact", "quote": "every nation"})
	}
	for i, n := 0, 0; n < nations; i++ {
		code := string([]byte{'A' + byte(i/676), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		if taken[code] {
			continue
		}
		row := map[string]string{"code": code, "name": "Synthetic nation " + code}
		if n%3 == 0 {
			row["nato_accession"], row["source"] = "2004-03-29", source()
		}
		add("nations.csv", row)
		conf := "exact"
		if n == nations-1 {
			conf = "uncertain"
		}
		add("contributions.csv", map[string]string{"list": "TALL", "nation": code, "troops": strconv.Itoa(troopsOf(n, nations)), "confidence": conf})
		n++
	}
	d, err := tables.Origin("scaled").Load(now)
	if err != nil {
		tb.Fatalf("loading the scaled record: %v", err)
	}
	return d
}

// troopsOf is the troops of the n-th of a scaled record's nations: from 5
// to about 400, unevenly, the last the smallest.
func troopsOf(n, nations int) int { return 5 + (n*37)%400 + nations - n }

// bar is one bar the nations chart draws.
type bar struct {
	name   string
	troops int
	folded bool // in the folded bars' grid
	nato   bool
}

// drawnBars reads the bars of a nations chart's option: its category
// names from the y axes, its values from the series on each.
func drawnBars(tb testing.TB, obj map[string]any) []bar {
	tb.Helper()
	base := obj["baseOption"].(map[string]any)
	axes := base["yAxis"].([]any)
	var out []bar
	for _, sr := range base["series"].([]any) {
		s := sr.(map[string]any)
		axis := 0
		if s["yAxisIndex"] != nil {
			axis, _ = strconv.Atoi(toString(s["yAxisIndex"]))
		}
		names := axes[axis].(map[string]any)["data"].([]any)
		for i, it := range s["data"].([]any) {
			m, ok := it.(map[string]any)
			if !ok {
				continue // "-": the other membership's bar
			}
			v, err := strconv.Atoi(toString(m["value"]))
			if err != nil {
				tb.Fatalf("bar %v has value %v", names[i], m["value"])
			}
			out = append(out, bar{names[i].(string), v, axis == 1, s["name"] == "NATO members"})
		}
	}
	return out
}

// TestNationsBounded: a list naming more nations than the chart draws
// keeps the chart readable: the largest nations drawn, the others summed
// by membership into at most two bars, a bounded height, a note saying
// so, and every nation still in the table.
func TestNationsBounded(t *testing.T) {
	tests := map[string]struct {
		d      *dataset.Dataset
		folded bool
	}{
		"real record":           {datasettest.Record(t), false},
		"42 nations, all drawn": {scaledDataset(t, 0, maxNationBars+2), false},
		"43 nations":            {scaledDataset(t, 0, maxNationBars+3), true},
		"500 nations":           {scaledDataset(t, 0, 500), true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, theme := range []string{Light, Dark} {
				o, obj, err := build("contributions", tc.d, View{Theme: theme})
				if err != nil {
					t.Fatal(err)
				}
				ls := ChooseList(tc.d, View{}).List
				bars := drawnBars(t, obj)
				if len(bars) > maxNationBars+2 {
					t.Errorf("%d nations: %d bars, want at most %d", len(ls.Entries), len(bars), maxNationBars+2)
				}
				if o.Height > 1100 {
					t.Errorf("%d nations: chart %d px tall, want at most 1,100", len(ls.Entries), o.Height)
				}
				sum := 0
				for _, b := range bars {
					sum += b.troops
				}
				if sum != ls.Sum() {
					t.Errorf("the bars add up to %d troops, the list to %d", sum, ls.Sum())
				}
				if len(o.Tables[0].Rows) != len(ls.Entries) {
					t.Errorf("the table lists %d nations, the list names %d", len(o.Tables[0].Rows), len(ls.Entries))
				}
				noted := strings.Contains(o.Note, fmt.Sprintf("draws the %d nations with the most troops", maxNationBars))
				if noted != tc.folded {
					t.Errorf("note %q says the nations are folded: %v, want %v", o.Note, noted, tc.folded)
				}
				checkFolds(t, ls, bars, tc.folded)
			}
		})
	}
}

// checkFolds checks that the folded bars, if any, each sum the nations of
// a membership not drawn, and say how many.
func checkFolds(t *testing.T, ls *dataset.List, bars []bar, folded bool) {
	t.Helper()
	at := ls.Date.Time()
	entries := append([]dataset.Contribution(nil), ls.Entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Troops > entries[j].Troops })
	drawn := map[string]bool{}
	for _, b := range bars {
		drawn[strings.TrimSuffix(b.name, " (?)")] = !b.folded
	}
	want := map[bool]struct{ nations, troops, uncertain int }{}
	for _, e := range entries {
		if drawn[e.Nation.Name] {
			continue
		}
		nato := e.Nation.MembershipAt(at) == dataset.NATO
		w := want[nato]
		w.nations++
		w.troops += e.Troops
		if e.Confidence == dataset.Uncertain {
			w.uncertain++
		}
		want[nato] = w
	}
	got := 0
	for _, b := range bars {
		if !b.folded {
			continue
		}
		got++
		w := want[b.nato]
		count := strconv.Itoa(w.nations) + " nations"
		if w.nations == 1 {
			count = "1 nation"
		}
		label := "Other partners (" + count + ")"
		if b.nato {
			label = "Other NATO members (" + count + ")"
		}
		if w.uncertain > 0 {
			label += " (?)"
		}
		if b.name != label || b.troops != w.troops {
			t.Errorf("folded bar %q of %d troops, want %q of %d", b.name, b.troops, label, w.troops)
		}
	}
	if folded != (got > 0) || got != len(want) {
		t.Errorf("%d folded bars for %d memberships not drawn; want them folded: %v", got, len(want), folded)
	}
}

// TestSampledSeries: a series over time with more points than a chart has
// pixels across is drawn sampled by ECharts (min-max, every point still in
// the option), the note says so, and the strength chart's zoom then
// filters, so that zooming in draws every figure. The real record's
// series are drawn whole.
func TestSampledSeries(t *testing.T) {
	real, scaled := datasettest.Record(t), scaledDataset(t, 2*sampleAbove, 0)
	year := View{From: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2009, 12, 31, 0, 0, 0, 0, time.UTC)}
	tests := map[string]struct {
		id      string
		series  []int // the series sampled (the first holds the points)
		d       *dataset.Dataset
		v       View
		sampled bool
	}{
		"strength, real record":  {"strength", []int{0}, real, View{}, false},
		"strength, scaled":       {"strength", []int{0}, scaled, View{}, true},
		"strength, scaled, 2009": {"strength", []int{0}, scaled, year, false}, // fewer figures than the bound
		"nations, real record":   {"nations", []int{2}, real, View{}, false},
		"nations, scaled":        {"nations", []int{2}, scaled, View{}, true},
		"changes, real record":   {"changes", []int{0, 1}, real, View{}, false},
		"changes, scaled":        {"changes", []int{0, 1}, scaled, View{}, true},
		"changes, scaled, dark":  {"changes", []int{0, 1}, scaled, View{Theme: Dark}, true},
		"contingents, scaled":    {"contingents", []int{0}, scaled, View{}, false},
		"reductions, scaled":     {"reductions", []int{0}, scaled, View{}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, obj, err := build(tc.id, tc.d, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			base := obj["baseOption"].(map[string]any)
			series := base["series"].([]any)
			for i, sr := range series {
				s := sr.(map[string]any)
				sampling, ok := s["sampling"]
				if want := tc.sampled && slices.Contains(tc.series, i); ok != want || (ok && sampling != "minmax") {
					t.Errorf("series %d (%v) sampling %v, want minmax: %v", i, s["name"], sampling, want)
				}
			}
			data := series[tc.series[0]].(map[string]any)["data"].([]any)
			if tc.sampled && len(data) != len(o.Tables[0].Rows) {
				t.Errorf("the option has %d points, the table %d rows; want every point in both", len(data), len(o.Tables[0].Rows))
			}
			if noted := strings.Contains(o.Note, "min-max sampling"); noted != tc.sampled {
				t.Errorf("note %q says the chart is sampled: %v, want %v", o.Note, noted, tc.sampled)
			}
			if tc.id != "strength" {
				return
			}
			for _, dz := range base["dataZoom"].([]any) {
				mode := dz.(map[string]any)["filterMode"]
				if want := map[bool]string{true: "filter", false: "none"}[tc.sampled]; mode != want {
					t.Errorf("dataZoom filterMode %v, want %s", mode, want)
				}
			}
		})
	}
}
