package dashboard

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// visitLog records, per URL path, how each request of a tab was answered.
type visitLog struct {
	mu     sync.Mutex
	urls   map[network.RequestID]string
	status map[string]int64 // path -> status; 0 when the browser's cache answered
	cached map[string]bool  // path -> answered from the browser's cache

	pending map[network.RequestID]int64 // wire statuses that came before their request's event
}

func (v *visitLog) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.urls, v.status, v.cached = map[network.RequestID]string{}, map[string]int64{}, map[string]bool{}
	v.pending = map[network.RequestID]int64{}
}

func (v *visitLog) listen(ev any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		u, err := url.Parse(ev.Request.URL)
		if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			v.urls[ev.RequestID] = u.Path
		}
	case *network.EventRequestServedFromCache:
		if p, ok := v.urls[ev.RequestID]; ok {
			v.cached[p] = true
		}
	case *network.EventResponseReceived:
		if p, ok := v.urls[ev.RequestID]; ok {
			if _, raw := v.status[p]; !raw {
				v.status[p] = ev.Response.Status
			}
			if ev.Response.FromDiskCache {
				v.cached[p] = true
			}
		}
	case *network.EventResponseReceivedExtraInfo:
		// The status on the wire: responseReceived shows a revalidated
		// answer as the 200 it stored.
		v.pending[ev.RequestID] = ev.StatusCode
	}
	for id, st := range v.pending {
		if p, ok := v.urls[id]; ok {
			v.status[p] = st
			delete(v.pending, id)
		}
	}
}

// TestRepeatVisit loads the dashboard twice in one browser: the second
// visit downloads no asset again. The hashed assets come from the
// browser's cache without asking (immutable), the page and its options are
// revalidated with their ETag and answered 304, and the charts draw again.
func TestRepeatVisit(t *testing.T) {
	bctx := newBrowser(t)
	base := serveLoopback(t)
	var vl visitLog
	// Each visit is a new tab of the same browser, sharing its cache, as a
	// reader coming back would open one; navigating one tab away and back
	// left chromedp polling a page that was gone ("Cannot find context").
	visit := func(name string) {
		t.Helper()
		vl.reset()
		ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(vl.listen))
		defer cancel()
		ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
		defer cancelT()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/")); err != nil {
			t.Fatalf("%s visit: %v", name, err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.getAttribute('data-charts') === 'ready'`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s visit: charts not all drawn: %v", name, err)
		}
	}
	visit("first")
	vl.mu.Lock()
	var assets []string
	for p, st := range vl.status {
		if st != 200 {
			t.Errorf("first visit: %s = %d, want 200", p, st)
		}
		if strings.HasPrefix(p, "/static/") {
			assets = append(assets, p)
		}
	}
	vl.mu.Unlock()
	if len(assets) < 3 {
		t.Fatalf("first visit fetched %d static assets (%v), want the CSS, ECharts and app.js", len(assets), assets)
	}

	visit("repeat")
	vl.mu.Lock()
	defer vl.mu.Unlock()
	for _, p := range assets {
		if !vl.cached[p] {
			t.Errorf("repeat visit: %s was not taken from the browser's cache (status %d): an immutable asset was asked for again", p, vl.status[p])
		}
	}
	for _, p := range []string{"/", "/options.js"} {
		if vl.status[p] != 304 {
			t.Errorf("repeat visit: %s = %d, want 304 (revalidated with If-None-Match, nothing downloaded)", p, vl.status[p])
		}
	}
}
