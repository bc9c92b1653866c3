package dashboard

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// routerSeeds are FuzzRouter's seeds: a request to every route the server
// answers at least (TestRouterSeedsEveryRoute), with parameters valid and not.
var routerSeeds = []struct{ method, path, query, name, value, body string }{
	{"GET", "/", "theme=dark&from=2009&to=2012", "Accept-Encoding", "gzip", ""},
	{"GET", "/", "lang=sr-cyrl&theme=dark", "Accept-Language", "sq-AL,sq;q=0.9,en;q=0.5", ""},
	{"GET", "/", "lang=xx&lang=", "Accept-Language", "sr-Cyrl-RS;q=x, *", ""},
	{"GET", "/charts/world-map.png", "lang=sq&width=360", "Accept-Language", "sr", ""},
	{"GET", "/embed/share", "lang=EN-xa", "", "", ""},
	{"GET", "/options.js", "lang=sr&from=2015&to=2010", "Accept-Language", "sq", ""},
	{"GET", "/table/strength.json", "lang=sr-Cyrl&from=2010-01", "", "", ""},
	{"GET", "/api/v1/strength", "all=maybe", "Accept-Language", "sr-Cyrl-RS,sr;q=0.8", ""},
	{"GET", "/charts/strength.svg", "lang=sq&from=2010-01&to=2010-12&width=wide", "Accept-Language", "sr", ""},
	{"GET", "/embed/structure-map", "lang=sr-Cyrl&date=1998", "Accept-Language", "*;q=0", ""},
	{"GET", "/", "date=2023-10-10&date=1999&from=9999-99-99", "If-None-Match", `"x"`, ""},
	{"GET", "/options.js", "from=2012&to=2009", "", "", ""},
	{"GET", "/table/strength.csv", "from=2009", "", "", ""},
	{"GET", "/table/contributions.json", "date=2017", "", "", ""},
	{"GET", "/static/../../go.mod", "", "", "", ""},
	{"GET", "/static/%2e%2e%2fgo.mod", "", "", "", ""},
	{"GET", "/static/app.js", "", "Accept-Encoding", "gzip;q=0, br", ""},
	{"GET", "/charts", "", "", "", ""},
	{"GET", "/charts/strength.svg", "width=400&height=300", "", "", ""},
	{"GET", "/charts/strength.png", "width=4000&height=3000&scale=4", "", "", ""},
	{"GET", "/charts/strength.svg", "scale=2", "", "", ""},
	{"GET", "/charts/nations.png", "width=-1", "", "", ""},
	{"GET", "/api/v1/summary", "", "Accept-Encoding", "br", ""},
	{"GET", "/api/v1/strength.csv", "all=1&from=2001", "", "", ""},
	{"GET", "/api/v1/contributions", "date=1999-06-12&complete=x", "", "", ""},
	{"GET", "/api/v1/counts", "from=2024&to=2001", "", "", ""},
	{"GET", "/api/v1/counts.csv", "to=2010-13-45", "", "", ""},
	{"GET", "/api/v1/events", "from=2004-03", "", "", ""},
	{"GET", "/api/v1/events.csv", "", "Accept-Encoding", "gzip", ""},
	{"GET", "/api/v1/sources", "", "If-None-Match", `W/"x"`, ""},
	{"GET", "/api/v1/sources.csv", "", "", "", ""},
	{"GET", "/api/v1/nations", "", "", "", ""},
	{"GET", "/api/v1/nations.csv", "", "", "", ""},
	{"GET", "/embed/nations", "nation=ITA&axis=log&theme=dark", "", "", ""},
	{"GET", "/", "nation=USA&axis=%00&date=2008-02-17", "Accept-Encoding", "br", ""},
	{"GET", "/metrics", "", "", "", ""},
	{"GET", "/api/v1/contributions.csv", "date=2017-02-01&complete=1", "If-None-Match", "*", ""},
	{"GET", "/api/v1/strength", "all=%ff", "", "", ""},
	{"GET", "/api/v1/nations/DEU/troops", "from=2010&to=2015", "", "", ""},
	{"GET", "/api/v1/nations/%ff%00/troops.csv", "", "", "", ""},
	{"GET", "/api/v1/structure", "date=2012-02-15", "", "", ""},
	{"GET", "/api/v1/structure.csv", "date=2099&all=1", "", "", ""},
	{"GET", "/charts/structure-map.svg", "date=2012-02", "", "", ""},
	{"GET", "/api/v1/", "", "Accept-Encoding", "gzip", ""},
	{"GET", "/api/v1/strength/2000-02", "", "", "", ""},
	{"GET", "/embed/strength", "from=2009&theme=dark", "", "", ""},
	{"GET", "/embed/%ff", "date=9999", "", "", ""},
	{"GET", "/api/v1/strength/%ff%00", "all=1", "", "", ""},
	{"GET", "/api/v1/openapi.json", "", "If-None-Match", "*", ""},
	{"GET", "/api/v1/kfor-record.zip", "", "Accept-Encoding", "br", ""},
	{"GET", "/api/v1/datapackage.json", "", "", "", ""},
	{"POST", "/-/reload", "", "Content-Type", "text/plain", "reload"},
	{"PUT", "/-/reload", "", "", "", ""},
	{"DELETE", "/api/v1/events", "", "", "", ""},
	{"OPTIONS", "*", "", "", "", ""},
	{"HEAD", "/healthz", "", "", "", ""},
	{"GET", "/readyz", "", "X-Forwarded-For", "::1", ""},
	{"BREW", "/nope", "a=b", "Range", "bytes=0-1", "x"},
}

