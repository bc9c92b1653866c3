package dataset

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// prefer marks the observations the series uses, and writes in each
// observation's Rule why it was or was not chosen. The rule (data/README.md,
// "Where observations overlap", says the same in prose):
//
//  1. A figure marked uncertain is used only when no figure that is not
//     uncertain lies within UncertainWindow of it.
//  2. A figure dated only to a year is left out when its year has a figure
//     dated to a month or a day that is at least as well sourced (a source
//     kind as close to the figures and a confidence as good); otherwise it
//     is used beside the dated figures of its year, which it never
//     overrules. Year-only figures fill gaps, and a placemat's figure for a
//     year is not dropped for a press figure of a day.
//  3. Figures whose dates overlap otherwise (the same day, the same month,
//     or a day and the month that holds it) compete, and the first of these
//     differences decides: an official source (NATO, KFOR, governments, the
//     UN) beats the press, which beats secondary copies; exact beats
//     approximate, which beats derived; a date to the day beats a month; a
//     figure for the whole force in theatre beats one that is not; the
//     earlier line in strength.csv wins a full tie.
//
// Source and confidence come before the date's precision in both 2 and 3,
// so no figure is ever left out for one less well sourced than itself.
func (d *Dataset) prefer() {
	obs := d.Observations
	byYear := map[int][]int{}
	// Each date's instants, made once: the rules compare every pair of
	// figures in a year, and each uncertain figure with those near it, so
	// a large record would otherwise spend its load in time.Date.
	at, start, end := make([]time.Time, len(obs)), make([]time.Time, len(obs)), make([]time.Time, len(obs))
	for i, o := range obs {
		byYear[o.Date.Year] = append(byYear[o.Date.Year], i)
		at[i], start[i], end[i] = o.Date.Time(), o.Date.Start(), o.Date.End()
	}
	for i := range obs {
		o := &obs[i]
		if o.Confidence == Uncertain {
			if p := nearestSure(obs, at, i); p != nil {
				o.Rule = fmt.Sprintf("not used: uncertain, and %s (line %d, %d troops, %s) is within %d days", p.SourceID, p.Line, p.Troops, p.Date, UncertainWindow/(24*time.Hour))
				continue
			}
		}
		var best *Observation
		rivals := 0
		for _, j := range byYear[o.Date.Year] {
			p := &obs[j]
			if j == i || !(start[i].Before(end[j]) && start[j].Before(end[i])) { // the periods share a day
				continue
			}
			yo, yp := o.Date.Precision == Year, p.Date.Precision == Year
			if yo && !yp {
				if asWellSourced(p, o) {
					best = p
					o.Rule = fmt.Sprintf("not used: %d has a figure dated to a month or a day that is as well sourced, %s (line %d, %s %s); a year-only figure fills a year with none", o.Date.Year, p.SourceID, p.Line, kindName(p), p.Confidence)
					break
				}
				continue // rule 2: a weaker dated figure does not drop a year-only one
			}
			if yp && !yo {
				continue // rule 2: a year-only figure never overrules a dated one
			}
			rivals++
			if outranks(p, o) && (best == nil || outranks(p, best)) {
				best = p
			}
		}
		switch {
		case best != nil && o.Rule == "":
			o.Rule = fmt.Sprintf("not used: %s (line %d, %d troops) is preferred for %s: %s", best.SourceID, best.Line, best.Troops, o.Date, reason(best, o))
		case best != nil:
		case rivals == 0 && o.Date.Precision == Year && len(byYear[o.Date.Year]) > 1:
			o.Preferred = true
			o.Rule = fmt.Sprintf("preferred: the only year-only figure for %d, and no figure dated in the year is as well sourced", o.Date.Year)
		case rivals == 0:
			o.Preferred = true
			o.Rule = "preferred: the only figure for " + o.Date.String()
		default:
			o.Preferred = true
			o.Rule = fmt.Sprintf("preferred over %d figure(s) for overlapping dates: no rival outranks it (official beats press beats secondary; exact beats approximate beats derived; a day beats a month; theatre beats a narrower or unknown scope)", rivals)
		}
	}
}

// asWellSourced reports whether a's source is at least as close to the
// figures as b's and its confidence at least as good.
func asWellSourced(a, b *Observation) bool {
	return kindRank(a) <= kindRank(b) && a.Confidence.rank() <= b.Confidence.rank()
}

// article returns "an" before a word that starts with a vowel, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func kindName(o *Observation) string {
	if o.Source == nil {
		return "unknown"
	}
	return string(o.Source.Kind)
}

