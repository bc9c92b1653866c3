package chart

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// eventGroup is a set of event kinds drawn as one legend entry of ticks
// in the track under the strength chart's plot.
type eventGroup struct {
	name  string // the legend's message
	kinds []dataset.EventKind
	color func(palette) string
}

var eventGroups = []eventGroup{
	{"legend.events.cuts", []dataset.EventKind{dataset.Reduction}, func(p palette) string { return p.down }},
	{"legend.events.deployments", []dataset.EventKind{dataset.Deployment, dataset.Reinforcement}, func(p palette) string { return p.up }},
	{"legend.events.unrest", []dataset.EventKind{dataset.Unrest}, func(p palette) string { return p.unrest }},
	{"legend.events.restructurings", []dataset.EventKind{dataset.Restructuring}, func(p palette) string { return p.series[5] }},
	{"legend.events.other", []dataset.EventKind{dataset.Command, dataset.Joins, dataset.Leaves, dataset.Political}, func(p palette) string { return p.muted }},
}

// The strength chart's layout, in pixels: from the top, the title, marker
// key and legend; the band of turning-point labels (turnRows staggered
// rows); the plot; its dates; the track of the other events; the zoom
// slider (not in an image); the source line.
const (
	strengthHeight = 580
	plotLeft       = 72 // every grid's, so that their dates line up
	plotRight      = 24
	bandTop        = 84
	turnRows       = 4
	rowHeight      = 16
	plotTop        = bandTop + turnRows*rowHeight + 28 // the axis name between
	trackHeight    = 14
	sliderBottom   = 40 // the source line takes the 18px below it
	sliderHeight   = 22
	// labelPx is the width a turning point's label is taken to have on a
	// chart 1000px wide, for staggering (11px Liberation Sans).
	labelPx = 5.6
)

// eventsTip lists, for a figure's tooltip, the events drawn since the
// figure before it (and, for the newest figure, after it too).
func (b *builder) eventsTip(es []dataset.Event, at time.Time) string {
	if len(es) == 0 {
		return ""
	}
	const most = 5
	head := b.t("tip.events_since")
	if es[len(es)-1].Date.Time().After(at) {
		head = b.t("tip.events_since_after")
	}
	tip := "<br/><br/>" + head
	for i, e := range es {
		if i == most {
			tip += "<br/>" + b.t("tip.events_more", len(es)-most)
			break
		}
		title := e.Title
		if r := []rune(title); len(r) > 70 {
			title = string(r[:69]) + "…"
		}
		tip += "<br/>" + esc(e.Date.String()) + " · " + esc(title)
	}
	return tip
}

func (b *builder) pointTip(p dataset.Point) string {
	tip := "<b>" + b.t("troops", b.num(p.Troops)) + "</b><br/>" + esc(b.dateTip(p.Date)) + " · " + b.confidence(p.Confidence)
	if p.Count != nil {
		tip += "<br/>" + b.t("tip.nations", p.Count.Nations)
	}
	return tip + b.srcTip(p.Source)
}

