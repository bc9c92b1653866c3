package dataset

import (
	"strings"
	"time"
)

// Confidence says how a figure was obtained from its source.
type Confidence string

// The confidences, from the most to the least trustworthy.
const (
	Exact       Confidence = "exact"       // the source quotes the exact figure
	Approximate Confidence = "approximate" // the source says "about", "some", "over", "almost"
	Derived     Confidence = "derived"     // arithmetic on quoted figures, method in the note
	Uncertain   Confidence = "uncertain"   // a secondary copy, an unclear date, or a conflict
)

// Confidences lists every Confidence in rank order.
var Confidences = []Confidence{Exact, Approximate, Derived, Uncertain}

func (c Confidence) rank() int {
	for i, x := range Confidences {
		if c == x {
			return i
		}
	}
	return len(Confidences)
}

// SourceKind classes a publisher by how close it is to the figures.
type SourceKind string

// The source kinds, from the closest to the figures to the furthest.
const (
	Official  SourceKind = "official"  // NATO, KFOR, SHAPE, JFC Naples, the UN, governments, parliaments
	Press     SourceKind = "press"     // news agencies, newspapers, broadcasters
	Secondary SourceKind = "secondary" // encyclopedias, wiki copies, blogs, aggregators
)

// SourceKinds lists every SourceKind in rank order.
var SourceKinds = []SourceKind{Official, Press, Secondary}

func (k SourceKind) rank() int {
	for i, x := range SourceKinds {
		if k == x {
			return i
		}
	}
	return len(SourceKinds)
}

// Source is a publication a figure comes from.
type Source struct {
	Line      int // line in sources.csv, for messages
	ID        string
	Title     string
	Publisher string
	URL       string
	Published Date
	Language  string // ISO 639-1 code of the quote's language
	Kind      SourceKind
	Note      string
}

// Membership is a nation's status in NATO at a date.
type Membership string

// The two memberships a contributing nation can have.
const (
	NATO    Membership = "nato"
	Partner Membership = "partner"
)

// Nation is a country that has contributed to KFOR.
type Nation struct {
	Code      string    // ISO 3166-1 alpha-3
	Name      string    // English short name
	Accession time.Time // NATO accession day; zero for a nation never in NATO
	Source    string    // source ID of the accession date
	Note      string
}

// MembershipAt derives the nation's status at t from its accession date.
func (n Nation) MembershipAt(t time.Time) Membership {
	if !n.Accession.IsZero() && !t.Before(n.Accession) {
		return NATO
	}
	return Partner
}

// Scope says what a total-strength figure counts: the troops in Kosovo, or
// the whole force in theatre, with the rear support in North Macedonia,
// Albania and Greece that the 1999-2002 figures often include.
type Scope string

// The scopes a figure can have; the empty Scope is a figure whose source
// does not say.
const (
	ScopeUnknown Scope = ""
	Kosovo       Scope = "kosovo"
	Theatre      Scope = "theatre"
)

// Scopes lists every Scope, the unknown one last.
var Scopes = []Scope{Kosovo, Theatre, ScopeUnknown}

// String returns the scope's name, "unknown" for the empty one.
func (s Scope) String() string {
	if s == ScopeUnknown {
		return "unknown"
	}
	return string(s)
}

// Observation is one dated total-strength figure from one source.
type Observation struct {
	Line       int // line in strength.csv, for messages
	Date       Date
	Troops     int
	SourceID   string
	Source     *Source
	Confidence Confidence
	Scope      Scope
	Quote      string
	Note       string

	// Preferred is set when this observation is the series' value for
	// its period; Rule says why it was or was not chosen.
	Preferred bool
	Rule      string
}

// Count is a contributing-nation count: all nations, and NATO and partner
// nations where the source splits them.
type Count struct {
	Line       int
	Date       Date
	Nations    int
	NATO       *int // nil when the source does not say
	Partner    *int // nil when the source does not say
	SourceID   string
	Source     *Source
	Confidence Confidence
	Quote      string
	Note       string
}

// Split returns the NATO and partner counts, filling one that the source did
// not give from the other and the total. derived is true when it did so.
func (c Count) Split() (nato, partner *int, derived bool) {
	switch {
	case c.NATO != nil && c.Partner != nil:
		return c.NATO, c.Partner, false
	case c.NATO != nil:
		p := c.Nations - *c.NATO
		return c.NATO, &p, true
	case c.Partner != nil:
		n := c.Nations - *c.Partner
		return &n, c.Partner, true
	}
	return nil, nil, false
}

// Contribution is one nation's troops in a per-nation list.
type Contribution struct {
	Line       int
	Nation     *Nation
	Troops     int
	Confidence Confidence
	Note       string
}

