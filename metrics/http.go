package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// HTTP counts and times the server's requests by route template, so that
// the series stay bounded whatever paths clients ask for.
type HTTP struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// durationBuckets run from a cached JSON answer (about a millisecond) to
// the whole history export (about a second).
var durationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewHTTP returns the HTTP metrics, registered on reg.
func NewHTTP(reg prometheus.Registerer) (*HTTP, error) {
	h := &HTTP{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kfor_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kfor_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: durationBuckets,
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kfor_http_requests_in_flight",
			Help: "HTTP requests being answered now, the scrape reading this one included.",
		}),
	}
	for _, c := range []prometheus.Collector{h.requests, h.duration, h.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Observe records one answered request. route is the route template (for
// example /api/v1/strength), never the raw path; it fits dashboard.Config's
// Observe field.
func (h *HTTP) Observe(route, method string, code int, elapsed time.Duration) {
	h.requests.WithLabelValues(route, method, codeLabel(code)).Inc()
	h.duration.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// InFlight wraps the server's handler so that kfor_http_requests_in_flight
// counts the requests it is answering: those a graceful shutdown waits for.
func (h *HTTP) InFlight(next http.Handler) http.Handler {
	return promhttp.InstrumentHandlerInFlight(h.inFlight, next)
}

// codeLabels are the status codes' labels, made once rather than at each
// request.
var codeLabels = func() (l [600]string) {
	for i := range l {
		l[i] = strconv.Itoa(i)
	}
	return l
}()

func codeLabel(code int) string {
	if code >= 0 && code < len(codeLabels) {
		return codeLabels[code]
	}
	return strconv.Itoa(code)
}
