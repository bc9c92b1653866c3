package chart

import (
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// topContingents is how many nations the contingents chart follows.
const topContingents = 6

// largest returns the n nations with the largest contingent in any list,
// largest first (ties by code, so the choice is stable).
func largest(d *dataset.Dataset, n int) []*dataset.Nation {
	peak := map[*dataset.Nation]int{}
	for _, ls := range d.Lists {
		for _, e := range ls.Entries {
			peak[e.Nation] = max(peak[e.Nation], e.Troops)
		}
	}
	var ns []*dataset.Nation
	for nat := range peak {
		ns = append(ns, nat)
	}
	sort.Slice(ns, func(i, j int) bool {
		if peak[ns[i]] != peak[ns[j]] {
			return peak[ns[i]] > peak[ns[j]]
		}
		return ns[i].Code < ns[j].Code
	})
	return ns[:min(n, len(ns))]
}

func contingentsChart(b *builder) error {
	c := charts.NewLine()
	tbl := Table{Caption: "Troops of the largest contingents, in every list naming them", Head: []string{"Nation", "Date", "Troops", "List", "Source"}}
	drawn := 0
	for _, nat := range largest(b.d, topContingents) {
		var data []item
		for _, np := range b.d.NationSeries(nat.Code) {
			ls := np.List
			if !b.v.In(ls.Date.Time()) {
				continue
			}
			b.used(ls.Source, ls.Date)
			tip := "<b>" + esc(nat.Name) + "</b>: " + num(np.Troops) + " troops<br/>" + esc(dateTip(ls.Date)) + " · " + esc(listKind(ls)) + " · " + string(np.Confidence) + srcTip(ls.Source)
			m := marker[np.Confidence]
			data = append(data, item{Value: []any{ls.Date.ISO(), np.Troops}, Symbol: m.Symbol, SymbolSize: m.Size, Tip: tip})
			tbl.Rows = append(tbl.Rows, []string{nat.Name, ls.Date.String(), num(np.Troops), ls.ID, sourceName(ls.Source)})
		}
		drawn += len(data)
		c.AddSeries(nat.Name, nil, withData(data),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 6, ConnectNulls: opts.Bool(true)}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 1.5}))
	}
	if drawn == 0 {
		b.out.Note = noFigures
	}
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis("Troops")),
	)...)
	b.set("yAxis.0.type", "log")
	b.set("yAxis.0.logBase", 10)
	b.chart = c
	b.out.Note = joinNote(b.out.Note, "The nations with the largest contingent in any list; a line joins the lists that name a nation, so a straight stretch is a gap between sources, not a steady level. Logarithmic scale: each step is ten times the one below. Markers as on the strength chart: filled exact, hollow approximate, triangle uncertain.")
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{"Nations JSON", "/api/v1/nations"}, {"Nations CSV", "/api/v1/nations.csv"}}
	return nil
}
