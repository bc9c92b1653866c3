package chart

import (
	"fmt"
	"html"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestEveryTextTranslated builds every chart in the pseudo-language en-XA,
// whose every message comes wrapped in ⟦ ⟧, in views that between them
// reach nearly every text the charts write (list notes and reasons, notes
// of empty ranges and of a record without lists, folded bars, sampled
// series, images), and fails on any text a reader sees that is neither
// wrapped nor the record's own data: source titles and publishers, event
// titles, unit, camp, place and phase names, nations' names and codes,
// numbers, ISO dates and punctuation. The data is read from the records
// themselves. What a wrapped message holds is checked too: it must be
// one of the English catalogue's messages, and each of its arguments
// pass the same test (a text given to a message that is not from the
// catalogue would otherwise hide in the message's brackets).
func TestEveryTextTranslated(t *testing.T) {
	d := datasettest.Record(t)
	scaled := scaledDataset(t, 2*sampleAbove, 3*maxNationBars)
	tables := datasettest.Embedded(t)
	tables["lists.csv"], tables["contributions.csv"] = tables["lists.csv"][:1], tables["contributions.csv"][:1]
	noLists, err := tables.Origin("no lists").Load(now)
	if err != nil {
		t.Fatalf("loading the record without its lists: %v", err)
	}
	day := func(s string) time.Time { return dataset.MustDate(s).Time() }
	var partial *dataset.List // a day whose best list is partial
	for _, ls := range ListDates(d) {
		if !ls.Complete {
			partial = ls
			break
		}
	}
	if partial == nil {
		t.Fatal("the record has no partial list that stands as the force; pick another view for the share chart's reason")
	}
	views := map[string]struct {
		d *dataset.Dataset
		v View
	}{
		"default":                {d, View{}},
		"dark, log axis":         {d, View{Theme: Dark, Axis: Log}},
		"range":                  {d, View{From: day("2008-01-01"), To: day("2012-12-31"), At: day("2022-08-15")}},
		"no figures in range":    {d, View{From: day("1995-01-01"), To: day("1995-12-31")}},
		"image":                  {d, View{Image: true}},
		"nations chosen":         {d, View{Nations: []string{"DEU", "ITA"}}},
		"list over its total":    {d, View{At: day("1999-07-01")}},
		"uncertain names":        {d, View{At: day("2017-03-01")}},
		"before the first list":  {d, View{At: day("1999-06-13")}},
		"between lists":          {d, View{At: day("2010-05-05")}},
		"partial list":           {d, View{At: partial.Date.Time()}},
		"folded and sampled":     {scaled, View{}},
		"folded, sampled, image": {scaled, View{Image: true, Theme: Dark}},
		"no per-nation list":     {noLists, View{}},
	}
	ts := templates(t)
	data := map[*dataset.Dataset]*recordTexts{d: newRecordTexts(d, ts), scaled: newRecordTexts(scaled, ts), noLists: newRecordTexts(noLists, ts)}
	for name, tc := range views {
		tc.v.Lang = i18n.Pseudo.Code
		for _, s := range Specs() {
			t.Run(name+"/"+s.ID, func(t *testing.T) {
				o, obj, err := build(s.ID, tc.d, tc.v)
				if err != nil {
					t.Fatalf("build(%q) = %v", s.ID, err)
				}
				seen := map[string]bool{}
				for _, tx := range shownTexts(o, obj) {
					if seen[tx.text] {
						continue
					}
					seen[tx.text] = true
					if rest := data[tc.d].untranslated(tx.text); rest != "" {
						t.Errorf("%s %q: %q is not from the catalogue", tx.where, tx.text, rest)
					}
				}
			})
		}
	}
}

// shown is a text a chart shows, and where.
type shown struct{ where, text string }

// shownTexts are the texts of option o that a reader sees: its title,
// description, note, tables and links, and in the ECharts option (obj,
// with its media) the titles, names, tooltips, legends, category labels,
// toolbox titles and aria description.
func shownTexts(o Option, obj map[string]any) []shown {
	out := []shown{{"Title", o.Title}, {"Description", o.Description}, {"Note", o.Note}}
	for i, tb := range o.Tables {
		w := fmt.Sprintf("Tables[%d]", i)
		out = append(out, shown{w + ".Caption", tb.Caption})
		for _, h := range tb.Head {
			out = append(out, shown{w + ".Head", h})
		}
		for _, r := range tb.Rows {
			for _, c := range r {
				out = append(out, shown{w + ".Rows", c})
			}
		}
	}
	for _, l := range o.Data {
		out = append(out, shown{"Data.Label", l.Label})
	}
	var walk func(v any, path string)
	human := func(v any, path string) {
		switch x := v.(type) {
		case string:
			out = append(out, shown{path, x})
		case []any: // the data view's title and buttons
			for _, y := range x {
				if s, ok := y.(string); ok {
					out = append(out, shown{path, s})
				}
			}
		case map[string]any: // a toolbox button's titles, else a component
			strs := map[string]string{}
			for k, y := range x {
				if s, ok := y.(string); ok {
					strs[k] = s
				}
			}
			if len(strs) < len(x) {
				walk(x, path)
				return
			}
			for k, s := range strs {
				out = append(out, shown{path + "." + k, s})
			}
		}
	}
	walk = func(v any, path string) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				switch {
				case k == "formatter", k == "regions", k == "textStyle", k == "subtextStyle":
					// numbers, ECharts' templates and functions; the
					// map's region codes; styles
				case k == "saveAsImage":
					// its title, not the name of the file it saves
					if m, ok := y.(map[string]any); ok {
						human(m["title"], path+".saveAsImage.title")
					}
				case k == "data":
					// a category axis' or legend's names; items' names
					// and tooltips, not their values and styles
					for _, it := range asSlice(y) {
						if s, ok := it.(string); ok {
							out = append(out, shown{path + ".data", s})
						} else {
							walk(it, path+".data[]")
						}
					}
				case humanKeys[k]:
					human(y, path+"."+k)
				default:
					walk(y, path+"."+k)
				}
			}
		case []any:
			for _, y := range x {
				walk(y, path+"[]")
			}
		}
	}
	walk(obj, "option")
	return out
}