// scopeRank puts a figure for the whole force in theatre before one for
// Kosovo alone or of unknown scope: the series counts the whole force, as
// the sources of 1999-2002 that give both do first.
func scopeRank(o *Observation) int {
	if o.Scope == Theatre {
		return 0
	}
	return 1
}

// UncertainWindow is how close a figure that is not uncertain must be for
// an uncertain one to be left out of the series.
const UncertainWindow = 183 * 24 * time.Hour

// nearestSure returns the nearest figure that is not uncertain within
// UncertainWindow of obs[i], or nil; the earliest in obs of equally near
// ones. obs is in date order and at holds each one's Date.Time(), so only
// the figures within the window are looked at.
func nearestSure(obs []Observation, at []time.Time, i int) *Observation {
	var best *Observation
	var gap time.Duration
	t := at[i]
	lo := sort.Search(len(at), func(k int) bool { return !at[k].Before(t.Add(-UncertainWindow)) })
	for i := lo; i < len(obs) && !at[i].After(t.Add(UncertainWindow)); i++ {
		p := &obs[i]
		if p.Confidence == Uncertain {
			continue
		}
		g := at[i].Sub(t)
		if g < 0 {
			g = -g
		}
		if g <= UncertainWindow && (best == nil || g < gap) {
			best, gap = p, g
		}
	}
	return best
}

func kindRank(o *Observation) int {
	if o.Source == nil {
		return len(SourceKinds)
	}
	return o.Source.Kind.rank()
}

func outranks(a, b *Observation) bool {
	if ua, ub := a.Confidence == Uncertain, b.Confidence == Uncertain; ua != ub {
		return ub
	}
	if ka, kb := kindRank(a), kindRank(b); ka != kb {
		return ka < kb
	}
	if ca, cb := a.Confidence.rank(), b.Confidence.rank(); ca != cb {
		return ca < cb
	}
	if a.Date.Precision != b.Date.Precision {
		return a.Date.Precision < b.Date.Precision
	}
	if sa, sb := scopeRank(a), scopeRank(b); sa != sb {
		return sa < sb
	}
	return a.Line < b.Line
}

// reason says which step of the rule puts a before b.
func reason(a, b *Observation) string {
	switch {
	case (a.Confidence == Uncertain) != (b.Confidence == Uncertain):
		return "a figure not marked uncertain beats an uncertain one"
	case kindRank(a) != kindRank(b):
		return fmt.Sprintf("%s %s source beats %s %s one", article(string(a.Source.Kind)), a.Source.Kind, article(kindName(b)), kindName(b))
	case a.Confidence != b.Confidence:
		return fmt.Sprintf("%s beats %s", a.Confidence, b.Confidence)
	case a.Date.Precision != b.Date.Precision:
		return fmt.Sprintf("a date to the %s beats a date to the %s", a.Date.Precision, b.Date.Precision)
	case scopeRank(a) != scopeRank(b):
		return fmt.Sprintf("a figure for the whole force in theatre beats one for %s", b.Scope)
	}
	return "equal rank; the earlier line in strength.csv wins"
}

// Point is one value of the preferred total-strength series.
type Point struct {
	Date       Date
	Troops     int
	Confidence Confidence
	Source     *Source
	Obs        *Observation
	// Count is the nation count given for the same date, or nil.
	Count *Count
}

// countsByDate indexes the nation counts by date, each date's in the
// file's order, for countFor.
func (d *Dataset) countsByDate() map[Date][]*Count {
	m := map[Date][]*Count{}
	for i := range d.Counts {
		c := &d.Counts[i]
		m[c.Date] = append(m[c.Date], c)
	}
	return m
}

func (d *Dataset) buildSeries() []Point {
	var s []Point
	for i := range d.Observations {
		o := &d.Observations[i]
		if !o.Preferred {
			continue
		}
		s = append(s, Point{Date: o.Date, Troops: o.Troops, Confidence: o.Confidence, Source: o.Source, Obs: o, Count: d.countFor(o)})
	}
	return s
}

// countFor returns the nation count from the same source and date as o, or
// failing that the first count of the same date.
func (d *Dataset) countFor(o *Observation) *Count {
	cs := d.counts[o.Date]
	for _, c := range cs {
		if c.SourceID == o.SourceID {
			return c
		}
	}
	if len(cs) > 0 {
		return cs[0]
	}
	return nil
}

