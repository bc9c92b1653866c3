package chart

import (
	"fmt"
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// changeColor colours a change by its direction.
func (p palette) changeColor(delta int) string {
	if delta < 0 {
		return p.down
	}
	return p.up
}

func reductionsChart(b *builder) error {
	p := b.pal
	index := map[*dataset.Observation]int{}
	for i, pt := range b.d.Series() {
		index[pt.Obs] = i
	}
	dd := b.d.DrawdownAt()
	var years []string
	var deltas []any
	var drawdown []item
	tbl := Table{Caption: "Change per year and drawdown", Head: []string{"Year", "Last figure", "Date", "Change", "Since", "Down from the peak so far"}}
	for _, y := range b.d.Yearly() {
		if !b.v.In(time.Date(y.Year, 7, 1, 0, 0, 0, 0, time.UTC)) {
			continue
		}
		b.used(y.Point.Source, y.Point.Date)
		ys := strconv.Itoa(y.Year)
		years = append(years, ys)
		ratio := dd[index[y.Point.Obs]]
		head := "<b>" + ys + "</b>: last figure " + num(y.Point.Troops) + " troops (" + esc(y.Point.Date.String()) + ")"
		row := []string{ys, num(y.Point.Troops), y.Point.Date.String(), "", "", fmt.Sprintf("%.1f%%", pct(ratio))}
		if y.HasPrv {
			since := "the last figure of " + strconv.Itoa(y.Prev)
			deltas = append(deltas, item{Value: y.Delta, ItemStyle: map[string]any{"color": p.changeColor(y.Delta)},
				Tip: head + "<br/>" + signed(y.Delta) + " since " + since + srcTip(y.Point.Source)})
			row[3], row[4] = signed(y.Delta), strconv.Itoa(y.Prev)
		} else {
			deltas = append(deltas, "-")
		}
		drawdown = append(drawdown, item{Value: pct(ratio), Tip: head + fmt.Sprintf("<br/>%.1f%% below the highest figure so far", pct(ratio)) + srcTip(y.Point.Source)})
		tbl.Rows = append(tbl.Rows, row)
	}
	if len(years) == 0 {
		b.out.Note = noFigures
	}
	c := charts.NewBar()
	c.SetXAxis(years)
	c.AddSeries("Change over the year (troops)", nil, withData(deltas), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.down}))
	c.AddSeries("Down from the peak so far (%)", nil, withData(drawdown), charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Type = "line"
		s.YAxisIndex = 1
		s.Symbol = "circle"
		s.SymbolSize = 5
	}), charts.WithLineStyleOpts(opts.LineStyle{Color: p.text, Width: 1.5}), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.text}))
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Color: p.muted, HideOverlap: opts.Bool(true)}}),
		charts.WithYAxisOpts(b.valueAxis("Troops")),
	)...)
	pctAxis := b.valueAxis("Below peak")
	pctAxis.Min, pctAxis.Max = 0, 100
	pctAxis.AxisLabel.Formatter = "{value}%"
	pctAxis.SplitLine = &opts.SplitLine{Show: opts.Bool(false)}
	c.ExtendYAxis(pctAxis)
	b.set("series.0.markLine", map[string]any{"silent": true, "symbol": []string{"none", "none"}, "label": map[string]any{"show": false},
		"lineStyle": map[string]any{"color": p.muted, "type": "solid", "width": 1}, "data": []any{map[string]any{"yAxis": 0}}})
	b.chart = c
	b.out.Note = joinNote(b.out.Note, "A year's change runs from the last figure of the previous year with a figure to the year's last figure.")
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{"Strength CSV", "/api/v1/strength.csv"}, {"Strength JSON", "/api/v1/strength"}}
	return nil
}

func changesChart(b *builder) error {
	p := b.pal
	var data []item
	tbl := Table{Caption: "Change between consecutive figures", Head: []string{"From", "To", "Troops before", "Troops after", "Change", "Change %"}}
	for _, ch := range b.d.Changes() {
		if !b.v.In(ch.To.Date.Time()) {
			continue
		}
		b.used(ch.To.Source, ch.To.Date)
		b.used(ch.From.Source, ch.From.Date)
		r := pct(ch.Ratio)
		tip := fmt.Sprintf("<b>%s</b> (%+.1f%%)<br/>%s: %s → %s: %s", signed(ch.Delta), r,
			esc(ch.From.Date.String()), num(ch.From.Troops), esc(ch.To.Date.String()), num(ch.To.Troops)) + srcTip(ch.To.Source)
		data = append(data, item{Value: []any{ch.To.Date.ISO(), ch.Delta}, ItemStyle: map[string]any{"color": p.changeColor(ch.Delta)}, Tip: tip})
		tbl.Rows = append(tbl.Rows, []string{ch.From.Date.String(), ch.To.Date.String(), num(ch.From.Troops), num(ch.To.Troops), signed(ch.Delta), fmt.Sprintf("%+.1f%%", r)})
	}
	if len(data) == 0 {
		b.out.Note = noFigures
	}
	c := charts.NewBar()
	c.AddSeries("Change from the previous figure (troops)", nil, withData(data),
		charts.WithBarChartOpts(opts.BarChart{BarWidth: "5"}), charts.WithItemStyleOpts(opts.ItemStyle{Color: p.down}))
	c.SetGlobalOptions(append(b.frame("", false, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis("Troops")),
	)...)
	b.set("series.0.barMinHeight", 2)
	b.chart = c
	b.out.Height = 360
	b.out.Note = joinNote(b.out.Note, "Each bar is drawn at the date of the later figure; figures known only to the month or year are drawn mid-period.")
	b.out.Note = joinNote(b.out.Note, b.sample(0, len(data), "changes", "bars are drawn for", "A shorter date range draws more of them; the table lists them all."))
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{"Strength CSV", "/api/v1/strength.csv"}, {"Strength JSON", "/api/v1/strength"}}
	return nil
}
