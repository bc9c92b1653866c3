package render

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// fewerClipLayers rewrites an SVG from ECharts' SVG renderer so that resvg
// draws it with fewer layers, drawing the same picture (only anti-aliased
// clip edges may differ, by a level or two out of 255). resvg
// paints each group that has a clip-path on a layer of its own the size of
// the image, some 28 ms each at 2000x960, and ECharts clips every series
// and each part of the slider's data shadow separately, mostly to the same
// rectangle: 13 layers, three quarters of the strength chart's PNG time.
// So:
//   - a group clipped to an empty rectangle (the slider's shadow outside a
//     window that spans the whole axis) draws nothing and is dropped;
//   - sibling groups that follow each other with the same clip are merged:
//     painting their content in turn inside one clip is painting each
//     inside its own;
//   - a group whose content provably lies inside its clip rectangle, stroke
//     included, loses its clip: the clip cuts nothing (the strength line
//     and the event lines of an unzoomed chart). See insideBox.
//
// Only the shapes zrender writes are recognised; anything else is left as
// it is.
func fewerClipLayers(svg string) string {
	clips := clipDefs(svg)
	if len(clips) == 0 {
		return svg
	}
	var cuts []span
	for _, g := range clipGroups(svg) {
		if c, ok := clips[g.id]; ok && c.empty {
			cuts = append(cuts, span{g.start, g.end})
		}
	}
	svg = cut(svg, cuts)

	cuts = cuts[:0]
	groups := clipGroups(svg)
	byStart := make(map[int]clipGroup, len(groups))
	for _, g := range groups {
		byStart[g.start] = g
	}
	for _, a := range groups {
		next := a.end + len(svg[a.end:]) - len(strings.TrimLeft(svg[a.end:], " \t\r\n"))
		b, ok := byStart[next]
		if !ok {
			continue
		}
		ca, okA := clips[a.id]
		cb, okB := clips[b.id]
		if okA && okB && ca.shape == cb.shape {
			cuts = append(cuts, span{a.closeStart, a.end}, span{b.start, b.openEnd})
		}
	}
	svg = cut(svg, cuts)

	if !plainStyle(svg) {
		return svg
	}
	cuts = cuts[:0]
	for _, g := range clipGroups(svg) {
		if c, ok := clips[g.id]; ok && c.boxed && g.plain && insideBox(svg[g.openEnd:g.closeStart], c.box) {
			cuts = append(cuts, span{g.start, g.openEnd}, span{g.closeStart, g.end})
		}
	}
	return cut(svg, cuts)
}

type span struct{ from, to int }

// cut removes the spans from s; spans inside a removed span are ignored.
func cut(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for _, sp := range spans {
		if sp.from < at {
			continue
		}
		b.WriteString(s[at:sp.from])
		at = sp.to
	}
	b.WriteString(s[at:])
	return b.String()
}

// clip is a clipPath of the document: its shape (the markup inside it,
// less the class attribute) and whether that shape is an empty rectangle.
type clip struct {
	shape string
	empty bool
	// box is the rectangle when the clip is a plain one, without a
	// transform (boxed).
	box   box
	boxed bool
}

var (
	clipDef   = regexp.MustCompile(`<clipPath id="([^"]+)">((?s:.*?))</clipPath>`)
	classAttr = regexp.MustCompile(` class="[^"]*"`)
	// zrender writes a rectangle as M x y l w 0 l 0 h l -w 0 Z.
	rectPath = regexp.MustCompile(`^<path d="M-?[\d.]+ -?[\d.]+l(-?[\d.]+) 0l0 (-?[\d.]+)l-?[\d.]+ 0Z"[^>]*></path>$`)
	groupTag = regexp.MustCompile(`<g\b[^>]*>|</g>`)
	clipAttr = regexp.MustCompile(`^<g clip-path="url\(#([^")]+)\)">$`)
	// plainGroup is a group tag whose attributes its content inherits
	// nothing from that matters to its extent.
	plainGroup = regexp.MustCompile(`^<g(?:\s+(?:clip-path|transform|class)="[^"]*")*\s*>$`)
)

