package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestHTTPObserve(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	h, err := NewHTTP(reg)
	if err != nil {
		t.Fatal(err)
	}
	h.Observe("/api/v1/strength", "GET", 200, 3*time.Millisecond)
	h.Observe("/api/v1/strength", "GET", 200, 40*time.Millisecond)
	h.Observe("/api/v1/strength", "GET", 400, time.Millisecond)
	h.Observe("unmatched", "GET", 404, 200*time.Microsecond)

	want := `# HELP kfor_http_requests_total HTTP requests answered, by route template, method and status code.
# TYPE kfor_http_requests_total counter
kfor_http_requests_total{code="200",method="GET",route="/api/v1/strength"} 2
kfor_http_requests_total{code="400",method="GET",route="/api/v1/strength"} 1
kfor_http_requests_total{code="404",method="GET",route="unmatched"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "kfor_http_requests_total"); err != nil {
		t.Error(err)
	}
	if got := testutil.CollectAndCount(h.duration); got != 2 {
		t.Errorf("kfor_http_request_duration_seconds has %d series, want 2 (by route and method, not code)", got)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

func TestRegisterTwiceFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := Register(reg, fixture(t), Options{}); err != nil {
		t.Fatalf("first Register: %v", err)
	}
	if _, err := Register(reg, fixture(t), Options{}); err == nil {
		t.Error("second Register on the same registry succeeded, want a duplicate error")
	}
}

func TestHTTPInFlight(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	h, err := NewHTTP(reg)
	if err != nil {
		t.Fatal(err)
	}
	var during float64
	srv := h.InFlight(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		during = testutil.ToFloat64(h.inFlight)
	}))
	srv.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if during != 1 {
		t.Errorf("kfor_http_requests_in_flight while answering = %v, want 1", during)
	}
	if after := testutil.ToFloat64(h.inFlight); after != 0 {
		t.Errorf("kfor_http_requests_in_flight after the answer = %v, want 0", after)
	}
}
