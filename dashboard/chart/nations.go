package chart

import (
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// countsByDate keeps one nation count per date: one with a NATO/partner
// split first, then the more trustworthy.
func countsByDate(cs []dataset.CountPoint) []dataset.CountPoint {
	var out []dataset.CountPoint
	idx := map[string]int{}
	for _, c := range cs {
		k := c.Date.String()
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, c)
			continue
		}
		if countBetter(c, out[i]) {
			out[i] = c
		}
	}
	return out
}

func countBetter(a, b dataset.CountPoint) bool {
	if (a.NATO != nil) != (b.NATO != nil) {
		return a.NATO != nil
	}
	if a.SplitDerived != b.SplitDerived {
		return !a.SplitDerived
	}
	return confRank(a.Confidence) < confRank(b.Confidence)
}

func confRank(c dataset.Confidence) int {
	for i, x := range dataset.Confidences {
		if x == c {
			return i
		}
	}
	return len(dataset.Confidences)
}

func nationsChart(b *builder) error {
	p := b.pal
	var all, nato, partner []item
	tbl := Table{Caption: b.t("table.nations"), Head: b.heads("date", "nations", "nato", "partner", "split", "source")}
	for _, c := range countsByDate(b.d.NationCounts()) {
		if !b.v.In(c.Date.Time()) {
			continue
		}
		b.used(c.Source, c.Date)
		iso := c.Date.ISO()
		tip := "<b>" + b.t("tip.nations", c.Nations) + "</b><br/>" + esc(b.dateTip(c.Date)) + " · " + b.confidence(c.Confidence)
		row := []string{c.Date.String(), strconv.Itoa(c.Nations), "", "", "", sourceName(c.Source)}
		if c.NATO != nil && c.Partner != nil {
			how := b.t("split.given")
			switch {
			case c.FromList != nil:
				how = b.t("split.counted", c.FromList.ID)
			case c.SplitDerived:
				how = b.t("split.derived")
			}
			tip += "<br/>" + b.t("tip.split", *c.NATO, *c.Partner, esc(how))
			row[2], row[3], row[4] = strconv.Itoa(*c.NATO), strconv.Itoa(*c.Partner), how
		}
		tip += b.srcTip(c.Source)
		all = append(all, item{Value: []any{iso, c.Nations}, Tip: tip})
		if c.NATO != nil && c.Partner != nil {
			nato = append(nato, item{Value: []any{iso, *c.NATO}, Tip: tip})
			partner = append(partner, item{Value: []any{iso, *c.Partner}, Tip: tip})
		}
		tbl.Rows = append(tbl.Rows, row)
	}
	if len(all) == 0 {
		b.out.Note = b.t("chart.no_figures")
	}
	c := charts.NewBar()
	bar := func(m dataset.Membership) []charts.SeriesOpts {
		return []charts.SeriesOpts{
			charts.WithBarChartOpts(opts.BarChart{Stack: "split", BarWidth: "7"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: p.membership(m)}),
		}
	}
	c.AddSeries(b.t("membership.nato"), nil, append(bar(dataset.NATO), withData(nato))...)
	c.AddSeries(b.t("legend.partners"), nil, append(bar(dataset.Partner), withData(partner))...)
	b.set("series.0.itemStyle.decal", decalNone)
	b.set("series.1.itemStyle.decal", decalStriped)
	c.AddSeries(b.t("legend.all_nations"), nil, withData(all), charts.WithSeriesOpts(func(s *charts.SingleSeries) {
		s.Type = "line"
		s.Symbol = "circle"
		s.SymbolSize = 5
	}), charts.WithLineStyleOpts(opts.LineStyle{Color: p.text, Width: 1.5}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: p.text}))
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis(b.t("axis.nations"))),
	)...)
	b.set("yAxis.0.minInterval", 1)
	b.chart = c
	b.out.Note = joinNote(b.out.Note, b.t("note.nations"))
	b.out.Note = joinNote(b.out.Note, b.sample(2, len(all), "note.sample.nations"))
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{b.t("link.counts", "CSV"), "/api/v1/counts.csv"}, {b.t("link.counts", "JSON"), "/api/v1/counts"}}
	return nil
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + " " + b
}
