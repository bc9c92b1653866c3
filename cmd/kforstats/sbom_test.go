package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSBOMListsTheBinary: `make sbom` writes a CycloneDX bill of materials
// whose components are exactly the modules linked into the binary `make
// build` makes, at the same versions, each with its package URL, none with
// a GPL or AGPL licence found in it, the binary's own module as the main
// component.
func TestSBOMListsTheBinary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "kforstats.cdx.json")
	mk := exec.Command("make", "-s", "-C", "../..", "sbom", "SBOM="+out)
	if b, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make sbom: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Component struct {
				Name string `json:"name"`
				PURL string `json:"purl"`
			} `json:"component"`
		} `json:"metadata"`
		Components []struct {
			Name     string `json:"name"`
			Version  string `json:"version"`
			PURL     string `json:"purl"`
			Evidence struct {
				Licenses []struct {
					License struct {
						ID string `json:"id"`
					} `json:"license"`
				} `json:"licenses"`
			} `json:"evidence"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &bom); err != nil {
		t.Fatalf("%s is not JSON: %v", out, err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" {
		t.Errorf("bomFormat %q specVersion %q, want CycloneDX 1.6", bom.BOMFormat, bom.SpecVersion)
	}
	if bom.Metadata.Component.Name != "github.com/kforstats/kforstats" {
		t.Errorf("main component %q, want the binary's module github.com/kforstats/kforstats", bom.Metadata.Component.Name)
	}
	got := map[string]string{}
	for _, c := range bom.Components {
		got[c.Name] = c.Version
		if !strings.HasPrefix(c.PURL, "pkg:golang/") {
			t.Errorf("%s: package URL %q, want pkg:golang/...", c.Name, c.PURL)
		}
		for _, l := range c.Evidence.Licenses {
			if strings.Contains(l.License.ID, "GPL") && !strings.Contains(l.License.ID, "LGPL") {
				t.Errorf("%s: licence %s found in it", c.Name, l.License.ID)
			}
		}
	}
	want := linkedModules(t, buildStatic(t))
	for _, p := range slices.Sorted(maps.Keys(want)) {
		if got[p] != want[p] {
			t.Errorf("the binary links %s %s, the SBOM lists it as %q", p, want[p], got[p])
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[p]; !ok {
			t.Errorf("the SBOM lists %s %s, which the binary does not link", p, got[p])
		}
	}
}

// linkedModules returns the modules `go version -m` finds in bin, each
// with its version.
func linkedModules(tb testing.TB, bin string) map[string]string {
	tb.Helper()
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		tb.Fatalf("go version -m: %v", err)
	}
	mods := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "dep" {
			mods[f[1]] = f[2]
		}
	}
	if len(mods) == 0 {
		tb.Fatalf("go version -m listed no module:\n%s", out)
	}
	return mods
}
