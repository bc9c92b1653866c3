package chart

import (
	"net/url"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// Query returns the view as query values, leaving out defaults, so that a
// link reproduces the view and equal views give equal URLs.
func (v View) Query() url.Values {
	q := url.Values{}
	if !v.From.IsZero() {
		q.Set("from", v.From.Format(time.DateOnly))
	}
	if !v.To.IsZero() {
		q.Set("to", v.To.Format(time.DateOnly))
	}
	if !v.At.IsZero() {
		q.Set("date", v.At.Format(time.DateOnly))
	}
	if len(v.Nations) > 0 {
		q.Set("nation", strings.Join(v.Nations, ","))
	}
	if v.Theme == Dark {
		q.Set("theme", Dark)
	}
	if v.Axis == Log {
		q.Set("axis", Log)
	}
	if v.Lang != "" {
		q.Set("lang", v.Lang)
	}
	return q
}

// In reports whether instant t falls within the view's date range.
func (v View) In(t time.Time) bool {
	if !v.From.IsZero() && t.Before(v.From) {
		return false
	}
	if !v.To.IsZero() && !t.Before(v.To.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// Ranged reports whether the view narrows the date range.
func (v View) Ranged() bool { return !v.From.IsZero() || !v.To.IsZero() }

// ListChoice is the per-nation list a view shows, and why.
type ListChoice struct {
	List *dataset.List
	// Why explains the choice, in the view's language, when the list's
	// date is not the chosen date.
	Why string
}

// ChooseList returns the list the per-nation charts show for view v, of the
// lists that can stand as the force by nation (dataset.Covers): the newest
// complete one when v.At is zero; else one dated that day (a complete one,
// else the one naming most nations); else the newest in force at that day;
// else the first. It returns a zero ListChoice only for a record without
// such lists.
func ChooseList(d *dataset.Dataset, v View) ListChoice {
	lists := coveringLists(d)
	if len(lists) == 0 {
		return ListChoice{}
	}
	if v.At.IsZero() {
		for i := len(lists) - 1; i >= 0; i-- {
			if lists[i].Complete {
				return ListChoice{List: lists[i]}
			}
		}
		return ListChoice{List: lists[len(lists)-1]}
	}
	day := v.At.Format(time.DateOnly)
	lang, _ := i18n.Parse(v.Lang)
	pr := i18n.NewPrinter(lang)
	least := pr.Percent(dataset.MinCoverage*100, 0, false)
	var best, before *dataset.List
	for _, ls := range lists {
		if ls.Date.ISO() == day && (best == nil || better(ls, best)) {
			best = ls
		}
		if !ls.Date.Time().After(dataset.EndOfDay(v.At)) {
			before = ls
		}
	}
	switch {
	case best != nil:
		return ListChoice{List: best}
	case before != nil:
		return ListChoice{List: before, Why: pr.T("why.newest_before", day, least)}
	}
	return ListChoice{List: lists[0], Why: pr.T("why.first", least, day)}
}

// coveringLists are the record's lists that can stand as the force by
// nation, oldest first.
func coveringLists(d *dataset.Dataset) []*dataset.List {
	var out []*dataset.List
	for _, ls := range d.Lists {
		if d.Covers(ls) {
			out = append(out, ls)
		}
	}
	return out
}

// better reports whether list a is a better choice than b for one date: a
// complete list first, then the one naming more nations.
func better(a, b *dataset.List) bool {
	if a.Complete != b.Complete {
		return a.Complete
	}
	return len(a.Entries) > len(b.Entries)
}

// ListDates returns one choice per date that has a list that can stand as
// the force by nation, oldest first: the values the page's date selector
// offers.
func ListDates(d *dataset.Dataset) []*dataset.List {
	var out []*dataset.List
	idx := map[string]int{}
	for _, ls := range coveringLists(d) {
		day := ls.Date.ISO()
		if i, ok := idx[day]; ok {
			if better(ls, out[i]) {
				out[i] = ls
			}
			continue
		}
		idx[day] = len(out)
		out = append(out, ls)
	}
	return out
}

// CoverageText says, in pr's language, how much of the force list ls
// accounts for: "27 nations, 98% of 4,353".
func CoverageText(pr *i18n.Printer, d *dataset.Dataset, ls *dataset.List) string {
	c := d.CoverageOf(ls)
	nations := nationsCount(pr, len(ls.Entries))
	if c.Total == 0 {
		return nations
	}
	// A list of commitments can add up to more than the force then in
	// place (1999: 51,500 pledged, 24,500 in Kosovo); "210% of" reads as
	// a mistake.
	if c.Sum > c.Total {
		return pr.T("coverage.over", nations, pr.Number(c.Sum), pr.Number(c.Total))
	}
	return pr.T("coverage.share", nations, pr.Percent(c.Share()*100, 0, false), pr.Number(c.Total))
}