func strengthChart(b *builder) error {
	p := b.pal
	var line []item
	tbl := Table{Caption: b.t("table.strength"), Head: b.heads("date", "troops", "confidence", "nations", "source")}
	var shown []dataset.Point
	lo, hi := 0, 0
	for _, pt := range b.d.Series() {
		if !b.v.In(pt.Date.Time()) {
			continue
		}
		b.used(pt.Source, pt.Date)
		shown = append(shown, pt)
		if lo == 0 || pt.Troops < lo {
			lo = pt.Troops
		}
		hi = max(hi, pt.Troops)
		nations := ""
		if pt.Count != nil {
			nations = strconv.Itoa(pt.Count.Nations)
		}
		tbl.Rows = append(tbl.Rows, []string{pt.Date.String(), b.num(pt.Troops), b.confidence(pt.Confidence), nations, sourceName(pt.Source)})
	}
	if len(shown) == 0 {
		b.out.Note = b.t("chart.no_figures")
	}

	// The events in view: the turning points labelled above the plot, each
	// with a dotted line down through it; every other event a tick, with
	// its tooltip, in a track under the plot (lines across the plot, one
	// an event, hid the figures).
	var inView []dataset.Event
	for _, e := range b.d.Events {
		if b.v.In(e.Date.Time()) {
			inView = append(inView, e)
		}
	}
	turns := turningPoints(b.d, inView)
	isTurn := map[int]bool{}
	for _, t := range turns {
		isTurn[t.e.Line] = true
	}
	events := Table{Caption: b.t("table.events"), Head: b.heads("date", "kind", "event", "source", "drawn_as")}
	var drawn []dataset.Event
	type track struct {
		eventGroup
		data []item
	}
	var tracks []track
	for _, g := range eventGroups {
		var data []item
		for _, e := range inView {
			if !hasKind(g.kinds, e.Kind) {
				continue
			}
			b.src.add(e.Source)
			drawn = append(drawn, e)
			as := b.t("table.drawn.tick")
			if isTurn[e.Line] {
				as = b.t("table.drawn.turning_point")
			} else {
				data = append(data, item{Value: []any{e.Date.ISO(), 0}, Tip: b.eventTip(e)})
			}
			events.Rows = append(events.Rows, []string{e.Date.String(), b.eventKind(e.Kind), e.Title, sourceName(e.Source), as})
		}
		if len(data) > 0 {
			tracks = append(tracks, track{g, data})
		}
	}
	sort.SliceStable(drawn, func(i, j int) bool { return drawn[i].Date.Time().Before(drawn[j].Date.Time()) })

	// The dates every grid shares: from the first of January of the first
	// year shown, so that its year is the first label, or from the range's
	// first day; to the newest date drawn, or the range's last day.
	var first, last time.Time
	for _, pt := range shown {
		first, last = earliest(first, pt.Date.Time()), latest(last, pt.Date.Time())
	}
	for _, e := range drawn {
		first, last = earliest(first, e.Date.Time()), latest(last, e.Date.Time())
	}
	first = time.Date(first.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	if !b.v.From.IsZero() {
		first = b.v.From
	}
	if !b.v.To.IsZero() {
		last = b.v.To
	}

	// The figures: one series, first so that the zoom slider draws its
	// outline, its marker telling each figure's confidence (the subtitle
	// is the key), drawn over the events.
	next := 0
	for i, pt := range shown {
		var since []dataset.Event
		for next < len(drawn) && (!drawn[next].Date.Time().After(pt.Date.Time()) || i == len(shown)-1) {
			since = append(since, drawn[next])
			next++
		}
		sym, size, style := p.figureMarker(pt.Confidence, p.strength)
		line = append(line, item{Value: []any{pt.Date.ISO(), pt.Troops}, Symbol: sym, SymbolSize: size, ItemStyle: style,
			Tip: b.pointTip(pt) + b.eventsTip(since, pt.Date.Time())})
	}
	c := charts.NewLine()
	c.AddSeries(b.t("legend.troops"), nil, withData(line),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: p.strength, Width: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.strength, BorderWidth: 1.5}),
		b.phaseAreas())
	b.set("series.0.z", 3)
	b.set("series.0.markArea.silent", true)

	// The turning points: a dotted line down the plot (on its hidden 0-1
	// axis), and a labelled marker in the band above it, staggered over
	// turnRows rows so that no label runs into the one before.
	name := b.t("legend.turning_points")
	var leaders [][2]any
	var labels []item
	span := last.Sub(first).Seconds()
	ends := make([]float64, turnRows) // per row, where its last label ends (0-1 of the span)
	for _, t := range turns {
		x := t.e.Date.ISO()
		leaders = append(leaders, [2]any{x, 0}, [2]any{x, 1}, [2]any{x, "-"})
		text := b.turnText(t.e)
		at := 0.0
		if span > 0 {
			at = t.e.Date.Time().Sub(first).Seconds() / span
		}
		// Right of its marker, or left when it would run past the plot's
		// right edge; in the first row where it clears the label before,
		// else in the row that ends soonest.
		width := (float64(len([]rune(text)))*labelPx + 16) / (1000 - plotLeft - plotRight)
		from, to, pos := at, at+width, "right"
		if to > 1 {
			from, to, pos = at-width, at, "left"
		}
		row := 0
		for r := range ends {
			if ends[r] <= from {
				row = r
				break
			}
			if ends[r] < ends[row] {
				row = r
			}
		}
		ends[row] = to
		labels = append(labels, item{Name: text, Value: []any{x, float64(turnRows-row) - 0.5},
			Label: map[string]any{"position": pos}, Tip: b.turnTip(t)})
	}
	if len(turns) > 0 {
		c.AddSeries(name, nil, withData(leaders),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "none", ConnectNulls: opts.Bool(false), YAxisIndex: 1}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: p.text}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: p.muted, Type: "dotted", Width: 1}))
		b.set("series.1.silent", true)
		c.AddSeries(name, nil, withData(labels), dots(1, 2, "circle"), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.text}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{b}", Color: p.text, FontSize: 11}))
		b.set("series.2.symbolSize", 6)
		b.set("series.2.showAllSymbol", true)
	}
	// The other events, a series of ticks per group in the track.
	for _, tr := range tracks {
		col := tr.color(p)
		c.AddSeries(b.t(tr.name), nil, withData(tr.data), dots(2, 3, "rect"), charts.WithItemStyleOpts(opts.ItemStyle{Color: col, Opacity: opts.Float(0.8)}))
		i := strconv.Itoa(len(c.MultiSeries) - 1)
		b.set("series."+i+".symbolSize", []int{2, trackHeight})
		b.set("series."+i+".showAllSymbol", true)
	}

	if pts := b.d.Series(); len(line) > 0 {
		peak := b.d.Peak()
		latest := pts[len(pts)-1]
		b.out.Description += " " + b.t("chart.strength.peak_latest", b.num(peak.Troops), peak.Date.String(), b.num(latest.Troops), latest.Date.String())
		b.out.Title = b.t("chart.title.years", b.out.Title, strconv.Itoa(shown[0].Date.Time().Year()), strconv.Itoa(shown[len(shown)-1].Date.Time().Year()))
	}
	if len(turns) > 0 {
		var names []string
		for _, t := range turns {
			names = append(names, t.e.Date.String()+" "+t.e.Title)
		}
		b.out.Description += " " + b.t("chart.strength.turning_points", strings.Join(names, "; "))
	}
	c.SetGlobalOptions(append(b.frame(b.t("chart.strength.marker_key"), true, 0),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: []int{0, 1, 2}, FilterMode: "none"},
			opts.DataZoom{Type: "slider", XAxisIndex: []int{0, 1, 2}, FilterMode: "none"},
		),
		charts.WithBrush(opts.Brush{XAxisIndex: 0}),
	)...)
	c.Toolbox.Feature.Brush = &opts.ToolBoxFeatureBrush{Type: []string{"lineX", "clear"}}
	c.Toolbox.Feature.DataZoom = &opts.ToolBoxFeatureDataZoom{Show: opts.Bool(true), YAxisIndex: "none",
		Title: map[string]string{"zoom": b.t("toolbox.zoom"), "back": b.t("toolbox.zoom_back")}}
	b.strengthAxes(day(first), day(last), lo, hi)
	if b.v.Ranged() && len(line) > 0 {
		from, to := line[0].Value.([]any)[0].(string), line[len(line)-1].Value.([]any)[0].(string)
		for i := range 2 {
			b.set("dataZoom."+itoa(i)+".startValue", orDay(b.v.From, from))
			b.set("dataZoom."+itoa(i)+".endValue", orDay(b.v.To, to))
		}
	}
	if note := b.sample(0, len(line), "note.sample.strength"); note != "" {
		// The zoom filters out the figures outside it, so that the
		// sampling is of the figures in view: zoomed in far enough, every
		// figure is drawn. (Without it, a zoom would only magnify the
		// sample of the whole record.)
		b.set("dataZoom.0.filterMode", "filter")
		b.set("dataZoom.1.filterMode", "filter")
		b.out.Note = joinNote(b.out.Note, note)
	}
	b.set("dataZoom.1.height", sliderHeight)
	// Clear of the source line under it (bottom 4, 11px text).
	b.set("dataZoom.1.bottom", sliderBottom)
	b.set("brush.brushMode", "single")
	b.set("brush.brushStyle", map[string]any{"borderWidth": 1, "color": "rgba(120,140,170,0.2)", "borderColor": p.muted})
	b.set("brush.throttleType", "debounce")
	// On a phone the phases' and turning points' names would run into
	// each other: their markers keep their tooltips. The marker key would
	// not fit: the page says it under the chart.
	narrowSeries := []any{map[string]any{"markArea": map[string]any{"label": map[string]any{"show": false}}}}
	if len(turns) > 0 {
		narrowSeries = append(narrowSeries, map[string]any{}, map[string]any{"label": map[string]any{"show": false}})
	}
	b.narrow = map[string]any{
		"series": narrowSeries,
		"legend": map[string]any{"top": "34"},
		"grid": []any{
			map[string]any{"top": plotTop - 22 - turnRows*rowHeight + trackHeight},
			map[string]any{"top": bandTop - 22, "height": trackHeight},
		},
	}
	b.narrowTitle = map[string]any{"subtext": ""}
	b.chart = c
	b.out.Height = strengthHeight
	b.out.Tables = []Table{tbl, events, b.phaseTable()}
	b.out.Data = []Link{
		{b.t("link.strength", "CSV"), "/api/v1/strength.csv"}, {b.t("link.strength", "JSON"), "/api/v1/strength"},
		{b.t("link.events", "CSV"), "/api/v1/events.csv"}, {b.t("link.events", "JSON"), "/api/v1/events"},
	}
	return nil
}

