package render

import (
	"context"
	"errors"
	"strings"
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

// TestOptionBudget: an option's drawing counts against the same budget as
// PNG pixels, at the memory its drawing takes (the strength chart of a
// record grown a hundredfold, a 5 MB option, took 700 MiB). An SVG waits
// for a large drawing to end as a PNG does, and one larger than the whole
// budget is a SizeError naming from, refused before it takes a slot.
func TestOptionBudget(t *testing.T) {
	line := testCharts["line"].chart
	own := optionPixels(len(line.Option))
	budget := 2 * int(own)
	r := newRenderer(t, Options{MaxConcurrent: 4, PixelBudget: budget, MaxImagePixels: budget, QueueWait: 50 * time.Millisecond})
	ctx := t.Context()
	if _, err := r.SVG(ctx, line); err != nil {
		t.Fatalf("SVG of an option within the budget: %v", err)
	}
	if err := r.acquirePixels(ctx, int64(budget)-own+1); err != nil {
		t.Fatal(err)
	}
	if _, err := r.SVG(ctx, line); !errors.Is(err, ErrBusy) {
		t.Errorf("SVG while its option's share of the budget is taken = %v, want ErrBusy", err)
	}
	r.pixels.Release(int64(budget) - own + 1)

	big := line
	big.Option = line.Option + "\n/*" + strings.Repeat(" ", 2*len(line.Option)) + "*/"
	_, err := r.SVG(ctx, big)
	var size *SizeError
	if !errors.As(err, &size) || size.Param != "from" || !strings.Contains(size.Msg, "narrow the view with from and to") {
		t.Errorf("SVG of an option over the whole budget = %v, want a SizeError naming from", err)
	}
	if len(r.slots) != 0 || !r.pixels.TryAcquire(int64(budget)) {
		t.Errorf("a refused drawing kept its slot or part of the budget")
	}
}
