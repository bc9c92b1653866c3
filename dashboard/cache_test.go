package dashboard

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dataset"
)

func getWith(tb testing.TB, h http.Handler, target string, header map[string]string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestCachedEncodings(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	plain := getWith(t, s, "/api/v1/strength", nil)
	if plain.Code != 200 || plain.Header().Get("Content-Encoding") != "" || plain.Header().Get("ETag") == "" {
		t.Fatalf("plain GET = %d, encoding %q, etag %q", plain.Code, plain.Header().Get("Content-Encoding"), plain.Header().Get("ETag"))
	}
	tests := map[string]struct {
		accept, want string
		decode       func(io.Reader) io.Reader
	}{
		"brotli preferred": {"gzip, deflate, br", "br", func(r io.Reader) io.Reader { return brotli.NewReader(r) }},
		"gzip only":        {"gzip", "gzip", func(r io.Reader) io.Reader { z, _ := gzip.NewReader(r); return z }},
		"brotli refused":   {"br;q=0, gzip", "gzip", func(r io.Reader) io.Reader { z, _ := gzip.NewReader(r); return z }},
		"identity":         {"identity", "", func(r io.Reader) io.Reader { return r }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for range 2 { // the first answer is made, the second served from the cache
				w := getWith(t, s, "/api/v1/strength", map[string]string{"Accept-Encoding": tc.accept})
				if got := w.Header().Get("Content-Encoding"); got != tc.want {
					t.Fatalf("Accept-Encoding %q gave %q, want %q", tc.accept, got, tc.want)
				}
				body, err := io.ReadAll(tc.decode(w.Body))
				if err != nil || !bytes.Equal(body, plain.Body.Bytes()) {
					t.Fatalf("decoded body differs from the plain one (%v)", err)
				}
				if tc.want != "" && w.Body.Len() >= plain.Body.Len()/3 {
					t.Errorf("%s body is %d bytes for %d plain: not compressed", tc.want, w.Body.Len(), plain.Body.Len())
				}
				if w.Header().Get("Vary") != "Accept-Encoding" || w.Header().Get("Content-Type") != plain.Header().Get("Content-Type") {
					t.Errorf("headers = %v", w.Header())
				}
			}
		})
	}
}