// List is a per-nation breakdown of the force at a date. A complete list
// names every contributing nation; a partial one only some.
type List struct {
	Line       int
	ID         string
	Date       Date
	Total      int // the total the source states; 0 when it states none
	Complete   bool
	SourceID   string
	Source     *Source
	Confidence Confidence
	Quote      string
	// Coverage says in words which nations the list names ("all 28
	// nations", "the largest contingents"); validate --strict reports a
	// list without one.
	Coverage string
	Note     string
	Entries  []Contribution // largest first

	broken bool // an entry failed to load; only set while loading
}

// Sum adds up the troops of every entry.
func (l *List) Sum() int {
	s := 0
	for _, e := range l.Entries {
		s += e.Troops
	}
	return s
}

// Split counts the list's nations by membership at the list's date.
func (l *List) Split() (nato, partner int) {
	t := l.Date.Time()
	for _, e := range l.Entries {
		if e.Nation.MembershipAt(t) == NATO {
			nato++
		} else {
			partner++
		}
	}
	return nato, partner
}

// TroopsSplit adds up the list's troops by membership at the list's date.
func (l *List) TroopsSplit() (nato, partner int) {
	t := l.Date.Time()
	for _, e := range l.Entries {
		if e.Nation.MembershipAt(t) == NATO {
			nato += e.Troops
		} else {
			partner += e.Troops
		}
	}
	return nato, partner
}

// Contingent is one nation's troops at a date from a source that is not a
// per-nation list: a national ministry's release, a parliament's answer, a
// news report about one contingent.
type Contingent struct {
	Line       int // line in contingents.csv, for messages
	Date       Date
	Nation     *Nation
	Troops     int
	SourceID   string
	Source     *Source
	Confidence Confidence
	Quote      string
	Note       string
}

// EventKind classes an event by what it did to the force.
type EventKind string

// The event kinds.
const (
	Deployment    EventKind = "deployment"
	Reduction     EventKind = "reduction"
	Reinforcement EventKind = "reinforcement"
	Unrest        EventKind = "unrest"
	Command       EventKind = "command"
	Joins         EventKind = "joins"
	Leaves        EventKind = "leaves"
	Political     EventKind = "political"
	Restructuring EventKind = "restructuring" // formations created, merged, renamed or dissolved
)

// EventKinds lists every EventKind.
var EventKinds = []EventKind{Deployment, Reduction, Reinforcement, Unrest, Command, Joins, Leaves, Political, Restructuring}

// Event is a dated happening that explains a change in the force.
type Event struct {
	Line     int
	Date     Date
	End      Date // zero when the event has no duration
	Kind     EventKind
	Title    string
	Nation   *Nation // the nation that joins or leaves; nil otherwise
	SourceID string
	Source   *Source
	Note     string
}

// Phase is a named period of the force's history, drawn as a shaded area.
type Phase struct {
	Line     int
	ID       string
	Start    Date
	End      Date
	Name     string
	SourceID string
	Source   *Source
	Note     string
}

// Fact is a standing figure about the force, such as its area.
type Fact struct {
	Line     int
	Key      string
	Value    float64
	Unit     string
	SourceID string
	Source   *Source
	Quote    string
	Note     string
}

// Dataset is one loaded, validated record. It is immutable once Load returns
// it: every reader may share it without locks.
type Dataset struct {
	Sources      []*Source // by ID
	Nations      []*Nation // by code
	Observations []Observation
	Counts       []Count
	Lists        []*List
	Contingents  []Contingent // oldest first
	Events       []Event
	Phases       []Phase
	Units        []*Unit // the structure, by start
	Facts        []Fact

	// Checksum is the SHA-256 of the files the dataset was read from, in
	// hex; AsOf is the newest date the record holds.
	Checksum string
	AsOf     Date
	// Version is the record's edition, from its VERSION file (such as
	// 2026.12.0: year, edition, correction; data/CHANGELOG.md says what
	// each changed); empty for a record without one.
	Version string

	dir     string            // the directory named in messages, as Options.Dir
	raw     map[string][]byte // the files as read, by name
	sources map[string]*Source
	nations map[string]*Nation
	counts  map[Date][]*Count // each date's nation counts, in the file's order
	series  []Point
	summary *Summary // Summarize's answer, made at load
}

// Source returns the source with id, or nil.
func (d *Dataset) Source(id string) *Source { return d.sources[id] }

// Nation returns the nation with the alpha-3 code (any case), or nil.
func (d *Dataset) Nation(code string) *Nation { return d.nations[strings.ToUpper(code)] }

// Fact returns the fact with key and whether it exists.
func (d *Dataset) Fact(key string) (Fact, bool) {
	for _, f := range d.Facts {
		if f.Key == key {
			return f, true
		}
	}
	return Fact{}, false
}
