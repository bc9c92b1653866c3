package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/kforstats/kforstats/dashboard"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/render"
	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/metrics"
)

// serveConfig is the serve command's flags.
type serveConfig struct {
	listen            string
	webConfigFile     string
	dataPath          string
	watchInterval     time.Duration
	enableLifecycle   bool
	shutdownTimeout   time.Duration
	readHeaderTimeout time.Duration
	frameAncestors    string
	externalURL       string
	embedAncestors    string
	logLevel          string
	logFormat         string
	renderCacheDir    string
	metricsMaxAge     time.Duration
	clientRate        float64
	clientBurst       int
	trustedProxies    string
	inlineCharts      bool
}

func runServe(ctx context.Context, e *env, args []string) error {
	var cfg serveConfig
	fs := newFlags(e, "serve", "", "Serve the dashboard, the JSON/CSV API and /metrics from the embedded dataset or --data.path.")
	fs.StringVar(&cfg.listen, "web.listen-address", ":8080", "address to listen on for the dashboard, API and metrics")
	fs.StringVar(&cfg.webConfigFile, "web.config.file", "", "path to a web configuration file for TLS and basic authentication, in the Prometheus exporters' format (deploy/web-config.yml is the recommended one); empty serves plain HTTP with no authentication")
	fs.StringVar(&cfg.dataPath, "data.path", "", "directory of the dataset's CSV files; empty serves the dataset embedded in the binary")
	fs.DurationVar(&cfg.watchInterval, "data.watch-interval", 5*time.Second, "how often to check --data.path for changed files (0 to stop watching)")
	fs.BoolVar(&cfg.enableLifecycle, "web.enable-lifecycle", false, "enable POST /-/reload")
	fs.DurationVar(&cfg.shutdownTimeout, "web.shutdown-timeout", 15*time.Second, "how long to let requests in flight finish on SIGTERM")
	fs.DurationVar(&cfg.readHeaderTimeout, "web.read-header-timeout", 5*time.Second, "how long a client may take to send a request's headers before its connection is closed")
	fs.StringVar(&cfg.frameAncestors, "web.frame-ancestors", dashboard.DefaultFrameAncestors, "who may show the dashboard in a frame: the CSP frame-ancestors sources, e.g. \"'self' https://intranet.example.org\"; 'none' for nobody")
	fs.StringVar(&cfg.embedAncestors, "web.embed-frame-ancestors", dashboard.DefaultEmbedFrameAncestors, "who may show /embed/{chart} in a frame: the CSP frame-ancestors sources; * for anybody")
	fs.StringVar(&cfg.externalURL, "web.external-url", "", "the URL the server is reached at, such as https://kfor.example.org, for the absolute links of the page's share tags (Open Graph image); empty leaves the image out")
	fs.DurationVar(&cfg.metricsMaxAge, "metrics.max-age", time.Second, "how long one gathering of /metrics answers later scrapes with the same headers; a dataset load attempt ends it at once (0 gathers for each scrape)")
	fs.Float64Var(&cfg.clientRate, "web.client-limit.rate", 1, "new answers a second one client may have the server make once its burst is spent: chart images, embeds and views not made yet, the record's zip; answers already made are never limited; over it a client gets 429 with Retry-After (0 turns the limit off)")
	fs.IntVar(&cfg.clientBurst, "web.client-limit.burst", 60, "new answers one client may have the server make at once, before --web.client-limit.rate applies")
	fs.StringVar(&cfg.trustedProxies, "web.trusted-proxies", "", "comma-separated addresses and CIDR prefixes of reverse proxies whose X-Forwarded-For names the client, for --web.client-limit.*; empty: the client is the connection's peer")
	fs.BoolVar(&cfg.inlineCharts, "web.inline-charts", true, "draw each chart of the page on the server, as SVG in its HTML, so that the page is complete before its script runs (false: the page's script draws them)")
	fs.StringVar(&cfg.renderCacheDir, "render.cache-dir", defaultRenderCache(e), "directory caching the chart PNG rasteriser's compiled code across restarts; empty keeps it in memory")
	addLogFlags(fs, &cfg.logLevel, &cfg.logFormat)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments, got %q", errUsage, fs.Args())
	}
	if err := dashboard.CheckFrameAncestors(cfg.frameAncestors); err != nil {
		return fmt.Errorf("%w: --web.frame-ancestors %v", errUsage, err)
	}
	if err := dashboard.CheckFrameAncestors(cfg.embedAncestors); err != nil {
		return fmt.Errorf("%w: --web.embed-frame-ancestors %v", errUsage, err)
	}
	if err := dashboard.CheckExternalURL(cfg.externalURL); err != nil {
		return fmt.Errorf("%w: --web.external-url %v", errUsage, err)
	}
	if cfg.readHeaderTimeout <= 0 {
		return fmt.Errorf("%w: --web.read-header-timeout %s: want a positive duration", errUsage, cfg.readHeaderTimeout)
	}
	if cfg.clientRate < 0 || math.IsNaN(cfg.clientRate) || math.IsInf(cfg.clientRate, 0) {
		return fmt.Errorf("%w: --web.client-limit.rate %v: want 0 (off) or a positive number", errUsage, cfg.clientRate)
	}
	if cfg.clientBurst < 1 {
		return fmt.Errorf("%w: --web.client-limit.burst %d: want at least 1", errUsage, cfg.clientBurst)
	}
	proxies, err := dashboard.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return fmt.Errorf("%w: --web.trusted-proxies %v", errUsage, err)
	}
	if cfg.metricsMaxAge < 0 {
		return fmt.Errorf("%w: --metrics.max-age %s: want 0 or a positive duration", errUsage, cfg.metricsMaxAge)
	}
	log, err := newLogger(e.stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		return err
	}
	budget := render.BudgetFor(applyMemoryLimit(log), runtime.GOMAXPROCS(0))
	log.Info("chart image budget", "renders", budget.MaxConcurrent, "pixels", budget.PixelBudget, "max_image_pixels", budget.MaxImagePixels)
	if cfg.webConfigFile != "" {
		// Fail at start, not at the first request, on a bad file.
		if err := web.Validate(cfg.webConfigFile); err != nil {
			return fmt.Errorf("--web.config.file %s: %w", cfg.webConfigFile, err)
		}
	}
	origin := dataset.EmbeddedOrigin()
	if cfg.dataPath != "" {
		origin = dataset.DirOrigin(cfg.dataPath)
	}
	store, err := dataset.NewStore(origin, log)
	if err != nil {
		return fmt.Errorf("cannot load the dataset from %s:\n%w", origin.Name, err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	httpMetrics, err := metrics.Register(reg, store, metrics.Options{Version: version})
	if err != nil {
		return err
	}
	// Chart images (/charts) and the page's drawings of its charts: engines
	// start on the first drawing (the default view's, at each load), and
	// are freed when idle.
	imgs, err := images.New(images.Config{
		MaxConcurrent: budget.MaxConcurrent, PixelBudget: budget.PixelBudget, MaxPixels: budget.MaxImagePixels,
		CacheDir: cfg.renderCacheDir, Site: cfg.externalURL,
	})
	if err != nil {
		return err
	}
	defer imgs.Close()
	srv := dashboard.NewServer(dashboard.Config{
		Images:              imgs,
		Store:               store,
		Log:                 log,
		Metrics:             metricsHandler(reg, store, cfg.metricsMaxAge),
		Observe:             httpMetrics.Observe,
		History:             metrics.History,
		EnableLifecycle:     cfg.enableLifecycle,
		FrameAncestors:      cfg.frameAncestors,
		ExternalURL:         cfg.externalURL,
		EmbedFrameAncestors: cfg.embedAncestors,
		ClientLimit:         dashboard.ClientLimit{Rate: cfg.clientRate, Burst: cfg.clientBurst, TrustedProxies: proxies},
		Version:             version,
		InlineCharts:        cfg.inlineCharts,
	})
	if err := metrics.RegisterCaches(reg, func() []metrics.CacheStat {
		var out []metrics.CacheStat
		for _, c := range srv.CacheStats() {
			out = append(out, metrics.CacheStat(c))
		}
		return out
	}); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.dataPath != "" && cfg.watchInterval > 0 {
		go store.Watch(ctx, cfg.watchInterval)
	}
	go reloadOnHUP(ctx, store, log)

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           httpMetrics.InFlight(srv),
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "address", ln.Addr().String(), "version", version, "dataset", origin.Name)
	errc := make(chan error, 1)
	go func() {
		// exporter-toolkit adds TLS and basic auth from --web.config.file,
		// as Prometheus and its exporters do; with no file it is hs.Serve.
		errc <- web.Serve(ln, hs, &web.FlagConfig{WebConfigFile: &cfg.webConfigFile}, log.With("component", "web"))
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.shutdownTimeout)
	sctx, scancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer scancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// metricsHandler serves reg's metrics, one gathering answering the scrapes
// of up to maxAge that ask alike, until the store next tries a load.
func metricsHandler(reg *prometheus.Registry, store *dataset.Store, maxAge time.Duration) http.Handler {
	return metrics.Coalesce(promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}), metrics.CoalesceOptions{
		MaxAge: maxAge,
		Generation: func() uint64 {
			st := store.Status()
			return st.Successes + st.Failures
		},
	})
}

// reloadOnHUP reloads the dataset on SIGHUP, as Prometheus does.
func reloadOnHUP(ctx context.Context, store *dataset.Store, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			if err := store.Reload(); err != nil {
				log.Error("dataset reload failed; still serving the last good dataset", "origin", store.Origin().Name, "err", err)
			}
		}
	}
}
