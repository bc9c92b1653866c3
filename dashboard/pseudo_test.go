package dashboard

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// dataTexts are every text of record d: the strings of its sources,
// events, formations, nations, lists and figures, longest first. A text
// the page shows that is wholly data (a source's title, a publisher, a
// unit's name) is the record's own and stays as the record writes it;
// anything else a reader sees must come from the catalogue. Values of the
// record's named string types (confidence, membership, kinds) are
// vocabulary, not data: the page translates them, so they are left out.
func dataTexts(d *dataset.Dataset) []string {
	seen := map[string]bool{}
	visited := map[uintptr]bool{}
	plain := reflect.TypeOf("")
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if v.IsNil() {
				return
			}
			if v.Kind() == reflect.Pointer {
				if visited[v.Pointer()] {
					return
				}
				visited[v.Pointer()] = true
			}
			walk(v.Elem())
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.String:
			// Two letters (a code, an initial) would blot out parts of
			// words.
			if v.Type() == plain && len([]rune(strings.TrimSpace(v.String()))) > 2 {
				seen[strings.TrimSpace(v.String())] = true
			}
		}
	}
	walk(reflect.ValueOf(d))
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// names are the proper names and formats the page writes in every
// language: kforstats, KFOR, NATO, the file formats, the licences.
var names = regexp.MustCompile(`kforstats|KFOR|NATO|CSV|JSON|PNG|SVG|BibTeX|CC BY 4\.0|Apache License 2\.0|km²|Shqip|Srpski|Српски|English`)

// bypasses returns the texts of the page in the pseudo-language that are
// neither from the catalogue (wrapped in ⟦ ⟧) nor wholly data, names,
// numbers, dates and punctuation.
func bypasses(texts []string, data []string) []string {
	letters := regexp.MustCompile(`\pL{2,}`)
	var out []string
	for _, t := range texts {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		// What the catalogue wrote goes, arguments and all: a text with
		// a message in it may still have English beside it.
		// (A <noscript>'s content comes as its markup's text.)
		rest := tags.ReplaceAllString(unwrapped(t), " ")
		// The record's texts first: a name in them (NATO in a publisher)
		// would otherwise be blotted out and the rest not found.
		for _, s := range data {
			if strings.Contains(rest, s) {
				rest = strings.ReplaceAll(rest, s, " ")
			}
		}
		rest = names.ReplaceAllString(rest, " ")
		if letters.MatchString(rest) {
			out = append(out, t)
		}
	}
	return out
}

var tags = regexp.MustCompile(`<[^>]*>`)

