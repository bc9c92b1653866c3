package chart

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestStructureMapSymbols: on 2012-02-15 the map draws one symbol per
// formation in force that the record places: HQ KFOR and NATO HQ Skopje,
// the two battle groups (East and West), four of the five joint regional
// detachments (North, at Novo Selo, has no coordinates: listed, not drawn)
// and four other units and camps (MSU, KTM, Feldlager Prizren, Camp Sultan
// Murat).
func TestStructureMapSymbols(t *testing.T) {
	d := datasettest.Record(t)
	at := time.Date(2012, time.February, 15, 0, 0, 0, 0, time.UTC)
	o, obj, err := build("structure-map", d, View{Theme: Light, At: at})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, sr := range obj["baseOption"].(map[string]any)["series"].([]any) {
		s := sr.(map[string]any)
		if s["name"] == "Places" || s["name"] == "Countries" { // labels, not units
			continue
		}
		if s["coordinateSystem"] != "geo" {
			t.Errorf("series %v is on %v, want geo", s["name"], s["coordinateSystem"])
		}
		got[s["name"].(string)] = len(s["data"].([]any))
	}
	want := map[string]int{"Headquarters": 2, "Battle groups": 2, "Detachments": 4, "Other units and camps": 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("structure-map at 2012-02-15 symbols per kind (-want +got):\n%s", diff)
	}
	if n := len(o.Tables[0].Rows); n != 13 {
		t.Errorf("structure-map at 2012-02-15 table has %d rows, want the 13 formations in force", n)
	}
	if len(o.Maps) != 1 || o.Maps[0] != MapKosovo {
		t.Errorf("structure-map Maps = %v, want [%s]", o.Maps, MapKosovo)
	}
	located := 0
	for _, u := range d.StructureAt(at) {
		if u.Located() {
			located++
		}
	}
	if located != 12 {
		t.Errorf("the record places %d formations in force on 2012-02-15, want 12", located)
	}
}

// TestStructureMapSourceLine: the neighbours' borders run to the foot of
// the Kosovo map, under the source line; the line is set on the
// neighbours' colour in either theme, so that no border crosses its text
// (one crossed "Source: NATO JFC Naples / KFOR" on a phone).
func TestStructureMapSourceLine(t *testing.T) {
	d := datasettest.Record(t)
	for _, theme := range []string{Light, Dark} {
		_, obj, err := build("structure-map", d, View{Theme: theme})
		if err != nil {
			t.Fatal(err)
		}
		base := obj["baseOption"].(map[string]any)
		land := base["geo"].(map[string]any)["itemStyle"].(map[string]any)["areaColor"]
		var source map[string]any
		for _, ti := range base["title"].([]any) {
			if m := ti.(map[string]any); m["bottom"] != nil {
				source = m
			}
		}
		if source == nil || land == nil || source["backgroundColor"] != land {
			t.Errorf("%s structure-map: source line %v, neighbours' colour %v; want the line on that colour", theme, source, land)
		}
	}
}

// TestStructureMapToday: without a date the map shows the structure in
// force after the record's last change, and says "today".
func TestStructureMapToday(t *testing.T) {
	d := datasettest.Record(t)
	o, err := Build("structure-map", d, View{Theme: Light})
	if err != nil {
		t.Fatal(err)
	}
	want := len(d.StructureAt(now))
	if n := len(o.Tables[0].Rows); n != want || o.Title != "KFOR's formations today" {
		t.Errorf("structure-map today = %q with %d rows, want %q with %d", o.Title, n, "KFOR's formations today", want)
	}
}

