package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageTemplate = template.Must(template.ParseFS(templateFS, "templates/page.html"))

// contentSecurityPolicy allows scripts from this origin only: the page has
// no inline script, and the chart options arrive as a same-origin script.
// Styles may be inline because ECharts styles its tooltip and data view
// with style attributes. frame-ancestors follows Config.FrameAncestors.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "

// securityHeaders are set on every HTML and script answer of the page.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy+s.cfg.FrameAncestors)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// figure is one headline number.
type figure struct {
	Name  string // data-figure: a stable name tests and scrapers read
	Value string // data-value: the raw number
	Text  string // the number as shown
}

func intFigure(pr *i18n.Printer, name string, n int) figure {
	return figure{Name: name, Value: strconv.Itoa(n), Text: pr.Number(n)}
}

func floatFigure(name string, f float64, text string) figure {
	return figure{Name: name, Value: strconv.FormatFloat(f, 'f', -1, 64), Text: text}
}

// headline is the figures above the charts.
type headline struct {
	Latest, Peak       figure
	LatestRef, PeakRef FigureRef
	Nations            *figure
	NationsRef         *NationsRef
	NATO, Partner      *figure
	SplitRef           *NationsRef
	// SplitSum is what the split adds up to; SplitApart is set when the
	// split is another count than Nations (an older one, or another
	// total), so the page says so rather than show 23 / 5 beside 33.
	SplitSum   int
	SplitApart bool
	Drawdown   figure
	// PeakYear is the peak's year, as the drawdown's label says it.
	PeakYear int
	// PeakTheatre and PeakKosovo tell the whole force in theatre and the
	// troops in Kosovo apart, where the record has both.
	PeakTheatre, PeakKosovo *FigureRef
	Area, Per100            *figure
	AreaSource              *dataset.Source
	// Sentence and Citation say the headline in words, ready to paste.
	Sentence, Citation string
	// LatestRow and PeakRow link each card to its figure in the API.
	LatestRow, PeakRow string
	// SplitNATO and SplitPartner are the split's figures, marked up.
	SplitNATO, SplitPartner template.HTML
}

// markup is a figure as the page marks it up, for scrapers and tests.
func (f figure) markup() template.HTML {
	return template.HTML(`<span data-figure="` + template.HTMLEscapeString(f.Name) + `" data-value="` + template.HTMLEscapeString(f.Value) + `">` +
		template.HTMLEscapeString(f.Text) + `</span>`)
}

func newHeadline(d *dataset.Dataset, pr *i18n.Printer) headline {
	sm := Summary(d)
	h := headline{
		Latest: intFigure(pr, "latest_troops", sm.Latest.Troops), LatestRef: sm.Latest,
		Peak: intFigure(pr, "peak_troops", sm.Peak.Troops), PeakRef: sm.Peak,
		Drawdown: floatFigure("drawdown_ratio", sm.DrawdownRatio, pr.T("number.percent", int(sm.DrawdownRatio*100+0.5))),
		PeakYear: d.Summarize().Peak.Date.Year, PeakTheatre: sm.PeakTheatre, PeakKosovo: sm.PeakKosovo,
		Sentence: localSentence(d, pr, sm.Sentence), Citation: sm.Citation,
		LatestRow: figureRow(sm.Latest), PeakRow: figureRow(sm.Peak),
	}
	if n := sm.Nations; n != nil {
		f := intFigure(pr, "nations", n.All)
		h.Nations, h.NationsRef = &f, n
	}
	if sp := sm.Split; sp != nil && sp.NATO != nil && sp.Partner != nil {
		nf, pf := intFigure(pr, "nato_nations", *sp.NATO), intFigure(pr, "partner_nations", *sp.Partner)
		h.NATO, h.Partner, h.SplitRef = &nf, &pf, sp
		h.SplitNATO, h.SplitPartner = nf.markup(), pf.markup()
		h.SplitSum = *sp.NATO + *sp.Partner
		h.SplitApart = sm.Nations == nil || sm.Nations.All != h.SplitSum || sm.Nations.Date != sp.Date
	}
	if sm.AreaKm2 > 0 {
		a := floatFigure("area_km2", sm.AreaKm2, pr.Number(int(sm.AreaKm2+0.5)))
		p := floatFigure("troops_per_100km2", sm.TroopsPer100Km2, pr.Fixed(sm.TroopsPer100Km2, 1))
		h.Area, h.Per100 = &a, &p
		if f, ok := d.Fact(dataset.AreaKey); ok {
			h.AreaSource = f.Source
		}
	}
	return h
}

