package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/render/rendertest"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// testCharts are hand-written options in the shape the dashboard's chart
// builders produce: a line over time with a JS formatter, and bars.
var testCharts = map[string]struct {
	chart  Chart
	labels []string // text the SVG must hold
}{
	"line": {
		chart: Chart{
			Option: `{
  title: {text: 'Force strength'},
  tooltip: {trigger: 'axis'},
  xAxis: {type: 'time'},
  yAxis: {type: 'value', name: 'troops', axisLabel: {formatter: function (v) { return (v / 1000) + 'k'; }}},
  grid: {left: 60, right: 30, top: 60, bottom: 40},
  series: [{type: 'line', name: 'KFOR', showSymbol: true,
    data: [['1999-06-12', 20000], ['2000-01-01', 49000], ['2002-06-01', 35000], ['2005-06-01', 17000],
           ['2009-06-01', 14000], ['2011-03-01', 6500], ['2014-01-01', 4900], ['2023-06-01', 4500], ['2024-03-01', 4700]]}]
}`,
			Width: 800, Height: 400, Footer: "Source: test; kforstats, data as of 2024-03",
		},
		labels: []string{"Force strength", "40k", "Source: test; kforstats, data as of 2024-03"},
	},
	"bar": {
		chart: Chart{
			Option: `{
  legend: {top: 30},
  xAxis: {type: 'value'},
  yAxis: {type: 'category', data: ['Italy', 'United States', 'Türkiye', 'Germany']},
  grid: {left: 100, right: 30, top: 60, bottom: 30},
  series: [{type: 'bar', name: 'troops', data: [1200, 600, 480, 250]}]
}`,
			Width: 640, Height: 360, Theme: "dark", Title: "Contributions at 2024-03-01", Footer: "Source: test",
		},
		labels: []string{"Contributions at 2024-03-01", "United States", "Türkiye", "troops", "1,200"},
	},
	// Media queries keep the components in baseOption; a title placed at
	// the bottom is the option's own source line, so no footer is added:
	// the footer's words take its place.
	"media": {
		chart: Chart{
			Option: `{
  baseOption: {
    title: [{text: 'Change between figures'}, {text: 'Source: own line', bottom: 4, left: 8}],
    toolbox: {show: true, feature: {saveAsImage: {}}},
    xAxis: {type: 'category', data: ['2001', '2002', '2003']},
    yAxis: {type: 'value'},
    series: [{type: 'bar', data: [-3000, 1500, -8000]}]
  },
  media: [{query: {maxWidth: 480}, option: {title: [{textStyle: {fontSize: 14}}]}}]
}`,
			Width: 600, Height: 300, Title: "unused", Footer: "Source: the footer",
		},
		labels: []string{"Change between figures", "Source: the footer", "2002", "-8,000"},
	},
}

func bundle(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("../assets/echarts.min.js")
	if err != nil {
		tb.Fatalf("read the page's ECharts bundle: %v", err)
	}
	return b
}

// artefact keeps an image under testdata/artefacts (not committed) for a
// person to look at.
func artefact(tb testing.TB, name string, b []byte) {
	tb.Helper()
	path := filepath.Join("testdata", "artefacts", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// outlines are the charts' map outlines, by map name, read from the
// page's assets as the image service reads them.
func outlines(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, name := range chart.MapNames() {
		file, _ := chart.MapFile(name)
		b, err := os.ReadFile(filepath.Join("..", "assets", file))
		if err != nil {
			tb.Fatalf("read the map outline %s: %v", file, err)
		}
		out[name] = b
	}
	return out
}

func newRenderer(tb testing.TB, o Options) *Renderer {
	tb.Helper()
	o.ECharts = bundle(tb)
	if o.Maps == nil {
		o.Maps = outlines(tb)
	}
	r, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { r.Close() })
	return r
}

func TestSVG(t *testing.T) {
	r := newRenderer(t, Options{})
	for name, tc := range testCharts {
		t.Run(name, func(t *testing.T) {
			svg, err := r.SVG(context.Background(), tc.chart)
			if err != nil {
				t.Fatal(err)
			}
			artefact(t, name+".svg", svg)
			text := strings.Join(rendertest.SVGText(t, svg), "\n")
			for _, want := range tc.labels {
				if !strings.Contains(text, want) {
					t.Errorf("SVG has no text %q; it has:\n%s", want, text)
				}
			}
			if n := strings.Count(text, "Source:"); n != 1 {
				t.Errorf("SVG has %d source lines, want 1:\n%s", n, text)
			}
			if bytes.Contains(svg, []byte("@keyframes")) {
				t.Errorf("SVG holds CSS animation; exports are drawn with animation off")
			}
		})
	}
}

func TestPNG(t *testing.T) {
	r := newRenderer(t, Options{})
	for name, tc := range testCharts {
		for _, scale := range []int{1, 2} {
			t.Run(name, func(t *testing.T) {
				b, err := r.PNG(context.Background(), tc.chart, scale)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(bytes.NewReader(b))
				if err != nil {
					t.Fatalf("PNG does not decode: %v", err)
				}
				artefact(t, name+"-"+strconv.Itoa(scale)+"x.png", b)
				got := img.Bounds().Size()
				if got.X != tc.chart.Width*scale || got.Y != tc.chart.Height*scale {
					t.Errorf("PNG is %dx%d, want %dx%d", got.X, got.Y, tc.chart.Width*scale, tc.chart.Height*scale)
				}
			})
		}
	}
}

func TestBounds(t *testing.T) {
	r := newRenderer(t, Options{})
	ok := testCharts["bar"].chart
	tests := map[string]struct {
		mod   func(c *Chart)
		scale int
		want  string
	}{
		"narrow":       {func(c *Chart) { c.Width = 10 }, 1, "width 10 is out of range (want 200 to 4000)"},
		"huge width":   {func(c *Chart) { c.Width = 1 << 30 }, 1, "width 1073741824 is out of range"},
		"tall":         {func(c *Chart) { c.Height = 3001 }, 1, "height 3001 is out of range (want 150 to 3000)"},
		"scale":        {func(c *Chart) {}, 5, "scale 5 is out of range (want 1 to 4)"},
		"too many px":  {func(c *Chart) { c.Width, c.Height = 4000, 3000 }, 2, "4000x3000 at scale 2 is 48000000 pixels (want at most 16777216)"},
		"empty option": {func(c *Chart) { c.Option = " " }, 1, "empty option"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			_, err := r.PNG(context.Background(), c, tc.scale)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PNG() error = %v, want ErrInvalid with %q", err, tc.want)
			}
		})
	}
}

