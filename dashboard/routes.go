package dashboard

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes is the one route table.
func (s *Server) routes() {
	e := s.engine
	// The page, its chart options and tables depend only on the dataset,
	// the day and the view: made once, then served from memory.
	view := []string{"theme", "from", "to", "date"}
	e.GET("/", s.cache(view, s.handlePage()))
	e.GET("/options.js", s.cache(view, s.handleOptions()))
	e.GET("/table/:file", s.cache(view, s.handleTable()))
	e.GET("/static/:file", s.handleStatic())
	e.GET("/charts", s.handleCharts())
	e.GET("/charts/:file", s.handleChartImage())
	e.GET("/healthz", s.handleHealthz())
	e.GET("/readyz", s.handleReadyz())

	api := e.Group("/api/v1")
	api.GET("/summary", s.cache(nil, s.handleSummary()))
	api.GET("/strength", s.cache([]string{"all"}, s.handleStrength(false)))
	api.GET("/strength.csv", s.cache([]string{"all"}, s.handleStrength(true)))
	api.GET("/contributions", s.cache([]string{"date", "complete"}, s.handleContributions(false)))
	api.GET("/contributions.csv", s.cache([]string{"date", "complete"}, s.handleContributions(true)))
	api.GET("/counts", s.cache(nil, s.handleCounts(false)))
	api.GET("/counts.csv", s.cache(nil, s.handleCounts(true)))
	api.GET("/events", s.cache(nil, s.handleEvents(false)))
	api.GET("/events.csv", s.cache(nil, s.handleEvents(true)))
	api.GET("/sources", s.cache(nil, s.handleSources(false)))
	api.GET("/sources.csv", s.cache(nil, s.handleSources(true)))
	api.GET("/nations", s.cache(nil, s.handleNations(false)))
	api.GET("/nations.csv", s.cache(nil, s.handleNations(true)))
	api.GET("/structure", s.cache(nil, s.handleStructure()))

	if s.cfg.History != nil {
		api.GET("/history.om", gin.WrapH(s.cfg.History))
	}
	if s.cfg.Metrics != nil {
		e.GET("/metrics", gin.WrapH(s.cfg.Metrics))
	}
	e.POST("/-/reload", s.handleReload())

	// HEAD is answered wherever GET is, with GET's status and headers; the
	// HTTP server drops the body.
	for _, r := range e.Routes() {
		if r.Method == http.MethodGet {
			e.HEAD(r.Path, r.HandlerFunc)
		}
	}

	e.NoRoute(func(c *gin.Context) {
		fail(c, Errorf(ENotFound, "", "no such page: %s", c.Request.URL.Path))
	})
	e.NoMethod(func(c *gin.Context) {
		fail(c, Errorf(EMethod, "", "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
}

func (s *Server) handleHealthz() gin.HandlerFunc {
	return func(c *gin.Context) { c.String(http.StatusOK, "ok\n") }
}

// handleReadyz answers 200 once a dataset is loaded: a Store always has one,
// so readiness follows from the server existing.
func (s *Server) handleReadyz() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Store == nil || s.cfg.Store.Current() == nil {
			fail(c, Errorf(EUnavailable, "", "no dataset loaded yet"))
			return
		}
		c.String(http.StatusOK, "ready\n")
	}
}

// handleReload reloads the dataset, when the lifecycle API is on.
func (s *Server) handleReload() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.cfg.EnableLifecycle {
			fail(c, Errorf(EForbidden, "", "lifecycle APIs are not enabled (start with --web.enable-lifecycle)"))
			return
		}
		if err := s.cfg.Store.Reload(); err != nil {
			// The input is bad, not the server: still serving the last good dataset.
			c.JSON(http.StatusUnprocessableEntity, gin.H{"error": "reload failed; still serving the last good dataset", "detail": err.Error(), "code": EInvalid})
			return
		}
		d := s.data()
		c.JSON(http.StatusOK, gin.H{"status": "reloaded", "checksum": d.Checksum, "as_of": d.AsOf.String()})
	}
}
