package dataset

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCoverageREADME: the coverage table in data/README.md is the one the
// embedded record generates; make validate rewrites it.
func TestCoverageREADME(t *testing.T) {
	d := loadEmbedded(t)
	b, err := os.ReadFile("data/README.md")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := CoverageIn(b)
	if !ok {
		t.Fatalf("data/README.md has no coverage markers %q ... %q", CoverageBegin, CoverageEnd)
	}
	if diff := cmp.Diff(d.CoverageTable(), got); diff != "" {
		t.Errorf("data/README.md's coverage table is stale; run make validate (-want +got):\n%s", diff)
	}
}

func TestCoverageTable(t *testing.T) {
	d := loadValid(t)
	want := "| nation | 1999-2004 | 2005-2009 | 2010-2014 | 2015-2019 | 2020- | all | long series |\n" +
		"|---|---:|---:|---:|---:|---:|---:|:---:|\n" +
		"| AUT Austria | · | · | · | 1 | · | 1 |  |\n" +
		"| FIN Finland | · | · | · | 1 | · | 1 |  |\n" +
		"| ITA Italy | · | · | · | 3 | · | 3 |  |\n" +
		"| USA United States | · | · | · | 1 | · | 1 |  |\n" +
		"| **all nations** | **0** | **0** | **0** | **6** | **0** | **6** | 0 |\n"
	if diff := cmp.Diff(want, d.CoverageTable()); diff != "" {
		t.Errorf("CoverageTable() (-want +got):\n%s", diff)
	}
	readme := []byte("intro\n" + CoverageBegin + "\nold\n" + CoverageEnd + "\nrest\n")
	out, err := SpliceCoverage(readme, "new\n")
	if err != nil {
		t.Fatal(err)
	}
	if w := "intro\n" + CoverageBegin + "\nnew\n" + CoverageEnd + "\nrest\n"; string(out) != w {
		t.Errorf("SpliceCoverage = %q, want %q", out, w)
	}
	if got, _ := CoverageIn(out); got != "new\n" {
		t.Errorf("CoverageIn = %q, want %q", got, "new\n")
	}
	if _, err := SpliceCoverage([]byte("no markers"), "x"); err == nil || !strings.Contains(err.Error(), "coverage markers missing") {
		t.Errorf("SpliceCoverage without markers = %v, want the markers missing", err)
	}
}
