package dataset

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// UnitKind classes a formation of the force.
type UnitKind string

// The unit kinds.
const (
	Headquarters UnitKind = "headquarters"
	Brigade      UnitKind = "brigade"
	TaskForce    UnitKind = "task_force"
	BattleGroup  UnitKind = "battle_group"
	Detachment   UnitKind = "detachment"
	OtherUnit    UnitKind = "other" // a reserve, a specialised unit, a camp
)

// UnitKinds lists every UnitKind.
var UnitKinds = []UnitKind{Headquarters, Brigade, TaskForce, BattleGroup, Detachment, OtherUnit}

// CoordsKind says what a unit's coordinates are.
type CoordsKind string

// The coordinate kinds; the empty one is a unit without coordinates.
const (
	CoordsNone       CoordsKind = ""
	CoordsSource     CoordsKind = "source"      // a source gives the place's (the camp's) coordinates
	CoordsTownCentre CoordsKind = "town_centre" // the town's centre, not the camp's
)

// Unit is one formation of the force for one period: a headquarters,
// brigade, task force, battle group or detachment with its lead nation,
// camp and place. A formation whose lead nation changes has one row per
// lead, all with the same Name; a restructuring ends some formations and
// starts others.
type Unit struct {
	Line       int // line in structure.csv, for messages
	ID         string
	Kind       UnitKind
	Name       string
	Lead       *Nation // nil when no source names the lead nation
	Camp       string
	Place      string // the town, as KFOR writes it: Albanian/Serbian where the forms differ
	Lat, Lon   float64
	Coords     CoordsKind // CoordsNone when Lat and Lon are not known
	CoordsID   string     // the source of the coordinates
	CoordsFrom *Source
	From       Date
	To         Date // zero while the unit is in force
	Area       string
	SourceID   string
	Source     *Source
	Confidence Confidence
	Quote      string
	Note       string
}

// Located reports whether the unit has coordinates.
func (u *Unit) Located() bool { return u.Coords != CoordsNone }

// Start is the first instant the unit counts as in force: the start of the
// period its From date names (1 January for a year).
func (u *Unit) Start() time.Time { return u.From.Start() }

// End is the first instant the unit no longer counts as in force: the start
// of the period its To date names, so that a successor whose From is that
// date follows it without overlap; zero while it is in force.
func (u *Unit) End() time.Time {
	if u.To.IsZero() {
		return time.Time{}
	}
	return u.To.Start()
}

// InForce reports whether the unit is in force at t.
func (u *Unit) InForce(t time.Time) bool {
	return !t.Before(u.Start()) && (u.To.IsZero() || t.Before(u.End()))
}

// StructureAt returns the units in force at t, headquarters first, then by
// kind and name.
func (d *Dataset) StructureAt(t time.Time) []*Unit {
	var out []*Unit
	for _, u := range d.Units {
		if u.InForce(t) {
			out = append(out, u)
		}
	}
	sortUnits(out)
	return out
}

