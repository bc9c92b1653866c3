package chart

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// listKind describes a list in a few words: "complete list, 27 nations".
func (b *builder) listKind(ls *dataset.List) string {
	if ls.Complete {
		return b.t("list.complete", nationsCount(b.pr, len(ls.Entries)))
	}
	return b.t("list.partial_named", nationsCount(b.pr, len(ls.Entries)))
}

// listSummary describes a list with how much of the force it accounts
// for: "complete list, 27 nations, 98% of 4,353".
func (b *builder) listSummary(ls *dataset.List) string {
	if ls.Complete {
		return b.t("list.complete", CoverageText(b.pr, b.d, ls))
	}
	return b.t("list.partial", CoverageText(b.pr, b.d, ls))
}

// listLinks are the API URLs of list ls.
func (b *builder) listLinks(ls *dataset.List) []Link {
	q := url.Values{"date": {ls.Date.ISO()}}
	if ls.Complete {
		q.Set("complete", "1")
	}
	s := "?" + q.Encode()
	return []Link{{b.t("link.list", "CSV"), "/api/v1/contributions.csv" + s}, {b.t("link.list", "JSON"), "/api/v1/contributions" + s}}
}

// maxNationBars bounds the nations chart: a list naming more than
// maxNationBars+2 nations draws its maxNationBars largest and the others
// summed by membership, in at most two more bars, so that the chart stays
// a readable height however many nations a record lists. The real
// record's longest list names 30 nations: it is drawn whole.
const maxNationBars = 40

// nationBar is one bar of the nations chart, of one nation or of the
// nations folded into it.
type nationBar struct {
	name   string
	m      dataset.Membership
	troops int
	tip    string
}

func contributionsChart(b *builder) error {
	p := b.pal
	choice := ChooseList(b.d, b.v)
	ls := choice.List
	if ls == nil {
		b.out.Note = b.t("chart.no_list")
		b.chart = charts.NewBar()
		return nil
	}
	b.used(ls.Source, ls.Date)
	at := ls.Date.Time()
	entries := append([]dataset.Contribution(nil), ls.Entries...)
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Troops > entries[j].Troops })
	drawn, rest := entries, []dataset.Contribution(nil)
	if len(entries) > maxNationBars+2 {
		drawn, rest = entries[:maxNationBars], entries[maxNationBars:]
	}

	var bars []nationBar
	tbl := Table{Caption: b.t("table.contributions", ls.Date.String(), b.listSummary(ls)), Head: b.heads("nation", "troops", "membership", "confidence")}
	for i, e := range entries {
		m := e.Nation.MembershipAt(at)
		tbl.Rows = append(tbl.Rows, []string{b.nation(e.Nation), b.num(e.Troops), b.t("table.membership." + string(m)), b.confidence(e.Confidence)})
		if i >= len(drawn) {
			continue
		}
		name := b.nation(e.Nation)
		tip := "<b>" + esc(name) + "</b>: " + b.t("troops", b.num(e.Troops)) + "<br/>" + b.membershipTip(e.Nation, at) + " · " + b.confidence(e.Confidence)
		if e.Confidence == dataset.Uncertain {
			// A reader must see on the bar itself that the figure is in doubt,
			// not only in the table: in the 2017 placemat four names are
			// missing and were inferred.
			name += " (?)"
			if e.Note != "" {
				tip += "<br/>" + esc(e.Note)
			}
		}
		bars = append(bars, nationBar{name, m, e.Troops, tip})
	}
	folds := b.foldNations(rest, at, len(drawn))

	c := charts.NewBar()
	names, series := b.nationSeries(bars, len(folds) > 0)
	c.SetXAxis(names)
	b.membershipBars(c, series, "nation", 0)
	b.out.Title = b.t("chart.title.dated", b.out.Title, ls.Date.String())
	if len(entries) > 0 {
		b.out.Description += " " + b.t("chart.contributions.most", ls.Date.String(), b.nation(entries[0].Nation), b.num(entries[0].Troops), len(entries))
	}
	valueAxis := opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Color: p.muted, HideOverlap: opts.Bool(true)},
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: p.grid}}}
	foldHeight, below := 0, 0 // the folded bars' grid, and the room it takes under the nations'
	if len(folds) > 0 {
		foldHeight = foldRowHeight*len(folds) + foldAxisHeight
		below = foldGap + foldHeight
	}
	c.SetGlobalOptions(append(b.frame(b.listSummary(ls), true, below),
		charts.WithXAxisOpts(valueAxis),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: p.text, Interval: "0"}}),
	)...)
	c.XYReversal()
	b.set("yAxis.0.axisTick.show", false)
	b.out.Height = max(240, 110+22*len(bars)) + below
	b.out.Note = b.listNote(ls, choice.Why)
	if len(folds) > 0 {
		b.foldedBars(c, folds, valueAxis, foldHeight)
		b.out.Note += " " + b.foldNote(folds, len(drawn))
	}
	b.chart = c
	b.out.Tables = []Table{tbl}
	b.out.Data = b.listLinks(ls)
	return nil
}