// localSentence is the headline sentence in pr's language: the API's
// English sentence as it is, or the same figures in the catalogue's words.
// It joins the same figures as sentence does, under the same conditions.
func localSentence(d *dataset.Dataset, pr *i18n.Printer, english string) string {
	if pr.Code() == i18n.English.Code {
		return english
	}
	sm := d.Summarize()
	id := "headline.sentence"
	if sm.Latest.Confidence == dataset.Exact {
		id += "_exact"
	}
	withNations := sm.Nations != nil && sm.Latest.Date.Time().Sub(sm.Nations.Date.Time()).Abs() <= 366*24*time.Hour
	if withNations {
		id += "_nations"
	}
	args := []any{pr.Number(sm.Latest.Troops)}
	if withNations {
		args = append(args, sm.Nations.Nations)
	}
	text := pr.T(id, args...)
	if sm.Peak.Troops > sm.Latest.Troops {
		text += pr.T("headline.sentence_peak", pr.Number(sm.Peak.Troops), strconv.Itoa(sm.Peak.Date.Year))
	}
	return text + pr.T("headline.sentence_as_of", pr.Day(sm.Latest.Date.String()))
}

// figureRow links a headline figure to every observation of its day in the
// API, with its quote, note and source.
func figureRow(f FigureRef) string {
	return "/api/v1/strength?" + url.Values{"all": {"1"}, "from": {f.Date}, "to": {f.Date}}.Encode()
}

// What the page lists itself is bounded, so that its size stops growing
// with the record (a generated record a hundred times the real one made a
// 7.5 MB page, nearly all of it table rows, source lists and selector
// options). The real record's largest table has 99 rows, its longest
// source list 145 sources, and it has 86 per-nation lists: none of these
// bounds cuts anything there. Nothing is lost where they do cut: the page
// says so, links the whole, and the view's date range picks which stretch
// of a table and its sources is listed.
const (
	maxTableRows     = 250
	maxSourcesListed = 250
	maxListChoices   = 200
)

// pageChart is one chart's section on the page.
type pageChart struct {
	chart.Option
	Tables    []pageTable
	Downloads []chart.Link
	// Sources are the sources listed, at most maxSourcesListed of the
	// SourcesTotal the chart draws from.
	Sources      []*dataset.Source
	SourcesTotal int
	// Maps is, for a chart on maps, the hashed URL of each map's outline
	// by map name, as JSON: the page's script fetches them when the chart
	// scrolls into view.
	Maps string
	// SVG is the chart drawn by the server (inline.go), at the size of
	// its box on a wide page; without SVG the page's script draws the
	// chart.
	SVG                 template.HTML
	BoxWidth, BoxHeight int
}

// SourcesMore is how many of the chart's sources the page does not list.
func (pc pageChart) SourcesMore() int { return pc.SourcesTotal - len(pc.Sources) }

// pageTable is a table as the page lists it.
type pageTable struct {
	chart.Table        // Rows: the rows listed
	Total       int    // the rows of the whole table
	Newest      bool   // the rows listed are the newest; else the first
	From, To    string // when Newest, the dates of the oldest and newest rows listed, as the table gives them
	CSV, JSON   string // the whole table
}

// Cut reports whether the page lists fewer rows than the table has.
func (t pageTable) Cut() bool { return len(t.Rows) < t.Total }

// CutText says which rows the page lists: "newest 250 of 1,000 rows".
func (t pageTable) CutText(pr *i18n.Printer) string {
	if t.Newest {
		return pr.T("table.cut_newest", len(t.Rows), t.Total)
	}
	return pr.T("table.cut_first", len(t.Rows), t.Total)
}

