package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/content"

	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
)

// datePattern is the one date grammar as the OpenAPI document writes it.
const datePattern = `^\d{4}(-\d{2}(-\d{2})?)?$`

// openAPIServer is a server with every route of the table, the backfill
// export included.
func openAPIServer(tb testing.TB) *Server {
	tb.Helper()
	store, err := dataset.NewStore(dataset.EmbeddedOrigin(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return NewServer(Config{Store: store, Now: func() time.Time { return apiNow },
		History: func(w io.Writer, _ *dataset.Dataset, _ time.Time) error {
			_, err := io.WriteString(w, "kfor_troops 4500 1700000000\n# EOF\n")
			return err
		}})
}

// csvRecords reads a CSV answer as the validator sees it: one object per
// record, by the header's column names, so that the document's schema of
// a CSV answer checks its columns.
var csvRecords = content.DecoderFunc(func(in *content.DecodeInput) (any, error) {
	rows, err := csv.NewReader(in.Body).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no header row")
	}
	out := []any{}
	for _, r := range rows[1:] {
		o := map[string]any{}
		for i, h := range rows[0] {
			o[h] = r[i]
		}
		out = append(out, o)
	}
	return out, nil
})

func openAPIValidator(tb testing.TB) validator.Validator {
	tb.Helper()
	doc, err := libopenapi.NewDocument(openAPI)
	if err != nil {
		tb.Fatalf("libopenapi.NewDocument: %v", err)
	}
	v, errs := validator.NewValidator(doc, config.WithBodyDecoder("text/csv", csvRecords))
	if len(errs) > 0 {
		tb.Fatalf("NewValidator: %v", errs)
	}
	return v
}

// TestOpenAPIDocument: the document is valid OpenAPI 3.1.
func TestOpenAPIDocument(t *testing.T) {
	v := openAPIValidator(t)
	if ok, errs := v.ValidateDocument(); !ok {
		for _, e := range errs {
			t.Errorf("openapi.json: %s: %s (line %d)", e.Message, e.Reason, e.SpecLine)
		}
	}
}

// TestOpenAPIMatchesRoutes: every route of the table under /api/v1/ and
// /charts has a path in the document, with exactly the parameters it
// declares, each as param.Specs gives it; the document has no other path.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Parameters map[string]oaParam `json:"parameters"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	s := openAPIServer(t)
	seen := map[string]bool{}
	for _, r := range s.routeTable {
		if !apiPath(r.path) {
			continue
		}
		p := openAPIPath(r.path)
		seen[p] = true
		raw, ok := doc.Paths[p]["get"]
		if !ok {
			t.Errorf("route %s is not in openapi.json: document it as GET %s", r.path, p)
			continue
		}
		var op struct {
			Parameters []oaParam `json:"parameters"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		var query, path []string
		for _, prm := range op.Parameters {
			if prm.Ref != "" {
				prm = doc.Components.Parameters[strings.TrimPrefix(prm.Ref, "#/components/parameters/")]
			}
			switch prm.In {
			case "query":
				query = append(query, prm.Name)
				checkParam(t, p, prm)
			case "path":
				path = append(path, prm.Name)
				if !prm.Required {
					t.Errorf("GET %s: path parameter %s is not required", p, prm.Name)
				}
				if prm.Name == string(param.Code) {
					checkParam(t, p, prm)
				}
			default:
				t.Errorf("GET %s: parameter %s in %q", p, prm.Name, prm.In)
			}
		}
		var want []string
		for _, n := range r.params {
			want = append(want, string(n))
		}
		slices.Sort(want)
		slices.Sort(query)
		if !slices.Equal(query, want) {
			t.Errorf("GET %s: query parameters %v in openapi.json, the route declares %v", p, query, want)
		}
		var wantPath []string
		for _, seg := range strings.Split(r.path, "/") {
			if strings.HasPrefix(seg, ":") {
				wantPath = append(wantPath, seg[1:])
			}
		}
		if !slices.Equal(path, wantPath) {
			t.Errorf("GET %s: path parameters %v in openapi.json, want %v", p, path, wantPath)
		}
	}
	for p := range doc.Paths {
		if !seen[p] {
			t.Errorf("openapi.json documents %s, which the route table does not have", p)
		}
	}
}

type oaParam struct {
	Ref         string `json:"$ref"`
	Name        string `json:"name"`
	In          string `json:"in"`
	Required    bool   `json:"required"`
	Description string `json:"description"`
	Schema      struct {
		Type    string   `json:"type"`
		Enum    []string `json:"enum"`
		Pattern string   `json:"pattern"`
		Minimum *int     `json:"minimum"`
		Maximum *int     `json:"maximum"`
	} `json:"schema"`
}

// checkParam checks a documented parameter against its declaration.
func checkParam(tb testing.TB, path string, p oaParam) {
	tb.Helper()
	specs := param.Specs([]param.Name{param.Name(p.Name)})
	sp := specs[0]
	if sp.Name == "" {
		tb.Errorf("GET %s: parameter %s has no declaration in param.Specs", path, p.Name)
		return
	}
	if p.Description != sp.Doc {
		tb.Errorf("GET %s: %s is described as %q, param.Specs says %q", path, p.Name, p.Description, sp.Doc)
	}
	sc := p.Schema
	var bad bool
	switch sp.Kind {
	case param.KindDate:
		bad = sc.Type != "string" || sc.Pattern != datePattern
	case param.KindEnum:
		bad = sc.Type != "string" || !slices.Equal(sc.Enum, sp.Enum)
	case param.KindBoolean:
		bad = sc.Type != "string" || !slices.Contains(sc.Enum, "1") || !slices.Contains(sc.Enum, "0")
	case param.KindInteger:
		bad = sc.Type != "integer" || sc.Minimum == nil || *sc.Minimum != sp.Min || sc.Maximum == nil || *sc.Maximum != sp.Max
	case param.KindCode:
		bad = sc.Type != "string" || sc.Pattern != "^[A-Za-z]{3}$"
	}
	if bad {
		tb.Errorf("GET %s: %s's schema %+v does not say what param.Specs declares: %+v", path, p.Name, sc, sp)
	}
}

// openAPISamples are requests to every API route, answered 200 and 4xx.
// Chart PNGs are left to the image tests (a first PNG compiles the
// rasteriser: slow under -race); one SVG is drawn.
var openAPISamples = []string{
	"/api/v1/", "/api/v1/openapi.json", "/api/v1/datapackage.json", "/api/v1/kfor-record.zip",
	"/api/v1/summary",
	"/api/v1/strength", "/api/v1/strength?all=1&from=2000&to=2010-06", "/api/v1/strength?from=bogus", "/api/v1/strength?all=maybe",
	"/api/v1/strength.csv", "/api/v1/strength.csv?all=1", "/api/v1/strength.csv?to=2010-13",
	"/api/v1/strength/1999-06-15", "/api/v1/strength/2000-02", "/api/v1/strength/1999-01-01", "/api/v1/strength/1999-13", "/api/v1/strength/%3Cx%3E",
	"/api/v1/contributions", "/api/v1/contributions?date=2017-12&complete=1", "/api/v1/contributions?date=1999-01", "/api/v1/contributions?date=x",
	"/api/v1/contributions.csv?date=2023", "/api/v1/contributions.csv?date=1999-01-02", "/api/v1/contributions.csv?complete=perhaps",
	"/api/v1/counts", "/api/v1/counts?from=2010", "/api/v1/counts?from=2012&to=2010", "/api/v1/counts.csv", "/api/v1/counts.csv?to=no",
	"/api/v1/events", "/api/v1/events?to=2001", "/api/v1/events?from=1800", "/api/v1/events.csv", "/api/v1/events.csv?from=2099",
	"/api/v1/sources", "/api/v1/sources.csv", "/api/v1/nations", "/api/v1/nations.csv",
	"/api/v1/nations/DEU/troops", "/api/v1/nations/ita/troops?from=2010", "/api/v1/nations/XYZ/troops", "/api/v1/nations/TOOLONG/troops", "/api/v1/nations/DEU/troops?to=x",
	"/api/v1/nations/USA/troops.csv", "/api/v1/nations/ZZZ/troops.csv", "/api/v1/nations/1/troops.csv",
	"/api/v1/structure", "/api/v1/structure?date=2012-02-15", "/api/v1/structure?date=2031", "/api/v1/structure.csv?all=1", "/api/v1/structure.csv?date=bogus", "/api/v1/history.om",
	"/charts", "/charts/strength.svg?width=600&height=400", "/charts/strength.svg?scale=2", "/charts/strength.png?width=1", "/charts/nope.svg", "/charts/strength.gif", "/charts/share.png?theme=pink", "/charts/contingents.svg?nation=XYZ", "/charts/strength.svg?axis=bogus",
}

// TestOpenAPIAnswers: every answer of every API route, JSON and CSV, 200
// and 4xx, is what the document says.
func TestOpenAPIAnswers(t *testing.T) {
	s := openAPIServer(t)
	v := openAPIValidator(t)
	routes := map[string]bool{}
	for _, target := range openAPISamples {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		routes[openAPIRoute(s, req)] = true
		resp := w.Result()
		resp.Body = io.NopCloser(bytes.NewReader(w.Body.Bytes()))
		if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
			for _, e := range errs {
				t.Errorf("GET %s (%d): %s: %s", target, w.Code, e.Message, e.Reason)
				for _, f := range e.SchemaValidationErrors {
					t.Logf("  %s: %s", f.FieldPath, f.Reason)
				}
			}
		}
	}
	for _, r := range s.routeTable {
		if apiPath(r.path) && !routes[r.path] {
			t.Errorf("route %s has no sample in openAPISamples", r.path)
		}
	}
}

// openAPIRoute is the route template the server matched req to.
func openAPIRoute(s *Server, req *http.Request) string {
	for _, r := range s.routeTable {
		segs, got := strings.Split(r.path, "/"), strings.Split(req.URL.Path, "/")
		if len(segs) != len(got) {
			continue
		}
		match := true
		for i := range segs {
			if !strings.HasPrefix(segs[i], ":") && segs[i] != got[i] {
				match = false
			}
		}
		if match {
			return r.path
		}
	}
	return ""
}
