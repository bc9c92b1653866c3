package dashboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime/debug"

	"github.com/kforstats/kforstats/dataset"
)

// warmKey marks the server's own requests that fill the response cache, so
// that they are not counted as traffic.
type warmKey struct{}

// warm makes, for a newly loaded dataset, the answers of every route the
// route table marks warm, in the default view: what a first visit and most
// clients ask for, so that even the first reader after a (re)load is served
// from memory.
func (s *Server) warm(d *dataset.Dataset) {
	ctx := context.WithValue(context.Background(), warmKey{}, true)
	s.prepareInline(d) // the default view's charts, drawn for its page
	for _, r := range s.routeTable {
		if !r.warm {
			continue
		}
		if s.data() != d {
			return // a newer dataset replaced this one: its own warm-up runs
		}
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, r.path, nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		s.engine.ServeHTTP(httptest.NewRecorder(), req)
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
