package metrics

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kforstats/kforstats/dataset"
)

// Store is what the collector reads at each scrape; *dataset.Store is one.
type Store interface {
	Current() *dataset.Dataset
	Status() dataset.ReloadStatus
}

// Options tune the collector.
type Options struct {
	// Version is the build's version, for kfor_build_info.
	Version string
	// Now picks the per-nation list in force; nil means time.Now. Tests fix it.
	Now func() time.Time
}

// Collector turns the dataset now served into const metrics, made once per
// dataset and day, and the store's reload status into const metrics at
// each scrape.
type Collector struct {
	store Store
	opt   Options

	troops, troopsTime, peak, peakTime, drawdown *prometheus.Desc
	nations, nationsTime, membership, membTime   *prometheus.Desc
	nationTroops, nationTroopsTime, area         *prometheus.Desc

	info, reloadOK, reloadTime, reloads, failures, build *prometheus.Desc

	made atomic.Pointer[datasetMetrics] // the dataset's metrics, last made
}

// NewCollector returns a collector of the figures of s.Current() and of the
// store's reload status.
func NewCollector(s Store, opt Options) *Collector {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	d := func(f family) *prometheus.Desc { return prometheus.NewDesc(f.name, f.help, f.labels, nil) }
	return &Collector{
		store: s, opt: opt,
		troops: d(famTroops), troopsTime: d(famTroopsTime), peak: d(famPeak), peakTime: d(famPeakTime), drawdown: d(famDrawdown),
		nations: d(famNations), nationsTime: d(famNationsTime), membership: d(famMembership), membTime: d(famMembershipTime),
		nationTroops: d(famNationTroops), nationTroopsTime: d(famNationTroopsTime), area: d(famArea),

		info: prometheus.NewDesc("kfor_dataset_info",
			"The dataset now served: the SHA-256 of its files, the newest date it holds and its version (empty for a record without one).", []string{"checksum", "as_of", "version"}, nil),
		reloadOK: prometheus.NewDesc("kfor_dataset_last_reload_successful",
			"Whether the last attempt to load the dataset succeeded (1) or failed and the last good one is still served (0).", nil, nil),
		reloadTime: prometheus.NewDesc("kfor_dataset_last_reload_success_timestamp_seconds",
			"When the dataset now served was loaded, as a Unix time.", nil, nil),
		reloads: prometheus.NewDesc("kfor_dataset_reloads_total",
			"Attempts to load the dataset since start, the first included.", nil, nil),
		failures: prometheus.NewDesc("kfor_dataset_reload_failures_total",
			"Failed attempts to load the dataset since start.", nil, nil),
		build: prometheus.NewDesc("kfor_build_info",
			"The running kforstats build; always 1.", []string{"version", "goversion"}, nil),
	}
}

// Describe sends every descriptor the collector uses.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.troops, c.troopsTime, c.peak, c.peakTime, c.drawdown,
		c.nations, c.nationsTime, c.membership, c.membTime,
		c.nationTroops, c.nationTroopsTime, c.area,
		c.info, c.reloadOK, c.reloadTime, c.reloads, c.failures, c.build,
	} {
		ch <- d
	}
}

// Collect sends the dataset's figures (the same figures as the dashboard's
// headline and /api/v1/summary, from the same Summarize) and the store's
// reload status.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.datasetMetrics(c.store.Current(), c.opt.Now()) {
		ch <- m
	}
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...)
	}
	st := c.store.Status()
	gauge(c.reloadOK, boolFloat(st.LastSuccessful))
	if !st.LastSuccess.IsZero() {
		gauge(c.reloadTime, float64(st.LastSuccess.UnixNano())/1e9)
	}
	ch <- prometheus.MustNewConstMetric(c.reloads, prometheus.CounterValue, float64(st.Successes+st.Failures))
	ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(st.Failures))
	gauge(c.build, 1, c.opt.Version, runtime.Version())
}

// datasetMetrics are the metrics made from one dataset on one UTC day.
type datasetMetrics struct {
	d       *dataset.Dataset
	day     time.Time // midnight UTC
	metrics []prometheus.Metric
}

// datasetMetrics returns the metrics of d at now, made once per dataset
// and UTC day and sent again at later scrapes: const metrics never change,
// and a dataset never changes once loaded. The per-nation list in force
// can only change at midnight UTC, as every date of the record is plotted
// at a midnight UTC. On the 100x record this spares the 540 per-nation
// series at each scrape.
func (c *Collector) datasetMetrics(d *dataset.Dataset, now time.Time) []prometheus.Metric {
	day := now.UTC().Truncate(24 * time.Hour)
	if m := c.made.Load(); m != nil && m.d == d && m.day.Equal(day) {
		return m.metrics
	}
	var ms []prometheus.Metric
	gauge := func(desc *prometheus.Desc, v float64, labels ...string) {
		ms = append(ms, prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, labels...))
	}
	stamp := func(desc *prometheus.Desc, date dataset.Date) { gauge(desc, unix(date)) }

	sm := d.Summarize()
	gauge(c.troops, float64(sm.Latest.Troops))
	stamp(c.troopsTime, sm.Latest.Date)
	gauge(c.peak, float64(sm.Peak.Troops))
	stamp(c.peakTime, sm.Peak.Date)
	gauge(c.drawdown, sm.Drawdown)
	if n := sm.Nations; n != nil {
		gauge(c.nations, float64(n.Nations))
		stamp(c.nationsTime, n.Date)
	}
	if s := sm.Split; s != nil {
		gauge(c.membership, float64(*s.NATO), string(dataset.NATO))
		gauge(c.membership, float64(*s.Partner), string(dataset.Partner))
		stamp(c.membTime, s.Date)
	}
	if ls := d.ListAt(now, true); ls != nil {
		at := ls.Date.Time()
		for _, e := range ls.Entries {
			gauge(c.nationTroops, float64(e.Troops), e.Nation.Code, e.Nation.Name, string(e.Nation.MembershipAt(at)))
		}
		stamp(c.nationTroopsTime, ls.Date)
	}
	if sm.AreaKm2 > 0 {
		gauge(c.area, sm.AreaKm2*squareMetersPerKm2)
	}
	gauge(c.info, 1, d.Checksum, d.AsOf.String(), d.Version)
	// Scrapes at once may each make them; the last one made is kept.
	c.made.Store(&datasetMetrics{d: d, day: day, metrics: ms})
	return ms
}

// unix is the instant a date is plotted at, in Unix seconds.
func unix(d dataset.Date) float64 { return float64(d.Time().Unix()) }

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
