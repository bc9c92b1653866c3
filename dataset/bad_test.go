package dataset_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// TestLoadBad loads each fixture under testdata/bad, which breaks the valid
// record in one way, and compares the whole error text with want.txt.
func TestLoadBad(t *testing.T) {
	dirs, err := filepath.Glob("testdata/bad/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			_, err := dataset.Load(dataset.Overlay(t, dir), dataset.Options{Dir: "data", Now: dataset.TestNow})
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want an error", name)
			}
			var es dataset.Errors
			if !errors.As(err, &es) {
				t.Fatalf("Load(%s) error %T, want Errors", name, err)
			}
			datasettest.Golden(t, filepath.Join(dir, "want.txt"), []byte(err.Error()+"\n"))
		})
	}
}
