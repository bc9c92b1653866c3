package dashboard

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/kforstats/kforstats/dashboard/assets"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

func gunzip(tb testing.TB, b []byte) []byte {
	tb.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		tb.Fatalf("gzip: %v", err)
	}
	return out
}

func unbrotli(tb testing.TB, b []byte) []byte {
	tb.Helper()
	out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	if err != nil {
		tb.Fatalf("brotli: %v", err)
	}
	return out
}

// TestPrecompressedAssets checks the compressed forms that the build ships
// in assets/precompressed: every large asset has them, each decodes to its
// asset, and none is left for an asset that is gone. With -update (make
// assets runs it) it writes them anew.
func TestPrecompressedAssets(t *testing.T) {
	a := staticAssets()
	want := map[string]*asset{}
	for _, x := range a.byName {
		if len(x.body) >= precompressMin {
			want[x.name+".gz"], want[x.name+".br"] = x, x
		}
	}
	if datasettest.Update() {
		dir := filepath.Join("assets", assets.PrecompressedDir)
		old, _ := os.ReadDir(dir)
		for _, e := range old {
			if want[e.Name()] == nil && e.Name() != "README" {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, x := range want {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				continue
			}
			gz, br := compressBest(x.body)
			b := gz
			if strings.HasSuffix(name, ".br") {
				b = br
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("wrote %s (%d bytes for %d)", name, len(b), len(x.body))
		}
		return
	}
	entries, err := assets.Precompressed.ReadDir(assets.PrecompressedDir)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, e := range entries {
		have[e.Name()] = true
		x := want[e.Name()]
		if x == nil {
			if e.Name() != "README" {
				t.Errorf("%s/%s belongs to no asset of this build; remove it (go test ./dashboard -run TestPrecompressedAssets -update)", assets.PrecompressedDir, e.Name())
			}
			continue
		}
		b, _ := assets.Precompressed.ReadFile(assets.PrecompressedDir + "/" + e.Name())
		var got []byte
		if strings.HasSuffix(e.Name(), ".gz") {
			got = gunzip(t, b)
		} else {
			got = unbrotli(t, b)
		}
		if !bytes.Equal(got, x.body) {
			t.Errorf("%s does not decode to %s", e.Name(), x.name)
		}
	}
	for name := range want {
		if !have[name] {
			t.Errorf("%s/%s is missing: brotli's best level takes seconds at start-up on an asset this large; run make assets", assets.PrecompressedDir, name)
		}
	}
}

// TestStaticEncodings fetches every hashed asset as browsers and other
// clients do: brotli when accepted, else gzip, else plain; immutable for a
// year; a revalidation with the ETag is a 304 with no body.
func TestStaticEncodings(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	tests := map[string]struct {
		accept, want string
		decode       func(testing.TB, []byte) []byte
	}{
		"browser":  {"gzip, deflate, br, zstd", "br", unbrotli},
		"gzip":     {"gzip", "gzip", gunzip},
		"no br":    {"br;q=0, gzip", "gzip", gunzip},
		"identity": {"", "", func(_ testing.TB, b []byte) []byte { return b }},
	}
	for _, src := range []string{"page.js", "app.js", "app.css"} {
		x := staticAssets().bySource[src]
		for name, tc := range tests {
			t.Run(src+"/"+name, func(t *testing.T) {
				w := getWith(t, s, assetPath(src), map[string]string{"Accept-Encoding": tc.accept})
				h := w.Header()
				if w.Code != http.StatusOK || h.Get("Content-Encoding") != tc.want {
					t.Fatalf("GET %s (Accept-Encoding %q) = %d, encoding %q; want 200 %q", assetPath(src), tc.accept, w.Code, h.Get("Content-Encoding"), tc.want)
				}
				if got := tc.decode(t, w.Body.Bytes()); !bytes.Equal(got, x.body) {
					t.Errorf("decoded body differs from %s", src)
				}
				if cc := h.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
					t.Errorf("Cache-Control = %q, want immutable for a year", cc)
				}
				if tc.want != "" && w.Body.Len() > len(x.body)*3/4 {
					t.Errorf("%s is %d bytes for %d plain: not compressed", tc.want, w.Body.Len(), len(x.body))
				}
				again := getWith(t, s, assetPath(src), map[string]string{"Accept-Encoding": tc.accept, "If-None-Match": h.Get("ETag")})
				if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
					t.Errorf("revalidation with ETag %s = %d (%d bytes), want 304 and no body", h.Get("ETag"), again.Code, again.Body.Len())
				}
			})
		}
	}
}

// TestPageCached checks that the page and its options script are made once
// per dataset and view: compressed, revalidated with a 304, and carrying
// the same security headers from memory as when they were made.
func TestPageCached(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, target := range []string{"/", "/?theme=dark", "/options.js", "/options.js?from=2009", "/table/strength.csv"} {
		t.Run(target, func(t *testing.T) {
			first := getWith(t, s, target, map[string]string{"Accept-Encoding": "br, gzip"})
			second := getWith(t, s, target, map[string]string{"Accept-Encoding": "br, gzip"})
			for i, w := range []*http.Response{first.Result(), second.Result()} {
				if w.StatusCode != http.StatusOK || w.Header.Get("Content-Encoding") != "br" || w.Header.Get("ETag") == "" {
					t.Fatalf("GET %s #%d = %d, encoding %q, etag %q; want 200, br and an ETag", target, i+1, w.StatusCode, w.Header.Get("Content-Encoding"), w.Header.Get("ETag"))
				}
			}
			for _, k := range []string{"Content-Type", "Content-Security-Policy", "X-Content-Type-Options", "ETag", "Cache-Control"} {
				if a, b := first.Header().Get(k), second.Header().Get(k); a != b {
					t.Errorf("%s: made %q, from memory %q", k, a, b)
				}
			}
			if !bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
				t.Errorf("the answer from memory differs from the one made")
			}
			w := getWith(t, s, target, map[string]string{"Accept-Encoding": "br, gzip", "If-None-Match": first.Header().Get("ETag")})
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
				t.Errorf("revalidation = %d (%d bytes), want 304 and no body", w.Code, w.Body.Len())
			}
			// A browser replaces its stored headers with those of the 304:
			// a page revalidated without its own policy would not run.
			if a, b := first.Header().Get("Content-Security-Policy"), w.Header().Get("Content-Security-Policy"); a != b {
				t.Errorf("Content-Security-Policy: 200 %q, 304 %q", a, b)
			}
		})
	}
	// Each view is its own answer.
	a := getWith(t, s, "/", nil).Header().Get("ETag")
	b := getWith(t, s, "/?theme=dark", nil).Header().Get("ETag")
	if a == b {
		t.Errorf("light and dark pages share the ETag %s", a)
	}
}