// humanKeys are the ECharts option's keys whose strings a reader sees.
var humanKeys = map[string]bool{"text": true, "subtext": true, "name": true, "tip": true, "title": true, "lang": true, "description": true}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// recordTexts are the texts of a record that a chart shows as they are,
// in any language.
type recordTexts struct {
	exact  map[string]bool
	byLong []string // longest first
	// templates are the catalogue's messages; messages, the texts of
	// messages checked, with what is wrong in each ("" for nothing).
	templates []catMessage
	messages  map[string]string
	checked   map[string]string // outside's answers
}

func newRecordTexts(d *dataset.Dataset, ts []catMessage) *recordTexts {
	r := &recordTexts{exact: map[string]bool{}, templates: ts, messages: map[string]string{}, checked: map[string]string{}}
	add := func(ss ...string) {
		for _, s := range ss {
			if s != "" && !r.exact[s] {
				r.exact[s] = true
				r.byLong = append(r.byLong, s)
			}
		}
	}
	for _, s := range d.Sources {
		add(s.ID, s.Title, s.Publisher, s.URL, s.Publisher+", "+s.Published.String())
	}
	for _, n := range d.Nations {
		add(n.Code, n.Name)
	}
	for _, e := range d.Events {
		add(e.Title)
	}
	for _, ph := range d.Phases {
		add(ph.Name)
	}
	for _, u := range d.Units {
		add(u.Name, u.Camp, u.Place)
	}
	for _, ls := range d.Lists {
		add(ls.ID)
		for _, e := range ls.Entries {
			add(e.Note)
		}
	}
	// The structure map names Kosovo's neighbours as CLDR does.
	pr := i18n.NewPrinter(i18n.Pseudo)
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if code := string([]rune{a, b}); pr.Nation(code) != code {
				add(pr.Nation(code))
			}
		}
	}
	sort.SliceStable(r.byLong, func(i, j int) bool { return len(r.byLong[i]) > len(r.byLong[j]) })
	return r
}

var (
	tags = regexp.MustCompile(`<[^>]*>|\{[a-z0-9]+\|\}`) // HTML, and ECharts' rich text
	// parts are the pieces of what is left of a text once its messages
	// are taken out: split where a message or tag was, and at " · ".
	parts = regexp.MustCompile("\n| · ")
	// verb is a format verb of a message, as the catalogue's test reads
	// them.
	verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
)

