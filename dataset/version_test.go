package dataset

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestChangelog: the embedded record's version is the newest entry of
// data/CHANGELOG.md, and that entry names the checksum of the files as
// they are: files changed without a new version and entry fail here.
func TestChangelog(t *testing.T) {
	d, err := EmbeddedOrigin().Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile("data/CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	entries := regexp.MustCompile(`(?m)^## (\S+) \((\d{4}-\d{2}-\d{2})\)$`).FindAllStringSubmatchIndex(string(log), -1)
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
