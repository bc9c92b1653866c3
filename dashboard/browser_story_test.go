package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// The browser tests of what a reader sees: each failed on the first
// edition's page (markers, from after to, keys, frames).

// openTab loads url in a new tab of the browser at w×h; the tab ends with
// the test.
func openTab(t *testing.T, bctx context.Context, url string, w, h int64) (context.Context, *pageLog) {
	t.Helper()
	pl := &pageLog{}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(pl.listen))
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelT)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h), chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	return ctx, pl
}

// openPage loads url in a new tab and waits until the page says its
// charts are drawn.
func openPage(t *testing.T, bctx context.Context, url string, w, h int64) (context.Context, *pageLog) {
	t.Helper()
	ctx, pl := openTab(t, bctx, url, w, h)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.getAttribute('data-charts') === 'ready'`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("%s: charts not drawn within 20s: %v (log: %v)", url, err, pl.errors)
	}
	return ctx, pl
}

// viewportShot takes a screenshot of what the tab shows now, as an image
// whose pixels are CSS pixels (the tab's device scale is 1).
func viewportShot(t *testing.T, ctx context.Context) image.Image {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("decoding the screenshot: %v", err)
	}
	return img
}

// rgb is a colour as three 0-255 channels.
type rgb [3]float64

func (c rgb) dist(o rgb) float64 {
	return math.Sqrt((c[0]-o[0])*(c[0]-o[0]) + (c[1]-o[1])*(c[1]-o[1]) + (c[2]-o[2])*(c[2]-o[2]))
}

func (c rgb) String() string { return fmt.Sprintf("rgb(%.0f,%.0f,%.0f)", c[0], c[1], c[2]) }

func pixel(img image.Image, x, y int) rgb {
	r, g, b, _ := img.At(x, y).RGBA()
	return rgb{float64(r >> 8), float64(g >> 8), float64(b >> 8)}
}

// markerPoints reports, for the strength chart's figures series, each
// marker's date and its centre in the viewport, after scrolling the chart
// into view; with the line's colour and the chart's background as drawn
// (ECharts' own visual of the series; the background of the page behind a
// transparent chart).
const markerPoints = `(function () {
  var el = document.getElementById('chart-strength');
  el.scrollIntoView({block: 'center'});
  var c = echarts.getInstanceByDom(el), o = c.getOption(), r = el.getBoundingClientRect();
  var i = o.series.findIndex(function (s) { return s.type === 'line' && s.data.length && s.data[0].tip; });
  var data = c.getModel().getSeriesByIndex(i).getData();
  var line = data.getVisual('style').stroke;
  var bg = o.backgroundColor;
  if (!bg || bg === 'transparent') { bg = getComputedStyle(el).backgroundColor; }
  var pts = o.series[i].data.map(function (d) {
    var p = c.convertToPixel({seriesIndex: i}, d.value);
    return {date: d.value[0], x: r.left + p[0], y: r.top + p[1]};
  });
  var probe = document.createElement('span');
  function css(col) { probe.style.color = col; document.body.appendChild(probe); var v = getComputedStyle(probe).color; probe.remove(); return v; }
  return {line: css(line), bg: css(bg), points: pts, w: innerWidth, h: innerHeight};
})()`

// markers is what markerPoints reports.
type markers struct {
	Line, Bg string
	Points   []point
	W, H     float64
}

// point is a marker's date and its centre in the viewport.
type point struct {
	Date string
	X, Y float64
}

// TestBrowserMarkersFollowTheme: on the strength chart as drawn, an exact
// figure's marker is filled with the line's colour and every other marker
// is hollow (its centre the chart's background), in light and dark theme.
// The first edition's dark page filled the hollow markers white, so that
// they looked filled and the filled ones hollow.
func TestBrowserMarkersFollowTheme(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	conf := map[string]dataset.Confidence{}
	for _, pt := range datasettest.Record(t).Series() {
		conf[pt.Date.ISO()] = pt.Confidence
	}
	for _, theme := range []string{"light", "dark"} {
		t.Run(theme, func(t *testing.T) {
			// From 2012 the figures are tens of pixels apart.
			ctx, _ := openPage(t, bctx, base+"/?from=2012&theme="+theme, 1280, 900)
			got, err := chromedp.Run(ctx, chromedp.Evaluate[markers](markerPoints))
			if err != nil {
				t.Fatal(err)
			}
			line, bg := parseCSSColour(t, got.Line), parseCSSColour(t, got.Bg)
			if line.dist(bg) < 80 {
				t.Fatalf("line %v and background %v too alike to tell markers apart", line, bg)
			}
			img := viewportShot(t, ctx)
			checked := map[bool]int{}
			for i, p := range got.Points {
				if p.X < 2 || p.Y < 2 || p.X > got.W-2 || p.Y > got.H-2 || !isolated(got.Points, i, 16) {
					continue
				}
				c, ok := conf[p.Date]
				if !ok {
					t.Fatalf("marker at %s is no figure of the record", p.Date)
				}
				centre := pixel(img, int(math.Round(p.X)), int(math.Round(p.Y)))
				exact := c == dataset.Exact
				want, other, looks := bg, line, "hollow"
				if exact {
					want, other, looks = line, bg, "filled"
				}
				if centre.dist(want) > centre.dist(other) {
					t.Errorf("%s %s figure of %s: marker centre %v is nearer %v than %v; want it to look %s", theme, c, p.Date, centre, other, want, looks)
				}
				checked[exact]++
			}
			if checked[true] == 0 || checked[false] == 0 {
				t.Errorf("checked %d exact and %d other markers; want some of each", checked[true], checked[false])
			}
		})
	}
}

// isolated reports whether no other point lies within d pixels of point i.
func isolated(pts []point, i int, d float64) bool {
	for j, q := range pts {
		if j != i && math.Hypot(q.X-pts[i].X, q.Y-pts[i].Y) < d {
			return false
		}
	}
	return true
}

// parseCSSColour reads the rgb() or rgba() a browser computes.
func parseCSSColour(t *testing.T, s string) rgb {
	t.Helper()
	var c rgb
	inner := strings.TrimSuffix(s[strings.Index(s, "(")+1:], ")")
	parts := strings.Split(inner, ",")
	if len(parts) < 3 {
		t.Fatalf("colour %q is not rgb()", s)
	}
	for i := range 3 {
		if _, err := fmt.Sscan(strings.TrimSpace(parts[i]), &c[i]); err != nil {
			t.Fatalf("colour %q: %v", s, err)
		}
	}
	return c
}

// TestBrowserFromAfterTo: an address whose from is after its to shows the
// two years between them, whole, and says so once: the first edition drew
// 2010-12-31 to 2015-01-01 under a notice that contradicted it.
func TestBrowserFromAfterTo(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	ctx, _ := openPage(t, bctx, base+"/?from=2015&to=2010", 1280, 900)
	type window struct {
		Notice, From, To string
		Extent           []float64
		First, Last      string
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[window](`(function () {
  var c = echarts.getInstanceByDom(document.getElementById('chart-strength'));
  var ext = c.getModel().getComponent('xAxis', 0).axis.scale.getExtent();
  var rows = document.querySelector('#strength table').querySelectorAll('tbody tr th');
  var f = document.querySelector('form.controls');
  return {notice: (document.querySelector('.notice') || {}).textContent || '', from: f.elements.from.value, to: f.elements.to.value,
    extent: ext, first: rows.length ? rows[0].textContent : '', last: rows.length ? rows[rows.length - 1].textContent : ''};
})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Notice, "showing 2010 to 2015") || strings.Contains(got.Notice, "2010-12-31") {
		t.Errorf("notice = %q; want it to say it shows 2010 to 2015", got.Notice)
	}
	if got.From != "2010-01-01" || got.To != "2015-12-31" {
		t.Errorf("form shows %s to %s; want 2010-01-01 to 2015-12-31", got.From, got.To)
	}
	day := func(ms float64) string { return time.UnixMilli(int64(ms)).UTC().Format(time.DateOnly) }
	if len(got.Extent) != 2 || day(got.Extent[0]) > "2010-01-01" || day(got.Extent[0]) < "2009-12-01" ||
		day(got.Extent[1]) < "2015-12-30" || day(got.Extent[1]) > "2016-02-01" {
		var e []string
		for _, v := range got.Extent {
			e = append(e, day(v))
		}
		t.Errorf("strength chart's time axis spans %v; want 2010-01-01 to 2015-12-31", e)
	}
	if !strings.HasPrefix(got.First, "2010") || !strings.HasPrefix(got.Last, "2015") {
		t.Errorf("strength table runs %q to %q; want the figures of 2010 to 2015", got.First, got.Last)
	}
}

