// Package i18n holds the page's languages: English, Albanian and Serbian
// (Latin script, with Cyrillic made from it by transliteration, not by a
// second catalogue), their message catalogues (one file per language under
// locales/, in golang.org/x/text's gotext format, which a translator can
// edit), and the language rules for what is not a message: numbers and
// dates written as each language writes them, nation names from CLDR,
// Kosovo's place names in the form each language uses.
//
// A language is chosen by lang= in the address, else by Accept-Language
// (Negotiate), else English.
package i18n

import (
	"encoding/json"
	"html/template"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
)

// Lang is one of the page's languages.
type Lang struct {
	// Code is the language as lang= names it and as <html lang> and
	// hreflang write it: "en", "sq", "sr" (Serbian, Latin script) or
	// "sr-Cyrl".
	Code string
	// Name is the language's name in itself, for the language switch.
	Name string
	tag  language.Tag
	// cyrillic: the text is the Serbian Latin text transliterated.
	cyrillic bool
}

// The languages, in the switch's order. English is the default.
var (
	English         = Lang{Code: "en", Name: "English", tag: language.MustParse("en")}
	Albanian        = Lang{Code: "sq", Name: "Shqip", tag: language.MustParse("sq")}
	Serbian         = Lang{Code: "sr", Name: "Srpski", tag: language.MustParse("sr-Latn")}
	SerbianCyrillic = Lang{Code: "sr-Cyrl", Name: "Српски", tag: language.MustParse("sr-Cyrl"), cyrillic: true}
	// Pseudo is en-XA, CLDR's pseudo-locale: every message wrapped in
	// ⟦ ⟧, so that a test sees any text that bypasses the catalogue. Not
	// offered to readers.
	Pseudo = Lang{Code: "en-XA", Name: "Pseudo", tag: language.MustParse("en-XA")}
)

// Languages lists the languages a reader can choose.
var Languages = []Lang{English, Albanian, Serbian, SerbianCyrillic}

// Parse returns the language lang= names: a code of Languages (or the
// pseudo-language), matched without regard to case.
func Parse(code string) (Lang, bool) {
	for _, l := range append(Languages, Pseudo) {
		if strings.EqualFold(code, l.Code) {
			return l, true
		}
	}
	return English, false
}

// Negotiate picks the language for an Accept-Language header: the first
// of the reader's languages (in their order of preference) the page
// speaks, else English. Serbian without a script is Latin, as lang=sr is;
// an explicit Cyrillic script (sr-Cyrl, sr-Cyrl-RS) gets Cyrillic.
func Negotiate(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return English
	}
	for _, t := range tags {
		base, conf := t.Base()
		if conf < language.High {
			continue
		}
		switch base.String() {
		case "en":
			return English
		case "sq":
			return Albanian
		case "sr":
			if script, c := t.Script(); c == language.Exact && script.String() == "Cyrl" {
				return SerbianCyrillic
			}
			return Serbian
		}
	}
	return English
}

// Printer writes text in one language.
type Printer struct {
	lang Lang
	p    *message.Printer
}

// NewPrinter returns the printer of l.
func NewPrinter(l Lang) *Printer {
	return &Printer{lang: l, p: message.NewPrinter(l.tag, message.Catalog(catalogue))}
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// T returns the message id in the printer's language, its arguments
// formatted as the message's verbs say (numbers with the language's
// grouping; a year is passed as a string, which is not grouped). An id no catalogue has comes back as itself, which the
// catalogue test catches.
func (p *Printer) T(id string, args ...any) string {
	s := p.p.Sprintf(id, args...)
	if p.base() == "sr" {
		// A Serbian date ends with a stop (3. mart 2026.): a message that
		// ends a sentence after one must not stop twice.
		s = oneStop(s)
	}
	return s
}

// oneStop writes a stop doubled as one, leaving an ellipsis (...) alone.
func oneStop(s string) string {
	if !strings.Contains(s, "..") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] != '.' {
			continue
		}
		j := i
		for j+1 < len(s) && s[j+1] == '.' {
			j++
		}
		if j-i == 1 { // exactly two
			i = j
		} else {
			b.WriteString(s[i+1 : j+1])
			i = j
		}
	}
	return b.String()
}

