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
	tbl := Table{Caption: "Troops of each nation followed, in every figure the record has for it", Head: []string{"Nation", "Date", "Troops", "Confidence", "From", "Source"}}
	drawn := 0
	nations := followed(b.d, b.v)
	var names []string
	for _, nat := range nations {
		names = append(names, nat.Name)
		var data []item
		for _, f := range b.d.NationFigures(nat.Code) {
			if !b.v.In(f.Date.Time()) {
				continue
			}
			b.used(f.Source, f.Date)
			from := "national source"
			if f.List != nil {
				from = "list " + f.List.ID + ", " + listKind(f.List)
			}
			tip := "<b>" + esc(nat.Name) + "</b>: " + num(f.Troops) + " troops<br/>" + esc(dateTip(f.Date)) + " · " + esc(from) + " · " + string(f.Confidence) + srcTip(f.Source)
			m := marker[f.Confidence]
			data = append(data, item{Value: []any{f.Date.ISO(), f.Troops}, Symbol: m.Symbol, SymbolSize: m.Size, Tip: tip})
			tbl.Rows = append(tbl.Rows, []string{nat.Name, f.Date.String(), num(f.Troops), string(f.Confidence), from, sourceName(f.Source)})
		}
		drawn += len(data)
		c.AddSeries(nat.Name, nil, withData(data),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 6, ConnectNulls: opts.Bool(true)}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 1.5}))
	}
	if drawn == 0 {
		b.out.Note = noFigures
	}
	if len(b.v.Nations) > 0 {
		b.out.Title = "Contingents over time: " + strings.Join(names, ", ")
	}
	c.SetGlobalOptions(append(b.frame("", true, 0),
		charts.WithXAxisOpts(b.timeAxis()),
		charts.WithYAxisOpts(b.valueAxis("Troops")),
	)...)
	b.set("yAxis.0.type", "log")
	b.set("yAxis.0.logBase", 10)
	b.chart = c
	who := "The nations with the largest contingent in any list (choose others with the nation picker, or nation=DEU,ITA in the address)"
	if len(b.v.Nations) > 0 {
		who = "The nations chosen"
	}
	b.out.Note = joinNote(b.out.Note, who+"; every figure the record has for each, from per-nation lists and national sources. A line joins the figures, so a straight stretch is a gap between sources, not a steady level. Logarithmic scale: each step is ten times the one below. Markers as on the strength chart: filled exact, hollow approximate, triangle uncertain.")
	b.out.Tables = []Table{tbl}
	b.out.Data = []Link{{"Nations JSON", "/api/v1/nations"}, {"Nations CSV", "/api/v1/nations.csv"}}
	return nil
}
