package dashboard

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
)

// SourceRef is a figure's source as the API gives it.
type SourceRef struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
	Kind      string `json:"kind"`
}

func sourceRef(s *dataset.Source) SourceRef {
	if s == nil {
		return SourceRef{}
	}
	return SourceRef{ID: s.ID, Title: s.Title, URL: s.URL, Publisher: s.Publisher, Published: s.Published.String(), Kind: string(s.Kind)}
}

// StrengthRow is one total-strength observation in /api/v1/strength.
type StrengthRow struct {
	Date           string    `json:"date"`       // YYYY-MM-DD, the day the figure is plotted at
	DateAsGiven    string    `json:"date_given"` // as the source gave it: YYYY, YYYY-MM or YYYY-MM-DD
	Precision      string    `json:"precision"`  // day, month or year
	Troops         int       `json:"troops"`
	Nations        *int      `json:"nations"`
	NATONations    *int      `json:"nato_nations"`
	PartnerNations *int      `json:"partner_nations"`
	Confidence     string    `json:"confidence"`
	Preferred      bool      `json:"preferred"`
	Rule           string    `json:"rule"`
	Quote          string    `json:"quote"`
	Note           string    `json:"note"`
	Source         SourceRef `json:"source"`
}

// StrengthRows returns the preferred series, or every observation when all
// is set, within the view's date range, oldest first.
func StrengthRows(d *dataset.Dataset, all bool, v chart.View) []StrengthRow {
	rows := []StrengthRow{}
	for i := range d.Observations {
		o := &d.Observations[i]
		if (!all && !o.Preferred) || !v.In(o.Date.Time()) {
			continue
		}
		r := StrengthRow{Date: o.Date.ISO(), DateAsGiven: o.Date.String(), Precision: o.Date.Precision.String(), Troops: o.Troops,
			Confidence: string(o.Confidence), Preferred: o.Preferred, Rule: o.Rule, Quote: o.Quote, Note: o.Note, Source: sourceRef(o.Source)}
		if c := d.CountFor(o); c != nil {
			n := c.Nations
			r.Nations = &n
			r.NATONations, r.PartnerNations, _ = c.Split()
		}
		rows = append(rows, r)
	}
	return rows
}

