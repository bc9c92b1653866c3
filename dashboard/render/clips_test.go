package render

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

func TestFewerClipLayers(t *testing.T) {
	const defs = `<defs>
<clipPath id="a"><path d="M58 95l920 0l0 300l-920 0Z" fill="#000" class="x-1"></path></clipPath>
<clipPath id="b"><path d="M58 95l920 0l0 300l-920 0Z" fill="#000" class="x-2"></path></clipPath>
<clipPath id="c"><path d="M59 95.5l919 0l0 299l-919 0Z" fill="#000"></path></clipPath>
<clipPath id="e"><path d="M0 0l0 0l0 22l0 0Z" transform="matrix(1,0,0,-1,6,4)" fill="#000"></path></clipPath>
</defs>`
	tests := map[string]struct{ in, want string }{
		"same clip, adjacent: one group": {
			`<g clip-path="url(#a)"><path d="M1 1"/></g>
<g clip-path="url(#b)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#a)"><path d="M1 1"/>
<path d="M2 2"/></g>`,
		},
		"another clip: kept apart": {
			`<g clip-path="url(#a)"><path d="M1 1"/></g><g clip-path="url(#c)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#a)"><path d="M1 1"/></g><g clip-path="url(#c)"><path d="M2 2"/></g>`,
		},
		"something between: kept apart": {
			`<g clip-path="url(#a)"><path d="M1 1"/></g><path d="M3 3"/><g clip-path="url(#b)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#a)"><path d="M1 1"/></g><path d="M3 3"/><g clip-path="url(#b)"><path d="M2 2"/></g>`,
		},
		"empty clip dropped, then neighbours merge": {
			`<g clip-path="url(#a)"><path d="M1 1"/></g><g clip-path="url(#e)"><g ><path d="M5 5"/></g></g><g clip-path="url(#b)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#a)"><path d="M1 1"/><path d="M2 2"/></g>`,
		},
		"unknown clip: kept": {
			`<g clip-path="url(#z)"><path d="M1 1"/></g><g clip-path="url(#z)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#z)"><path d="M1 1"/></g><g clip-path="url(#z)"><path d="M2 2"/></g>`,
		},
		"unbalanced markup: unchanged": {
			`<g clip-path="url(#a)"><path d="M1 1"/></g></g><g clip-path="url(#b)"><path d="M2 2"/></g>`,
			`<g clip-path="url(#a)"><path d="M1 1"/></g></g><g clip-path="url(#b)"><path d="M2 2"/></g>`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := `<svg>` + defs + tc.in + `</svg>`
			want := `<svg>` + defs + tc.want + `</svg>`
			if got := fewerClipLayers(in); got != want {
				t.Errorf("fewerClipLayers(%q)\n = %q\nwant %q", tc.in, strings.TrimPrefix(got, "<svg>"+defs), tc.want)
			}
		})
	}
}

