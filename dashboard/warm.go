package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime/debug"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset"
)

// warmKey marks the server's own requests that fill the response cache, so
// that they are not counted as traffic.
type warmKey struct{}

// warm makes, for a newly loaded dataset, the answers a first visit asks
// for (the page in its default view, its options script, every API table),
// so that even the first reader after a (re)load is served from memory.
func (s *Server) warm(d *dataset.Dataset) {
	v, _ := chart.ParseView(url.Values{}, d, s.cfg.Now())
	paths := []string{"/", withQuery("/options.js", v.Query())}
	for _, p := range []string{"summary", "strength", "strength.csv", "contributions", "counts", "events", "sources", "nations", "structure"} {
		paths = append(paths, "/api/v1/"+p)
	}
	ctx := context.WithValue(context.Background(), warmKey{}, true)
	for _, p := range paths {
		if s.data() != d {
			return // a newer dataset replaced this one: its own warm-up runs
		}
		r := httptest.NewRequestWithContext(ctx, http.MethodGet, p, nil)
		r.Header.Set("Accept-Encoding", "br, gzip")
		s.engine.ServeHTTP(httptest.NewRecorder(), r)
	}
	// Making and compressing these answers allocates many times what is
	// kept. Hand the freed memory back to the OS now, not over the minutes
	// the runtime's scavenger takes, so that a server idle after a load is
	// as small as what it holds (26 MB resident rather than 42 at start).
	debug.FreeOSMemory()
}

// prime serves one internal request, unobserved, so that the engine has
// finished setting itself up before any other goroutine uses it.
func (s *Server) prime() {
	ctx := context.WithValue(context.Background(), warmKey{}, true)
	s.engine.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/healthz", nil))
}

// warming reports whether r is one of the server's own warm-up requests.
func warming(r *http.Request) bool { return r.Context().Value(warmKey{}) != nil }
