// Package param is the one parser of the query parameters every kforstats
// route reads (the page, the API, the chart images) and of the command
// line's view flags. It has one grammar per parameter and two modes: Strict
// refuses a value it cannot use (the API, the images and the CLI answer 400
// or exit 2, naming the parameter), Lenient falls back to the default and
// says so (the page shows the notice and the view it fell back to).
//
// Each parameter is declared once, in specs: its grammar, bounds and
// documentation. A route names the parameters it reads; from that list come
// its parsing, its cache key, the documentation GET /charts and the API
// description give, and its default view for the load-time warm-up.
package param

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
)

// Mode says what becomes of a value that cannot be used.
type Mode int

// The modes.
const (
	// Strict refuses the request: Parse returns the first *Notice as its
	// error.
	Strict Mode = iota
	// Lenient uses the default instead and records a Notice saying so.
	Lenient
)

// Name is a query parameter's name.
type Name string

// The parameters. A route reads a subset of them.
const (
	Theme    Name = "theme"
	From     Name = "from"
	To       Name = "to"
	Date     Name = "date"
	All      Name = "all"
	Complete Name = "complete"
	Width    Name = "width"
	Height   Name = "height"
	Scale    Name = "scale"
	Axis     Name = "axis"
	// Code is a path parameter: a nation's ISO 3166-1 alpha-3 code.
	Code Name = "code"
	// Nation picks the nations the contingents chart follows.
	Nation Name = "nation"
	// Frame picks how a chart image is framed: as an image that stands on
	// its own, or as the page draws it.
	Frame Name = "frame"
	// Lang is the language of the page, its charts and images.
	Lang Name = "lang"
)

// The frames of a chart image.
const (
	// FrameImage is an image to paste: a title naming KFOR, the sources'
	// line, nothing to click.
	FrameImage = "image"
	// FramePage is the chart as the page draws it, zoom slider and
	// toolbox included: the drawing the page inlines before its script
	// makes it interactive.
	FramePage = "page"
)

// View is the parameters of the view a chart draws: the page, its tables
// and the chart images read them.
var View = []Name{Theme, From, To, Date, Nation, Axis, Lang}

// FirstDay is the earliest date any parameter accepts: KFOR entered Kosovo
// in June 1999; the air campaign that preceded it began in March 1999.
var FirstDay = time.Date(1999, time.January, 1, 0, 0, 0, 0, time.UTC)

// KFORStart is KFOR's first day: its first elements entered Kosovo on 12
// June 1999 (events.csv). The date parameter, the day whose per-nation
// list or structure a view shows, is no earlier: before it there was no
// KFOR to show. A period that begins earlier but reaches it (1999,
// 1999-06) means KFORStart.
var KFORStart = time.Date(1999, time.June, 12, 0, 0, 0, 0, time.UTC)

// MaxNations bounds the nations one view follows: each is a line.
const MaxNations = 12

// MaxLen bounds a value's length: a longer one is refused before it is
// parsed.
const MaxLen = 64

// Image sizes when a request names none: the page's chart at a usual
// desktop width; the height is the one the chart asks for on the page.
const (
	DefaultWidth = 1000
	DefaultScale = 2
)

// Problem tells what kind of mistake a Notice reports, for the caller to
// answer with the right status.
type Problem int

// The problems.
const (
	// Malformed: the value is not of the parameter's grammar, or out of
	// its range (400).
	Malformed Problem = iota
	// Missing: the value is well formed but the record has nothing there,
	// such as a date before the first per-nation list (404).
	Missing
)

// Notice is a parameter that could not be used: in Strict mode the error,
// in Lenient mode one of the view's notices.
//
// Its texts are catalogue messages (dashboard/i18n): the page shows them
// in its language, the API in its client's, the command line in English.
type Notice struct {
	Param    Name
	Problem  Problem
	Msg      i18n.Text // what is wrong and what was expected
	Fallback i18n.Text // Lenient: what is shown instead; zero in Strict mode
}

// Error is "param: message" in English, as the CLI prints it.
func (n *Notice) Error() string { return string(n.Param) + ": " + n.Msg.String() }

