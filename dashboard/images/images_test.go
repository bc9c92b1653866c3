package images

import (
	"regexp"
	"testing"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestFooter: an image's footer names at most three publishers, then how
// many sources more and the address of the whole list, and the data's date.
func TestFooter(t *testing.T) {
	d := datasettest.Record(t)
	o, err := chart.Build("strength", d, chart.View{Image: true})
	if err != nil {
		t.Fatal(err)
	}
	got := Footer(d, o.Sources, "https://kforstats.example")
	want := regexp.MustCompile(`^Sources: [^,]+, [^,]+, [^,]+ \+\d+ more: https://kforstats\.example/api/v1/sources · kforstats record ` + regexp.QuoteMeta(d.Version) + `, data to ` + regexp.QuoteMeta(d.AsOf.String()) + `, CC BY 4\.0$`)
	if !want.MatchString(got) {
		t.Errorf("Footer = %q, want it to match %s", got, want)
	}
	if got := Footer(d, o.Sources[:1], ""); got != "Source: "+o.Sources[0].Publisher+" · kforstats record "+d.Version+", data to "+d.AsOf.String()+", CC BY 4.0" {
		t.Errorf("Footer of one source = %q", got)
	}
}

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
	for _, sp := range chart.Specs() {
		if !Known(sp.ID) {
			t.Errorf("Known(%q) = false", sp.ID)
		}
	}
	if Known("pie") {
		t.Errorf("Known(pie) = true")
	}
}
