package metrics

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHistoryHandler(t *testing.T) {
	fx := fixture(t)
	h := HistoryHandler(fx, func() time.Time { return fixtureNow })
	var want bytes.Buffer
	if err := WriteHistory(&want, fx.d, HistoryOptions{End: fixtureNow}); err != nil {
		t.Fatal(err)
	}
	get := func(header ...string) *http.Response {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/api/v1/history.om", nil)
		for i := 0; i < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Result()
	}

	plain := get()
	body, _ := io.ReadAll(plain.Body)
	if plain.StatusCode != http.StatusOK || plain.Header.Get("Content-Type") != HistoryContentType {
		t.Fatalf("GET = %d %q, want 200 %q", plain.StatusCode, plain.Header.Get("Content-Type"), HistoryContentType)
	}
	if !bytes.Equal(body, want.Bytes()) {
		t.Errorf("GET body (%d bytes) differs from WriteHistory (%d bytes)", len(body), want.Len())
	}

	zipped := get("Accept-Encoding", "gzip, deflate")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding = %q with Accept-Encoding gzip, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, want.Bytes()) {
		t.Error("gzip body differs from WriteHistory once unzipped")
	}

	etag := plain.Header.Get("ETag")
	if !strings.Contains(etag, fx.d.Checksum[:16]) {
		t.Errorf("ETag %q does not name the dataset's checksum", etag)
	}
	if again := get("If-None-Match", etag); again.StatusCode != http.StatusNotModified {
		t.Errorf("GET with If-None-Match %s = %d, want 304", etag, again.StatusCode)
	}
}
