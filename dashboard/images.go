package dashboard

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
)

// Image sizes when a request names none: the page's chart at a usual
// desktop width; the height is the one the chart asks for on the page.
const (
	DefaultImageWidth  = 1000
	DefaultImageHeight = 480
	DefaultImageScale  = 2
)

// ImageConfig configures the chart image renderer; zero values take the
// defaults of render.Options.
type ImageConfig struct {
	MaxConcurrent int           // renders at a time
	QueueWait     time.Duration // wait for a free renderer before 503
	Timeout       time.Duration // bound on one render
	CacheDir      string        // on-disk cache of resvg's compiled code
}

// Images draws the dashboard's charts as SVG and PNG, with the same options
// the page draws: it serves /charts and `kforstats export charts`.
type Images struct {
	r *render.Renderer
}

// NewImages returns an Images drawing with the ECharts bundle the page
// serves. Engines start on first use or on Warm.
func NewImages(cfg ImageConfig) (*Images, error) {
	bundle, err := assetFS.ReadFile("assets/echarts.min.js")
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	r, err := render.New(render.Options{
		ECharts:       bundle,
		MaxConcurrent: cfg.MaxConcurrent,
		QueueWait:     cfg.QueueWait,
		Timeout:       cfg.Timeout,
		CacheDir:      cfg.CacheDir,
	})
	if err != nil {
		return nil, err
	}
	return &Images{r: r}, nil
}

// Warm starts the engines so that the first request does not wait for them.
func (im *Images) Warm(ctx context.Context) error { return im.r.Warm(ctx) }

// Close frees the engines.
func (im *Images) Close() error { return im.r.Close() }

// Image is one chart image to draw.
type Image struct {
	ID     string
	Format string // "svg" or "png"
	View   chart.View
	// Width and Height in CSS pixels; 0 takes DefaultImageWidth and the
	// chart's own height. Scale is the PNG's pixel ratio; 0 takes
	// DefaultImageScale.
	Width, Height, Scale int
}

// fill applies the defaults, given the chart's option.
func (img *Image) fill(o *chart.Option) {
	if img.Width == 0 {
		img.Width = DefaultImageWidth
	}
	if img.Height == 0 {
		img.Height = o.Height
		if img.Height == 0 {
			img.Height = DefaultImageHeight
		}
	}
	if img.Scale == 0 && img.Format == "png" {
		img.Scale = DefaultImageScale
	}
}

// Draw draws one chart from d. An unknown chart is a chart.ErrUnknown;
// bounds are render.ErrInvalid; an overloaded or stuck renderer is
// render.ErrBusy or render.ErrTimeout.
func (im *Images) Draw(ctx context.Context, d *dataset.Dataset, img Image) ([]byte, error) {
	o, err := chart.Build(img.ID, d, img.View)
	if err != nil {
		return nil, err
	}
	img.fill(&o)
	c := render.Chart{
		Option: o.JS, Theme: o.Theme, Width: img.Width, Height: img.Height,
		Title: o.Title, Footer: footer(d, o.Sources),
	}
	switch img.Format {
	case "svg":
		return im.r.SVG(ctx, c)
	case "png":
		return im.r.PNG(ctx, c, img.Scale)
	}
	return nil, fmt.Errorf("%w: format %q (want svg or png)", render.ErrInvalid, img.Format)
}

// footer is the provenance line an image carries when its option has none
// of its own, so that it stands on its own when pasted: "Source: NATO,
// KFOR and 12 others; kforstats, data as of 2026-03-03".
func footer(d *dataset.Dataset, srcs []*dataset.Source) string {
	count := map[string]int{}
	var names []string
	for _, s := range srcs {
		if s == nil {
			continue
		}
		if count[s.Publisher] == 0 {
			names = append(names, s.Publisher)
		}
		count[s.Publisher]++
	}
	sort.SliceStable(names, func(i, j int) bool { return count[names[i]] > count[names[j]] })
	credit := "kforstats, data as of " + d.AsOf.String()
	switch {
	case len(names) == 0:
		return "Source: " + credit
	case len(names) > 2:
		return fmt.Sprintf("Source: %s, %s and %d others; %s", names[0], names[1], len(names)-2, credit)
	}
	return "Source: " + strings.Join(names, " and ") + "; " + credit
}

// imageParams documents every query parameter of the image routes, as
// GET /charts lists them.
var imageParams = map[string]paramDoc{
	"from":   {Doc: "first day shown: YYYY-MM-DD, YYYY-MM or YYYY (charts over time)"},
	"to":     {Doc: "last day shown: YYYY-MM-DD, YYYY-MM or YYYY (charts over time)"},
	"date":   {Doc: "the chosen date of the per-nation charts: YYYY-MM-DD, YYYY-MM or YYYY"},
	"theme":  {Doc: "light (default) or dark"},
	"width":  {Doc: "width in CSS pixels", Default: DefaultImageWidth, Min: render.MinWidth, Max: render.MaxWidth},
	"height": {Doc: "height in CSS pixels (default: the chart's height on the page)", Min: render.MinHeight, Max: render.MaxHeight},
	"scale":  {Doc: fmt.Sprintf("PNG only: pixel ratio; the PNG has width*scale by height*scale pixels, at most %d", render.MaxPixels), Default: DefaultImageScale, Min: render.MinScale, Max: render.MaxScale},
}

