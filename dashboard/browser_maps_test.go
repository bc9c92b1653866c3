package dashboard

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// countMapSymbols counts, in each map as ECharts drew it, the option's
// data items that have a graphic element: on the structure map the units'
// symbols (its series of place and country names draw no symbol), on the
// world map the nations' regions (ECharts adds every other region of the
// map to a map series' data, without a value: not counted).
const countMapSymbols = `(function () {
  var out = {};
  ['structure-map', 'world-map'].forEach(function (id) {
    var c = echarts.getInstanceByDom(document.getElementById('chart-' + id)), n = 0;
    c.getModel().eachSeries(function (s) {
      if (s.subType === 'scatter' && !(s.get('symbolSize') > 0)) return;
      var data = s.getData();
      for (var i = 0; i < data.count(); i++) {
        var raw = data.getRawDataItem(i);
        if (raw && raw.value !== undefined && data.getItemGraphicEl(i)) n++;
      }
    });
    out[id] = n;
  });
  return out;
})()`

// TestBrowserMaps loads the page in headless Chromium at three dates (KFOR's
// first weeks, the seed's posture of February 2012, today), scrolls to both
// maps and counts what ECharts drew: one symbol per formation in force that
// the record places, one shaded region per nation of the list in force.
// The counts come from the record, not from the test. No request leaves the
// server's host.
func TestBrowserMaps(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	origin, _ := url.Parse(base)
	d := datasettest.Record(t)
	today := time.Now().UTC().Format(time.DateOnly)
	for _, day := range []string{"1999-07-01", "2012-02-15", today} {
		t.Run(day, func(t *testing.T) {
			at := dataset.MustDate(day).Start()
			units := 0
			for _, u := range d.StructureAt(at) {
				if u.Located() {
					units++
				}
			}
			nations := len(chart.ChooseList(d, chart.View{At: at}).List.Entries)
			if units == 0 || nations == 0 {
				t.Fatalf("the record has %d placed formations and %d nations on %s; want some of each to count", units, nations, day)
			}

			var pl pageLog
			ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(pl.listen))
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
			defer cancelT()
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/?date="+day)); err != nil {
				t.Fatalf("loading the page at %s: %v", day, err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](scrollToCharts, chromedp.WithPollingTimeout(40*time.Second))); err != nil {
				t.Fatalf("maps not drawn within 40s of scrolling to them: %v (log: %v)", err, pl.errors)
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]int](countMapSymbols))
			if err != nil {
				t.Fatalf("counting the maps' symbols: %v", err)
			}
			if got["structure-map"] != units || got["world-map"] != nations {
				t.Errorf("at %s the maps drew %d unit symbols and %d nations, want %d and %d (the record's placed formations and the list's nations)",
					day, got["structure-map"], got["world-map"], units, nations)
			}

			pl.mu.Lock()
			defer pl.mu.Unlock()
			for _, e := range pl.errors {
				t.Errorf("browser logged: %s", e)
			}
			for _, r := range offHost(pl.requests, origin.Host) {
				t.Errorf("page requested %s: a host other than the server's own (%s)", r, origin.Host)
			}
		})
	}
}

// offHost returns the requests to a host other than host (data: and blob:
// URLs stay in the page).
func offHost(requests []string, host string) []string {
	var out []string
	for _, r := range requests {
		u, err := url.Parse(r)
		switch {
		case err != nil:
			out = append(out, r)
		case u.Scheme == "data" || u.Scheme == "blob":
		case u.Host != host:
			out = append(out, r)
		}
	}
	return out
}
