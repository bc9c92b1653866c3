package render

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// Benchmarks of the image exporter on the dashboard's real charts, at the
// image routes' default size (1000 CSS px wide, each chart's own height).
// `make bench` runs them. Besides ns/op they report:
//   p50-ms      median latency of one image
//   cpu-ms/op   CPU time per image, garbage collection included
//   images/s    throughput with every renderer busy
//   rss-MB      resident memory with the pool warm (VmRSS)
//   peak-rss-MB the process's peak resident memory so far (VmHWM)

// benchCharts returns every chart of the embedded record as a Chart.
func benchCharts(b testing.TB) map[string]Chart {
	b.Helper()
	d := datasettest.Record(b)
	out := map[string]Chart{}
	for _, sp := range chart.Specs() {
		o, err := chart.Build(sp.ID, d, chart.View{})
		if err != nil {
			b.Fatal(err)
		}
		out[sp.ID] = Chart{Option: o.JS, Theme: o.Theme, Width: 1000, Height: o.Height, Title: o.Title, Footer: "Source: benchmark", Maps: o.Maps}
	}
	return out
}

// cpuTime is the CPU time the process has used, user and system: on a
// shared machine it varies less with the load than wall time does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timed runs f b.N times and reports the median latency and the mean CPU
// time (garbage collection included).
func timed(b *testing.B, f func() error) {
	b.Helper()
	lat := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

func warmRenderer(b *testing.B, o Options) *Renderer {
	b.Helper()
	r := newRenderer(b, o)
	if err := r.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	return r
}

func sortedIDs(charts map[string]Chart) []string {
	var ids []string
	for id := range charts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// benchWarm times draw for each chart on one warm renderer, after an
// untimed draw that warms that chart's own code paths.
func benchWarm(b *testing.B, draw func(r *Renderer, c Chart) error) {
	b.Helper()
	charts := benchCharts(b)
	r := warmRenderer(b, Options{MaxConcurrent: 1})
	for _, id := range sortedIDs(charts) {
		b.Run(id, func(b *testing.B) {
			c := charts[id]
			if err := draw(r, c); err != nil {
				b.Fatal(err)
			}
			timed(b, func() error { return draw(r, c) })
		})
	}
}

// BenchmarkSVG is the warm latency of one SVG per chart.
func BenchmarkSVG(b *testing.B) {
	benchWarm(b, func(r *Renderer, c Chart) error { _, err := r.SVG(context.Background(), c); return err })
}

// BenchmarkPNG is the warm latency of one PNG at pixel ratio 2 per chart,
// SVG included.
func BenchmarkPNG(b *testing.B) {
	benchWarm(b, func(r *Renderer, c Chart) error { _, err := r.PNG(context.Background(), c, 2); return err })
}

// BenchmarkColdPNG is a new Renderer's first PNG at pixel ratio 2:
// compiling the scripts, starting a JS runtime, loading resvg's compiled
// code from the on-disk cache a previous run left ("diskcache"), drawing.
// "nocache" compiles resvg from scratch, as the very first run on a machine
// does. Strength is the heaviest chart, contributions a typical one.
func BenchmarkColdPNG(b *testing.B) {
	charts := benchCharts(b)
	dir := b.TempDir()
	prime := newRenderer(b, Options{CacheDir: dir})
	if err := prime.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name, chart string
		dir         func() string
	}{
		{"diskcache/strength", "strength", func() string { return dir }},
		{"diskcache/contributions", "contributions", func() string { return dir }},
		{"nocache/strength", "strength", func() string { return b.TempDir() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := charts[tc.chart]
			timed(b, func() error {
				r, err := New(Options{ECharts: bundle(b), CacheDir: tc.dir()})
				if err != nil {
					return err
				}
				defer r.Close()
				_, err = r.PNG(context.Background(), c, 2)
				return err
			})
		})
	}
}

// BenchmarkThroughput keeps every renderer busy with PNGs at pixel ratio 2
// of every chart in turn, and reports images per second and memory.
func BenchmarkThroughput(b *testing.B) {
	charts := benchCharts(b)
	ids := sortedIDs(charts)
	r := warmRenderer(b, Options{QueueWait: time.Minute})
	for _, id := range ids { // every instance warm on every chart
		if _, err := r.PNG(context.Background(), charts[id], 2); err != nil {
			b.Fatal(err)
		}
	}
	rss, _ := memStatus()
	// Forget the peaks of earlier benchmarks (compiling resvg without a
	// cache, above all): Linux resets VmHWM on "5" to clear_refs.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	var next atomic.Int64
	start := time.Now()
	b.SetParallelism(1) // GOMAXPROCS goroutines: one per renderer slot
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[int(next.Add(1))%len(ids)]
			if _, err := r.PNG(context.Background(), charts[id], 2); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s")
	_, peak := memStatus()
	b.ReportMetric(rss, "rss-MB")
	b.ReportMetric(peak, "peak-rss-MB")
	b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "renderers")
}

// memStatus reads the resident memory and its peak, in MB, from
// /proc/self/status (Linux); zeros elsewhere.
func memStatus() (rss, peak float64) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			continue
		}
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return rss, peak
}
