package metrics

import "github.com/prometheus/client_golang/prometheus"

// Register puts on reg everything kforstats exposes about itself: the
// dataset collector reading s at each scrape, and the HTTP metrics, whose
// Observe the server calls after each request.
func Register(reg prometheus.Registerer, s Store, opt Options) (*HTTP, error) {
	if err := reg.Register(NewCollector(s, opt)); err != nil {
		return nil, err
	}
	return NewHTTP(reg)
}