func clipDefs(svg string) map[string]clip {
	out := map[string]clip{}
	for _, m := range clipDef.FindAllStringSubmatch(svg, -1) {
		shape := strings.TrimSpace(classAttr.ReplaceAllString(m[2], ""))
		c := clip{shape: shape}
		if r := rectPath.FindStringSubmatch(shape); r != nil {
			w, errW := strconv.ParseFloat(r[1], 64)
			h, errH := strconv.ParseFloat(r[2], 64)
			c.empty = errW == nil && errH == nil && (w == 0 || h == 0)
		}
		c.box, c.boxed = plainBox(shape)
		out[m[1]] = c
	}
	return out
}

// clipGroup is a <g clip-path="url(#id)"> element: its open tag is
// svg[start:openEnd], its close tag svg[closeStart:end].
type clipGroup struct {
	id                              string
	start, openEnd, closeStart, end int
	// plain: no enclosing group (nor the group itself) sets anything its
	// content could inherit, such as a stroke width or line cap.
	plain bool
}

// clipGroups lists the clipped groups of svg, in the order they close.
func clipGroups(svg string) []clipGroup {
	var out []clipGroup
	var open []clipGroup
	for _, loc := range groupTag.FindAllStringIndex(svg, -1) {
		tag := svg[loc[0]:loc[1]]
		if tag != "</g>" {
			g := clipGroup{start: loc[0], openEnd: loc[1]}
			if m := clipAttr.FindStringSubmatch(tag); m != nil {
				g.id = m[1]
			}
			open = append(open, g)
			continue
		}
		if len(open) == 0 {
			return nil // not zrender's markup
		}
		g := open[len(open)-1]
		open = open[:len(open)-1]
		if g.id != "" {
			g.closeStart, g.end = loc[0], loc[1]
			g.plain = plainGroup.MatchString(svg[g.start:g.openEnd])
			for _, o := range open {
				g.plain = g.plain && plainGroup.MatchString(svg[o.start:o.openEnd])
			}
			out = append(out, g)
		}
	}
	if len(open) != 0 {
		return nil
	}
	return out
}

// box is an axis-aligned rectangle.
type box struct{ x0, y0, x1, y1 float64 }

// contains reports whether the point lies in b shrunk by margin.
func (b box) contains(x, y, margin float64) bool {
	return x-margin >= b.x0 && x+margin <= b.x1 && y-margin >= b.y0 && y+margin <= b.y1
}

// plainRect is a clip shape as zrender writes a rectangle, less its class,
// with nothing else: no transform.
var plainRect = regexp.MustCompile(`^<path d="M(-?[\d.]+) (-?[\d.]+)l(-?[\d.]+) 0l0 (-?[\d.]+)l(-?[\d.]+) 0Z" fill="#000"></path>$`)

// plainBox is the rectangle of a clip shape written as plainRect, less any
// part pixel at its edges: resvg's clip is anti-aliased, so a pixel its
// edge crosses is only partly kept, even where the content inside it lies
// wholly inside the clip. At a whole pixel ratio (and a viewBox the size
// of the image, see plainStyle) the pixels wholly inside the clip are
// those inside its rectangle rounded inwards to whole units.
func plainBox(shape string) (box, bool) {
	m := plainRect.FindStringSubmatch(shape)
	if m == nil {
		return box{}, false
	}
	var v [5]float64
	for i := range v {
		f, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return box{}, false
		}
		v[i] = f
	}
	x, y, w, h := v[0], v[1], v[2], v[3]
	if v[4] != -w {
		return box{}, false
	}
	b := box{
		math.Ceil(min(x, x+w)), math.Ceil(min(y, y+h)),
		math.Floor(max(x, x+w)), math.Floor(max(y, y+h)),
	}
	return b, b.x0 < b.x1 && b.y0 < b.y1
}

