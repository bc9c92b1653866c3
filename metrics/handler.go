package metrics

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HistoryContentType is the media type of WriteHistory's output.
const HistoryContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"

// HistoryHandler serves the history of s.Current() up to the current day
// (GET /api/v1/history.om). The text is built once per dataset and day, and
// compressed for clients that accept gzip.
func HistoryHandler(s Store, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	return &historyHandler{store: s, now: now}
}

type historyHandler struct {
	store Store
	now   func() time.Time

	mu      sync.Mutex
	key     string // the dataset's checksum and the day the text ends
	raw, gz []byte
}

func (h *historyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := h.store.Current()
	end := h.now().UTC().Truncate(DefaultStep)
	key := d.Checksum[:16] + "-" + strconv.FormatInt(end.Unix(), 10)
	wantGzip := acceptsGzip(r)

	h.mu.Lock()
	if h.key != key {
		var b bytes.Buffer
		if err := WriteHistory(&b, d, HistoryOptions{Step: DefaultStep, End: end}); err != nil {
			h.mu.Unlock()
			http.Error(w, "cannot write the history: "+err.Error(), http.StatusInternalServerError)
			return
		}
		h.key, h.raw, h.gz = key, b.Bytes(), nil
	}
	body := h.raw
	if wantGzip {
		if h.gz == nil {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed) // a valid level: no error
			zw.Write(h.raw)
			zw.Close()
			h.gz = z.Bytes()
		}
		body = h.gz
	}
	h.mu.Unlock()

	hd := w.Header()
	hd.Set("Content-Type", HistoryContentType)
	hd.Set("Content-Disposition", `attachment; filename="kfor-history.om"`)
	hd.Set("Vary", "Accept-Encoding")
	etag := `"` + key
	if wantGzip {
		hd.Set("Content-Encoding", "gzip")
		etag += "-gz"
	}
	hd.Set("ETag", etag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
