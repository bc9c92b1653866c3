package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// verbs matches the format verbs of a message.
var verbs = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

// TestCatalogueComplete: every language's catalogue has every message of
// the English one and no other, translated (not empty), with the same
// format verbs, and quotes the English text it translates as it is now, so
// that a changed English message shows in review as one to translate anew.
func TestCatalogueComplete(t *testing.T) {
	files, err := Files(locales)
	if err != nil {
		t.Fatal(err)
	}
	en, ok := files["en"]
	if !ok || len(en.Messages) == 0 {
		t.Fatalf("no English catalogue in %v", files)
	}
	source := map[string]string{}
	for _, m := range en.Messages {
		if m.Translation != m.Message {
			t.Errorf("en %s: translation %q differs from its message %q", m.ID, m.Translation, m.Message)
		}
		if _, dup := source[m.ID]; dup {
			t.Errorf("en: message %s twice", m.ID)
		}
		source[m.ID] = m.Message
	}
	for _, lang := range []string{"sq", "sr"} {
		f, ok := files[lang]
		if !ok {
			t.Errorf("no catalogue locales/%s.json", lang)
			continue
		}
		seen := map[string]bool{}
		for _, m := range f.Messages {
			seen[m.ID] = true
			msg, ok := source[m.ID]
			switch {
			case !ok:
				t.Errorf("%s: message %s is not in the English catalogue", lang, m.ID)
			case m.Message != msg:
				t.Errorf("%s %s: translates %q, but the English is now %q", lang, m.ID, m.Message, msg)
			case m.Translation == "":
				t.Errorf("%s %s: not translated", lang, m.ID)
			case !slices.Equal(sorted(verbs.FindAllString(m.Translation, -1)), sorted(verbs.FindAllString(msg, -1))):
				t.Errorf("%s %s: verbs %v, the English has %v", lang, m.ID, verbs.FindAllString(m.Translation, -1), verbs.FindAllString(msg, -1))
			}
		}
		for id := range source {
			if !seen[id] {
				t.Errorf("%s: message %s missing", lang, id)
			}
		}
	}
}

func sorted(s []string) []string { slices.Sort(s); return s }

func TestPrinter(t *testing.T) {
	tests := map[string]struct {
		lang                        Lang
		number, day, month, summary string
		germany, macedonia, capital string
	}{
		"en": {English, "4,700", "3 March 2026", "June 1999", "KFOR has about 4,700 troops from 27 nations, down from 50,000 in 1999.",
			"Germany", "North Macedonia", "Prishtinë/Priština"},
		"sq": {Albanian, "4\u00a0700", "3 mars 2026", "qershor 1999", "KFOR-i ka rreth 4\u00a0700 trupa nga 27 shtete, nga 50\u00a0000 sa kishte në vitin 1999.",
			"Gjermani", "Maqedonia e Veriut", "Prishtinë"},
		"sr": {Serbian, "4.700", "3. mart 2026.", "jun 1999.", "KFOR ima oko 4.700 vojnika iz 27 zemalja, a 1999. godine imao ih je 50.000.",
			"Nemačka", "Severna Makedonija", "Priština"},
		"sr-Cyrl": {SerbianCyrillic, "4.700", "3. март 2026.", "јун 1999.", "КФОР има око 4.700 војника из 27 земаља, а 1999. године имао их је 50.000.",
			"Немачка", "Северна Македонија", "Приштина"},
		"pseudo": {Pseudo, "4,700", "⟦3 ⟦March⟧ 2026⟧", "⟦⟦June⟧ 1999⟧", "⟦KFOR has about 4,700 troops from 27 nations⟧⟦, down from 50,000 in 1999⟧.",
			"Germany", "North Macedonia", "Prishtinë/Priština"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := NewPrinter(tc.lang)
			check := func(what, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("Number(4700)", p.Number(4700), tc.number)
			check("Date(2026, 3, 3)", p.Date(2026, 3, 3), tc.day)
			check("Date(1999, 6, 0)", p.Date(1999, 6, 0), tc.month)
			check("Date(2011, 0, 0)", p.Date(2011, 0, 0), "2011")
			check("summary", p.T("headline.sentence_nations", p.Number(4700), 27)+p.T("headline.sentence_peak", p.Number(50000), "1999")+".", tc.summary)
			check(`Nation("DEU")`, p.Nation("DEU"), tc.germany)
			check(`Nation("MK")`, p.Nation("MK"), tc.macedonia)
			check(`Place("Prishtinë/Priština")`, p.Place("Prishtinë/Priština"), tc.capital)
		})
	}
}

