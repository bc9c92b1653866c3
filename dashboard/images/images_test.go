package images

import (
	"strings"
	"testing"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

func TestFill(t *testing.T) {
	tests := map[string]struct {
		img      Image
		chartH   int
		w, h, sc int
	}{
		"svg defaults":    {Image{Format: SVG}, 520, param.DefaultWidth, 520, 0},
		"png defaults":    {Image{Format: PNG}, 520, param.DefaultWidth, 520, param.DefaultScale},
		"no chart height": {Image{Format: SVG}, 0, param.DefaultWidth, DefaultHeight, 0},
		"asked for":       {Image{Format: PNG, Width: 600, Height: 300, Scale: 1}, 520, 600, 300, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			img := tc.img
			img.fill(&chart.Option{Height: tc.chartH})
			if img.Width != tc.w || img.Height != tc.h || img.Scale != tc.sc {
				t.Errorf("fill = %dx%d@%d, want %dx%d@%d", img.Width, img.Height, img.Scale, tc.w, tc.h, tc.sc)
			}
		})
	}
}

// The footer names the record's date and its sources' publishers, most
// cited first, so that a pasted image stands on its own.
func TestFooter(t *testing.T) {
	d := datasettest.Record(t)
	o, err := chart.Build("strength", d, chart.View{Theme: chart.Light})
	if err != nil {
		t.Fatal(err)
	}
	f := Footer(d, o.Sources)
	if !strings.HasPrefix(f, "Source: ") || !strings.Contains(f, "kforstats, data as of "+d.AsOf.String()) {
		t.Errorf("Footer = %q, want the sources and the data's date", f)
	}
	if got := Footer(d, nil); got != "Source: kforstats, data as of "+d.AsOf.String() {
		t.Errorf("Footer(no sources) = %q", got)
	}
	for _, sp := range chart.Specs() {
		if !Known(sp.ID) {
			t.Errorf("Known(%q) = false", sp.ID)
		}
	}
	if Known("pie") {
		t.Errorf("Known(pie) = true")
	}
}