// Series returns the preferred total-strength series, oldest first. The
// slice is shared: callers must not change it.
func (d *Dataset) Series() []Point { return d.series }

// CountFor returns the nation count attached to an observation, or nil.
func (d *Dataset) CountFor(o *Observation) *Count { return d.countFor(o) }

// Latest returns the newest point of the preferred series.
func (d *Dataset) Latest() Point { return d.series[len(d.series)-1] }

// Peak returns the highest point of the preferred series (the earliest of
// equal highs).
func (d *Dataset) Peak() Point {
	p := d.series[0]
	for _, x := range d.series[1:] {
		if x.Troops > p.Troops {
			p = x
		}
	}
	return p
}

// Drawdown returns how far the latest figure is below the peak, as a ratio
// from 0 (at the peak) to 1.
func (d *Dataset) Drawdown() float64 {
	return 1 - float64(d.Latest().Troops)/float64(d.Peak().Troops)
}

// Change is the difference between two consecutive points of the series.
type Change struct {
	From, To Point
	Delta    int     // To.Troops - From.Troops
	Ratio    float64 // Delta / From.Troops
}

// Changes returns the change between each pair of consecutive points.
func (d *Dataset) Changes() []Change {
	var cs []Change
	for i := 1; i < len(d.series); i++ {
		a, b := d.series[i-1], d.series[i]
		delta := b.Troops - a.Troops
		cs = append(cs, Change{From: a, To: b, Delta: delta, Ratio: float64(delta) / float64(a.Troops)})
	}
	return cs
}

// YearFigure is the strength at the end of a year: the last point of the
// series dated in that year, and its change from the previous year that has
// a figure.
type YearFigure struct {
	Year   int
	Point  Point
	Prev   int  // year of the previous figure; 0 for the first
	Delta  int  // Point.Troops minus the previous year's figure
	HasPrv bool // whether Prev and Delta are set
}

// Yearly returns one figure per year that has any point, oldest first.
func (d *Dataset) Yearly() []YearFigure {
	var ys []YearFigure
	for _, p := range d.series {
		y := p.Date.Year
		if n := len(ys); n > 0 && ys[n-1].Year == y {
			ys[n-1].Point = p
			continue
		}
		ys = append(ys, YearFigure{Year: y, Point: p})
	}
	for i := 1; i < len(ys); i++ {
		ys[i].Prev = ys[i-1].Year
		ys[i].Delta = ys[i].Point.Troops - ys[i-1].Point.Troops
		ys[i].HasPrv = true
	}
	return ys
}

// DrawdownAt returns, for each point, how far it is below the highest
// figure up to that point, as a ratio.
func (d *Dataset) DrawdownAt() []float64 {
	out := make([]float64, len(d.series))
	peak := 0
	for i, p := range d.series {
		if p.Troops > peak {
			peak = p.Troops
		}
		out[i] = 1 - float64(p.Troops)/float64(peak)
	}
	return out
}

// StrengthAt returns the point of the series in force at t: the newest point
// plotted at or before t. ok is false before the first point.
func (d *Dataset) StrengthAt(t time.Time) (p Point, ok bool) {
	i := sort.Search(len(d.series), func(i int) bool { return d.series[i].Date.Time().After(t) })
	if i == 0 {
		return Point{}, false
	}
	return d.series[i-1], true
}

// ListAt returns the per-nation list in force at t: the newest list dated at
// or before t, or only complete lists when complete is set. It returns nil
// when there is none.
func (d *Dataset) ListAt(t time.Time, complete bool) *List {
	var found *List
	for _, ls := range d.Lists {
		if ls.Date.Time().After(t) {
			break
		}
		if complete && !ls.Complete {
			continue
		}
		found = ls
	}
	return found
}

// ListByDate returns the list whose date is exactly s (as written in the
// record, or as YYYY-MM-DD of its plotted day), or nil.
func (d *Dataset) ListByDate(s string) *List {
	for _, ls := range d.Lists {
		if ls.Date.String() == s || ls.Date.ISO() == s {
			return ls
		}
	}
	return nil
}

// NationPoint is one nation's troops in one per-nation list.
type NationPoint struct {
	List       *List
	Troops     int
	Membership Membership
	Confidence Confidence
}

// NationSeries returns a nation's troops in every list that names it,
// oldest first. NationFigures adds the figures of contingents.csv.
func (d *Dataset) NationSeries(code string) []NationPoint {
	var out []NationPoint
	for _, ls := range d.Lists {
		for _, e := range ls.Entries {
			if e.Nation.Code == code {
				out = append(out, NationPoint{List: ls, Troops: e.Troops, Membership: e.Nation.MembershipAt(ls.Date.Time()), Confidence: e.Confidence})
			}
		}
	}
	return out
}