// everyBarKeyed reports, for every chart with bars, each bar colour as
// drawn (ECharts' own visual of each item) that no legend entry shown on
// the chart explains: a legend entry names a series and shows its colour.
const everyBarKeyed = `Array.from(document.querySelectorAll('.chart')).map(function (el) {
  var c = echarts.getInstanceByDom(el); if (!c) { return null; }
  var m = c.getModel(), legend = m.getComponent('legend'), keyed = {}, bars = 0, unkeyed = [];
  var shown = legend && legend.get('show') !== false ? legend.getData().map(function (d) { return d.get('name'); }) : [];
  m.eachSeries(function (s) {
    if (shown.indexOf(s.name) >= 0) { var st = s.getData().getVisual('style'); keyed[st.fill] = s.name; }
  });
  m.eachSeries(function (s) {
    if (s.type !== 'series.bar') { return; }
    var data = s.getData();
    data.each(function (i) {
      bars++;
      var f = data.getItemVisual(i, 'style').fill;
      if (!keyed[f] && unkeyed.indexOf(f) < 0) { unkeyed.push(f); }
    });
  });
  return {id: el.getAttribute('data-chart'), bars: bars, unkeyed: unkeyed, legend: shown};
}).filter(function (r) { return r && r.bars > 0; })`

// TestBrowserKeysEveryColour: on every chart that draws bars, each colour a
// bar is drawn in is explained by a legend entry on the chart. The first
// edition's "Change per year" keyed its orange but not its green, and
// "Change between figures" had no key at all.
func TestBrowserKeysEveryColour(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	for _, theme := range []string{"light", "dark"} {
		ctx, _ := openPage(t, bctx, base+"/?theme="+theme, 1280, 900)
		type keys struct {
			ID      string
			Bars    int
			Unkeyed []string
			Legend  []string
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]keys](everyBarKeyed))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range got {
			seen[c.ID] = true
			if len(c.Unkeyed) > 0 {
				t.Errorf("%s: chart %s draws bars in %v, which no legend entry explains (legend: %v)", theme, c.ID, c.Unkeyed, c.Legend)
			}
		}
		for _, id := range []string{"reductions", "changes"} {
			if !seen[id] {
				t.Errorf("%s: chart %s draws no bars (charts with bars: %v)", theme, id, got)
			}
		}
	}
}

