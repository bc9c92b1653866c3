// Package images draws the dashboard's charts as SVG and PNG files, with
// the options the page draws and the ECharts bundle the page loads, and the
// provenance footer that lets an image stand on its own. The server's
// /charts routes and `kforstats export charts` both draw with it; it knows
// nothing of HTTP.
package images

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dashboard/assets"
	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
)

// DefaultHeight is an image's height when neither the request nor the
// chart names one.
const DefaultHeight = 480

// The formats an image may have.
const (
	SVG = "svg"
	PNG = "png"
)

// Config configures the renderer; zero values take the defaults of
// render.Options.
type Config struct {
	MaxConcurrent int           // renders at a time
	PixelBudget   int           // PNG pixels being drawn at once
	MaxPixels     int           // pixels of one PNG
	QueueWait     time.Duration // wait for a free renderer before render.ErrBusy
	Timeout       time.Duration // bound on one render
	CacheDir      string        // on-disk cache of resvg's compiled code
	// Site is the public address the footer sends a reader to for the
	// whole list of sources ("https://kforstats.example"); empty, the
	// footer names the path alone.
	Site string
}

// Service draws chart images. Engines start on first use or on Warm.
type Service struct {
	r    *render.Renderer
	site string
}

// New returns a Service drawing with the page's ECharts bundle.
func New(cfg Config) (*Service, error) {
	r, err := render.New(render.Options{
		ECharts:        assets.ECharts(),
		MaxConcurrent:  cfg.MaxConcurrent,
		PixelBudget:    cfg.PixelBudget,
		MaxImagePixels: cfg.MaxPixels,
		QueueWait:      cfg.QueueWait,
		Timeout:        cfg.Timeout,
		CacheDir:       cfg.CacheDir,
		Maps:           maps(),
	})
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	return &Service{r: r, site: strings.TrimSuffix(cfg.Site, "/")}, nil
}

// Warm starts the engines so that the first request does not wait for them.
func (s *Service) Warm(ctx context.Context) error { return s.r.Warm(ctx) }

// MaxPixels is the most pixels of one PNG the Service draws.
func (s *Service) MaxPixels() int { return s.r.MaxImagePixels() }

// Close frees the engines.
func (s *Service) Close() error { return s.r.Close() }

// Image is one chart image to draw.
type Image struct {
	ID     string
	Format string // SVG or PNG
	View   chart.View
	// Width and Height in CSS pixels; 0 takes param.DefaultWidth and the
	// chart's own height. Scale is the PNG's pixel ratio; 0 takes
	// param.DefaultScale.
	Width, Height, Scale int
	// Page frames the chart as the page draws it (param.FramePage): its
	// own short title, zoom slider and toolbox, no sources' line.
	Page bool
}

// FromValues is the image of chart id in format drawn for a request's
// parsed parameters.
func FromValues(id, format string, v param.Values) Image {
	return Image{ID: id, Format: format, View: v.View, Width: v.Width, Height: v.Height, Scale: v.Scale, Page: v.Page}
}

// fill applies the defaults, given the chart's option.
func (img *Image) fill(o *chart.Option) {
	if img.Width == 0 {
		img.Width = param.DefaultWidth
	}
	if img.Height == 0 {
		img.Height = o.Height
		if img.Height == 0 {
			img.Height = DefaultHeight
		}
	}
	if img.Scale == 0 && img.Format == PNG {
		img.Scale = param.DefaultScale
	}
}

// Draw draws one chart from d. An unknown chart is a chart.ErrUnknown;
// bounds are render.ErrInvalid; an overloaded or stuck renderer is
// render.ErrBusy or render.ErrTimeout.
func (s *Service) Draw(ctx context.Context, d *dataset.Dataset, img Image) ([]byte, error) {
	img.View.Image = !img.Page
	o, err := chart.Build(img.ID, d, img.View)
	if err != nil {
		return nil, err
	}
	img.fill(&o)
	c := render.Chart{ID: img.ID, Option: o.JS, Theme: o.Theme, Width: img.Width, Height: img.Height, Maps: o.Maps, Page: img.Page, Locale: o.Locale}
	if !img.Page {
		lang, _ := i18n.Parse(img.View.Lang) // "" is English
		c.Title, c.Footer = o.Title, fittedFooter(d, i18n.NewPrinter(lang), o.Sources, s.site, img.Width)
	}
	switch img.Format {
	case SVG:
		return s.r.SVG(ctx, c)
	case PNG:
		return s.r.PNG(ctx, c, img.Scale)
	}
	return nil, fmt.Errorf("%w: format %q (want svg or png)", render.ErrInvalid, img.Format)
}

