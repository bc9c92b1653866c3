package dataset

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestEmbeddedStructureFebruary2012 checks the posture of February 2012:
// HQ KFOR at Pristina, the battle groups East (Camp Bondsteel) and West
// (Peć), and five Joint Regional Detachments (Novo Selo, Peć, Pristina,
// Camp Bondsteel, Prizren). The sources add what else was in force: NATO
// HQ Skopje (KFOR's rear support, to 1 April 2012), the MSU, the tactical
// reserve battalion and two national camps.
func TestEmbeddedStructureFebruary2012(t *testing.T) {
	d := loadEmbedded(t)
	type unit struct{ ID, Kind, Place, Camp string }
	var got []unit
	for _, u := range d.StructureAt(time.Date(2012, 2, 15, 0, 0, 0, 0, time.UTC)) {
		got = append(got, unit{u.ID, string(u.Kind), u.Place, u.Camp})
	}
	want := []unit{
		{"hq-kfor", "headquarters", "Prishtinë/Priština", "Camp Film City"},
		{"nato-hq-skopje", "headquarters", "Skopje", "Camp Able Sentry (Petrovec)"},
		{"mnbg-east-2010", "battle_group", "Ferizaj/Uroševac", "Camp Bondsteel"},
		{"mnbg-west", "battle_group", "Pejë/Peć", "Villaggio Italia"},
		{"jrd-centre-2011", "detachment", "Prishtinë/Priština", "Camp Film City"},
		{"jrd-east", "detachment", "Ferizaj/Uroševac", "Camp Bondsteel"},
		{"jrd-north-2011b", "detachment", "Novo Selo", "Camp Maréchal de Lattre de Tassigny"},
		{"jrd-south-2011", "detachment", "Prizren", "Camp Sultan Murat"},
		{"jrd-west-2011", "detachment", "Pejë/Peć", "Villaggio Italia"},
		{"camp-sultan-murat", "other", "Prizren", "Camp Sultan Murat"},
		{"feldlager-prizren", "other", "Prizren", "Feldlager Prizren"},
		{"ktm-2011", "other", "Prishtinë/Priština", "Camp Slim Lines"},
		{"msu", "other", "Prishtinë/Priština", "MSU Base"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("StructureAt(2012-02-15) (-want +got):\n%s", diff)
	}
}

// TestEmbeddedRestructuringsSourced: every restructuring is a dated,
// sourced event, and each restructuring the structure table shows has one.
func TestEmbeddedRestructuringsSourced(t *testing.T) {
	d := loadEmbedded(t)
	var dates []Date
	for _, e := range d.Events {
		if e.Kind != Restructuring {
			continue
		}
		if e.Date.IsZero() || e.Source == nil || e.Source.URL == "" {
			t.Errorf("restructuring %q on line %d has no date or source", e.Title, e.Line)
		}
		dates = append(dates, e.Date)
	}
	// The restructurings the record's structure shows: brigades merged
	// (2002), task forces (2006), battle groups (2010), Gate 2 (2011),
	// three JRDs (2013), regional commands (2019).
	for _, want := range []string{"2002-11-12", "2006-05-15", "2006-06", "2010-01-09", "2010-02-01", "2010-10-01", "2011-02-28", "2013-10", "2019-08-15"} {
		if !slices.Contains(dates, MustDate(want)) {
			t.Errorf("no restructuring event dated %s", want)
		}
	}
}

// TestStructureWarnings: a unit without a lead nation, and one that
// overlaps the next period of its formation, are warnings, not errors.
func TestStructureWarnings(t *testing.T) {
	fsys := overlay(t, "")
	fsys["structure.csv"].Data = []byte("id,kind,name,lead_nation,camp,place,lat,lon,coords,from,to,area,source,confidence,quote,note\n" +
		"a,brigade,Brigade,ITA,,,,,,2002,2004,,P1,exact,,\n" +
		"b,brigade,Brigade,,,,,,,2003,,,P1,exact,,\n")
	d, err := Load(fsys, Options{Dir: "data", Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Warnings().Error()
	want := "2 errors in the dataset:\n" +
		"data/structure.csv:2: to: unit a (to 2004) overlaps its successor b (from 2003)\n" +
		"data/structure.csv:3: lead_nation: unit b has no lead nation (unknown: no source names one)"
	if got != want {
		t.Errorf("Warnings() =\n%s\nwant\n%s", got, want)
	}
	if at := d.StructureAt(time.Date(2003, 6, 1, 0, 0, 0, 0, time.UTC)); len(at) != 2 {
		t.Errorf("StructureAt(2003-06-01) = %d units, want both overlapping periods", len(at))
	}
	if ch := d.StructureChanges(); len(ch) != 3 {
		t.Errorf("StructureChanges() = %v, want 2002, 2003 and 2004", ch)
	}
}

// loadEmbedded loads the embedded record as of its own newest date (the
// internal tests cannot import datasettest, which imports this package).
func loadEmbedded(tb testing.TB) *Dataset {
	tb.Helper()
	d, err := EmbeddedOrigin().Load(time.Now())
	if err != nil {
		tb.Fatalf("loading the embedded record: %v", err)
	}
	return d
}