// strengthAxes lays out the strength chart's three grids (the plot, the
// band of turning points above it, the track of events under it), each
// with its time axis over the same dates, from to to, and its value axes:
// the troops (linear from 0, or logarithmic over the powers of ten around
// lo and hi), the plot's hidden 0-1 axis of the turning points' lines, the
// band's rows and the track's one row.
func (b *builder) strengthAxes(from, to string, lo, hi int) {
	p := b.pal
	bottom := sliderBottom + sliderHeight + 10 // the track's
	if b.v.Image {
		bottom = 30
	}
	b.set("grid", []any{
		map[string]any{"left": plotLeft, "right": plotRight, "top": plotTop, "bottom": bottom + trackHeight + 28},
		map[string]any{"left": plotLeft, "right": plotRight, "top": bandTop, "height": turnRows * rowHeight},
		map[string]any{"left": plotLeft, "right": plotRight, "bottom": bottom, "height": trackHeight,
			"show": true, "borderWidth": 0, "backgroundColor": p.phases[0]},
	})
	x := func(grid int, show bool) map[string]any {
		return map[string]any{"type": "time", "gridIndex": grid, "min": from, "max": to, "show": show,
			"axisLabel": map[string]any{"color": p.muted, "hideOverlap": true, "showMinLabel": true},
			"splitLine": map[string]any{"show": false}}
	}
	b.set("xAxis", []any{x(0, true), x(1, false), x(2, false)})
	troops := map[string]any{"type": "value", "gridIndex": 0, "name": b.t("axis.troops"), "min": 0,
		"axisLabel": map[string]any{"color": p.muted},
		"splitLine": map[string]any{"show": true, "lineStyle": map[string]any{"color": p.grid}}}
	if b.v.Axis == Log {
		troops["type"], troops["logBase"], troops["name"] = "log", 10, b.t("axis.troops_log")
		troops["min"], troops["max"] = pow10(lo, false), pow10(hi, true)
		troops["minorTick"] = map[string]any{"show": true, "splitNumber": 9}
		troops["minorSplitLine"] = map[string]any{"show": true, "lineStyle": map[string]any{"color": p.grid, "opacity": 0.5}}
	}
	b.set("yAxis", []any{
		troops,
		map[string]any{"type": "value", "gridIndex": 0, "show": false, "min": 0, "max": 1},
		map[string]any{"type": "value", "gridIndex": 1, "show": false, "min": 0, "max": turnRows},
		map[string]any{"type": "category", "gridIndex": 2, "data": []string{b.t("axis.events")},
			"axisLine": map[string]any{"show": false}, "axisTick": map[string]any{"show": false},
			"axisLabel": map[string]any{"color": p.muted, "fontSize": 11}},
	})
}

