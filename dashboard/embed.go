package dashboard

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dashboard/images"
	"github.com/kforstats/kforstats/dashboard/param"
)

// DefaultEmbedFrameAncestors is who may frame /embed/{chart} when the
// configuration names no one: anybody, as an embeddable chart is meant to
// be. The dashboard itself keeps Config.FrameAncestors.
const DefaultEmbedFrameAncestors = "*"

var embedTemplate = template.Must(template.ParseFS(templateFS, "templates/embed.html"))

// embedData is what the embed template renders.
type embedData struct {
	ID, Title, Footer     string
	Dark                  bool
	P                     *i18n.Printer
	PageURL, OptionsURL   string
	EChartsJS, AppJS, CSS string
}

// handleEmbed serves one chart of a view alone, for an iframe: the page's
// chart, its provenance line and a link to the dashboard.
func (s *Server) handleEmbed() handler {
	return func(c *gin.Context, pv param.Values) {
		id := c.Param("chart")
		if !images.Known(id) {
			fail(c, Errorf(ENotFound, "", "no chart %q: GET /charts lists them", id))
			return
		}
		d, v := s.data(), pv.View
		opts, ok := s.buildCharts(c, d, v)
		if !ok {
			return
		}
		pr := i18n.NewPrinter(pageLang(v))
		data := embedData{ID: id, Dark: v.Theme == chart.Dark, P: pr, PageURL: withQuery("/", v.Query()), OptionsURL: withQuery("/options.js", v.Query()),
			EChartsJS: assetPath("page.js"), AppJS: assetPath("app.js"), CSS: assetPath("app.css")}
		for _, o := range opts {
			if o.ID == id {
				data.Title, data.Footer = o.Title, images.Footer(d, pr, o.Sources, strings.TrimSuffix(s.cfg.ExternalURL, "/"))
			}
		}
		var b bytes.Buffer
		if err := embedTemplate.Execute(&b, data); err != nil {
			s.cfg.Log.Error("rendering the embed page", "err", err)
			fail(c, &Error{Code: EInternal, Msg: "internal error"})
			return
		}
		c.Header("Content-Security-Policy", contentSecurityPolicy+s.cfg.EmbedFrameAncestors)
		c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
	}
}