func TestInsideBox(t *testing.T) {
	b := box{58, 113, 978, 381}
	const line = ` fill="none" stroke="#2458a6" stroke-width="2" stroke-linejoin="bevel"`
	tests := map[string]struct {
		content string
		want    bool
	}{
		"nothing":                       {``, true},
		"line inside":                   {`<path d="M60 249.7L60.9 220.4L976 355"` + line + `></path>`, true},
		"line crossing the edge":        {`<path d="M60 249.7L990 220.4"` + line + `></path>`, false},
		"line starting left of the box": {`<path d="M40 249.7L60 220.4"` + line + `></path>`, false},
		"stroke reaching past the edge": {`<path d="M58.5 249.7L60 220.4"` + line + `></path>`, false},
		"stroke touching the edge":      {`<path d="M59 249.7L977 220.4"` + line + `></path>`, true},
		"thick stroke past the edge":    {`<path d="M60 200L100 200" fill="none" stroke="#000" stroke-width="6" stroke-linejoin="bevel"></path>`, false},
		"no stroke, on the edge":        {`<path d="M58 113L978 381" fill="#000"></path>`, true},
		"miter join reaches farther":    {`<path d="M61.9 200L100 200" fill="none" stroke="#000" stroke-width="2"></path>`, false},
		"miter join within its limit":   {`<path d="M62 200L100 200" fill="none" stroke="#000" stroke-width="2" stroke-miterlimit="4"></path>`, true},
		"square cap":                    {`<path d="M59.2 200L100 200" fill="none" stroke="#000" stroke-width="2" stroke-linejoin="round" stroke-linecap="square"></path>`, false},
		"event lines, H and V":          {`<path d="M74 380L74 114M74.3 380V114H80"` + line + `></path>`, true},
		"relative commands":             {`<path d="M60 200l10 10h900v-10z"` + line + `></path>`, true},
		"relative, out of the box":      {`<path d="M60 200l10 10h950"` + line + `></path>`, false},
		"curve control point outside":   {`<path d="M60 200C70 100 80 200 90 200"` + line + `></path>`, false},
		"curve inside":                  {`<path d="M60 200C70 150 80 250 90 200Q100 120 110 200"` + line + `></path>`, true},
		"arc: kept":                     {`<path d="M60 200A5 5 0 0 1 70 200"` + line + `></path>`, false},
		"unreadable number: kept":       {`<path d="M60 200Lx 200"` + line + `></path>`, false},
		"circle inside":                 {`<circle cx="100" cy="200" r="4" fill="#000" stroke="#fff" stroke-width="1" stroke-linejoin="round"></circle>`, true},
		"circle across the edge":        {`<circle cx="60" cy="200" r="4" fill="#000"></circle>`, false},
		"rect inside":                   {`<rect x="100" y="200" width="50" height="20" fill="#000"/>`, true},
		"rect across the edge":          {`<rect x="100" y="370" width="50" height="20" fill="#000"/>`, false},
		"transform: kept":               {`<path d="M60 200L70 200" transform="matrix(1,0,0,-1,0,400)"` + line + `></path>`, false},
		"filter: kept":                  {`<path d="M60 200L70 200" filter="url(#f)"` + line + `></path>`, false},
		"text: kept":                    {`<text x="100" y="200">1999</text>`, false},
		"polyline: kept":                {`<polyline points="100 200 110 210" fill="none"></polyline>`, false},
		"nested group: kept":            {`<g><path d="M60 200L70 200" fill="#000"></path></g>`, false},
		"stroke without width, inside":  {`<path d="M60 200L70 200" stroke="#000" stroke-linejoin="bevel"></path>`, true},
		"unknown join: kept":            {`<path d="M60 200L70 200" stroke="#000" stroke-linejoin="arcs"></path>`, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := insideBox(tc.content, b); got != tc.want {
				t.Errorf("insideBox(%q) = %v, want %v", tc.content, got, tc.want)
			}
		})
	}
}

func TestFewerClipLayersDropsClipsThatCutNothing(t *testing.T) {
	const defs = `<defs>
<clipPath id="a"><path d="M58 113l920 0l0 268l-920 0Z" fill="#000" class="x-1"></path></clipPath>
<clipPath id="t"><path d="M58 113l920 0l0 268l-920 0Z" transform="matrix(1,0,0,-1,0,400)" fill="#000"></path></clipPath>
<clipPath id="f"><path d="M62 95.3l874 0l0 279.5l-874 0Z" fill="#000"></path></clipPath>
</defs>`
	const svg = `<svg width="1000" height="480" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1000 480">`
	const inside = `<path d="M60 200L970 300" fill="none" stroke="#000" stroke-width="2" stroke-linejoin="bevel"></path>`
	tests := map[string]struct{ svg, want string }{
		"content inside: clip dropped": {
			svg + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
			svg + defs + inside + `</svg>`,
		},
		"content crossing: kept": {
			svg + defs + `<g clip-path="url(#a)"><path d="M40 200L970 300" fill="#000"></path></g></svg>`,
			svg + defs + `<g clip-path="url(#a)"><path d="M40 200L970 300" fill="#000"></path></g></svg>`,
		},
		"transformed clip: kept": {
			svg + defs + `<g clip-path="url(#t)">` + inside + `</g></svg>`,
			svg + defs + `<g clip-path="url(#t)">` + inside + `</g></svg>`,
		},
		"inside a group that sets a stroke: kept": {
			svg + defs + `<g stroke-width="40"><g clip-path="url(#a)">` + inside + `</g></g></svg>`,
			svg + defs + `<g stroke-width="40"><g clip-path="url(#a)">` + inside + `</g></g></svg>`,
		},
		"a style rule that is not :hover: kept": {
			svg + `<style>path { stroke-width: 40 }</style>` + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
			svg + `<style>path { stroke-width: 40 }</style>` + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
		},
		"clip edge between pixels: the part pixel kept": {
			svg + defs + `<g clip-path="url(#f)"><path d="M79.2 374L110.3 372.9" fill="none" stroke="#000" stroke-width="1.5" stroke-linejoin="bevel"></path></g></svg>`,
			svg + defs + `<g clip-path="url(#f)"><path d="M79.2 374L110.3 372.9" fill="none" stroke="#000" stroke-width="1.5" stroke-linejoin="bevel"></path></g></svg>`,
		},
		"clip edge between pixels, content off it: dropped": {
			svg + defs + `<g clip-path="url(#f)"><path d="M79.2 373L110.3 372.9" fill="none" stroke="#000" stroke-width="1.5" stroke-linejoin="bevel"></path></g></svg>`,
			svg + defs + `<path d="M79.2 373L110.3 372.9" fill="none" stroke="#000" stroke-width="1.5" stroke-linejoin="bevel"></path></svg>`,
		},
		"viewBox not the image's size: kept": {
			`<svg width="2000" height="960" viewBox="0 0 1000 480">` + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
			`<svg width="2000" height="960" viewBox="0 0 1000 480">` + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
		},
		":hover rules only: dropped": {
			svg + `<style><![CDATA[.c:hover { stroke-width: 40 }]]></style>` + defs + `<g clip-path="url(#a)">` + inside + `</g></svg>`,
			svg + `<style><![CDATA[.c:hover { stroke-width: 40 }]]></style>` + defs + inside + `</svg>`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := fewerClipLayers(tc.svg); got != tc.want {
				t.Errorf("fewerClipLayers(%q)\n = %q\nwant %q", tc.svg, got, tc.want)
			}
		})
	}
}

