package dashboard

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// routeSamples are requests that reach every GET route of the table with
// its parameters filled in, valid and not; image routes are left to their
// own tests (drawing is slow under -race) and listed in skipImages.
func routeSamples(tb testing.TB, s *Server) []string {
	tb.Helper()
	fill := map[string][]string{
		"/":                                {"/", "/?theme=dark", "/?from=2009&to=2012", "/?date=2023-10-10", "/?from=<script>&theme=%22%3E%3Cscript%3E", "/?date=9999"},
		"/options.js":                      {"/options.js", "/options.js?theme=dark&from=2009"},
		"/table/:file":                     {"/table/strength.csv", "/table/strength.json?from=2009", "/table/nope.csv", "/table/..%2f..%2fgo.mod"},
		"/embed/:chart":                    {"/embed/strength", "/embed/contributions?date=2019&theme=dark", "/embed/nope", "/embed/%3Cscript%3E?from=x"},
		"/static/:file":                    {assetPath("app.css"), assetPath("app.js"), "/static/..%2fapi.go", "/static/nope.js"},
		"/charts/:file":                    {"/charts/nope.svg", "/charts/strength.gif", "/charts/strength.svg?width=1"},
		"/metrics":                         {"/metrics"},
		"/api/v1/history.om":               {"/api/v1/history.om"},
		"/api/v1/nations/:code/troops":     {"/api/v1/nations/DEU/troops", "/api/v1/nations/deu/troops?from=2010", "/api/v1/nations/XYZ/troops", "/api/v1/nations/%3Cx%3E/troops"},
		"/api/v1/strength/:date":           {"/api/v1/strength/1999-06-15", "/api/v1/strength/2000-02", "/api/v1/strength/1999-01-01", "/api/v1/strength/%3Cscript%3E"},
		"/api/v1/nations/:code/troops.csv": {"/api/v1/nations/ITA/troops.csv", "/api/v1/nations/TOOLONG/troops.csv?to=bad"},
	}
	var out []string
	for _, r := range s.engine.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		if f, ok := fill[r.Path]; ok {
			out = append(out, f...)
			continue
		}
		if strings.Contains(r.Path, ":") || strings.Contains(r.Path, "*") {
			tb.Fatalf("route %s has parameters and no samples: add some to routeSamples", r.Path)
		}
		out = append(out, r.Path, r.Path+"?date=bad&all=maybe")
	}
	return append(out, "/nope", "/api/v2/summary", "/static/", "/%2e%2e/go.mod")
}

// TestHeadersOnEveryAnswer: every answer, whatever the route and status,
// says nosniff, gives a Referrer-Policy and a Content-Security-Policy with
// frame-ancestors 'none', and names no server software. The only HTML is
// the page, and it has no inline script.
func TestHeadersOnEveryAnswer(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), true)
	version := store.Current().Version
	html := 0
	for _, target := range routeSamples(t, s) {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			w := get(t, s, method, target)
			h := w.Header()
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != referrerPolicy || h.Get("Server") != "" {
				t.Errorf("%s %s (%d): nosniff %q, Referrer-Policy %q, Server %q; want nosniff, %s and no Server",
					method, target, w.Code, h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("Server"), referrerPolicy)
			}
			csp := h.Get("Content-Security-Policy")
			ancestors := "'none'"
			if strings.HasPrefix(target, "/embed/") && w.Code == http.StatusOK {
				ancestors = DefaultEmbedFrameAncestors // a chart alone, made to be framed
			}
			if !strings.HasSuffix(csp, "; frame-ancestors "+ancestors) || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s %s (%d): Content-Security-Policy %q, want frame-ancestors %s and no unsafe-eval", method, target, w.Code, csp, ancestors)
			}
			if w.Code >= 500 {
				t.Errorf("%s %s = %d, want no 5xx", method, target, w.Code)
			}
			if got := h.Get(DatasetHeader); got != version || version == "" {
				t.Errorf("%s %s (%d): %s %q, want the record's version %q", method, target, w.Code, DatasetHeader, got, version)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				continue
			}
			html++
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "script-src 'self' ") {
				t.Errorf("%s %s: HTML with Content-Security-Policy %q, want script-src 'self' alone", method, target, csp)
			}
			checkNoInlineScript(t, method+" "+target, w.Body.Bytes())
		}
	}
	if html == 0 {
		t.Error("no route answered HTML: the page test above checked nothing")
	}
}

// checkNoInlineScript fails on anything in an HTML document that a
// script-src 'self' policy would block or that would run script from
// elsewhere: a <script> without a same-origin src or with a body, an event
// handler attribute, a javascript: URL.
func checkNoInlineScript(tb testing.TB, what string, doc []byte) {
	tb.Helper()
	z := html.NewTokenizer(bytes.NewReader(doc))
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				tb.Errorf("%s: not HTML: %v", what, z.Err())
			}
			return
		case html.TextToken:
			if inScript && strings.TrimSpace(string(z.Text())) != "" {
				tb.Errorf("%s: inline script %.80q", what, z.Text())
			}
		case html.EndTagToken:
			inScript = false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			src := ""
			for _, a := range tok.Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case strings.HasPrefix(a.Key, "on"):
					tb.Errorf("%s: <%s %s=%q>: an inline event handler", what, tok.Data, a.Key, a.Val)
				case strings.HasPrefix(v, "javascript:"):
					tb.Errorf("%s: <%s %s=%q>: a javascript: URL", what, tok.Data, a.Key, a.Val)
				case a.Key == "src":
					src = a.Val
				}
			}
			if tok.Data == "script" {
				inScript = tt == html.StartTagToken
				if !strings.HasPrefix(src, "/") || strings.HasPrefix(src, "//") {
					tb.Errorf("%s: <script src=%q>: want a script from this origin", what, src)
				}
			}
		}
	}
}

