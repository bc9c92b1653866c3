package render

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The fonts text is measured with (here) and drawn with (by resvg, in
// png.go): Liberation Sans, metric-compatible with Arial, which is what
// Chromium on Debian draws for ECharts' default "sans-serif". Measuring with
// the font that draws is what keeps legends and labels where the browser
// puts them. SIL Open Font License 1.1: fonts/LICENSE.
//
//go:embed fonts/*.ttf
var fontFiles embed.FS

// face names one of the four embedded styles.
type face int

const (
	regular face = iota
	bold
	italic
	boldItalic
)

var faceFiles = [...]string{
	regular:    "fonts/LiberationSans-Regular.ttf",
	bold:       "fonts/LiberationSans-Bold.ttf",
	italic:     "fonts/LiberationSans-Italic.ttf",
	boldItalic: "fonts/LiberationSans-BoldItalic.ttf",
}

// fontSet is the parsed fonts, read once per process.
type fontSet struct {
	raw   [][]byte // the files, as resvg takes them
	faces [len(faceFiles)]*sfnt.Font
	upem  [len(faceFiles)]float64
}

var loadFonts = sync.OnceValues(func() (*fontSet, error) {
	fs := &fontSet{}
	for i, name := range faceFiles {
		b, err := fontFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("embedded font %s: %w", name, err)
		}
		f, err := sfnt.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("embedded font %s: %w", name, err)
		}
		fs.raw = append(fs.raw, b)
		fs.faces[i] = f
		fs.upem[i] = float64(f.UnitsPerEm())
	}
	return fs, nil
})

// measurer measures text widths for one goroutine at a time (it reuses an
// sfnt.Buffer); each pooled JS runtime owns one.
type measurer struct {
	fonts *fontSet
	buf   sfnt.Buffer
}

// width returns the advance width in pixels of text set in the CSS font
// shorthand cssFont (what ECharts passes to measureText, such as
// "bold 14px sans-serif"), as Chromium's canvas measureText reports it:
// the sum of the glyph advances at that size, unhinted.
func (m *measurer) width(text, cssFont string) float64 {
	fc, size := parseFont(cssFont)
	f := m.fonts.faces[fc]
	ppem := fixed.Int26_6(f.UnitsPerEm()) // advances in font units, unscaled
	var units float64
	for _, r := range text {
		if r == '\n' || r == '\r' {
			continue
		}
		g, err := f.GlyphIndex(&m.buf, r)
		if err != nil || g == 0 {
			// Not in Liberation Sans (CJK, emoji): a full em, as a
			// fallback font's ideograph would be.
			units += m.fonts.upem[fc]
			continue
		}
		adv, err := f.GlyphAdvance(&m.buf, g, ppem, font.HintingNone)
		if err != nil {
			units += m.fonts.upem[fc]
			continue
		}
		units += float64(adv)
	}
	return units * size / m.fonts.upem[fc]
}

// parseFont reads the style, weight and size of a CSS font shorthand
// ("italic bold 12px Microsoft YaHei"); the family is ignored, since every
// family is drawn in Liberation Sans. It falls back to 12px regular, ECharts'
// own default, on anything it cannot read.
func parseFont(css string) (face, float64) {
	isBold, isItalic, size := false, false, 12.0
	for _, tok := range strings.Fields(css) {
		switch tok {
		case "bold", "bolder", "600", "700", "800", "900":
			isBold = true
			continue
		case "italic", "oblique":
			isItalic = true
			continue
		}
		if px, ok := strings.CutSuffix(tok, "px"); ok {
			if v, err := strconv.ParseFloat(px, 64); err == nil && v > 0 && v < 1000 {
				size = v
			}
			break // the family follows the size
		}
	}
	switch {
	case isBold && isItalic:
		return boldItalic, size
	case isBold:
		return bold, size
	case isItalic:
		return italic, size
	}
	return regular, size
}