// newPageTable lists at most maxTableRows of the n-th (1-based) table of
// chart id. A table of dated rows (its first column all dates) keeps its
// newest rows, in the table's order: the newest are what most readers come
// for, they form a run without gaps (a table of consecutive changes stays
// one), and earlier rows are a narrower date range away. Rows spread
// evenly over the range would look like the whole run while silently
// skipping most of it. Any other table (nations by size, contingents by
// nation) keeps its first rows, in the order the chart gives them.
func newPageTable(t chart.Table, id string, n int, q url.Values) pageTable {
	pt := pageTable{Table: t, Total: len(t.Rows)}
	if len(t.Rows) <= maxTableRows {
		return pt
	}
	base := "/table/" + id + "." + strconv.Itoa(n)
	pt.CSV, pt.JSON = withQuery(base+".csv", q), withQuery(base+".json", q)
	dates := make([]time.Time, len(t.Rows))
	for i, r := range t.Rows {
		d, err := dataset.ParseDate(r[0])
		if err != nil {
			pt.Rows = t.Rows[:maxTableRows]
			return pt
		}
		dates[i] = d.Time()
	}
	pt.Rows, pt.Newest = nil, true
	var oldest, newest int
	for _, i := range newestOf(dates, maxTableRows) {
		if len(pt.Rows) == 0 || dates[i].Before(dates[oldest]) {
			oldest = i
		}
		if len(pt.Rows) == 0 || dates[i].After(dates[newest]) {
			newest = i
		}
		pt.Rows = append(pt.Rows, t.Rows[i])
	}
	pt.From, pt.To = t.Rows[oldest][0], t.Rows[newest][0]
	return pt
}

// newestOf returns the indices of the n latest of dates, in their order;
// of equal dates, the earlier index.
func newestOf(dates []time.Time, n int) []int {
	idx := make([]int, len(dates))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return dates[b].Compare(dates[a]) })
	idx = idx[:min(n, len(idx))]
	slices.Sort(idx)
	return idx
}

// listedSources picks at most maxSourcesListed of a chart's sources: the
// most recently published, as the newest figures are the ones most read
// and checked, kept in the chart's order (first use). The rest are in
// /api/v1/sources.csv, and a narrower date range lists earlier ones.
func listedSources(srcs []*dataset.Source) []*dataset.Source {
	if len(srcs) <= maxSourcesListed {
		return srcs
	}
	published := make([]time.Time, len(srcs))
	for i, s := range srcs {
		published[i] = s.Published.Time()
	}
	var out []*dataset.Source
	for _, i := range newestOf(published, maxSourcesListed) {
		out = append(out, srcs[i])
	}
	return out
}

// listChoice is an entry of the date selector.
type listChoice struct {
	Value, Label string
	Selected     bool
}

// listChoices are the date selector's entries: a day's best list each,
// oldest first. When there are more than maxListChoices days, it offers the
// newest complete lists (a quarter of the bound at most), the newest lists
// to fill the bound, and the list chosen; the page then adds a date field
// that reaches the list in force on any day.
func listChoices(d *dataset.Dataset, pr *i18n.Printer, chosen *dataset.List) (out []listChoice, total int) {
	all := chart.ListDates(d)
	keep := make([]bool, len(all))
	n := 0
	take := func(i int) {
		if !keep[i] {
			keep[i] = true
			n++
		}
	}
	if len(all) <= maxListChoices {
		for i := range all {
			take(i)
		}
	}
	for i, complete := len(all)-1, 0; i >= 0 && complete < maxListChoices/4; i-- {
		if all[i].Complete {
			take(i)
			complete++
		}
	}
	for i := len(all) - 1; i >= 0 && n < maxListChoices; i-- {
		take(i)
	}
	for i, ls := range all {
		selected := chosen != nil && ls.Date.ISO() == chosen.Date.ISO()
		if selected {
			take(i)
		}
		if !keep[i] {
			continue
		}
		label := pr.Day(ls.Date.String()) + " · " + chart.CoverageText(pr, d, ls)
		if ls.Complete {
			label += " " + pr.T("controls.list_complete")
		}
		out = append(out, listChoice{Value: ls.Date.ISO(), Label: label, Selected: selected})
	}
	return out, len(all)
}

