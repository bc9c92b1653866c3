package datasettest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the one -update flag of every test binary that imports this
// package (make golden sets it).
var update = flag.Bool("update", false, "rewrite golden files, and the committed files tests generate, instead of comparing with them")

// Update reports whether the tests run with -update, for a test that
// rewrites committed files other than a golden file (the README's
// screenshots, the precompressed assets).
func Update() bool { return *update }

// Golden compares got with the file at path or, under -update, writes got
// there, creating its directory.
func Golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs; go test -update rewrites it, then review the diff (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