// In is the message with its fall-back in p's language, as the page
// shows it.
func (n Notice) In(p *i18n.Printer) string {
	if n.Fallback.IsZero() {
		return n.Msg.In(p)
	}
	return n.Msg.In(p) + "; " + n.Fallback.In(p)
}

// Text is the message with its fall-back in English.
func (n Notice) Text() string {
	if n.Fallback.IsZero() {
		return n.Msg.String()
	}
	return n.Msg.String() + "; " + n.Fallback.String()
}

// Kind is a parameter's grammar.
type Kind string

// The kinds, named as JSON Schema names their types.
const (
	KindDate    Kind = "date"
	KindEnum    Kind = "enum"
	KindBoolean Kind = "boolean"
	KindInteger Kind = "integer"
	KindCode    Kind = "code"
	KindCodes   Kind = "codes"
)

// Spec documents a parameter: GET /charts and the API description list it.
type Spec struct {
	Name    Name     `json:"name"`
	Kind    Kind     `json:"kind"`
	Doc     string   `json:"doc"`
	Enum    []string `json:"enum,omitempty"`
	Default string   `json:"default,omitempty"`
	Min     int      `json:"min,omitempty"`
	Max     int      `json:"max,omitempty"`
}

// dateDoc is the one date grammar, said the same way everywhere: the
// documentation's English and wantDate, its catalogue message.
const dateDoc = "a date as YYYY-MM-DD, YYYY-MM or YYYY"

// The messages a notice is made of (dashboard/i18n's catalogues).
var (
	wantDate = i18n.Msg("param.want_date")
	ignored  = i18n.Msg("param.ignored")
	largest  = i18n.Msg("param.showing_largest")
	newest   = i18n.Msg("param.showing_newest_list")
)

// msg is a catalogue message: its arguments, the values a reader typed and
// the bounds, are strings (a width of 4000 is not written 4,000).
func msg(id string, args ...any) i18n.Text { return i18n.Msg(id, args...) }

// either is "a or b" in the reader's language.
func either(a, b string) i18n.Text { return msg("param.either", a, b) }

// specs declares every parameter once.
var specs = map[Name]Spec{
	Theme:    {Name: Theme, Kind: KindEnum, Enum: []string{chart.Light, chart.Dark}, Default: chart.Light, Doc: "colour theme: light or dark"},
	From:     {Name: From, Kind: KindDate, Doc: "first day shown: " + dateDoc + " (a month or year starts on its first day)"},
	To:       {Name: To, Kind: KindDate, Doc: "last day shown: " + dateDoc + " (a month or year ends on its last day)"},
	Axis:     {Name: Axis, Kind: KindEnum, Enum: []string{chart.Linear, chart.Log}, Default: chart.Linear, Doc: "the force-strength chart's troop axis: linear or log (logarithmic, where the years of a few thousand troops are as readable as those of tens of thousands)"},
	Date:     {Name: Date, Kind: KindDate, Doc: "a day from 1999-06-12, when KFOR entered Kosovo: " + dateDoc + " (a month or year means its first day, 1999 and 1999-06 the 12th of June): the per-nation list in force on it, or the structure in force on it (/api/v1/structure, default today)"},
	All:      {Name: All, Kind: KindBoolean, Default: "0", Doc: "1 for every row: every observation, not only the series' preferred figures (strength); every formation with its dates (structure)"},
	Complete: {Name: Complete, Kind: KindBoolean, Default: "0", Doc: "1 for complete per-nation lists only"},
	Width:    {Name: Width, Kind: KindInteger, Default: strconv.Itoa(DefaultWidth), Min: render.MinWidth, Max: render.MaxWidth, Doc: "image width in CSS pixels"},
	Height:   {Name: Height, Kind: KindInteger, Min: render.MinHeight, Max: render.MaxHeight, Doc: "image height in CSS pixels (default: the chart's height on the page)"},
	Nation:   {Name: Nation, Kind: KindCodes, Max: MaxNations, Doc: fmt.Sprintf("the nations whose contingents are drawn over time: alpha-3 codes separated by commas, such as DEU,ITA (any case; at most %d; default: the largest contingents)", MaxNations)},
	Code:     {Name: Code, Kind: KindCode, Doc: "a nation's ISO 3166-1 alpha-3 code, such as DEU (any case)"},
	Frame:    {Name: Frame, Kind: KindEnum, Enum: []string{FrameImage, FramePage}, Default: FrameImage, Doc: "image: a chart that stands on its own (its title names KFOR, a line names its sources); page: the chart as the page draws it, the drawing the page holds before its script runs"},
	Lang:     {Name: Lang, Kind: KindEnum, Enum: langCodes(), Default: i18n.English.Code, Doc: "language of the page, its charts and images: en (English), sq (Albanian), sr (Serbian, Latin script) or sr-Cyrl (Serbian, Cyrillic script), any case; default: the first of these the browser's Accept-Language names, else en"},
	Scale:    {Name: Scale, Kind: KindInteger, Default: strconv.Itoa(DefaultScale), Min: render.MinScale, Max: render.MaxScale, Doc: fmt.Sprintf("PNG only: pixel ratio; the PNG has width*scale by height*scale pixels, at most %d", render.MaxPixels)},
}

