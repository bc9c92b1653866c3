package dashboard

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
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
//
// The answers the warm-up makes at each load (the default view, every API
// table: what a first visit and most clients ask for) are pinned: they stay
// until the dataset changes, however large the record. Answers to other
// views are kept within the bounds below, oldest out first. A key is made
// once however many requests miss it at the same time: the others wait for
// it, so a burst of requests for a view not yet made (at a record 100 times
// the real one, a page takes seconds to make and compress) costs one making,
// not one each.
type respCache struct {
	mu       sync.Mutex
	checksum string // the dataset the entries were made from
	day      int64  // today, in days since 1970-01-01 UTC: answers that default to "today" change with it
	pinned   map[string]*cached
	entries  map[string]*cached
	order    []string // insertion order of entries, for eviction
	size     int      // bytes held by entries
	making   map[string]*making
	// hits are requests answered without making the answer (from the
	// cache, or by waiting for another request's making); misses made it.
	hits, misses uint64

	maxEntries, maxBytes int // the bounds of entries
}

// making is an answer being made, which the requests that missed it wait for.
type making struct {
	done chan struct{}
	e    *cached // nil if the handler panicked
}

// maxCached and maxCachedBytes bound the answers cache: queries are the
// client's to choose, so the cache must not grow with them. A page with its
// compressed forms is about 0.2 MB, so the byte bound is the one that bites
// when clients walk through many views. The image cache has a bound of its
// own: a chart pasted into a briefing is fetched again and again, and
// drawing one costs 0.1-0.3 s; some 100 PNGs of a typical chart fit.
const (
	maxCached      = 512
	maxCachedBytes = 32 << 20
	maxImages      = 512
	maxImageBytes  = 32 << 20
)

// minCompress is the size below which compressing is not worth a header.
const minCompress = 256

type cached struct {
	status       int
	header       http.Header // what the handler set: Content-Type, Content-Disposition, the page's security headers
	etag         string
	body, gz, br []byte
	// until, when not nil, is when the answer stops being good: a page
	// sent while its charts are drawn is kept until the drawing is done.
	until <-chan struct{}

	// The header values written with each answer, made once: a header
	// value slice is replaced, never appended to in place, so answers may
	// share them.
	etagValue             []string
	bodyLen, gzLen, brLen []string
}

// Header values shared by every cached answer.
var (
	varyEncoding = []string{"Accept-Encoding"}
	varyBoth     = []string{"Accept-Encoding, Accept-Language"}
	noCache      = []string{"no-cache"} // revalidate: the dataset may be reloaded
	encodingBr   = []string{"br"}
	encodingGzip = []string{"gzip"}
)

func (e *cached) size() int { return len(e.body) + len(e.gz) + len(e.br) }

// expired says whether an answer kept until an event is past it.
func expired(until <-chan struct{}) bool {
	if until == nil {
		return false
	}
	select {
	case <-until:
		return true
	default:
		return false
	}
}

func newRespCache(maxEntries, maxBytes int) *respCache {
	return &respCache{pinned: map[string]*cached{}, entries: map[string]*cached{}, making: map[string]*making{},
		maxEntries: maxEntries, maxBytes: maxBytes}
}

// cached answers c from rc under key, or else makes the answer with h
// (once, however many requests miss it at the same time) and keeps it if
// it is a 200. Making an answer is what costs, so it is what the
// per-client limit (Config.ClientLimit) charges: an answer from the cache,
// or one another request is making, is free. The key names everything the answer depends on besides the
// dataset and the day: the path and the parsed parameters.
//
// A pinned answer (the warm-up's, or a route's that is one large answer per
// dataset and day, such as the history export) stays until the dataset or
// the day changes, outside the bounds.
func (s *Server) cached(rc *respCache, key string, pin bool, c *gin.Context, h gin.HandlerFunc) {
	d := s.data()
	day := s.cfg.Now().Unix() / secondsPerDay
	pin = pin || warming(c.Request)
	e, m := rc.get(d.Checksum, day, key, pin)
	status := cacheHit
	switch {
	case e != nil:
	case m != nil: // another request is making it
		status = cacheCollapsed
		select {
		case <-m.done:
		case <-c.Request.Context().Done():
			c.Abort() // the client left
			return
		}
		if e = m.e; e == nil {
			h(c) // its maker panicked: make it here, uncached
			return
		}
	default:
		if !s.admit(c) {
			return
		}
		var stored bool
		e, stored = rc.make(c, h, d.Checksum, day, key, pin)
		status = cacheMiss
		if stored {
			status = cacheStored
		}
	}
	e.write(c, status)
}

