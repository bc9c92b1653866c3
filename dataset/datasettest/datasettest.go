// Package datasettest is what the tests of every package share: the
// embedded record loaded once, the small fixed record, records built from
// the real one with rows added (such as one grown past the bounds a view
// puts on what it lists or draws), and the golden files with the one
// -update flag. Only tests import it.
package datasettest

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// Tables is a record's CSV files as rows, each file's header first.
type Tables map[string][][]string

// Embedded returns the embedded record's tables.
func Embedded(tb testing.TB) Tables {
	tb.Helper()
	t := Tables{}
	for _, f := range dataset.Files {
		b, err := fs.ReadFile(dataset.Embedded(), f)
		if err != nil {
			tb.Fatal(err)
		}
		if t[f], err = csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
	}
	return t
}

// Add appends a row to file, given by column name; a column not named is
// left empty.
func (t Tables) Add(file string, cols map[string]string) {
	row := make([]string, len(t[file][0]))
	for i, h := range t[file][0] {
		row[i] = cols[h]
	}
	t[file] = append(t[file], row)
}

// Origin returns the tables as a record in memory called name.
func (t Tables) Origin(name string) dataset.Origin {
	fsys := fstest.MapFS{}
	for f, b := range t.files() {
		fsys[f] = &fstest.MapFile{Data: b}
	}
	return dataset.Origin{FS: fsys, Name: name}
}

// Write writes the tables into dir as the record's files.
func (t Tables) Write(tb testing.TB, dir string) {
	tb.Helper()
	for f, b := range t.files() {
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// files encodes each table as CSV.
func (t Tables) files() map[string][]byte {
	out := map[string][]byte{}
	for f, rows := range t {
		var b bytes.Buffer
		csv.NewWriter(&b).WriteAll(rows) // flushes; a bytes.Buffer does not fail
		out[f] = b.Bytes()
	}
	return out
}

// First and Last bound the days Day spreads added rows over.
var (
	First = time.Date(1999, 7, 1, 0, 0, 0, 0, time.UTC)
	Last  = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
)

// Day is the i-th of n days spread evenly from First to Last, as a date
// the record's files take.
func Day(i, n int) string {
	return First.Add(time.Duration(float64(Last.Sub(First)) * float64(i) / float64(n))).Format(time.DateOnly)
}
