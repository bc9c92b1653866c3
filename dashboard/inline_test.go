package dashboard

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// inlineSVG finds each chart's box and the server's SVG in it.
var inlineSVG = regexp.MustCompile(`(?s)<div class="chart" id="chart-[^"]+" data-chart="([^"]+)"[^>]*>(<svg.*?</svg>)?</div>`)

// pageSVGs returns the SVG the page holds for each chart ("" for a chart
// left to the script), and the charts in the page's order.
func pageSVGs(tb testing.TB, body string) (map[string]string, []string) {
	tb.Helper()
	svgs := map[string]string{}
	var ids []string
	for _, m := range inlineSVG.FindAllStringSubmatch(body, -1) {
		svgs[m[1]] = m[2]
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		tb.Fatalf("the page has no chart boxes")
	}
	return svgs, ids
}

// TestInlineEqualsChartImage: the default view's page, made at load, holds
// every chart as the very SVG /charts/{id}.svg draws of it framed as the
// page (frame=page, at the chart's width and height on the page).
func TestInlineEqualsChartImage(t *testing.T) {
	store := datasettest.Store(t)
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow }, InlineCharts: true})
	waitCached(t, s, store.Current().Checksum, "/")
	page := get(t, s, http.MethodGet, "/")
	if page.Code != http.StatusOK {
		t.Fatalf("GET / = %d", page.Code)
	}
	svgs, ids := pageSVGs(t, page.Body.String())
	opts, err := chart.BuildAll(store.Current(), param.Defaults().View)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(opts) {
		t.Fatalf("the page has %d charts %v, the view %d", len(ids), ids, len(opts))
	}
	for _, o := range opts {
		img := pageImage(o, param.Defaults().View)
		target := "/charts/" + o.ID + ".svg?" + pageImageQuery(img)
		want := get(t, s, http.MethodGet, target)
		if want.Code != http.StatusOK {
			t.Errorf("GET %s = %d", target, want.Code)
			continue
		}
		if got := svgs[o.ID]; got != want.Body.String() {
			t.Errorf("chart %s: the page's SVG (%d bytes) is not %s (%d bytes)", o.ID, len(got), target, want.Body.Len())
		}
	}
	// Inline SVG is not script: the page's CSP (script-src 'self') holds.
	for _, id := range ids {
		if m := regexp.MustCompile(`(?i)<script|\son[a-z]+=|javascript:`).FindString(svgs[id]); m != "" {
			t.Errorf("chart %s: the page's SVG holds %q", id, m)
		}
	}
	if !regexp.MustCompile(`<noscript><p class="noscript">The charts below are drawn by the server`).MatchString(page.Body.String()) {
		t.Errorf("the page does not say in <noscript> what its script adds")
	}
}

// pollView asks for view, inline charts on, with the image service im
// (nil: the default), until done says so, for 60 s at most. done gets each
// answer: its charts drawn, of how many, whether ECharts is loaded with
// the page (charts left to it), and whether a page of a view is kept.
func pollView(t *testing.T, im *images.Service, view string, done func(try, drawn, charts int, scripted, kept bool) bool) {
	t.Helper()
	store := datasettest.Store(t)
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow }, InlineCharts: true, Images: im})
	waitCached(t, s, store.Current().Checksum, "/")
	deadline := time.Now().Add(60 * time.Second)
	for try := 1; ; try++ {
		w := get(t, s, http.MethodGet, view)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s (try %d) = %d, want 200 whether or not its charts are drawn", view, try, w.Code)
		}
		svgs, ids := pageSVGs(t, w.Body.String())
		drawn := 0
		for _, id := range ids {
			if svgs[id] != "" {
				drawn++
			}
		}
		kept := false
		_, keys := cachedKeys(s)
		for k := range keys {
			kept = kept || strings.HasPrefix(k, "/\x00") // the page of a view (the cache's key: path, NUL, the view's values)
		}
		if done(try, drawn, len(ids), !strings.Contains(w.Body.String(), ` data-echarts="`), kept) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d requests over 60 s, %s has %d of %d charts drawn, kept %v", try, view, drawn, len(ids), kept)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestInlineBound: a view whose charts are not drawn yet is answered at
// once (never an error), its charts left to the script, and not kept; its
// charts are drawn in the background, and a later request gets them all.
func TestInlineBound(t *testing.T) {
	pollView(t, nil, "/?theme=dark&from=2005", func(try, drawn, charts int, scripted, kept bool) bool {
		complete := drawn == charts
		if complete == scripted {
			t.Errorf("try %d: %d of %d charts drawn, and ECharts loaded with the page %v: want it loaded with the page only when charts are left to it", try, drawn, charts, scripted)
		}
		if !complete && kept {
			t.Errorf("try %d: the page with %d of %d charts drawn was kept", try, drawn, charts)
		}
		return complete
	})
}

// TestInlineFailedKept: a view whose charts cannot be drawn in their time
// bound (as the maps of a record a hundred times the real one) is answered
// with its charts left to the script, and that page is kept once the
// drawing has given up: the load run measured 32 pages a second at the
// 100x record, each made anew while the server redrew the view's charts
// for every request, none ever kept.
func TestInlineFailedKept(t *testing.T) {
	im, err := images.New(images.Config{Timeout: time.Microsecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { im.Close() })
	pollView(t, im, "/?theme=dark&from=2005", func(try, drawn, charts int, scripted, kept bool) bool {
		if drawn > 0 {
			t.Fatalf("%d charts drawn in a microsecond", drawn)
		}
		if !scripted {
			t.Errorf("try %d: no chart is drawn, yet ECharts waits for the first paint", try)
		}
		return kept
	})
}
