package images

import (
	"regexp"
	"testing"

	"github.com/kforstats/kforstats/dashboard/chart"
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
	want := regexp.MustCompile(`^Sources: [^,]+, [^,]+, [^,]+ \+\d+ more: https://kforstats\.example/api/v1/sources · kforstats, data to ` + regexp.QuoteMeta(d.AsOf.String()) + `$`)
	if !want.MatchString(got) {
		t.Errorf("Footer = %q, want it to match %s", got, want)
	}
	if got := Footer(d, o.Sources[:1], ""); got != "Source: "+o.Sources[0].Publisher+" · kforstats, data to "+d.AsOf.String() {
		t.Errorf("Footer of one source = %q", got)
	}
}
