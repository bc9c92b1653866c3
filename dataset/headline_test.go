package dataset

import "testing"

func TestHeadlineCounts(t *testing.T) {
	official := &Source{ID: "O", Kind: Official}
	wiki := &Source{ID: "W", Kind: Secondary}
	two, one := 2, 1
	cp := func(date string, n int, src *Source, conf Confidence, split bool) CountPoint {
		c := CountPoint{Date: MustDate(date), Nations: n, Source: src, Confidence: conf}
		if split {
			c.NATO, c.Partner = &two, &one
		}
		return c
	}
	tests := map[string]struct {
		counts         []CountPoint
		nations, split int // Nations of the picks; 0 for none
		splitDate      string
	}{
		"newest":                  {[]CountPoint{cp("2020", 30, official, Exact, false), cp("2021", 31, official, Exact, false)}, 31, 0, ""},
		"sound beats newer copy":  {[]CountPoint{cp("2024-06", 28, official, Exact, true), cp("2024-10", 29, wiki, Exact, true)}, 28, 28, "2024-06"},
		"firm beats uncertain":    {[]CountPoint{cp("2024-06", 28, wiki, Exact, false), cp("2024-10", 29, official, Uncertain, false)}, 28, 0, ""},
		"old sound loses":         {[]CountPoint{cp("2009", 38, official, Exact, false), cp("2012", 33, wiki, Exact, false)}, 33, 0, ""},
		"split of the same count": {[]CountPoint{cp("2023", 27, official, Exact, true), cp("2026", 33, official, Exact, true)}, 33, 33, "2026"},
		"split kept apart":        {[]CountPoint{cp("2024", 28, official, Exact, true), cp("2026", 33, official, Approximate, false)}, 33, 28, "2024"},
		"none":                    {nil, 0, 0, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n, sp := HeadlineCounts(tc.counts)
			got := func(c *CountPoint) int {
				if c == nil {
					return 0
				}
				return c.Nations
			}
			if got(n) != tc.nations || got(sp) != tc.split || (sp != nil && sp.Date.String() != tc.splitDate) {
				t.Errorf("HeadlineCounts = %d, split %d (%v); want %d, split %d (%s)", got(n), got(sp), sp, tc.nations, tc.split, tc.splitDate)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	d := loadValid(t)
	for _, ls := range d.Lists {
		c := d.CoverageOf(ls)
		if c.Sum != ls.Sum() {
			t.Errorf("%s: coverage sum %d, want the entries' %d", ls.ID, c.Sum, ls.Sum())
		}
		if ls.Total > 0 && (c.Total != ls.Total || !c.Stated) {
			t.Errorf("%s: coverage total %d (stated %v), want the list's own %d", ls.ID, c.Total, c.Stated, ls.Total)
		}
		if ls.Total == 0 && c.Stated {
			t.Errorf("%s states no total, but its coverage says it does", ls.ID)
		}
		if d.Covers(ls) != (ls.Complete || c.Share() >= MinCoverage) {
			t.Errorf("%s: Covers = %v with share %.2f, complete %v", ls.ID, d.Covers(ls), c.Share(), ls.Complete)
		}
	}
	if (Coverage{Sum: 900, Total: 1000}).Share() != 0.9 || (Coverage{Sum: 5}).Share() != 0 {
		t.Errorf("Coverage.Share: want Sum/Total, and 0 without a total")
	}
}
