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
	"testing"
	"time"

	"github.com/andybalholm/brotli"

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
