package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The tables of the record, one CSV file each. data/README.md documents every column.
var (
	sourcesSchema       = schema{"sources.csv", []string{"id", "title", "publisher", "url", "published", "kind"}, []string{"language", "note"}}
	nationsSchema       = schema{"nations.csv", []string{"code", "name", "nato_accession", "source"}, []string{"note"}}
	strengthSchema      = schema{"strength.csv", []string{"date", "troops", "source", "confidence", "quote"}, []string{"scope", "note"}}
	countsSchema        = schema{"counts.csv", []string{"date", "nations", "nato", "partner", "source", "confidence", "quote"}, []string{"note"}}
	listsSchema         = schema{"lists.csv", []string{"id", "date", "total", "complete", "source", "confidence", "quote"}, []string{"coverage", "note"}}
	contributionsSchema = schema{"contributions.csv", []string{"list", "nation", "troops", "confidence"}, []string{"note"}}
	contingentsSchema   = schema{"contingents.csv", []string{"date", "nation", "troops", "source", "confidence", "quote"}, []string{"note"}}
	eventsSchema        = schema{"events.csv", []string{"date", "end", "kind", "title", "nation", "source"}, []string{"note"}}
	phasesSchema        = schema{"phases.csv", []string{"id", "start", "end", "name", "source"}, []string{"note"}}
	factsSchema         = schema{"facts.csv", []string{"key", "value", "unit", "source", "quote"}, []string{"note"}}
)

// Files lists the record's file names in the order Load reads them.
var Files = []string{
	sourcesSchema.file, nationsSchema.file, strengthSchema.file, countsSchema.file, listsSchema.file,
	contributionsSchema.file, contingentsSchema.file, eventsSchema.file, phasesSchema.file, structureSchema.file, factsSchema.file,
}

// VersionFile names the record's edition (see Dataset.Version). It is
// optional: a record without one is unversioned.
const VersionFile = "VERSION"

// versionPattern is an edition: year, edition of the year, correction.
var versionPattern = regexp.MustCompile(`^[0-9]{4}\.[0-9]+\.[0-9]+$`)

// AreaKey is the fact that holds KFOR's area of responsibility in km².
const AreaKey = "area_km2"

// ListTolerance is how far, as a share of its stated total, a complete
// list's sum may be from that total before it is an error.
const ListTolerance = 0.01

// Options tune Load.
type Options struct {
	// Dir names the directory in messages ("data" gives data/strength.csv).
	Dir string
	// Now is the instant after which a date is in the future; zero means time.Now.
	Now time.Time
}

