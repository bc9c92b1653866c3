package dashboard

import (
	"cmp"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dataset"
)

// Config is what the server needs from the program that wires it.
type Config struct {
	Store *dataset.Store
	Log   *slog.Logger

	// Metrics serves /metrics; nil leaves the route out.
	Metrics http.Handler
	// History writes GET /api/v1/history.om, the record up to now as
	// OpenMetrics with timestamps for Prometheus' backfill; nil leaves the
	// route out.
	History func(w io.Writer, d *dataset.Dataset, now time.Time) error
	// Observe is told of every finished request, by route template (never
	// the raw path, so that its cardinality stays bounded); nil for none.
	Observe func(route, method string, code int, elapsed time.Duration)
	// EnableLifecycle turns on POST /-/reload, as Prometheus'
	// --web.enable-lifecycle does.
	EnableLifecycle bool
	// Version is the build's version, shown on the page and in the API.
	Version string
	// Now returns the current time; nil means time.Now. Tests fix it.
	Now func() time.Time
	// Images draws /charts/{id}.svg and .png; nil makes one with the
	// defaults on the first image request.
	Images *images.Service
	// FrameAncestors is the CSP frame-ancestors source list: who may show
	// the page in a frame. Empty or not valid (see CheckFrameAncestors)
	// means DefaultFrameAncestors, nobody.
	FrameAncestors string
	// ExternalURL is the URL the server is reached at (see
	// CheckExternalURL), for the page's share tags, which need absolute
	// URLs; empty leaves those out. The request's Host is not used: the
	// page is cached, and a client's Host header would end up in answers
	// to others.
	ExternalURL string
	// InlineCharts puts each chart of a view into its page as the SVG the
	// image service draws of it (inline.go), so that the page is complete
	// before its script runs; off, the page's script draws every chart.
	InlineCharts bool
	// EmbedFrameAncestors is the frame-ancestors source list of
	// /embed/{chart}; empty or not valid means DefaultEmbedFrameAncestors.
	EmbedFrameAncestors string
	// ClientLimit bounds the new answers one client may have the server
	// make; the zero value is no limit.
	ClientLimit ClientLimit
}

// Server is the kforstats HTTP handler.
type Server struct {
	cfg        Config
	engine     *gin.Engine
	routeTable []route
	resp       *respCache // the page and the API
	imgs       *respCache // the chart images
	img        imageState
	limit      *limiter     // nil: no per-client limit
	inl        *inlineStore // the pages' drawings of their charts
	// versionHeader is the DatasetHeader value of the dataset last served.
	versionHeader atomic.Pointer[versionHeader]
}

// NewServer returns the handler that serves every kforstats route.
func NewServer(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.FrameAncestors = frameAncestors(cfg.FrameAncestors)
	cfg.EmbedFrameAncestors = cmp.Or(cfg.EmbedFrameAncestors, DefaultEmbedFrameAncestors)
	if CheckFrameAncestors(cfg.EmbedFrameAncestors) != nil {
		cfg.EmbedFrameAncestors = DefaultEmbedFrameAncestors
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, engine: gin.New(), resp: newRespCache(maxCached, maxCachedBytes), imgs: newRespCache(maxImages, maxImageBytes), inl: newInlineStore()}
	s.limit = newLimiter(cfg.ClientLimit, time.Now)
	s.engine.HandleMethodNotAllowed = true
	s.engine.RedirectTrailingSlash = false
	s.engine.RedirectFixedPath = false
	s.engine.Use(s.observe(), s.recover(), s.guard())
	s.routes()
	if cfg.Store != nil {
		// Gin finishes its route trees on the first request it serves; do
		// that here, before the warm-up serves from another goroutine, so
		// that nothing reads the trees while they are being finished.
		s.prime()
		cfg.Store.OnLoad(s.warm)
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// observe reports each request to cfg.Observe under its route template.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Observe == nil || warming(c.Request) {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		s.cfg.Observe(route, c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}

// recover turns a panic into a logged 500: a bug, never a crash.
func (s *Server) recover() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Error("panic serving request", "path", c.Request.URL.Path, "panic", v)
				fail(c, &Error{Code: EInternal, Msg: "internal error"})
			}
		}()
		c.Next()
	}
}

// data returns the dataset to answer one request from: read once, so a
// reload during the request cannot mix two datasets in one answer.
func (s *Server) data() *dataset.Dataset { return s.cfg.Store.Current() }
