package chart

import (
	"strconv"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// item is a data item. go-echarts' LineData and BarData have no room for
// the per-item tooltip text and style the charts need, so the series are
// added with go-echarts and their data set to these.
type item struct {
	Name       string         `json:"name,omitempty"`
	Value      any            `json:"value"`
	Symbol     string         `json:"symbol,omitempty"`
	SymbolSize int            `json:"symbolSize,omitempty"`
	ItemStyle  map[string]any `json:"itemStyle,omitempty"`
	Tip        string         `json:"tip,omitempty"`
}

// withData sets a series' data to items.
func withData[T any](data []T) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Data = data })
}

// day formats an instant as the YYYY-MM-DD that ECharts' time axis reads.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// dateTip is a date as a reader sees it in a tooltip, with its precision
// when the source gave only a month or a year.
func dateTip(d dataset.Date) string {
	switch d.Precision {
	case dataset.Month:
		return d.Time().Format("January 2006") + " (month given)"
	case dataset.Year:
		return d.String() + " (year given)"
	}
	return d.Time().Format("2 January 2006")
}

// timeAxis is the x axis of the charts over time; a ranged view pins its
// ends to the range.
func (b *builder) timeAxis() opts.XAxis {
	x := opts.XAxis{Type: "time", AxisLabel: &opts.AxisLabel{Color: b.pal.muted, HideOverlap: opts.Bool(true)},
		SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}
	if !b.v.From.IsZero() {
		x.Min = day(b.v.From)
	}
	if !b.v.To.IsZero() {
		x.Max = day(b.v.To)
	}
	return x
}

// valueAxis is a y axis of counts.
func (b *builder) valueAxis(name string) opts.YAxis {
	return opts.YAxis{Type: "value", Name: name, AxisLabel: &opts.AxisLabel{Color: b.pal.muted},
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: b.pal.grid}}}
}

func itoa(n int) string { return strconv.Itoa(n) }
