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
	Name       string `json:"name,omitempty"`
	Value      any    `json:"value"`
	Symbol     string `json:"symbol,omitempty"`
	SymbolSize int    `json:"symbolSize,omitempty"`
	// SymbolOffset shifts the symbol by [x, y] pixels (units drawn side
	// by side at one place on the structure map).
	SymbolOffset []int          `json:"symbolOffset,omitempty"`
	ItemStyle    map[string]any `json:"itemStyle,omitempty"`
	Label        map[string]any `json:"label,omitempty"`
	Tip          string         `json:"tip,omitempty"`
}

// withData sets a series' data to items.
func withData[T any](data []T) charts.SeriesOpts {
	return charts.WithSeriesOpts(func(s *charts.SingleSeries) { s.Data = data })
}

// day formats an instant as the YYYY-MM-DD that ECharts' time axis reads.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// dateTip is a date in words as a reader sees it in a tooltip, with its
// precision when the source gave only a month or a year.
func (b *builder) dateTip(d dataset.Date) string {
	switch d.Precision {
	case dataset.Month:
		return b.t("date.month_given", b.pr.Date(d.Year, int(d.Month), 0))
	case dataset.Year:
		return b.t("date.year_given", b.pr.Date(d.Year, 0, 0))
	}
	return b.pr.Date(d.Year, int(d.Month), d.Day)
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

// sampleAbove is the number of points above which a series over time is
// drawn sampled. ECharts then draws, wherever the points outnumber the
// pixels across the plot, only the lowest and the highest of each run of
// consecutive points ("minmax"): every peak and trough still shows, and
// each point drawn keeps its own tooltip and style. Min-max rather than
// LTTB, which keeps one point a run and may drop a peak. The real record
// has about a hundred points a series: far below this, and drawn whole.
const sampleAbove = 1000

// sample draws series i, of n points, sampled when n is above
// sampleAbove, and returns the note that says so ("" when it is not):
// message note, whose arguments are n and "CSV" (a name no language
// translates, and Serbian's Cyrillic does not transliterate).
func (b *builder) sample(i, n int, note string) string {
	if n <= sampleAbove {
		return ""
	}
	b.set("series."+itoa(i)+".sampling", "minmax")
	return b.t(note, b.num(n), "CSV")
}
