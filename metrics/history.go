package metrics

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// HistoryOptions tune WriteHistory.
type HistoryOptions struct {
	// Step is the interval between samples; zero means a day. Samples fall
	// on multiples of Step since the Unix epoch (midnight UTC for a day).
	Step time.Duration
	// End is the time of the last sample (rounded down to Step); zero means
	// now. Figures hold from their date until End.
	End time.Time
}

// DefaultStep samples the history once a day: enough for
// last_over_time(metric[1d]) to find the figure in force at any time.
const DefaultStep = 24 * time.Hour

// WriteHistory writes the whole record as OpenMetrics text with timestamps,
// for `promtool tsdb create-blocks-from openmetrics`. Each figure is a step
// function: sampled every Step from its date until it is superseded (or
// until End), so that a query at any past time finds the figure then in
// force, under the same names and labels as /metrics. It ends with # EOF.
func WriteHistory(w io.Writer, d *dataset.Dataset, opt HistoryOptions) error {
	if opt.Step == 0 {
		opt.Step = DefaultStep
	}
	if opt.Step < time.Second || opt.Step%time.Second != 0 {
		return fmt.Errorf("history step %s: want a whole number of seconds, at least 1s", opt.Step)
	}
	if opt.End.IsZero() {
		opt.End = time.Now()
	}
	step := int64(opt.Step / time.Second)
	end := floorDiv(opt.End.Unix(), step) * step
	bw := bufio.NewWriterSize(w, 256<<10)
	hw := &historyWriter{w: bw, step: step, end: end}
	for _, f := range historyFamilies(d, step) {
		hw.family(f)
	}
	hw.w.WriteString("# EOF\n")
	return errors.Join(hw.err, bw.Flush())
}

// change is a step of a series: from at on, the series is val (formatted),
// or has no value when absent.
type change struct {
	at     int64 // Unix seconds
	val    string
	absent bool
}

// series is one labelled series of a family, as its changes in time order.
type series struct {
	labels  string // rendered: {a="b",c="d"}, or empty
	changes []change
}

type historyFamily struct {
	family
	series []*series
}

// set makes the series v from at on.
func (s *series) set(at time.Time, v float64) {
	s.changes = append(s.changes, change{at: at.Unix(), val: formatValue(v)})
}

// unset ends the series at at, until its next set.
func (s *series) unset(at time.Time) {
	s.changes = append(s.changes, change{at: at.Unix(), absent: true})
}

// historyFamilies derives every family of the history from d: the same
// queries as the collector, applied at every date a figure changes.
func historyFamilies(d *dataset.Dataset, step int64) []historyFamily {
	one := func(f family, s *series) historyFamily { return historyFamily{f, []*series{s}} }
	var troops, troopsTime, peak, peakTime, drawdown series
	pts := d.Series()
	dd := d.DrawdownAt()
	top := 0
	for i, p := range pts {
		at := p.Date.Time()
		troops.set(at, float64(p.Troops))
		troopsTime.set(at, unix(p.Date))
		if p.Troops > top {
			top = p.Troops
			peak.set(at, float64(p.Troops))
			peakTime.set(at, unix(p.Date))
		}
		drawdown.set(at, dd[i])
	}

	// The headline's counts at each date, by Summarize's rule
	// (dataset.HeadlineCounts) applied to the counts known by then
	// (TestHistoryEndsWithTheScrape holds the two together).
	var nations, nationsTime, membTime series
	memb := map[dataset.Membership]*series{dataset.NATO: {}, dataset.Partner: {}}
	counts := d.NationCounts()
	for i, c := range counts {
		at := c.Date.Time()
		n, sp := dataset.HeadlineCounts(counts[:i+1])
		nations.set(at, float64(n.Nations))
		nationsTime.set(at, unix(n.Date))
		if sp != nil {
			memb[dataset.NATO].set(at, float64(*sp.NATO))
			memb[dataset.Partner].set(at, float64(*sp.Partner))
			membTime.set(at, unix(sp.Date))
		}
	}
	memb[dataset.NATO].labels = renderLabels(famMembership.labels, string(dataset.NATO))
	memb[dataset.Partner].labels = renderLabels(famMembership.labels, string(dataset.Partner))

	var listTime series
	byNation := map[string]*series{}
	for _, ls := range d.Lists {
		if !ls.Complete {
			continue
		}
		at := ls.Date.Time()
		listTime.set(at, unix(ls.Date))
		in := map[string]bool{}
		for _, e := range ls.Entries {
			lb := renderLabels(famNationTroops.labels, e.Nation.Code, e.Nation.Name, string(e.Nation.MembershipAt(at)))
			s := byNation[lb]
			if s == nil {
				s = &series{labels: lb}
				byNation[lb] = s
			}
			s.set(at, float64(e.Troops))
			in[lb] = true
		}
		for lb, s := range byNation {
			if !in[lb] && !s.changes[len(s.changes)-1].absent {
				s.unset(at) // the nation is not in this list: it has left, or changed membership
			}
		}
	}

	fams := []historyFamily{
		one(famTroops, &troops), one(famTroopsTime, &troopsTime),
		one(famPeak, &peak), one(famPeakTime, &peakTime), one(famDrawdown, &drawdown),
		one(famNations, &nations), one(famNationsTime, &nationsTime),
		{famMembership, []*series{memb[dataset.NATO], memb[dataset.Partner]}}, one(famMembershipTime, &membTime),
		{famNationTroops, sortedSeries(byNation)}, one(famNationTroopsTime, &listTime),
	}
	if f, ok := d.Fact(dataset.AreaKey); ok && len(pts) > 0 {
		var area series
		area.set(pts[0].Date.Time(), f.Value*squareMetersPerKm2)
		fams = append(fams, one(famArea, &area))
	}
	return append(fams, historyFamily{famEvent, eventSeries(d.Events, step)})
}