// The folded bars' own grid, under the nations': a row per bar, the room
// for its value axis's labels, and a gap above it holding its heading.
const (
	foldRowHeight  = 22
	foldAxisHeight = 30
	foldGap        = 34
)

// membershipSeries is the data of one membership's bar series: a value
// where a bar is of that membership, "-" where it is not.
type membershipSeries struct {
	name string
	m    dataset.Membership
	data []any
}

// nationSeries lays bars out as the category names and one stacked series
// per membership. named gives each item its category name, which the data
// view needs when a second category axis (the folded bars') comes after.
func (b *builder) nationSeries(bars []nationBar, named bool) ([]string, []membershipSeries) {
	series := []membershipSeries{{b.t("membership.nato"), dataset.NATO, nil}, {b.t("legend.partners"), dataset.Partner, nil}}
	var names []string
	for _, bar := range bars {
		names = append(names, bar.name)
		it := item{Value: bar.troops, Tip: bar.tip}
		if named {
			it.Name = bar.name
			it.Label = map[string]any{"formatter": b.num(bar.troops)}
		}
		for i := range series {
			if (bar.m == dataset.NATO) == (series[i].m == dataset.NATO) {
				series[i].data = append(series[i].data, it)
			} else {
				series[i].data = append(series[i].data, "-")
			}
		}
	}
	return names, series
}

func membershipDecal(m dataset.Membership) map[string]any {
	if m == dataset.NATO {
		return decalNone
	}
	return decalStriped
}

// foldNations sums the nations not drawn by membership at instant at:
// one bar for the NATO members among them, one for the partners, each
// only when it has a nation. drawn is how many nations are drawn above.
func (b *builder) foldNations(rest []dataset.Contribution, at time.Time, drawn int) []nationBar {
	var out []nationBar
	for _, g := range []struct {
		m dataset.Membership
		// title is the bar's message; which, the message of its tooltip's
		// second line, saying which nations it sums.
		title, which string
	}{{dataset.NATO, "fold.nato", "tip.fold.nato"}, {dataset.Partner, "fold.partner", "tip.fold.partner"}} {
		n, troops, uncertain, low, high := 0, 0, 0, 0, 0
		for _, e := range rest {
			if (e.Nation.MembershipAt(at) == dataset.NATO) != (g.m == dataset.NATO) {
				continue
			}
			if n == 0 || e.Troops < low {
				low = e.Troops
			}
			high = max(high, e.Troops)
			n++
			troops += e.Troops
			if e.Confidence == dataset.Uncertain {
				uncertain++
			}
		}
		if n == 0 {
			continue
		}
		title := b.t(g.title)
		name := title + " (" + nationsCount(b.pr, n) + ")"
		tip := "<b>" + title + "</b>: " + b.t("tip.fold.total", b.num(troops)) + "<br/>" +
			b.t(g.which, nationsCount(b.pr, n), drawn, b.num(low), b.num(high))
		if uncertain > 0 {
			name += " (?)"
			tip += "<br/>" + b.t("tip.fold.uncertain", uncertain)
		}
		out = append(out, nationBar{name, g.m, troops, tip + "<br/>" + b.t("tip.fold.table")})
	}
	return out
}

// nationsCount is a number of nations in pr's language: "27 nations".
func nationsCount(pr *i18n.Printer, n int) string {
	if n == 1 {
		return pr.T("count.nation")
	}
	return pr.T("count.nations", n)
}

// foldedBars draws the folded bars in a grid of their own under the
// nations, on a value axis of their own: a sum of hundreds of small
// contingents can be a hundred times the largest, and on one axis it
// would squeeze every nation's bar to a sliver.
func (b *builder) foldedBars(c *charts.Bar, folds []nationBar, valueAxis opts.XAxis, height int) {
	p := b.pal
	c.SetGlobalOptions(charts.WithGridOpts(opts.Grid{Left: "12", Right: "24", Bottom: "26", Height: itoa(height), ContainLabel: opts.Bool(true)}))
	valueAxis.GridIndex = 1
	c.ExtendXAxis(valueAxis)
	names, series := b.nationSeries(folds, true)
	c.ExtendYAxis(opts.YAxis{Type: "category", GridIndex: 1, Inverse: opts.Bool(true), Data: names,
		AxisLabel: &opts.AxisLabel{Color: p.text, Interval: "0"}})
	b.set("yAxis.1.axisTick.show", false)
	b.headings = append(b.headings, map[string]any{
		"text": b.t("chart.contributions.folded"), "left": 8, "bottom": 26 + height + 4,
		"textStyle": map[string]any{"color": p.muted, "fontSize": 12, "fontWeight": "normal"},
	})
	b.membershipBars(c, series, "folded", 1)
}