func sortUnits(us []*Unit) {
	rank := func(k UnitKind) int { return slices.Index(UnitKinds, k) }
	sort.SliceStable(us, func(i, j int) bool {
		a, b := us[i], us[j]
		if a.Kind != b.Kind {
			return rank(a.Kind) < rank(b.Kind)
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Start().Before(b.Start())
	})
}

// StructureChanges returns the instants at which the structure changes (a
// unit starts or ends), oldest first, each once.
func (d *Dataset) StructureChanges() []time.Time {
	seen := map[time.Time]bool{}
	var out []time.Time
	add := func(t time.Time) {
		if !t.IsZero() && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, u := range d.Units {
		add(u.Start())
		add(u.End())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// Warnings returns what the record allows but a reader should know, each
// located like a load error: units whose period overlaps the next period of
// the same formation (the same name), and units whose lead nation no source
// names. kforstats validate prints them in its summary.
func (d *Dataset) Warnings() Errors {
	var es Errors
	file := structureSchema.file
	if d.dir != "" {
		file = path.Join(d.dir, file)
	}
	byName := map[string][]*Unit{}
	for _, u := range d.Units {
		byName[u.Name] = append(byName[u.Name], u)
		if u.Lead == nil {
			es = append(es, &Error{File: file, Line: u.Line, Field: "lead_nation", Msg: fmt.Sprintf("unit %s has no lead nation (unknown: no source names one)", u.ID)})
		}
	}
	for _, us := range byName {
		for i := 0; i+1 < len(us); i++ {
			u, next := us[i], us[i+1]
			if u.To.IsZero() || u.End().After(next.Start()) {
				to := "in force"
				if !u.To.IsZero() {
					to = "to " + u.To.String()
				}
				es = append(es, &Error{File: file, Line: u.Line, Field: "to", Msg: fmt.Sprintf("unit %s (%s) overlaps its successor %s (from %s)", u.ID, to, next.ID, next.From)})
			}
		}
	}
	es.sort()
	return es
}

var structureSchema = schema{"structure.csv",
	[]string{"id", "kind", "name", "lead_nation", "camp", "place", "lat", "lon", "coords", "from", "to", "source", "confidence"},
	[]string{"area", "quote", "note"}}

func (l *loader) structure() {
	t := l.read(structureSchema)
	first := map[string]int{}
	for _, r := range t.rows {
		id, ok := l.key(r, "id", idPattern, idForm, "unit", first)
		u := &Unit{Line: r.line, ID: id, Camp: r.get("camp"), Place: r.get("place"), Area: r.get("area"), Quote: r.get("quote"), Note: r.get("note")}
		u.Kind = UnitKind(r.get("kind"))
		oneOf(l.c, r, "kind", "a unit kind", u.Kind, UnitKinds)
		u.Name, _ = r.required(l.c, "name")
		u.Lead = l.nation(r, "lead_nation", true)
		l.coords(r, u)
		if d, has := r.date(l.c, "from", false); has {
			l.past(r, "from", d)
			u.From = d
		}
		if d, has := r.date(l.c, "to", true); has && !d.IsZero() {
			if l.past(r, "to", d) && !u.From.IsZero() && !d.Start().After(u.From.Start()) {
				r.errf(l.c, "to", "%s is not after from %s (want the date the unit ended, after it began)", d, u.From)
			}
			u.To = d
		}
		u.Source, u.SourceID = l.source(r, "source", u.From)
		u.Confidence, _ = r.confidence(l.c, "confidence")
		if ok {
			l.d.Units = append(l.d.Units, u)
		}
	}
	sort.SliceStable(l.d.Units, func(i, j int) bool {
		a, b := l.d.Units[i], l.d.Units[j]
		if !a.Start().Equal(b.Start()) {
			return a.Start().Before(b.Start())
		}
		return a.ID < b.ID
	})
}

// coords reads lat, lon and coords: `source` or `town_centre`, optionally
// followed by `:` and the id of the source of the coordinates when it is
// not the row's own; all three empty for a unit no source places.
func (l *loader) coords(r row, u *Unit) {
	v := r.get("coords")
	if v == "" {
		if r.get("lat") != "" || r.get("lon") != "" {
			r.errf(l.c, "coords", "is empty but lat and lon are set (want source or town_centre)")
		}
		return
	}
	kind, sid, _ := strings.Cut(v, ":")
	switch CoordsKind(kind) {
	case CoordsSource, CoordsTownCentre:
		u.Coords = CoordsKind(kind)
	default:
		r.errf(l.c, "coords", "%q is not a coordinate kind (want source or town_centre, optionally :S<id> for the source of the coordinates)", v)
		return
	}
	u.Lat, _ = r.float(l.c, "lat", -90, 90)
	u.Lon, _ = r.float(l.c, "lon", -180, 180)
	if sid == "" {
		sid = r.get("source")
	}
	u.CoordsID = sid
	if u.CoordsFrom = l.d.sources[sid]; u.CoordsFrom == nil && sid != "" {
		r.errf(l.c, "coords", "%q does not resolve (want an id from sources.csv)", sid)
	}
}