// eventSeries gives each event a value on every day from its date to its
// end (or on its date alone), so that Grafana draws it as an annotation.
// Every event gets at least one sample, the first at or after its date,
// however long the step.
func eventSeries(events []dataset.Event, step int64) []*series {
	type span struct{ from, to time.Time }
	spans := map[string][]span{}
	for _, e := range events {
		nation := ""
		if e.Nation != nil {
			nation = e.Nation.Code
		}
		lb := renderLabels(famEvent.labels, string(e.Kind), e.Title, nation)
		from := e.Date.Time()
		sp := span{from, time.Unix(ceilDiv(from.Unix(), step)*step, 0).UTC()}
		if !e.End.IsZero() && e.End.Time().After(sp.to) {
			sp.to = e.End.Time()
		}
		spans[lb] = append(spans[lb], sp)
	}
	byLabels := map[string]*series{}
	for lb, sps := range spans {
		slices.SortFunc(sps, func(a, b span) int { return a.from.Compare(b.from) })
		merged := sps[:1]
		for _, sp := range sps[1:] {
			if last := &merged[len(merged)-1]; !sp.from.After(last.to) {
				last.to = maxTime(last.to, sp.to)
				continue
			}
			merged = append(merged, sp)
		}
		s := &series{labels: lb}
		for _, sp := range merged {
			// The value holds until just after the last day: a sample
			// falls on to itself, and none on the day after.
			s.set(sp.from, 1)
			s.unset(sp.to.Add(time.Second))
		}
		byLabels[lb] = s
	}
	return sortedSeries(byLabels)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func sortedSeries(m map[string]*series) []*series {
	out := make([]*series, 0, len(m))
	for _, s := range m {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *series) int { return cmp.Compare(a.labels, b.labels) })
	return out
}

// historyWriter writes families as OpenMetrics, keeping the first error.
type historyWriter struct {
	w         *bufio.Writer
	step, end int64
	buf       []byte
	err       error
}

func (h *historyWriter) family(f historyFamily) {
	fmt.Fprintf(h.w, "# HELP %s %s\n# TYPE %s gauge\n", f.name, escapeHelp(f.help), f.name)
	for _, s := range f.series {
		h.series(f.name, s)
	}
}

// series writes one sample every step from the series' first change to
// the end, with the value of the newest change at or before the sample.
func (h *historyWriter) series(name string, s *series) {
	if len(s.changes) == 0 {
		return
	}
	prefix := name + s.labels + " "
	i := 0
	for t := ceilDiv(s.changes[0].at, h.step) * h.step; t <= h.end; t += h.step {
		for i < len(s.changes) && s.changes[i].at <= t {
			i++
		}
		c := s.changes[i-1]
		if c.absent {
			if i == len(s.changes) {
				return // absent for good
			}
			t = (ceilDiv(s.changes[i].at, h.step) - 1) * h.step // skip to the next change
			continue
		}
		b := append(h.buf[:0], prefix...)
		b = append(b, c.val...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, t, 10)
		b = append(b, '\n')
		h.buf = b
		if _, err := h.w.Write(b); err != nil && h.err == nil {
			h.err = err
		}
	}
}

// renderLabels renders names and values as {a="b",...} in the order of the
// names, as Prometheus sorts them, with OpenMetrics escaping, leaving out
// empty values as Prometheus does.
func renderLabels(names []string, values ...string) string {
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(names[a], names[b]) })
	var b strings.Builder
	for _, i := range idx {
		if values[i] == "" {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(names[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(values[i]))
		b.WriteByte('"')
	}
	if b.Len() > 0 {
		b.WriteByte('}')
	}
	return b.String()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeHelp(s string) string { return helpEscaper.Replace(s) }

// formatValue writes integers without a fraction, others exactly.
func formatValue(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
