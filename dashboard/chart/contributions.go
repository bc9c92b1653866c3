package chart

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
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

// listLinks are the API URLs of list ls.
func listLinks(ls *dataset.List) []Link {
	q := url.Values{"date": {ls.Date.ISO()}}
	if ls.Complete {
		q.Set("complete", "1")
	}
	s := "?" + q.Encode()
	return []Link{{"List CSV", "/api/v1/contributions.csv" + s}, {"List JSON", "/api/v1/contributions" + s}}
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

	var names []string
	var nato, partner []any
	tbl := Table{Caption: fmt.Sprintf("Troops by nation, %s (%s)", ls.Date, listKind(ls)), Head: []string{"Nation", "Troops", "Membership", "Confidence"}}
	for _, e := range entries {
		m := e.Nation.MembershipAt(at)
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
		names = append(names, name)
		it := item{Value: e.Troops, Tip: tip}
		if m == dataset.NATO {
			nato, partner = append(nato, it), append(partner, "-")
		} else {
			nato, partner = append(nato, "-"), append(partner, it)
		}
		tbl.Rows = append(tbl.Rows, []string{e.Nation.Name, num(e.Troops), string(m), string(e.Confidence)})
	}
	c := charts.NewBar()
	c.SetXAxis(names)
	for _, s := range []struct {
		name string
		m    dataset.Membership
		data []any
	}{{"NATO members", dataset.NATO, nato}, {"Partners", dataset.Partner, partner}} {
		c.AddSeries(s.name, nil, withData(s.data),
			charts.WithBarChartOpts(opts.BarChart{Stack: "nation", BarCategoryGap: "25%"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: p.membership(s.m)}),
			charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Color: p.text, FontSize: 11}))
	}
	b.set("series.0.itemStyle.decal", decalNone)
	b.set("series.1.itemStyle.decal", decalStriped)
	b.out.Title = "Troops by nation, " + ls.Date.String()
	if len(entries) > 0 {
		b.out.Description += fmt.Sprintf(" In the list of %s, %s has the most troops (%s) of the %d nations named.",
			ls.Date, entries[0].Nation.Name, num(entries[0].Troops), len(entries))
	}
	c.SetGlobalOptions(append(b.frame(listKind(ls), true, 0),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", AxisLabel: &opts.AxisLabel{Color: p.muted, HideOverlap: opts.Bool(true)},
			SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: p.grid}}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true), AxisLabel: &opts.AxisLabel{Color: p.text, Interval: "0"}}),
	)...)
	c.XYReversal()
	b.set("yAxis.0.axisTick.show", false)
	b.chart = c
	b.out.Height = max(240, 110+22*len(entries))
	b.out.Note = listNote(ls, choice.Why)
	b.out.Tables = []Table{tbl}
	b.out.Data = listLinks(ls)
	return nil
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
	c.SetGlobalOptions(b.frame(listKind(ls), true, 0)...)
	b.chart = c
	b.out.Height = 360
	b.out.Note = listNote(ls, why)
	b.out.Tables = []Table{{
		Caption: fmt.Sprintf("Troops by membership, %s (%s)", ls.Date, listKind(ls)),
		Head:    []string{"Membership", "Nations", "Troops", "Share"},
		Rows: [][]string{
			{"NATO members", strconv.Itoa(natoN), num(natoT), fmt.Sprintf("%.1f%%", share(natoT))},
			{"Partners", strconv.Itoa(partnerN), num(partnerT), fmt.Sprintf("%.1f%%", share(partnerT))},
		},
	}}
	b.out.Data = listLinks(ls)
	return nil
}
