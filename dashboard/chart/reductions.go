package chart

import (
	"fmt"
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// split puts a change's bar in the series of rises or that of cuts, and
// "-" (no bar) in the other: one colour a series, each keyed in the legend.
func split(bar item, delta int) (up, down any) {
	if delta < 0 {
		return "-", bar
	}
	return bar, "-"
}

func reductionsChart(b *builder) error {
	p := b.pal
	index := map[*dataset.Observation]int{}
	for i, pt := range b.d.Series() {
		index[pt.Obs] = i
	}
	dd := b.d.DrawdownAt()
	var years []string
	var ups, downs []any
	var drawdown []item
	tbl := Table{Caption: b.t("table.reductions"), Head: b.heads("year", "last_figure", "date", "change", "since", "below_peak")}
	for _, y := range b.d.Yearly() {
		if !b.v.In(time.Date(y.Year, 7, 1, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		b.used(y.Point.Source, y.Point.Date)
		ys := strconv.Itoa(y.Year)
		years = append(years, ys)
		ratio := dd[index[y.Point.Obs]]
		head := "<b>" + ys + "</b>: " + b.t("tip.year_last", b.num(y.Point.Troops), esc(y.Point.Date.String()))
		row := []string{ys, b.num(y.Point.Troops), y.Point.Date.String(), "", "", b.percent(pct(ratio))}
		if y.HasPrv {
			bar := item{Value: y.Delta, Tip: head + "<br/>" + b.t("tip.change_since", b.signed(y.Delta), strconv.Itoa(y.Prev)) + b.srcTip(y.Point.Source)}
			up, down := split(bar, y.Delta)
			ups, downs = append(ups, up), append(downs, down)
			row[3], row[4] = b.signed(y.Delta), strconv.Itoa(y.Prev)
		} else {
			ups, downs = append(ups, "-"), append(downs, "-")
		}
		drawdown = append(drawdown, item{Value: pct(ratio), Tip: head + "<br/>" + b.t("tip.below_peak", b.percent(pct(ratio))) + b.srcTip(y.Point.Source)})
		tbl.Rows = append(tbl.Rows, row)
	}
	if len(years) == 0 {
		b.out.Note = b.t("chart.no_figures")
	}
	c := charts.NewBar()
	c.SetXAxis(years)
	// Rises and cuts are two series, one colour each, so that the legend
	// is the key to both; stacked, each year's one bar keeps its place.
	c.AddSeries(b.t("legend.rise_year"), nil, withData(ups), charts.WithBarChartOpts(opts.BarChart{Stack: "change"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.up}))
	c.AddSeries(b.t("legend.cut_year"), nil, withData(downs), charts.WithBarChartOpts(opts.BarChart{Stack: "change"}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.down}))
	c.AddSeries(b.t("legend.below_peak"), nil, withData(drawdown), charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Type = "line"
		s.YAxisIndex = 1
		s.Symbol = "circle"
		s.SymbolSize = 5
	}), charts.WithLineStyleOpts(opts.LineStyle{Color: p.text, Width: 1.5}), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.text}))
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: p.muted, HideOverlap: opts.Bool(true)}}),
		charts.WithYAxisOpts(b.valueAxis(b.t("axis.troops"))),
	)...)
	pctAxis := b.valueAxis(b.t("axis.below_peak"))
	pctAxis.Min, pctAxis.Max = 0, 100
	pctAxis.AxisLabel.Formatter = "{value}%"
	pctAxis.SplitLine = &opts.SplitLine{Show: opts.Bool(false)}
	c.ExtendYAxis(pctAxis)
	b.set("series.0.markLine", map[string]any{"silent": true, "symbol": []string{"none", "none"}, "label": map[string]any{"show": false},
		"lineStyle": map[string]any{"color": p.muted, "type": "solid", "width": 1}, "data": []any{map[string]any{"yAxis": 0}}})
	b.chart = c
	b.out.Note = joinNote(b.out.Note, b.t("note.reductions"))
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{b.t("link.strength", "CSV"), "/api/v1/strength.csv"}, {b.t("link.strength", "JSON"), "/api/v1/strength"}}
	return nil
}

func changesChart(b *builder) error {
	p := b.pal
	var ups, downs []any
	tbl := Table{Caption: b.t("table.changes"), Head: b.heads("from", "to", "troops_before", "troops_after", "change", "change_pct")}
	for _, ch := range b.d.Changes() {
		if !b.v.In(ch.To.Date.Time()) {
			continue
		}
		b.used(ch.To.Source, ch.To.Date)
		b.used(ch.From.Source, ch.From.Date)
		r := pct(ch.Ratio)
		tip := fmt.Sprintf("<b>%s</b> (%s)<br/>%s: %s → %s: %s", b.signed(ch.Delta), b.pr.Percent(r, 1, true),
			esc(ch.From.Date.String()), b.num(ch.From.Troops), esc(ch.To.Date.String()), b.num(ch.To.Troops)) + b.srcTip(ch.To.Source)
		up, down := split(item{Value: []any{ch.To.Date.ISO(), ch.Delta}, Tip: tip}, ch.Delta)
		ups, downs = append(ups, up), append(downs, down)
		tbl.Rows = append(tbl.Rows, []string{ch.From.Date.String(), ch.To.Date.String(), b.num(ch.From.Troops), b.num(ch.To.Troops), b.signed(ch.Delta), b.pr.Percent(r, 1, true)})
	}
	if len(ups) == 0 {
		b.out.Note = b.t("chart.no_figures")
	}
	c := charts.NewBar()
	// As on the chart per year: a series, and a legend entry, per colour.
	c.AddSeries(b.t("legend.rise_figure"), nil, withData(ups),
		charts.WithBarChartOpts(opts.BarChart{BarWidth: "5", Stack: "change"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.up}))
	c.AddSeries(b.t("legend.cut_figure"), nil, withData(downs),
		charts.WithBarChartOpts(opts.BarChart{BarWidth: "5", Stack: "change"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.down}))
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis(b.t("axis.troops"))),
	)...)
	b.set("series.0.barMinHeight", 2)
	b.set("series.1.barMinHeight", 2)
	// Room on either side, so that the first and last bars, centred on
	// their dates, are not cut in half by the axis' ends.
	b.set("xAxis.0.boundaryGap", []string{"1%", "1%"})
	b.chart = c
	b.out.Height = 360
	b.out.Note = joinNote(b.out.Note, b.t("note.changes"))
	if note := b.sample(0, len(ups), "note.sample.changes"); note != "" {
		b.set("series.1.sampling", "minmax")
		b.out.Note = joinNote(b.out.Note, note)
	}
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{b.t("link.strength", "CSV"), "/api/v1/strength.csv"}, {b.t("link.strength", "JSON"), "/api/v1/strength"}}
	return nil
}
