package chart

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// eventGroup is a set of event kinds drawn as one legend entry of vertical
// lines on the strength chart. Kinds in no group (command changes, nations
// joining or leaving, political events) are listed in the table only.
type eventGroup struct {
	name  string
	kinds []dataset.EventKind
	color func(palette) string
}

var eventGroups = []eventGroup{
	{"Cuts announced or made", []dataset.EventKind{dataset.Reduction}, func(p palette) string { return p.down }},
	{"Deployments and reinforcements", []dataset.EventKind{dataset.Deployment, dataset.Reinforcement}, func(p palette) string { return p.up }},
	{"Unrest", []dataset.EventKind{dataset.Unrest}, func(p palette) string { return p.unrest }},
	{"Restructurings", []dataset.EventKind{dataset.Restructuring}, func(p palette) string { return p.series[5] }},
}

// sliderBottom is the zoom slider's distance from the chart's bottom edge:
// the source line takes the 18px below it, and 22px keep them apart.
const sliderBottom = 40

// markerKey is the strength chart's subtitle: what its markers mean.
const markerKey = "Marker: filled circle exact, open circle approximate, diamond derived, triangle uncertain. Dashed lines: events."

// maxEventLines bounds the events drawn as lines across the strength
// chart: past it (the real record has 70) they would cover the plot, so
// each is drawn as a tick along its foot instead (eventTick high, on the
// events' 0-1 axis), and the subtitle says so.
const (
	maxEventLines = 300
	eventTick     = 0.05
	tickKey       = "Marker: filled circle exact, open circle approximate, diamond derived, triangle uncertain. Ticks at the foot: events."
)

