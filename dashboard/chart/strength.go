package chart

import (
	"fmt"
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
}

var confidenceLabel = map[dataset.Confidence]string{
	dataset.Exact:       "exact figure",
	dataset.Approximate: "approximate (about, some)",
	dataset.Derived:     "derived",
	dataset.Uncertain:   "uncertain",
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
	byConf := map[dataset.Confidence][]item{}
	tbl := Table{Caption: "Total strength, the preferred figure per date", Head: []string{"Date", "Troops", "Confidence", "Nations", "Source"}}
	for _, pt := range b.d.Series() {
		if !b.v.In(pt.Date.Time()) {
			continue
		}
		b.used(pt.Source, pt.Date)
		v := []any{pt.Date.ISO(), pt.Troops}
		line = append(line, item{Value: v})
		m := marker[pt.Confidence]
		byConf[pt.Confidence] = append(byConf[pt.Confidence], item{Value: v, Symbol: m.Symbol, SymbolSize: m.Size, Tip: pointTip(pt)})
		nations := ""
		if pt.Count != nil {
			nations = strconv.Itoa(pt.Count.Nations)
		}
		tbl.Rows = append(tbl.Rows, []string{pt.Date.String(), num(pt.Troops), string(pt.Confidence), nations, sourceName(pt.Source)})
	}
	if len(line) == 0 {
		b.out.Note = noFigures
	}

	c := charts.NewLine()
	c.AddSeries("Troops", nil, withData(line),
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: p.strength, Width: 2}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.strength}),
		b.phaseAreas())
	b.set("series.0.silent", true)
	n := 1
	for _, conf := range dataset.Confidences {
		items := byConf[conf]
		if len(items) == 0 {
			continue
		}
		c.AddSeries(confidenceLabel[conf], nil, withData(items),
			charts.WithLineChartOpts(opts.LineChart{Symbol: marker[conf].Symbol, SymbolSize: marker[conf].Size}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: p.strength, BorderWidth: 1.5}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 0, Opacity: opts.Float(0)}))
		b.set("series."+strconv.Itoa(n)+".z", 3)
		n++
	}
	events := Table{Caption: "Events drawn as vertical lines", Head: []string{"Date", "Kind", "Event", "Source"}}
	for _, g := range eventGroups {
		var data []any
		for _, e := range b.d.Events {
			if !hasKind(g.kinds, e.Kind) || !b.v.In(e.Date.Time()) {
				continue
			}
			b.src.add(e.Source)
			tip := "<b>" + esc(e.Title) + "</b><br/>" + esc(dateTip(e.Date)) + " · " + string(e.Kind) + srcTip(e.Source)
			data = append(data, map[string]any{"xAxis": e.Date.ISO(), "name": e.Title, "tip": tip})
			events.Rows = append(events.Rows, []string{e.Date.String(), string(e.Kind), e.Title, sourceName(e.Source)})
		}
		if len(data) == 0 {
			continue
		}
		col := g.color(p)
		c.AddSeries(g.name, nil, withData([]item{}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: col}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: col}),
			charts.WithSeriesOpts(func(s *charts.SingleSeries) {
				s.MarkLines = &opts.MarkLines{Data: data, MarkLineStyle: opts.MarkLineStyle{
					Symbol:    []string{"none", "none"},
					Label:     &opts.Label{Show: opts.Bool(false)},
					LineStyle: &opts.LineStyle{Color: col, Type: "dashed", Width: 1, Opacity: opts.Float(0.5)},
				}}
			}))
		ns := "series." + strconv.Itoa(n)
		b.set(ns+".markLine.emphasis.label", map[string]any{"show": true, "formatter": "{b}", "position": "insideEndTop", "color": p.text})
		b.set(ns+".markLine.emphasis.lineStyle", map[string]any{"width": 2, "opacity": 1})
		n++
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
	c.SetGlobalOptions(append(b.frame("", true, 40),
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
	b.set("dataZoom.1.height", 22)
	b.set("dataZoom.1.bottom", 26)
	b.set("brush.brushMode", "single")
	b.set("brush.brushStyle", map[string]any{"borderWidth": 1, "color": "rgba(120,140,170,0.2)", "borderColor": p.muted})
	b.set("brush.throttleType", "debounce")
	b.set("yAxis.0.min", 0)
	// On a phone the phases' names would run into each other.
	b.narrow = map[string]any{"series": []any{map[string]any{"markArea": map[string]any{"label": map[string]any{"show": false}}}}}
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