// spin is an option whose formatter never returns.
var spin = Chart{Option: `{xAxis: {type: 'category', data: ['a'], axisLabel: {formatter: function () { for (;;) {} }}}, yAxis: {}, series: [{type: 'bar', data: [1]}]}`, Width: 400, Height: 300}

func TestTimeoutFreesInstance(t *testing.T) {
	// Generous enough for a real chart on a fresh runtime under -race.
	r := newRenderer(t, Options{MaxConcurrent: 1, Timeout: 3 * time.Second})
	if err := r.Warm(context.Background()); err != nil { // compiling resvg may take longer than the timeout
		t.Fatal(err)
	}
	for _, format := range []string{"svg", "png"} {
		var err error
		if format == "svg" {
			_, err = r.SVG(context.Background(), spin)
		} else {
			_, err = r.PNG(context.Background(), spin, 1)
		}
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("%s of a chart that never finishes: error = %v, want ErrTimeout", format, err)
		}
		// The one slot and the pool must still work.
		if _, err := r.PNG(context.Background(), testCharts["bar"].chart, 1); err != nil {
			t.Fatalf("PNG after a timed-out %s: %v", format, err)
		}
	}
}

// TestRasterTimeoutFreesInstance stops waiting for resvg at the deadline:
// the caller gets ErrTimeout at once, the slot stays taken until resvg is
// done, then the instance is closed, the slot freed and the pool works on.
func TestRasterTimeoutFreesInstance(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1, Timeout: time.Millisecond})
	if err := r.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	var slow strings.Builder
	slow.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000"><filter id="b"><feGaussianBlur stdDeviation="20"/></filter>`)
	for i := range 10 {
		fmt.Fprintf(&slow, `<circle cx="%d" cy="%d" r="300" fill="#%06x" filter="url(#b)"/>`, i*100, i*100, i*400000)
	}
	slow.WriteString(`</svg>`)
	release, err := r.acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.rasterize(context.Background(), []byte(slow.String()), 1, release); !errors.Is(err, ErrTimeout) {
		t.Fatalf("rasterize past its deadline: error = %v, want ErrTimeout", err)
	}
	for len(r.slots) > 0 { // resvg finishes in the background
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(r.wasm); n != 0 {
		t.Errorf("%d instances in the pool after a timed-out raster, want the timed-out one closed", n)
	}
	r.opts.Timeout = time.Minute
	if _, err := r.PNG(context.Background(), testCharts["bar"].chart, 1); err != nil {
		t.Fatalf("PNG after a timed-out raster: %v", err)
	}
}

func TestBusyRefusesThenRecovers(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1, QueueWait: 20 * time.Millisecond, Timeout: 2 * time.Second})
	if err := r.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var spinErr error
	go func() {
		defer wg.Done()
		_, spinErr = r.SVG(context.Background(), spin)
	}()
	for len(r.slots) == 0 { // until the spinning render holds the one slot
		time.Sleep(time.Millisecond)
	}
	if _, err := r.SVG(context.Background(), testCharts["bar"].chart); !errors.Is(err, ErrBusy) {
		t.Errorf("SVG while the only slot is taken: error = %v, want ErrBusy", err)
	}
	wg.Wait()
	if !errors.Is(spinErr, ErrTimeout) {
		t.Errorf("spinning render: error = %v, want ErrTimeout", spinErr)
	}
	if _, err := r.PNG(context.Background(), testCharts["line"].chart, 1); err != nil {
		t.Fatalf("PNG once the slot is free again: %v", err)
	}
}

