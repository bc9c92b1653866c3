package dashboard

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"num": func(n int) string { return chart.Thousands(n) },
}).ParseFS(templateFS, "templates/page.html"))

// contentSecurityPolicy allows scripts from this origin only: the page has
// no inline script, and the chart options arrive as a same-origin script.
// Styles may be inline because ECharts styles its tooltip and data view
// with style attributes. frame-ancestors follows Config.FrameAncestors.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "

// securityHeaders are set on every HTML and script answer of the page.
func (s *Server) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy+s.cfg.FrameAncestors)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
}

// figure is one headline number.
type figure struct {
	Name  string // data-figure: a stable name tests and scrapers read
	Value string // data-value: the raw number
	Text  string // the number as shown
}

func intFigure(name string, n int) figure {
	return figure{Name: name, Value: strconv.Itoa(n), Text: chart.Thousands(n)}
}

func floatFigure(name string, f float64, text string) figure {
	return figure{Name: name, Value: strconv.FormatFloat(f, 'f', -1, 64), Text: text}
}

// headline is the figures above the charts.
type headline struct {
	Latest, Peak       figure
	LatestRef, PeakRef FigureRef
	Nations            *figure
	NationsRef         *NationsRef
	NATO, Partner      *figure
	SplitRef           *NationsRef
	// SplitSum is what the split adds up to; SplitApart is set when the
	// split is another count than Nations (an older one, or another
	// total), so the page says so rather than show 23 / 5 beside 33.
	SplitSum               int
	SplitApart             bool
	Drawdown               figure
	Area, Per100           *figure
	AreaSource             *dataset.Source
	LatestDate, PeakDate   string
	NationsDate, SplitDate string
}

func newHeadline(d *dataset.Dataset) headline {
	sm := Summary(d)
	h := headline{
		Latest: intFigure("latest_troops", sm.Latest.Troops), LatestRef: sm.Latest,
		Peak: intFigure("peak_troops", sm.Peak.Troops), PeakRef: sm.Peak,
		Drawdown: floatFigure("drawdown_ratio", sm.DrawdownRatio, fmt.Sprintf("%.0f%%", sm.DrawdownRatio*100)),
	}
	if n := sm.Nations; n != nil {
		f := intFigure("nations", n.All)
		h.Nations, h.NationsRef = &f, n
	}
	if sp := sm.Split; sp != nil && sp.NATO != nil && sp.Partner != nil {
		nf, pf := intFigure("nato_nations", *sp.NATO), intFigure("partner_nations", *sp.Partner)
		h.NATO, h.Partner, h.SplitRef = &nf, &pf, sp
		h.SplitSum = *sp.NATO + *sp.Partner
		h.SplitApart = sm.Nations == nil || sm.Nations.All != h.SplitSum || sm.Nations.Date != sp.Date
	}
	if sm.AreaKm2 > 0 {
		a := floatFigure("area_km2", sm.AreaKm2, chart.Thousands(int(sm.AreaKm2+0.5)))
		p := floatFigure("troops_per_100km2", sm.TroopsPer100Km2, strconv.FormatFloat(sm.TroopsPer100Km2, 'f', 1, 64))
		h.Area, h.Per100 = &a, &p
		if f, ok := d.Fact(dataset.AreaKey); ok {
			h.AreaSource = f.Source
		}
	}
	return h
}

// pageChart is one chart's section on the page.
type pageChart struct {
	chart.Option
	Tables    []chart.Table
	Downloads []chart.Link
}

// listChoice is an entry of the date selector.
type listChoice struct {
	Value, Label string
	Selected     bool
}

// pageData is what the template renders.
type pageData struct {
	Version, Checksum, AsOf string
	Notices                 []chart.Notice
	Head                    headline
	Charts                  []pageChart
	Lists                   []listChoice
	From, To, Min, Max      string
	Dark                    bool
	ThemeURL, ResetURL      string
	OptionsURL              string
	EChartsJS, AppJS, CSS   string
	SourcesCount            int
}

// view reads the view from the request, bounded by the server's clock.
func (s *Server) view(c *gin.Context, d *dataset.Dataset) (chart.View, []chart.Notice) {
	q := c.Request.URL.Query()
	for k := range q {
		if len(q[k]) > 1 {
			q[k] = q[k][:1]
		}
	}
	return chart.ParseView(q, d, s.cfg.Now())
}

