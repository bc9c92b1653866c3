package dashboard

import (
	_ "embed"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/param"
)

// openAPI is the API's contract, kept in the repository beside the route
// table; TestOpenAPIMatchesRoutes fails when the two part, and
// TestOpenAPIAnswers checks every route's answers against it.
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI() handler {
	return func(c *gin.Context, _ param.Values) {
		c.Data(http.StatusOK, "application/json; charset=utf-8", openAPI)
	}
}

// IndexRoute is one route in GET /api/v1/.
type IndexRoute struct {
	Path   string   `json:"path"` // a path parameter in braces, as OpenAPI writes it
	Doc    string   `json:"doc"`
	Params []string `json:"params"`
	Href   string   `json:"href,omitempty"` // a link, for a route without path parameters
}

// IndexAnswer is GET /api/v1/: the API's routes, from the route table.
type IndexAnswer struct {
	OpenAPI string       `json:"openapi"`
	Routes  []IndexRoute `json:"routes"`
}

// apiPath reports whether a route is part of the API the OpenAPI document
// describes: the record's tables and the chart images.
func apiPath(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") || path == "/charts" || strings.HasPrefix(path, "/charts/")
}

// openAPIPath writes a Gin path as OpenAPI does: /nations/:code is
// /nations/{code}.
func openAPIPath(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "{" + p[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

func (s *Server) handleIndex() handler {
	return func(c *gin.Context, _ param.Values) {
		a := IndexAnswer{OpenAPI: "/api/v1/openapi.json", Routes: []IndexRoute{}}
		for _, r := range s.routeTable {
			if !apiPath(r.path) {
				continue
			}
			ir := IndexRoute{Path: openAPIPath(r.path), Doc: r.doc, Params: []string{}}
			for _, p := range r.params {
				ir.Params = append(ir.Params, string(p))
			}
			if !strings.Contains(r.path, ":") {
				ir.Href = r.path
			}
			a.Routes = append(a.Routes, ir)
		}
		c.JSON(http.StatusOK, a)
	}
}