func TestCancelledRequestFreesInstance(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := r.SVG(ctx, spin); !errors.Is(err, context.Canceled) {
		t.Fatalf("SVG cancelled mid-render: error = %v, want context.Canceled", err)
	}
	if _, err := r.SVG(context.Background(), testCharts["line"].chart); err != nil {
		t.Fatalf("SVG after a cancelled one: %v", err)
	}
}

func TestBadOption(t *testing.T) {
	r := newRenderer(t, Options{})
	for name, src := range map[string]string{
		"syntax":     `{xAxis: }`,
		"not object": `42`,
		"throws":     `(function () { throw new Error('boom'); })()`,
	} {
		t.Run(name, func(t *testing.T) {
			c := testCharts["bar"].chart
			c.Option = src
			if _, err := r.SVG(context.Background(), c); err == nil || errors.Is(err, ErrTimeout) {
				t.Errorf("SVG(%q) error = %v, want an evaluation error", src, err)
			}
			if _, err := r.SVG(context.Background(), testCharts["bar"].chart); err != nil {
				t.Errorf("SVG after a bad option: %v", err)
			}
		})
	}
}

// TestUnusableCacheDir: a compilation cache that cannot be made (here a
// file stands where the directory would go) costs speed, not images.
func TestUnusableCacheDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, Options{CacheDir: filepath.Join(file, "cache")})
	if _, err := r.PNG(context.Background(), testCharts["bar"].chart, 1); err != nil {
		t.Fatalf("PNG with an unusable cache directory: %v", err)
	}
}

// TestMapUnknown: a chart on a map the renderer has no outline for is
// refused as invalid, naming the map.
func TestMapUnknown(t *testing.T) {
	r := newRenderer(t, Options{})
	_, err := r.SVG(context.Background(), Chart{Option: `{series: []}`, Width: 400, Height: 300, Maps: []string{"mars"}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"mars"`) {
		t.Errorf("SVG on map mars = %v, want ErrInvalid naming it", err)
	}
}

// TestNamedIDs: a chart's SVG names its ids and classes after the chart, so
// that it is the same SVG whichever runtime of the pool drew it (zrender
// counts the charts of its runtime), and two charts in one HTML page never
// share an id.
func TestNamedIDs(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	c := testCharts["bar"].chart
	c.Option = strings.Replace(c.Option, "series: [", "aria: {enabled: true, decal: {show: true}}, series: [", 1)
	c.ID = "share"
	var got [][]byte
	for range 2 {
		svg, err := r.SVG(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, svg)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Errorf("the same chart drawn twice in one runtime gave two SVGs")
	}
	if !bytes.Contains(got[0], []byte(`id="kfor-share-`)) || zrID.Match(got[0]) {
		t.Errorf("SVG ids are not named after the chart: %.300s", got[0])
	}
}

// TestIdleFreesEngines: the engines kept in the pool are freed once no
// render has come for IdleTimeout, and a render after that starts one anew.
func TestIdleFreesEngines(t *testing.T) {
	r := newRenderer(t, Options{IdleTimeout: 50 * time.Millisecond})
	c := testCharts["line"].chart
	if _, err := r.SVG(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n := len(r.js); n != 1 {
		t.Fatalf("after a render the pool holds %d JS runtimes, want 1", n)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(r.js) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(r.js); n != 0 {
		t.Errorf("idle past IdleTimeout, the pool still holds %d JS runtimes", n)
	}
	if _, err := r.SVG(context.Background(), c); err != nil {
		t.Errorf("render after the pool was freed: %v", err)
	}
}

// TestInterruptBeforeMapRegistered: a deadline that strikes before a map
// chart's outline is registered (the drawing barely begun: a view drawn
// for the page under load) stops the drawing with an error. goja raises an
// interrupt as a panic where Go rather than a script touches the runtime,
// and reading echarts.registerMap (a getter of the bundle's exports) from
// Go there took the whole server down.
func TestInterruptBeforeMapRegistered(t *testing.T) {
	p, err := compilePrograms(bundle(t))
	if err != nil {
		t.Fatal(err)
	}
	fonts, err := loadFonts()
	if err != nil {
		t.Fatal(err)
	}
	d := datasettest.Record(t)
	for _, id := range []string{"structure-map", "world-map"} {
		o, err := chart.Build(id, d, chart.View{})
		if err != nil {
			t.Fatal(err)
		}
		rt, err := newJSRuntime(p, fonts)
		if err != nil {
			t.Fatal(err)
		}
		rt.vm.Interrupt(errInterrupted) // the deadline, struck as the drawing begins
		if _, _, err := rt.svg(&Chart{Option: o.JS, Theme: o.Theme, Width: 600, Height: o.Height, Maps: o.Maps}, outlines(t), time.Now().Add(time.Minute)); !errors.Is(err, errInterrupted) {
			t.Errorf("%s interrupted before its map is registered: error %v, want errInterrupted", id, err)
		}
	}
}
