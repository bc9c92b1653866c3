package dashboard

import (
	"context"
	"errors"
	"html/template"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
)

// The page holds each chart of its view as the SVG the image service draws
// of it (/charts/{id}.svg?frame=page&width=W&height=H and the view): the
// page is complete in its HTML, with JavaScript off, in an archive's
// capture or a reader view, and the first paint shows every chart. The
// page's script then takes each drawing over with an interactive chart of
// the same size and layout.
//
// Drawing a view's charts takes seconds of CPU (the world map alone about
// one), far longer than a page may keep a reader waiting. The default view
// is drawn at each load, before the warm-up makes its page. Any other view
// is drawn in the background, one view at a time; the page waits for it at
// most inlineWait, and otherwise goes out with the charts left to the
// script and is not kept, so that the next request for the view, once its
// drawings are done, makes and keeps the complete page. A chart that cannot
// be drawn (past its time bound: the world map of a record a hundred times
// the real one) is left to the script for good, and the page kept: drawing
// it again for each request would redraw forever and keep no page. Only a
// renderer too busy to start is tried again.

// inlineWait bounds how long a page waits for its view's drawings.
const inlineWait = 250 * time.Millisecond

// inlineTimeout bounds the drawing of one view's charts in the background.
const inlineTimeout = 30 * time.Second

// maxInlineViews bounds the views whose drawings wait, made, for their
// page: each is taken by the page that uses it.
const maxInlineViews = 16

// pageWidths are the widths in CSS pixels of the charts' boxes on the page
// in a window at least 1212 px wide (app.css: a 1148 px column, six grid
// columns with 16 px gaps, 9 px of padding and border each side of a
// card). A chart is drawn at its width there, so that the script's chart,
// at the same width, draws the same layout; in a narrower window the
// drawing scales down until the script draws it afresh.
var pageWidths = map[string]int{"strength": 1130, "contributions": 742, "share": 354}

// pageWidth is the width of chart id's box on a wide page.
func pageWidth(id string) int {
	if w, ok := pageWidths[id]; ok {
		return w
	}
	return 548 // half the column
}

// pageImage is the drawing of chart o the page holds, for view v.
func pageImage(o chart.Option, v chart.View) images.Image {
	h := o.Height
	if h == 0 {
		h = images.DefaultHeight
	}
	return images.Image{ID: o.ID, Format: images.SVG, View: v, Width: pageWidth(o.ID), Height: h, Page: true}
}

// pageImageQuery is the query of /charts/{id}.svg that draws pageImage.
func pageImageQuery(img images.Image) string {
	q := img.View.Query()
	q.Set(string(param.Frame), param.FramePage)
	q.Set(string(param.Width), strconv.Itoa(img.Width))
	q.Set(string(param.Height), strconv.Itoa(img.Height))
	return q.Encode()
}

// inlineSet is the drawings of one view: chart ID to SVG. A chart missing
// from it could not be drawn.
type inlineSet map[string]template.HTML

// inlineStore holds the drawings being made and made, for the dataset
// they were made from.
type inlineStore struct {
	mu       sync.Mutex
	checksum string
	done     map[string]inlineSet
	making   map[string]chan struct{}
	// busy is taken by the one view drawn in the background at a time.
	busy chan struct{}
}

func newInlineStore() *inlineStore {
	return &inlineStore{done: map[string]inlineSet{}, making: map[string]chan struct{}{}, busy: make(chan struct{}, 1)}
}

// inline returns the drawings of view v (key: its query) whose charts are
// opts, drawn from d, waiting for them at most inlineWait. complete is
// false when some chart is not drawn: the page then leaves it to its
// script. until is nil when the drawings are done: the page may be kept;
// else the page is good until until is closed (the drawing under way is
// done), and is then made again with them.
func (s *Server) inline(c *gin.Context, d *dataset.Dataset, v chart.View, key string, opts []chart.Option) (set inlineSet, complete bool, until <-chan struct{}) {
	if !s.cfg.InlineCharts {
		return nil, true, nil
	}
	ch, set, found := s.inl.start(d.Checksum, key, false)
	if found {
		return set, len(set) == len(opts), nil
	}
	if ch == nil { // another view is being drawn: this one once it is done
		return nil, false, s.inl.current()
	}
	if set == nil { // this request started the drawing
		go s.drawInline(d, v, key, opts, ch)
	}
	wait := time.NewTimer(inlineWait)
	defer wait.Stop()
	select {
	case <-ch:
	case <-wait.C:
		return nil, false, ch
	case <-c.Request.Context().Done():
		return nil, false, notKept
	}
	if set = s.inl.take(key); set == nil {
		return nil, false, notKept // drawn again on a later request
	}
	return set, len(set) == len(opts), nil
}

