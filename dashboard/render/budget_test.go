package render

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPixelBudget: PNG renders in progress share a budget of pixels, so
// that the memory they take does not grow with the host's cores. While the
// largest image is being drawn, another PNG waits QueueWait and is refused
// as busy (a 503 with Retry-After for the server); images of the default
// size fit eight at a time.
func TestPixelBudget(t *testing.T) {
	r, err := New(Options{ECharts: []byte("globalThis.echarts = {}"), MaxConcurrent: 16, QueueWait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := r.acquirePixels(ctx, MaxPixels); err != nil {
		t.Fatalf("the largest image does not fit an empty budget: %v", err)
	}
	small := Chart{Option: "({})", Width: 1000, Height: 480}
	if _, err := r.PNG(ctx, small, 2); !errors.Is(err, ErrBusy) {
		t.Errorf("PNG while the budget is taken = %v, want ErrBusy", err)
	}
	if len(r.slots) != 0 {
		t.Errorf("a refused PNG kept its render slot")
	}
	r.pixels.Release(MaxPixels)

	px := int64(small.Width * small.Height * 4)
	for i := range 8 {
		if err := r.acquirePixels(ctx, px); err != nil {
			t.Fatalf("default-size PNG %d of 8: %v", i+1, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.acquirePixels(cctx, MaxPixels); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting for pixels after the client left = %v, want context.Canceled", err)
	}
}