type paramDoc struct {
	Doc     string `json:"doc"`
	Default int    `json:"default,omitempty"`
	Min     int    `json:"min,omitempty"`
	Max     int    `json:"max,omitempty"`
}

type chartEntry struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Params      []string `json:"params"`
	SVG         string   `json:"svg"`
	PNG         string   `json:"png"`
}

// handleCharts lists every chart with its image URLs and parameters.
func (s *Server) handleCharts() gin.HandlerFunc {
	return func(c *gin.Context) {
		specs := chart.Specs()
		list := make([]chartEntry, 0, len(specs))
		for _, sp := range specs {
			list = append(list, chartEntry{
				ID: sp.ID, Title: sp.Title, Description: sp.Description,
				Params: append(sp.Params, "width", "height", "scale"),
				SVG:    "/charts/" + sp.ID + ".svg", PNG: "/charts/" + sp.ID + ".png",
			})
		}
		c.JSON(http.StatusOK, gin.H{"charts": list, "params": imageParams})
	}
}

// handleChartImage serves /charts/{id}.svg and /charts/{id}.png.
func (s *Server) handleChartImage() gin.HandlerFunc {
	return func(c *gin.Context) {
		file := c.Param("file")
		id, format, ok := strings.Cut(file, ".")
		if !ok || (format != "svg" && format != "png") {
			fail(c, Errorf(ENotFound, "", "no such image: %s (want /charts/ID.svg or /charts/ID.png)", file))
			return
		}
		if !knownChart(id) {
			fail(c, Errorf(ENotFound, "", "no chart %q: GET /charts lists them", id))
			return
		}
		d := s.data()
		img, err := s.imageRequest(c, d, id, format)
		if err != nil {
			fail(c, err)
			return
		}
		etag := imageETag(d, img)
		c.Header("ETag", etag)
		c.Header("Cache-Control", "public, max-age=300")
		if format == "svg" {
			c.Header("Vary", "Accept-Encoding")
		}
		if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, etag) {
			c.Status(http.StatusNotModified)
			return
		}
		body, ok := s.img.cache.get(etag)
		if !ok {
			im, err := s.images()
			if err != nil {
				s.cfg.Log.Error("chart images unavailable", "err", err)
				fail(c, Errorf(EInternal, "", "chart images are unavailable"))
				return
			}
			body, err = im.Draw(c.Request.Context(), d, img)
			if err != nil {
				s.imageFailed(c, id, format, err)
				return
			}
			s.img.cache.put(etag, body)
		}
		ctype := "image/svg+xml"
		if format == "png" {
			ctype = "image/png"
		}
		c.Header("Content-Disposition", fmt.Sprintf("inline; filename=%q", "kforstats-"+id+"."+format))
		if format == "svg" && acceptsGzip(c.GetHeader("Accept-Encoding")) {
			// SVG is text and shrinks five- to tenfold; PNG is compressed.
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			if _, err := zw.Write(body); err == nil && zw.Close() == nil {
				c.Header("Content-Encoding", "gzip")
				body = buf.Bytes()
			}
		}
		c.Data(http.StatusOK, ctype, body)
	}
}

// acceptsGzip reports whether an Accept-Encoding header takes gzip (and
// does not refuse it with q=0).
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(name) != "gzip" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func knownChart(id string) bool {
	for _, sp := range chart.Specs() {
		if sp.ID == id {
			return true
		}
	}
	return false
}

// imageFailed answers a failed render.
func (s *Server) imageFailed(c *gin.Context, id, format string, err error) {
	switch {
	case errors.Is(err, render.ErrBusy):
		c.Header("Retry-After", "2")
		fail(c, Errorf(EUnavailable, "", "every chart renderer is busy; try again in a few seconds"))
	case errors.Is(err, render.ErrTimeout):
		c.Header("Retry-After", "5")
		s.cfg.Log.Warn("chart image timed out", "chart", id, "format", format)
		fail(c, Errorf(EUnavailable, "", "drawing the chart took too long; try again later"))
	case errors.Is(err, render.ErrInvalid):
		fail(c, Errorf(EInvalid, "", "%s", strings.TrimPrefix(err.Error(), render.ErrInvalid.Error()+": ")))
	case errors.Is(err, context.Canceled):
		c.Abort() // the client left
	default:
		s.cfg.Log.Error("chart image failed", "chart", id, "format", format, "err", err)
		fail(c, Errorf(EInternal, "", "drawing the chart failed"))
	}
}

