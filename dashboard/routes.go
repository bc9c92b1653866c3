package dashboard

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
)

// route is one GET route, declared once: the parameters it reads and how,
// whether its answers are cached and made at load. Its parsing, its cache
// key, the documentation of its parameters and the load-time warm-up all
// come from this declaration.
type route struct {
	path string
	doc  string // what it answers, for the API index
	// params are every query parameter the handler reads; any other is
	// ignored and left out of the cache key, so that a client cannot grow
	// the cache by inventing them.
	params []param.Name
	// mode is Strict for the API and the images (a value that cannot be
	// used is a 4xx naming it), Lenient for the page (it falls back and
	// says so).
	mode param.Mode
	// cache, when set, keeps each answer, made once per dataset, day and
	// parsed parameters.
	cache func(*Server) *respCache
	// warm makes the answer at each load, in the default view, so that the
	// first reader after a (re)load is served from memory.
	warm bool
	// pin keeps the answer until the dataset or the day changes, however
	// large: for one large answer that is costly to make.
	pin bool
	// anyDate, when it holds for a request, reads its date parameter as
	// any day of KFOR's, not the day of a per-nation list (which must have
	// one on or before it): the structure's routes, the structure map's
	// image.
	anyDate func(c *gin.Context) bool
	handle  func(s *Server) handler
}

// handler answers one request, given its parsed parameters.
type handler func(c *gin.Context, v param.Values)

// answers and pictures are the server's two response caches: the page and
// the API; the chart images, bounded apart so that images never evict the
// page.
func answers(s *Server) *respCache  { return s.resp }
func pictures(s *Server) *respCache { return s.imgs }

// structureParams are the structure's: its date is any day of KFOR's,
// not a per-nation list's (see route.anyDate).
var structureParams = []param.Name{param.Date, param.All}

// viewParams are the parameters of the page's views.
var viewParams = param.View

// table is the route table: every GET route the server answers.
func (s *Server) table() []route {
	api := func(path, doc string, params []param.Name, warm bool, h func(*Server) handler) route {
		return route{path: "/api/v1/" + path, doc: doc, params: params, mode: param.Strict, cache: answers, warm: warm, handle: h}
	}
	series := []param.Name{param.From, param.To}
	anyDate := func(r route) route { r.anyDate = func(*gin.Context) bool { return true }; return r }
	rs := []route{
		{path: "/", doc: "the dashboard", params: viewParams, mode: param.Lenient, cache: answers, warm: true, handle: (*Server).handlePage},
		{path: "/options.js", doc: "the chart options of a view, as a script", params: viewParams, mode: param.Lenient, cache: answers, warm: true, handle: (*Server).handleOptions},
		{path: "/table/:file", doc: "the figures a chart draws, as CSV or JSON", params: viewParams, mode: param.Lenient, cache: answers, handle: (*Server).handleTable},
		{path: "/embed/:chart", doc: "one chart of a view alone, for an iframe", params: viewParams, mode: param.Lenient, cache: answers, handle: (*Server).handleEmbed},
		{path: "/static/:file", doc: "the page's script, style sheet and ECharts bundle", handle: (*Server).handleStatic},
		{path: "/charts", doc: "every chart with its image URLs and parameters", cache: answers, handle: (*Server).handleCharts},
		{path: "/charts/:file", doc: "a chart as SVG or PNG", params: images.Params, mode: param.Strict, cache: pictures, handle: (*Server).handleChartImage,
			anyDate: func(c *gin.Context) bool {
				id, _, _ := strings.Cut(c.Param("file"), ".")
				return chart.AnyDay(id)
			}},
		{path: "/healthz", doc: "liveness", handle: (*Server).handleHealthz},
		{path: "/readyz", doc: "readiness: a dataset is loaded", handle: (*Server).handleReadyz},

		api("", "every route of the API, with links", nil, true, (*Server).handleIndex),
		api("openapi.json", "the API's contract as OpenAPI 3.1", nil, false, (*Server).handleOpenAPI),
		api("datapackage.json", "the record's Frictionless data package: every table's schema, the licence and the version", nil, false, (*Server).handleDataPackage),
		api("kfor-record.zip", "the record as one zip: every table as CSV, its version and the data package", nil, false, (*Server).handleRecordZip),
		api("summary", "the headline figures", nil, true, (*Server).handleSummary),
		api("strength", "total strength: the preferred series, or every observation with all=1", append([]param.Name{param.All}, series...), true, strengthListing.handler(false)),
		api("strength.csv", "total strength as CSV", append([]param.Name{param.All}, series...), true, strengthListing.handler(true)),
		api("strength/:date", "the permalink of a strength figure: every observation dated as given (YYYY, YYYY-MM or YYYY-MM-DD)", nil, false, strengthAtHandler),
		api("contributions", "the per-nation list in force at a date", []param.Name{param.Date, param.Complete}, true, contributionsHandler(false)),
		api("contributions.csv", "the per-nation list in force at a date, as CSV", []param.Name{param.Date, param.Complete}, false, contributionsHandler(true)),
		api("counts", "contributing-nation counts", series, true, countsListing.handler(false)),
		api("counts.csv", "contributing-nation counts as CSV", series, false, countsListing.handler(true)),
		api("events", "events", series, true, eventsListing.handler(false)),
		api("events.csv", "events as CSV", series, false, eventsListing.handler(true)),
		api("sources", "every source", nil, true, sourcesListing.handler(false)),
		api("sources.csv", "every source as CSV", nil, false, sourcesListing.handler(true)),
		api("nations", "contributing nations and their NATO accession", nil, true, nationsListing.handler(false)),
		api("nations.csv", "contributing nations as CSV", nil, false, nationsListing.handler(true)),
		api("nations/:code/troops", "one nation's contingent over time: every figure from its lists and national sources, oldest first", series, false, nationTroopsHandler(false)),
		api("nations/:code/troops.csv", "one nation's contingent over time as CSV", series, false, nationTroopsHandler(true)),
		anyDate(api("structure", "the formations in force at a date (default today), or every formation with its dates with all=1, and the standing facts", structureParams, true, structureHandler(false))),
		anyDate(api("structure.csv", "the formations in force at a date, as CSV", structureParams, false, structureHandler(true))),
	}
	if s.cfg.History != nil {
		h := api("history.om", "the record as OpenMetrics with timestamps, for Prometheus' backfill", nil, false, (*Server).handleHistory)
		h.pin = true // 15 MB of text, made once a day
		rs = append(rs, h)
	}
	return rs
}

