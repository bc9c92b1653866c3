package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// Almost everything the server answers depends only on the dataset and the
// query, and the dataset changes far less often than it is read. respCache
// keeps each such answer, compressed once with gzip and brotli and tagged
// with an ETag, until the dataset changes: a repeat request costs a map
// look-up and a write of ready bytes.
type respCache struct {
	mu       sync.Mutex
	checksum string // the dataset the entries were made from
	day      string // today's date: answers that default to "today" change with it
	entries  map[string]*cached
	order    []string // insertion order, for eviction
	size     int      // bytes held by entries
}

// maxCached and maxCachedBytes bound the entries: queries are the client's
// to choose, so the cache must not grow with them. A page with its
// compressed forms is about 0.2 MB, so the byte bound is the one that bites
// when clients walk through many views.
const (
	maxCached      = 512
	maxCachedBytes = 32 << 20
)

// minCompress is the size below which compressing is not worth a header.
const minCompress = 256

type cached struct {
	status       int
	header       http.Header // what the handler set: Content-Type, Content-Disposition, the page's security headers
	etag         string
	body, gz, br []byte
}

func (e *cached) size() int { return len(e.body) + len(e.gz) + len(e.br) }

func newRespCache() *respCache { return &respCache{entries: map[string]*cached{}} }

// cache wraps a GET handler whose answer depends only on the dataset, the
// path and the query parameters named in params. Other parameters are left
// out of the key, so a client cannot grow the cache by inventing them.
func (s *Server) cache(params []string, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		d := s.data()
		var key strings.Builder
		key.WriteString(c.Request.URL.Path)
		q := c.Request.URL.Query()
		for _, p := range params {
			v, ok := q[p]
			if !ok {
				continue
			}
			key.WriteString("\x00" + p + "=" + strings.Join(v, "\x00"))
		}
		day := s.cfg.Now().UTC().Format("2006-01-02")
		if e := s.resp.get(d.Checksum, day, key.String()); e != nil {
			e.write(c)
			return
		}
		rec := &recorder{ResponseWriter: c.Writer, status: http.StatusOK}
		c.Writer = rec
		h(c)
		c.Writer = rec.ResponseWriter
		e := newCached(rec)
		if rec.status == http.StatusOK {
			s.resp.put(d.Checksum, day, key.String(), e)
		}
		e.write(c)
	}
}

func (rc *respCache) get(checksum, day, key string) *cached {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.checksum != checksum || rc.day != day {
		rc.checksum, rc.day = checksum, day
		rc.entries = map[string]*cached{}
		rc.order = rc.order[:0]
		rc.size = 0
		return nil
	}
	return rc.entries[key]
}

func (rc *respCache) put(checksum, day, key string, e *cached) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.checksum != checksum || rc.day != day {
		return // the dataset changed while this answer was made
	}
	if _, ok := rc.entries[key]; ok {
		return
	}
	for len(rc.order) > 0 && (len(rc.order) >= maxCached || rc.size+e.size() > maxCachedBytes) {
		rc.size -= rc.entries[rc.order[0]].size()
		delete(rc.entries, rc.order[0])
		rc.order = rc.order[1:]
	}
	rc.entries[key] = e
	rc.order = append(rc.order, key)
	rc.size += e.size()
}

func newCached(rec *recorder) *cached {
	body := rec.buf.Bytes()
	sum := sha256.Sum256(body)
	e := &cached{
		status: rec.status,
		header: rec.Header().Clone(),
		etag:   `"` + hex.EncodeToString(sum[:12]) + `"`,
		body:   body,
	}
	if rec.status == http.StatusOK && len(body) >= minCompress {
		e.gz, e.br = compress(body)
	}
	return e
}

// compress returns body gzipped and brotli-compressed, once per answer and
// dataset. The levels are those that cost a few milliseconds for the largest
// answer: a cache miss is the client's to cause, so it must stay cheap.
func compress(body []byte) (gz, br []byte) {
	var g bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&g, 6) // the level is valid
	zw.Write(body)
	zw.Close()
	return g.Bytes(), brotliBytes(body, 6)
}

// write answers from the cached entry: 304 for a matching If-None-Match,
// else the encoding the client accepts.
func (e *cached) write(c *gin.Context) {
	h := c.Writer.Header()
	// The handler's headers go with a 304 too: a browser replaces those it
	// stored with those of the 304, so a page revalidated without its
	// Content-Security-Policy would run under the server's default one.
	for k, v := range e.header {
		h[k] = v
	}
	if e.status == http.StatusOK {
		h.Set("ETag", e.etag)
		h.Set("Vary", "Accept-Encoding")
		h.Set("Cache-Control", "no-cache") // revalidate: the dataset may be reloaded
		if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, e.etag) {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
	}
	body := e.body
	switch enc := acceptedEncoding(c.GetHeader("Accept-Encoding")); {
	case enc == "br" && e.br != nil:
		h.Set("Content-Encoding", "br")
		body = e.br
	case enc != "" && e.gz != nil:
		h.Set("Content-Encoding", "gzip")
		body = e.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(e.status)
	c.Writer.Write(body)
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == etag || t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptedEncoding returns "br", "gzip" or "" for an Accept-Encoding header,
// preferring brotli. A q=0 refuses an encoding.
func acceptedEncoding(header string) string {
	br, gz := false, false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q := strings.ReplaceAll(params, " ", ""); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip", "x-gzip":
			gz = true
		}
	}
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}

// recorder keeps what a handler writes so that it can be cached.
type recorder struct {
	gin.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int)              { r.status = code }
func (r *recorder) WriteHeaderNow()                   {}
func (r *recorder) Write(b []byte) (int, error)       { return r.buf.Write(b) }
func (r *recorder) WriteString(s string) (int, error) { return r.buf.WriteString(s) }
func (r *recorder) Status() int                       { return r.status }
func (r *recorder) Size() int                         { return r.buf.Len() }
func (r *recorder) Written() bool                     { return r.buf.Len() > 0 }
