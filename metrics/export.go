package metrics

import (
	"io"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// History writes the record d as OpenMetrics with timestamps, a sample a
// day up to now's day: what GET /api/v1/history.om serves for Prometheus'
// backfill. It fits dashboard.Config's History; the server caches,
// compresses and tags the answer as it does every other.
func History(w io.Writer, d *dataset.Dataset, now time.Time) error {
	return WriteHistory(w, d, HistoryOptions{Step: DefaultStep, End: now.UTC().Truncate(DefaultStep)})
}