var (
	styleBlock = regexp.MustCompile(`(?s)<style\b[^>]*>(.*?)</style>`)
	cssRule    = regexp.MustCompile(`([^{}]*)\{[^{}]*\}`)
	svgTag     = regexp.MustCompile(`<svg\b[^>]*>`)
	viewBox    = regexp.MustCompile(`^<svg width="([\d.]+)" height="([\d.]+)" .*viewBox="0 0 ([\d.]+) ([\d.]+)"`)
)

// plainStyle reports whether nothing in svg outside the elements
// themselves sets how they are drawn or where their pixels fall: the root
// tag sets no stroke or style and its viewBox is the image's size, and
// every style rule is a :hover rule (which a still image never shows).
func plainStyle(svg string) bool {
	root := svgTag.FindString(svg)
	if strings.Contains(root, "stroke") || strings.Contains(root, "style") {
		return false
	}
	if v := viewBox.FindStringSubmatch(root); v == nil || v[1] != v[3] || v[2] != v[4] {
		return false
	}
	for _, m := range styleBlock.FindAllStringSubmatch(svg, -1) {
		css := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(m[1]), "<![CDATA["), "]]>"))
		rest := strings.TrimSpace(cssRule.ReplaceAllStringFunc(css, func(rule string) string {
			sel := cssRule.FindStringSubmatch(rule)[1]
			for _, s := range strings.Split(sel, ",") {
				if !strings.HasSuffix(strings.TrimSpace(s), ":hover") {
					return "!"
				}
			}
			return ""
		}))
		if rest != "" {
			return false
		}
	}
	return true
}

var (
	shapeElem = regexp.MustCompile(`^\s*<(path|circle|rect)((?:\s+[a-z-]+="[^"]*")*)\s*(?:/>|>\s*</(path|circle|rect)>)`)
	elemAttr  = regexp.MustCompile(`\s+([a-z-]+)="([^"]*)"`)
	// knownAttrs are the attributes insideBox understands; any other one
	// (a transform, a filter, a marker...) keeps the clip.
	knownAttrs = map[string]bool{
		"d": true, "cx": true, "cy": true, "r": true, "x": true, "y": true, "width": true, "height": true, "rx": true, "ry": true,
		"fill": true, "fill-opacity": true, "fill-rule": true, "opacity": true, "pointer-events": true, "class": true,
		"stroke": true, "stroke-width": true, "stroke-opacity": true, "stroke-dasharray": true, "stroke-dashoffset": true,
		"stroke-linejoin": true, "stroke-linecap": true, "stroke-miterlimit": true,
	}
)

// insideBox reports whether content (the markup inside a clipped group)
// is only paths, circles and rectangles that lie inside b, strokes
// included, so that clipping it to b cuts nothing. A path lies inside the
// hull of its points and control points. A stroke reaches half its width
// from the outline, more at a square cap (by √2) or a miter join (by the
// miter limit, 4 unless given). Anything it does not understand (another
// element, a transform, an arc, a number it cannot read) answers false.
func insideBox(content string, b box) bool {
	for strings.TrimSpace(content) != "" {
		m := shapeElem.FindStringSubmatch(content)
		if m == nil || (m[3] != "" && m[3] != m[1]) {
			return false
		}
		content = content[len(m[0]):]
		attrs := map[string]string{}
		for _, a := range elemAttr.FindAllStringSubmatch(m[2], -1) {
			if !knownAttrs[a[1]] {
				return false
			}
			attrs[a[1]] = a[2]
		}
		margin, ok := strokeMargin(attrs)
		if !ok {
			return false
		}
		in := true
		point := func(x, y float64) { in = in && b.contains(x, y, margin) }
		switch m[1] {
		case "path":
			ok = pathPoints(attrs["d"], point)
		case "circle":
			var v []float64
			v, ok = numbers(attrs, "cx", "cy", "r")
			if ok {
				point(v[0]-v[2], v[1]-v[2])
				point(v[0]+v[2], v[1]+v[2])
			}
		case "rect":
			var v []float64
			v, ok = numbers(attrs, "x", "y", "width", "height")
			if ok {
				point(v[0], v[1])
				point(v[0]+v[2], v[1]+v[3])
			}
		}
		if !ok || !in {
			return false
		}
	}
	return true
}

