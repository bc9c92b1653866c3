package metrics

import (
	"bytes"
	"testing"
	"time"
)

// History ends at the start of now's day, whatever the time of day, so that
// an answer made in the morning equals one made at night.
func TestHistory(t *testing.T) {
	fx := fixture(t)
	var want bytes.Buffer
	if err := WriteHistory(&want, fx.d, HistoryOptions{End: fixtureNow.Truncate(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{fixtureNow.Truncate(24 * time.Hour), fixtureNow, fixtureNow.Truncate(24 * time.Hour).Add(24*time.Hour - time.Second)} {
		var got bytes.Buffer
		if err := History(&got, fx.d, now); err != nil {
			t.Fatalf("History(%v) = %v", now, err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("History(%v) (%d bytes) differs from WriteHistory to the day's start (%d bytes)", now, got.Len(), want.Len())
		}
	}
}
