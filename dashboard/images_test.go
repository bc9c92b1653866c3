package dashboard

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dashboard/render/rendertest"
	"github.com/kforstats/kforstats/dataset"
)

func TestChartsList(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/charts")
	if w.Code != http.StatusOK {
		t.Fatalf("GET /charts = %d\n%s", w.Code, w.Body)
	}
	got := decode[struct {
		Charts []chartEntry          `json:"charts"`
		Params map[string]param.Spec `json:"params"`
	}](t, w)
	specs := chart.Specs()
	if len(got.Charts) != len(specs) {
		t.Fatalf("GET /charts lists %d charts, want %d", len(got.Charts), len(specs))
	}
	for i, sp := range specs {
		c := got.Charts[i]
		if c.ID != sp.ID || c.Title != sp.Title || c.SVG != "/charts/"+sp.ID+".svg" || c.PNG != "/charts/"+sp.ID+".png" {
			t.Errorf("chart %d = %+v, want id %s, title %q and its image URLs", i, c, sp.ID, sp.Title)
		}
		for _, p := range c.Params {
			if got.Params[p].Doc == "" {
				t.Errorf("chart %s takes %q, which /charts does not document", c.ID, p)
			}
		}
	}
}

// imageServer is a test server that draws chart images.
func imageServer(t *testing.T) *Server {
	t.Helper()
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	s.cfg.Images = imageService(t, images.Config{})
	return s
}

// imageService is a renderer configured by cfg, with a minute per image,
// not the default 20 s: under -race on a busy machine the strength chart
// and the world map each took more.
func imageService(t *testing.T, cfg images.Config) *images.Service {
	t.Helper()
	cfg.Timeout = time.Minute
	im, err := images.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { im.Close() })
	return im
}

// TestChartTooLargeToDraw: a chart whose option would take more memory to
// draw than the renderer's budget (derived from the memory limit) is
// refused with a 400 naming from, which narrows it, never drawn into an
// OOM kill; narrowed, it is drawn. On the page it is left to the script
// while the others are drawn, and the page is kept. The budget here is 24 MB
// (600,000 pixels): the strength chart's option is 90 KB, 27 MB to draw;
// any two of the others fit at once.
func TestChartTooLargeToDraw(t *testing.T) {
	const budget = 600_000
	im := imageService(t, images.Config{PixelBudget: budget, MaxPixels: budget})
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	s.cfg.Images = im
	w := get(t, s, http.MethodGet, "/charts/strength.svg")
	var e struct{ Error, Code, Param string }
	if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Param != "from" || !strings.Contains(e.Error, "narrow the view with from and to") {
		t.Errorf("GET /charts/strength.svg over the budget = %d %s, want 400 naming from", w.Code, w.Body)
	}
	if w := get(t, s, http.MethodGet, "/charts/strength.svg?from=2020"); w.Code != http.StatusOK || !bytes.HasPrefix(w.Body.Bytes(), []byte("<svg")) {
		t.Errorf("GET /charts/strength.svg?from=2020 = %d %.200s, want the SVG", w.Code, w.Body)
	}
	pollView(t, im, "/?theme=dark", func(try, drawn, charts int, scripted, kept bool) bool {
		if drawn > 0 && drawn != charts-1 {
			t.Errorf("the page has %d of %d charts drawn, want all but the strength chart", drawn, charts)
		}
		return drawn > 0 && kept
	})
}

