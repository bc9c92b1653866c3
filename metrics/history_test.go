package metrics

import (
	"bufio"
	"bytes"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestHistoryGolden writes the fixture's history with a yearly step, short
// enough to read in testdata/history.om.
func TestHistoryGolden(t *testing.T) {
	var b bytes.Buffer
	err := WriteHistory(&b, fixture(t).d, HistoryOptions{Step: 8760 * time.Hour, End: fixtureNow})
	if err != nil {
		t.Fatal(err)
	}
	datasettest.Golden(t, filepath.Join("testdata", "history.om"), b.Bytes())
}

func TestHistoryBadStep(t *testing.T) {
	tests := map[string]time.Duration{"negative": -time.Hour, "under a second": time.Millisecond, "fraction of a second": 1500 * time.Millisecond}
	for name, step := range tests {
		t.Run(name, func(t *testing.T) {
			err := WriteHistory(io.Discard, fixture(t).d, HistoryOptions{Step: step})
			want := "history step " + step.String() + ": want a whole number of seconds, at least 1s"
			if err == nil || err.Error() != want {
				t.Errorf("WriteHistory(step %s) = %v, want %q", step, err, want)
			}
		})
	}
}

// sample is one line of the history: a value at a Unix time.
type sample struct {
	t int64
	v float64
}

// parseHistory reads OpenMetrics text with timestamps into series (name and
// labels as written) and their samples, and checks the framing: HELP and
// TYPE once per family before its samples, samples in time order, # EOF last.
func parseHistory(tb testing.TB, text []byte) map[string][]sample {
	tb.Helper()
	out := map[string][]sample{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	var last string
	eof := false
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if eof {
			tb.Fatalf("line %d: %q after # EOF", n, line)
		}
		switch {
		case line == "# EOF":
			eof = true
			continue
		case strings.HasPrefix(line, "# TYPE "):
			f := strings.Fields(line)
			if typed[f[2]] {
				tb.Fatalf("line %d: family %s typed twice", n, f[2])
			}
			typed[f[2]] = true
			continue
		case strings.HasPrefix(line, "# HELP "):
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		j := strings.LastIndexByte(line[:i], ' ')
		key, vs, ts := line[:j], line[j+1:i], line[i+1:]
		v, err := strconv.ParseFloat(vs, 64)
		if err != nil {
			tb.Fatalf("line %d: value: %v", n, err)
		}
		t, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			tb.Fatalf("line %d: timestamp: %v", n, err)
		}
		name, _, _ := strings.Cut(key, "{")
		if !typed[name] {
			tb.Fatalf("line %d: sample of %s before its # TYPE", n, name)
		}
		if s := out[key]; len(s) > 0 && s[len(s)-1].t >= t {
			tb.Fatalf("line %d: %s: timestamp %d not after %d", n, key, t, s[len(s)-1].t)
		}
		if key != last && out[key] != nil {
			tb.Fatalf("line %d: samples of %s are not together", n, key)
		}
		last = key
		out[key] = append(out[key], sample{t, v})
	}
	if !eof {
		tb.Fatal("no # EOF at the end")
	}
	return out
}

// at returns the sample of s at t, if any.
func at(s []sample, t int64) (float64, bool) {
	i := sort.Search(len(s), func(i int) bool { return s[i].t >= t })
	if i < len(s) && s[i].t == t {
		return s[i].v, true
	}
	return 0, false
}

// TestHistoryIsTheFigureInForce checks, on the record shipped in the binary
// and for every day from the first figure to the end, that the history
// holds the figure in force that day, as the dataset's own queries give it.
func TestHistoryIsTheFigureInForce(t *testing.T) {
	d := datasettest.Record(t)
	end := time.Now()
	var b bytes.Buffer
	if err := WriteHistory(&b, d, HistoryOptions{End: end}); err != nil {
		t.Fatal(err)
	}
	h := parseHistory(t, b.Bytes())
	first := d.Series()[0].Date.Time()
	last := end.UTC().Truncate(24 * time.Hour)
	if got, want := len(h["kfor_troops"]), int(last.Sub(first)/(24*time.Hour))+1; got != want {
		t.Errorf("kfor_troops has %d daily samples, want %d (%s to %s)", got, want, first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	counts := d.NationCounts()
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		ts := day.Unix()
		p, _ := d.StrengthAt(day)
		want := map[string]float64{"kfor_troops": float64(p.Troops), "kfor_troops_timestamp_seconds": float64(p.Date.Time().Unix())}
		// The headline's rule over the counts known on that day.
		known := 0
		for known < len(counts) && !counts[known].Date.Time().After(day) {
			known++
		}
		cp, _ := dataset.HeadlineCounts(counts[:known])
		if cp != nil {
			want["kfor_nations"] = float64(cp.Nations)
		}
		inList := 0
		if ls := d.ListAt(day, true); ls != nil {
			want["kfor_nation_troops_timestamp_seconds"] = float64(ls.Date.Time().Unix())
			for i := range ls.Entries {
				want[nationSeries(ls, i)] = float64(ls.Entries[i].Troops)
			}
			inList = len(ls.Entries)
		}
		for series, w := range want {
			if got, ok := at(h[series], ts); !ok || got != w {
				t.Fatalf("%s at %s = %v (present %v), want %v", series, day.Format(time.DateOnly), got, ok, w)
			}
		}
		present := 0
		for key, s := range h {
			if strings.HasPrefix(key, "kfor_nation_troops{") {
				if _, ok := at(s, ts); ok {
					present++
				}
			}
		}
		if present != inList {
			t.Fatalf("%s: %d kfor_nation_troops series, want %d (the list in force)", day.Format(time.DateOnly), present, inList)
		}
	}
}

// TestHistoryEndsWithTheScrape checks that the history's newest sample of
// every series is what /metrics shows now, under the same name and labels,
// so that Grafana joins the backfilled past to the scraped present.
func TestHistoryEndsWithTheScrape(t *testing.T) {
	d := datasettest.Record(t)
	now := time.Now()
	var b bytes.Buffer
	if err := WriteHistory(&b, d, HistoryOptions{End: now}); err != nil {
		t.Fatal(err)
	}
	h := parseHistory(t, b.Bytes())
	lastDay := now.UTC().Truncate(24 * time.Hour).Unix()

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(&fixedStore{d: d}, Options{Now: func() time.Time { return now }}))
	scraped := gatherValues(t, reg)
	for key, s := range h {
		name, _, _ := strings.Cut(key, "{")
		v, ok := at(s, lastDay)
		switch {
		case name == famEvent.name:
			continue // history only
		case !ok:
			continue // a series that ended: it must not be scraped either
		}
		got, scrapedOK := scraped[key]
		if !scrapedOK {
			t.Errorf("%s is in the history today but not on /metrics", key)
			continue
		}
		if got != v {
			t.Errorf("%s: history today %v, /metrics %v", key, v, got)
		}
	}
	for key := range scraped {
		name, _, _ := strings.Cut(key, "{")
		if strings.HasPrefix(name, "kfor_dataset_") || strings.HasPrefix(name, "count(") || strings.HasPrefix(name, "sum(") || name == "kfor_build_info" {
			continue // about the process, not the record
		}
		if _, ok := at(h[key], lastDay); !ok {
			t.Errorf("%s is on /metrics but has no sample today in the history", key)
		}
	}
}

func BenchmarkWriteHistory(b *testing.B) {
	d := datasettest.Record(b)
	end := time.Now()
	var size int64
	for b.Loop() {
		cw := &countWriter{}
		if err := WriteHistory(cw, d, HistoryOptions{End: end}); err != nil {
			b.Fatal(err)
		}
		size = cw.n
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size)/1e6, "MB/op")
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
