package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingHandler answers with the number of its call; the first call
// waits for release.
type countingHandler struct {
	calls   atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.calls.Add(1)
	if n == 1 {
		close(h.entered)
		<-h.release
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Header().Set("X-Encoding-Asked", r.Header.Get("Accept-Encoding"))
	io.WriteString(w, strconv.FormatInt(n, 10))
}

func scrape(tb testing.TB, h http.Handler, enc string) *httptest.ResponseRecorder {
	tb.Helper()
	r := httptest.NewRequest("GET", "/metrics", nil)
	r.Header.Set("Accept-Encoding", enc)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestCoalesce checks that scrapes arriving during a gathering are answered
// together by the next one, never by the one already under way, and that
// scrapes negotiating differently are not mixed.
func TestCoalesce(t *testing.T) {
	inner := &countingHandler{entered: make(chan struct{}), release: make(chan struct{})}
	c := Coalesce(inner).(*coalescer)

	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- scrape(t, c, "gzip") }()
	<-inner.entered

	const waiting = 10
	var wg sync.WaitGroup
	answers := make([]*httptest.ResponseRecorder, waiting)
	for i := range waiting {
		wg.Add(1)
		go func() { defer wg.Done(); answers[i] = scrape(t, c, "gzip") }()
	}
	g := c.groups["\x00gzip"]
	deadline := time.Now().Add(10 * time.Second) // a guard, not a measure
	for {
		g.mu.Lock()
		n := 0
		if g.next != nil {
			n = g.next.n
		}
		g.mu.Unlock()
		if n == waiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d scrapes waiting, want %d", n, waiting)
		}
		time.Sleep(time.Millisecond)
	}
	// Another negotiation is its own group: answered by its own call.
	other := scrape(t, c, "identity")
	close(inner.release)
	wg.Wait()

	if w := <-first; w.Body.String() != "1" {
		t.Errorf("the first scrape got gathering %q, want 1", w.Body.String())
	}
	if got := other.Body.String(); got != "2" || other.Header().Get("X-Encoding-Asked") != "identity" {
		t.Errorf("the identity scrape got %q asked %q, want its own gathering", got, other.Header().Get("X-Encoding-Asked"))
	}
	for i, w := range answers {
		if w.Code != 200 || w.Body.String() != "3" || w.Header().Get("Content-Type") != "text/plain; version=0.0.4" {
			t.Errorf("waiting scrape %d = %d %q %v; want 200, gathering 3 (the one after those under way) and the handler's headers", i, w.Code, w.Body.String(), w.Header())
		}
	}
	if n := inner.calls.Load(); n != 3 {
		t.Errorf("%d gatherings for %d scrapes, want 3", n, waiting+2)
	}
	// Alone, a scrape is gathered for itself.
	if w := scrape(t, c, "gzip"); w.Body.String() != "4" {
		t.Errorf("a lone scrape got %q, want a gathering of its own (4)", w.Body.String())
	}
}

// TestCoalescePanic checks that a handler's panic is a 500 for its batch,
// and that the next scrape is served.
func TestCoalescePanic(t *testing.T) {
	calls := 0
	c := Coalesce(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		io.WriteString(w, "ok")
	}))
	if w := scrape(t, c, "gzip"); w.Code != http.StatusInternalServerError {
		t.Errorf("a panicking gathering = %d, want 500", w.Code)
	}
	if w := scrape(t, c, "gzip"); w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("the next scrape = %d %q, want 200 ok", w.Code, w.Body.String())
	}
}
