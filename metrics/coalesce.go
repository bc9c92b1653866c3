package metrics

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CoalesceOptions tune Coalesce.
type CoalesceOptions struct {
	// MaxAge is how long a gathered answer is served again to later
	// scrapes that ask with the same headers. 0 gathers for each scrape
	// (scrapes arriving together still share one gathering).
	MaxAge time.Duration
	// Generation counts the dataset's load attempts, good or bad: an
	// answer is served again only while it is the same as when the answer
	// was gathered. nil is a dataset that never reloads.
	Generation func() uint64
	// Now is the clock the age of an answer is read on; nil means
	// time.Now. Tests fix it.
	Now func() time.Time
}

// Coalesce serves scrapes from as few gatherings of the registry as it may:
// gathering the process and Go collectors (which read /proc), encoding and
// gzipping the text take about a millisecond, writing the bytes a few
// microseconds.
//
// Scrapes that arrive while a scrape is being answered are answered
// together by one gathering made for them all once the one in progress is
// done. A burst of scrapes (several Prometheus servers, a dashboard
// polling, a load test) costs one gathering, one encoding and one
// compression instead of one each.
//
// A 200 answer is also served again, without gathering, to scrapes that
// come within opt.MaxAge of the start of its gathering, unless the dataset
// was loaded again (or a load was tried and failed) since. Prometheus
// scrapes every 15 s or more, so one server's scrapes always get a fresh
// answer; only clients asking more often than MaxAge share one. What they
// give up: an answer is up to MaxAge old, so the process figures and the
// counters of HTTP requests may lag by up to MaxAge. The dataset's figures
// and the reload metrics never do: a load attempt changes opt.Generation,
// and the next scrape gathers anew. Answers other than 200 are never
// served again.
//
// Scrapes are grouped by their Accept and Accept-Encoding headers, which
// are all h's answer depends on. A panic in h is a 500 for the scrapes it
// was gathering for, not a crash of the server.
func Coalesce(h http.Handler, opt CoalesceOptions) http.Handler {
	if opt.Generation == nil {
		opt.Generation = func() uint64 { return 0 }
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	c := &coalescer{h: h, opt: opt}
	c.groups.Store(&[]*scrapeGroup{})
	return c
}

type coalescer struct {
	h   http.Handler
	opt CoalesceOptions

	// groups is read without a lock at each scrape and replaced, under mu,
	// by a longer copy when a scrape brings new headers.
	groups atomic.Pointer[[]*scrapeGroup]
	mu     sync.Mutex
}

// maxGroups bounds the groups: the headers are the client's to choose.
// Past it, a scrape with new headers is answered on its own.
const maxGroups = 64

// scrapeGroup is the scrapes that share their negotiation headers.
type scrapeGroup struct {
	accept, encoding string

	last atomic.Pointer[scrapeAnswer] // the newest 200 answer, nil before one

	mu      sync.Mutex
	running bool
	next    *scrapeBatch // the scrapes waiting for the next gathering
}

// scrapeBatch is the scrapes that one gathering answers.
type scrapeBatch struct {
	req  *http.Request // the first of them: the others ask the same
	n    int           // how many scrapes wait for it
	done chan struct{}
	ans  *scrapeAnswer // set before done is closed
}

// scrapeAnswer is one gathering's answer, as every scrape it serves gets it.
type scrapeAnswer struct {
	status int
	header http.Header // with Content-Length; never changed once made
	body   []byte
	gen    uint64    // opt.Generation() just before gathering
	at     time.Time // when the gathering started
}

func (c *coalescer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g := c.group(r.Header.Get("Accept"), r.Header.Get("Accept-Encoding"))
	if g == nil {
		c.h.ServeHTTP(w, r)
		return
	}
	if a := c.fresh(g); a != nil {
		a.write(w)
		return
	}

	g.mu.Lock()
	if g.next == nil {
		g.next = &scrapeBatch{req: r.WithContext(context.WithoutCancel(r.Context())), done: make(chan struct{})}
	}
	b := g.next
	b.n++
	if !g.running {
		g.running = true
		go c.gather(g)
	}
	g.mu.Unlock()

	select {
	case <-b.done:
	case <-r.Context().Done():
		return // the client left; the batch goes on for the others
	}
	b.ans.write(w)
}

// group returns the group of scrapes asking with these headers, made on
// first use; nil once maxGroups are made and these headers are new. The
// usual scrape reads the list without a lock and allocates nothing.
func (c *coalescer) group(accept, encoding string) *scrapeGroup {
	find := func(gs []*scrapeGroup) *scrapeGroup {
		for _, g := range gs {
			if g.accept == accept && g.encoding == encoding {
				return g
			}
		}
		return nil
	}
	gs := *c.groups.Load()
	if g := find(gs); g != nil || len(gs) >= maxGroups {
		return g
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	gs = *c.groups.Load()
	if g := find(gs); g != nil || len(gs) >= maxGroups {
		return g
	}
	g := &scrapeGroup{accept: strings.Clone(accept), encoding: strings.Clone(encoding)}
	grown := append(slices.Clip(gs), g) // a new array: readers keep the old one
	c.groups.Store(&grown)
	return g
}

// fresh returns g's last answer if it may be served again now: younger
// than MaxAge and gathered in the dataset's current generation.
func (c *coalescer) fresh(g *scrapeGroup) *scrapeAnswer {
	if c.opt.MaxAge <= 0 {
		return nil
	}
	a := g.last.Load()
	if a == nil || a.gen != c.opt.Generation() {
		return nil
	}
	if age := c.opt.Now().Sub(a.at); age < 0 || age >= c.opt.MaxAge {
		return nil
	}
	return a
}

// gather answers g's batches one after the other until none is waiting.
// A batch is taken before its gathering starts, so every scrape in it
// arrived before the registry was read; a batch that an answer finished
// meanwhile may serve again takes that one.
func (c *coalescer) gather(g *scrapeGroup) {
	for {
		g.mu.Lock()
		b := g.next
		g.next = nil
		if b == nil {
			g.running = false
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		a := c.fresh(g)
		if a == nil {
			a = c.answer(b.req)
			if a.status == http.StatusOK {
				g.last.Store(a)
			}
		}
		b.ans = a
		close(b.done)
	}
}

// answer gathers once for req.
func (c *coalescer) answer(req *http.Request) *scrapeAnswer {
	gen, at := c.opt.Generation(), c.opt.Now()
	rec := c.record(req)
	body := rec.buf.Bytes()
	// Every scrape's header shares these slices: clipped, so that an Add
	// on one response copies instead of writing into them.
	for k, v := range rec.header {
		rec.header[k] = slices.Clip(v)
	}
	rec.header["Content-Length"] = []string{strconv.Itoa(len(body))}
	return &scrapeAnswer{status: rec.status, header: rec.header, body: body, gen: gen, at: at}
}

// record runs h for req; a panic in h is a 500, not a crash of the server.
func (c *coalescer) record(req *http.Request) (rec *scrapeRecorder) {
	rec = &scrapeRecorder{header: http.Header{}, status: http.StatusOK}
	defer func() {
		if v := recover(); v != nil {
			rec = &scrapeRecorder{header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, status: http.StatusInternalServerError}
			rec.buf.WriteString("cannot gather the metrics\n")
		}
	}()
	c.h.ServeHTTP(rec, req)
	return rec
}

// write sends a to one scrape.
func (a *scrapeAnswer) write(w http.ResponseWriter) {
	hd := w.Header()
	for k, v := range a.header {
		hd[k] = v
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// scrapeRecorder keeps an answer to hand to every scrape of a batch.
type scrapeRecorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (r *scrapeRecorder) Header() http.Header         { return r.header }
func (r *scrapeRecorder) WriteHeader(code int)        { r.status = code }
func (r *scrapeRecorder) Write(b []byte) (int, error) { return r.buf.Write(b) }
