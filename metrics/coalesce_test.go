package metrics

import (
	"cmp"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
// together by one answer, and that scrapes negotiating differently are not
// mixed. With max age 0 that answer is the next gathering, never the one
// already under way; with a max age, it is the one under way.
func TestCoalesce(t *testing.T) {
	tests := map[string]struct {
		maxAge time.Duration
		// waitingGet is the gathering that answers the scrapes that came
		// during the first; lone the one that answers a scrape after all.
		waitingGet, calls, lone string
	}{
		"max age 0":  {maxAge: 0, waitingGet: "3", calls: "3", lone: "4"},
		"max age 1s": {maxAge: time.Second, waitingGet: "1", calls: "2", lone: "1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			inner := &countingHandler{entered: make(chan struct{}), release: make(chan struct{})}
			c := Coalesce(inner, CoalesceOptions{MaxAge: tc.maxAge, Now: newTestClock().now}).(*coalescer)

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
			g := c.group("", "gzip")
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
				if w.Code != 200 || w.Body.String() != tc.waitingGet || w.Header().Get("Content-Type") != "text/plain; version=0.0.4" {
					t.Errorf("waiting scrape %d = %d %q %v; want 200, gathering %s and the handler's headers", i, w.Code, w.Body.String(), w.Header(), tc.waitingGet)
				}
			}
			if n := strconv.FormatInt(inner.calls.Load(), 10); n != tc.calls {
				t.Errorf("%s gatherings for %d scrapes, want %s", n, waiting+2, tc.calls)
			}
			if w := scrape(t, c, "gzip"); w.Body.String() != tc.lone {
				t.Errorf("a lone scrape got %q, want gathering %s", w.Body.String(), tc.lone)
			}
		})
	}
}

// TestCoalescePanic checks that a handler's panic is a 500 for its batch,
// and that the next scrape is gathered anew, within max age too.
func TestCoalescePanic(t *testing.T) {
	calls := 0
	c := Coalesce(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		io.WriteString(w, "ok")
	}), CoalesceOptions{MaxAge: time.Hour})
	if w := scrape(t, c, "gzip"); w.Code != http.StatusInternalServerError {
		t.Errorf("a panicking gathering = %d, want 500", w.Code)
	}
	if w := scrape(t, c, "gzip"); w.Code != 200 || w.Body.String() != "ok" {
		t.Errorf("the next scrape = %d %q, want 200 ok", w.Code, w.Body.String())
	}
}

