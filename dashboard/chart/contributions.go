package chart

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/kforstats/kforstats/dataset"
)

// listKind describes a list in a few words: "complete list, 27 nations".
func listKind(ls *dataset.List) string {
	n := len(ls.Entries)
	nations := strconv.Itoa(n) + " nations"
	if n == 1 {
		nations = "1 nation"
	}
	if ls.Complete {
		return "complete list, " + nations
	}
	return "partial list, " + nations + " named"
}

// listSummary describes a list with how much of the force it accounts
// for: "complete list, 27 nations, 98% of 4,353".
func (b *builder) listSummary(ls *dataset.List) string {
	kind := "partial list, "
	if ls.Complete {
		kind = "complete list, "
	}
	return kind + CoverageText(b.d, ls)
}

// listLinks are the API URLs of list ls.
func listLinks(ls *dataset.List) []Link {
	q := url.Values{"date": {ls.Date.ISO()}}
	if ls.Complete {
		q.Set("complete", "1")
	}
	s := "?" + q.Encode()
	return []Link{{"List CSV", "/api/v1/contributions.csv" + s}, {"List JSON", "/api/v1/contributions" + s}}
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
		b.out.Note = "The record has no per-nation list."
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
	tbl := Table{Caption: fmt.Sprintf("Troops by nation, %s (%s)", ls.Date, b.listSummary(ls)), Head: []string{"Nation", "Troops", "Membership", "Confidence"}}
	for i, e := range entries {
		m := e.Nation.MembershipAt(at)
		tbl.Rows = append(tbl.Rows, []string{e.Nation.Name, num(e.Troops), string(m), string(e.Confidence)})
		if i >= len(drawn) {
			continue
		}
		name := e.Nation.Name
		tip := "<b>" + esc(e.Nation.Name) + "</b>: " + num(e.Troops) + " troops<br/>" + membershipTip(e.Nation, at) + " · " + string(e.Confidence)
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
	folds := foldNations(rest, at, len(drawn))

	c := charts.NewBar()
	names, series := nationSeries(bars, len(folds) > 0)
	c.SetXAxis(names)
	b.membershipBars(c, series, "nation", 0)
	b.out.Title = "Troops by nation, " + ls.Date.String()
	if len(entries) > 0 {
		b.out.Description += fmt.Sprintf(" In the list of %s, %s has the most troops (%s) of the %d nations named.",
			ls.Date, entries[0].Nation.Name, num(entries[0].Troops), len(entries))
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
	b.out.Note = listNote(ls, choice.Why)
	if len(folds) > 0 {
		b.foldedBars(c, folds, valueAxis, foldHeight)
		b.out.Note += " " + foldNote(folds, len(drawn))
	}
	b.chart = c
	b.out.Tables = []Table{tbl}
	b.out.Data = listLinks(ls)
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
func nationSeries(bars []nationBar, named bool) ([]string, []membershipSeries) {
	series := []membershipSeries{{"NATO members", dataset.NATO, nil}, {"Partners", dataset.Partner, nil}}
	var names []string
	for _, bar := range bars {
		names = append(names, bar.name)
		it := item{Value: bar.troops, Tip: bar.tip}
		if named {
			it.Name = bar.name
			it.Label = map[string]any{"formatter": num(bar.troops)}
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
func foldNations(rest []dataset.Contribution, at time.Time, drawn int) []nationBar {
	var out []nationBar
	for _, g := range []struct {
		m           dataset.Membership
		title, name string
	}{{dataset.NATO, "Other NATO members", "NATO members"}, {dataset.Partner, "Other partners", "partners"}} {
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
		name := g.title + " (" + nationsCount(n) + ")"
		tip := fmt.Sprintf("<b>%s</b>: %s troops in all<br/>%s, the %s after the %d largest contingents, from %s to %s troops each",
			g.title, num(troops), nationsCount(n), g.name, drawn, num(low), num(high))
		if uncertain > 0 {
			name += " (?)"
			tip += fmt.Sprintf("<br/>%d of these figures uncertain", uncertain)
		}
		out = append(out, nationBar{name, g.m, troops, tip + "<br/>The table lists every nation."})
	}
	return out
}

func nationsCount(n int) string {
	if n == 1 {
		return "1 nation"
	}
	return num(n) + " nations"
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
	names, series := nationSeries(folds, true)
	c.ExtendYAxis(opts.YAxis{Type: "category", GridIndex: 1, Inverse: opts.Bool(true), Data: names,
		AxisLabel: &opts.AxisLabel{Color: p.text, Interval: "0"}})
	b.set("yAxis.1.axisTick.show", false)
	b.headings = append(b.headings, map[string]any{
		"text": "Other nations summed, on their own scale", "left": 8, "bottom": 26 + height + 4,
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
func foldNote(folds []nationBar, drawn int) string {
	var parts []string
	for _, f := range folds {
		parts = append(parts, fmt.Sprintf("%s: %s troops", f.name, num(f.troops)))
	}
	return fmt.Sprintf("The chart draws the %d nations with the most troops; under them, on a scale of their own, the others summed by membership (%s). The table and the list CSV give every nation.",
		drawn, strings.Join(parts, "; "))
}

func listNote(ls *dataset.List, why string) string {
	note := fmt.Sprintf("List of %s (%s)", ls.Date, listKind(ls))
	if why != "" {
		note += ", " + why
	}
	note += "."
	if !ls.Complete {
		note += " A partial list names only some nations: it is not the whole force."
	}
	if ls.Total > 0 {
		note += fmt.Sprintf(" The source gives a total of %s troops; the nations listed add up to %s.", num(ls.Total), num(ls.Sum()))
	}
	return note
}

func membershipTip(n *dataset.Nation, at time.Time) string {
	if n.MembershipAt(at) == dataset.NATO {
		return "NATO member (since " + n.Accession.Format("2006") + ")"
	}
	if !n.Accession.IsZero() {
		return "partner (joined NATO in " + n.Accession.Format("2006") + ")"
	}
	return "partner"
}

// shareList picks the list for the share chart: the chosen list when it is
// complete, else the complete list nearest to it in time, since a share
// of a partial list says nothing about the force.
func shareList(d *dataset.Dataset, chosen *dataset.List) (*dataset.List, string) {
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
	return best, fmt.Sprintf("the complete list nearest to the list of %s chosen", chosen.Date)
}

func shareChart(b *builder) error {
	p := b.pal
	ls, why := shareList(b.d, ChooseList(b.d, b.v).List)
	if ls == nil {
		b.out.Note = "The record has no per-nation list."
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
	data := []item{
		{Name: "NATO members", Value: natoT, ItemStyle: map[string]any{"color": p.nato, "decal": decalNone},
			Tip: fmt.Sprintf("<b>NATO members</b>: %s troops (%.1f%%)<br/>%d nations", num(natoT), share(natoT), natoN)},
		{Name: "Partners", Value: partnerT, ItemStyle: map[string]any{"color": p.partner, "decal": decalStriped},
			Tip: fmt.Sprintf("<b>Partners</b>: %s troops (%.1f%%)<br/>%d nations", num(partnerT), share(partnerT), partnerN)},
	}
	c := charts.NewPie()
	c.AddSeries("Troops", nil, withData(data),
		charts.WithPieChartOpts(opts.PieChart{Radius: []string{"30%", "52%"}, Center: []string{"50%", "56%"}}),
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Formatter: "{d}%", Color: p.text, FontSize: 13}))
	b.out.Title = "NATO and partner share, " + ls.Date.String()
	b.out.Description += fmt.Sprintf(" In the list of %s, NATO members provide %.1f%% of the troops and partners %.1f%%.", ls.Date, share(natoT), share(partnerT))
	c.SetGlobalOptions(b.frame(b.listSummary(ls), true, 0)...)
	// Labels in whole percent (13%, not 13.21%), summing to 100; the
	// tooltips keep one decimal.
	b.set("series.0.percentPrecision", 0)
	b.chart = c
	b.out.Height = 360
	b.out.Note = listNote(ls, why)
	b.out.Tables = []Table{{
		Caption: fmt.Sprintf("Troops by membership, %s (%s)", ls.Date, b.listSummary(ls)),
		Head:    []string{"Membership", "Nations", "Troops", "Share"},
		Rows: [][]string{
			{"NATO members", strconv.Itoa(natoN), num(natoT), fmt.Sprintf("%.1f%%", share(natoT))},
			{"Partners", strconv.Itoa(partnerN), num(partnerT), fmt.Sprintf("%.1f%%", share(partnerT))},
		},
	}}
	b.out.Data = listLinks(ls)
	return nil
}
