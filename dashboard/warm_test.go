package dashboard

import (
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

func cachedKeys(s *Server) (checksum string, keys map[string]bool) {
	s.resp.mu.Lock()
	defer s.resp.mu.Unlock()
	keys = map[string]bool{}
	for k := range s.resp.entries {
		keys[k] = true
	}
	for k := range s.resp.pinned {
		keys[k] = true
	}
	return s.resp.checksum, keys
}

func waitCached(tb testing.TB, s *Server, checksum string, paths ...string) {
	tb.Helper()
	// Three minutes: drawing the page's charts at load (InlineCharts) takes
	// seconds, and over a minute under -race on a busy machine.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		sum, keys := cachedKeys(s)
		all := sum == checksum
		for _, p := range paths {
			all = all && keys[p]
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("within 3 minutes the cache holds %v for %.12s, want %v for %.12s", keys, sum, paths, checksum)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWarmAtLoad: the answers a first visit asks for are made when a dataset
// is loaded, before any request, and again after a reload; the warm-up is
// not counted as traffic.
func TestWarmAtLoad(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, "../dataset/testdata/valid", dir)
	store, err := dataset.NewStore(dataset.DirOrigin(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	var observed atomic.Int64
	s := NewServer(Config{Store: store, Now: func() time.Time { return apiNow },
		Observe: func(string, string, int, time.Duration) { observed.Add(1) }})
	waitCached(t, s, store.Current().Checksum, "/", "/api/v1/summary", "/api/v1/strength", "/api/v1/events")
	if n := observed.Load(); n != 0 {
		t.Errorf("the warm-up was counted as %d requests", n)
	}
	if err := os.WriteFile(filepath.Join(dir, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02,4000,P1,exact,q,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	waitCached(t, s, store.Current().Checksum, "/", "/api/v1/summary")
}