// strokeMargin is how far the element's stroke can reach beyond its
// outline: 0 when it has no stroke.
func strokeMargin(attrs map[string]string) (float64, bool) {
	if s, ok := attrs["stroke"]; !ok || s == "none" {
		return 0, true
	}
	w, ok := number(attrs, "stroke-width", 1)
	if !ok || w < 0 {
		return 0, false
	}
	w = max(w, 1) // a thinner stroke is drawn as a hairline a pixel wide
	reach := 1.0
	switch attrs["stroke-linecap"] {
	case "", "butt", "round":
	case "square":
		reach = math.Sqrt2
	default:
		return 0, false
	}
	switch attrs["stroke-linejoin"] {
	case "round", "bevel":
	case "", "miter":
		limit, ok := number(attrs, "stroke-miterlimit", 4)
		if !ok || limit < 1 {
			return 0, false
		}
		reach = max(reach, limit)
	default:
		return 0, false
	}
	return w / 2 * reach, true
}

// number reads a plain number attribute, def when it is absent.
func number(attrs map[string]string, name string, def float64) (float64, bool) {
	s, ok := attrs[name]
	if !ok {
		return def, true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// numbers reads the named number attributes, 0 when absent.
func numbers(attrs map[string]string, names ...string) ([]float64, bool) {
	out := make([]float64, len(names))
	for i, name := range names {
		f, ok := number(attrs, name, 0)
		if !ok {
			return nil, false
		}
		out[i] = f
	}
	return out, true
}

// pathPoints calls point with every end and control point of the path
// data d, absolute, and reports whether it could read all of d: only
// M, L, H, V, C, Q and Z, absolute or relative.
func pathPoints(d string, point func(x, y float64)) bool {
	var cmd byte
	var cx, cy, sx, sy float64
	args := map[byte]int{'M': 2, 'L': 2, 'H': 1, 'V': 1, 'C': 6, 'Q': 4, 'Z': 0}
	i := 0
	skip := func() {
		for i < len(d) && (d[i] == ' ' || d[i] == ',' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
			i++
		}
	}
	for skip(); i < len(d); skip() {
		if c := d[i]; (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
			if _, ok := args[c&^0x20]; !ok {
				return false
			}
			cmd = c
			i++
			if cmd&^0x20 == 'Z' {
				cx, cy = sx, sy
			}
			continue
		}
		n := args[cmd&^0x20]
		if cmd == 0 || n == 0 {
			return false // a number before any command, or after Z
		}
		var v [6]float64
		for k := range n {
			skip()
			j := numberEnd(d, i)
			f, err := strconv.ParseFloat(d[i:j], 64)
			if j == i || err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return false
			}
			v[k] = f
			i = j
		}
		rel := cmd >= 'a'
		ox, oy := 0.0, 0.0
		if rel {
			ox, oy = cx, cy
		}
		switch cmd &^ 0x20 {
		case 'H':
			cx = ox + v[0]
		case 'V':
			cy = oy + v[0]
		default:
			for k := 0; k < n; k += 2 {
				point(ox+v[k], oy+v[k+1])
			}
			cx, cy = ox+v[n-2], oy+v[n-1]
		}
		point(cx, cy)
		if cmd&^0x20 == 'M' {
			sx, sy = cx, cy
			cmd -= 'M' - 'L' // further pairs are lines (l after m)
		}
	}
	return true
}

// numberEnd is where the number that starts at d[i] ends.
func numberEnd(d string, i int) int {
	if i < len(d) && (d[i] == '+' || d[i] == '-') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	n := digits()
	if i < len(d) && d[i] == '.' {
		i++
		n += digits()
	}
	if n == 0 {
		return i // not a number: ParseFloat fails on it
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		j := i
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			i = j
		}
	}
	return i
}
