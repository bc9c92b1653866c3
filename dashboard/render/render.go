// Package render draws ECharts options as SVG and PNG on the server, with no
// browser: ECharts' own server-side rendering runs in goja, a JavaScript
// engine in pure Go, loading the very bundle the dashboard page serves, and
// resvg, compiled to WebAssembly, runs in wazero to rasterise that SVG. Text
// is measured and drawn in the embedded Liberation Sans, the font Chromium
// uses for sans-serif on Debian, so an image matches the page.
//
// Neither engine is safe for concurrent use, and a chart's formatters are
// arbitrary JavaScript: a Renderer keeps a pool of instances, bounds every
// render by a timeout, and admits a bounded number of renders at a time,
// refusing the rest with ErrBusy after a short wait.
package render

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Bounds on an image. Width and height are CSS pixels, as on the page; a
// PNG has width*scale by height*scale pixels, at most MaxPixels.
const (
	MinWidth, MaxWidth   = 200, 4000
	MinHeight, MaxHeight = 150, 3000
	MinScale, MaxScale   = 1, 4
	MaxPixels            = 4096 * 4096
)

// Errors a caller maps to answers.
var (
	// ErrBusy: every renderer stayed busy for the whole queue wait.
	ErrBusy = errors.New("all chart renderers are busy")
	// ErrTimeout: a render ran past Options.Timeout and was stopped.
	ErrTimeout = errors.New("chart rendering took too long and was stopped")
	// ErrInvalid wraps a Chart or scale out of bounds.
	ErrInvalid = errors.New("invalid image request")
)

// Options configure a Renderer. Only ECharts is required.
type Options struct {
	// ECharts is the source of the ECharts bundle the page serves (it must
	// set globalThis.echarts and include the SVG renderer).
	ECharts []byte
	// MaxConcurrent renders at a time, and so the most instances of each
	// engine kept; 0 means GOMAXPROCS.
	MaxConcurrent int
	// QueueWait is how long a render waits for a free slot before ErrBusy;
	// 0 means 2 s.
	QueueWait time.Duration
	// Timeout bounds each engine's work on one image (drawing the SVG,
	// rasterising it), not the start of a new engine; 0 means 20 s.
	Timeout time.Duration
	// PixelBudget bounds the memory of the drawings in progress, summed
	// over them and counted in PNG pixels: each drawing counts the larger
	// of its PNG's pixels and its option's memory as the pixels of the
	// same bytes (ECharts draws the option before resvg draws the pixels;
	// bytesPerOptionByte: a 5 MB option counts as 37.5 million pixels, and
	// an SVG of it waits its turn as a large PNG does); 0 means MaxPixels,
	// and less is raised to MaxImagePixels. Memory for a drawing grows
	// with its pixels and its option (see BudgetFor), and MaxConcurrent
	// alone lets a many-core host draw that many of the largest at once:
	// gigabytes. An option over the whole budget is a SizeError.
	PixelBudget int
	// MaxImagePixels bounds one PNG's pixels, below MaxPixels where memory
	// is short (BudgetFor); 0 means MaxPixels. A larger one is a SizeError.
	MaxImagePixels int
	// Maps are the map outlines a chart may draw on, as GeoJSON by the
	// name the option's geo component or map series gives (Chart.Maps
	// names those a chart needs).
	Maps map[string][]byte
	// IdleTimeout is how long the engines kept in the pool stay after the
	// last render: then they are freed, and their memory handed back to
	// the OS, so that a server that drew its page at start and is idle
	// since is as small as one that never drew. Under load they stay
	// warm. 0 means 20 s.
	IdleTimeout time.Duration
	// CacheDir keeps wazero's compiled code on disk so that a new process
	// draws its first PNG without compiling resvg again (about 1.5 s);
	// empty keeps it in memory only, shared within the process.
	CacheDir string
}

// Chart is one image to draw.
type Chart struct {
	// Option is the ECharts option as JavaScript source: an object
	// expression that may hold functions (formatters).
	Option string
	// Theme is "dark" for ECharts' dark theme; anything else is light.
	Theme string
	// Width and Height are the size in CSS pixels.
	Width, Height int
	// Title is drawn as the chart's title when the option has none.
	Title string
	// Footer is the provenance line drawn at the bottom left when the
	// option has none of its own (a title placed at the bottom).
	Footer string
	// Maps names the map outlines (keys of Options.Maps) the option
	// draws on; each is registered with ECharts before the option is set.
	Maps []string
	// ID names the chart: the SVG's element ids and classes start with
	// it ("kfor-strength-"), so that they are the same at every drawing
	// and do not clash with another chart's in the same HTML page.
	ID string
	// Locale is ECharts' locale object as JSON (the month names a time
	// axis writes), to init the chart with; "" is ECharts' English.
	Locale string
	// Page keeps what the page draws and an image leaves out (the
	// toolbox), so that the page's script can take the drawing over
	// without a change.
	Page bool
}