// The Cache-Status header (RFC 9211) of a cached route's answer: served
// from the cache, made for this request (and kept or not), or made for
// another request that this one waited for. An operator sees from it, as
// the soak counts, which answers cost a drawing.
var (
	cacheHit       = []string{"kforstats; hit"}
	cacheStored    = []string{"kforstats; fwd=miss; stored"}
	cacheMiss      = []string{"kforstats; fwd=miss"}
	cacheCollapsed = []string{"kforstats; fwd=miss; collapsed"}
)

// keepUntil, set on a request's context by its handler to a channel, says
// that its answer is good until the channel is closed: a page sent while
// its charts are drawn, whose making costs seconds at a hundred times the
// record, is kept until they are done, then made again with them. A
// channel closed already keeps nothing.
const keepUntil = "kforstats.keep-until"

// notKept is a keepUntil channel that keeps nothing.
var notKept = func() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// secondsPerDay turns a Unix time into a UTC day number.
const secondsPerDay = 24 * 60 * 60

// make runs h for a key the cache misses, stores its answer if it is a 200
// and hands it to the requests waiting for it.
func (rc *respCache) make(c *gin.Context, h gin.HandlerFunc, checksum string, day int64, key string, pin bool) (e *cached, stored bool) {
	m := &making{done: make(chan struct{})}
	rc.mu.Lock()
	rc.making[key] = m
	rc.mu.Unlock()
	rec := &recorder{ResponseWriter: c.Writer, status: http.StatusOK}
	c.Writer = rec
	defer func() {
		c.Writer = rec.ResponseWriter
		rc.mu.Lock()
		if rc.making[key] == m {
			delete(rc.making, key)
		}
		rc.mu.Unlock()
		close(m.done)
	}()
	h(c)
	m.e = newCached(rec)
	if until, ok := c.Get(keepUntil); ok {
		m.e.until = until.(<-chan struct{})
	}
	if rec.status == http.StatusOK && !expired(m.e.until) {
		rc.put(checksum, day, key, m.e, pin)
		stored = true
	}
	return m.e, stored
}

// get returns the entry for key, or else the making of it under way, or
// neither: then the caller makes it. A new dataset or day empties the cache.
// The warm-up (pin) pins an entry a client's request made before it.
func (rc *respCache) get(checksum string, day int64, key string, pin bool) (*cached, *making) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.checksum != checksum || rc.day != day {
		rc.checksum, rc.day = checksum, day
		rc.pinned = map[string]*cached{}
		rc.entries = map[string]*cached{}
		rc.order = rc.order[:0]
		rc.size = 0
		rc.making = map[string]*making{}
		rc.misses++
		return nil, nil
	}
	if e := rc.pinned[key]; e != nil && expired(e.until) {
		delete(rc.pinned, key)
	}
	if e := rc.entries[key]; e != nil && expired(e.until) {
		rc.drop(key)
	}
	if e := rc.pinned[key]; e != nil {
		rc.hits++
		return e, nil
	}
	if e := rc.entries[key]; e != nil {
		if pin {
			rc.pinned[key] = e
			rc.drop(key)
		}
		rc.hits++
		return e, nil
	}
	m := rc.making[key]
	if m != nil {
		rc.hits++
	} else {
		rc.misses++
	}
	return nil, m
}

// CacheStats is the state of one of the server's response caches.
type CacheStats struct {
	Name string // "answers" (the page and the API) or "images"
	// Entries and Bytes are the answers kept within the bounds MaxEntries
	// and MaxBytes; Pinned and PinnedBytes those kept outside them until
	// the dataset or the day changes (the warm-up's, one per warm route).
	Entries, Bytes, MaxEntries, MaxBytes int
	Pinned, PinnedBytes                  int
	// Hits are requests answered without making the answer; Misses, those
	// that made it.
	Hits, Misses uint64
}

// CacheStats reports the state of the server's response caches.
func (s *Server) CacheStats() []CacheStats {
	return []CacheStats{s.resp.stats("answers"), s.imgs.stats("images")}
}

func (rc *respCache) stats(name string) CacheStats {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	st := CacheStats{Name: name, Entries: len(rc.entries), Bytes: rc.size, MaxEntries: rc.maxEntries, MaxBytes: rc.maxBytes,
		Pinned: len(rc.pinned), Hits: rc.hits, Misses: rc.misses}
	for _, e := range rc.pinned {
		st.PinnedBytes += e.size()
	}
	return st
}