// dots draws a series as its markers alone on axes x and y: a line series
// with no line (the embedded ECharts has no scatter chart); the maker sets
// showAllSymbol, which go-echarts lacks, so that none is left out.
func dots(x, y int, symbol string) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.XAxisIndex = x
		s.YAxisIndex = y
		s.Symbol = symbol
		s.ShowSymbol = opts.Bool(true)
		s.LineStyle = &opts.LineStyle{Width: 0, Opacity: opts.Float(0)}
	})
}

// pow10 is the power of ten at or below n (at or above it when up), at
// least 1: a log axis' end.
func pow10(n int, up bool) int {
	v := 1
	for v*10 <= n {
		v *= 10
	}
	if up && v < n {
		v *= 10
	}
	return v
}

func earliest(a, t time.Time) time.Time {
	if a.IsZero() || t.Before(a) {
		return t
	}
	return a
}

func latest(a, t time.Time) time.Time {
	if t.After(a) {
		return t
	}
	return a
}

// eventTip is an event's tooltip, as a tick in the track.
func (b *builder) eventTip(e dataset.Event) string {
	return "<b>" + esc(e.Title) + "</b><br/>" + esc(b.dateTip(e.Date)) + " · " + b.eventKind(e.Kind) + b.srcTip(e.Source)
}