// unwrapped is t without its pseudo-language messages (⟦ … ⟧, nested
// where a message is another's argument, and a message's first or last
// line when a drawing breaks it into lines).
func unwrapped(t string) string {
	var b strings.Builder
	depth := 0
	for _, r := range t {
		switch {
		case r == '⟦':
			depth++
		case r == '⟧' && depth == 0:
			// A message's last line, drawn as a text of its own (a
			// chart's subtitle on two lines): what came before is in it.
			b.Reset()
			b.WriteByte(' ')
		case r == '⟧':
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pageTexts are what a reader of an HTML page sees or hears: the text of
// each block (a paragraph, a cell, an item, a heading, an SVG text), with
// its inline markup (links, marked-up figures) in it as a message puts it
// there; scripts and styles aside; and the attributes read aloud or shown
// (aria-label, title, alt, placeholder, the description and Open Graph
// texts).
func pageTexts(t *testing.T, body string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var text func(n *html.Node, b *strings.Builder)
	text = func(n *html.Node, b *strings.Builder) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			text(c, b)
		}
	}
	var walk func(n *html.Node, inBlock bool)
	walk = func(n *html.Node, inBlock bool) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode && !inBlock {
			out = append(out, n.Data)
		}
		if n.Type == html.ElementNode && !inBlock && blocks[n.Data] {
			var b strings.Builder
			text(n, &b)
			out = append(out, b.String())
			inBlock = true
		}
		for _, a := range n.Attr {
			switch a.Key {
			case "aria-label", "title", "alt", "placeholder":
				out = append(out, a.Val)
			case "content":
				if name := attr(n, "name") + attr(n, "property"); name == "description" || strings.HasPrefix(name, "og:title") ||
					strings.HasPrefix(name, "og:description") || strings.HasPrefix(name, "og:image:alt") {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBlock)
		}
	}
	walk(doc, false)
	return out
}

// blocks are the elements whose text reads as one: a message may mark up
// part of it.
var blocks = map[string]bool{"p": true, "li": true, "dt": true, "dd": true, "summary": true, "td": true, "th": true,
	"h1": true, "h2": true, "h3": true, "option": true, "legend": true, "label": true, "figcaption": true, "caption": true,
	"blockquote": true, "title": true, "button": true, "a": true, "text": true}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestPseudoLanguagePage: in the pseudo-language every message of the
// catalogue is wrapped in ⟦ ⟧, so any text of the page, its charts as the
// server draws them inline, and the embed that is neither wrapped nor the
// record's own data bypasses the catalogue: a reader of Albanian or
// Serbian would meet it in English.
func TestPseudoLanguagePage(t *testing.T) {
	store := datasettest.Store(t)
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow }, InlineCharts: true})
	d := store.Current()
	data := dataTexts(d)
	cite := Cite(d, apiNow)
	sm := Summary(d)
	// The citations stay in English in every language: they name the
	// record by its title, as a reference list would.
	data = append([]string{cite.BibTeX, cite.Text, sm.Citation}, data...)
	// The maps name the nations as CLDR does (in the pseudo-language, as
	// in English): data, not messages.
	pseudo := i18n.NewPrinter(i18n.Pseudo)
	for _, n := range append(slices.Clone(d.Nations), &dataset.Nation{Code: "RS"}, &dataset.Nation{Code: "AL"}, &dataset.Nation{Code: "MK"}, &dataset.Nation{Code: "ME"}, &dataset.Nation{Code: "XK"}) {
		data = append(data, pseudo.Nation(n.Code))
	}
	// A notice names the parameter as the address writes it.
	for _, n := range []param.Name{param.Theme, param.Axis, param.From, param.To, param.Date, param.Nation} {
		data = append(data, string(n))
	}
	// The pages whose charts the server draws into them are asked for
	// until it has (in the background, after the first answer).
	drawn := map[string]bool{"/?lang=en-XA": true, "/?lang=en-XA&theme=dark&date=2012-02-15&axis=log": true,
		// A year: the time axis names the months.
		"/?lang=en-XA&from=2010-01&to=2010-12": true}
	for target, notices := range map[string]int{"/?lang=en-XA": 0, "/?lang=en-XA&theme=dark&date=2012-02-15&axis=log": 0, "/embed/strength?lang=en-XA": 0,
		"/?lang=en-XA&from=2010-01&to=2010-12": 0,
		// Every kind of notice: a value out of the grammar, out of range,
		// a period the wrong way round, a day before KFOR, a nation the
		// record does not have, too many nations.
		"/?lang=en-XA&theme=pink&axis=x&from=2015&to=2010&date=1998&nation=XYZ":               5,
		"/?lang=en-XA&from=bogus&to=2099&date=" + strings.Repeat("9", 70) + "&nation=Germany": 4,
		"/?lang=en-XA&nation=DEU,ITA,FRA,USA,GBR,TUR,POL,AUT,CHE,HUN,GRC,SVN,ROU":             1,
	} {
		w := get(t, s, "GET", target)
		for deadline := time.Now().Add(3 * time.Minute); drawn[target] && !allDrawn(t, w.Body.String()); {
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: its charts not drawn into it within 3 minutes", target)
			}
			time.Sleep(20 * time.Millisecond)
			w = get(t, s, "GET", target)
		}
		if w.Code != 200 {
			t.Fatalf("GET %s = %d", target, w.Code)
		}
		if got := strings.Count(w.Body.String(), "<li><code>"); got != notices {
			t.Errorf("GET %s: %d notices, want %d", target, got, notices)
		}
		for _, b := range bypasses(pageTexts(t, w.Body.String()), data) {
			t.Errorf("GET %s: %q is not from the catalogue", target, b)
		}
	}
}

// allDrawn reports whether a page holds every chart as the server's SVG.
func allDrawn(tb testing.TB, body string) bool {
	svgs, ids := pageSVGs(tb, body)
	for _, id := range ids {
		if svgs[id] == "" {
			return false
		}
	}
	return true
}
