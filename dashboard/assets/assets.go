// Package assets holds the page's embedded static files: the ECharts
// bundle, the page's script and style sheet, the maps' outlines (GeoJSON
// from Natural Earth, which the page fetches only when a map scrolls into
// view), and their compressed forms.
// The server serves them; the chart images draw with the same bundle.
package assets

import "embed"

// Files are the static files, by their source names (echarts.min.js,
// geo-world.json), and the page's ECharts under PageDir.
//
//go:embed *.js *.css *.json page/*.js
var Files embed.FS

// PageDir holds the ECharts the page loads, as esbuild splits it into ES
// modules that import each other by name: page-HASH.js, the entry; the
// chunk it shares with maps-HASH.js, the maps' parts, which it imports
// when a map scrolls into view. Their names carry esbuild's hash of their
// content, and are served as they are.
const PageDir = "page"

// Precompressed holds the build's gzip and brotli forms of the large
// files, under PrecompressedDir, named after each file's hashed name
// (echarts.1a2b3c4d5e6f.min.js.br); `make assets` writes them.
//
//go:embed precompressed
var Precompressed embed.FS

// PrecompressedDir is the directory of the compressed forms, in
// Precompressed and under dashboard/assets on disk.
const PrecompressedDir = "precompressed"

// ECharts returns the ECharts bundle the image exporter draws with: every
// part the charts use in one script, for goja (which runs no ES modules);
// it is not served.
func ECharts() []byte {
	b, err := Files.ReadFile("echarts.min.js")
	if err != nil {
		panic(err) // the embed pattern guarantees the file
	}
	return b
}
