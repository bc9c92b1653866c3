package chart

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// The turning points of the force's history, labelled in words on the
// strength chart. The rule, also in the README:
//
//   - Candidates are the events in view of the kinds that change the force
//     (deployment, reduction, reinforcement and unrest) dated at least to
//     the month: an event known only to its year cannot be placed.
//   - An event's weight is the relative change in strength around it: from
//     the last preferred figure dated before the event to the last one on
//     or before turnWindow after it, |after - before| / before.
//   - KFOR's entry into Kosovo (the record's first deployment, 12 June
//     1999) is always one, when in view.
//   - The others are taken heaviest first (ties: the earlier, then the
//     record's order), skipping any within turnWindow of one already
//     taken, so that one swing is told once, up to maxTurns in all.
//
// It is deterministic: a function of the record and the view alone.
const (
	maxTurns   = 8
	turnMonths = 9 // turnWindow, in months
	// turnLabel bounds a turning point's label, in characters: the whole
	// title is in its tooltip and the events table.
	turnLabel = 36
)

var turnKinds = []dataset.EventKind{dataset.Deployment, dataset.Reduction, dataset.Reinforcement, dataset.Unrest}

// turn is a turning point: an event and the change around it.
type turn struct {
	e             dataset.Event
	before, after dataset.Point
	weight        float64
}

// turningPoints returns the turning points among events in view (es, in
// the record's order), oldest first.
func turningPoints(d *dataset.Dataset, es []dataset.Event) []turn {
	pts := d.Series()
	var entry *dataset.Event
	for i := range d.Events {
		if d.Events[i].Kind == dataset.Deployment {
			entry = &d.Events[i]
			break
		}
	}
	var cands []turn
	var chosen []turn
	for _, e := range es {
		if !hasKind(turnKinds, e.Kind) || e.Date.Precision == dataset.Year {
			continue
		}
		t := turn{e: e}
		at := e.Date.Start()
		until := e.Date.Time().AddDate(0, turnMonths, 0)
		bi, ai := -1, -1
		for i, p := range pts {
			if p.Date.Time().Before(at) {
				bi = i
			}
			if !p.Date.Time().After(until) {
				ai = i
			}
		}
		if bi >= 0 && ai >= 0 {
			t.before, t.after = pts[bi], pts[ai]
			t.weight = math.Abs(float64(t.after.Troops-t.before.Troops)) / float64(max(t.before.Troops, 1))
		} else if ai >= 0 {
			t.after = pts[ai]
		}
		if entry != nil && e.Line == entry.Line && e.Title == entry.Title {
			chosen = append(chosen, t)
			continue
		}
		cands = append(cands, t)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].weight != cands[j].weight {
			return cands[i].weight > cands[j].weight
		}
		return cands[i].e.Date.Time().Before(cands[j].e.Date.Time())
	})
	for _, c := range cands {
		if len(chosen) == maxTurns {
			break
		}
		if c.weight == 0 {
			break
		}
		near := false
		for _, t := range chosen {
			if within(c.e.Date.Time(), t.e.Date.Time(), turnMonths) {
				near = true
				break
			}
		}
		if !near {
			chosen = append(chosen, c)
		}
	}
	sort.SliceStable(chosen, func(i, j int) bool { return chosen[i].e.Date.Time().Before(chosen[j].e.Date.Time()) })
	return chosen
}

// within reports whether a and b are less than months apart.
func within(a, b time.Time, months int) bool {
	if a.After(b) {
		a, b = b, a
	}
	return a.AddDate(0, months, 0).After(b)
}

// turnText is a turning point's label: its month and year and its title
// (the record's, in English), cut short at a word.
func (b *builder) turnText(e dataset.Event) string {
	title := e.Title
	if r := []rune(title); len(r) > turnLabel {
		cut := string(r[:turnLabel-1])
		if i := strings.LastIndexByte(cut, ' '); i > turnLabel/2 {
			cut = cut[:i]
		}
		title = strings.TrimRight(cut, " ,;:(") + "…"
	}
	t := e.Date.Time()
	return b.t("turn.label", b.t("month.short."+strconv.Itoa(int(t.Month()))), strconv.Itoa(t.Year()), title)
}