// maps are the map outlines the charts may draw on, by name.
func maps() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range chart.MapNames() {
		file, _ := chart.MapFile(name)
		b, err := assets.Files.ReadFile(file)
		if err != nil {
			panic(err) // the embed pattern guarantees the files
		}
		out[name] = b
	}
	return out
}

// footerNames is how many publishers the footer names.
const footerNames = 3

// footerCharWidth is the width in CSS pixels that one character of the
// footer takes at most on average (Liberation Sans at 11 px, with room):
// what decides how long a footer fits on one line.
const footerCharWidth = 6

// fittedFooter is Footer made to fit one line of an image width pixels
// wide: when it is too long it names fewer publishers, then gives the
// sources' address without the site, so that the edition, the date and the
// licence at its end are never cut off.
func fittedFooter(d *dataset.Dataset, pr *i18n.Printer, srcs []*dataset.Source, site string, width int) string {
	fits := func(f string) bool { return len([]rune(f))*footerCharWidth <= width-16 }
	var f string
	for _, st := range []string{site, ""} {
		for n := footerNames; n >= 1; n-- {
			if f = footer(d, pr, srcs, st, n); fits(f) {
				return f
			}
		}
	}
	return f
}

// Footer is the provenance line an image carries, so that it stands on its
// own when pasted: the three publishers with the most sources (official
// ones first), then how many sources more and where they all are listed,
// the edition to cite, the date of the data and the record's licence:
// "Sources: NATO, KFOR, RFE/RL +112 more: https://site/api/v1/sources ·
// kforstats record 2026.12.0, data to 2026-03-03, CC BY 4.0", in pr's
// language (the date stays as the record writes it: the line is short and
// is cited). site is the public address, without a trailing slash; ""
// names the path alone.
func Footer(d *dataset.Dataset, pr *i18n.Printer, srcs []*dataset.Source, site string) string {
	return footer(d, pr, srcs, site, footerNames)
}

// footer is Footer naming at most most publishers.
func footer(d *dataset.Dataset, pr *i18n.Printer, srcs []*dataset.Source, site string, most int) string {
	count := map[string]int{}
	official := map[string]bool{}
	var names []string
	n := 0
	for _, s := range srcs {
		if s == nil {
			continue
		}
		n++
		if count[s.Publisher] == 0 {
			names = append(names, s.Publisher)
		}
		count[s.Publisher]++
		official[s.Publisher] = official[s.Publisher] || s.Kind == dataset.Official
	}
	sort.SliceStable(names, func(i, j int) bool {
		if official[names[i]] != official[names[j]] {
			return official[names[i]]
		}
		return count[names[i]] > count[names[j]]
	})
	credit := pr.T("image.credit", d.AsOf.String())
	if d.Version != "" {
		credit = pr.T("image.credit_version", d.Version, d.AsOf.String())
	}
	if len(names) == 0 {
		return pr.T("image.source", credit)
	}
	named := names[:min(len(names), most)]
	more := n
	for _, p := range named {
		more -= count[p]
	}
	line := pr.T("image.sources", strings.Join(named, ", "))
	if n == 1 {
		line = pr.T("image.source", named[0])
	}
	if more > 0 {
		line += " " + pr.T("image.more", more, site+"/api/v1/sources")
	}
	return line + " · " + credit
}

// Known reports whether id names a chart.
func Known(id string) bool {
	for _, sp := range chart.Specs() {
		if sp.ID == id {
			return true
		}
	}
	return false
}

// Params are the parameters an image request reads: the view and the size.
var Params = append(append([]param.Name{}, param.View...), param.Width, param.Height, param.Scale, param.Frame)
