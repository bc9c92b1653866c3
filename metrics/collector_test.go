package metrics

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// datasetFamilies are the collector's families whose values come from the
// dataset and the store (kfor_build_info names the Go version, which moves).
var datasetFamilies = []string{
	"kfor_troops", "kfor_troops_timestamp_seconds", "kfor_peak_troops", "kfor_peak_timestamp_seconds",
	"kfor_drawdown_ratio", "kfor_nations", "kfor_nations_timestamp_seconds",
	"kfor_nations_by_membership", "kfor_nations_by_membership_timestamp_seconds",
	"kfor_nation_troops", "kfor_nation_troops_timestamp_seconds", "kfor_area_square_meters",
	"kfor_dataset_info", "kfor_dataset_last_reload_successful", "kfor_dataset_last_reload_success_timestamp_seconds",
	"kfor_dataset_reloads_total", "kfor_dataset_reload_failures_total",
}

func newFixtureCollector(tb testing.TB, s Store) *prometheus.Registry {
	tb.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(s, Options{Version: "v1.2.3", Now: func() time.Time { return fixtureNow }}))
	return reg
}

// TestCollectorGolden checks the whole exposition of the fixture dataset
// against testdata/collector.prom: read it to review names, help and values.
func TestCollectorGolden(t *testing.T) {
	c := NewCollector(fixture(t), Options{Version: "v1.2.3", Now: func() time.Time { return fixtureNow }})
	path := filepath.Join("testdata", "collector.prom")
	if datasettest.Update() {
		got, err := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, datasetFamilies...)
		if err != nil {
			t.Fatal(err)
		}
		datasettest.Golden(t, path, got)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(c, f, datasetFamilies...); err != nil {
		t.Error(err)
	}
}