// routes registers the route table and the routes outside it.
func (s *Server) routes() {
	e := s.engine
	s.routeTable = s.table()
	for _, r := range s.routeTable {
		e.GET(r.path, s.serve(r))
	}
	if s.cfg.Metrics != nil {
		// promhttp negotiates the exposition format and its compression.
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

// Routes lists every route the server answers as "METHOD /path", path
// parameters in the router's syntax (/embed/:chart): for checks that must
// reach every route, so that a route added is a route checked.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.engine.Routes() {
		out = append(out, r.Method+" "+r.Path)
	}
	slices.Sort(out)
	return out
}

// serve parses the parameters route r declares, then answers from its
// cache or its handler.
func (s *Server) serve(r route) gin.HandlerFunc {
	h := r.handle(s)
	defaultKey := param.Defaults().Key(r.params)
	negotiates := slices.Contains(r.params, param.Lang)
	return func(c *gin.Context) {
		v := param.Defaults()
		key := c.Request.URL.Path
		if len(r.params) > 0 && c.Request.URL.RawQuery != "" {
			var err error
			parse := param.Parse
			if r.anyDate != nil && r.anyDate(c) {
				parse = param.ParseAnyDay // no per-nation list needed at the date
			}
			if v, err = parse(c.Request.URL.Query(), r.params, r.mode, s.data(), s.cfg.Now()); err != nil {
				fail(c, paramError(err))
				return
			}
		}
		if negotiates {
			// Without lang= the reader's browser chooses; the answer
			// depends on the header, and says so to every cache.
			c.Header("Vary", "Accept-Language")
			if v.View.Lang == "" {
				if l := i18n.Negotiate(c.GetHeader("Accept-Language")); l.Code != i18n.English.Code {
					v.View.Lang = l.Code
				}
			}
			// The page, its options, embeds and images alike say their
			// language.
			c.Header("Content-Language", pageLang(v.View).Code)
		}
		if k := v.Key(r.params); len(r.params) > 0 && k != defaultKey {
			key += "\x00" + k
		}
		if r.cache == nil {
			h(c, v)
			return
		}
		s.cached(r.cache(s), key, r.pin, c, func(c *gin.Context) { h(c, v) })
	}
}

// paramError is a parameter that cannot be used, in the error vocabulary.
func paramError(err error) error {
	var n *param.Notice
	if !errors.As(err, &n) {
		return err
	}
	code := EInvalid
	if n.Problem == param.Missing {
		code = ENotFound
	}
	return &Error{Code: code, Param: string(n.Param), Msg: n.Msg.String(), Text: n.Msg}
}

func (s *Server) handleHealthz() handler {
	return func(c *gin.Context, _ param.Values) { c.String(http.StatusOK, "ok\n") }
}

// handleReadyz answers 200 once a dataset is loaded: a Store always has one,
// so readiness follows from the server existing.
func (s *Server) handleReadyz() handler {
	return func(c *gin.Context, _ param.Values) {
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
			// The input is bad, not the server: still serving the last good
			// dataset. The operator reads it in the log, the client in the
			// answer.
			s.cfg.Log.Error("dataset reload failed; still serving the last good dataset", "origin", s.cfg.Store.Origin().Name, "err", err)
			fail(c, &Error{Code: EBadDataset, Msg: "reload failed; still serving the last good dataset", Detail: err.Error()})
			return
		}
		d := s.data()
		c.JSON(http.StatusOK, gin.H{"status": "reloaded", "checksum": d.Checksum, "as_of": d.AsOf.String()})
	}
}
