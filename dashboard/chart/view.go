package chart

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// FirstDay is the earliest date a view accepts: KFOR entered Kosovo in June
// 1999, and the air campaign before it began in March 1999.
var FirstDay = time.Date(1999, time.January, 1, 0, 0, 0, 0, time.UTC)

// maxParam bounds a parameter's length before it is parsed.
const maxParam = 32

// ParseView reads the view from query values. It never fails: a value that
// cannot be used falls back to the default and adds a Notice naming the
// parameter. now bounds dates (nothing after today).
func ParseView(q url.Values, d *dataset.Dataset, now time.Time) (View, []Notice) {
	var v View
	var ns []Notice
	note := func(param, format string, args ...any) {
		ns = append(ns, Notice{Param: param, Msg: fmt.Sprintf(format, args...)})
	}
	today := now.UTC().Truncate(24 * time.Hour)

	switch t := q.Get("theme"); t {
	case "", Light:
		v.Theme = Light
	case Dark:
		v.Theme = Dark
	default:
		v.Theme = Light
		note("theme", "%s is not a theme (want light or dark); showing light", quote(t))
	}

	// date reads a YYYY, YYYY-MM or YYYY-MM-DD parameter within
	// [FirstDay, today]; end picks the last day of a month or year given.
	date := func(param string, end bool) (time.Time, bool) {
		s := q.Get(param)
		if s == "" {
			return time.Time{}, false
		}
		if len(s) > maxParam {
			note(param, "is %d characters long (want a date as YYYY-MM-DD, YYYY-MM or YYYY); ignored", len(s))
			return time.Time{}, false
		}
		dd, err := dataset.ParseDate(s)
		if err != nil {
			note(param, "%s is not a date (want YYYY-MM-DD, YYYY-MM or YYYY); ignored", quote(s))
			return time.Time{}, false
		}
		t := dd.Start()
		if end {
			t = dd.End().AddDate(0, 0, -1)
		}
		if t.Before(FirstDay) || dd.Start().After(today) {
			note(param, "%s is out of range (want a date from %s to %s); ignored", s, FirstDay.Format(time.DateOnly), today.Format(time.DateOnly))
			return time.Time{}, false
		}
		if t.After(today) {
			t = today
		}
		return t, true
	}

	from, okFrom := date("from", false)
	to, okTo := date("to", true)
	if okFrom && okTo && from.After(to) {
		note("from", "%s is after to %s; showing them swapped", from.Format(time.DateOnly), to.Format(time.DateOnly))
		from, to = to, from
	}
	v.From, v.To = from, to

	if at, ok := date("date", false); ok {
		switch {
		case len(d.Lists) == 0:
			note("date", "the record has no per-nation list; ignored")
		case d.ListAt(endOfDay(at), false) == nil:
			first := d.Lists[0].Date
			note("date", "no per-nation list on or before %s (the first is dated %s); showing the newest complete list", at.Format(time.DateOnly), first)
		default:
			v.At = at
		}
	}
	return v, ns
}

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

// endOfDay is the last instant of t's day, so that a list dated that day is
// in force on it.
func endOfDay(t time.Time) time.Time {
	return t.Truncate(24 * time.Hour).Add(24*time.Hour - time.Nanosecond)
}

// quote shows a parameter's value in a message, shortened and quoted.
func quote(s string) string {
	if len(s) > maxParam {
		s = s[:maxParam] + "…"
	}
	return fmt.Sprintf("%q", strings.ToValidUTF8(s, "?"))
}

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
	if ls := d.ListAt(endOfDay(v.At), false); ls != nil {
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