// imageRequest reads and checks the view and size parameters: anything
// malformed or out of range is a 400 naming the parameter, before any
// drawing (and so before any allocation that the size would drive).
func (s *Server) imageRequest(c *gin.Context, d *dataset.Dataset, id, format string) (Image, error) {
	img := Image{ID: id, Format: format}
	view, notices := s.view(c, d)
	if len(notices) > 0 {
		n := notices[0]
		return img, Errorf(EInvalid, n.Param, "%s", strictNotice(n.Msg))
	}
	img.View = view
	var err error
	if img.Width, err = intParam(c, "width", render.MinWidth, render.MaxWidth); err != nil {
		return img, err
	}
	if img.Height, err = intParam(c, "height", render.MinHeight, render.MaxHeight); err != nil {
		return img, err
	}
	if _, given := c.GetQuery("scale"); given && format == "svg" {
		return img, Errorf(EInvalid, "scale", "applies to PNG only (an SVG scales by itself)")
	}
	if img.Scale, err = intParam(c, "scale", render.MinScale, render.MaxScale); err != nil {
		return img, err
	}
	// The pixel count is checked once the chart's height is known (Draw).
	return img, nil
}

// strictNotice turns the page's fall-back notice ("...; ignored", "...;
// showing light") into an error message: an image is not drawn from a
// guess.
func strictNotice(msg string) string {
	if i := strings.LastIndex(msg, "; "); i > 0 {
		tail := msg[i+2:]
		if strings.HasPrefix(tail, "ignored") || strings.HasPrefix(tail, "showing") {
			return msg[:i]
		}
	}
	return msg
}

// intParam reads an integer parameter within [lo, hi]; absent, it is 0.
func intParam(c *gin.Context, name string, lo, hi int) (int, error) {
	v, ok := c.GetQuery(name)
	if !ok {
		return 0, nil
	}
	if len(v) > maxParamLen {
		return 0, Errorf(EInvalid, name, "is %d characters long (want a whole number from %d to %d)", len(v), lo, hi)
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, Errorf(EInvalid, name, "%q is not a whole number (want %d to %d)", v, lo, hi)
	}
	if n < lo || n > hi {
		return 0, Errorf(EInvalid, name, "%d is out of range (want %d to %d)", n, lo, hi)
	}
	return n, nil
}

// imageETag names an image by everything it is drawn from: the dataset,
// the chart, the view, the size and the build (whose ECharts bundle and
// fonts are fixed).
func imageETag(d *dataset.Dataset, img Image) string {
	q := img.View.Query()
	q.Set("w", strconv.Itoa(img.Width))
	q.Set("h", strconv.Itoa(img.Height))
	q.Set("s", strconv.Itoa(img.Scale))
	sum := sha256.Sum256([]byte(strings.Join([]string{d.Checksum, imageBuild(), img.ID, img.Format, q.Encode()}, "\n")))
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// imageBuild identifies the drawing code: the ECharts bundle's hash.
var imageBuild = sync.OnceValue(func() string {
	a := staticAssets().bySource["echarts.min.js"]
	if a == nil {
		return ""
	}
	return a.name
})

// imageState is the Server's part in drawing images.
type imageState struct {
	once  sync.Once
	im    *Images
	err   error
	cache imageCache
}

// images returns the Server's renderer, made on first use unless the
// Config gave one.
func (s *Server) images() (*Images, error) {
	s.img.once.Do(func() {
		if s.cfg.Images != nil {
			s.img.im = s.cfg.Images
			return
		}
		s.img.im, s.img.err = NewImages(ImageConfig{})
	})
	return s.img.im, s.img.err
}

// imageCache keeps recent images, bounded in bytes: a chart pasted into a
// briefing is fetched again and again, and drawing one costs 0.1-0.3 s.
// Keys are ETags, which name the dataset, so a reload needs no flush.
type imageCache struct {
	mu      sync.Mutex
	entries map[string][]byte
	order   []string
	size    int
}

// imageCacheBytes bounds the cache: some 100 PNGs of a typical chart.
const imageCacheBytes = 32 << 20

func (ic *imageCache) get(key string) ([]byte, bool) {
	ic.mu.Lock()
	defer ic.mu.Unlock()
	b, ok := ic.entries[key]
	return b, ok
}

func (ic *imageCache) put(key string, b []byte) {
	if len(b) > imageCacheBytes/8 {
		return
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.entries == nil {
		ic.entries = map[string][]byte{}
	}
	if _, ok := ic.entries[key]; ok {
		return
	}
	for ic.size+len(b) > imageCacheBytes && len(ic.order) > 0 {
		old := ic.order[0]
		ic.order = ic.order[1:]
		ic.size -= len(ic.entries[old])
		delete(ic.entries, old)
	}
	ic.entries[key] = b
	ic.order = append(ic.order, key)
	ic.size += len(b)
}
