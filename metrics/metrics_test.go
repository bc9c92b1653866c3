package metrics

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
)

// fixtureNow is "today" for the small fixed record, datasettest.Valid.
var fixtureNow = time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)

// fixedStore serves one dataset with a given reload status.
type fixedStore struct {
	d  *dataset.Dataset
	st dataset.ReloadStatus
}

func (s *fixedStore) Current() *dataset.Dataset    { return s.d }
func (s *fixedStore) Status() dataset.ReloadStatus { return s.st }

// fixture serves the small fixed record as of fixtureNow.
func fixture(tb testing.TB) *fixedStore {
	tb.Helper()
	return &fixedStore{d: loadFixture(tb, datasettest.Valid(tb)), st: dataset.ReloadStatus{
		LastSuccessful: true, LastSuccess: time.Date(2025, 1, 10, 8, 0, 0, 500e6, time.UTC), Successes: 1,
	}}
}

// loadFixture loads a record in memory as of fixtureNow.
func loadFixture(tb testing.TB, fsys fstest.MapFS) *dataset.Dataset {
	tb.Helper()
	d, err := dataset.Origin{FS: fsys, Name: "testdata/valid"}.Load(fixtureNow)
	if err != nil {
		tb.Fatalf("loading the fixture: %v", err)
	}
	return d
}