// membershipBars adds the stacked bar series of one grid (0 the nations',
// 1 the folded bars'), coloured and patterned by membership.
func (b *builder) membershipBars(c *charts.Bar, series []membershipSeries, stack string, grid int) {
	p := b.pal
	for _, s := range series {
		c.AddSeries(s.name, nil, withData(s.data),
			charts.WithBarChartOpts(opts.BarChart{Stack: stack, BarCategoryGap: "25%", XAxisIndex: grid, YAxisIndex: grid}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: p.membership(s.m)}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: p.text, FontSize: 11}))
		b.set("series."+itoa(len(c.MultiSeries)-1)+".itemStyle.decal", membershipDecal(s.m))
	}
}

// foldNote says what the folded bars hold.
func (b *builder) foldNote(folds []nationBar, drawn int) string {
	var parts []string
	for _, f := range folds {
		parts = append(parts, b.t("fold.part", f.name, b.num(f.troops)))
	}
	return b.t("note.fold", drawn, strings.Join(parts, "; "), "CSV")
}

// listNote says which list a per-nation chart draws, and why when it is
// not of the date chosen.
func (b *builder) listNote(ls *dataset.List, why string) string {
	note := b.t("note.list", ls.Date.String(), b.listKind(ls))
	if why != "" {
		note = b.t("note.list_why", ls.Date.String(), b.listKind(ls), why)
	}
	if !ls.Complete {
		note += " " + b.t("note.partial")
	}
	if ls.Total > 0 {
		note += " " + b.t("note.list_total", b.num(ls.Total), b.num(ls.Sum()))
	}
	return note
}

func (b *builder) membershipTip(n *dataset.Nation, at time.Time) string {
	if n.MembershipAt(at) == dataset.NATO {
		return b.t("tip.member_since", n.Accession.Format("2006"))
	}
	if !n.Accession.IsZero() {
		return b.t("tip.partner_joined", n.Accession.Format("2006"))
	}
	return b.t("tip.partner")
}

// shareList picks the list for the share chart: the chosen list when it is
// complete, else the complete list nearest to it in time, since a share
// of a partial list says nothing about the force.
func (b *builder) shareList(chosen *dataset.List) (*dataset.List, string) {
	d := b.d
	if chosen == nil || chosen.Complete {
		return chosen, ""
	}
	var best *dataset.List
	var gap time.Duration
	for _, ls := range d.Lists {
		if !ls.Complete {
			continue
		}
		g := ls.Date.Time().Sub(chosen.Date.Time()).Abs()
		if best == nil || g < gap {
			best, gap = ls, g
		}
	}
	if best == nil {
		return chosen, ""
	}
	return best, b.t("why.share_nearest", chosen.Date.String())
}

func shareChart(b *builder) error {
	p := b.pal
	ls, why := b.shareList(ChooseList(b.d, b.v).List)
	if ls == nil {
		b.out.Note = b.t("chart.no_list")
		b.chart = charts.NewPie()
		return nil
	}
	b.used(ls.Source, ls.Date)
	natoN, partnerN := ls.Split()
	natoT, partnerT := ls.TroopsSplit()
	total := natoT + partnerT
	share := func(t int) float64 {
		if total == 0 {
			return 0
		}
		return pct(float64(t) / float64(total))
	}
	nato, partners := b.t("membership.nato"), b.t("legend.partners")
	data := []item{
		{Name: nato, Value: natoT, ItemStyle: map[string]any{"color": p.nato, "decal": decalNone},
			Tip: "<b>" + nato + "</b>: " + b.t("tip.troops_share", b.num(natoT), b.percent(share(natoT))) + "<br/>" + b.t("tip.nations", natoN)},
		{Name: partners, Value: partnerT, ItemStyle: map[string]any{"color": p.partner, "decal": decalStriped},
			Tip: "<b>" + partners + "</b>: " + b.t("tip.troops_share", b.num(partnerT), b.percent(share(partnerT))) + "<br/>" + b.t("tip.nations", partnerN)},
	}
	c := charts.NewPie()
	c.AddSeries(b.t("legend.troops"), nil, withData(data),
		charts.WithPieChartOpts(opts.PieChart{Radius: []string{"30%", "52%"}, Center: []string{"50%", "56%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{d}%", Color: p.text, FontSize: 13}))
	b.out.Title = b.t("chart.title.dated", b.out.Title, ls.Date.String())
	b.out.Description += " " + b.t("chart.share.split", ls.Date.String(), b.percent(share(natoT)), b.percent(share(partnerT)))
	c.SetGlobalOptions(b.frame(b.listSummary(ls), true, 0)...)
	// Labels in whole percent (13%, not 13.21%), summing to 100; the
	// tooltips keep one decimal.
	b.set("series.0.percentPrecision", 0)
	b.chart = c
	b.out.Height = 360
	b.out.Note = b.listNote(ls, why)
	b.out.Tables = []Table{{
		Caption: b.t("table.share", ls.Date.String(), b.listSummary(ls)),
		Head:    b.heads("membership", "nations", "troops", "share"),
		Rows: [][]string{
			{nato, b.num(natoN), b.num(natoT), b.percent(share(natoT))},
			{partners, b.num(partnerN), b.num(partnerT), b.percent(share(partnerT))},
		},
	}}
	b.out.Data = b.listLinks(ls)
	return nil
}