var (
	idPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	nationPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Load reads and validates the record in fsys (the CSV files at its root).
// It returns every problem at once as Errors; a dataset is returned only
// when there are none.
func Load(fsys fs.FS, opt Options) (*Dataset, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	l := &loader{c: &collector{}, now: now, dir: opt.Dir, raw: map[string][]byte{}, fsys: fsys,
		d: &Dataset{dir: opt.Dir, sources: map[string]*Source{}, nations: map[string]*Nation{}}}
	l.sources()
	l.nationsTable()
	l.strength()
	l.counts()
	l.lists()
	l.contingents()
	l.events()
	l.phases()
	l.structure()
	l.facts()
	l.version()
	if len(l.c.errs) == 0 {
		l.crossChecks() // on a clean record only: a bad row would make every check after it mislead
	}
	if len(l.c.errs) > 0 {
		l.c.errs.sort()
		return nil, l.c.errs
	}
	d := l.d
	d.Checksum = checksum(l.raw)
	d.raw = l.raw
	d.prefer()
	d.AsOf = d.newest()
	d.counts = d.countsByDate()
	d.series = d.buildSeries()
	sm := d.summarize()
	d.summary = &sm
	return d, nil
}

type loader struct {
	rows map[string]row // by file and line, for checks made after parsing
	c    *collector
	now  time.Time
	dir  string
	raw  map[string][]byte
	fsys fs.FS
	d    *Dataset
}

func (l *loader) read(s schema) *table { return readTable(l.fsys, l.dir, s, l.c, l.raw) }

// checksum hashes the tables and, when there is one, the version file: a
// record without one hashes as before versions were kept.
func checksum(raw map[string][]byte) string {
	h := sha256.New()
	for _, f := range Files {
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(raw[f]))
		h.Write(raw[f])
	}
	if b, ok := raw[VersionFile]; ok {
		fmt.Fprintf(h, "%s\x00%d\x00", VersionFile, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// version reads the record's edition from VersionFile, if there is one.
func (l *loader) version() {
	b, err := fs.ReadFile(l.fsys, VersionFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	name := path.Join(l.dir, VersionFile)
	if err != nil {
		l.c.add(name, 0, 0, "", "cannot read: %v", unwrapPath(err))
		return
	}
	l.raw[VersionFile] = b
	v := strings.TrimSpace(string(b))
	if !versionPattern.MatchString(v) {
		l.c.add(name, 1, 1, "", "%q is not a version (want YEAR.EDITION.CORRECTION, such as 2026.12.0)", v)
		return
	}
	l.d.Version = v
}

// past checks that a date is not in the future.
func (l *loader) past(r row, field string, d Date) bool {
	if d.IsZero() {
		return true
	}
	if d.Start().After(l.now) {
		r.errf(l.c, field, "%s is in the future (today is %s)", d, l.now.Format(time.DateOnly))
		return false
	}
	return true
}

// pastDate reads a required date that may not be in the future.
func (l *loader) pastDate(r row, field string) Date {
	d, ok := r.date(l.c, field, false)
	if ok {
		l.past(r, field, d)
	}
	return d
}

// source resolves a source ID and checks that the figure it supports is not
// dated after the source was published.
func (l *loader) source(r row, field string, figure Date) (*Source, string) {
	id, ok := r.required(l.c, field)
	if !ok {
		return nil, ""
	}
	s := l.d.sources[id]
	if s == nil {
		r.errf(l.c, field, "%q does not resolve (want an id from sources.csv)", id)
		return nil, id
	}
	if !figure.IsZero() && !s.Published.IsZero() && !figure.Start().After(l.now) && !figure.Start().Before(s.Published.End()) {
		r.errf(l.c, field, "%s was published %s, before the date %s it is cited for", id, s.Published, figure)
	}
	return s, id
}

// idForm says what an id looks like, for messages.
const idForm = "an id (want letters, digits, '.', '_' or '-')"

// key reads a table's key: present, of the form pattern matches, and not
// seen before in the table (first maps each key to its line). ok is false
// when any of these fails; the row is then reported and left out.
func (l *loader) key(r row, field string, pattern *regexp.Regexp, form, what string, first map[string]int) (string, bool) {
	v, ok := r.required(l.c, field)
	if !ok {
		return v, false
	}
	if !pattern.MatchString(v) {
		r.errf(l.c, field, "%q is not %s", v, form)
		return v, false
	}
	if prev, dup := first[v]; dup {
		r.errf(l.c, field, "duplicate %s %q (first on line %d)", what, v, prev)
		return v, false
	}
	first[v] = r.line
	return v, true
}

func (l *loader) nation(r row, field string, optional bool) *Nation {
	v := r.get(field)
	if v == "" {
		if !optional {
			r.errf(l.c, field, "is empty (want an ISO 3166-1 alpha-3 code from nations.csv)")
		}
		return nil
	}
	n := l.d.nations[v]
	if n == nil {
		r.errf(l.c, field, "%q is not a known nation (want an ISO 3166-1 alpha-3 code from nations.csv)", v)
	}
	return n
}

func (l *loader) sources() {
	t := l.read(sourcesSchema)
	first := map[string]int{}
	for _, r := range t.rows {
		id, ok := l.key(r, "id", idPattern, idForm, "id", first)
		s := &Source{Line: r.line, ID: id, Language: r.get("language"), Note: r.get("note")}
		s.Title, _ = r.required(l.c, "title")
		s.Publisher, _ = r.required(l.c, "publisher")
		if u, has := r.required(l.c, "url"); has {
			pu, err := url.Parse(u)
			if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				r.errf(l.c, "url", "%q is not an absolute http or https URL", u)
			}
			s.URL = u
		}
		if d, has := r.date(l.c, "published", false); has {
			l.past(r, "published", d)
			s.Published = d
		}
		s.Kind = SourceKind(r.get("kind"))
		if s.Kind.rank() == len(SourceKinds) {
			r.errf(l.c, "kind", "%q is not a source kind (want official, press or secondary)", string(s.Kind))
		}
		if ok {
			l.d.sources[id] = s
			l.d.Sources = append(l.d.Sources, s)
		}
	}
	sort.Slice(l.d.Sources, func(i, j int) bool { return l.d.Sources[i].ID < l.d.Sources[j].ID })
}

func (l *loader) nationsTable() {
	t := l.read(nationsSchema)
	first := map[string]int{}
	for _, r := range t.rows {
		code, ok := l.key(r, "code", nationPattern, "an ISO 3166-1 alpha-3 code (want three capital letters)", "nation", first)
		n := &Nation{Code: code, Note: r.get("note")}
		n.Name, _ = r.required(l.c, "name")
		if v := r.get("nato_accession"); v != "" {
			d, has := r.date(l.c, "nato_accession", false)
			if has && d.Precision != Day {
				r.errf(l.c, "nato_accession", "%q is not a day (want YYYY-MM-DD: membership changes on a day)", v)
			} else if has {
				l.past(r, "nato_accession", d)
				n.Accession = d.Start()
			}
			if r.get("source") == "" {
				r.errf(l.c, "source", "is empty (an accession date needs a source)")
			} else {
				_, n.Source = l.source(r, "source", Date{})
			}
		} else if r.get("source") != "" {
			_, n.Source = l.source(r, "source", Date{})
		}
		if ok {
			l.d.nations[code] = n
			l.d.Nations = append(l.d.Nations, n)
		}
	}
	sort.Slice(l.d.Nations, func(i, j int) bool { return l.d.Nations[i].Code < l.d.Nations[j].Code })
}

func (l *loader) strength() {
	t := l.read(strengthSchema)
	seen := map[string]int{}
	for _, r := range t.rows {
		o := Observation{Line: r.line, Note: r.get("note")}
		o.Date = l.pastDate(r, "date")
		o.Troops, _ = r.positive(l.c, "troops", false)
		o.Source, o.SourceID = l.source(r, "source", o.Date)
		o.Confidence, _ = r.confidence(l.c, "confidence")
		o.Scope, _ = r.scope(l.c, "scope")
		o.Quote, _ = r.required(l.c, "quote")
		key := fmt.Sprintf("%s|%s|%d", o.Date, o.SourceID, o.Troops)
		if prev, dup := seen[key]; dup {
			r.errf(l.c, "date", "duplicate observation %s %d troops from %s (first on line %d)", o.Date, o.Troops, o.SourceID, prev)
		}
		seen[key] = r.line
		l.d.Observations = append(l.d.Observations, o)
	}
	if len(t.rows) == 0 && !t.broken {
		l.c.add(t.name, 0, 0, "", "holds no observation (want at least one)")
	}
	sort.SliceStable(l.d.Observations, func(i, j int) bool {
		return l.d.Observations[i].Date.Before(l.d.Observations[j].Date)
	})
}

func (l *loader) counts() {
	t := l.read(countsSchema)
	for _, r := range t.rows {
		c := Count{Line: r.line, Note: r.get("note")}
		c.Date = l.pastDate(r, "date")
		c.Nations, _ = r.positive(l.c, "nations", false)
		c.NATO, _ = r.nonNegative(l.c, "nato")
		c.Partner, _ = r.nonNegative(l.c, "partner")
		c.Source, c.SourceID = l.source(r, "source", c.Date)
		c.Confidence, _ = r.confidence(l.c, "confidence")
		c.Quote, _ = r.required(l.c, "quote")
		if c.NATO != nil && c.Partner != nil && c.Nations > 0 && *c.NATO+*c.Partner != c.Nations {
			r.errf(l.c, "nations", "%d is not nato %d + partner %d", c.Nations, *c.NATO, *c.Partner)
		}
		for _, f := range []struct {
			name string
			v    *int
		}{{"nato", c.NATO}, {"partner", c.Partner}} {
			if f.v != nil && c.Nations > 0 && *f.v > c.Nations {
				r.errf(l.c, f.name, "%d is more than the %d nations in all", *f.v, c.Nations)
			}
		}
		l.keep(r)
		l.d.Counts = append(l.d.Counts, c)
	}
	sort.SliceStable(l.d.Counts, func(i, j int) bool { return l.d.Counts[i].Date.Before(l.d.Counts[j].Date) })
}

func (l *loader) lists() {
	t := l.read(listsSchema)
	byID := map[string]*List{}
	first := map[string]int{}
	for _, r := range t.rows {
		ls := &List{Line: r.line, Note: r.get("note")}
		id, ok := l.key(r, "id", idPattern, idForm, "list", first)
		ls.ID = id
		if ls.Date, _ = r.date(l.c, "date", false); !ls.Date.IsZero() {
			l.past(r, "date", ls.Date)
		}
		if r.get("total") != "" {
			ls.Total, _ = r.positive(l.c, "total", true)
		}
		ls.Complete, _ = r.bool(l.c, "complete")
		if ls.Complete && r.get("total") == "" {
			r.errf(l.c, "total", "is empty (a complete list needs the total its source states)")
		}
		ls.Source, ls.SourceID = l.source(r, "source", ls.Date)
		ls.Confidence, _ = r.confidence(l.c, "confidence")
		ls.Quote = r.get("quote")
		ls.Coverage = r.get("coverage")
		l.keep(r)
		if ok {
			byID[id] = ls
			l.d.Lists = append(l.d.Lists, ls)
		}
	}
	ct := l.read(contributionsSchema)
	seen := map[string]int{}
	broken := map[string]bool{} // lists with a bad entry: their sums would mislead
	for _, r := range ct.rows {
		e := Contribution{Line: r.line, Note: r.get("note")}
		lid, ok := r.required(l.c, "list")
		ls := byID[lid]
		if ok && ls == nil {
			r.errf(l.c, "list", "%q does not resolve (want an id from lists.csv)", lid)
		}
		e.Nation = l.nation(r, "nation", false)
		e.Troops, _ = r.positive(l.c, "troops", false)
		e.Confidence, _ = r.confidence(l.c, "confidence")
		if ls == nil {
			continue
		}
		if e.Nation == nil || e.Troops == 0 || e.Confidence == "" {
			broken[lid] = true
			continue
		}
		key := lid + "|" + e.Nation.Code
		if prev, dup := seen[key]; dup {
			r.errf(l.c, "nation", "%s appears twice in list %s (first on line %d)", e.Nation.Code, lid, prev)
			continue
		}
		seen[key] = r.line
		ls.Entries = append(ls.Entries, e)
	}
	for _, ls := range l.d.Lists {
		sort.SliceStable(ls.Entries, func(i, j int) bool {
			a, b := ls.Entries[i], ls.Entries[j]
			if a.Troops != b.Troops {
				return a.Troops > b.Troops
			}
			return a.Nation.Code < b.Nation.Code
		})
		r := l.rows[t.name+"|"+strconv.Itoa(ls.Line)]
		if broken[ls.ID] {
			ls.broken = true
			continue
		}
		if len(ls.Entries) == 0 {
			r.errf(l.c, "id", "list %s has no entries in contributions.csv", ls.ID)
			continue
		}
		if ls.Complete && ls.Total > 0 {
			sum := ls.Sum()
			if off := math.Abs(float64(sum-ls.Total)) / float64(ls.Total); off > ListTolerance {
				r.errf(l.c, "total", "complete list %s sums to %d, %.1f%% off its stated total %d (tolerance %.0f%%)",
					ls.ID, sum, 100*off, ls.Total, 100*ListTolerance)
			}
		}
	}
	sort.SliceStable(l.d.Lists, func(i, j int) bool { return l.d.Lists[i].Date.Before(l.d.Lists[j].Date) })
}

// contingents reads one nation's figures from sources outside the lists.
// A figure is one (date, nation, source): a second row for the same three
// is a copy or a contradiction the source cannot hold.
func (l *loader) contingents() {
	t := l.read(contingentsSchema)
	seen := map[string]int{}
	for _, r := range t.rows {
		c := Contingent{Line: r.line, Note: r.get("note")}
		c.Date = l.pastDate(r, "date")
		c.Nation = l.nation(r, "nation", false)
		c.Troops, _ = r.positive(l.c, "troops", false)
		c.Source, c.SourceID = l.source(r, "source", c.Date)
		c.Confidence, _ = r.confidence(l.c, "confidence")
		c.Quote, _ = r.required(l.c, "quote")
		if c.Nation != nil && !c.Date.IsZero() && c.SourceID != "" {
			key := c.Date.String() + "|" + c.Nation.Code + "|" + c.SourceID
			if prev, dup := seen[key]; dup {
				r.errf(l.c, "nation", "duplicate figure for %s on %s from %s (first on line %d)", c.Nation.Code, c.Date, c.SourceID, prev)
			}
			seen[key] = r.line
		}
		l.d.Contingents = append(l.d.Contingents, c)
	}
	sort.SliceStable(l.d.Contingents, func(i, j int) bool { return l.d.Contingents[i].Date.Before(l.d.Contingents[j].Date) })
}

func (l *loader) events() {
	t := l.read(eventsSchema)
	seen := map[string]int{}
	for _, r := range t.rows {
		e := Event{Line: r.line, Note: r.get("note")}
		var ok bool
		if e.Date, ok = r.date(l.c, "date", false); ok {
			l.past(r, "date", e.Date)
		}
		if e.End, ok = r.date(l.c, "end", true); ok && !e.End.IsZero() {
			if l.past(r, "end", e.End) && !e.Date.IsZero() && e.End.Start().Before(e.Date.Start()) {
				r.errf(l.c, "end", "%s is before the event's date %s", e.End, e.Date)
			}
		}
		e.Kind = EventKind(r.get("kind"))
		oneOf(l.c, r, "kind", "an event kind", e.Kind, EventKinds)
		e.Title, _ = r.required(l.c, "title")
		e.Nation = l.nation(r, "nation", true)
		if (e.Kind == Joins || e.Kind == Leaves) && r.get("nation") == "" {
			r.errf(l.c, "nation", "is empty (a %s event names the nation)", e.Kind)
		}
		e.Source, e.SourceID = l.source(r, "source", Date{})
		key := e.Date.String() + "|" + e.Title
		if prev, dup := seen[key]; dup {
			r.errf(l.c, "title", "duplicate event %s %q (first on line %d)", e.Date, e.Title, prev)
		}
		seen[key] = r.line
		l.d.Events = append(l.d.Events, e)
	}
	sort.SliceStable(l.d.Events, func(i, j int) bool { return l.d.Events[i].Date.Before(l.d.Events[j].Date) })
}

// oneOf reports, when v is not one of vs, that field is not what (an
// event kind, a unit kind) and lists what it may be.
func oneOf[K ~string](c *collector, r row, field, what string, v K, vs []K) {
	if slices.Contains(vs, v) {
		return
	}
	names := make([]string, len(vs))
	for i, k := range vs {
		names[i] = string(k)
	}
	r.errf(c, field, "%q is not %s (want one of %s)", string(v), what, strings.Join(names, ", "))
}

func (l *loader) phases() {
	t := l.read(phasesSchema)
	seen := map[string]int{}
	for _, r := range t.rows {
		p := Phase{Line: r.line, Note: r.get("note")}
		p.ID, _ = r.required(l.c, "id")
		if prev, dup := seen[p.ID]; dup && p.ID != "" {
			r.errf(l.c, "id", "duplicate phase %q (first on line %d)", p.ID, prev)
		}
		seen[p.ID] = r.line
		var okS, okE bool
		if p.Start, okS = r.date(l.c, "start", false); okS {
			l.past(r, "start", p.Start)
		}
		if p.End, okE = r.date(l.c, "end", false); okE {
			l.past(r, "end", p.End)
		}
		if okS && okE && p.End.End().Before(p.Start.End()) {
			r.errf(l.c, "end", "%s is before the phase's start %s", p.End, p.Start)
		}
		p.Name, _ = r.required(l.c, "name")
		p.Source, p.SourceID = l.source(r, "source", Date{})
		l.d.Phases = append(l.d.Phases, p)
	}
	sort.SliceStable(l.d.Phases, func(i, j int) bool { return l.d.Phases[i].Start.Before(l.d.Phases[j].Start) })
}

func (l *loader) facts() {
	t := l.read(factsSchema)
	seen := map[string]int{}
	for _, r := range t.rows {
		f := Fact{Line: r.line, Note: r.get("note"), Unit: r.get("unit")}
		f.Key, _ = r.required(l.c, "key")
		if prev, dup := seen[f.Key]; dup && f.Key != "" {
			r.errf(l.c, "key", "duplicate fact %q (first on line %d)", f.Key, prev)
		}
		seen[f.Key] = r.line
		f.Value, _ = r.float(l.c, "value", 0, math.MaxFloat64)
		f.Source, f.SourceID = l.source(r, "source", Date{})
		f.Quote, _ = r.required(l.c, "quote")
		l.d.Facts = append(l.d.Facts, f)
	}
	if len(t.cols) > 0 {
		if _, ok := seen[AreaKey]; !ok {
			l.c.add(t.name, 0, 0, "key", "fact %q is missing (the area of responsibility in km²)", AreaKey)
		}
	}
}

// crossChecks compares tables with each other: a nation count must agree with
// a complete per-nation list from the same source and date.
func (l *loader) crossChecks() {
	// The complete lists by source and date, in the file's order.
	type key struct {
		source string
		date   Date
	}
	lists := map[key][]*List{}
	for _, ls := range l.d.Lists {
		if ls.Complete && !ls.broken && len(ls.Entries) > 0 {
			k := key{ls.SourceID, ls.Date}
			lists[k] = append(lists[k], ls)
		}
	}
	for _, c := range l.d.Counts {
		if c.Confidence == Uncertain || c.Source == nil {
			continue
		}
		r := l.rows[l.tableName(countsSchema)+"|"+strconv.Itoa(c.Line)]
		for _, ls := range lists[key{c.SourceID, c.Date}] {
			if c.Nations != len(ls.Entries) {
				r.errf(l.c, "nations", "%d contradicts list %s, which names %d nations", c.Nations, ls.ID, len(ls.Entries))
			}
			nato, partner := ls.Split()
			if c.NATO != nil && *c.NATO != nato {
				r.errf(l.c, "nato", "%d contradicts list %s, which has %d NATO members at %s", *c.NATO, ls.ID, nato, ls.Date)
			}
			if c.Partner != nil && *c.Partner != partner {
				r.errf(l.c, "partner", "%d contradicts list %s, which has %d partner nations at %s", *c.Partner, ls.ID, partner, ls.Date)
			}
		}
	}
}

// keep remembers a row for a check made once every table is read.
func (l *loader) keep(r row) {
	if l.rows == nil {
		l.rows = map[string]row{}
	}
	l.rows[r.t.name+"|"+strconv.Itoa(r.line)] = r
}

func (l *loader) tableName(s schema) string {
	if l.dir == "" {
		return s.file
	}
	return path.Join(l.dir, s.file)
}

// newest returns the latest date the record holds.
func (d *Dataset) newest() Date {
	var n Date
	consider := func(x Date) {
		if n.IsZero() || n.Before(x) {
			n = x
		}
	}
	for _, o := range d.Observations {
		consider(o.Date)
	}
	for _, c := range d.Counts {
		consider(c.Date)
	}
	for _, ls := range d.Lists {
		consider(ls.Date)
	}
	for _, c := range d.Contingents {
		consider(c.Date)
	}
	return n
}
