package metrics

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kforstats/kforstats/dataset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixtureNow is "today" for the small fixture dataset in testdata/dataset.
var fixtureNow = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// fixedStore serves one dataset with a given reload status.
type fixedStore struct {
	d  *dataset.Dataset
	st dataset.ReloadStatus
}

func (s *fixedStore) Current() *dataset.Dataset    { return s.d }
func (s *fixedStore) Status() dataset.ReloadStatus { return s.st }

// fixture loads testdata/dataset as of fixtureNow, loaded once at start.
func fixture(tb testing.TB) *fixedStore {
	tb.Helper()
	d, err := dataset.DirOrigin(filepath.Join("testdata", "dataset")).Load(fixtureNow)
	if err != nil {
		tb.Fatalf("loading the fixture: %v", err)
	}
	return &fixedStore{d: d, st: dataset.ReloadStatus{
		LastSuccessful: true, LastSuccess: time.Date(2025, 1, 10, 8, 0, 0, 500e6, time.UTC), Successes: 1,
	}}
}

// embedded loads the record shipped in the binary, as of now.
func embedded(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	d, err := dataset.EmbeddedOrigin().Load(time.Now())
	if err != nil {
		tb.Fatalf("loading the embedded dataset: %v", err)
	}
	return d
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

func copyDir(tb testing.TB, from, to string) {
	tb.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

func appendLine(tb testing.TB, path, line string) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		tb.Fatal(err)
	}
}