// NationFigure is one figure the record has for one nation: an entry of a
// per-nation list, or a row of contingents.csv.
type NationFigure struct {
	Date       Date
	Troops     int
	Confidence Confidence
	// List is the list the figure is an entry of; nil for a contingent.
	List *List
	// Contingent is the row of contingents.csv; nil for a list entry.
	Contingent *Contingent
	// Source is the list's source or the contingent's.
	Source     *Source
	Membership Membership // the nation's NATO status at Date
}

// NationFigures returns every figure the record has for the nation with
// the alpha-3 code (any case), from the lists and from contingents.csv,
// oldest first; at the same date a list's entry comes before a contingent.
func (d *Dataset) NationFigures(code string) []NationFigure {
	n := d.Nation(code)
	if n == nil {
		return nil
	}
	var out []NationFigure
	for _, ls := range d.Lists {
		for _, e := range ls.Entries {
			if e.Nation == n {
				out = append(out, NationFigure{Date: ls.Date, Troops: e.Troops, Confidence: e.Confidence, List: ls, Source: ls.Source, Membership: n.MembershipAt(ls.Date.Time())})
			}
		}
	}
	for i := range d.Contingents {
		c := &d.Contingents[i]
		if c.Nation == n {
			out = append(out, NationFigure{Date: c.Date, Troops: c.Troops, Confidence: c.Confidence, Contingent: c, Source: c.Source, Membership: n.MembershipAt(c.Date.Time())})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// A nation's figures make a long series when there are at least
// LongSeriesFigures of them and the first and last are at least
// LongSeriesYears apart.
const (
	LongSeriesFigures = 6
	LongSeriesYears   = 10
)

// LongSeries returns the nations whose figures (NationFigures) make a long
// series, by code.
func (d *Dataset) LongSeries() []*Nation {
	var out []*Nation
	for _, n := range d.Nations {
		fs := d.NationFigures(n.Code)
		if len(fs) < LongSeriesFigures {
			continue
		}
		if first, last := fs[0].Date.Time(), fs[len(fs)-1].Date.Time(); !first.AddDate(LongSeriesYears, 0, 0).After(last) {
			out = append(out, n)
		}
	}
	return out
}

// PeakOf returns the highest observation of scope s that is not marked
// uncertain (the earliest of equal highs), whether or not the series uses
// it: the series mixes scopes, so its own peak says nothing of how many
// troops were in Kosovo itself. ok is false when the scope has none.
func (d *Dataset) PeakOf(s Scope) (o *Observation, ok bool) {
	for i := range d.Observations {
		x := &d.Observations[i]
		if x.Scope != s || x.Confidence == Uncertain {
			continue
		}
		if o == nil || x.Troops > o.Troops {
			o = x
		}
	}
	return o, o != nil
}

// CountPoint is a contributing-nation count over time: from counts.csv, or
// derived from a complete per-nation list where no count has that date.
type CountPoint struct {
	Date          Date
	Nations       int
	NATO, Partner *int
	SplitDerived  bool // NATO or Partner was computed, not quoted
	FromList      *List
	Source        *Source
	Confidence    Confidence
}

// NationCounts returns every contributing-nation count, oldest first.
func (d *Dataset) NationCounts() []CountPoint {
	var out []CountPoint
	covered := map[string]bool{}
	for _, c := range d.Counts {
		nato, partner, derived := c.Split()
		out = append(out, CountPoint{Date: c.Date, Nations: c.Nations, NATO: nato, Partner: partner, SplitDerived: derived, Source: c.Source, Confidence: c.Confidence})
		covered[c.Date.String()+"|"+c.SourceID] = true
	}
	for _, ls := range d.Lists {
		if !ls.Complete || covered[ls.Date.String()+"|"+ls.SourceID] {
			continue
		}
		nato, partner := ls.Split()
		out = append(out, CountPoint{Date: ls.Date, Nations: len(ls.Entries), NATO: &nato, Partner: &partner, SplitDerived: true, FromList: ls, Source: ls.Source, Confidence: Derived})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// MembershipAt derives a nation's status at t; a code not in the record is
// a partner.
func (d *Dataset) MembershipAt(code string, t time.Time) Membership {
	if n := d.Nation(code); n != nil {
		return n.MembershipAt(t)
	}
	return Partner
}

// Summary is the headline: the figures every view shows first.
type Summary struct {
	Latest Point
	Peak   Point
	// PeakTheatre and PeakKosovo are the highest figures the record
	// scopes as the whole force in theatre (with the rear support in North
	// Macedonia, Albania and Greece) and as the troops in Kosovo; nil where
	// it has none.
	PeakTheatre, PeakKosovo *Observation
	Drawdown                float64     // ratio, 0 to 1
	Nations                 *CountPoint // the newest nation count not marked uncertain (else the newest), nil when none
	Split                   *CountPoint // likewise, of the counts with a NATO/partner split
	AreaKm2                 float64
	TroopsPer100Km2         float64
}

// Summarize returns the headline figures. A loaded dataset makes them once:
// /metrics asks at every scrape.
func (d *Dataset) Summarize() Summary {
	if d.summary != nil {
		return *d.summary
	}
	return d.summarize()
}

// HeadlineCounts picks, from counts oldest first, the headline's count of
// nations and its NATO/partner split: of the counts within a year of the
// newest, the newest from the soundest source (firm and first-hand, then
// firm, then any: a headline should not rest on a doubtful figure or a
// secondary copy when a sound one of the same time exists); and the split
// of that same count when it has one, else a split picked the same way. The metrics history applies it at each date, so that its
// last sample is what /metrics exposes.
func HeadlineCounts(cs []CountPoint) (nations, split *CountPoint) {
	sound := func(c CountPoint) int {
		switch {
		case c.Confidence == Uncertain:
			return 0
		case c.Source != nil && c.Source.Kind == Secondary:
			return 1
		}
		return 2
	}
	const window = 366 * 24 * time.Hour
	pick := func(want func(CountPoint) bool) *CountPoint {
		var best, newest *CountPoint
		for i := len(cs) - 1; i >= 0; i-- {
			if !want(cs[i]) {
				continue
			}
			if newest == nil {
				newest = &cs[i]
			}
			if newest.Date.Time().Sub(cs[i].Date.Time()) > window {
				break
			}
			if best == nil || sound(cs[i]) > sound(*best) {
				best = &cs[i]
			}
		}
		return best
	}
	nations = pick(func(CountPoint) bool { return true })
	if nations != nil && nations.NATO != nil && nations.Partner != nil {
		return nations, nations
	}
	return nations, pick(func(c CountPoint) bool { return c.NATO != nil && c.Partner != nil })
}

func (d *Dataset) summarize() Summary {
	s := Summary{Latest: d.Latest(), Peak: d.Peak(), Drawdown: d.Drawdown()}
	s.Nations, s.Split = HeadlineCounts(d.NationCounts())
	if o, ok := d.PeakOf(Theatre); ok {
		s.PeakTheatre = o
	}
	if o, ok := d.PeakOf(Kosovo); ok {
		s.PeakKosovo = o
	}
	if f, ok := d.Fact(AreaKey); ok {
		s.AreaKm2 = f.Value
		s.TroopsPer100Km2 = float64(s.Latest.Troops) / f.Value * 100
	}
	return s
}

// MinCoverage is the share of the force a per-nation list must account
// for to stand as "troops by nation": a list naming one nation's
// contingent, drawn alone as the force by nation, would mislead.
const MinCoverage = 0.8

// Coverage is how much of the force a per-nation list accounts for.
type Coverage struct {
	Sum   int // the list's entries added up
	Total int // the force at the list's date: the total its source states, else the series' figure in force then
	// Stated says Total is the list's own source's.
	Stated bool
}

// Share is Sum over Total, 0 when Total is unknown.
func (c Coverage) Share() float64 {
	if c.Total == 0 {
		return 0
	}
	return float64(c.Sum) / float64(c.Total)
}

// CoverageOf returns how much of the force list ls accounts for.
func (d *Dataset) CoverageOf(ls *List) Coverage {
	c := Coverage{Sum: ls.Sum(), Total: ls.Total, Stated: ls.Total > 0}
	if c.Total == 0 {
		if p, ok := d.StrengthAt(EndOfDay(ls.Date.Time())); ok {
			c.Total = p.Troops
		}
	}
	return c
}

// Covers reports whether list ls can stand as the force by nation: it is
// complete, or accounts for at least MinCoverage of the force at its date.
func (d *Dataset) Covers(ls *List) bool {
	return ls.Complete || d.CoverageOf(ls).Share() >= MinCoverage
}