// TestFrameAncestors: the operator's list reaches the page's policy and
// every other answer's.
func TestFrameAncestors(t *testing.T) {
	store := datasettest.Store(t)
	tests := map[string]struct{ give, want string }{
		"default":       {"", "'none'"},
		"self":          {"'self'", "'self'"},
		"intranet":      {"'self'  https://intranet.example.org:8443", "'self' https://intranet.example.org:8443"},
		"not valid":     {"'self'; script-src *", "'none'"},
		"none and more": {"'none' 'self'", "'none'"},
		"on two lines":  {"'self'\r\n https://a.example.org", "'self' https://a.example.org"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := NewServer(Config{Store: store, FrameAncestors: tc.give, Now: func() time.Time { return apiNow }})
			for _, target := range []string{"/", "/options.js", "/api/v1/summary", "/nope"} {
				csp := get(t, s, "GET", target).Header().Get("Content-Security-Policy")
				if !strings.HasSuffix(csp, "; frame-ancestors "+tc.want) {
					t.Errorf("FrameAncestors %q: GET %s Content-Security-Policy = %q, want frame-ancestors %s", tc.give, target, csp, tc.want)
				}
			}
		})
	}
}

func TestCheckFrameAncestors(t *testing.T) {
	tests := map[string]struct {
		give string
		ok   bool
	}{
		"none":             {"'none'", true},
		"self":             {"'self'", true},
		"origin":           {"https://intranet.example.org", true},
		"wildcard host":    {"https://*.example.org", true},
		"port and path":    {"http://10.0.0.1:3000/grafana/", true},
		"scheme":           {"https:", true},
		"several":          {"'self' https://a.example.org https://b.example.org", true},
		"empty":            {"", false},
		"none with others": {"'none' 'self'", false},
		"a new directive":  {"'self'; script-src *", false},
		"a comma":          {"'self',https://a.example.org", false},
		"unquoted self":    {"self'", false},
		"a keyword":        {"'unsafe-inline'", false},
		"a control byte":   {"'self' https://a.example.org\x00", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckFrameAncestors(tc.give)
			if (err == nil) != tc.ok {
				t.Errorf("CheckFrameAncestors(%q) = %v, want ok %v", tc.give, err, tc.ok)
			}
		})
	}
}

// TestBodyLimit: a body over MaxBodyBytes is refused with 413 and a JSON
// error before any handler runs, whether its length is declared or not; a
// small one passes.
func TestBodyLimit(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), true)
	big := strings.Repeat("x", MaxBodyBytes+1)
	tests := map[string]struct {
		method, target, body string
		chunked              bool
		want                 int
	}{
		"reload, no body":       {"POST", "/-/reload", "", false, http.StatusOK},
		"reload, a few bytes":   {"POST", "/-/reload", "reload now", false, http.StatusOK},
		"reload, at the limit":  {"POST", "/-/reload", big[1:], false, http.StatusOK},
		"reload, over":          {"POST", "/-/reload", big, false, http.StatusRequestEntityTooLarge},
		"reload, over, chunked": {"POST", "/-/reload", big, true, http.StatusRequestEntityTooLarge},
		"GET with a body":       {"GET", "/api/v1/summary", big, false, http.StatusRequestEntityTooLarge},
		"PUT to nowhere":        {"PUT", "/nope", big + big, true, http.StatusRequestEntityTooLarge},
		"GET with a small body": {"GET", "/api/v1/summary", "{}", true, http.StatusOK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
			if tc.chunked {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			s.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("%s %s with %d bytes = %d %s, want %d", tc.method, tc.target, len(tc.body), w.Code, w.Body.String(), tc.want)
			}
			if tc.want != http.StatusRequestEntityTooLarge {
				return
			}
			var e struct{ Error, Code string }
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code != string(ETooLarge) || !strings.Contains(e.Error, "want at most 4096") {
				t.Errorf("413 body = %s, want a JSON error with code too_large naming the limit", w.Body.String())
			}
			if w.Header().Get("Connection") != "close" {
				t.Errorf("413 without Connection: close: the unread body would be read as the next request")
			}
		})
	}
}

// TestReloadMethods: the lifecycle endpoint changes state, so it takes
// POST only, and only when switched on, as Prometheus' does.
func TestReloadMethods(t *testing.T) {
	for _, lifecycle := range []bool{false, true} {
		s, _ := newTestServer(t, dataset.EmbeddedOrigin(), lifecycle)
		for _, method := range []string{"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", "POST"} {
			want := http.StatusMethodNotAllowed
			switch {
			case method == "POST" && lifecycle:
				want = http.StatusOK
			case method == "POST":
				want = http.StatusForbidden
			}
			if w := get(t, s, method, "/-/reload"); w.Code != want {
				t.Errorf("lifecycle %v: %s /-/reload = %d, want %d", lifecycle, method, w.Code, want)
			}
		}
	}
}