func langCodes() []string {
	out := make([]string, len(i18n.Languages))
	for i, l := range i18n.Languages {
		out[i] = l.Code
	}
	return out
}

// Specs returns the declarations of names, in their order.
func Specs(names []Name) []Spec {
	out := make([]Spec, 0, len(names))
	for _, n := range names {
		out = append(out, specs[n])
	}
	return out
}

// Values is a request's parameters, parsed.
type Values struct {
	View                 chart.View
	All, Complete        bool
	Width, Height, Scale int // 0: not given
	// Page: a chart image framed as the page draws it (frame=page).
	Page bool
	// Notices are the values that could not be used (Lenient mode only).
	Notices []Notice
}

// Defaults returns the values of a request that gives no parameter.
func Defaults() Values { return Values{View: chart.View{Theme: chart.Light}} }

// Parse reads the parameters names from q; it ignores any other. A
// parameter given more than once counts once, with its last value that is
// not empty (a form may send a selector's choice and then a field that,
// filled in, is the reader's own). d, when not nil, is the record a date
// must have a per-nation list for; now bounds dates (nothing after today).
//
// In Strict mode the first value that cannot be used is returned as a
// *Notice error. In Lenient mode every such value falls back to its
// default and is listed in Values.Notices; the error is always nil.
func Parse(q url.Values, names []Name, mode Mode, d *dataset.Dataset, now time.Time) (Values, error) {
	return parse(q, names, mode, d, now, false)
}

// ParseAnyDay is Parse for a view whose date is any day of KFOR's, not the
// day of a per-nation list (the structure, the structure map): a date
// before the record's first list is no Missing.
func ParseAnyDay(q url.Values, names []Name, mode Mode, d *dataset.Dataset, now time.Time) (Values, error) {
	return parse(q, names, mode, d, now, true)
}

func parse(q url.Values, names []Name, mode Mode, d *dataset.Dataset, now time.Time, anyDay bool) (Values, error) {
	p := parser{q: q, mode: mode, today: now.UTC().Truncate(24 * time.Hour), v: Defaults()}
	lists := d
	if anyDay {
		lists = nil
	}
	for _, n := range names {
		if p.err != nil {
			break
		}
		switch specs[n].Kind {
		case KindEnum:
			switch n {
			case Axis:
				p.enum(Axis, msg("param.an_axis"), func(s string) { p.v.View.Axis = s })
			case Frame:
				p.enum(Frame, msg("param.a_frame"), func(s string) { p.v.Page = s == FramePage })
			case Lang:
				p.lang()
			default:
				p.enum(Theme, msg("param.a_theme"), func(s string) { p.v.View.Theme = s })
			}
		case KindBoolean:
			b := p.boolean(n)
			if n == All {
				p.v.All = b
			} else {
				p.v.Complete = b
			}
		case KindInteger:
			i := p.integer(n)
			switch n {
			case Width:
				p.v.Width = i
			case Height:
				p.v.Height = i
			case Scale:
				p.v.Scale = i
			}
		}
	}
	if p.err == nil && (slices.Contains(names, From) || slices.Contains(names, To)) {
		p.dateRange()
	}
	if p.err == nil && slices.Contains(names, Date) {
		p.date(lists)
	}
	if p.err == nil && slices.Contains(names, Nation) {
		p.nations(d)
	}
	if p.err != nil {
		return p.v, p.err
	}
	return p.v, nil
}

