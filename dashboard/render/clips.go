package render

import (
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
//     inside its own.
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
}

var (
	clipDef   = regexp.MustCompile(`<clipPath id="([^"]+)">((?s:.*?))</clipPath>`)
	classAttr = regexp.MustCompile(` class="[^"]*"`)
	// zrender writes a rectangle as M x y l w 0 l 0 h l -w 0 Z.
	rectPath = regexp.MustCompile(`^<path d="M-?[\d.]+ -?[\d.]+l(-?[\d.]+) 0l0 (-?[\d.]+)l-?[\d.]+ 0Z"[^>]*></path>$`)
	groupTag = regexp.MustCompile(`<g\b[^>]*>|</g>`)
	clipAttr = regexp.MustCompile(`^<g clip-path="url\(#([^")]+)\)">$`)
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
		out[m[1]] = c
	}
	return out
}

// clipGroup is a <g clip-path="url(#id)"> element: its open tag is
// svg[start:openEnd], its close tag svg[closeStart:end].
type clipGroup struct {
	id                              string
	start, openEnd, closeStart, end int
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
			out = append(out, g)
		}
	}
	if len(open) != 0 {
		return nil
	}
	return out
}
