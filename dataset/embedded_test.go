package dataset_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// The embedded record is the product: these tests hold it to the promises
// the README and the issue make to the people who cite it.

func TestEmbeddedCoverage(t *testing.T) {
	d := datasettest.Record(t)
	if n := len(d.Observations); n < 80 {
		t.Errorf("%d total-strength observations, want at least 80", n)
	}
	years := map[int]int{}
	for _, o := range d.Observations {
		years[o.Date.Year]++
	}
	for y := 1999; y <= 2026; y++ {
		if years[y] == 0 {
			t.Errorf("no total-strength observation for %d", y)
		}
	}
	if n := len(d.Events); n < 30 {
		t.Errorf("%d events, want at least 30", n)
	}
	kinds := map[dataset.EventKind]bool{}
	for _, e := range d.Events {
		kinds[e.Kind] = true
	}
	for _, k := range []dataset.EventKind{dataset.Deployment, dataset.Reduction, dataset.Reinforcement, dataset.Unrest, dataset.Command, dataset.Joins, dataset.Leaves} {
		if !kinds[k] {
			t.Errorf("no event of kind %s", k)
		}
	}
	for _, id := range []string{"L2017-02", "L2023"} {
		var found *dataset.List
		for _, ls := range d.Lists {
			if ls.ID == id {
				found = ls
			}
		}
		if found == nil || !found.Complete {
			t.Errorf("complete per-nation list %s is missing", id)
		}
	}
	if f, ok := d.Fact(dataset.AreaKey); !ok || f.Value != 10887 {
		t.Errorf("area of responsibility = %v, %v, want 10887 km²", f.Value, ok)
	}
}

// TestEmbeddedEveryFigureSourced checks what validation already enforces,
// from the reader's side: every figure leads to a source with a URL.
func TestEmbeddedEveryFigureSourced(t *testing.T) {
	d := datasettest.Record(t)
	check := func(what string, s *dataset.Source) {
		t.Helper()
		if s == nil || !strings.HasPrefix(s.URL, "http") || s.Title == "" || s.Publisher == "" || s.Published.IsZero() {
			t.Errorf("%s has no complete source: %+v", what, s)
		}
	}
	for _, o := range d.Observations {
		check("observation on line "+itoa(o.Line), o.Source)
		if o.Quote == "" {
			t.Errorf("observation on line %d has no quote", o.Line)
		}
	}
	for _, c := range d.Counts {
		check("count on line "+itoa(c.Line), c.Source)
	}
	for _, ls := range d.Lists {
		check("list "+ls.ID, ls.Source)
	}
	for _, e := range d.Events {
		check("event on line "+itoa(e.Line), e.Source)
	}
}

// TestEmbeddedDerivedSplitMatchesQuoted: membership is derived from
// accession dates; where a source quotes the NATO/partner split of a date
// that has a complete list, the derived split must equal the quoted one.
func TestEmbeddedDerivedSplitMatchesQuoted(t *testing.T) {
	d := datasettest.Record(t)
	tests := map[string]struct {
		list, countSource, countDate string
	}{
		"February 2017 placemat":              {list: "L2017-02", countSource: "S57", countDate: "2017-02"},
		"2023 list vs Danas, 10 October 2023": {list: "L2023", countSource: "S85", countDate: "2023-10-10"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var ls *dataset.List
			for _, l := range d.Lists {
				if l.ID == tc.list {
					ls = l
				}
			}
			var c *dataset.Count
			for i := range d.Counts {
				if d.Counts[i].SourceID == tc.countSource && d.Counts[i].Date.String() == tc.countDate {
					c = &d.Counts[i]
				}
			}
			if ls == nil || c == nil {
				t.Fatalf("list %s or count %s %s is missing", tc.list, tc.countSource, tc.countDate)
			}
			nato, partner := ls.Split()
			if c.NATO != nil && *c.NATO != nato {
				t.Errorf("list %s derives %d NATO nations, %s quotes %d", tc.list, nato, tc.countSource, *c.NATO)
			}
			if c.Partner != nil && *c.Partner != partner {
				t.Errorf("list %s derives %d partner nations, %s quotes %d", tc.list, partner, tc.countSource, *c.Partner)
			}
			if c.NATO == nil && c.Partner == nil {
				t.Errorf("count %s %s quotes no split", tc.countSource, tc.countDate)
			}
		})
	}
}

func TestEmbeddedSeries(t *testing.T) {
	d := datasettest.Record(t)
	s := d.Series()
	if len(s) < 50 {
		t.Fatalf("preferred series has %d points, want most of the record", len(s))
	}
	seen := map[string]bool{}
	for i, p := range s {
		if i > 0 && p.Date.Before(s[i-1].Date) {
			t.Errorf("series out of order at %s", p.Date)
		}
		if seen[p.Date.String()] {
			t.Errorf("two preferred figures for %s", p.Date)
		}
		seen[p.Date.String()] = true
	}
	// Where the February 2017 placemat (official, exact) exists, it is the figure used.
	for _, p := range s {
		if p.Date.String() == "2017-02" && (p.Troops != 4273 || p.Source.ID != "S57") {
			t.Errorf("2017-02 uses %d from %s, want the placemat's 4273 (S57)", p.Troops, p.Source.ID)
		}
	}
	for _, o := range d.Observations {
		if o.Rule == "" {
			t.Errorf("observation on line %d says nothing of why it is or is not used", o.Line)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