// TestFewerClipLayersSamePixels: the strength chart, the one with the most
// clipped groups, rasterises to the same pixels with and without the
// rewrite, whole and zoomed (where the line runs past the plot and its
// clip must stay), and the rewrite leaves it far fewer clipped groups.
func TestFewerClipLayersSamePixels(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	d := datasettest.Record(t)
	tests := map[string]struct {
		from string
	}{
		"whole record":    {""},
		"from 2019-01-01": {"2019-01-01"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var v chart.View
			if tc.from != "" {
				from, err := time.Parse(time.DateOnly, tc.from)
				if err != nil {
					t.Fatal(err)
				}
				v.From = from
			}
			o, err := chart.Build("strength", d, v)
			if err != nil {
				t.Fatal(err)
			}
			c := Chart{Option: o.JS, Theme: o.Theme, Width: 1000, Height: o.Height, Title: o.Title, Footer: "Source: test"}
			svg, err := r.SVG(context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			fewer := fewerClipLayers(string(svg))
			before, after := strings.Count(string(svg), `<g clip-path=`), strings.Count(fewer, `<g clip-path=`)
			if after > 3 || after >= before {
				t.Errorf("clipped groups: %d before, %d after; want at most 3, fewer than before", before, after)
			}
			var imgs [2]image.Image
			for i, s := range []string{string(svg), fewer} {
				w, err := r.getWasm(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				b, err := w.png(context.Background(), []byte(s), 1, "", r.fonts)
				r.putWasm(w, err == nil)
				if err != nil {
					t.Fatal(err)
				}
				if imgs[i], err = png.Decode(bytes.NewReader(b)); err != nil {
					t.Fatal(err)
				}
			}
			a, b := imgs[0].(*image.RGBA), imgs[1].(*image.RGBA)
			diff, most := 0, 0
			for i := range a.Pix {
				d := int(a.Pix[i]) - int(b.Pix[i])
				if d != 0 {
					diff++
					most = max(most, d, -d)
				}
			}
			// Only rounding may differ: merged clips blend one layer's edge
			// once instead of several in turn, and content whose clip was
			// dropped is drawn straight onto the image instead of through a
			// layer (measured: at most 2 levels, on under 1% of the bytes).
			// Anything cut off, or drawn where the clip would have hidden it,
			// differs by tens of levels: a dark line against the background.
			if most > 4 || diff > len(a.Pix)/50 {
				t.Errorf("the rewritten SVG draws %d of %d pixel bytes differently, by up to %d; want under 2%%, by at most 4 levels", diff, len(a.Pix), most)
			}
			t.Logf("%d of %d clipped groups left; %d of %d pixel bytes differ, by up to %d", after, before, diff, len(a.Pix), most)
		})
	}
}