// Number writes n with the language's digit grouping: 4,700 in English,
// 4 700 in Albanian, 4.700 in Serbian (CLDR's).
func (p *Printer) Number(n int) string {
	return p.p.Sprint(n)
}

// Percent writes a percentage (91.4 for 91.4%) with decimals digits after
// the language's decimal separator: 91.4% in English, 91,4% in Albanian
// and Serbian; signed writes the sign of a change (+3.4%, -0.5%).
func (p *Printer) Percent(v float64, decimals int, signed bool) string {
	verb := "%." + strconv.Itoa(decimals) + "f%%"
	if signed {
		verb = "%+." + strconv.Itoa(decimals) + "f%%"
	}
	return p.p.Sprintf(verb, v)
}

// Separators returns the language's digit-group separator and decimal
// separator (",", "." in English; a no-break space and "," in Albanian;
// "." and "," in Serbian), for a chart's axis labels, which ECharts writes
// in the browser.
func (p *Printer) Separators() (group, decimal string) {
	thousand := []rune(p.p.Sprint(1000))     // 1,000
	half := []rune(p.p.Sprintf("%.1f", 1.5)) // 1.5
	return string(thousand[1 : len(thousand)-3]), string(half[1 : len(half)-1])
}

// Date writes a date of the given precision (year, month or day: 1, 2 or
// 3 parts) in words: 3 March 2026, 3 mars 2026, 3. mart 2026.
func (p *Printer) Date(year, month, day int) string {
	// A year is a name, not a quantity: never grouped (1999, not 1,999).
	y := strconv.Itoa(year)
	switch {
	case month == 0:
		return y
	case day == 0:
		return p.T("date.month", p.T(monthIDs[month-1]), y)
	default:
		return p.T("date.day", day, p.T(monthIDs[month-1]), y)
	}
}

var monthIDs = [12]string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6",
	"month.7", "month.8", "month.9", "month.10", "month.11", "month.12"}

// Nation returns a nation's name in the printer's language from CLDR, for
// an ISO 3166 code of two or three letters (DE, DEU), or code itself when
// CLDR has no such region.
func (p *Printer) Nation(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n, ok := renamed[r.String()]; ok {
		return p.script(n[p.base()])
	}
	name := display.Regions(p.lang.tag).Name(r)
	if name == "" {
		return code
	}
	return name
}

// renamed holds the nations whose names x/text's CLDR data (version 32)
// gives from before a renaming: North Macedonia (2019). The names are
// CLDR's current ones.
var renamed = map[string]map[string]string{
	"MK": {"en": "North Macedonia", "sq": "Maqedonia e Veriut", "sr": "Severna Makedonija"},
}

// Place writes one of Kosovo's places in the form the language uses: the
// record writes a place with two forms as "Albanian/Serbian"
// (Prishtinë/Priština), as KFOR does in English; Albanian keeps the first,
// Serbian the second.
func (p *Printer) Place(name string) string {
	sq, sr, ok := strings.Cut(name, "/")
	if !ok {
		return p.script(name)
	}
	switch p.base() {
	case "sq":
		return sq
	case "sr":
		return p.script(sr)
	}
	return name
}

// base is the printer's language without script: en, sq or sr.
func (p *Printer) base() string {
	b, _ := p.lang.tag.Base()
	return b.String()
}

// script writes Serbian Latin text in the printer's script.
func (p *Printer) script(s string) string {
	if p.lang.cyrillic {
		return ToCyrillic(s)
	}
	return s
}