func TestCachedRevalidation(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../dataset/testdata/valid", dir)
	s, store := newTestServer(t, dataset.DirOrigin(dir), true)
	first := getWith(t, s, "/api/v1/summary", nil)
	etag := first.Header().Get("ETag")
	if w := getWith(t, s, "/api/v1/summary", map[string]string{"If-None-Match": etag}); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Fatalf("If-None-Match with the current ETag = %d (%d bytes), want 304 and no body", w.Code, w.Body.Len())
	}
	// A reload changes the answer: the old ETag no longer matches.
	if err := os.WriteFile(filepath.Join(dir, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02,4000,P1,exact,q,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	w := getWith(t, s, "/api/v1/summary", map[string]string{"If-None-Match": etag})
	if w.Code != 200 || w.Header().Get("ETag") == etag || !bytes.Contains(w.Body.Bytes(), []byte(`"troops":4000`)) {
		t.Fatalf("after reload = %d etag %s body %s, want 200 with the new figures", w.Code, w.Header().Get("ETag"), w.Body.String())
	}
}

func TestCacheBounded(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxCached + 100 {
		target := "/api/v1/contributions?date=" + day.AddDate(0, 0, i).Format("2006-01-02") + "&x=" + strconv.Itoa(i)
		if w := getWith(t, s, target, nil); w.Code != 200 {
			t.Fatalf("GET %s = %d", target, w.Code)
		}
	}
	s.resp.mu.Lock()
	n := len(s.resp.entries)
	s.resp.mu.Unlock()
	if n > maxCached {
		t.Errorf("cache holds %d entries, want at most %d", n, maxCached)
	}
	// Parameters a route does not take are not part of the key.
	a := getWith(t, s, "/api/v1/summary?x=1", nil)
	b := getWith(t, s, "/api/v1/summary?x=2", nil)
	if a.Header().Get("ETag") != b.Header().Get("ETag") {
		t.Errorf("unknown parameters changed the answer")
	}
	// Errors are not cached: the next bad request is judged afresh.
	if w := getWith(t, s, "/api/v1/strength?all=maybe", nil); w.Code != 400 || w.Header().Get("ETag") != "" {
		t.Errorf("bad request = %d etag %q, want 400 without an ETag", w.Code, w.Header().Get("ETag"))
	}
}

// TestCacheWarmPinned: the answers the warm-up made stay in memory however
// many other views clients walk through, so the default page and the API
// tables are never made again between two loads.
func TestCacheWarmPinned(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	warm := []string{"/", "/api/v1/summary", "/api/v1/strength", "/api/v1/sources"}
	waitCached(t, s, store.Current().Checksum, warm...)
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range maxCached + 50 {
		target := "/api/v1/contributions?date=" + day.AddDate(0, 0, i).Format("2006-01-02")
		if i%100 == 0 { // a few pages too: they are the largest entries
			target = "/?date=" + day.AddDate(0, 0, i).Format("2006-01-02")
		}
		if w := getWith(t, s, target, nil); w.Code != 200 {
			t.Fatalf("GET %s = %d", target, w.Code)
		}
	}
	s.resp.mu.Lock()
	defer s.resp.mu.Unlock()
	for _, p := range warm {
		if s.resp.pinned[p] == nil {
			t.Errorf("%s was made by the warm-up but is no longer held after %d other views", p, maxCached+50)
		}
	}
	if n := len(s.resp.entries); n > maxCached || s.resp.size > maxCachedBytes {
		t.Errorf("the other views hold %d entries, %d bytes; want at most %d, %d", n, s.resp.size, maxCached, maxCachedBytes)
	}
}

// TestCacheMakesOnce: requests that miss the same key while it is being
// made wait for it rather than each making it again; at a large record a
// page takes seconds to make, and a burst of such requests once stalled the
// server for tens of seconds.
func TestCacheMakesOnce(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	var made atomic.Int64
	inside, release := make(chan struct{}), make(chan struct{})
	e := gin.New()
	e.GET("/slow", func(c *gin.Context) {
		s.cached(s.resp, "/slow\x00"+c.Query("v"), false, c, func(c *gin.Context) {
			if made.Add(1) == 1 {
				close(inside)
				<-release
			}
			c.String(http.StatusOK, "made for v=%s", c.Query("v"))
		})
	})
	const n = 16
	bodies, statuses := make(chan string, n), make(chan string, n)
	get := func() {
		w := getWith(t, e, "/slow?v=1", nil)
		bodies <- w.Body.String()
		statuses <- w.Header().Get("Cache-Status")
	}
	go get()
	<-inside
	for range n - 1 {
		go get()
	}
	time.Sleep(50 * time.Millisecond) // let the others reach the wait; any that come later hit the cache
	close(release)
	count := map[string]int{}
	for range n {
		if b := <-bodies; b != "made for v=1" {
			t.Errorf("answer %q, want %q", b, "made for v=1")
		}
		count[<-statuses]++
	}
	if got := made.Load(); got != 1 {
		t.Errorf("%d requests for one key made the answer %d times, want once", n, got)
	}
	// Each answer says where it came from (RFC 9211): one made and kept,
	// the others made for it and waited for (or, if late, from the cache).
	if count["kforstats; fwd=miss; stored"] != 1 || count["kforstats; fwd=miss; collapsed"]+count["kforstats; hit"] != n-1 || count["kforstats; fwd=miss; collapsed"] == 0 {
		t.Errorf("Cache-Status of %d answers for one key: %v; want one stored, the others collapsed or hits", n, count)
	}
	if got := getWith(t, e, "/slow?v=1", nil).Header().Get("Cache-Status"); got != "kforstats; hit" {
		t.Errorf("Cache-Status of a kept answer = %q, want a hit", got)
	}
	// Another key is made on its own.
	if b := getWith(t, e, "/slow?v=2", nil).Body.String(); b != "made for v=2" || made.Load() != 2 {
		t.Errorf("a second key gave %q after %d makings", b, made.Load())
	}
}

// BenchmarkStrength compares /api/v1/strength with a handler that writes
// the same bytes and nothing else: the physical limit of serving it.
func BenchmarkStrength(b *testing.B) {
	s, _ := newTestServer(b, dataset.EmbeddedOrigin(), false)
	for _, enc := range []string{"", "br"} {
		body := getWith(b, s, "/api/v1/strength", map[string]string{"Accept-Encoding": enc}).Body.Bytes()
		minimal := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(body)
		})
		for name, h := range map[string]http.Handler{"kforstats": s, "same-bytes": minimal} {
			b.Run(name+"/enc="+enc, func(b *testing.B) {
				r := httptest.NewRequest("GET", "/api/v1/strength", nil)
				if enc != "" {
					r.Header.Set("Accept-Encoding", enc)
				}
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, r)
				}
			})
		}
	}
}

func TestAcceptedEncoding(t *testing.T) {
	for header, want := range map[string]string{
		"":                          "",
		"identity":                  "",
		"gzip, deflate, br, zstd":   "br",
		"gzip":                      "gzip",
		"x-gzip":                    "gzip",
		"BR":                        "br",
		"br;q=0, gzip":              "gzip",
		"br; q = 0.000, gzip;q=0.5": "gzip",
		"br;q=0.1":                  "br",
		"gzip;q=0, br;q=0":          "",
		"*":                         "",
		" deflate ,gzip ; q=1 ":     "gzip",
		"brotli, gzipped, br-ish":   "",
	} {
		if got := acceptedEncoding(header); got != want {
			t.Errorf("acceptedEncoding(%q) = %q, want %q", header, got, want)
		}
	}
}

// TestCacheStats: a request that must make its answer is a miss, one
// served from the cache or with another's making a hit; the bounds and
// what is kept are reported.
func TestCacheStats(t *testing.T) {
	rc := newRespCache(4, 1<<20)
	if e, m := rc.get("sum", 1, "/a", false); e != nil || m != nil {
		t.Fatal("an empty cache had an answer")
	}
	rc.put("sum", 1, "/a", &cached{body: make([]byte, 100)}, false)
	rc.put("sum", 1, "/warm", &cached{body: make([]byte, 7)}, true)
	rc.get("sum", 1, "/a", false)
	rc.get("sum", 1, "/warm", false)
	rc.making["/b"] = &making{done: make(chan struct{})}
	rc.get("sum", 1, "/b", false)
	got, want := rc.stats("answers"), CacheStats{Name: "answers", Entries: 1, Bytes: 100, MaxEntries: 4, MaxBytes: 1 << 20, Pinned: 1, PinnedBytes: 7, Hits: 3, Misses: 1}
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}
