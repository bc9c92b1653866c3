package kforstatstest

// Endpoint is one URL under load, with the headers of its usual client.
type Endpoint struct {
	Path    string
	Headers map[string]string
}

// BrowserEncodings is what Chromium sends; PrometheusAccept what Prometheus
// 3 sends when it scrapes.
const (
	BrowserEncodings = "gzip, deflate, br, zstd"
	PrometheusAccept = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
)

// HotEndpoints are the hot routes as their clients ask for them: what
// cmd/kforstats' BenchmarkHot serves in its process and the load run of
// make bench (deploy/systemtest) loads over the wire.
func HotEndpoints() []Endpoint {
	return []Endpoint{
		{"/", map[string]string{"Accept-Encoding": BrowserEncodings, "Accept": "text/html"}},
		{"/api/v1/strength", map[string]string{"Accept-Encoding": BrowserEncodings, "Accept": "application/json"}},
		{"/metrics", map[string]string{"Accept-Encoding": "gzip", "Accept": PrometheusAccept}},
	}
}