// handlePage serves the dashboard.
func (s *Server) handlePage() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := s.data()
		v, notices := s.view(c, d)
		opts, err := chart.BuildAll(d, v)
		if err != nil {
			s.cfg.Log.Error("building the charts", "err", err)
			fail(c, &Error{Code: EInternal, Msg: "internal error"})
			return
		}
		data := pageData{
			Version: s.cfg.Version, Checksum: shortSum(d.Checksum), AsOf: d.AsOf.String(),
			Notices: notices, Head: newHeadline(d), Dark: v.Theme == chart.Dark,
			Min: chart.FirstDay.Format(time.DateOnly), Max: s.cfg.Now().UTC().Format(time.DateOnly),
			EChartsJS: assetPath("echarts.min.js"), AppJS: assetPath("app.js"), CSS: assetPath("app.css"),
			OptionsURL: withQuery("/options.js", v.Query()), ResetURL: "/", SourcesCount: len(d.Sources),
		}
		if !v.From.IsZero() {
			data.From = v.From.Format(time.DateOnly)
		}
		if !v.To.IsZero() {
			data.To = v.To.Format(time.DateOnly)
		}
		flip := v
		flip.Theme = chart.Dark
		if v.Theme == chart.Dark {
			flip.Theme = chart.Light
		}
		data.ThemeURL = withQuery("/", flip.Query())
		if v.Theme == chart.Dark {
			data.ResetURL = "/?theme=dark"
		}
		chosen := chart.ChooseList(d, v).List
		for _, ls := range chart.ListDates(d) {
			label := ls.Date.String() + " · " + strconv.Itoa(len(ls.Entries)) + " nation"
			if len(ls.Entries) != 1 {
				label += "s"
			}
			if ls.Complete {
				label += " (complete)"
			}
			data.Lists = append(data.Lists, listChoice{Value: ls.Date.ISO(), Label: label, Selected: chosen != nil && ls.Date.ISO() == chosen.Date.ISO()})
		}
		for _, o := range opts {
			pc := pageChart{Option: o, Tables: o.Tables}
			tq := withQuery("/table/"+o.ID, v.Query())
			pc.Downloads = append(append(pc.Downloads, o.Data...),
				chart.Link{Label: "Figures drawn CSV", Href: strings.Replace(tq, "/table/"+o.ID, "/table/"+o.ID+".csv", 1)},
				chart.Link{Label: "Figures drawn JSON", Href: strings.Replace(tq, "/table/"+o.ID, "/table/"+o.ID+".json", 1)})
			data.Charts = append(data.Charts, pc)
		}
		var buf bytes.Buffer
		if err := pageTemplate.Execute(&buf, data); err != nil {
			s.cfg.Log.Error("rendering the page", "err", err)
			fail(c, &Error{Code: EInternal, Msg: "internal error"})
			return
		}
		s.securityHeaders(c)
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	}
}

// drawCall is one chart as options.js hands it to the page's script.
type drawCall struct {
	ID     string          `json:"id"`
	Theme  string          `json:"theme"`
	Height int             `json:"height"`
	Option json.RawMessage `json:"-"`
}

// handleOptions serves the chart options of a view as a script that hands
// them to the page: kfor.draw([...]). A script from this origin is what a
// Content-Security-Policy of script-src 'self' allows, and unlike JSON it
// can carry the options' functions.
func (s *Server) handleOptions() gin.HandlerFunc {
	return func(c *gin.Context) {
		d := s.data()
		v, _ := s.view(c, d)
		opts, err := chart.BuildAll(d, v)
		if err != nil {
			s.cfg.Log.Error("building the charts", "err", err)
			fail(c, &Error{Code: EInternal, Msg: "internal error"})
			return
		}
		var buf bytes.Buffer
		buf.WriteString("kfor.draw([")
		for i, o := range opts {
			if i > 0 {
				buf.WriteString(",\n")
			}
			head, _ := json.Marshal(drawCall{ID: o.ID, Theme: o.Theme, Height: o.Height}) // plain strings and ints
			buf.Write(head[:len(head)-1])
			buf.WriteString(`,"option":`)
			buf.WriteString(o.JS)
			buf.WriteString("}")
		}
		buf.WriteString("]);\n")
		s.securityHeaders(c)
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", buf.Bytes())
	}
}

// handleTable serves the figures a chart draws, as CSV or JSON:
// /table/strength.csv?from=2009.
func (s *Server) handleTable() gin.HandlerFunc {
	return func(c *gin.Context) {
		file := c.Param("file")
		id, ext, ok := strings.Cut(file, ".")
		if !ok || (ext != "csv" && ext != "json") {
			fail(c, Errorf(ENotFound, "", "no such table: %s (want /table/ID.csv or /table/ID.json)", file))
			return
		}
		d := s.data()
		v, _ := s.view(c, d)
		o, err := chart.Build(id, d, v)
		if err != nil {
			fail(c, Errorf(ENotFound, "", "no chart %q", id))
			return
		}
		if ext == "json" {
			c.JSON(http.StatusOK, o.Tables)
			return
		}
		// The CSV holds the chart's main table; the JSON has them all.
		writeCSV(c, "kfor-"+id+".csv", append([][]string{o.Tables[0].Head}, o.Tables[0].Rows...))
	}
}

// withQuery appends a query to a path when there is one.
func withQuery(p string, q url.Values) string {
	if len(q) == 0 {
		return p
	}
	return p + "?" + q.Encode()
}

func shortSum(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