// eventKind is an event's kind in words.
func (b *builder) eventKind(k dataset.EventKind) string { return b.t("event." + string(k)) }

// turnTip is a turning point's tooltip: the event, and the change around
// it that made it one.
func (b *builder) turnTip(t turn) string {
	tip := b.eventTip(t.e)
	if t.before.Troops > 0 {
		tip += "<br/>" + b.t("tip.turn", b.num(t.before.Troops), esc(t.before.Date.String()), b.num(t.after.Troops), esc(t.after.Date.String()))
	}
	return tip
}

// figureMarker is the marker of a figure of confidence c on a line of
// colour col: marker's shape, drawn as a plain symbol whose fill is set
// here, the line's colour when exact, else the chart's background. ECharts
// fills its "empty" symbols white whatever the theme, so that on the dark
// background the hollow markers looked filled and the filled ones hollow.
func (p palette) figureMarker(c dataset.Confidence, col string) (string, int, map[string]any) {
	m := marker[c]
	fill := p.bg
	if c == dataset.Exact {
		fill = col
	}
	sym := m.Symbol
	if rest, ok := strings.CutPrefix(sym, "empty"); ok {
		sym = strings.ToLower(rest[:1]) + rest[1:] // emptyCircle: circle
	}
	return sym, m.Size, map[string]any{"color": fill, "borderColor": col}
}

// orDay is t as YYYY-MM-DD, or def when t is zero.
func orDay(t time.Time, def string) string {
	if t.IsZero() {
		return def
	}
	return day(t)
}

func hasKind(ks []dataset.EventKind, k dataset.EventKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// phaseAreas shades the phases of the force's history.
func (b *builder) phaseAreas() charts.SeriesOpts {
	var data []any
	for i, ph := range b.d.Phases {
		if !b.v.In(ph.Start.Start()) && !b.v.In(ph.End.End().AddDate(0, 0, -1)) {
			continue
		}
		b.src.add(ph.Source)
		col := b.pal.phases[i%len(b.pal.phases)]
		tip := "<b>" + esc(ph.Name) + "</b><br/>" + b.t("tip.period", esc(ph.Start.String()), esc(ph.End.String())) + b.srcTip(ph.Source)
		data = append(data, []any{
			map[string]any{"name": ph.Name, "xAxis": day(ph.Start.Start()), "itemStyle": map[string]any{"color": col}, "tip": tip},
			map[string]any{"xAxis": day(ph.End.End().AddDate(0, 0, -1))},
		})
	}
	return charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		if len(data) == 0 {
			return
		}
		s.MarkAreas = &opts.MarkAreas{Data: data, MarkAreaStyle: opts.MarkAreaStyle{
			Label: &opts.Label{Show: opts.Bool(true), Position: "insideTop", Color: b.pal.muted, FontSize: 10},
		}}
	})
}

func (b *builder) phaseTable() Table {
	t := Table{Caption: b.t("table.phases"), Head: b.heads("from", "to", "phase", "source")}
	for _, ph := range b.d.Phases {
		t.Rows = append(t.Rows, []string{ph.Start.String(), ph.End.String(), ph.Name, sourceName(ph.Source)})
	}
	return t
}

// heads are a table's column heads: messages table.head.NAME.
func (b *builder) heads(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = b.t("table.head." + n)
	}
	return out
}

// sourceName is a source as a table cell: its publisher and date (the
// list under each chart gives the title and link).
func sourceName(s *dataset.Source) string {
	if s == nil {
		return ""
	}
	return s.Publisher + ", " + s.Published.String()
}