// testClock is a clock a test moves by hand, read from the gathering's
// goroutine too.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(fixtureNow.UnixNano())
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// TestCoalesceMaxAge checks, scrape after scrape on a clock moved by hand,
// which scrapes get a gathering of their own and which are served the last
// answer again: within max age and in the same dataset generation, the
// same answer; otherwise a new gathering.
func TestCoalesceMaxAge(t *testing.T) {
	type step struct {
		after  time.Duration // the clock moves on by this before the scrape
		reload bool          // a dataset load attempt before the scrape
		enc    string        // Accept-Encoding
		code   int           // want; 0 is 200
		body   string        // want: the number of the gathering that answers
	}
	tests := map[string]struct {
		maxAge time.Duration
		// fail is the gathering that answers 503; 0 for none.
		fail  int64
		steps []step
	}{
		"within max age the answer is served again": {
			maxAge: time.Second,
			steps:  []step{{enc: "gzip", body: "1"}, {after: 500 * time.Millisecond, enc: "gzip", body: "1"}, {after: 499 * time.Millisecond, enc: "gzip", body: "1"}},
		},
		"at max age a scrape gathers anew": {
			maxAge: time.Second,
			steps:  []step{{enc: "gzip", body: "1"}, {after: time.Second, enc: "gzip", body: "2"}, {after: 999 * time.Millisecond, enc: "gzip", body: "2"}, {after: time.Millisecond, enc: "gzip", body: "3"}},
		},
		"a load attempt makes the next scrape gather": {
			maxAge: time.Hour,
			steps:  []step{{enc: "gzip", body: "1"}, {after: time.Millisecond, reload: true, enc: "gzip", body: "2"}, {after: time.Millisecond, enc: "gzip", body: "2"}, {reload: true, enc: "gzip", body: "3"}},
		},
		"max age 0 gathers for every scrape": {
			maxAge: 0,
			steps:  []step{{enc: "gzip", body: "1"}, {enc: "gzip", body: "2"}, {after: time.Millisecond, enc: "gzip", body: "3"}},
		},
		"an error is not served again": {
			maxAge: time.Hour, fail: 1,
			steps: []step{{enc: "gzip", code: 503, body: "1"}, {after: time.Millisecond, enc: "gzip", body: "2"}, {after: time.Millisecond, enc: "gzip", body: "2"}},
		},
		"other encodings get their own answers": {
			maxAge: time.Hour,
			steps:  []step{{enc: "gzip", body: "1"}, {enc: "identity", body: "2"}, {enc: "gzip", body: "1"}, {enc: "", body: "3"}, {enc: "identity", body: "2"}},
		},
		"a clock set back gathers anew": {
			maxAge: time.Hour,
			steps:  []step{{enc: "gzip", body: "1"}, {after: -time.Second, enc: "gzip", body: "2"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clock := newTestClock()
			var gen atomic.Uint64
			var calls atomic.Int64
			inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				w.Header().Set("Content-Type", "text/plain; version=0.0.4")
				w.Header().Set("X-Encoding-Asked", r.Header.Get("Accept-Encoding"))
				if n == tc.fail {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
				io.WriteString(w, strconv.FormatInt(n, 10))
			})
			c := Coalesce(inner, CoalesceOptions{MaxAge: tc.maxAge, Generation: gen.Load, Now: clock.now})
			for i, s := range tc.steps {
				clock.advance(s.after)
				if s.reload {
					gen.Add(1)
				}
				w := scrape(t, c, s.enc)
				code := cmp.Or(s.code, http.StatusOK)
				if w.Code != code || w.Body.String() != s.body {
					t.Errorf("scrape %d (%s) = %d, gathering %q; want %d, gathering %q", i, s.enc, w.Code, w.Body.String(), code, s.body)
				}
				if got := w.Header().Get("X-Encoding-Asked"); got != s.enc {
					t.Errorf("scrape %d (%s) got the answer to %q", i, s.enc, got)
				}
				if got, want := w.Header().Get("Content-Length"), strconv.Itoa(len(s.body)); got != want || w.Header().Get("Content-Type") != "text/plain; version=0.0.4" {
					t.Errorf("scrape %d headers %v, want the handler's and Content-Length %s", i, w.Header(), want)
				}
			}
		})
	}
}

// TestCoalesceReloadShowsAtOnce checks on the real collector that a reload,
// good or bad, is on /metrics at the next scrape although the answer
// before it is well within max age, while between loads an HTTP counter
// lags as the doc comment says.
func TestCoalesceReloadShowsAtOnce(t *testing.T) {
	fx := fixture(t)
	s := &swapStore{*fx}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(s, Options{Version: "v1.2.3", Now: func() time.Time { return fixtureNow }}))
	requests := prometheus.NewCounter(prometheus.CounterOpts{Name: "kfor_test_requests_total", Help: "Requests."})
	reg.MustRegister(requests)
	clock := newTestClock()
	c := Coalesce(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), CoalesceOptions{
		MaxAge:     time.Minute,
		Generation: func() uint64 { st := s.Status(); return st.Successes + st.Failures },
		Now:        clock.now,
	})
	d2 := fixtureWith(t, "2024-03-07,4100,H1,exact,\"4,100\",")

	type want map[string]float64
	steps := []struct {
		name   string
		change func()
		want   want
	}{
		{"first scrape", func() {}, want{"kfor_troops": float64(fx.d.Latest().Troops), "kfor_dataset_reloads_total": 1, "kfor_test_requests_total": 0}},
		{"a request within max age lags", func() { requests.Inc() }, want{"kfor_test_requests_total": 0}},
		{"a good reload shows at once", func() { s.d = d2; s.st.Successes++ }, want{"kfor_troops": 4100, "kfor_dataset_reloads_total": 2, "kfor_dataset_last_reload_successful": 1, "kfor_test_requests_total": 1}},
		{"a failed reload shows at once", func() { s.st.LastSuccessful = false; s.st.Failures++ }, want{"kfor_troops": 4100, "kfor_dataset_reloads_total": 3, "kfor_dataset_last_reload_successful": 0}},
		{"past max age the counter shows", func() { requests.Inc(); clock.advance(time.Minute) }, want{"kfor_test_requests_total": 2}},
	}
	for _, st := range steps {
		clock.advance(time.Second)
		st.change()
		w := scrape(t, c, "")
		got := parseScrape(t, w.Body.Bytes())
		for name, v := range st.want {
			if got[name] != v {
				t.Errorf("%s: %s = %v, want %v", st.name, name, got[name], v)
			}
		}
	}
}
