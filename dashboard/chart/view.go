package chart

import (
	"fmt"
	"net/url"
	"time"

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
	if v.Theme == Dark {
		q.Set("theme", Dark)
	}
	if v.Axis == Log {
		q.Set("axis", Log)
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
	// Why explains the choice when the list's date is not the chosen date.
	Why string
}

// ChooseList returns the list the per-nation charts show for view v: the
// newest complete list when v.At is zero; else a list dated that day (a
// complete one, else the one naming most nations); else the newest list in
// force at that day. It returns a zero ListChoice only for a record without
// lists.
func ChooseList(d *dataset.Dataset, v View) ListChoice {
	if len(d.Lists) == 0 {
		return ListChoice{}
	}
	if v.At.IsZero() {
		if ls := d.ListAt(time.Unix(1<<40, 0), true); ls != nil {
			return ListChoice{List: ls}
		}
		return ListChoice{List: d.Lists[len(d.Lists)-1]}
	}
	day := v.At.Format(time.DateOnly)
	var best *dataset.List
	for _, ls := range d.Lists {
		if ls.Date.ISO() != day {
			continue
		}
		if best == nil || better(ls, best) {
			best = ls
		}
	}
	if best != nil {
		return ListChoice{List: best}
	}
	if ls := d.ListAt(dataset.EndOfDay(v.At), false); ls != nil {
		return ListChoice{List: ls, Why: fmt.Sprintf("the newest list on or before %s", day)}
	}
	return ListChoice{List: d.Lists[0], Why: fmt.Sprintf("the first list; none is dated on or before %s", day)}
}

// better reports whether list a is a better choice than b for one date: a
// complete list first, then the one naming more nations.
func better(a, b *dataset.List) bool {
	if a.Complete != b.Complete {
		return a.Complete
	}
	return len(a.Entries) > len(b.Entries)
}

// ListDates returns one choice per date that has a list, oldest first: the
// values the page's date selector offers.
func ListDates(d *dataset.Dataset) []*dataset.List {
	var out []*dataset.List
	idx := map[string]int{}
	for _, ls := range d.Lists {
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
