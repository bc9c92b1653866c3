package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
)

// listFlag is a flag that may be given more than once, each time with one
// value or a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func runExportCharts(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export charts", "",
		"Write every chart (or those named by --chart) as SVG and PNG files, drawn as the dashboard\n"+
			"draws them, without a browser: OUT/ID.svg and OUT/ID.png. Prints a line per file and a\n"+
			"summary; exits 1 when any file failed.")
	out := fs.String("out", "charts", "directory to write the images to (made if missing)")
	formats := listFlag{}
	fs.Var(&formats, "format", "formats to write: svg, png or svg,png (default svg,png)")
	ids := listFlag{}
	fs.Var(&ids, "chart", "chart to write, by ID; repeat or separate by commas (default: every chart)")
	// The view and size flags have the image URLs' names, grammar and
	// bounds: they are parsed by the same parser, strictly, once the
	// dataset is loaded (a date must have a per-nation list).
	given := url.Values{}
	for _, sp := range param.Specs(images.Params) {
		fs.Func(string(sp.Name), sp.Doc+flagDefault(sp), func(v string) error { given.Set(string(sp.Name), v); return nil })
	}
	dataPath := fs.String("data.path", "", "directory of the dataset's CSV files; empty draws the dataset embedded in the binary")
	cacheDir := fs.String("render.cache-dir", defaultRenderCache(e), "directory caching the PNG rasteriser's compiled code between runs; empty for none")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: export charts takes no arguments, got %q (name charts with --chart)", errUsage, fs.Args())
	}
	if len(formats) == 0 {
		formats = listFlag{"svg", "png"}
	}
	for _, f := range formats {
		if f != "svg" && f != "png" {
			return fmt.Errorf("%w: --format %q: want svg, png or svg,png", errUsage, f)
		}
	}
	var known []string
	for _, sp := range chart.Specs() {
		known = append(known, sp.ID)
	}
	if len(ids) == 0 {
		ids = known
	}
	for _, id := range ids {
		if !slices.Contains(known, id) {
			return fmt.Errorf("%w: --chart %q: no such chart (want one of %s)", errUsage, id, strings.Join(known, ", "))
		}
	}
	origin := dataset.EmbeddedOrigin()
	if *dataPath != "" {
		origin = dataset.DirOrigin(*dataPath)
	}
	d, err := origin.Load(time.Now())
	if err != nil {
		return fmt.Errorf("cannot load the dataset from %s:\n%w", origin.Name, err)
	}
	// The date must have a per-nation list unless every chart drawn reads
	// the structure.
	parse := param.ParseAnyDay
	for _, id := range ids {
		if !chart.AnyDay(id) {
			parse = param.Parse
		}
	}
	v, err := parse(given, images.Params, param.Strict, d, time.Now())
	if err != nil {
		return fmt.Errorf("%w: --%v", errUsage, err)
	}
	if v.Width == 0 {
		v.Width = param.DefaultWidth
	}
	if v.Scale == 0 && slices.Contains(formats, images.PNG) {
		v.Scale = param.DefaultScale
	}
	// Each chart's own height is checked when it is drawn.
	if err := render.CheckSize(v.Width, max(v.Height, render.MinHeight), v.Scale); err != nil {
		var size *render.SizeError
		errors.As(err, &size)
		return fmt.Errorf("%w: --%s: %s", errUsage, size.Param, size.Msg)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	// The JS engine allocates much and keeps little: collecting garbage
	// less often takes a fifth off the time of a batch.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	workers := runtime.GOMAXPROCS(0)
	im, err := images.New(images.Config{
		MaxConcurrent: workers,
		QueueWait:     time.Hour, // the workers below are the limit
		CacheDir:      *cacheDir,
	})
	if err != nil {
		return err
	}
	defer im.Close()

	var jobs []images.Image
	for _, id := range ids {
		for _, f := range formats {
			img := images.FromValues(id, f, v)
			if f == images.SVG {
				img.Scale = 0
			}
			jobs = append(jobs, img)
		}
	}
	start := time.Now()
	var (
		mu             sync.Mutex
		failed, nbytes int
	)
	next := make(chan images.Image)
	var wg sync.WaitGroup
	for range min(workers, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for img := range next {
				t0 := time.Now()
				path := filepath.Join(*out, img.ID+"."+img.Format)
				b, err := im.Draw(ctx, d, img)
				if err == nil {
					err = writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err })
				}
				mu.Lock()
				if err != nil {
					failed++
					fmt.Fprintf(e.stdout, "FAIL  %s: %v\n", path, err)
				} else {
					nbytes += len(b)
					fmt.Fprintf(e.stdout, "ok    %s  %s  %d ms\n", path, size(len(b)), time.Since(t0).Milliseconds())
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	fmt.Fprintf(e.stdout, "%d of %d files written to %s (%s) in %.1fs; %d failed\n",
		len(jobs)-failed, len(jobs), *out, size(nbytes), time.Since(start).Seconds(), failed)
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("export charts: %d of %d files failed", failed, len(jobs))
	}
	return nil
}

// size formats a byte count for a progress line.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// defaultRenderCache is where the PNG rasteriser's compiled code is kept
// between runs: $XDG_CACHE_HOME/kforstats or ~/.cache/kforstats, as
// os.UserCacheDir finds it; empty (no disk cache) when there is none.
func defaultRenderCache(e *env) string {
	if e.getenv == nil { // tests may pass none
		return ""
	}
	if dir := e.getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "kforstats")
	}
	if home := e.getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache", "kforstats")
	}
	return ""
}

// flagDefault says a parameter's default in a flag's help, as the flag
// package would for a typed flag.
func flagDefault(sp param.Spec) string {
	if sp.Default == "" {
		return ""
	}
	return " (default " + sp.Default + ")"
}