func (c *Chart) check(scale int) error {
	if strings.TrimSpace(c.Option) == "" {
		return fmt.Errorf("%w: empty option", ErrInvalid)
	}
	return CheckSize(c.Width, c.Height, scale)
}

// CheckSize reports whether an image of width by height CSS pixels, and
// for a PNG (scale > 0) at scale, is within bounds, so that a caller can
// refuse a request before queueing it.
func CheckSize(width, height, scale int) error {
	switch {
	case width < MinWidth || width > MaxWidth:
		return &SizeError{"width", fmt.Sprintf("%d is out of range (want %d to %d)", width, MinWidth, MaxWidth)}
	case height < MinHeight || height > MaxHeight:
		return &SizeError{"height", fmt.Sprintf("%d is out of range (want %d to %d)", height, MinHeight, MaxHeight)}
	case scale == 0: // SVG
		return nil
	case scale < MinScale || scale > MaxScale:
		return &SizeError{"scale", fmt.Sprintf("%d is out of range (want %d to %d)", scale, MinScale, MaxScale)}
	}
	if px := width * height * scale * scale; px > MaxPixels {
		return &SizeError{"scale", fmt.Sprintf("%dx%d at scale %d is %d pixels (want at most %d)", width, height, scale, px, MaxPixels)}
	}
	return nil
}

// SizeError is an image size out of bounds: which of width, height and
// scale, and why. It is an ErrInvalid.
type SizeError struct {
	Param string // "width", "height" or "scale"
	Msg   string
}

func (e *SizeError) Error() string { return ErrInvalid.Error() + ": " + e.Param + " " + e.Msg }

// Is makes a SizeError an ErrInvalid.
func (e *SizeError) Is(target error) bool { return target == ErrInvalid }

// Renderer draws charts. It is safe for concurrent use.
type Renderer struct {
	opts   Options
	slots  chan struct{}       // one per render in progress
	pixels *semaphore.Weighted // PNG pixels being drawn, at most PixelBudget

	setup    sync.Once
	setupErr error
	fonts    *fontSet

	// progs are the scripts compiled, made on first use and dropped when
	// idle (some megabytes: ECharts is most of it).
	progsMu sync.Mutex
	progs   *programs

	rasterOnce    sync.Once
	rasterStarted atomic.Bool
	raster        *rasterizer
	rasterErr     error

	js   chan *jsRuntime    // idle JS runtimes
	wasm chan *wasmInstance // idle resvg instances

	idleMu sync.Mutex
	idle   *time.Timer // frees the pool after IdleTimeout without a render

	closeOnce sync.Once
}