// TestBrowserEmbed: /embed/{chart} draws its chart alone with its footer
// and a link to the whole record; a page of another origin can frame it
// (by default anybody may, as the README says), unless
// --web.embed-frame-ancestors names other sites; the browser refuses to
// frame the page itself.
func TestBrowserEmbed(t *testing.T) {
	bctx := newBrowser(t)
	// The site that embeds: its own origin, one page with the frame.
	host, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hostURL := "http://" + host.Addr().String()
	var embedURL string
	hs := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><body style="margin:0;background:#fff"><iframe src="%s" width="800" height="520" style="border:0"></iframe></body>`, embedURL)
	})}
	go func() { _ = hs.Serve(host) }()
	t.Cleanup(func() { _ = hs.Close() })

	for _, tc := range []struct {
		name      string
		ancestors string
		path      string
		framed    bool
	}{
		{"embed by default", "", "/embed/changes?from=2009&to=2014", true},
		{"embed for this site", hostURL, "/embed/changes?from=2009&to=2014", true},
		{"embed for other sites", "https://news.example", "/embed/changes?from=2009&to=2014", false},
		{"page", "", "/?from=2009&to=2014", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, _ := serveLoopbackWith(t, Config{EmbedFrameAncestors: tc.ancestors})
			embedURL = base + tc.path
			if !strings.HasPrefix(tc.path, "/embed/") {
				checkFramed(t, bctx, hostURL, tc.framed)
				return
			}

			// Alone: the chart drawn with its bars, the footer naming the
			// record's edition and sources, a link to the whole page.
			ctx, pl := openPage(t, bctx, embedURL, 800, 520)
			type embed struct {
				Bars   int
				Footer string
				Link   string
			}
			alone, err := chromedp.Run(ctx, chromedp.Evaluate[embed](`(function () {
  var c = echarts.getInstanceByDom(document.querySelector('.chart')), n = 0;
  c.getModel().eachSeries(function (s) { if (s.type === 'series.bar') { n += s.getData().count(); } });
  var a = document.querySelector('.desc a');
  return {bars: n, footer: document.querySelector('.desc').textContent, link: a ? a.href : ''};
})()`))
			if err != nil {
				t.Fatal(err)
			}
			if alone.Bars == 0 || !strings.Contains(alone.Footer, "kforstats") || !strings.HasPrefix(alone.Link, base+"/") {
				t.Errorf("embed alone: %d bars, footer %q, link %q; want bars, a footer naming kforstats, a link to the page", alone.Bars, alone.Footer, alone.Link)
			}
			if len(pl.errors) > 0 {
				t.Errorf("embed logged: %v", pl.errors)
			}

			checkFramed(t, bctx, hostURL, tc.framed)
		})
	}
}

// checkFramed loads the framing site's page and checks that its frame
// showed the drawn chart, or that the browser refused it (the frame then
// holds Chromium's error page, the address it refused as unreachable).
func checkFramed(t *testing.T, bctx context.Context, hostURL string, framed bool) {
	t.Helper()
	ctx, fl := openFramed(t, bctx, hostURL+"/")
	res, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
	if err != nil || res.FrameTree == nil || len(res.FrameTree.ChildFrames) != 1 {
		t.Fatalf("frame tree %v (%v); want the page and its one frame", res.FrameTree, err)
	}
	refused := res.FrameTree.ChildFrames[0].Frame.UnreachableURL != ""
	colours := distinctColours(viewportShot(t, ctx), image.Rect(0, 0, 800, 520))
	if framed && (refused || colours < 16) {
		t.Errorf("frame refused %v, %d colours in it (log %v); want the chart drawn in it", refused, colours, fl.errors)
	}
	if !framed && !refused {
		t.Errorf("the browser showed the frame (%d colours); want it refused", colours)
	}
}

// openFramed loads a page whose chart is in a frame of another origin,
// which the page cannot watch: it gives the frame two seconds to draw.
func openFramed(t *testing.T, bctx context.Context, url string) (context.Context, *pageLog) {
	t.Helper()
	ctx, pl := openTab(t, bctx, url, 800, 520)
	if err := chromedp.Do(ctx, chromedp.Sleep(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	return ctx, pl
}

// distinctColours counts the colours in r, up to 64, sampling every third
// pixel: a drawn chart has dozens, an error page a handful.
func distinctColours(img image.Image, r image.Rectangle) int {
	seen := map[rgb]bool{}
	for y := r.Min.Y; y < r.Max.Y && y < img.Bounds().Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X && x < img.Bounds().Max.X; x += 3 {
			seen[pixel(img, x, y)] = true
			if len(seen) >= 64 {
				return len(seen)
			}
		}
	}
	return len(seen)
}
