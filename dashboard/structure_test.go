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
	// any day of KFOR's, from its first; 1999 means that first day.
	for _, q := range []string{"date=1999-06-12", "date=1999"} {
		if first := decode[StructureAnswer](t, get(t, s, "GET", "/api/v1/structure?"+q)); first.Date != "1999-06-12" || len(first.Units) == 0 {
			t.Errorf("structure?%s answers %q with %d units, want KFOR's first day, 1999-06-12, with its formations", q, first.Date, len(first.Units))
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
	for name, q := range map[string]string{"malformed": "date=2012-13", "future": "date=2999", "not a date": "date=soon", "before KFOR": "date=1999-01"} {
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

// TestBeforeKFOR: a date before KFOR's first day, 12 June 1999, is a 400
// naming date and saying when KFOR began, the same from the structure's
// API, the structure map's image and the per-nation charts' images; the
// page shows KFOR's first list with the notice; the structure map draws
// KFOR's first day, before the first per-nation list.
func TestBeforeKFOR(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, path := range []string{
		"/api/v1/structure?date=1998", "/api/v1/structure.csv?date=1999-05",
		"/charts/structure-map.svg?date=1998", "/charts/structure-map.png?date=1999-06-11",
		"/charts/world-map.svg?date=1998", "/api/v1/contributions?date=1999-03",
	} {
		w := get(t, s, "GET", path)
		e := decode[struct {
			Param string `json:"param"`
			Error string `json:"error"`
		}](t, w)
		if w.Code != 400 || e.Param != "date" || !strings.Contains(e.Error, "before KFOR began on 12 June 1999 (want a date from 1999-06-12 to") {
			t.Errorf("GET %s = %d %+v, want 400 naming date and KFOR's start", path, w.Code, e)
		}
	}
	if w := get(t, s, "GET", "/charts/structure-map.svg?date=1999-06-12"); w.Code != 200 || !strings.Contains(w.Body.String(), "1999-06-12") {
		t.Errorf("GET /charts/structure-map.svg?date=1999-06-12 = %d, want 200 drawing that day", w.Code)
	}
	w := get(t, s, "GET", "/?date=1998")
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "1998 is before KFOR began on 12 June 1999") || !strings.Contains(body, "the first day with a per-nation list") {
		t.Errorf("GET /?date=1998 = %d, want the page with the notice and KFOR's first list", w.Code)
	}
}
