package chart

import "github.com/kforstats/kforstats/dataset"

// palette is a theme's colours. NATO and partner are blue and orange, a
// pair that stays apart for the common colour-vision deficiencies; decal
// patterns tell them apart without colour at all.
type palette struct {
	bg, text, muted, grid string
	land, kosovo          string   // the maps' other countries, and Kosovo
	series                []string // the default series colours
	strength              string
	nato, partner         string
	up, down              string // increases and cuts
	unrest                string
	phases                []string // shaded phase areas, in turn
}

var palettes = map[string]palette{
	Light: {
		bg: "#ffffff", text: "#1f2328", muted: "#57606a", grid: "#d8dee4",
		land: "#eef0f3", kosovo: "#dde7f5",
		series:   []string{"#2458a6", "#c25e00", "#2e8540", "#8e44ad", "#b8860b", "#00838f", "#c2185b", "#5d4037"},
		strength: "#2458a6", nato: "#2458a6", partner: "#c25e00",
		up: "#2e8540", down: "#c25e00", unrest: "#8e44ad",
		phases: []string{"rgba(36,88,166,0.08)", "rgba(194,94,0,0.08)", "rgba(46,133,64,0.10)", "rgba(142,68,173,0.10)"},
	},
	Dark: {
		bg: "#16181d", text: "#e6e8eb", muted: "#a3abb5", grid: "#30363d",
		land: "#23272e", kosovo: "#2a3a52",
		series:   []string{"#6ea8ff", "#f5a25d", "#6fcf7f", "#c792ea", "#e6c35c", "#4dd0e1", "#f48fb1", "#bcaaa4"},
		strength: "#6ea8ff", nato: "#6ea8ff", partner: "#f5a25d",
		up: "#6fcf7f", down: "#f5a25d", unrest: "#c792ea",
		phases: []string{"rgba(110,168,255,0.12)", "rgba(245,162,93,0.12)", "rgba(111,207,127,0.12)", "rgba(199,146,234,0.14)"},
	},
}

// Decals: NATO plain, partner striped, so that the two differ in a
// greyscale print and for readers who cannot tell the colours apart.
var (
	decalNone    = map[string]any{"symbol": "none"}
	decalStriped = map[string]any{
		"symbol": "rect", "symbolSize": 1, "dashArrayX": []int{1, 0}, "dashArrayY": []int{3, 5},
		"rotation": 0.7854, "color": "rgba(255,255,255,0.55)",
	}
)

func (p palette) membership(m dataset.Membership) string {
	if m == dataset.NATO {
		return p.nato
	}
	return p.partner
}

// marker is the symbol an observation of a confidence is drawn with: the
// more trustworthy, the more solid.
var marker = map[dataset.Confidence]struct {
	Symbol string
	Size   int
}{
	dataset.Exact:       {"circle", 8},
	dataset.Approximate: {"emptyCircle", 7},
	dataset.Derived:     {"emptyDiamond", 9},
	dataset.Uncertain:   {"emptyTriangle", 9},
}
