package datasettest

import (
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// record is the embedded record, loaded by the first test that asks.
var record = sync.OnceValues(func() (*dataset.Dataset, error) {
	return dataset.EmbeddedOrigin().Load(time.Now())
})

// Record returns the embedded record, loaded once per test binary and
// shared by every test: a caller must not change it.
func Record(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	d, err := record()
	if err != nil {
		tb.Fatalf("loading the embedded record: %v", err)
	}
	return d
}

// Store returns a new store serving the embedded record.
func Store(tb testing.TB) *dataset.Store {
	tb.Helper()
	s, err := dataset.NewStore(dataset.EmbeddedOrigin(), nil)
	if err != nil {
		tb.Fatalf("NewStore(embedded): %v", err)
	}
	return s
}

// validDir is where the small valid record lives, from the module's root.
var validDir = filepath.Join("dataset", "testdata", "valid")

// Valid returns the small, fixed record that dataset's own tests start
// from (dataset/testdata/valid) as files in memory, byte for byte: its
// figures, and the goldens made from them, do not move when the real
// record does. Each call returns a new copy, free to change.
func Valid(tb testing.TB) fstest.MapFS {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, validDir)); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			tb.Fatalf("no %s in any directory above the test's", validDir)
		}
		dir = up
	}
	dir = filepath.Join(dir, validDir)
	m := fstest.MapFS{}
	for _, f := range dataset.Files {
		b, err := fs.ReadFile(os.DirFS(dir), f)
		if err != nil {
			tb.Fatal(err)
		}
		m[f] = &fstest.MapFile{Data: b}
	}
	return m
}