// nationChoices are the nation picker's entries: every nation the record
// has a figure for, by name, with its count of figures.
func nationChoices(d *dataset.Dataset, pr *i18n.Printer, chosen []string) []listChoice {
	var out []listChoice
	col := collate.New(language.MustParse(pr.Code()))
	for _, n := range d.Nations {
		k := len(d.NationFigures(n.Code))
		if k == 0 {
			continue
		}
		id := "controls.nation_figures"
		if k == 1 {
			id = "controls.nation_figure"
		}
		label := pr.T(id, nationName(pr, n), k)
		out = append(out, listChoice{Value: n.Code, Label: label, Selected: slices.Contains(chosen, n.Code)})
	}
	slices.SortFunc(out, func(a, b listChoice) int { return col.CompareString(a.Label, b.Label) })
	return out
}

// nationName is a nation's name in the printer's language: the record's
// own in English (it writes the names the sources use, Türkiye), CLDR's in
// the others.
func nationName(pr *i18n.Printer, n *dataset.Nation) string {
	if pr.Code() == i18n.English.Code || pr.Code() == "" {
		return n.Name
	}
	return pr.Nation(n.Code)
}

// pageData is what the template renders.
type pageData struct {
	Version, Checksum, AsOf string
	DatasetVersion          string // the record's edition, to cite
	Cite                    Citation
	Share                   shareTags
	Notices                 []param.Notice
	Head                    headline
	Charts                  []pageChart
	Lists                   []listChoice
	NationChoices           []listChoice // the nation picker: every nation with a figure, by name
	ListsTotal              int          // list days in the record: more than len(Lists) when the selector is cut
	From, To, Min, Max      string
	Dark                    bool
	ThemeURL, ResetURL      string
	// LogAxis is set when the strength chart's troops are on a log scale;
	// AxisURL is the view with the other scale.
	LogAxis    bool
	AxisURL    string
	OptionsURL string
	// Drawn: every chart is in the page as the server drew it.
	Drawn                 bool
	EChartsJS, AppJS, CSS string
	SourcesCount          int

	// P writes the page's text in its language.
	P *i18n.Printer
	// Langs is the language switch; DefaultHref the view without lang=,
	// which the reader's browser settles.
	Langs       []langLink
	DefaultHref string
	// OGLocale and OGAlternates are the Open Graph locales.
	OGLocale     string
	OGAlternates []string
	// LangParam is the view's lang=, kept by the form.
	LangParam string
}

// langLink is one language of the switch and of the hreflang alternates.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// The marked-up pieces of the page's messages: they go into a message as
// arguments, so that a translation can move them.
var (
	pageMarks = struct{ Exact, Approximate, Derived, Uncertain template.HTML }{
		`<span class="m exact">●</span>`, `<span class="m">○</span>`, `<span class="m">◇</span>`, `<span class="m">△</span>`}
)

// Marks are the strength chart's marker symbols.
func (pageData) Marks() any { return pageMarks }

// ImageCode is the chart image URL pattern, as code.
func (pageData) ImageCode() template.HTML {
	return `<code>/charts/ID.svg</code>`
}

// CSVCode is the extension the API drops for JSON, as code.
func (pageData) CSVCode() template.HTML { return `<code>.csv</code>` }

// CCBY and Apache link the licences.
func (pageData) CCBY() template.HTML {
	return `<a href="https://creativecommons.org/licenses/by/4.0/" rel="license noreferrer">CC BY 4.0</a>`
}

// Apache links the code's licence.
func (pageData) Apache() template.HTML {
	return `<a href="https://www.apache.org/licenses/LICENSE-2.0" rel="noreferrer">Apache License 2.0</a>`
}

// Link is a same-origin link with its text, escaped, for a message.
func (pageData) Link(href, text string) template.HTML {
	return template.HTML(`<a href="` + template.HTMLEscapeString(href) + `">` + template.HTMLEscapeString(text) + `</a>`)
}

// langLinks is the language switch of view v: each language's link to
// the same view.
func langLinks(v chart.View, current i18n.Lang) []langLink {
	var out []langLink
	for _, l := range i18n.Languages {
		lv := v
		lv.Lang = l.Code
		out = append(out, langLink{Code: l.Code, Name: l.Name, Href: withQuery("/", lv.Query()), Current: l.Code == current.Code})
	}
	return out
}

// ogAlternates are the Open Graph locales of the other languages.
func ogAlternates(current i18n.Lang) []string {
	var out []string
	for _, l := range i18n.Languages {
		if loc := l.Locale(); loc != current.Locale() && !slices.Contains(out, loc) {
			out = append(out, loc)
		}
	}
	return out
}

