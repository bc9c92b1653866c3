package dataset

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sigs.k8s.io/yaml"
)

// changelogEntry is the heading of an entry of data/CHANGELOG.md: its
// version and the day it was released.
var changelogEntry = regexp.MustCompile(`(?m)^## (\S+) \((\d{4}-\d{2}-\d{2})\)$`)

// embeddedWithChangelog returns the embedded record and data/CHANGELOG.md.
func embeddedWithChangelog(tb testing.TB) (*Dataset, []byte) {
	tb.Helper()
	d, err := EmbeddedOrigin().Load(time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	log, err := os.ReadFile("data/CHANGELOG.md")
	if err != nil {
		tb.Fatal(err)
	}
	return d, log
}

// TestChangelog: the embedded record's version is the newest entry of
// data/CHANGELOG.md, and that entry names the checksum of the files as
// they are: files changed without a new version and entry fail here.
func TestChangelog(t *testing.T) {
	d, log := embeddedWithChangelog(t)
	entries := changelogEntry.FindAllStringSubmatchIndex(string(log), -1)
	if len(entries) == 0 {
		t.Fatal("data/CHANGELOG.md has no entry (want ## VERSION (YYYY-MM-DD))")
	}
	seen := map[string]bool{}
	for _, e := range entries {
		v := string(log[e[2]:e[3]])
		if !versionPattern.MatchString(v) || seen[v] {
			t.Errorf("data/CHANGELOG.md: version %q is not a version or comes twice", v)
		}
		seen[v] = true
	}
	newest := string(log[entries[0][2]:entries[0][3]])
	if d.Version != newest {
		t.Errorf("data/VERSION is %q, the newest entry of data/CHANGELOG.md %q: bump VERSION and add an entry saying what changed", d.Version, newest)
	}
	end := len(log)
	if len(entries) > 1 {
		end = entries[1][0]
	}
	want := "Checksum: `sha256:" + d.Checksum + "`"
	if !strings.Contains(string(log[entries[0][1]:end]), want) {
		t.Errorf("the newest entry of data/CHANGELOG.md (%s) does not say %s: the files changed since; bump data/VERSION, add an entry with the new checksum and say what changed", newest, want)
	}
}

// TestVersionFile: a record's VERSION, when it has one, is its Version and
// part of its checksum; a malformed one is an error naming the file.
func TestVersionFile(t *testing.T) {
	base, err := Load(overlay(t, ""), Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if base.Version != "" {
		t.Errorf("a record without VERSION has Version %q, want none", base.Version)
	}
	fsys := overlay(t, "")
	fsys[VersionFile] = &fstest.MapFile{Data: []byte("2027.1.0\n")}
	d, err := Load(fsys, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "2027.1.0" || d.Checksum == base.Checksum {
		t.Errorf("with VERSION 2027.1.0: Version %q, checksum changed %v; want 2027.1.0 and a new checksum", d.Version, d.Checksum != base.Checksum)
	}
	fsys[VersionFile] = &fstest.MapFile{Data: []byte("next\n")}
	_, err = Load(fsys, Options{Dir: "data", Now: testNow})
	if want := `data/VERSION:1:1: "next" is not a version (want YEAR.EDITION.CORRECTION, such as 2026.12.0)`; err == nil || err.Error() != want {
		t.Errorf("Load with VERSION next = %v, want %s", err, want)
	}
}

// TestCitation: ../CITATION.cff is Citation File Format 1.2.0 (its
// required keys, each of the type and form the format's schema gives, and
// no key the format does not know among those it uses) and cites the
// record's version, released on the day of the newest changelog entry.
func TestCitation(t *testing.T) {
	b, err := os.ReadFile("../CITATION.cff")
	if err != nil {
		t.Fatal(err)
	}
	var cff map[string]any
	if err := yaml.Unmarshal(b, &cff); err != nil {
		t.Fatalf("CITATION.cff: %v", err)
	}
	known := []string{"cff-version", "message", "title", "abstract", "type", "authors", "version", "date-released", "license", "repository-code", "url", "keywords"}
	for k := range cff {
		if !slices.Contains(known, k) {
			t.Errorf("CITATION.cff: key %q is not one this test knows CFF 1.2.0 to have", k)
		}
	}
	str := func(k string) string { s, _ := cff[k].(string); return s }
	for _, k := range []string{"message", "title"} {
		if str(k) == "" {
			t.Errorf("CITATION.cff: %s is missing or not text", k)
		}
	}
	if str("cff-version") != "1.2.0" || !slices.Contains([]string{"dataset", "software"}, str("type")) {
		t.Errorf("CITATION.cff: cff-version %q, type %q; want 1.2.0 and dataset or software", str("cff-version"), str("type"))
	}
	authors, _ := cff["authors"].([]any)
	if len(authors) == 0 {
		t.Errorf("CITATION.cff: no authors")
	}
	for _, a := range authors {
		if m, _ := a.(map[string]any); m["name"] == nil && m["family-names"] == nil {
			t.Errorf("CITATION.cff: author %v is neither an entity (name) nor a person (family-names)", a)
		}
	}
	for _, k := range []string{"url", "repository-code"} {
		if !strings.HasPrefix(str(k), "https://") {
			t.Errorf("CITATION.cff: %s %q is not a URL", k, str(k))
		}
	}
	d, log := embeddedWithChangelog(t)
	newest := changelogEntry.FindStringSubmatch(string(log))
	if newest == nil || str("version") != d.Version || str("date-released") != newest[2] || str("license") != "CC-BY-4.0" {
		t.Errorf("CITATION.cff: version %q released %q, licence %q; want %s released %v (data/CHANGELOG.md), CC-BY-4.0",
			str("version"), str("date-released"), str("license"), d.Version, newest)
	}
}