type parser struct {
	q     url.Values
	mode  Mode
	today time.Time
	v     Values
	err   *Notice
}

// get returns the parameter's value: its last non-empty one.
func (p *parser) get(n Name) (string, bool) {
	vs, ok := p.q[string(n)]
	if !ok || len(vs) == 0 {
		return "", false
	}
	last := vs[0]
	for _, s := range vs[1:] {
		if s != "" {
			last = s
		}
	}
	return last, true
}

// fail records that n's value cannot be used: the error in Strict mode, a
// notice with the fall-back in Lenient mode.
func (p *parser) fail(n Name, pr Problem, fallback, m i18n.Text) {
	if p.mode == Strict {
		if p.err == nil {
			p.err = &Notice{Param: n, Problem: pr, Msg: m}
		}
		return
	}
	p.v.Notices = append(p.v.Notices, Notice{Param: n, Problem: pr, Msg: m, Fallback: fallback})
}

// tooLong reports, and records, a value over MaxLen.
func (p *parser) tooLong(n Name, s string, want, fallback i18n.Text) bool {
	if len(s) <= MaxLen {
		return false
	}
	p.fail(n, Malformed, fallback, tooLong(s, want))
	return true
}

func tooLong(s string, want i18n.Text) i18n.Text {
	return msg("param.too_long", strconv.Itoa(len(s)), want)
}

// enum reads an enumerated parameter: its default leaves the view as it
// is, another of its values is set, anything else fails as "not what".
func (p *parser) enum(n Name, what i18n.Text, set func(string)) {
	s, ok := p.get(n)
	sp := specs[n]
	if !ok || s == "" || s == sp.Default {
		return
	}
	if slices.Contains(sp.Enum, s) {
		set(s)
		return
	}
	want, fallback := either(sp.Enum[0], sp.Enum[1]), msg("param.showing", sp.Default)
	if !p.tooLong(n, s, want, fallback) {
		p.fail(n, Malformed, fallback, msg("param.not_enum", Quote(s), what, want))
	}
}

// lang reads the language: one of i18n.Languages in any case (or the
// pseudo-language the catalogue tests use), kept as its code, even "en":
// a link that names English must keep it against Accept-Language.
func (p *parser) lang() {
	s, ok := p.get(Lang)
	if !ok || s == "" {
		return
	}
	if l, ok := i18n.Parse(s); ok {
		p.v.View.Lang = l.Code
		return
	}
	want, fallback := strings.Join(specs[Lang].Enum, ", "), msg("param.showing_english")
	if !p.tooLong(Lang, s, msg("param.one_of", want), fallback) {
		p.fail(Lang, Malformed, fallback, msg("param.not_lang", Quote(s), want))
	}
}

func (p *parser) boolean(n Name) bool {
	s, ok := p.get(n)
	if !ok {
		return false
	}
	switch s {
	case "1", "true", "yes", "":
		return true
	case "0", "false", "no":
		return false
	}
	want := either("1", "0")
	if !p.tooLong(n, s, want, ignored) {
		p.fail(n, Malformed, ignored, msg("param.not_boolean", Quote(s), want))
	}
	return false
}

func (p *parser) integer(n Name) int {
	s, ok := p.get(n)
	if !ok || s == "" {
		return 0
	}
	sp := specs[n]
	rng := msg("param.range", strconv.Itoa(sp.Min), strconv.Itoa(sp.Max))
	if p.tooLong(n, s, msg("param.whole_number_from", rng), ignored) {
		return 0
	}
	i, err := strconv.Atoi(s)
	switch {
	case err != nil:
		p.fail(n, Malformed, ignored, msg("param.not_whole_number", Quote(s), rng))
		return 0
	case i < sp.Min || i > sp.Max:
		p.fail(n, Malformed, ignored, msg("param.out_of_range", strconv.Itoa(i), rng))
		return 0
	}
	return i
}