// current returns the channel of the drawing under way, closed once it is
// done, or notKept when there is none.
func (st *inlineStore) current() <-chan struct{} {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, ch := range st.making {
		return ch
	}
	return notKept
}

// prepareInline draws the default view's charts, for the warm-up to make
// the page with: the time it takes holds no request.
func (s *Server) prepareInline(d *dataset.Dataset) {
	if !s.cfg.InlineCharts {
		return
	}
	v := param.Defaults().View
	opts, err := chart.BuildAll(d, v)
	if err != nil {
		return // the page's own making reports it
	}
	key := v.Query().Encode()
	if ch, set, found := s.inl.start(d.Checksum, key, true); !found && set == nil && ch != nil {
		s.drawInline(d, v, key, opts, ch)
	}
}

// start finds the drawings of the view key of the dataset checksum: found
// and taken, or being drawn (ch, and a non-nil set to say that another
// request started it), or started now (ch, set nil: the caller draws, and
// holds busy until drawInline lets it go). ch is nil when another view is
// being drawn; wait makes start wait for that one instead.
func (st *inlineStore) start(checksum, key string, wait bool) (ch chan struct{}, set inlineSet, found bool) {
	if wait {
		st.busy <- struct{}{}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.checksum != checksum {
		st.checksum, st.done, st.making = checksum, map[string]inlineSet{}, map[string]chan struct{}{}
	}
	if set, found := st.done[key]; found {
		if wait {
			<-st.busy
			return nil, nil, false // left for the page
		}
		delete(st.done, key) // the page made with it keeps it now
		return nil, set, true
	}
	if ch := st.making[key]; ch != nil {
		if wait {
			<-st.busy
		}
		return ch, inlineSet{}, false
	}
	if !wait {
		select {
		case st.busy <- struct{}{}:
		default:
			return nil, nil, false
		}
	}
	ch = make(chan struct{})
	st.making[key] = ch
	return ch, nil, false
}

// take takes the drawings of the view key, once drawn.
func (st *inlineStore) take(key string) inlineSet {
	st.mu.Lock()
	defer st.mu.Unlock()
	set := st.done[key]
	delete(st.done, key)
	return set
}

// drawInline draws every chart of a view, two at a time (the renderer's
// pool on two cores), and leaves them for the view's next page.
func (s *Server) drawInline(d *dataset.Dataset, v chart.View, key string, opts []chart.Option, done chan struct{}) {
	st := s.inl
	set := inlineSet{}
	busy := false // some chart met a renderer too busy to start it
	defer func() {
		st.mu.Lock()
		if st.checksum == d.Checksum && busy {
			delete(st.making, key) // drawn again on a later request
		} else if st.checksum == d.Checksum {
			delete(st.making, key)
			for k := range st.done {
				if len(st.done) < maxInlineViews {
					break
				}
				delete(st.done, k)
			}
			st.done[key] = set
		}
		st.mu.Unlock()
		<-st.busy
		close(done)
	}()
	im, err := s.images()
	if err != nil {
		s.cfg.Log.Warn("charts left to the page's script: no renderer", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), inlineTimeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan chart.Option)
	for range 2 {
		wg.Go(func() {
			for o := range next {
				svg, err := im.Draw(ctx, d, pageImage(o, v))
				if err != nil {
					s.cfg.Log.Warn("chart left to the page's script", "chart", o.ID, "err", err)
					if errors.Is(err, render.ErrBusy) {
						mu.Lock()
						busy = true
						mu.Unlock()
					}
					continue
				}
				mu.Lock()
				set[o.ID] = template.HTML(svg) // ECharts' own SVG of our option: markup, not text
				mu.Unlock()
			}
		})
	}
	for _, o := range opts {
		next <- o
	}
	close(next)
	wg.Wait()
}