func TestToCyrillic(t *testing.T) {
	tests := map[string]string{
		"Ljubljana":                   "Љубљана",
		"LJUBLJANA":                   "ЉУБЉАНА",
		"Njegoš i Džakovica":          "Његош и Џаковица",
		"Đakovica, Peć, Uroševac":     "Ђаковица, Пећ, Урошевац",
		"%[1]d. mart %[2]s":           "%[1]d. март %[2]s",
		"<b>vojnika</b> &amp; više":   "<b>војника</b> &amp; више",
		"izvor: https://kfor.example": "извор: https://kfor.example",
		"Camp Bondsteel":              "Цамп Бондстеел",
		"(Ctrl ili ⌘), CSV i zip":     "(Ctrl или ⌘), CSV и zip",
		"Ctrlx, csv":                  "Цтрлx, цсв",
	}
	for in, want := range tests {
		if got := ToCyrillic(in); got != want {
			t.Errorf("ToCyrillic(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := map[string]string{
		"":                        "en",
		"sq":                      "sq",
		"sq-AL,sq;q=0.9,en;q=0.8": "sq",
		"sr":                      "sr",
		"sr-RS":                   "sr",
		"sr-Latn-RS":              "sr",
		"sr-Cyrl":                 "sr-Cyrl",
		"sr-Cyrl-RS,sr;q=0.9":     "sr-Cyrl",
		"de-DE,sq;q=0.5":          "sq",
		"de-DE,fr;q=0.5":          "en",
		"fr;q=0.9,sr;q=0.8":       "sr",
		"garbage;;q=x":            "en",
	}
	for header, want := range tests {
		if got := Negotiate(header).Code; got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, l := range Languages {
		if got, ok := Parse(l.Code); !ok || got.Code != l.Code {
			t.Errorf("Parse(%q) = %v, %v", l.Code, got.Code, ok)
		}
	}
	if got, ok := Parse("SR-cyrl"); !ok || got.Code != "sr-Cyrl" {
		t.Errorf("Parse(SR-cyrl) = %v, %v; want sr-Cyrl", got.Code, ok)
	}
	if got, ok := Parse("de"); ok || got.Code != "en" {
		t.Errorf("Parse(de) = %v, %v; want English, false", got.Code, ok)
	}
}

func TestOneStop(t *testing.T) {
	for in, want := range map[string]string{
		"Podaci do 3. mart 2026..": "Podaci do 3. mart 2026.",
		"čekaj... a onda..":        "čekaj... a onda.",
		"jun 2024.:":               "jun 2024.:",
		"..":                       ".",
	} {
		if got := oneStop(in); got != want {
			t.Errorf("oneStop(%q) = %q, want %q", in, got, want)
		}
	}
	if got := NewPrinter(SerbianCyrillic).T("page.lede", NewPrinter(SerbianCyrillic).Date(2026, 3, 3)); strings.Contains(got, "..") {
		t.Errorf("the lede in Serbian = %q: two stops", got)
	}
}

func TestPercentAndSeparators(t *testing.T) {
	tests := map[string]struct {
		lang                 Lang
		share, change, whole string
		group, decimal       string
	}{
		"en":      {English, "91.4%", "+3.4%", "90%", ",", "."},
		"sq":      {Albanian, "91,4%", "+3,4%", "90%", "\u00a0", ","},
		"sr":      {Serbian, "91,4%", "+3,4%", "90%", ".", ","},
		"sr-Cyrl": {SerbianCyrillic, "91,4%", "+3,4%", "90%", ".", ","},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			p := NewPrinter(tc.lang)
			if got := p.Percent(91.4, 1, false); got != tc.share {
				t.Errorf("Percent(91.4, 1, false) = %q, want %q", got, tc.share)
			}
			if got := p.Percent(3.4, 1, true); got != tc.change {
				t.Errorf("Percent(3.4, 1, true) = %q, want %q", got, tc.change)
			}
			if got := p.Percent(90, 0, false); got != tc.whole {
				t.Errorf("Percent(90, 0, false) = %q, want %q", got, tc.whole)
			}
			if g, d := p.Separators(); g != tc.group || d != tc.decimal {
				t.Errorf("Separators() = %q, %q; want %q, %q", g, d, tc.group, tc.decimal)
			}
		})
	}
}
