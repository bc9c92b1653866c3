package dashboard

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// TestStructureAPI: the structure at a date, every formation with all=1,
// the CSV, and the parameter errors, each naming date.
func TestStructureAPI(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	st := decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?date=2012-02-15"))
	if st.Date != "2012-02-15" || len(st.Units) != len(d.StructureAt(time.Date(2012, 2, 15, 0, 0, 0, 0, time.UTC))) {
		t.Fatalf("structure at 2012-02-15: date %q, %d units", st.Date, len(st.Units))
	}
	var posture []string
	for _, u := range st.Units {
		if u.Kind != "other" {
			posture = append(posture, u.ID+"@"+u.Place)
		}
	}
	want := "hq-kfor@Prishtinë/Priština nato-hq-skopje@Skopje mnbg-east-2010@Ferizaj/Uroševac mnbg-west@Pejë/Peć " +
		"jrd-centre-2011@Prishtinë/Priština jrd-east@Ferizaj/Uroševac jrd-north-2011b@Novo Selo jrd-south-2011@Prizren jrd-west-2011@Pejë/Peć"
	if got := strings.Join(posture, " "); got != want {
		t.Errorf("posture at 2012-02-15 =\n%s\nwant\n%s", got, want)
	}
	// A month means its first day.
	if m := decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?date=2012-02")); m.Date != "2012-02-01" {
		t.Errorf("date=2012-02 answers %q, want 2012-02-01", m.Date)
	}
	// Before any per-nation list, the structure still answers: its date is
	// any day. Only units dated to the year 1999 count from its first day.
	for _, u := range decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?date=1999-01")).Units {
		if u.From != "1999" {
			t.Errorf("structure in January 1999 holds %s from %s, want only units dated to the year 1999", u.ID, u.From)
		}
	}
	all := decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?all=1"))
	if all.Date != "" || len(all.Units) != len(d.Units) {
		t.Errorf("all=1: date %q, %d units, want every one of %d", all.Date, len(all.Units), len(d.Units))
	}
	w := get(t, s, "GET", "/api/v1/structure.csv?date=2012-02-15")
	rows, err := csv.NewReader(strings.NewReader(w.Body.String())).ReadAll()
	if w.Code != 200 || err != nil || len(rows) != len(st.Units)+1 || rows[0][1] != "id" {
		t.Errorf("structure.csv = %d, %d rows, %v", w.Code, len(rows), err)
	}
	for name, q := range map[string]string{"malformed": "date=2012-13", "future": "date=2999", "not a date": "date=soon"} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/api/v1/structure", "/api/v1/structure.csv"} {
				w := get(t, s, "GET", path+"?"+q)
				e := decode[struct {
					Param string `json:"param"`
				}](t, w)
				if w.Code != 400 || e.Param != "date" {
					t.Errorf("GET %s?%s = %d %+v, want 400 naming date", path, q, w.Code, e)
				}
			}
		})
	}
}

// TestMapOutlines: the maps' outlines are served as hashed static assets,
// named by alpha-3 code: Kosovo (XKX) and its neighbours, and the world
// with every contributing nation.
func TestMapOutlines(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	type fc struct {
		Features []struct {
			Properties struct{ Name string } `json:"properties"`
		} `json:"features"`
	}
	names := func(src string) map[string]bool {
		w := get(t, s, "GET", assetPath(src))
		if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Fatalf("GET %s = %d, Cache-Control %q", assetPath(src), w.Code, w.Header().Get("Cache-Control"))
		}
		out := map[string]bool{}
		for _, f := range decode[fc](t, w).Features {
			out[f.Properties.Name] = true
		}
		return out
	}
	kos := names("geo-kosovo.json")
	for _, c := range []string{"XKX", "SRB", "MNE", "ALB", "MKD"} {
		if !kos[c] {
			t.Errorf("geo-kosovo.json has no %s", c)
		}
	}
	world := names("geo-world.json")
	for _, n := range store.Current().Nations {
		if !world[n.Code] {
			t.Errorf("geo-world.json has no %s (%s)", n.Code, n.Name)
		}
	}
}
