package dashboard

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
)

// TestRouteParams: a route reads exactly the parameters it declares, and
// its cache keys on their parsed meaning: two spellings of one view share
// an answer, an undeclared parameter neither changes the answer nor grows
// the cache, and a declared one changes the answer.
func TestRouteParams(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	count := func() int {
		s.resp.mu.Lock()
		defer s.resp.mu.Unlock()
		return len(s.resp.entries) + len(s.resp.pinned)
	}
	get(t, s, "GET", "/api/v1/strength?to=2010")
	before := count()
	a := get(t, s, "GET", "/api/v1/strength?to=2010").Body.String()
	b := get(t, s, "GET", "/api/v1/strength?to=2010-12-31&utm_source=chat&theme=dark").Body.String()
	if a != b {
		t.Errorf("to=2010 and to=2010-12-31 (with undeclared parameters) answer differently")
	}
	if n := count(); n != before {
		t.Errorf("two spellings of one view made %d cache entries, want them to share one", n-before+1)
	}
	if all := get(t, s, "GET", "/api/v1/strength?to=2010&all=1").Body.String(); all == a {
		t.Errorf("all=1 answers as without it: the declared parameter is not read")
	}
	// A strict route refuses what it declares and ignores what it does not.
	if w := get(t, s, "GET", "/api/v1/summary?date=bogus"); w.Code != http.StatusOK {
		t.Errorf("/api/v1/summary?date=bogus = %d, want 200: summary takes no date", w.Code)
	}
	for _, r := range s.routeTable {
		if r.doc == "" {
			t.Errorf("route %s has no doc", r.path)
		}
		for _, p := range r.params {
			if len(param.Specs([]param.Name{p})) != 1 || param.Specs([]param.Name{p})[0].Doc == "" {
				t.Errorf("route %s declares %s, which has no spec", r.path, p)
			}
		}
		if r.warm && (r.cache == nil || strings.Contains(r.path, ":")) {
			t.Errorf("route %s is warmed but not cached or has a path parameter", r.path)
		}
	}
}

// TestWarmRoutes: the warm-up makes every route the table marks warm and
// no other.
func TestWarmRoutes(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	var want []string
	for _, r := range s.routeTable {
		if r.warm {
			want = append(want, r.path)
		}
	}
	if !slices.Contains(want, "/") || !slices.Contains(want, "/api/v1/strength") {
		t.Fatalf("warm routes %v: want the page and the strength series among them", want)
	}
	waitCached(t, s, store.Current().Checksum, want...)
	_, keys := cachedKeys(s)
	for k := range keys {
		if !slices.Contains(want, k) {
			t.Errorf("the warm-up made %q, which the route table does not mark warm", k)
		}
	}
}

// TestHistoryRoute: the backfill export is served like every cached answer:
// compressed, tagged and revalidated by the one cache.
func TestHistoryRoute(t *testing.T) {
	store, err := dataset.NewStore(dataset.EmbeddedOrigin(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var calls int
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow },
		History: func(w io.Writer, d *dataset.Dataset, now time.Time) error {
			calls++
			// Larger than the bounded entries take: the route pins it.
			_, err := io.WriteString(w, strings.Repeat("kfor_troops 1 0\n", 500_000)+"# EOF\n")
			return err
		}})
	r := httptest.NewRequest("GET", "/api/v1/history.om", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/openmetrics-text") {
		t.Fatalf("GET /api/v1/history.om = %d, encoding %q, type %q", w.Code, w.Header().Get("Content-Encoding"), w.Header().Get("Content-Type"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(zr); !strings.HasSuffix(string(body), "# EOF\n") {
		t.Errorf("history body does not end with # EOF")
	}
	r = httptest.NewRequest("GET", "/api/v1/history.om", nil)
	r.Header.Set("If-None-Match", w.Header().Get("ETag"))
	w = httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusNotModified || calls != 1 {
		t.Errorf("revalidation = %d after %d writes, want 304 after one", w.Code, calls)
	}
	if w = get(t, s, "GET", "/api/v1/history.om"); w.Code != 200 || calls != 1 {
		t.Errorf("a second GET = %d after %d writes, want 200 from the cache: the history is made once a day", w.Code, calls)
	}
}