// New returns a Renderer. Engines start lazily, on the first render or on
// Warm.
func New(o Options) (*Renderer, error) {
	if len(o.ECharts) == 0 {
		return nil, errors.New("render: no ECharts bundle given")
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if o.QueueWait <= 0 {
		o.QueueWait = 2 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 20 * time.Second
	}
	if o.MaxImagePixels <= 0 || o.MaxImagePixels > MaxPixels {
		o.MaxImagePixels = MaxPixels
	}
	if o.PixelBudget <= 0 {
		o.PixelBudget = MaxPixels
	}
	o.PixelBudget = max(o.PixelBudget, o.MaxImagePixels)
	return &Renderer{
		opts:   o,
		pixels: semaphore.NewWeighted(int64(o.PixelBudget)),
		slots:  make(chan struct{}, o.MaxConcurrent),
		js:     make(chan *jsRuntime, o.MaxConcurrent),
		wasm:   make(chan *wasmInstance, o.MaxConcurrent),
	}, nil
}

// MaxImagePixels is the most pixels of one PNG this Renderer draws.
func (r *Renderer) MaxImagePixels() int { return r.opts.MaxImagePixels }

// Warm starts both engines and puts one instance of each in the pool, so
// that the first request does not pay for it.
func (r *Renderer) Warm(ctx context.Context) error {
	rt, err := r.getJS()
	if err != nil {
		return err
	}
	r.putJS(rt, true)
	w, err := r.getWasm(ctx)
	if err != nil {
		return err
	}
	r.putWasm(w, true)
	return nil
}

// SVG draws c as an SVG document.
func (r *Renderer) SVG(ctx context.Context, c Chart) ([]byte, error) {
	return r.draw(ctx, c, 0)
}

// PNG draws c as a PNG of c.Width*scale by c.Height*scale pixels.
func (r *Renderer) PNG(ctx context.Context, c Chart, scale int) ([]byte, error) {
	if scale == 0 {
		return nil, &SizeError{"scale", fmt.Sprintf("0 is out of range (want %d to %d)", MinScale, MaxScale)}
	}
	return r.draw(ctx, c, scale)
}

// draw draws c as SVG, then, unless scale is 0, as a PNG at scale.
func (r *Renderer) draw(ctx context.Context, c Chart, scale int) ([]byte, error) {
	if err := c.check(scale); err != nil {
		return nil, err
	}
	if px := c.Width * c.Height * scale * scale; px > r.opts.MaxImagePixels {
		return nil, &SizeError{"scale", fmt.Sprintf("%dx%d at scale %d is %d pixels; within its memory limit this server draws at most %d", c.Width, c.Height, scale, px, r.opts.MaxImagePixels)}
	}
	// The option is drawn (ECharts, into an SVG) before the pixels are
	// (resvg): a drawing takes the larger of the two.
	opt := optionPixels(len(c.Option))
	if opt > int64(r.opts.PixelBudget) {
		return nil, &SizeError{"from", fmt.Sprintf("the chart of this view is a %.1f MB option, about %d MiB to draw; within its memory budget this server draws at most %d MiB at once: narrow the view with from and to",
			float64(len(c.Option))/1e6, opt*bytesPerPixel>>20, int64(r.opts.PixelBudget)*bytesPerPixel>>20)}
	}
	px := max(int64(c.Width*c.Height*scale*scale), opt)
	release, err := r.acquire(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.acquirePixels(ctx, px); err != nil {
		release()
		return nil, err
	}
	slot := release
	release = func() { r.pixels.Release(px); slot() }
	if scale > 0 {
		r.prepareRaster()
	}
	svg, err := r.svg(ctx, &c)
	if err != nil || scale == 0 {
		release()
		return []byte(svg), err
	}
	return r.rasterize(ctx, []byte(fewerClipLayers(svg)), scale, release)
}

// rasterize draws svg as a PNG at scale and calls release once resvg is
// done with its instance. A wasm call cannot be stopped part way without
// wazero's close-on-context-done mode, which made resvg 10-40 times slower
// here; so at the deadline (or when ctx ends) rasterize returns at once,
// and the call finishes in the background, bounded by MaxPixels, before
// its instance is closed and its slot freed.
func (r *Renderer) rasterize(ctx context.Context, svg []byte, scale int, release func()) ([]byte, error) {
	w, err := r.getWasm(ctx)
	if err != nil {
		release()
		return nil, err
	}
	type result struct {
		png []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		png, err := w.png(context.Background(), svg, float64(scale), "", r.fonts)
		done <- result{png, err}
	}()
	timer := time.NewTimer(r.opts.Timeout)
	defer timer.Stop()
	select {
	case res := <-done:
		r.putWasm(w, res.err == nil)
		release()
		return res.png, res.err
	case <-timer.C:
		err = ErrTimeout
	case <-ctx.Done():
		err = ctx.Err()
	}
	go func() {
		<-done
		w.close(context.Background())
		release()
	}()
	return nil, err
}

// acquire takes a render slot, waiting at most QueueWait.
func (r *Renderer) acquire(ctx context.Context) (release func(), err error) {
	select {
	case r.slots <- struct{}{}:
		return func() { <-r.slots }, nil
	default:
	}
	t := time.NewTimer(r.opts.QueueWait)
	defer t.Stop()
	select {
	case r.slots <- struct{}{}:
		return func() { <-r.slots }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// acquirePixels reserves px of the PixelBudget (a PNG's pixels and its
// option's), waiting at most QueueWait.
func (r *Renderer) acquirePixels(ctx context.Context, px int64) error {
	if r.pixels.TryAcquire(px) {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, r.opts.QueueWait)
	defer cancel()
	if err := r.pixels.Acquire(wctx, px); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrBusy
	}
	return nil
}

func (r *Renderer) svg(ctx context.Context, c *Chart) (string, error) {
	rt, err := r.getJS()
	if err != nil {
		return "", err
	}
	// The timeout bounds the drawing, not starting an engine.
	ctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	stop := context.AfterFunc(ctx, func() { rt.vm.Interrupt(errInterrupted) })
	svg, reusable, err := rt.svg(c, r.opts.Maps, deadline)
	if !stop() {
		reusable = false // the context ended: the interrupt may be pending
	}
	r.putJS(rt, reusable && err == nil)
	if errors.Is(err, errInterrupted) {
		if errors.Is(ctx.Err(), context.Canceled) {
			return "", ctx.Err()
		}
		return "", ErrTimeout
	}
	return svg, err
}

func (r *Renderer) init() error {
	r.setup.Do(func() {
		r.fonts, r.setupErr = loadFonts()
		if r.setupErr == nil {
			// Compiled once at start, so that a bundle that does not
			// compile fails every render alike.
			_, r.setupErr = r.programs()
		}
	})
	return r.setupErr
}

// programs returns the scripts compiled, compiling them when idle freed
// them.
func (r *Renderer) programs() (*programs, error) {
	r.progsMu.Lock()
	defer r.progsMu.Unlock()
	if r.progs == nil {
		p, err := compilePrograms(r.opts.ECharts)
		if err != nil {
			return nil, err
		}
		r.progs = p
	}
	return r.progs, nil
}

func (r *Renderer) getJS() (*jsRuntime, error) {
	if err := r.init(); err != nil {
		return nil, err
	}
	select {
	case rt := <-r.js:
		return rt, nil
	default:
		p, err := r.programs()
		if err != nil {
			return nil, err
		}
		return newJSRuntime(p, r.fonts)
	}
}

// putJS returns a runtime to the pool, or drops it for the garbage
// collector when it is not reusable or the pool is full.
func (r *Renderer) putJS(rt *jsRuntime, reusable bool) {
	if !reusable {
		return
	}
	select {
	case r.js <- rt:
		r.idleLater()
	default:
	}
}

// idleLater (re)starts the countdown to freeing the pool.
func (r *Renderer) idleLater() {
	r.idleMu.Lock()
	defer r.idleMu.Unlock()
	if r.idle == nil {
		r.idle = time.AfterFunc(r.opts.IdleTimeout, r.freeIdle)
		return
	}
	r.idle.Reset(r.opts.IdleTimeout)
}

// freeIdle frees the engines in the pool, and hands the memory back to the
// OS now rather than over the minutes the runtime's scavenger takes: a JS
// runtime with ECharts loaded holds some 15 MB. A render in progress keeps
// its engine, and puts it back when done.
func (r *Renderer) freeIdle() {
	for {
		select {
		case <-r.js:
			continue
		case w := <-r.wasm:
			w.close(context.Background())
			continue
		default:
		}
		break
	}
	r.progsMu.Lock()
	r.progs = nil
	r.progsMu.Unlock()
	debug.FreeOSMemory()
}

func (r *Renderer) getWasm(ctx context.Context) (*wasmInstance, error) {
	if err := r.init(); err != nil {
		return nil, err
	}
	raster, err := r.rasterizer()
	if err != nil {
		return nil, err
	}
	select {
	case w := <-r.wasm:
		return w, nil
	default:
		return raster.instance(ctx)
	}
}

// rasterizer returns resvg compiled, compiling it on first use: once for
// the Renderer's life, not bound to a request.
func (r *Renderer) rasterizer() (*rasterizer, error) {
	r.rasterOnce.Do(func() {
		r.raster, r.rasterErr = newRasterizer(context.Background(), r.opts.CacheDir)
	})
	return r.raster, r.rasterErr
}

// prepareRaster starts compiling resvg in the background the first time a
// PNG is asked for, so that it overlaps starting the JS engine and drawing
// the SVG: on two cores that takes a third off the first PNG.
func (r *Renderer) prepareRaster() {
	if r.rasterStarted.CompareAndSwap(false, true) {
		go r.rasterizer() //nolint:errcheck // getWasm reports the error
	}
}

// putWasm returns an instance to the pool, or closes it: after a failed
// call (its state is unknown), when it grew too large, or when the pool is
// full.
func (r *Renderer) putWasm(w *wasmInstance, ok bool) {
	if ok && w.reusable() {
		select {
		case r.wasm <- w:
			r.idleLater()
			return
		default:
		}
	}
	w.close(context.Background())
}

// Close waits up to a minute for renders in progress (and rasters left to
// finish in the background after a timeout), then frees the engines.
// Renders started after Close fail.
func (r *Renderer) Close() error {
	var err error
	r.closeOnce.Do(func() {
		r.idleMu.Lock()
		if r.idle != nil {
			r.idle.Stop()
		}
		r.idleMu.Unlock()
		ctx := context.Background()
		wait := time.NewTimer(time.Minute)
		defer wait.Stop()
	take:
		for range cap(r.slots) { // every slot, so that nothing is running
			select {
			case r.slots <- struct{}{}:
			case <-wait.C:
				break take
			}
		}
		for {
			select {
			case w := <-r.wasm:
				w.close(ctx)
				continue
			case <-r.js:
				continue
			default:
			}
			break
		}
		// Stops a rasterizer being made after Close, and orders this read
		// after one being made before.
		r.rasterOnce.Do(func() { r.rasterErr = errors.New("render: closed") })
		if r.raster != nil {
			err = r.raster.close(ctx)
		}
	})
	return err
}
