// Package metrics exposes the record to Prometheus: a collector that reads
// the current dataset at every scrape, the instrumentation of the HTTP
// server, and the whole history as OpenMetrics text with timestamps, ready
// for promtool's backfill.
//
// The collector builds const metrics from store.Current() when it is
// scraped (once per dataset and day): nothing is set at start-up, and a
// reload shows at the next scrape. It is registered on a registry the program passes in, never the
// global one. The history uses the same metric names, so that one Grafana
// query draws the backfilled past and the scraped present as one line.
//
// The package depends on dataset only.
package metrics