// H is T for a message that holds markup: its arguments of type
// template.HTML (links, marked-up figures) go in as they are, the
// message's own text and every other argument are escaped.
func (p *Printer) H(id string, args ...any) template.HTML {
	var marks []string
	plain := make([]any, len(args))
	for i, a := range args {
		h, ok := a.(template.HTML)
		if !ok {
			plain[i] = a
			continue
		}
		plain[i] = markOpen + strconv.Itoa(len(marks)) + markClose
		marks = append(marks, string(h))
	}
	out := template.HTMLEscapeString(p.T(id, plain...))
	for i, m := range marks {
		out = strings.Replace(out, markOpen+strconv.Itoa(i)+markClose, m, 1)
	}
	return template.HTML(out)
}

// The marks that hold an argument's place in H: characters no message
// has and HTML escaping keeps.
const markOpen, markClose = "\uE000", "\uE001"

// Code is the printer's language code, as lang= and <html lang> write it.
func (p *Printer) Code() string { return p.lang.Code }

// Day writes a date given as the record gives it (YYYY, YYYY-MM or
// YYYY-MM-DD) in words; a text of another form comes back as it is.
func (p *Printer) Day(iso string) string {
	parts := strings.Split(iso, "-")
	if len(parts) > 3 {
		return iso
	}
	var n [3]int
	for i, s := range parts {
		v, err := strconv.Atoi(s)
		if err != nil || (i == 0 && len(s) != 4) || (i > 0 && len(s) != 2) {
			return iso
		}
		n[i] = v
	}
	if n[1] > 12 || n[2] > 31 {
		return iso
	}
	return p.Date(n[0], n[1], n[2])
}

// Fixed writes f with digits decimals, with the language's decimal sign
// and grouping: 39.4 in English, 39,4 in Albanian and Serbian.
func (p *Printer) Fixed(f float64, digits int) string {
	return p.p.Sprintf("%.*f", digits, f)
}

// Locale is the language as Open Graph's og:locale writes it.
func (l Lang) Locale() string {
	switch l.Code {
	case Albanian.Code:
		return "sq_AL"
	case Serbian.Code, SerbianCyrillic.Code:
		return "sr_RS"
	}
	return "en_GB"
}

// Text is a catalogue message with its arguments, printed later in
// whichever language asks for it: a notice made once, when a request's
// parameters are read, and shown on the page in the page's language, in
// the API's error in the client's, on the command line in English.
type Text struct {
	ID string
	// Args are the message's arguments: a Text among them is printed in
	// the same language; any other value as the message's verb says.
	Args []any
}

// Msg returns the message id with its arguments, to be printed later.
func Msg(id string, args ...any) Text { return Text{ID: id, Args: args} }

// In prints t in p's language.
func (t Text) In(p *Printer) string {
	if t.ID == "" {
		return ""
	}
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		if sub, ok := a.(Text); ok {
			a = sub.In(p)
		}
		args[i] = a
	}
	return p.T(t.ID, args...)
}

// String prints t in English, as the command line and the logs write it.
func (t Text) String() string { return t.In(english) }

// IsZero reports whether t is no message.
func (t Text) IsZero() bool { return t.ID == "" }

var english = NewPrinter(English)

// ECharts is ECharts' locale object for the printer's language, as JSON,
// to init a chart with: the month names and abbreviations a time axis
// writes when it labels months (ECharts ships no Albanian or Serbian
// locale, and would write "Feb" in every language). ECharts takes what
// the object leaves out from its English: weekday names, which no chart's
// labels use, and the toolbox's texts, which every option gives. English
// is "": ECharts' own.
func (p *Printer) ECharts() string {
	if p.lang.Code == English.Code {
		return ""
	}
	if s, ok := echartsLocales.Load(p.lang.Code); ok {
		return s.(string)
	}
	var month, abbr [12]string
	for i := range month {
		month[i] = p.T(monthIDs[i])
		abbr[i] = p.T("month.abbr." + strconv.Itoa(i+1))
	}
	b, err := json.Marshal(map[string]any{"time": map[string]any{"month": month, "monthAbbr": abbr}})
	if err != nil {
		panic(err) // strings only
	}
	echartsLocales.Store(p.lang.Code, string(b))
	return string(b)
}

var echartsLocales sync.Map
