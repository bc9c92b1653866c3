package images

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
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
	got := Footer(d, en, o.Sources, "https://kforstats.example")
	want := regexp.MustCompile(`^Sources: [^,]+, [^,]+, [^,]+ \+\d+ more: https://kforstats\.example/api/v1/sources · kforstats record ` + regexp.QuoteMeta(d.Version) + `, data to ` + regexp.QuoteMeta(d.AsOf.String()) + `, CC BY 4\.0$`)
	if !want.MatchString(got) {
		t.Errorf("Footer = %q, want it to match %s", got, want)
	}
	if got := Footer(d, en, o.Sources[:1], ""); got != "Source: "+o.Sources[0].Publisher+" · kforstats record "+d.Version+", data to "+d.AsOf.String()+", CC BY 4.0" {
		t.Errorf("Footer of one source = %q", got)
	}
	// In Serbian, the same line in its words, the names and the address
	// as they are.
	sr := Footer(d, i18n.NewPrinter(i18n.Serbian), o.Sources, "https://kforstats.example")
	wantSr := regexp.MustCompile(`^Izvori: [^,]+, [^,]+, [^,]+ \+još \d+: https://kforstats\.example/api/v1/sources · kforstats evidencija ` + regexp.QuoteMeta(d.Version) + `, podaci do ` + regexp.QuoteMeta(d.AsOf.String()) + `, CC BY 4\.0$`)
	if !wantSr.MatchString(sr) {
		t.Errorf("Footer in Serbian = %q, want it to match %s", sr, wantSr)
	}
}

// en is the English printer.
var en = i18n.NewPrinter(i18n.English)

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

// TestMapsDrawn: the map charts draw on their outlines (registered from
// the assets before the option is set): the structure map of 2012-02-15
// has Kosovo's outline and its place names, the world map its nations.
func TestMapsDrawn(t *testing.T) {
	d := datasettest.Record(t)
	// A minute: the world map takes some seconds, and many under -race.
	s, err := New(Config{MaxConcurrent: 1, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	at := time.Date(2012, time.February, 15, 0, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		id   string
		want []string
	}{
		"structure": {"structure-map", []string{"Prishtinë/Priština", "Pejë/Peć", "Ferizaj/Uroševac", "Prizren", "Skopje"}},
		"world":     {"world-map", []string{"Contributing nations"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			svg, err := s.Draw(context.Background(), d, Image{ID: tc.id, Format: SVG, View: chart.View{At: at}})
			if err != nil {
				t.Fatalf("Draw(%s) = %v", tc.id, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(svg), w) {
					t.Errorf("Draw(%s) has no %q", tc.id, w)
				}
			}
			// An outline is a path of hundreds of points; without the map
			// registered ECharts draws none.
			long := 0
			for _, m := range regexp.MustCompile(`<path d="([^"]*)"`).FindAllStringSubmatch(string(svg), -1) {
				if len(m[1]) > 500 {
					long++
				}
			}
			if long == 0 {
				t.Errorf("Draw(%s) has no outline", tc.id)
			}
		})
	}
	for _, name := range chart.MapNames() {
		if _, ok := maps()[name]; !ok {
			t.Errorf("maps() has no %q", name)
		}
	}
}

// TestFittedFooter: an image's footer fits one line of its width: a long
// one names fewer publishers, then drops the site from the sources'
// address, and always keeps the edition, the date and the licence.
func TestFittedFooter(t *testing.T) {
	d := datasettest.Record(t)
	o, err := chart.Build("strength", d, chart.View{Image: true})
	if err != nil {
		t.Fatal(err)
	}
	site := "https://kforstats.example.org/some/long/path/prefix"
	for _, width := range []int{2000, 1000, 600, 400} {
		f := fittedFooter(d, en, o.Sources, site, width)
		if !regexp.MustCompile(`kforstats record ` + regexp.QuoteMeta(d.Version) + `, data to ` + regexp.QuoteMeta(d.AsOf.String()) + `, CC BY 4\.0$`).MatchString(f) {
			t.Errorf("width %d: footer %q lost its credit", width, f)
		}
		if width >= 800 && len([]rune(f))*footerCharWidth > width-16 {
			t.Errorf("width %d: footer %q (%d characters) does not fit", width, f, len([]rune(f)))
		}
	}
	if got, want := fittedFooter(d, en, o.Sources, site, 2000), Footer(d, en, o.Sources, site); got != want {
		t.Errorf("a wide image's footer = %q, want the whole %q", got, want)
	}
	if f := fittedFooter(d, en, o.Sources, site, 600); strings.Contains(f, site) {
		t.Errorf("a 600 px image's footer %q keeps the long site", f)
	}
}
