package metrics

import "github.com/prometheus/client_golang/prometheus"

// CacheStat is the state of one of the server's response caches, as the
// program that wires the server reads it.
type CacheStat struct {
	Name                                 string
	Entries, Bytes, MaxEntries, MaxBytes int
	Pinned, PinnedBytes                  int
	Hits, Misses                         uint64
}

// cacheCollector reports the caches' state at each scrape.
type cacheCollector struct {
	stats func() []CacheStat
}

var (
	descCacheEntries     = prometheus.NewDesc("kfor_response_cache_entries", "Answers a response cache keeps within its bounds.", []string{"cache"}, nil)
	descCacheBytes       = prometheus.NewDesc("kfor_response_cache_bytes", "Bytes of the answers a response cache keeps within its bounds, compressed forms included.", []string{"cache"}, nil)
	descCacheMaxEntries  = prometheus.NewDesc("kfor_response_cache_max_entries", "Bound on kfor_response_cache_entries.", []string{"cache"}, nil)
	descCacheMaxBytes    = prometheus.NewDesc("kfor_response_cache_max_bytes", "Bound on kfor_response_cache_bytes.", []string{"cache"}, nil)
	descCachePinned      = prometheus.NewDesc("kfor_response_cache_pinned_entries", "Answers kept outside the bounds until the dataset or the day changes: the warm-up's, one per warm route.", []string{"cache"}, nil)
	descCachePinnedBytes = prometheus.NewDesc("kfor_response_cache_pinned_bytes", "Bytes of kfor_response_cache_pinned_entries.", []string{"cache"}, nil)
	descCacheHits        = prometheus.NewDesc("kfor_response_cache_hits_total", "Requests answered without making the answer: from the cache, or with another request's making.", []string{"cache"}, nil)
	descCacheMisses      = prometheus.NewDesc("kfor_response_cache_misses_total", "Requests that made their answer.", []string{"cache"}, nil)
)

// RegisterCaches puts on reg the metrics of the response caches that stats
// reports at each scrape.
func RegisterCaches(reg prometheus.Registerer, stats func() []CacheStat) error {
	return reg.Register(cacheCollector{stats: stats})
}

func (c cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descCacheEntries, descCacheBytes, descCacheMaxEntries, descCacheMaxBytes, descCachePinned, descCachePinnedBytes, descCacheHits, descCacheMisses} {
		ch <- d
	}
}

func (c cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		for d, v := range map[*prometheus.Desc]int{
			descCacheEntries: s.Entries, descCacheBytes: s.Bytes, descCacheMaxEntries: s.MaxEntries,
			descCacheMaxBytes: s.MaxBytes, descCachePinned: s.Pinned, descCachePinnedBytes: s.PinnedBytes,
		} {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), s.Name)
		}
		ch <- prometheus.MustNewConstMetric(descCacheHits, prometheus.CounterValue, float64(s.Hits), s.Name)
		ch <- prometheus.MustNewConstMetric(descCacheMisses, prometheus.CounterValue, float64(s.Misses), s.Name)
	}
}
