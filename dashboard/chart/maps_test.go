package chart

import (
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

// TestWorldMapMembership: the NATO members' series shades the NATO
// members of the list and carries every nation's tooltip; the partners'
// series, on the second registration of the world map, shades the
// partners alone, striped; their counts are the list's split.
func TestWorldMapMembership(t *testing.T) {
	d := datasettest.Record(t)
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
			if len(series) != 2 {
				t.Fatalf("world-map has %d series, want 2", len(series))
			}
			nato, partners := series[0].(map[string]any), series[1].(map[string]any)
			if nato["map"] != MapWorld || partners["map"] != MapWorldPartners || partners["silent"] != true {
				t.Errorf("world-map series maps %v, %v (silent %v), want %s, %s (silent)", nato["map"], partners["map"], partners["silent"], MapWorld, MapWorldPartners)
			}
			byCode := map[string]*dataset.Nation{}
			for _, e := range ls.Entries {
				byCode[e.Nation.Code] = e.Nation
			}
			shaded, tips := 0, 0
			for _, it := range nato["data"].([]any) {
				m := it.(map[string]any)
				n := byCode[m["name"].(string)]
				if m["tip"] != "" {
					tips++
				}
				if m["value"] == "-" {
					if n.MembershipAt(at) == dataset.NATO && listTroops(ls, n) > 0 {
						t.Errorf("NATO member %s has no value on the NATO series", n.Code)
					}
					continue
				}
				shaded++
				if n.MembershipAt(at) != dataset.NATO {
					t.Errorf("partner %s shaded on the NATO series", n.Code)
				}
			}
			for _, it := range partners["data"].([]any) {
				m := it.(map[string]any)
				n := byCode[m["name"].(string)]
				if n.MembershipAt(at) == dataset.NATO {
					t.Errorf("NATO member %s on the partners' series", n.Code)
				}
				if m["itemStyle"].(map[string]any)["decal"].(map[string]any)["symbol"] != "rect" {
					t.Errorf("partner %s is not striped", n.Code)
				}
			}
			natoN, partnerN := ls.Split()
			if tips != len(ls.Entries) || len(partners["data"].([]any)) != partnerN || shaded > natoN {
				t.Errorf("world-map of %s: %d tooltips, %d NATO shaded, %d partners; want %d, at most %d, %d", ls.Date, tips, shaded, len(partners["data"].([]any)), len(ls.Entries), natoN, partnerN)
			}
			vms := obj["visualMap"].([]any)
			if len(vms) != 2 || vms[0].(map[string]any)["seriesIndex"] != 0 || vms[1].(map[string]any)["seriesIndex"] != 1 {
				t.Errorf("world-map visualMap = %v, want one per series", vms)
			}
		})
	}
}

func listTroops(ls *dataset.List, n *dataset.Nation) int {
	for _, e := range ls.Entries {
		if e.Nation == n {
			return e.Troops
		}
	}
	return 0
}