// pageLang is the language of view v: "" is English.
func pageLang(v chart.View) i18n.Lang {
	l, _ := i18n.Parse(v.Lang)
	return l
}

// handlePage serves the dashboard.
func (s *Server) handlePage() handler {
	return func(c *gin.Context, pv param.Values) {
		d := s.data()
		v, notices := pv.View, pv.Notices
		opts, ok := s.buildCharts(c, d, v)
		if !ok {
			return
		}
		svgs, complete, until := s.inline(c, d, v, v.Query().Encode(), opts)
		if until != nil {
			c.Set(keepUntil, until) // made again once the drawings are done
		}
		lang := pageLang(v)
		pr := i18n.NewPrinter(lang)
		noLang := v
		noLang.Lang = ""
		data := pageData{
			Version: s.cfg.Version, Checksum: shortSum(d.Checksum), AsOf: d.AsOf.String(), DatasetVersion: datasetVersion(d), Cite: Cite(d, s.cfg.Now()), Share: s.share(v, d, pr),
			Notices: notices, Head: newHeadline(d, pr), Dark: v.Theme == chart.Dark,
			P: pr, Langs: langLinks(v, lang), DefaultHref: withQuery("/", noLang.Query()), OGLocale: lang.Locale(), OGAlternates: ogAlternates(lang), LangParam: v.Lang,
			Min: param.FirstDay.Format(time.DateOnly), Max: s.cfg.Now().UTC().Format(time.DateOnly),
			EChartsJS: assetPath("page.js"), AppJS: assetPath("app.js"), CSS: assetPath("app.css"),
			OptionsURL: withQuery("/options.js", v.Query()), ResetURL: "/", SourcesCount: len(d.Sources),
			Drawn: s.cfg.InlineCharts && complete,
		}
		if !v.From.IsZero() {
			data.From = v.From.Format(time.DateOnly)
		}
		if !v.To.IsZero() {
			data.To = v.To.Format(time.DateOnly)
		}
		flip := v
		flip.Theme = chart.Dark
		if v.Theme == chart.Dark {
			flip.Theme = chart.Light
		}
		data.ThemeURL = withQuery("/", flip.Query())
		axis := v
		axis.Axis = chart.Log
		if v.Axis == chart.Log {
			axis.Axis, data.LogAxis = "", true
		}
		data.AxisURL = withQuery("/", axis.Query()) + "#strength"
		data.ResetURL = withQuery("/", chart.View{Theme: v.Theme, Lang: v.Lang}.Query())
		data.Lists, data.ListsTotal = listChoices(d, pr, chart.ChooseList(d, v).List)
		data.NationChoices = nationChoices(d, pr, v.Nations)
		for _, o := range opts {
			pc := pageChart{Option: o, Sources: listedSources(o.Sources), SourcesTotal: len(o.Sources), Maps: mapURLs(o.Maps),
				SVG: svgs[o.ID], BoxWidth: pageImage(o, v).Width, BoxHeight: pageImage(o, v).Height}
			for i, t := range o.Tables {
				pc.Tables = append(pc.Tables, newPageTable(t, o.ID, i+1, v.Query()))
			}
			tq := withQuery("/table/"+o.ID, v.Query())
			pc.Downloads = append(append(pc.Downloads, o.Data...),
				chart.Link{Label: pr.T("downloads.csv"), Href: strings.Replace(tq, "/table/"+o.ID, "/table/"+o.ID+".csv", 1)},
				chart.Link{Label: pr.T("downloads.json"), Href: strings.Replace(tq, "/table/"+o.ID, "/table/"+o.ID+".json", 1)})
			data.Charts = append(data.Charts, pc)
		}
		var buf bytes.Buffer
		if err := pageTemplate.Execute(&buf, data); err != nil {
			s.cfg.Log.Error("rendering the page", "err", err)
			fail(c, &Error{Code: EInternal, Msg: "internal error"})
			return
		}
		s.securityHeaders(c)
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	}
}