// period reads a date parameter as the period it names: a day, a month or
// a year, within [FirstDay, today].
func (p *parser) period(n Name) (dataset.Date, bool) {
	s, ok := p.get(n)
	if !ok || s == "" {
		return dataset.Date{}, false
	}
	if p.tooLong(n, s, wantDate, ignored) {
		return dataset.Date{}, false
	}
	dd, err := dataset.ParseDate(s)
	if err != nil {
		p.fail(n, Malformed, ignored, notDate(s))
		return dataset.Date{}, false
	}
	// The date's own floor, KFOR's first day, is date's to tell.
	if (n != Date && !dd.End().After(FirstDay)) || dd.Start().After(p.today) {
		p.fail(n, Malformed, ignored, msg("param.out_of_range", s, msg("param.want_date_from", isoDay(FirstDay), isoDay(p.today))))
		return dataset.Date{}, false
	}
	return dd, true
}

// dateRange reads from and to: from starts its period, to ends its own
// (to=2010 is the last day of 2010), clamped to [FirstDay, today].
func (p *parser) dateRange() {
	fp, okFrom := p.period(From)
	tp, okTo := p.period(To)
	if p.err != nil {
		return
	}
	if okFrom && okTo && fp.Start().After(tp.End().AddDate(0, 0, -1)) {
		if p.mode == Strict {
			p.fail(From, Malformed, i18n.Text{}, msg("param.from_after_to_want", fp.String(), tp.String(), string(To), string(From)))
			return
		}
		// Read as the range the reader meant: from the earlier period's
		// start to the later one's end.
		p.fail(From, Malformed, msg("param.showing_range", tp.String(), fp.String()), msg("param.from_after_to", fp.String(), tp.String(), string(To)))
		fp, tp = tp, fp
	}
	if okFrom {
		p.v.View.From = maxTime(fp.Start(), FirstDay)
	}
	if okTo {
		p.v.View.To = minTime(tp.End().AddDate(0, 0, -1), p.today)
	}
}

// date reads the maps' and the per-nation charts' day: the first day of
// the period given, KFORStart at the earliest. A period wholly before
// KFORStart is Malformed; in Lenient mode the view shows KFORStart. With a
// record, a day before its first per-nation list is Missing.
func (p *parser) date(d *dataset.Dataset) {
	dd, ok := p.period(Date)
	if !ok {
		return
	}
	at := maxTime(dd.Start(), KFORStart)
	if !dd.End().After(KFORStart) {
		// Lenient: KFOR's first day, or the first with a list where the
		// view needs one.
		shown := msg("param.showing_kfor_start", isoDay(KFORStart))
		if d != nil && len(d.Lists) > 0 && d.ListAt(dataset.EndOfDay(at), false) == nil {
			at = d.Lists[0].Date.Time()
			shown = msg("param.showing_first_list", isoDay(at))
		}
		p.fail(Date, Malformed, shown, msg("param.before_kfor", dd.String(),
			i18n.Msg("date.day", KFORStart.Day(), i18n.Msg("month.6"), strconv.Itoa(KFORStart.Year())),
			msg("param.want_date_from", isoDay(KFORStart), isoDay(p.today))))
		if p.mode == Strict {
			return
		}
	}
	if d != nil {
		switch {
		case len(d.Lists) == 0:
			p.fail(Date, Missing, ignored, msg("param.no_lists"))
			return
		case d.ListAt(dataset.EndOfDay(at), false) == nil:
			p.fail(Date, Missing, newest, msg("param.no_list_before", isoDay(at), d.Lists[0].Date.String()))
			return
		}
	}
	p.v.View.At = at
}

