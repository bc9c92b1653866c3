package dashboard

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/assets"
	"github.com/kforstats/kforstats/dashboard/param"
)

// asset is one embedded static file served under a content-hashed name, so
// that it can be cached for a year: a new build with new content gets a
// new name.
type asset struct {
	name  string // hashed: echarts.1a2b3c4d5e.min.js
	ctype string
	body  []byte
	etag  string

	gz, br []byte // body compressed at the best levels (precompress.go)
}

// assetSet maps the source name (echarts.min.js) and the hashed name to the
// asset; made once at start-up.
type assetSet struct {
	bySource map[string]*asset
	byName   map[string]*asset
}

var staticAssets = sync.OnceValue(func() *assetSet {
	a := &assetSet{bySource: map[string]*asset{}, byName: map[string]*asset{}}
	entries, err := fs.ReadDir(assets.Files, ".")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	for _, e := range entries {
		// The image exporter's ECharts is for goja: the page loads its own.
		if e.IsDir() || e.Name() == "echarts.min.js" {
			continue
		}
		body := readAsset(e.Name())
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])[:12]
		base, ext, _ := strings.Cut(e.Name(), ".") // "app", "css"
		a.add(e.Name(), base+"."+hash+"."+ext, `"`+hash+`"`, body)
	}
	// The page's ECharts modules import each other by the names esbuild
	// gave them, with its hash of their content: served as they are.
	page, err := fs.ReadDir(assets.Files, assets.PageDir)
	if err != nil {
		panic(err)
	}
	for _, e := range page {
		body := readAsset(path.Join(assets.PageDir, e.Name()))
		sum := sha256.Sum256(body)
		src := e.Name()
		if base, _, ok := strings.Cut(src, "-"); ok && base == "page" {
			src = "page.js" // the entry, as assetPath names it
		}
		a.add(src, e.Name(), `"`+hex.EncodeToString(sum[:])[:12]+`"`, body)
	}
	return a
})

// readAsset reads an embedded file the embed pattern guarantees.
func readAsset(name string) []byte {
	body, err := assets.Files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return body
}

// add serves body under name, for the source name src.
func (a *assetSet) add(src, name, etag string, body []byte) {
	x := &asset{name: name, body: body, etag: etag, ctype: mime.TypeByExtension(path.Ext(name))}
	if strings.HasSuffix(name, ".js") {
		x.ctype = "text/javascript; charset=utf-8"
	}
	x.gz, x.br = assetEncodings(x.name, body)
	a.bySource[src] = x
	a.byName[x.name] = x
}

// assetPath returns the URL path of the embedded file named src
// ("app.css"), with its content hash in the name.
func assetPath(src string) string {
	a := staticAssets().bySource[src]
	if a == nil {
		panic("dashboard: no embedded asset " + src)
	}
	return "/static/" + a.name
}

// handleStatic serves the hashed assets, immutable for a year, brotli or
// gzip as the client accepts. Any other name, including every attempt to leave
// the directory, is 404.
func (s *Server) handleStatic() handler {
	return func(c *gin.Context, _ param.Values) {
		a := staticAssets().byName[c.Param("file")]
		if a == nil {
			fail(c, Errorf(ENotFound, "", "no such file: %s", c.Request.URL.Path))
			return
		}
		h := c.Writer.Header()
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", a.etag)
		h.Set("Vary", "Accept-Encoding")
		h.Set("X-Content-Type-Options", "nosniff")
		if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatch(inm, a.etag) {
			c.Status(http.StatusNotModified)
			c.Writer.WriteHeaderNow()
			return
		}
		body := a.body
		switch acceptedEncoding(c.GetHeader("Accept-Encoding")) {
		case "br":
			body = a.br
			h.Set("Content-Encoding", "br")
		case "gzip":
			body = a.gz
			h.Set("Content-Encoding", "gzip")
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		c.Data(http.StatusOK, a.ctype, body)
	}
}