// strengthAtHandler answers the permalink of a strength figure: every
// observation dated as given (/api/v1/strength/2000-02 is each figure a
// source dated February 2000, not those of its days).
func strengthAtHandler(s *Server) handler {
	return func(c *gin.Context, _ param.Values) {
		at, err := param.PathDate(c.Param("date"))
		if err != nil {
			fail(c, paramError(err))
			return
		}
		rows := []StrengthRow{}
		for _, r := range StrengthRows(s.data(), true, chart.View{}) {
			if r.DateAsGiven == at.String() {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			fail(c, Errorf(ENotFound, string(param.Date), "no strength figure dated %s: GET /api/v1/strength?all=1 lists them", at))
			return
		}
		c.JSON(http.StatusOK, rows)
	}
}

// ContributionRow is one nation in a per-nation list.
type ContributionRow struct {
	Nation     string `json:"nation"`
	Name       string `json:"name"`
	Membership string `json:"membership"`
	Troops     int    `json:"troops"`
	Confidence string `json:"confidence"`
	Note       string `json:"note"`
}

// ContributionsAnswer is /api/v1/contributions: the list in force at a date.
type ContributionsAnswer struct {
	Requested  string            `json:"requested"`
	ListID     string            `json:"list"`
	Date       string            `json:"date"`
	DateGiven  string            `json:"date_given"`
	Complete   bool              `json:"complete"`
	Total      *int              `json:"total"` // as the source states it; null when it states none
	Sum        int               `json:"sum"`
	NATO       int               `json:"nato_nations"`
	Partner    int               `json:"partner_nations"`
	NATOTroops int               `json:"nato_troops"`
	PartTroops int               `json:"partner_troops"`
	Confidence string            `json:"confidence"`
	Quote      string            `json:"quote"`
	Note       string            `json:"note"`
	Source     SourceRef         `json:"source"`
	Entries    []ContributionRow `json:"entries"`
	// DatasetVersion is the edition of the record the list comes from.
	DatasetVersion string `json:"dataset_version"`
}

// Contributions describes list ls as the API gives it.
func Contributions(ls *dataset.List, requested string) ContributionsAnswer {
	a := ContributionsAnswer{Requested: requested, ListID: ls.ID, Date: ls.Date.ISO(), DateGiven: ls.Date.String(), Complete: ls.Complete,
		Sum: ls.Sum(), Confidence: string(ls.Confidence), Quote: ls.Quote, Note: ls.Note, Source: sourceRef(ls.Source), Entries: []ContributionRow{}}
	if ls.Total > 0 {
		t := ls.Total
		a.Total = &t
	}
	a.NATO, a.Partner = ls.Split()
	a.NATOTroops, a.PartTroops = ls.TroopsSplit()
	at := ls.Date.Time()
	for _, e := range ls.Entries {
		a.Entries = append(a.Entries, ContributionRow{Nation: e.Nation.Code, Name: e.Nation.Name, Membership: string(e.Nation.MembershipAt(at)),
			Troops: e.Troops, Confidence: string(e.Confidence), Note: e.Note})
	}
	return a
}

// listing is a route answering rows as JSON, or as a CSV file with one
// record a row: the one place the API's tables choose their format.
type listing[R any] struct {
	file   string // the CSV's file name
	head   []string
	record func(R) []string
	rows   func(s *Server, v param.Values) []R
}

// handler answers the rows as JSON, or as CSV when asCSV.
func (l listing[R]) handler(asCSV bool) func(*Server) handler {
	return func(s *Server) handler {
		return func(c *gin.Context, v param.Values) {
			rows := l.rows(s, v)
			if !asCSV {
				c.JSON(http.StatusOK, rows)
				return
			}
			out := make([][]string, 0, len(rows)+1)
			out = append(out, l.head)
			for _, r := range rows {
				out = append(out, l.record(r))
			}
			writeCSV(c, l.file, out)
		}
	}
}

var strengthListing = listing[StrengthRow]{
	file: "kfor-strength.csv",
	head: []string{"date", "date_given", "precision", "troops", "nations", "nato_nations", "partner_nations", "confidence", "preferred", "rule", "quote", "note", "source_id", "source_title", "source_url", "source_publisher", "source_published"},
	record: func(r StrengthRow) []string {
		return []string{r.Date, r.DateAsGiven, r.Precision, strconv.Itoa(r.Troops), optInt(r.Nations), optInt(r.NATONations), optInt(r.PartnerNations),
			r.Confidence, strconv.FormatBool(r.Preferred), r.Rule, r.Quote, r.Note, r.Source.ID, r.Source.Title, r.Source.URL, r.Source.Publisher, r.Source.Published}
	},
	rows: func(s *Server, v param.Values) []StrengthRow { return StrengthRows(s.data(), v.All, v.View) },
}

var countsListing = listing[CountRow]{
	file: "kfor-nation-counts.csv",
	head: []string{"date", "date_given", "nations", "nato_nations", "partner_nations", "split_derived", "from_list", "confidence", "source_id", "source_title", "source_url"},
	record: func(r CountRow) []string {
		return []string{r.Date, r.DateGiven, strconv.Itoa(r.Nations), optInt(r.NATO), optInt(r.Partner), strconv.FormatBool(r.SplitDerived), r.FromList, r.Confidence, r.Source.ID, r.Source.Title, r.Source.URL}
	},
	rows: func(s *Server, v param.Values) []CountRow { return CountRows(s.data(), v.View) },
}

var eventsListing = listing[EventRow]{
	file: "kfor-events.csv",
	head: []string{"date", "date_given", "end", "kind", "title", "nation", "note", "source_id", "source_title", "source_url"},
	record: func(r EventRow) []string {
		return []string{r.Date, r.DateGiven, r.End, r.Kind, r.Title, r.Nation, r.Note, r.Source.ID, r.Source.Title, r.Source.URL}
	},
	rows: func(s *Server, v param.Values) []EventRow { return EventRows(s.data(), v.View) },
}

var sourcesListing = listing[SourceRef]{
	file: "kfor-sources.csv",
	head: []string{"id", "title", "url", "publisher", "published", "kind"},
	record: func(r SourceRef) []string {
		return []string{r.ID, r.Title, r.URL, r.Publisher, r.Published, r.Kind}
	},
	rows: func(s *Server, _ param.Values) []SourceRef {
		d := s.data()
		rows := make([]SourceRef, 0, len(d.Sources))
		for _, src := range d.Sources {
			rows = append(rows, sourceRef(src))
		}
		return rows
	},
}

var nationsListing = listing[NationRow]{
	file: "kfor-nations.csv",
	head: []string{"code", "name", "nato_accession", "membership_today", "accession_source"},
	record: func(r NationRow) []string {
		return []string{r.Code, r.Name, r.Accession, r.Membership, r.Source}
	},
	rows: func(s *Server, _ param.Values) []NationRow {
		d := s.data()
		now := s.cfg.Now()
		rows := make([]NationRow, 0, len(d.Nations))
		for _, n := range d.Nations {
			r := NationRow{Code: n.Code, Name: n.Name, Membership: string(n.MembershipAt(now)), Source: n.Source}
			if !n.Accession.IsZero() {
				r.Accession = n.Accession.Format("2006-01-02")
			}
			rows = append(rows, r)
		}
		return rows
	},
}

// NationTroopsRow is one figure of a nation's contingent.
type NationTroopsRow struct {
	Date       string    `json:"date"`
	DateGiven  string    `json:"date_given"`
	Troops     int       `json:"troops"`
	Confidence string    `json:"confidence"`
	Membership string    `json:"membership"` // NATO or partner at that date
	List       string    `json:"list,omitempty"`
	Quote      string    `json:"quote"`
	Note       string    `json:"note"`
	Source     SourceRef `json:"source"`
}

// NationTroops returns every figure the record has for one nation, from
// its per-nation lists and its contingent figures, within the view's date
// range, oldest first; nil for a nation the record does not know.
func NationTroops(d *dataset.Dataset, code string, v chart.View) []NationTroopsRow {
	if d.Nation(code) == nil {
		return nil
	}
	rows := []NationTroopsRow{}
	for _, f := range d.NationFigures(code) {
		if !v.In(f.Date.Time()) {
			continue
		}
		r := NationTroopsRow{Date: f.Date.ISO(), DateGiven: f.Date.String(), Troops: f.Troops, Confidence: string(f.Confidence),
			Membership: string(f.Membership), Source: sourceRef(f.Source)}
		switch {
		case f.List != nil:
			r.List, r.Quote, r.Note = f.List.ID, f.List.Quote, f.List.Note
		case f.Contingent != nil:
			r.Quote, r.Note = f.Contingent.Quote, f.Contingent.Note
		}
		rows = append(rows, r)
	}
	return rows
}

func nationTroopsHandler(asCSV bool) func(*Server) handler {
	return func(s *Server) handler {
		return func(c *gin.Context, v param.Values) {
			code, err := param.NationCode(c.Param("code"))
			if err != nil {
				fail(c, paramError(err))
				return
			}
			rows := NationTroops(s.data(), code, v.View)
			if rows == nil {
				fail(c, Errorf(ENotFound, string(param.Code), "no nation %s in the record: GET /api/v1/nations lists them", code))
				return
			}
			l := nationTroopsListing
			l.file = "kfor-troops-" + code + ".csv"
			l.rows = func(*Server, param.Values) []NationTroopsRow { return rows }
			l.handler(asCSV)(s)(c, v)
		}
	}
}

var nationTroopsListing = listing[NationTroopsRow]{
	head: []string{"date", "date_given", "troops", "confidence", "membership", "list", "quote", "note", "source_id", "source_title", "source_url", "source_publisher", "source_published"},
	record: func(r NationTroopsRow) []string {
		return []string{r.Date, r.DateGiven, strconv.Itoa(r.Troops), r.Confidence, r.Membership, r.List, r.Quote, r.Note, r.Source.ID, r.Source.Title, r.Source.URL, r.Source.Publisher, r.Source.Published}
	},
}

func contributionsHandler(asCSV bool) func(*Server) handler {
	return func(s *Server) handler { return func(c *gin.Context, v param.Values) { s.contributions(c, v, asCSV) } }
}

func (s *Server) contributions(c *gin.Context, v param.Values, asCSV bool) {
	at, complete := v.View.At, v.Complete
	if at.IsZero() {
		at = s.cfg.Now().UTC()
	}
	d := s.data()
	ls := d.ListAt(dataset.EndOfDay(at), complete)
	if ls == nil {
		kind := "per-nation list"
		if complete {
			kind = "complete per-nation list"
		}
		fail(c, Errorf(ENotFound, "date", "no %s on or before %s", kind, at.Format("2006-01-02")))
		return
	}
	a := Contributions(ls, at.Format("2006-01-02"))
	a.DatasetVersion = datasetVersion(d)
	if !asCSV {
		c.JSON(http.StatusOK, a)
		return
	}
	out := [][]string{{"list", "date", "complete", "nation", "name", "membership", "troops", "confidence", "note", "source_id", "source_title", "source_url"}}
	for _, e := range a.Entries {
		out = append(out, []string{a.ListID, a.DateGiven, strconv.FormatBool(a.Complete), e.Nation, e.Name, e.Membership, strconv.Itoa(e.Troops), e.Confidence, e.Note, a.Source.ID, a.Source.Title, a.Source.URL})
	}
	writeCSV(c, "kfor-contributions-"+a.DateGiven+".csv", out)
}

// CountRow is one contributing-nation count.
type CountRow struct {
	Date         string    `json:"date"`
	DateGiven    string    `json:"date_given"`
	Nations      int       `json:"nations"`
	NATO         *int      `json:"nato_nations"`
	Partner      *int      `json:"partner_nations"`
	SplitDerived bool      `json:"split_derived"`
	FromList     string    `json:"from_list,omitempty"`
	Confidence   string    `json:"confidence"`
	Source       SourceRef `json:"source"`
}

// CountRows returns every contributing-nation count within the view's date
// range, oldest first.
func CountRows(d *dataset.Dataset, v chart.View) []CountRow {
	rows := []CountRow{}
	for _, p := range d.NationCounts() {
		if !v.In(p.Date.Time()) {
			continue
		}
		r := CountRow{Date: p.Date.ISO(), DateGiven: p.Date.String(), Nations: p.Nations, NATO: p.NATO, Partner: p.Partner, SplitDerived: p.SplitDerived,
			Confidence: string(p.Confidence), Source: sourceRef(p.Source)}
		if p.FromList != nil {
			r.FromList = p.FromList.ID
		}
		rows = append(rows, r)
	}
	return rows
}

// EventRow is one event.
type EventRow struct {
	Date      string    `json:"date"`
	DateGiven string    `json:"date_given"`
	End       string    `json:"end,omitempty"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Nation    string    `json:"nation,omitempty"`
	Note      string    `json:"note"`
	Source    SourceRef `json:"source"`
}

// EventRows returns every event within the view's date range (an event
// that spans days counts when it ends in it or starts in it), oldest first.
func EventRows(d *dataset.Dataset, v chart.View) []EventRow {
	rows := []EventRow{}
	for _, e := range d.Events {
		if !v.In(e.Date.Time()) && (e.End.IsZero() || !v.In(e.End.Time())) {
			continue
		}
		r := EventRow{Date: e.Date.ISO(), DateGiven: e.Date.String(), Kind: string(e.Kind), Title: e.Title, Note: e.Note, Source: sourceRef(e.Source)}
		if !e.End.IsZero() {
			r.End = e.End.String()
		}
		if e.Nation != nil {
			r.Nation = e.Nation.Code
		}
		rows = append(rows, r)
	}
	return rows
}

// NationRow is a contributing nation and its NATO status.
type NationRow struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Accession  string `json:"nato_accession,omitempty"`
	Membership string `json:"membership_today"`
	Source     string `json:"accession_source,omitempty"`
}

// FigureRef is a headline figure with its date and source.
type FigureRef struct {
	Troops     int       `json:"troops"`
	Date       string    `json:"date"`
	DateGiven  string    `json:"date_given"`
	Confidence string    `json:"confidence"`
	Source     SourceRef `json:"source"`
}

// NationsRef is a contributing-nation count with its date and source.
type NationsRef struct {
	All       int       `json:"all"`
	NATO      *int      `json:"nato"`
	Partner   *int      `json:"partner"`
	Derived   bool      `json:"derived"` // nato or partner computed, not quoted
	Date      string    `json:"date"`
	DateGiven string    `json:"date_given"`
	Source    SourceRef `json:"source"`
}

// SummaryAnswer is /api/v1/summary: the headline figures.
type SummaryAnswer struct {
	Latest FigureRef `json:"latest"`
	Peak   FigureRef `json:"peak"`
	// Nations is the newest count of contributing nations; Split the
	// newest count that divides them by membership (it may be older).
	Nations       *NationsRef `json:"nations"`
	Split         *NationsRef `json:"nations_by_membership"`
	DrawdownRatio float64     `json:"drawdown_ratio"`
	// PeakTheatre and PeakKosovo are the highest figures of the whole force
	// in theatre and of the troops in Kosovo, where the record has them.
	PeakTheatre *FigureRef `json:"peak_theatre"`
	PeakKosovo  *FigureRef `json:"peak_kosovo"`
	// Sentence says the headline in one sentence, and Citation its
	// sources, ready to paste.
	Sentence        string  `json:"sentence"`
	Citation        string  `json:"citation"`
	AreaKm2         float64 `json:"area_km2"`
	TroopsPer100Km2 float64 `json:"troops_per_100km2"`
	AsOf            string  `json:"as_of"`
	Checksum        string  `json:"checksum"`
	// DatasetVersion is the record's edition (data/VERSION), to cite.
	DatasetVersion string `json:"dataset_version"`
}

func figureRef(p dataset.Point) FigureRef {
	return FigureRef{Troops: p.Troops, Date: p.Date.ISO(), DateGiven: p.Date.String(), Confidence: string(p.Confidence), Source: sourceRef(p.Source)}
}

func nationsRef(p *dataset.CountPoint) *NationsRef {
	if p == nil {
		return nil
	}
	return &NationsRef{All: p.Nations, NATO: p.NATO, Partner: p.Partner, Derived: p.SplitDerived, Date: p.Date.ISO(), DateGiven: p.Date.String(), Source: sourceRef(p.Source)}
}

// Summary returns the headline figures as the API gives them.
func Summary(d *dataset.Dataset) SummaryAnswer {
	sm := d.Summarize()
	a := SummaryAnswer{
		Latest: figureRef(sm.Latest), Peak: figureRef(sm.Peak),
		Nations: nationsRef(sm.Nations), Split: nationsRef(sm.Split),
		DrawdownRatio: sm.Drawdown, AreaKm2: sm.AreaKm2, TroopsPer100Km2: sm.TroopsPer100Km2,
		AsOf: d.AsOf.String(), Checksum: d.Checksum, DatasetVersion: datasetVersion(d),
	}
	for _, p := range []struct {
		o  *dataset.Observation
		to **FigureRef
	}{{sm.PeakTheatre, &a.PeakTheatre}, {sm.PeakKosovo, &a.PeakKosovo}} {
		if p.o != nil {
			f := figureRef(dataset.Point{Date: p.o.Date, Troops: p.o.Troops, Confidence: p.o.Confidence, Source: p.o.Source})
			*p.to = &f
		}
	}
	a.Sentence, a.Citation = sentence(d, sm)
	return a
}

// sentence says the headline in one sentence a reader can quote, and the
// citation of its figures: "KFOR has about 4,700 troops from 33 nations,
// down from 50,000 in 1999." The nations are named only when counted
// within a year of the troops figure, so that the sentence never joins
// figures of different times.
func sentence(d *dataset.Dataset, sm dataset.Summary) (text, citation string) {
	about := ""
	if sm.Latest.Confidence != dataset.Exact {
		about = "about "
	}
	text = "KFOR has " + about + chart.Thousands(sm.Latest.Troops) + " troops"
	srcs := []string{cite(sm.Latest.Source, sm.Latest.Date)}
	if n := sm.Nations; n != nil && sm.Latest.Date.Time().Sub(n.Date.Time()).Abs() <= 366*24*time.Hour {
		text += " from " + strconv.Itoa(n.Nations) + " nations"
		srcs = append(srcs, cite(n.Source, n.Date))
	}
	if sm.Peak.Troops > sm.Latest.Troops {
		text += ", down from " + chart.Thousands(sm.Peak.Troops) + " in " + strconv.Itoa(sm.Peak.Date.Year)
		srcs = append(srcs, cite(sm.Peak.Source, sm.Peak.Date))
	}
	text += " (as of " + sm.Latest.Date.String() + ")."
	citation = "kforstats, KFOR troop levels 1999 to today, data as of " + d.AsOf.String() + "; figures from " + strings.Join(srcs, "; ") + "."
	return text, citation
}

// cite names a source and the date of the figure taken from it.
func cite(s *dataset.Source, at dataset.Date) string {
	if s == nil {
		return at.String()
	}
	return s.Publisher + ", " + at.String()
}

func (s *Server) handleSummary() handler {
	return func(c *gin.Context, _ param.Values) { c.JSON(http.StatusOK, Summary(s.data())) }
}

// UnitRow is one formation of the force for one period, in
// /api/v1/structure.
type UnitRow struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	LeadNation string    `json:"lead_nation"` // alpha-3; empty where no source names it
	Place      string    `json:"place"`
	Camp       string    `json:"camp"`
	Lat        *float64  `json:"lat"` // null where no source places the unit
	Lon        *float64  `json:"lon"`
	Coords     string    `json:"coords"` // source (the camp's), town_centre, or empty
	From       string    `json:"from"`   // as the source gave it: YYYY, YYYY-MM or YYYY-MM-DD
	To         string    `json:"to"`     // empty while in force
	Area       string    `json:"area"`
	Confidence string    `json:"confidence"`
	Quote      string    `json:"quote"`
	Note       string    `json:"note"`
	Source     SourceRef `json:"source"`
	// CoordsSource is the source of the coordinates where it is not Source.
	CoordsSource *SourceRef `json:"coords_source,omitempty"`
}

func unitRow(u *dataset.Unit) UnitRow {
	r := UnitRow{ID: u.ID, Kind: string(u.Kind), Name: u.Name, Place: u.Place, Camp: u.Camp, Coords: string(u.Coords),
		From: u.From.String(), Area: u.Area, Confidence: string(u.Confidence), Quote: u.Quote, Note: u.Note, Source: sourceRef(u.Source)}
	if u.Lead != nil {
		r.LeadNation = u.Lead.Code
	}
	if !u.To.IsZero() {
		r.To = u.To.String()
	}
	if u.Located() {
		lat, lon := u.Lat, u.Lon
		r.Lat, r.Lon = &lat, &lon
		if u.CoordsID != u.SourceID {
			cs := sourceRef(u.CoordsFrom)
			r.CoordsSource = &cs
		}
	}
	return r
}

// FactRow is a standing figure, such as the area of responsibility.
type FactRow struct {
	Key    string    `json:"key"`
	Value  float64   `json:"value"`
	Unit   string    `json:"unit"`
	Quote  string    `json:"quote"`
	Note   string    `json:"note"`
	Source SourceRef `json:"source"`
}

// StructureAnswer is /api/v1/structure: the formations in force at a date
// (every formation with its dates when all is set) and the standing facts.
type StructureAnswer struct {
	Date  string    `json:"date,omitempty"` // YYYY-MM-DD; empty with all
	Units []UnitRow `json:"units"`
	Facts []FactRow `json:"facts"`
	// DatasetVersion is the record's edition (data/VERSION), to cite.
	DatasetVersion string `json:"dataset_version"`
}

// Structure returns the formations in force at t, or every formation when
// all is set, with the standing facts.
func Structure(d *dataset.Dataset, t time.Time, all bool) StructureAnswer {
	a := StructureAnswer{Units: []UnitRow{}, Facts: []FactRow{}, DatasetVersion: datasetVersion(d)}
	us := d.Units
	if !all {
		a.Date = t.Format(time.DateOnly)
		us = d.StructureAt(t)
	}
	for _, u := range us {
		a.Units = append(a.Units, unitRow(u))
	}
	for _, f := range d.Facts {
		a.Facts = append(a.Facts, FactRow{Key: f.Key, Value: f.Value, Unit: f.Unit, Quote: f.Quote, Note: f.Note, Source: sourceRef(f.Source)})
	}
	return a
}

// structureAt is the structure a request asks for: at its date (the first
// day of the period given; default today), or every formation with all=1.
func (s *Server) structureAt(v param.Values) StructureAnswer {
	at := v.View.At
	if at.IsZero() {
		at = s.cfg.Now().UTC().Truncate(24 * time.Hour)
	}
	return Structure(s.data(), at, v.All)
}

func structureHandler(asCSV bool) func(*Server) handler {
	return func(s *Server) handler {
		return func(c *gin.Context, v param.Values) {
			a := s.structureAt(v)
			if !asCSV {
				c.JSON(http.StatusOK, a)
				return
			}
			out := [][]string{{"date", "id", "kind", "name", "lead_nation", "place", "camp", "lat", "lon", "coords", "from", "to", "area", "confidence", "quote", "note", "source_id", "source_title", "source_url", "source_publisher", "source_published"}}
			for _, u := range a.Units {
				out = append(out, []string{a.Date, u.ID, u.Kind, u.Name, u.LeadNation, u.Place, u.Camp, optFloat(u.Lat), optFloat(u.Lon), u.Coords, u.From, u.To, u.Area,
					u.Confidence, u.Quote, u.Note, u.Source.ID, u.Source.Title, u.Source.URL, u.Source.Publisher, u.Source.Published})
			}
			name := "kfor-structure-" + a.Date + ".csv"
			if v.All {
				name = "kfor-structure.csv"
			}
			writeCSV(c, name, out)
		}
	}
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// historyContentType is the media type of the backfill export.
const historyContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

// handleHistory serves the record up to now as OpenMetrics with timestamps,
// for Prometheus' backfill (promtool tsdb create-blocks-from openmetrics).
func (s *Server) handleHistory() handler {
	return func(c *gin.Context, _ param.Values) {
		var b bytes.Buffer
		if err := s.cfg.History(&b, s.data(), s.cfg.Now()); err != nil {
			s.cfg.Log.Error("writing the history", "err", err)
			fail(c, Errorf(EInternal, "", "cannot write the history"))
			return
		}
		c.Header("Content-Disposition", `attachment; filename="kfor-history.om"`)
		c.Data(http.StatusOK, historyContentType, b.Bytes())
	}
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// writeCSV answers with rows as a CSV download.
func writeCSV(c *gin.Context, filename string, rows [][]string) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // writing to a bytes.Buffer does not fail
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}
