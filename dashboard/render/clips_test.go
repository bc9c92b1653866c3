package render

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"
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

// TestFewerClipLayersSamePixels: the strength chart, the one with the most
// clipped groups, rasterises to the same pixels with and without the
// rewrite, and the rewrite leaves it far fewer clipped groups.
func TestFewerClipLayersSamePixels(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	c := benchCharts(t)["strength"]
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
	// Only the clips' anti-aliased edges may differ: one layer's edge
	// blended once instead of several blended in turn.
	if most > 8 || diff > len(a.Pix)/200 {
		t.Errorf("the rewritten SVG draws %d of %d pixel bytes differently, by up to %d; want under 0.5%%, by at most 8", diff, len(a.Pix), most)
	}
	t.Logf("%d of %d pixel bytes differ, by up to %d", diff, len(a.Pix), most)
}