// NationCode reads a nation's alpha-3 code, in any case, as the upper-case
// code; anything else is a Malformed *Notice naming Code.
func NationCode(s string) (string, error) {
	if len(s) != 3 {
		return "", &Notice{Param: Code, Msg: notCode(s)}
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z':
		default:
			return "", &Notice{Param: Code, Msg: notCode(s)}
		}
	}
	return string(b), nil
}

func notCode(s string) i18n.Text {
	return msg("param.not_code", Quote(s), msg("param.want_code", "ISO 3166-1 alpha-3", "DEU"))
}

func notDate(s string) i18n.Text { return msg("param.not_date", Quote(s), wantDate) }

// nations reads the nations to follow: codes separated by commas, each a
// nation the record knows (when d is given), without repeats.
func (p *parser) nations(d *dataset.Dataset) {
	// Every value counts, each of one code or several: a form's multiple
	// choice sends nation=DEU&nation=ITA, a link nation=DEU,ITA.
	var vs []string
	for _, v := range p.q[string(Nation)] {
		if v = strings.TrimSpace(v); v != "" {
			vs = append(vs, v)
		}
	}
	s := strings.Join(vs, ",")
	if s == "" {
		return
	}
	want := msg("param.want_codes", strconv.Itoa(MaxNations), "DEU,ITA", "alpha-3")
	if p.tooLong(Nation, s, want, largest) {
		return
	}
	var codes []string
	for _, c := range strings.Split(s, ",") {
		code, err := NationCode(strings.TrimSpace(c))
		if err != nil {
			p.fail(Nation, Malformed, largest, msg("param.not_code", Quote(c), want))
			return
		}
		if d != nil && d.Nation(code) == nil {
			p.fail(Nation, Malformed, largest, msg("param.not_record_nation", code, "GET /api/v1/nations"))
			return
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	if len(codes) > MaxNations {
		p.fail(Nation, Malformed, largest, msg("param.too_many_nations", strconv.Itoa(len(codes)), want))
		return
	}
	p.v.View.Nations = codes
}

// PathDate reads a date given in a path, as precise as it is given
// (YYYY, YYYY-MM or YYYY-MM-DD); anything else is a Malformed *Notice
// naming Date.
func PathDate(s string) (dataset.Date, error) {
	if len(s) > MaxLen {
		return dataset.Date{}, &Notice{Param: Date, Msg: tooLong(s, wantDate)}
	}
	d, err := dataset.ParseDate(s)
	if err != nil {
		return dataset.Date{}, &Notice{Param: Date, Msg: notDate(s)}
	}
	return d, nil
}

// Key is the parsed values of names as text: equal for requests that mean
// the same (to=2010 and to=2010-12-31), so that a cache keyed on it holds
// one answer per meaning, and bounded whatever the client sends. Notices
// are part of it, as the page shows them.
func (v Values) Key(names []Name) string {
	var b strings.Builder
	for _, n := range names {
		switch n {
		case Theme:
			b.WriteString(v.View.Theme)
		case Axis:
			b.WriteString(v.View.Axis)
		case From:
			b.WriteString(isoDay(v.View.From))
		case To:
			b.WriteString(isoDay(v.View.To))
		case Date:
			b.WriteString(isoDay(v.View.At))
		case Nation:
			b.WriteString(strings.Join(v.View.Nations, ","))
		case All:
			b.WriteString(strconv.FormatBool(v.All))
		case Complete:
			b.WriteString(strconv.FormatBool(v.Complete))
		case Width:
			b.WriteString(strconv.Itoa(v.Width))
		case Height:
			b.WriteString(strconv.Itoa(v.Height))
		case Scale:
			b.WriteString(strconv.Itoa(v.Scale))
		case Frame:
			b.WriteString(strconv.FormatBool(v.Page))
		case Lang:
			b.WriteString(v.View.Lang)
		}
		b.WriteByte(0)
	}
	for _, n := range v.Notices {
		b.WriteString(string(n.Param) + ":" + n.Text())
		b.WriteByte(0)
	}
	return b.String()
}

func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// Quote shows a value in a message: shortened, quoted, valid UTF-8.
func Quote(s string) string {
	const max = 32
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", strings.ToValidUTF8(s, "?"))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