// eventsTip lists, for a figure's tooltip, the events drawn since the
// figure before it (and, for the newest figure, after it too).
func eventsTip(es []dataset.Event, at time.Time) string {
	if len(es) == 0 {
		return ""
	}
	const most = 5
	head := "Events since the figure before"
	if es[len(es)-1].Date.Time().After(at) {
		head = "Events since the figure before, and after"
	}
	tip := "<br/><br/>" + head + ":"
	for i, e := range es {
		if i == most {
			tip += "<br/>and " + strconv.Itoa(len(es)-most) + " more (see the table of events)"
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

func pointTip(p dataset.Point) string {
	tip := "<b>" + num(p.Troops) + " troops</b><br/>" + esc(dateTip(p.Date)) + " · " + string(p.Confidence)
	if p.Count != nil {
		tip += "<br/>" + strconv.Itoa(p.Count.Nations) + " nations"
	}
	return tip + srcTip(p.Source)
}

func strengthChart(b *builder) error {
	p := b.pal
	var line []item
	tbl := Table{Caption: "Total strength, the preferred figure per date", Head: []string{"Date", "Troops", "Confidence", "Nations", "Source"}}
	var shown []dataset.Point
	for _, pt := range b.d.Series() {
		if !b.v.In(pt.Date.Time()) {
			continue
		}
		b.used(pt.Source, pt.Date)
		shown = append(shown, pt)
		nations := ""
		if pt.Count != nil {
			nations = strconv.Itoa(pt.Count.Nations)
		}
		tbl.Rows = append(tbl.Rows, []string{pt.Date.String(), num(pt.Troops), string(pt.Confidence), nations, sourceName(pt.Source)})
	}
	if len(shown) == 0 {
		b.out.Note = noFigures
	}

	// Events: each group is one line series on a hidden 0-1 axis, a
	// dashed segment from bottom to top per event with a gap between
	// them: one path per group, where a mark line per event made the
	// chart's image twice as slow to draw. The lines are silent; each
	// figure's tooltip names the events since the figure before it, and
	// the table lists them all.
	c := charts.NewLine()
	events := Table{Caption: "Events drawn as vertical lines", Head: []string{"Date", "Kind", "Event", "Source"}}
	var drawn []dataset.Event
	type drawnGroup struct {
		eventGroup
		data [][2]any
	}
	var groups []drawnGroup
	for _, g := range eventGroups {
		var data [][2]any
		for _, e := range b.d.Events {
			if !hasKind(g.kinds, e.Kind) || !b.v.In(e.Date.Time()) {
				continue
			}
			b.src.add(e.Source)
			x := e.Date.ISO()
			data = append(data, [2]any{x, 0}, [2]any{x, 1}, [2]any{x, "-"})
			drawn = append(drawn, e)
			events.Rows = append(events.Rows, []string{e.Date.String(), string(e.Kind), e.Title, sourceName(e.Source)})
		}
		if len(data) == 0 {
			continue
		}
		groups = append(groups, drawnGroup{g, data})
	}
	sort.SliceStable(drawn, func(i, j int) bool { return drawn[i].Date.Time().Before(drawn[j].Date.Time()) })
	key, eventLine := markerKey, "dashed"
	if len(drawn) > maxEventLines {
		key, eventLine = tickKey, "solid"
		events.Caption = "Events drawn as ticks at the foot of the chart"
		for _, g := range groups {
			for i := 1; i < len(g.data); i += 3 {
				g.data[i][1] = eventTick
			}
		}
		b.out.Note = joinNote(b.out.Note, fmt.Sprintf("The %s events in view are too many to draw as lines across the chart: each is a tick at its foot. A date range with at most %d events draws them as lines; each figure's tooltip names the events since the figure before, and the table lists them all.",
			num(len(drawn)), maxEventLines))
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
		m := marker[pt.Confidence]
		line = append(line, item{Value: []any{pt.Date.ISO(), pt.Troops}, Symbol: m.Symbol, SymbolSize: m.Size,
			Tip: pointTip(pt) + eventsTip(since, pt.Date.Time())})
	}
	c.AddSeries("Troops", nil, withData(line),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true)}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: p.strength, Width: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.strength, BorderWidth: 1.5}),
		b.phaseAreas())
	b.set("series.0.z", 3)
	b.set("series.0.markArea.silent", true)
	for i, g := range groups {
		col := g.color(p)
		c.AddSeries(g.name, nil, withData(g.data),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "none", ConnectNulls: opts.Bool(false), YAxisIndex: 1}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
			// Width 2, as the strength line: ECharts then clips both to the
			// same rectangle, which the image exporter draws as one layer.
			charts.WithLineStyleOpts(opts.LineStyle{Color: col, Type: eventLine, Width: 2, Opacity: opts.Float(0.3)}))
		b.set("series."+strconv.Itoa(i+1)+".silent", true)
	}

	if pts := b.d.Series(); len(line) > 0 {
		peak := b.d.Peak()
		latest := pts[len(pts)-1]
		b.out.Description += fmt.Sprintf(" The highest figure is %s troops (%s); the latest %s troops (%s).",
			num(peak.Troops), peak.Date, num(latest.Troops), latest.Date)
	}
	first, last := "", ""
	if len(line) > 0 {
		first, last = line[0].Value.([]any)[0].(string), line[len(line)-1].Value.([]any)[0].(string)
	}
	c.SetGlobalOptions(append(b.frame(key, true, 54),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis("Troops")),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: 0, FilterMode: "none"},
			opts.DataZoom{Type: "slider", XAxisIndex: 0, FilterMode: "none"},
		),
		charts.WithBrush(opts.Brush{XAxisIndex: 0}),
	)...)
	c.Toolbox.Feature.Brush = &opts.ToolBoxFeatureBrush{Type: []string{"lineX", "clear"}}
	c.Toolbox.Feature.DataZoom = &opts.ToolBoxFeatureDataZoom{Show: opts.Bool(true), YAxisIndex: "none",
		Title: map[string]string{"zoom": "Zoom to an area", "back": "Undo zoom"}}
	// A ranged view opens zoomed to its range, the whole record a drag away.
	x := c.XAxisList[0]
	x.Min, x.Max = nil, nil
	c.XAxisList[0] = x
	if b.v.Ranged() {
		b.set("dataZoom.0.startValue", orDay(b.v.From, first))
		b.set("dataZoom.0.endValue", orDay(b.v.To, last))
		b.set("dataZoom.1.startValue", orDay(b.v.From, first))
		b.set("dataZoom.1.endValue", orDay(b.v.To, last))
	}
	if note := b.sample(0, len(line), "figures", "the line is drawn through", "Zoom in to draw every figure of a stretch, each with its marker; the table and the strength CSV list them all."); note != "" {
		// The zoom filters out the figures outside it, so that the
		// sampling is of the figures in view: zoomed in far enough, every
		// figure is drawn. (Without it, a zoom would only magnify the
		// sample of the whole record.)
		b.set("dataZoom.0.filterMode", "filter")
		b.set("dataZoom.1.filterMode", "filter")
		b.out.Note = joinNote(b.out.Note, note)
	}
	b.set("dataZoom.1.height", 22)
	// Clear of the source line under it (bottom 4, 11px text).
	b.set("dataZoom.1.bottom", sliderBottom)
	b.set("brush.brushMode", "single")
	b.set("brush.brushStyle", map[string]any{"borderWidth": 1, "color": "rgba(120,140,170,0.2)", "borderColor": p.muted})
	b.set("brush.throttleType", "debounce")
	b.set("yAxis.0.min", 0)
	c.ExtendYAxis(opts.YAxis{Type: "value", Show: opts.Bool(false), Min: 0, Max: 1})
	// On a phone the phases' names would run into each other.
	// The marker key would not fit: the page says it under the chart.
	b.narrow = map[string]any{
		"series": []any{map[string]any{"markArea": map[string]any{"label": map[string]any{"show": false}}}},
		"legend": map[string]any{"top": "34"}, "grid": map[string]any{"top": "90"},
	}
	b.narrowTitle = map[string]any{"subtext": ""}
	b.chart = c
	b.out.Height = 480
	b.out.Tables = []Table{tbl, events, b.phaseTable()}
	b.out.Data = []Link{
		{"Strength CSV", "/api/v1/strength.csv"}, {"Strength JSON", "/api/v1/strength"},
		{"Events CSV", "/api/v1/events.csv"}, {"Events JSON", "/api/v1/events"},
	}
	return nil
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
		tip := "<b>" + esc(ph.Name) + "</b><br/>" + esc(ph.Start.String()) + " to " + esc(ph.End.String()) + srcTip(ph.Source)
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
	t := Table{Caption: "Phases drawn as shaded areas", Head: []string{"From", "To", "Phase", "Source"}}
	for _, ph := range b.d.Phases {
		t.Rows = append(t.Rows, []string{ph.Start.String(), ph.End.String(), ph.Name, sourceName(ph.Source)})
	}
	return t
}

// sourceName is a source as a table cell: its publisher and date (the
// list under each chart gives the title and link).
func sourceName(s *dataset.Source) string {
	if s == nil {
		return ""
	}
	return s.Publisher + ", " + s.Published.String()
}
