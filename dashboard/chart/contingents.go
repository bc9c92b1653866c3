package chart

import (
	"sort"
	"strings"

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

// followed returns the nations the contingents chart draws: those the
// view names, else the largest contingents.
func followed(d *dataset.Dataset, v View) []*dataset.Nation {
	if len(v.Nations) == 0 {
		return largest(d, topContingents)
	}
	var ns []*dataset.Nation
	for _, code := range v.Nations {
		if n := d.Nation(code); n != nil {
			ns = append(ns, n)
		}
	}
	return ns
}

func contingentsChart(b *builder) error {
	c := charts.NewLine()
	tbl := Table{Caption: b.t("table.contingents"), Head: b.heads("nation", "date", "troops", "confidence", "origin", "source")}
	drawn := 0
	nations := followed(b.d, b.v)
	var names []string
	for _, nat := range nations {
		name := b.nation(nat)
		names = append(names, name)
		var data []item
		for _, f := range b.d.NationFigures(nat.Code) {
			if !b.v.In(f.Date.Time()) {
				continue
			}
			b.used(f.Source, f.Date)
			from := b.t("origin.national")
			if f.List != nil {
				from = b.t("origin.list", f.List.ID, b.listKind(f.List))
			}
			tip := "<b>" + esc(name) + "</b>: " + b.t("troops", b.num(f.Troops)) + "<br/>" + esc(b.dateTip(f.Date)) + " · " + esc(from) + " · " + b.confidence(f.Confidence) + b.srcTip(f.Source)
			m := marker[f.Confidence]
			data = append(data, item{Value: []any{f.Date.ISO(), f.Troops}, Symbol: m.Symbol, SymbolSize: m.Size, Tip: tip})
			tbl.Rows = append(tbl.Rows, []string{name, f.Date.String(), b.num(f.Troops), b.confidence(f.Confidence), from, sourceName(f.Source)})
		}
		drawn += len(data)
		c.AddSeries(name, nil, withData(data),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 6, ConnectNulls: opts.Bool(true)}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 1.5}))
	}
	if drawn == 0 {
		b.out.Note = b.t("chart.no_figures")
	}
	if len(b.v.Nations) > 0 {
		b.out.Title = b.t("chart.contingents.chosen", strings.Join(names, ", "))
	}
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis(b.t("axis.troops"))),
	)...)
	b.set("yAxis.0.type", "log")
	b.set("yAxis.0.logBase", 10)
	b.chart = c
	who := b.t("note.contingents.largest", "nation=DEU,ITA") // the address, as it is in any language
	if len(b.v.Nations) > 0 {
		who = b.t("note.contingents.chosen")
	}
	b.out.Note = joinNote(b.out.Note, b.t("note.contingents", who))
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{b.t("link.nations", "JSON"), "/api/v1/nations"}, {b.t("link.nations", "CSV"), "/api/v1/nations.csv"}}
	return nil
}
