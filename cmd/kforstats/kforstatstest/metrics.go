package kforstatstest

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Get fetches url and returns its body, failing the test on anything but 200.
func Get(tb testing.TB, url string) []byte {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %s: %s", url, resp.Status, b)
	}
	return b
}

// Scrape reads base+"/metrics" into series name{labels sorted} -> value.
func Scrape(tb testing.TB, base string) map[string]float64 {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(Get(tb, base+"/metrics")))
	if err != nil {
		tb.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[seriesKey(name, m.GetLabel())] = value(m)
		}
	}
	return out
}

// WaitMetrics polls base+"/metrics" until cond holds of its samples, and
// returns them; what says what cond waits for.
func WaitMetrics(tb testing.TB, base, what string, cond func(m map[string]float64) bool) map[string]float64 {
	tb.Helper()
	deadline := time.Now().Add(WaitLimit)
	for {
		m := Scrape(tb, base)
		if cond(m) {
			return m
		}
		if time.Now().After(deadline) {
			tb.Fatalf("/metrics: not %s within %s: %v", what, WaitLimit, m)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func seriesKey(name string, labels []*dto.LabelPair) string {
	if len(labels) == 0 {
		return name
	}
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l.GetName() + `="` + l.GetValue() + `"`
	}
	return name + "{" + strings.Join(parts, ",") + "}"
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetUntyped() != nil:
		return m.GetUntyped().GetValue()
	}
	return math.NaN()
}
