package dashboard

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"io/fs"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// TestRecordZip: the zip holds the served record's files as read, its
// VERSION and the data package, and is made once per dataset.
func TestRecordZip(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/api/v1/kfor-record.zip")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("GET /api/v1/kfor-record.zip = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	z, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		name := f.Name[len("kfor-record/"):]
		want, ok := store.Current().File(name)
		if !ok {
			want, err = fs.ReadFile(dataset.PackageFS(), name)
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s in the zip differs from the record's (%v)", f.Name, err)
		}
	}
	for _, want := range append(append([]string{dataset.VersionFile}, dataset.Files...), dataset.PackageDocs...) {
		if !slices.Contains(names, "kfor-record/"+want) {
			t.Errorf("the zip has %v, not %s", names, want)
		}
	}
	if again := get(t, s, "GET", "/api/v1/kfor-record.zip"); !bytes.Equal(again.Body.Bytes(), w.Body.Bytes()) || again.Header().Get("ETag") != w.Header().Get("ETag") {
		t.Errorf("a second GET made another zip")
	}
	pkg, _ := fs.ReadFile(dataset.PackageFS(), dataset.PackageFile)
	if w := get(t, s, "GET", "/api/v1/datapackage.json"); w.Code != 200 || !bytes.Equal(w.Body.Bytes(), pkg) {
		t.Errorf("GET /api/v1/datapackage.json = %d, not the record's datapackage.json", w.Code)
	}
}

// TestStrengthPermalink: every observation is at the permalink of its date
// as given, which answers nothing else.
func TestStrengthPermalink(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	for _, o := range store.Current().Observations {
		target := "/api/v1/strength/" + o.Date.String()
		w := get(t, s, "GET", target)
		if w.Code != 200 {
			t.Fatalf("GET %s = %d, want 200", target, w.Code)
		}
		rows := decode[[]StrengthRow](t, w)
		if !slices.ContainsFunc(rows, func(r StrengthRow) bool { return r.Troops == o.Troops && r.Source.ID == o.SourceID }) ||
			slices.ContainsFunc(rows, func(r StrengthRow) bool { return r.DateAsGiven != o.Date.String() }) {
			t.Errorf("GET %s = %+v, want the figure %d from %s and only figures dated %s", target, rows, o.Troops, o.SourceID, o.Date)
		}
	}
	for target, want := range map[string]int{"/api/v1/strength/1999-01-01": 404, "/api/v1/strength/1999-13": 400, "/api/v1/strength/x": 400} {
		if w := get(t, s, "GET", target); w.Code != want {
			t.Errorf("GET %s = %d, want %d", target, w.Code, want)
		}
	}
}

// TestCiteBlock: the page says how to cite the record, as text and as
// BibTeX, with its version and the day it was read.
func TestCiteBlock(t *testing.T) {
	s, store := newTestServer(t, dataset.EmbeddedOrigin(), false)
	body := get(t, s, "GET", "/").Body.String()
	v, day := store.Current().Version, apiNow.Format(time.DateOnly)
	for _, want := range []string{
		"(version " + v + ") [Data set]. CC BY 4.0. " + Repository + ". Accessed " + day + ".",
		"@misc{kforstats_" + strings.ReplaceAll(v, ".", "_") + ",", "version      = {" + v + "}", "urldate      = {" + day + "}",
	} {
		if !strings.Contains(body, html.EscapeString(want)) {
			t.Errorf("the page does not cite %q", want)
		}
	}
}

// TestShareTags: with an external URL, a view's page carries Open Graph
// and Twitter card tags whose image is that view's strength chart, as an
// absolute URL; without one, no absolute URL is guessed from the request.
func TestShareTags(t *testing.T) {
	store, err := dataset.NewStore(dataset.EmbeddedOrigin(), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow }, ExternalURL: "https://kfor.example.org/"})
	body := get(t, s, "GET", "/?from=2009&theme=dark").Body.String()
	for _, want := range []string{
		`<meta property="og:image" content="https://kfor.example.org/charts/strength.png?from=2009-01-01&amp;theme=dark">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta property="og:url" content="https://kfor.example.org/?from=2009-01-01&amp;theme=dark">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	plain, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "evil.example"
	w := httptest.NewRecorder()
	plain.ServeHTTP(w, r)
	if b := w.Body.String(); strings.Contains(b, "og:image") || strings.Contains(b, "evil.example") || !strings.Contains(b, `property="og:title"`) {
		t.Errorf("without an external URL the page has og:image or the request's host, or no og:title")
	}
	for v, ok := range map[string]bool{"": true, "https://kfor.example.org": true, "http://[::1]:8080/kfor/": true, "kfor.example.org": false, "ftp://x": false, "https://x/?a=1": false} {
		if err := CheckExternalURL(v); (err == nil) != ok {
			t.Errorf("CheckExternalURL(%q) = %v, want ok %v", v, err, ok)
		}
	}
}

// TestEmbed: /embed/{chart} serves that chart alone, framable by anybody by
// default and by whom the configuration says, while the dashboard keeps its
// own frame-ancestors.
func TestEmbed(t *testing.T) {
	s, _ := newTestServer(t, dataset.EmbeddedOrigin(), false)
	w := get(t, s, "GET", "/embed/share?date=2019&theme=dark")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `id="chart-share"`) || strings.Contains(body, `id="chart-strength"`) ||
		!strings.Contains(body, "/options.js?date=2019-01-01&amp;theme=dark") || !strings.Contains(body, "CC BY 4.0") {
		t.Errorf("GET /embed/share = %d, want the share chart alone, its view's options and its provenance:\n%s", w.Code, body)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors *") || !strings.Contains(csp, "script-src 'self';") {
		t.Errorf("/embed CSP %q, want script-src 'self' and frame-ancestors *", csp)
	}
	if csp := get(t, s, "GET", "/").Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors 'none'") {
		t.Errorf("the dashboard's CSP %q, want frame-ancestors 'none'", csp)
	}
	if w := get(t, s, "GET", "/embed/nope"); w.Code != 404 {
		t.Errorf("GET /embed/nope = %d, want 404", w.Code)
	}
	store, _ := dataset.NewStore(dataset.EmbeddedOrigin(), nil)
	own := NewServer(Config{Store: store, Now: func() time.Time { return apiNow }, EmbedFrameAncestors: "https://intranet.example.org"})
	if csp := get(t, own, "GET", "/embed/strength").Header().Get("Content-Security-Policy"); !strings.HasSuffix(csp, "frame-ancestors https://intranet.example.org") {
		t.Errorf("with EmbedFrameAncestors set, /embed CSP %q", csp)
	}
}