// TestChartImages draws every chart through the routes: SVG that parses
// and holds its title, its provenance and axis labels; PNG that decodes at
// the size asked for.
func TestChartImages(t *testing.T) {
	s := imageServer(t)
	dir := filepath.Join("testdata", "artefacts", "images")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sp := range chart.Specs() {
		t.Run(sp.ID, func(t *testing.T) {
			w := get(t, s, "GET", "/charts/"+sp.ID+".svg?width=800&height=450")
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" {
				t.Fatalf("GET %s.svg = %d %s\n%s", sp.ID, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			svg := w.Body.Bytes()
			os.WriteFile(filepath.Join(dir, sp.ID+".svg"), svg, 0o644)
			text := rendertest.SVGText(t, svg)
			all := strings.Join(text, "\n")
			for _, want := range []string{sp.Title, "Source", "kforstats record ", "CC BY 4.0"} {
				if !strings.Contains(all, want) {
					t.Errorf("SVG has no text %q", want)
				}
			}
			if o, _ := chart.Build(sp.ID, s.data(), chart.View{}); len(o.Maps) > 0 {
				return // a map has no axes
			}
			if labels := axisLabels(text); labels < 2 {
				t.Errorf("SVG has %d text nodes that look like axis labels (numbers or years), want at least 2:\n%s", labels, all)
			}

			w = get(t, s, "GET", "/charts/"+sp.ID+".png?width=600&height=400&scale=2")
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("GET %s.png = %d %s\n%s", sp.ID, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			os.WriteFile(filepath.Join(dir, sp.ID+".png"), w.Body.Bytes(), 0o644)
			img, err := png.Decode(w.Body)
			if err != nil {
				t.Fatalf("PNG does not decode: %v", err)
			}
			if got := img.Bounds().Size(); got.X != 1200 || got.Y != 800 {
				t.Errorf("PNG is %dx%d, want 1200x800 (600x400 at scale 2)", got.X, got.Y)
			}
		})
	}
}

// axisLabels counts text nodes that are numbers or years, as value and
// time axes label their ticks ("4,000", "2010", "-20%").
func axisLabels(text []string) int {
	n := 0
	for _, s := range text {
		s = strings.NewReplacer(",", "", "%", "", "−", "", "-", "", "+", "", "k", "", " ", "").Replace(s)
		if s == "" {
			continue
		}
		if strings.Trim(s, "0123456789.") == "" {
			n++
		}
	}
	return n
}

func TestChartImageErrors(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		target string
		code   int
		param  string
		msg    string
	}{
		"unknown chart":     {"/charts/nope.svg", 404, "", `no chart "nope"`},
		"unknown format":    {"/charts/strength.gif", 404, "", "no such image: strength.gif"},
		"no format":         {"/charts/strength", 404, "", "no such image"},
		"unknown frame":     {"/charts/strength.svg?frame=poster", 400, "frame", `"poster" is not a frame (want image or page)`},
		"huge width":        {"/charts/strength.png?width=100000000", 400, "width", "100000000 is out of range (want 200 to 4000)"},
		"width overflow":    {"/charts/strength.png?width=99999999999999999999", 400, "width", "not a whole number"},
		"negative height":   {"/charts/strength.svg?height=-5", 400, "height", "-5 is out of range (want 150 to 3000)"},
		"malformed height":  {"/charts/strength.svg?height=tall", 400, "height", `"tall" is not a whole number`},
		"scale too big":     {"/charts/strength.png?scale=8", 400, "scale", "8 is out of range (want 1 to 4)"},
		"scale on svg":      {"/charts/strength.svg?scale=2", 400, "scale", "applies to PNG only"},
		"too many pixels":   {"/charts/strength.png?width=4000&height=3000&scale=2", 400, "scale", "4000x3000 at scale 2 is 48000000 pixels (want at most 16777216)"},
		"before any list":   {"/charts/contributions.svg?date=1999-06-13", 404, "date", "no per-nation list on or before 1999-06-13"},
		"from after to":     {"/charts/strength.svg?from=2015&to=2010", 400, "from", "2015 is after to 2010"},
		"year date":         {"/charts/contributions.svg?date=bogus", 400, "date", `"bogus" is not a date (want a date as YYYY-MM-DD, YYYY-MM or YYYY)`},
		"bad theme":         {"/charts/strength.svg?theme=pink", 400, "theme", `"pink" is not a theme (want light or dark)`},
		"bad axis":          {"/charts/strength.png?axis=loglog", 400, "axis", `"loglog" is not an axis scale (want linear or log)`},
		"bad date":          {"/charts/contributions.png?date=yesterday", 400, "date", `"yesterday" is not a date`},
		"from out of range": {"/charts/strength.svg?from=1900-01-01", 400, "from", "1900-01-01 is out of range"},
		"long param":        {"/charts/strength.svg?width=" + strings.Repeat("9", 200), 400, "width", "is 200 characters long"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := get(t, s, "GET", tc.target)
			if w.Code != tc.code {
				t.Fatalf("GET %s = %d, want %d\n%s", tc.target, w.Code, tc.code, w.Body)
			}
			body := decode[map[string]string](t, w)
			if body["param"] != tc.param || !strings.Contains(body["error"], tc.msg) {
				t.Errorf("GET %s = param %q error %q, want param %q and an error with %q", tc.target, body["param"], body["error"], tc.param, tc.msg)
			}
			if strings.Contains(body["error"], "; ignored") || strings.Contains(body["error"], "showing") {
				t.Errorf("GET %s error %q talks of a fallback, but an image is refused", tc.target, body["error"])
			}
		})
	}
}