// technical are the arguments of messages that no language translates:
// the names of file formats, the site's name and a parameter of the
// address (Serbian's Cyrillic leaves them in Latin letters).
var technical = map[string]bool{"CSV": true, "JSON": true, "PNG": true, "kforstats": true, "nation=DEU,ITA": true}

// catMessage is an English message of the catalogue: its text between its
// format verbs (one more than it has verbs), "%%" read as "%".
type catMessage struct {
	id   string
	lits []string
}

// templates reads the English catalogue.
func templates(tb testing.TB) []catMessage {
	tb.Helper()
	files, err := i18n.Files(os.DirFS("../i18n"))
	if err != nil {
		tb.Fatal(err)
	}
	var out []catMessage
	for _, m := range files["en"].Messages {
		var lits []string
		for _, l := range verb.Split(m.Message, -1) {
			lits = append(lits, strings.ReplaceAll(l, "%%", "%"))
		}
		out = append(out, catMessage{m.ID, lits})
	}
	// The most text first: a message that is only verbs and punctuation
	// ("%[1]s, %[2]s") matches much that is another message.
	size := func(t catMessage) int { return len(strings.Join(t.lits, "")) }
	sort.SliceStable(out, func(i, j int) bool { return size(out[i]) > size(out[j]) })
	return out
}

// match reports whether s is t formatted with arguments that ok accepts,
// trying every way of cutting s into arguments (a publisher's name may
// hold the ", " between two), each a whole number of messages (⟦ and ⟧
// balanced). ok sees the arguments in the order of t's verbs.
func (t catMessage) match(s string, ok func(args []string) bool) bool {
	if !strings.HasPrefix(s, t.lits[0]) || !strings.HasSuffix(s, t.lits[len(t.lits)-1]) {
		return false
	}
	for _, l := range t.lits {
		if !strings.Contains(s, l) {
			return false
		}
	}
	args := make([]string, len(t.lits)-1)
	var from func(i, pos int) bool // argument i starts at pos
	from = func(i, pos int) bool {
		if i == len(args) {
			return pos == len(s) && ok(args)
		}
		next := t.lits[i+1]
		for end := pos; end <= len(s)-len(next); end++ {
			if i == len(args)-1 && end != len(s)-len(next) {
				continue
			}
			if strings.HasPrefix(s[end:], next) && balanced(s[pos:end]) {
				args[i] = s[pos:end]
				if from(i+1, end+len(next)) {
					return true
				}
			}
		}
		return false
	}
	return from(0, len(t.lits[0]))
}