// TestWorldMapMembership: one map series carries every nation of the list
// with its tooltip, shaded on its membership's ramp (NATO members blue,
// partners orange and striped), darker with more troops, to each
// membership's largest contingent, which its legend names.
func TestWorldMapMembership(t *testing.T) {
	d := datasettest.Record(t)
	ramp := ramps[Light]
	// The largest contributor takes its ramp's darkest stop.
	if got := rampColour(ramp[0], 1); got != ramp[0][len(ramp[0])-1] {
		t.Errorf("rampColour(%v, 1) = %s, want its last stop", ramp[0], got)
	}
	for _, day := range []string{"2002-12-06", "2012-02-15", ""} {
		t.Run(day, func(t *testing.T) {
			v := View{Theme: Light}
			if day != "" {
				v.At, _ = time.Parse(time.DateOnly, day)
			}
			ls := ChooseList(d, v).List
			at := ls.Date.Time()
			obj := baseOption(t, d, "world-map", v)
			series := obj["series"].([]any)
			if len(series) != 1 || series[0].(map[string]any)["map"] != MapWorld {
				t.Fatalf("world-map series = %v, want one on %s", series, MapWorld)
			}
			byCode := map[string]*dataset.Nation{}
			for _, e := range ls.Entries {
				byCode[e.Nation.Code] = e.Nation
			}
			nato, partners, tips := 0, 0, 0
			for _, it := range series[0].(map[string]any)["data"].([]any) {
				m := it.(map[string]any)
				n := byCode[m["name"].(string)]
				if m["tip"] != "" {
					tips++
				}
				st := m["itemStyle"].(map[string]any)
				want := ramp[0]
				if n.MembershipAt(at) == dataset.NATO {
					nato++
				} else {
					partners++
					want = ramp[1]
					if st["decal"].(map[string]any)["symbol"] != "rect" {
						t.Errorf("partner %s is not striped", n.Code)
					}
				}
				most := maxTroops(ls, at, n.MembershipAt(at))
				if troops := listTroops(ls, n); troops > 0 && st["areaColor"] != rampColour(want, float64(troops)/float64(most)) {
					t.Errorf("%s (%d troops) shaded %v, want %s on its ramp %v", n.Code, troops, st["areaColor"], rampColour(want, float64(troops)/float64(most)), want)
				}
			}
			natoN, partnerN := ls.Split()
			if tips != len(ls.Entries) || nato != natoN || partners != partnerN {
				t.Errorf("world-map of %s: %d tooltips, %d NATO members, %d partners; want %d, %d, %d", ls.Date, tips, nato, partners, len(ls.Entries), natoN, partnerN)
			}
			// The legends: a line of swatches per membership with a figure,
			// up to its largest contingent.
			legend := fmt.Sprint(obj["title"])
			for _, want := range []string{"NATO  1 ", "Partners  1 "} {
				if !strings.Contains(legend, want) {
					t.Errorf("world-map legend = %s, want %q", legend, want)
				}
			}
			for _, m := range []dataset.Membership{dataset.NATO, dataset.Partner} {
				if !strings.Contains(legend, "|} "+Thousands(maxTroops(ls, at, m))) {
					t.Errorf("world-map legend = %s, want %s's line up to %d", legend, m, maxTroops(ls, at, m))
				}
			}
			if _, ok := obj["visualMap"]; ok {
				t.Errorf("world-map has a visual map; want each region's own colour")
			}
		})
	}
}

// TestRampColour: the ends of a ramp are its first and last stops, the
// middle its middle stop, and a point between two stops lies between them.
func TestRampColour(t *testing.T) {
	ramp := []string{"#000000", "#808080", "#ffffff"}
	tests := map[string]struct {
		t    float64
		want string
	}{
		"fewest":       {0, "#000000"},
		"middle":       {0.5, "#808080"},
		"most":         {1, "#ffffff"},
		"a quarter":    {0.25, "#404040"},
		"beyond":       {2, "#ffffff"},
		"three fourth": {0.75, "#c0c0c0"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := rampColour(ramp, tc.t); got != tc.want {
				t.Errorf("rampColour(%v, %v) = %s, want %s", ramp, tc.t, got, tc.want)
			}
		})
	}
}

// maxTroops is the largest contingent of the list's nations of
// membership m at the list's date at.
func maxTroops(ls *dataset.List, at time.Time, m dataset.Membership) int {
	most := 0
	for _, e := range ls.Entries {
		if e.Nation.MembershipAt(at) == m {
			most = max(most, e.Troops)
		}
	}
	return most
}

func listTroops(ls *dataset.List, n *dataset.Nation) int {
	for _, e := range ls.Entries {
		if e.Nation == n {
			return e.Troops
		}
	}
	return 0
}
