// Package chart builds every chart kforstats draws, as the ECharts option
// that both the dashboard page and the server-side image exporter pass to
// setOption. Each option is built with go-echarts from the dataset alone, so
// a chart is a pure function of (dataset, view): no clock, no request, no
// randomness, and the same bytes for the page and for an image.
package chart

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// View is the reader's choice, shared by the page URL and the image URLs.
type View struct {
	From, To time.Time // date range shown, both days inclusive (zero = whole record)
	At       time.Time // the chosen date for per-nation charts (zero = the newest complete list)
	Theme    string    // "light" or "dark"
	// Nations are the alpha-3 codes of the nations the contingents chart
	// follows (nil = the largest contingents).
	Nations []string
	// Axis is the force-strength chart's troop axis: "" (linear) or "log".
	Axis string
	// Lang is the language's code (i18n.Lang.Code): "" is English, not
	// named in the address; "en" is English named (a link keeps it, against
	// the reader's Accept-Language).
	Lang string
	// Image is set when the chart is drawn as an image, not on the page:
	// it has no interactive controls (zoom slider, toolbox, brush).
	Image bool
}

// The themes a View may have.
const (
	Light = "light"
	Dark  = "dark"
)

// The scales of the force-strength chart's troop axis.
const (
	Linear = "linear"
	Log    = "log"
)

// Spec describes a chart: what /charts lists and the page lays out.
type Spec struct {
	ID, Title, Description string
	// Params lists the query parameters the chart honours: "from", "to",
	// "date", "theme".
	Params []string
}

// Option is one chart ready to draw.
type Option struct {
	ID    string
	Title string // human title
	// JS is the ECharts option object as JavaScript source (it may hold
	// functions): exactly what the page passes to setOption. Evaluate it as
	// a JavaScript expression, not as JSON.
	JS string
	// Theme is the ECharts theme to init the chart with: "" or "dark".
	Theme string
	// Sources are the sources of the figures drawn, in first-use order.
	Sources []*dataset.Source
	// AsOf is the newest date of the data drawn.
	AsOf dataset.Date

	// Description says in words what the chart shows, for screen readers
	// (it is also the option's aria description) and under the chart.
	Description string
	// Note qualifies the figures shown, such as "partial list"; may be "".
	Note string
	// Height is the height in pixels the chart wants at a width of 800.
	Height int
	// Locale is ECharts' locale object for the view's language as JSON,
	// to init the chart with (its time axis names the months); "" is
	// ECharts' English.
	Locale string
	// Tables hold the figures drawn, for a screen reader and for checking.
	Tables []Table
	// Data links to the figures behind the chart in the JSON/CSV API.
	Data []Link
	// Maps names the map outlines the option draws on (MapKosovo,
	// MapWorld): each must be registered with ECharts under its name,
	// from the asset geo-NAME.json, before the option is set.
	Maps []string
}

// Table is the figures a chart draws, as rows of text.
type Table struct {
	Caption string     `json:"caption"`
	Head    []string   `json:"head"`
	Rows    [][]string `json:"rows"`
}

// Link is a labelled same-origin URL.
type Link struct {
	Label string `json:"label"`
	Href  string `json:"href"`
}

// maker builds one chart's option.
type maker func(b *builder) error

type entry struct {
	spec Spec
	make maker
}

// english writes the charts' English text where no view names a
// language: the specs /charts lists.
var english = i18n.NewPrinter(i18n.English)

// spec is a chart's Spec: its title is message chart.ID of the catalogue,
// its description chart.ID.description, in English.
func spec(id string, params ...string) Spec {
	return Spec{id, english.T("chart." + id), english.T("chart." + id + ".description"), params}
}

// registry lists the charts in page order. IDs are stable: they name golden
// files, image URLs and page anchors.
var registry = []entry{
	{spec("strength", "from", "to", "theme", "axis"), strengthChart},
	{spec("contributions", "date", "theme"), contributionsChart},
	{spec("share", "date", "theme"), shareChart},
	{spec("nations", "from", "to", "theme"), nationsChart},
	{spec("contingents", "from", "to", "theme", "nation"), contingentsChart},
	{spec("reductions", "from", "to", "theme"), reductionsChart},
	{spec("changes", "from", "to", "theme"), changesChart},
	{spec("structure-map", "date", "theme"), structureMapChart},
	{spec("world-map", "date", "theme"), worldMapChart},
}

// AnyDay reports whether chart id's date is any day of KFOR's (the
// structure in force on it), not the day of a per-nation list, which a
// date before the record's first list does not have.
func AnyDay(id string) bool { return id == "structure-map" }

// Specs returns every chart, in page order.
func Specs() []Spec {
	out := make([]Spec, len(registry))
	for i, e := range registry {
		out[i] = e.spec
		out[i].Params = append([]string(nil), e.spec.Params...)
	}
	return out
}

// ErrUnknown is returned by Build for an ID no chart has.
type ErrUnknown struct{ ID string }

func (e ErrUnknown) Error() string { return fmt.Sprintf("no chart %q", e.ID) }

// Build returns the option of chart id for dataset d seen through view v.
func Build(id string, d *dataset.Dataset, v View) (Option, error) {
	o, _, err := build(id, d, v)
	return o, err
}

// build returns the option and, for golden files, the option object
// before its functions were turned into JavaScript.
func build(id string, d *dataset.Dataset, v View) (Option, map[string]any, error) {
	for _, e := range registry {
		if e.spec.ID != id {
			continue
		}
		b := newBuilder(d, v, e.spec)
		if err := e.make(b); err != nil {
			return Option{}, nil, fmt.Errorf("chart %s: %w", id, err)
		}
		return b.finish()
	}
	return Option{}, nil, ErrUnknown{id}
}

// BuildAll returns every chart's option in page order.
func BuildAll(d *dataset.Dataset, v View) ([]Option, error) {
	out := make([]Option, 0, len(registry))
	for _, e := range registry {
		o, err := Build(e.spec.ID, d, v)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// sourceSet collects sources in first-use order, once each.
type sourceSet struct {
	list []*dataset.Source
	seen map[string]bool
}

func (s *sourceSet) add(src *dataset.Source) {
	if src == nil {
		return
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if s.seen[src.ID] {
		return
	}
	s.seen[src.ID] = true
	s.list = append(s.list, src)
}

// publishers names the leading publishers among srcs, for a one-line
// source credit: "NATO, KFOR and 12 others", in pr's language. Official
// publishers lead, then the most frequent.
func publishers(pr *i18n.Printer, srcs []*dataset.Source, max int) string {
	count := map[string]int{}
	official := map[string]bool{}
	var order []string
	for _, s := range srcs {
		if count[s.Publisher] == 0 {
			order = append(order, s.Publisher)
		}
		count[s.Publisher]++
		official[s.Publisher] = official[s.Publisher] || s.Kind == dataset.Official
	}
	sort.SliceStable(order, func(i, j int) bool {
		if official[order[i]] != official[order[j]] {
			return official[order[i]]
		}
		return count[order[i]] > count[order[j]]
	})
	if len(order) == 0 {
		return ""
	}
	if len(order) <= max {
		return joinAnd(pr, order)
	}
	rest := len(order) - max
	if rest == 1 {
		return pr.T("source.and_other", strings.Join(order[:max], ", "))
	}
	return pr.T("source.and_others", strings.Join(order[:max], ", "), rest)
}

// joinAnd joins s as a list in pr's language: "A, B and C".
func joinAnd(pr *i18n.Printer, s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return pr.T("list.and", strings.Join(s[:len(s)-1], ", "), s[len(s)-1])
}
