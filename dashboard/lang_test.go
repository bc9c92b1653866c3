package dashboard

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// getLang is a GET with an Accept-Language header.
func getLang(tb testing.TB, h http.Handler, target, acceptLanguage string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest("GET", target, nil)
	if acceptLanguage != "" {
		r.Header.Set("Accept-Language", acceptLanguage)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestPageLanguages: the language is lang= in the address, else the
// browser's Accept-Language, else English; the page says which in <html
// lang>, its hreflang alternates and og:locale, writes its figures as the
// language does, and every link and the form keep the language chosen.
func TestPageLanguages(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	latest := Summary(store.Current()).Latest.Troops
	tests := map[string]struct {
		target, accept string
		lang, locale   string
		heading        string
		number         string // the latest troops figure as the language writes it
	}{
		"default":              {"/", "", "en", "en_GB", "KFOR troop levels, 1999 to today", i18n.NewPrinter(i18n.English).Number(latest)},
		"lang=sq":              {"/?lang=sq", "", "sq", "sq_AL", "Numri i trupave të KFOR-it", i18n.NewPrinter(i18n.Albanian).Number(latest)},
		"lang=SR":              {"/?lang=SR", "", "sr", "sr_RS", "Brojno stanje KFOR-a", i18n.NewPrinter(i18n.Serbian).Number(latest)},
		"lang=sr-cyrl":         {"/?lang=sr-cyrl&theme=dark", "", "sr-Cyrl", "sr_RS", "Бројно стање КФОР-а", i18n.NewPrinter(i18n.SerbianCyrillic).Number(latest)},
		"Accept-Language sq":   {"/", "de-DE,sq;q=0.8,en;q=0.5", "sq", "sq_AL", "Numri i trupave të KFOR-it", i18n.NewPrinter(i18n.Albanian).Number(latest)},
		"Accept-Language Cyrl": {"/", "sr-Cyrl-RS", "sr-Cyrl", "sr_RS", "Бројно стање КФОР-а", i18n.NewPrinter(i18n.SerbianCyrillic).Number(latest)},
		"lang= over header":    {"/?lang=en", "sq", "en", "en_GB", "KFOR troop levels, 1999 to today", i18n.NewPrinter(i18n.English).Number(latest)},
		"unknown header":       {"/", "de, fr;q=0.5", "en", "en_GB", "KFOR troop levels, 1999 to today", i18n.NewPrinter(i18n.English).Number(latest)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := getLang(t, s, tc.target, tc.accept)
			body := w.Body.String()
			if w.Code != 200 {
				t.Fatalf("GET %s = %d", tc.target, w.Code)
			}
			if cl := w.Header().Get("Content-Language"); cl != tc.lang {
				t.Errorf("Content-Language = %q, want %q", cl, tc.lang)
			}
			if v := w.Header().Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding and Accept-Language", v)
			}
			for _, want := range []string{
				`<html lang="` + tc.lang + `"`,
				`<meta property="og:locale" content="` + tc.locale + `">`,
				tc.heading,
				`data-figure="latest_troops" data-value="` + itoa(latest) + `">` + tc.number + `<`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s (Accept-Language %q): no %q", tc.target, tc.accept, want)
				}
			}
			for _, l := range i18n.Languages {
				if !regexp.MustCompile(`<link rel="alternate" hreflang="` + regexp.QuoteMeta(l.Code) + `" href="/\?[^"]*lang=` + regexp.QuoteMeta(l.Code) + `[&"]`).MatchString(body) {
					t.Errorf("GET %s: no hreflang alternate for %s", tc.target, l.Code)
				}
			}
			if !strings.Contains(body, `hreflang="x-default"`) {
				t.Errorf("GET %s: no x-default alternate", tc.target)
			}
			if strings.Contains(tc.target, "lang=") && !strings.Contains(body, `<input type="hidden" name="lang" value="`+tc.lang+`">`) {
				t.Errorf("GET %s: the form does not keep lang=%s", tc.target, tc.lang)
			}
		})
	}
	// The switch keeps the view: from the Serbian dark page, English is
	// the same view, dark, in English named.
	body := get(t, s, "GET", "/?lang=sr&theme=dark&from=2009").Body.String()
	if !strings.Contains(body, `href="/?from=2009-01-01&amp;lang=en&amp;theme=dark" hreflang="en"`) {
		t.Errorf("the switch's English link does not keep the view: %s", regexp.MustCompile(`<ul class="langs".*?</ul>`).FindString(body))
	}
	if !strings.Contains(body, `id="theme-toggle"`) || !regexp.MustCompile(`href="/\?from=2009-01-01&amp;lang=sr" id="theme-toggle"`).MatchString(body) {
		t.Errorf("the theme link does not keep lang=sr")
	}
	// A language the page does not speak: English, and the notice says so.
	w := get(t, s, "GET", "/?lang=de")
	if b := w.Body.String(); w.Code != 200 || !strings.Contains(b, `<html lang="en"`) || !strings.Contains(b, `<code>lang</code>: &#34;de&#34; is not a language of the page`) {
		t.Errorf("GET /?lang=de = %d, want the English page with a notice naming lang", w.Code)
	}
	// The images and the API refuse it, naming the parameter.
	for _, target := range []string{"/charts/strength.svg?lang=de", "/table/strength.csv?lang=xx-YY-ZZ"} {
		w := get(t, s, "GET", target)
		if strings.HasPrefix(target, "/charts") && (w.Code != 400 || !strings.Contains(w.Body.String(), `"param":"lang"`)) {
			t.Errorf("GET %s = %d %s, want 400 naming lang", target, w.Code, w.Body.String())
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestErrorLanguages: an error about a parameter is told in the client's
// language (lang= on a chart image, else Accept-Language), its code and
// parameter as they are in every language, and the answer says which
// language it is in; an English client gets the English message.
func TestErrorLanguages(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		target, accept, lang string
		code                 int
		param, want          string
	}{
		"English":           {"/api/v1/strength?all=maybe", "", "en", 400, "all", `"maybe" is not a boolean (want 1 or 0)`},
		"Albanian client":   {"/api/v1/strength?all=maybe", "sq-AL,sq;q=0.9", "sq", 400, "all", `"maybe" nuk është vlerë po/jo (pritet 1 ose 0)`},
		"Serbian client":    {"/api/v1/contributions?date=1999-06-13", "sr", "sr", 404, "date", "nema spiska po zemljama na dan 1999-06-13 ili pre njega"},
		"Cyrillic client":   {"/api/v1/events?from=2015&to=2010", "sr-Cyrl-RS", "sr-Cyrl", 400, "from", "2015 је после 2010"},
		"image's lang":      {"/charts/strength.svg?lang=sq&width=wide", "sr", "sq", 400, "width", `"wide" nuk është numër i plotë (pritet nga 200 deri në 4000)`},
		"image, bad lang":   {"/charts/strength.svg?lang=de", "sq", "sq", 400, "lang", `"de" nuk është gjuhë e faqes`},
		"structure's date":  {"/api/v1/structure?date=1998", "sr-Latn", "sr", 400, "date", "1998 je pre početka KFOR-a 12. jun 1999"},
		"pseudo via lang=":  {"/charts/contributions.svg?lang=en-XA&date=bogus", "", "en-XA", 400, "date", `⟦"bogus" is not a date (want ⟦a date as YYYY-MM-DD, YYYY-MM or YYYY⟧)⟧`},
		"unknown, to all":   {"/api/v1/strength?all=maybe", "de-DE", "en", 400, "all", `"maybe" is not a boolean`},
		"nation code, path": {"/api/v1/nations/Germany/troops", "sq", "sq", 400, "code", `"Germany" nuk është kod shteti (pritet tri shkronja, ISO 3166-1 alpha-3, si DEU)`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			w := getLang(t, s, tc.target, tc.accept)
			if w.Code != tc.code {
				t.Fatalf("GET %s = %d, want %d: %s", tc.target, w.Code, tc.code, w.Body.String())
			}
			e := decode[map[string]string](t, w)
			if !strings.Contains(e["error"], tc.want) || e["param"] != tc.param {
				t.Errorf("GET %s (Accept-Language %q): error %q on %q, want %q on %q", tc.target, tc.accept, e["error"], e["param"], tc.want, tc.param)
			}
			if wantCode := map[int]string{400: "invalid", 404: "not_found"}[tc.code]; e["code"] != wantCode {
				t.Errorf("GET %s: code %q, want %q in every language", tc.target, e["code"], wantCode)
			}
			if got := w.Header().Get("Content-Language"); got != tc.lang {
				t.Errorf("GET %s: Content-Language %q, want %q", tc.target, got, tc.lang)
			}
			if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept-Language") {
				t.Errorf("GET %s: Vary %q, want Accept-Language", tc.target, w.Header().Values("Vary"))
			}
		})
	}
}

// TestContentLanguage: every answer that is in a language says which: the
// page, its options, an embed, a chart image; by lang= or Accept-Language.
func TestContentLanguage(t *testing.T) {
	s := imageServer(t)
	for target, want := range map[string][2]string{
		"/?lang=sq":                      {"", "sq"},
		"/options.js":                    {"sr-Cyrl-RS", "sr-Cyrl"},
		"/embed/strength?lang=sr":        {"sq", "sr"},
		"/charts/changes.svg?lang=sq":    {"", "sq"},
		"/charts/share.svg":              {"sr", "sr"},
		"/charts/share.svg?lang=EN":      {"sr", "en"},
		"/table/strength.csv?lang=sr":    {"", "sr"},
		"/embed/share?lang=sr-cyrl":      {"", "sr-Cyrl"},
		"/options.js?lang=sq&theme=dark": {"de", "sq"},
	} {
		w := getLang(t, s, target, want[0])
		if w.Code != http.StatusOK || w.Header().Get("Content-Language") != want[1] {
			t.Errorf("GET %s (Accept-Language %q) = %d, Content-Language %q; want 200 in %q", target, want[0], w.Code, w.Header().Get("Content-Language"), want[1])
		}
	}
}