func TestChartImageRevalidation(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	const target = "/charts/share.svg?theme=dark&width=500&height=300"
	first := get(t, s, "GET", target)
	etag := first.Header().Get("ETag")
	if first.Code != 200 || etag == "" || first.Header().Get("Cache-Control") == "" {
		t.Fatalf("GET %s = %d, ETag %q, Cache-Control %q", target, first.Code, etag, first.Header().Get("Cache-Control"))
	}
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("If-None-Match", etag)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match with its ETag = %d (%d bytes), want 304 and no body", w.Code, w.Body.Len())
	}
	other := get(t, s, "GET", "/charts/share.svg?theme=light&width=500&height=300")
	if other.Header().Get("ETag") == etag {
		t.Errorf("light and dark images share the ETag %s", etag)
	}
	if again := get(t, s, "GET", target); !bytes.Equal(again.Body.Bytes(), first.Body.Bytes()) {
		t.Errorf("the same request drew different bytes")
	}
	r = httptest.NewRequest("GET", target, nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= first.Body.Len()/3 {
		t.Fatalf("SVG with Accept-Encoding gzip: encoding %q, %d bytes for %d plain", w.Header().Get("Content-Encoding"), w.Body.Len(), first.Body.Len())
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, first.Body.Bytes()) {
		t.Errorf("gzipped SVG does not decode to the plain one (%v)", err)
	}
}

// TestImageFailures checks how render failures are answered: overload and
// timeouts are 503 with Retry-After (the render package tests that they
// happen and that its pool survives them).
func TestImageFailures(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		err        error
		code       int
		retryAfter bool
	}{
		"busy":    {render.ErrBusy, 503, true},
		"timeout": {render.ErrTimeout, 503, true},
		"invalid": {&render.SizeError{Param: "width", Msg: "1 is out of range"}, 400, false},
		"bug":     {fmt.Errorf("draw: TypeError"), 500, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", "/charts/strength.png", nil)
			s.imageFailed(c, "strength", "png", tc.err)
			if w.Code != tc.code || (w.Header().Get("Retry-After") != "") != tc.retryAfter {
				t.Errorf("%v answered %d, Retry-After %q; want %d, Retry-After set: %v", tc.err, w.Code, w.Header().Get("Retry-After"), tc.code, tc.retryAfter)
			}
		})
	}
}

// FuzzImageParams: any query either is refused with a 400 naming a
// parameter, or gives sizes within the renderer's bounds; never a panic.
func FuzzImageParams(f *testing.F) {
	for _, q := range []string{"", "width=800&height=600&scale=2", "width=-1", "scale=99999999999999999999", "from=2000&to=1999", "theme=dark&date=2019-06", "width=%00", "height=1e3", "frame=page&width=548", "frame=poster"} {
		f.Add(q)
	}
	_, store := newTestServer(f, dataset.EmbeddedOrigin(), false)
	d := store.Current()
	f.Fuzz(func(t *testing.T, query string) {
		q, _ := url.ParseQuery(query)
		v, err := param.Parse(q, images.Params, param.Strict, d, apiNow)
		if err != nil {
			var e *Error
			if !errors.As(paramError(err), &e) || (e.Code != EInvalid && e.Code != ENotFound) || e.Param == "" {
				t.Fatalf("query %q: error %v, want an EInvalid or ENotFound naming its parameter", query, err)
			}
			return
		}
		for _, x := range []struct {
			name      string
			n, lo, hi int
		}{{"width", v.Width, render.MinWidth, render.MaxWidth}, {"height", v.Height, render.MinHeight, render.MaxHeight}, {"scale", v.Scale, render.MinScale, render.MaxScale}} {
			if x.n != 0 && (x.n < x.lo || x.n > x.hi) {
				t.Fatalf("query %q: %s %d accepted, outside %d..%d", query, x.name, x.n, x.lo, x.hi)
			}
		}
	})
}

// TestChartImageMonths: a chart zoomed to one year labels its time axis
// with the months, in the image's language (ECharts' own locale is
// English only).
func TestChartImageMonths(t *testing.T) {
	s := imageServer(t)
	monthsOf := func(l i18n.Lang) map[string]bool {
		p, out := i18n.NewPrinter(l), map[string]bool{}
		for m := 1; m <= 12; m++ {
			out[p.T("month.abbr."+strconv.Itoa(m))] = true
		}
		return out
	}
	english := monthsOf(i18n.English)
	for _, l := range []i18n.Lang{i18n.English, i18n.Albanian, i18n.Serbian, i18n.SerbianCyrillic} {
		w := get(t, s, "GET", "/charts/strength.svg?from=2010-01&to=2010-12&lang="+l.Code)
		if w.Code != http.StatusOK {
			t.Fatalf("GET strength.svg in %s = %d\n%s", l.Code, w.Code, w.Body)
		}
		own := monthsOf(l)
		var mine, other []string
		for _, s := range rendertest.SVGText(t, w.Body.Bytes()) {
			switch {
			case own[s]:
				mine = append(mine, s)
			case english[s]:
				other = append(other, s)
			}
		}
		if len(mine) < 3 || len(other) > 0 {
			t.Errorf("%s: the time axis names the months %q in the language and %q in English; want at least 3, all in the language", l.Code, mine, other)
		}
	}
}