// TestRouterSeedsEveryRoute: FuzzRouter starts from a request to every
// route the server answers, so that a route added is fuzzed from a seed.
func TestRouterSeedsEveryRoute(t *testing.T) {
	s := NewServer(Config{Store: datasettest.Store(t), Metrics: http.NotFoundHandler()})
	for _, route := range s.Routes() {
		method, pattern, _ := strings.Cut(route, " ")
		re := routePattern(pattern)
		if !slices.ContainsFunc(routerSeeds, func(sd struct{ method, path, query, name, value, body string }) bool {
			return (sd.method == method || getOrHead(sd.method) && getOrHead(method)) && re.MatchString(sd.path)
		}) {
			t.Errorf("no seed of FuzzRouter reaches %s: add one to routerSeeds", route)
		}
	}
}

// getOrHead: HEAD is answered wherever GET is, by the same handler.
func getOrHead(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// routePattern matches the paths a route pattern in the router's syntax
// takes: /embed/:chart matches /embed/strength.
func routePattern(pattern string) *regexp.Regexp {
	re := regexp.QuoteMeta(pattern)
	re = regexp.MustCompile(`:[a-z]+`).ReplaceAllString(re, `[^/]+`)
	re = regexp.MustCompile(`\\\*[a-z]+`).ReplaceAllString(re, `.*`)
	return regexp.MustCompile("^" + re + "$")
}

// FuzzRouter drives the whole router, every route and the lifecycle API
// included, with arbitrary methods, paths, query strings, a header and a
// body. Each request is parsed from the wire as net/http parses it (what it
// refuses never reaches the router); the answer must never be a 5xx (a
// panic is one: the recover middleware answers 500) and always carries the
// headers every answer has.
//
// Go's fuzzer takes an input running over 10 s for a hang. When fuzzing,
// the chart renderer is started before the first input and bounds each of
// a render's two steps (SVG, then PNG) at 4 s; a render stopped by that
// bound answers 503 with Retry-After, the answer to overload the image
// routes are meant to give, and is let pass.
func FuzzRouter(f *testing.F) {
	cfg := Config{Store: datasettest.Store(f), EnableLifecycle: true, Now: func() time.Time { return apiNow }}
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		im, err := images.New(images.Config{Timeout: 4 * time.Second, CacheDir: f.TempDir()})
		if err != nil {
			f.Fatal(err)
		}
		if err := im.Warm(context.Background()); err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { im.Close() })
		cfg.Images = im
	}
	s := NewServer(cfg)
	for _, sd := range routerSeeds {
		f.Add(sd.method, sd.path, sd.query, sd.name, sd.value, []byte(sd.body))
	}
	f.Fuzz(func(t *testing.T, method, path, query, name, value string, body []byte) {
		target := path
		if query != "" {
			target += "?" + query
		}
		var raw bytes.Buffer
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: kforstats\r\n", method, target)
		if name != "" {
			fmt.Fprintf(&raw, "%s: %s\r\n", name, value)
		}
		if len(body) > 0 {
			fmt.Fprintf(&raw, "Content-Length: %d\r\n", len(body))
		}
		raw.WriteString("\r\n")
		raw.Write(body)
		r, err := http.ReadRequest(bufio.NewReader(&raw))
		if err != nil {
			return // net/http answers 400 itself
		}
		r.RemoteAddr = "127.0.0.1:1234"
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code == http.StatusServiceUnavailable && strings.HasPrefix(r.URL.Path, "/charts/") && w.Header().Get("Retry-After") != "" {
			return
		}
		if w.Code >= 500 {
			t.Fatalf("%s %q (header %q: %q, %d bytes of body) = %d %s", method, target, name, value, len(body), w.Code, w.Body.String())
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "frame-ancestors") {
			t.Fatalf("%s %q = %d without the headers every answer has: %v", method, target, w.Code, w.Header())
		}
	})
}