// mapURLs is the hashed URL of each map's outline, by name, as JSON; ""
// for a chart on no map.
func mapURLs(names []string) string {
	if len(names) == 0 {
		return ""
	}
	urls := map[string]string{}
	for _, n := range names {
		file, ok := chart.MapFile(n)
		if !ok {
			panic("dashboard: no outline for map " + n) // chart names only maps MapFile knows
		}
		urls[n] = assetPath(file)
	}
	b, _ := json.Marshal(urls) // strings only
	return string(b)
}

// drawCall is one chart as options.js hands it to the page's script.
type drawCall struct {
	ID     string          `json:"id"`
	Theme  string          `json:"theme"`
	Height int             `json:"height"`
	Locale json.RawMessage `json:"locale,omitempty"` // ECharts' locale object: the months a time axis names
	Option json.RawMessage `json:"-"`
}

// buildCharts builds every chart of view v, or answers 500 and reports
// false.
func (s *Server) buildCharts(c *gin.Context, d *dataset.Dataset, v chart.View) ([]chart.Option, bool) {
	opts, err := chart.BuildAll(d, v)
	if err != nil {
		s.cfg.Log.Error("building the charts", "err", err)
		fail(c, &Error{Code: EInternal, Msg: "internal error"})
		return nil, false
	}
	return opts, true
}

// handleOptions serves the chart options of a view as a script that hands
// them to the page: kfor.draw([...]). A script from this origin is what a
// Content-Security-Policy of script-src 'self' allows, and unlike JSON it
// can carry the options' functions.
func (s *Server) handleOptions() handler {
	return func(c *gin.Context, pv param.Values) {
		d, v := s.data(), pv.View
		opts, ok := s.buildCharts(c, d, v)
		if !ok {
			return
		}
		var buf bytes.Buffer
		buf.WriteString("kfor.draw([")
		for i, o := range opts {
			if i > 0 {
				buf.WriteString(",\n")
			}
			head, _ := json.Marshal(drawCall{ID: o.ID, Theme: o.Theme, Height: o.Height, Locale: json.RawMessage(o.Locale)}) // plain JSON
			buf.Write(head[:len(head)-1])
			buf.WriteString(`,"option":`)
			buf.WriteString(o.JS)
			buf.WriteString("}")
		}
		buf.WriteString("]);\n")
		s.securityHeaders(c)
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", buf.Bytes())
	}
}

// handleTable serves the figures a chart draws, as CSV or JSON:
// /table/strength.csv?from=2009 is the chart's main table and
// /table/strength.json all its tables; /table/strength.2.csv and
// /table/strength.2.json are its second table alone (a chart's tables are
// numbered from 1, as the page links them).
func (s *Server) handleTable() handler {
	return func(c *gin.Context, pv param.Values) {
		file := c.Param("file")
		id, ext, ok := strings.Cut(file, ".")
		n := 0 // no number: the main table as CSV, all of them as JSON
		if num, e, numbered := strings.Cut(ext, "."); numbered {
			n, ext = -1, e
			if k, err := strconv.Atoi(num); err == nil && k > 0 && strconv.Itoa(k) == num { // one spelling per table: not 02 or +2
				n = k
			}
		}
		if !ok || n < 0 || (ext != "csv" && ext != "json") {
			fail(c, Errorf(ENotFound, "", "no such table: %s (want /table/ID.csv, /table/ID.json, or /table/ID.N.csv or .json for table N)", file))
			return
		}
		o, err := chart.Build(id, s.data(), pv.View)
		if err != nil {
			fail(c, Errorf(ENotFound, "", "no chart %q", id))
			return
		}
		if n > len(o.Tables) {
			fail(c, Errorf(ENotFound, "", "no such table: %s (chart %s has tables 1 to %d)", file, id, len(o.Tables)))
			return
		}
		switch {
		case ext == "json" && n == 0:
			c.JSON(http.StatusOK, o.Tables)
		case ext == "json":
			c.JSON(http.StatusOK, o.Tables[n-1])
		default:
			// Without a number, the CSV holds the chart's main table.
			name, t := "kfor-"+id+".csv", o.Tables[0]
			if n > 1 {
				name, t = "kfor-"+id+"-"+strconv.Itoa(n)+".csv", o.Tables[n-1]
			}
			writeCSV(c, name, append([][]string{t.Head}, t.Rows...))
		}
	}
}

// withQuery appends a query to a path when there is one.
func withQuery(p string, q url.Values) string {
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}

func shortSum(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