func TestCollectorLint(t *testing.T) {
	problems, err := testutil.CollectAndLint(NewCollector(fixture(t), Options{Version: "v1.2.3"}))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestBuildInfo(t *testing.T) {
	reg := newFixtureCollector(t, fixture(t))
	want := `# HELP kfor_build_info The running kforstats build; always 1.
# TYPE kfor_build_info gauge
kfor_build_info{goversion="` + runtime.Version() + `",version="v1.2.3"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "kfor_build_info"); err != nil {
		t.Error(err)
	}
}

// swapStore is a store whose dataset and status a test replaces, as a reload does.
type swapStore struct{ fixedStore }

// TestCollectorReadsAtScrape checks that a reload shows at the next scrape,
// and that a failed reload is reported while the last good dataset stays.
func TestCollectorReadsAtScrape(t *testing.T) {
	fx := fixture(t)
	s := &swapStore{*fx}
	reg := newFixtureCollector(t, s)
	value := func(name string) float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == name {
				m := mf.GetMetric()[0]
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
		t.Fatalf("no %s in the scrape", name)
		return 0
	}
	if got, want := value("kfor_troops"), float64(fx.d.Latest().Troops); got != want {
		t.Fatalf("kfor_troops = %v, want %v", got, want)
	}

	// A reload to a record with one more, newer figure.
	s.d = fixtureWith(t, "2024-03-07,4100,H1,exact,\"4,100\",")
	s.st.Successes++
	if got := value("kfor_troops"); got != 4100 {
		t.Errorf("after a reload kfor_troops = %v, want 4100", got)
	}
	if got := value("kfor_troops_timestamp_seconds"); got != float64(time.Date(2024, 3, 7, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("after a reload kfor_troops_timestamp_seconds = %v, want 2024-03-07", got)
	}

	// A failed reload: the status says so, the figures stay.
	s.st.LastSuccessful, s.st.LastError, s.st.Failures = false, errors.New("strength.csv:3: bad"), 1
	for name, want := range map[string]float64{
		"kfor_dataset_last_reload_successful": 0,
		"kfor_dataset_reload_failures_total":  1,
		"kfor_dataset_reloads_total":          3,
		"kfor_troops":                         4100,
	} {
		if got := value(name); got != want {
			t.Errorf("after a failed reload %s = %v, want %v", name, got, want)
		}
	}
}

// TestCollectorPerDay checks that the dataset's metrics, made once per
// dataset and day, follow the clock and the store: a per-nation list shows
// from the first scrape on its day, and a new dataset at the next scrape.
func TestCollectorPerDay(t *testing.T) {
	fx := fixture(t)
	s := &swapStore{*fx}
	listDay := time.Date(2017, 2, 15, 0, 0, 0, 0, time.UTC) // L2017, dated 2017-02
	var now atomic.Int64
	c := NewCollector(s, Options{Version: "v1.2.3", Now: func() time.Time { return time.Unix(0, now.Load()) }})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	d2 := fixtureWith(t, "2024-03-07,4100,H1,exact,\"4,100\",")

	steps := []struct {
		name   string
		at     time.Time
		d      *dataset.Dataset
		nation float64 // count(kfor_nation_troops)
		troops float64
	}{
		{"the eve of the list", listDay.Add(-time.Second), fx.d, 0, float64(fx.d.Latest().Troops)},
		{"its first second", listDay, fx.d, 3, float64(fx.d.Latest().Troops)},
		{"later that day", listDay.Add(23 * time.Hour), fx.d, 3, float64(fx.d.Latest().Troops)},
		{"a new dataset the same day", listDay.Add(23 * time.Hour), d2, 3, 4100},
	}
	for _, st := range steps {
		now.Store(st.at.UnixNano())
		s.d = st.d
		got := gatherValues(t, reg)
		if got["count(kfor_nation_troops)"] != st.nation || got["kfor_troops"] != st.troops {
			t.Errorf("%s: %v nations in the list, kfor_troops %v; want %v and %v", st.name, got["count(kfor_nation_troops)"], got["kfor_troops"], st.nation, st.troops)
		}
	}

	// The same dataset and day: the very metrics made before are sent again.
	collect := func() []prometheus.Metric {
		ch := make(chan prometheus.Metric, 64)
		c.Collect(ch)
		close(ch)
		var ms []prometheus.Metric
		for m := range ch {
			ms = append(ms, m)
		}
		return ms
	}
	first, again := collect(), collect()
	if len(first) != len(again) {
		t.Fatalf("%d metrics then %d", len(first), len(again))
	}
	reused := 0
	for i := range first {
		if first[i] == again[i] {
			reused++
		}
	}
	if want := len(first) - 5; reused != want { // all but the reload status and build info
		t.Errorf("%d of %d metrics sent again, want %d", reused, len(first), want)
	}
}

// fixtureWith loads the fixture with one more line of strength.csv.
func fixtureWith(tb testing.TB, strengthLine string) *dataset.Dataset {
	tb.Helper()
	fsys := datasettest.Valid(tb)
	f := fsys["strength.csv"]
	f.Data = append(f.Data, strengthLine+"\n"...)
	return loadFixture(tb, fsys)
}

// parseScrape reads an uncompressed text scrape into series -> value, as
// gatherValues does a registry.
func parseScrape(tb testing.TB, text []byte) map[string]float64 {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		tb.Fatalf("parsing the scrape: %v\n%s", err, text)
	}
	return gatherValues(tb, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		out := make([]*dto.MetricFamily, 0, len(mfs))
		for _, mf := range mfs {
			out = append(out, mf)
		}
		return out, nil
	}))
}

// TestCollectorEqualsSummary checks, on the record shipped in the binary,
// that each figure is the one Summarize gives the dashboard and the API.
func TestCollectorEqualsSummary(t *testing.T) {
	d := datasettest.Record(t)
	sm := d.Summarize()
	now := time.Now()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(&fixedStore{d: d}, Options{Now: func() time.Time { return now }}))
	got := gatherValues(t, reg)

	ls := d.ListAt(now, true)
	tests := map[string]struct {
		series string
		want   float64
	}{
		"latest":             {"kfor_troops", float64(sm.Latest.Troops)},
		"latest date":        {"kfor_troops_timestamp_seconds", float64(sm.Latest.Date.Time().Unix())},
		"peak":               {"kfor_peak_troops", float64(sm.Peak.Troops)},
		"peak date":          {"kfor_peak_timestamp_seconds", float64(sm.Peak.Date.Time().Unix())},
		"drawdown":           {"kfor_drawdown_ratio", sm.Drawdown},
		"nations":            {"kfor_nations", float64(sm.Nations.Nations)},
		"nato nations":       {`kfor_nations_by_membership{membership="nato"}`, float64(*sm.Split.NATO)},
		"partner nations":    {`kfor_nations_by_membership{membership="partner"}`, float64(*sm.Split.Partner)},
		"area":               {"kfor_area_square_meters", sm.AreaKm2 * 1e6},
		"per-nation list":    {"kfor_nation_troops_timestamp_seconds", float64(ls.Date.Time().Unix())},
		"first nation":       {nationSeries(ls, 0), float64(ls.Entries[0].Troops)},
		"last nation":        {nationSeries(ls, len(ls.Entries)-1), float64(ls.Entries[len(ls.Entries)-1].Troops)},
		"nations in list":    {"count(kfor_nation_troops)", float64(len(ls.Entries))},
		"dataset checksum":   {`kfor_dataset_info{as_of="` + d.AsOf.String() + `",checksum="` + d.Checksum + `",version="` + d.Version + `"}`, 1},
		"troops in the list": {"sum(kfor_nation_troops)", float64(ls.Sum())},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v, ok := got[tc.series]
			if !ok {
				t.Fatalf("no %s in the scrape", tc.series)
			}
			if v != tc.want {
				t.Errorf("%s = %v, want %v", tc.series, v, tc.want)
			}
		})
	}
}

func nationSeries(ls *dataset.List, i int) string {
	e := ls.Entries[i]
	return `kfor_nation_troops{membership="` + string(e.Nation.MembershipAt(ls.Date.Time())) + `",name="` + e.Nation.Name + `",nation="` + e.Nation.Code + `"}`
}

// gatherValues maps each series (name{labels sorted}) to its value, and
// adds count(name) and sum(name) per family.
func gatherValues(tb testing.TB, g prometheus.Gatherer) map[string]float64 {
	tb.Helper()
	mfs, err := g.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			if len(m.GetLabel()) > 0 {
				var parts []string
				for _, l := range m.GetLabel() {
					parts = append(parts, l.GetName()+`="`+l.GetValue()+`"`)
				}
				key += "{" + strings.Join(parts, ",") + "}"
			}
			v := m.GetGauge().GetValue()
			if m.GetCounter() != nil {
				v = m.GetCounter().GetValue()
			}
			out[key] = v
			out["count("+mf.GetName()+")"]++
			out["sum("+mf.GetName()+")"] += v
		}
	}
	return out
}

// BenchmarkScrape measures what one scrape of the dataset's figures costs:
// Summarize, the per-nation list and the const metrics, gathered and
// written as Prometheus' text format.
func BenchmarkScrape(b *testing.B) {
	d := datasettest.Record(b)
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(&fixedStore{d: d}, Options{Version: "bench"}))
	var size int
	for b.Loop() {
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes/scrape")
}
