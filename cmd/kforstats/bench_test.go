package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kforstats/kforstats/cmd/kforstats/kforstatstest"
	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dataset/datasettest"
	"github.com/kforstats/kforstats/metrics"
)

// benchServer wires the store, the registry and the dashboard as runServe
// does, without the listener, and waits until the page's charts are drawn
// into it.
func benchServer(tb testing.TB) http.Handler {
	tb.Helper()
	store := datasettest.Store(tb)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	httpMetrics, err := metrics.Register(reg, store, metrics.Options{Version: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	s := dashboard.NewServer(dashboard.Config{
		Store:        store,
		Metrics:      metricsHandler(reg, store, time.Second), // --metrics.max-age's default
		Observe:      httpMetrics.Observe,
		Version:      "bench",
		InlineCharts: true,
	})
	// The page with every chart drawn is made at load: until then the page
	// goes out with its charts left to the script, made anew each time.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		if bytes.Contains(w.Body.Bytes(), []byte(`data-drawn="server"`)) && bytes.Contains(w.Body.Bytes(), []byte(` data-echarts="`)) {
			return s
		}
		if time.Now().After(deadline) {
			tb.Fatal("the page's charts were not drawn within a minute")
		}
	}
}

// BenchmarkHot serves the hot routes as their clients ask for them, 64 at
// a time, beside a handler that writes the same bytes and nothing else:
// the physical limit of serving each one.
func BenchmarkHot(b *testing.B) {
	h := benchServer(b)
	for _, e := range kforstatstest.HotEndpoints() {
		req := httptest.NewRequest(http.MethodGet, e.Path, nil)
		for k, v := range e.Headers {
			req.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s = %d", e.Path, w.Code)
		}
		header, body := w.Header().Clone(), w.Body.Bytes()
		same := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hd := w.Header()
			for k, v := range header {
				hd[k] = v
			}
			w.Write(body)
		})
		for name, h := range map[string]http.Handler{"kforstats": h, "same-bytes": same} {
			b.Run(e.Path+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				// 64 clients at once on 2 cores, as the load run's wrk.
				b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						h.ServeHTTP(httptest.NewRecorder(), req.Clone(req.Context()))
					}
				})
			})
		}
	}
}