// put stores e under key: pinned if the warm-up made it, else within the
// bounds.
func (rc *respCache) put(checksum string, day int64, key string, e *cached, pin bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.checksum != checksum || rc.day != day {
		return // the dataset changed while this answer was made
	}
	if pin {
		rc.pinned[key] = e
		return
	}
	if _, ok := rc.entries[key]; ok || e.size() > rc.maxBytes/8 {
		return // an answer this large would evict too many others
	}
	for len(rc.order) > 0 && (len(rc.order) >= rc.maxEntries || rc.size+e.size() > rc.maxBytes) {
		rc.drop(rc.order[0])
	}
	rc.entries[key] = e
	rc.order = append(rc.order, key)
	rc.size += e.size()
}

// drop removes key from the bounded entries.
func (rc *respCache) drop(key string) {
	rc.size -= rc.entries[key].size()
	delete(rc.entries, key)
	rc.order = slices.DeleteFunc(rc.order, func(k string) bool { return k == key })
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
	if rec.status == http.StatusOK && len(body) >= minCompress && compressible(e.header.Get("Content-Type")) {
		e.gz, e.br = compress(body)
	}
	e.etagValue = []string{e.etag}
	e.bodyLen = []string{strconv.Itoa(len(e.body))}
	e.gzLen = []string{strconv.Itoa(len(e.gz))}
	e.brLen = []string{strconv.Itoa(len(e.br))}
	return e
}

// compressible reports whether an answer of this media type shrinks when
// compressed: text does, a PNG is compressed already.
func compressible(ctype string) bool {
	return !strings.HasPrefix(ctype, "image/") || strings.HasPrefix(ctype, "image/svg")
}

// compress returns body gzipped and brotli-compressed, once per answer and
// dataset. The levels are those that cost a few milliseconds for the largest
// answer: a cache miss is the client's to cause, so it must stay cheap.
//
// An answer of megabytes (the history export: 15 MB of text) is compressed
// at the fastest levels: level 6 takes seconds on it, and its text is so
// repetitive that the fast levels still shrink it some thirtyfold.
func compress(body []byte) (gz, br []byte) {
	gzLevel, brLevel := 6, 6
	if len(body) > largeAnswer {
		gzLevel, brLevel = gzip.BestSpeed, 1
	}
	var g bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&g, gzLevel) // the level is valid
	zw.Write(body)
	zw.Close()
	return g.Bytes(), brotliBytes(body, brLevel)
}

// largeAnswer is the size from which an answer is compressed fast.
const largeAnswer = 1 << 20

// write answers from the cached entry: 304 for a matching If-None-Match,
// else the encoding the client accepts.
func (e *cached) write(c *gin.Context, cacheStatus []string) {
	h := c.Writer.Header()
	// The handler's headers go with a 304 too: a browser replaces those it
	// stored with those of the 304, so a page revalidated without its
	// Content-Security-Policy would run under the server's default one.
	for k, v := range e.header {
		h[k] = v
	}
	h["Cache-Status"] = cacheStatus
	if e.status == http.StatusOK {
		h["Etag"] = e.etagValue
		if _, lang := h["Vary"]; lang { // the route negotiates the language
			h["Vary"] = varyBoth
		} else {
			h["Vary"] = varyEncoding
		}
		if _, ok := e.header["Cache-Control"]; !ok {
			h["Cache-Control"] = noCache
		}
		if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, e.etag) {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
	}
	body, length := e.body, e.bodyLen
	switch enc := acceptedEncoding(c.GetHeader("Accept-Encoding")); {
	case enc == "br" && e.br != nil:
		h["Content-Encoding"] = encodingBr
		body, length = e.br, e.brLen
	case enc != "" && e.gz != nil:
		h["Content-Encoding"] = encodingGzip
		body, length = e.gz, e.gzLen
	}
	h["Content-Length"] = length
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
	for rest := header; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if refused(params) {
			continue
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			br = true
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
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

// refused reports whether an Accept-Encoding entry's parameters are a
// q of zero ("q=0", "q = 0.000").
func refused(params string) bool {
	k, v, ok := strings.Cut(params, "=")
	if !ok || strings.TrimSpace(k) != "q" {
		return false
	}
	v = strings.TrimSpace(v)
	return v == "0" || v == "0." || v == "0.0" || v == "0.00" || v == "0.000"
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