func balanced(s string) bool {
	depth := 0
	for _, c := range s {
		switch c {
		case '⟦':
			depth++
		case '⟧':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// untranslated returns what text s shows outside the catalogue's
// messages that is not the record's data, numbers, dates or punctuation;
// "" when there is nothing. A message's arguments are held to the same
// rule: a text passed to a message that is not itself from the catalogue
// shows in the message.
func (r *recordTexts) untranslated(s string) string {
	return r.outside(html.UnescapeString(tags.ReplaceAllString(s, "\n")))
}

// outside checks s: its messages (each in ⟦ ⟧, one of the English
// catalogue's with arguments that pass), and what is outside them.
func (r *recordTexts) outside(s string) string {
	if m, ok := r.checked[s]; ok {
		return m
	}
	var b strings.Builder
	var bad []string
	depth, start := 0, 0
	for i, c := range s {
		switch {
		case c == '⟦':
			if depth == 0 {
				b.WriteRune('\n')
				start = i + len("⟦")
			}
			depth++
		case c == '⟧' && depth > 0:
			if depth--; depth == 0 {
				if m := r.message(s[start:i]); m != "" {
					bad = append(bad, m)
				}
			}
		case depth == 0:
			b.WriteRune(c)
		}
	}
	for _, p := range parts.Split(b.String(), -1) {
		if p = r.strip(p); p != "" {
			bad = append(bad, p)
		}
	}
	r.checked[s] = strings.Join(bad, " | ")
	return r.checked[s]
}

// message checks the text of one message: "" when it is a message of the
// catalogue whose arguments pass, else what does not.
func (r *recordTexts) message(s string) string {
	if m, ok := r.messages[s]; ok {
		return m
	}
	bad, first := "⟦"+s+"⟧ is no message of the catalogue", true
	for _, t := range r.templates {
		var wrong []string
		if t.match(s, func(args []string) bool {
			wrong = wrong[:0]
			for _, a := range args {
				if w := r.outside(a); w != "" && !technical[a] {
					wrong = append(wrong, w)
				}
			}
			return len(wrong) == 0
		}) {
			bad = ""
			break
		}
		if len(wrong) > 0 && first {
			// the most specific message it reads as
			bad, first = t.id+" with "+strings.Join(wrong, " | "), false
		}
	}
	r.messages[s] = bad
	return bad
}

// strip takes out of p the record's texts, and returns what is left
// unless it is only numbers, dates and punctuation.
func (r *recordTexts) strip(p string) string {
	if !hasLetter(p) || r.exact[strings.TrimSpace(p)] {
		return ""
	}
	// An event's title cut short in a tooltip.
	if cut, ok := strings.CutSuffix(strings.TrimSpace(p), "…"); ok {
		for _, s := range r.byLong {
			if strings.HasPrefix(s, cut) {
				return ""
			}
		}
	}
	for _, s := range r.byLong {
		if strings.Contains(p, s) {
			p = strings.ReplaceAll(p, s, " ")
			if !hasLetter(p) {
				return ""
			}
		}
	}
	return strings.TrimSpace(p)
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

// TestNumbersInTheLanguage: a chart writes its numbers as its language
// groups them, where a reader sees them (the strength chart's description
// and tooltips, the share chart's percentages), and has ECharts group its
// value axes so: 4,700 in English, 4 700 in Albanian (a no-break space,
// as CLDR writes it), 4.700 in Serbian.
func TestNumbersInTheLanguage(t *testing.T) {
	d := datasettest.Record(t)
	pts := d.Series()
	latest, peak := pts[len(pts)-1].Troops, d.Peak().Troops
	if latest < 1000 || peak < 1000 {
		t.Fatalf("latest %d, peak %d: the test wants figures of four digits or more", latest, peak)
	}
	// The grouping written out here, not by x/text: English's, with the
	// language's separator.
	group := func(n int, sep string) string { return strings.ReplaceAll(Thousands(n), ",", sep) }
	tests := map[string]struct {
		lang, sep, troops, decimal string
	}{
		"English":          {"", ",", "troops", "."},
		"Albanian":         {"sq", "\u00a0", "trupa", ","},
		"Serbian":          {"sr", ".", "vojnika", ","},
		"Serbian Cyrillic": {"sr-Cyrl", ".", "војника", ","},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := View{Lang: tc.lang}
			o, obj, err := build("strength", d, v)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{latest, peak} {
				if want := group(n, tc.sep) + " " + tc.troops; !strings.Contains(o.Description, want) {
					t.Errorf("strength description = %q, want %q in it", o.Description, want)
				}
			}
			tip := obj["baseOption"].(map[string]any)["series"].([]any)[0].(map[string]any)["data"].([]any)[0].(map[string]any)["tip"].(string)
			if want := "<b>" + group(pts[0].Troops, tc.sep) + " " + tc.troops + "</b>"; !strings.HasPrefix(tip, want) {
				t.Errorf("first figure's tooltip = %q, want it to start %q", tip, want)
			}
			if tc.lang == "" {
				if strings.Contains(o.JS, `\B(?=`) {
					t.Errorf("the English option groups its axes itself; ECharts' own grouping is English's")
				}
			} else if want := fmt.Sprintf(`/g, %q);return s.join(%q);`, tc.sep, tc.decimal); !strings.Contains(o.JS, want) {
				t.Errorf("the option's axis labels do not group as the language does: no %s in it", want)
			}
			share, err := Build("share", d, v)
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`\d` + regexp.QuoteMeta(tc.decimal) + `\d%`).MatchString(share.Description) {
				t.Errorf("share description = %q, want percentages with %q before their decimal", share.Description, tc.decimal)
			}
		})
	}
}
