package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestCacheCollector(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := RegisterCaches(reg, func() []CacheStat {
		return []CacheStat{{Name: "images", Entries: 3, Bytes: 4096, MaxEntries: 512, MaxBytes: 1 << 25, Pinned: 1, PinnedBytes: 10, Hits: 7, Misses: 2}}
	}); err != nil {
		t.Fatal(err)
	}
	want := `# HELP kfor_response_cache_bytes Bytes of the answers a response cache keeps within its bounds, compressed forms included.
# TYPE kfor_response_cache_bytes gauge
kfor_response_cache_bytes{cache="images"} 4096
# HELP kfor_response_cache_entries Answers a response cache keeps within its bounds.
# TYPE kfor_response_cache_entries gauge
kfor_response_cache_entries{cache="images"} 3
# HELP kfor_response_cache_hits_total Requests answered without making the answer: from the cache, or with another request's making.
# TYPE kfor_response_cache_hits_total counter
kfor_response_cache_hits_total{cache="images"} 7
# HELP kfor_response_cache_max_bytes Bound on kfor_response_cache_bytes.
# TYPE kfor_response_cache_max_bytes gauge
kfor_response_cache_max_bytes{cache="images"} 3.3554432e+07
# HELP kfor_response_cache_max_entries Bound on kfor_response_cache_entries.
# TYPE kfor_response_cache_max_entries gauge
kfor_response_cache_max_entries{cache="images"} 512
# HELP kfor_response_cache_misses_total Requests that made their answer.
# TYPE kfor_response_cache_misses_total counter
kfor_response_cache_misses_total{cache="images"} 2
# HELP kfor_response_cache_pinned_bytes Bytes of kfor_response_cache_pinned_entries.
# TYPE kfor_response_cache_pinned_bytes gauge
kfor_response_cache_pinned_bytes{cache="images"} 10
# HELP kfor_response_cache_pinned_entries Answers kept outside the bounds until the dataset or the day changes: the warm-up's, one per warm route.
# TYPE kfor_response_cache_pinned_entries gauge
kfor_response_cache_pinned_entries{cache="images"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}
