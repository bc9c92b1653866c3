package render

import (
	"errors"
	"testing"
)

func TestBudgetFor(t *testing.T) {
	const mib = 1 << 20
	tests := map[string]struct {
		limit int64
		procs int
		want  Budget
	}{
		"no limit":               {0, 8, Budget{MaxConcurrent: 8, PixelBudget: MaxPixels, MaxImagePixels: MaxPixels}},
		"1 GiB, 2 cores":         {1024 * mib, 2, Budget{MaxConcurrent: 2, PixelBudget: 560 * mib / 40, MaxImagePixels: 560 * mib / 40}},
		"512 MiB, 2 cores":       {512 * mib, 2, Budget{MaxConcurrent: 2, PixelBudget: 176 * mib / 40, MaxImagePixels: 176 * mib / 40}},
		"512 MiB, 64 cores":      {512 * mib, 64, Budget{MaxConcurrent: 2, PixelBudget: 176 * mib / 40, MaxImagePixels: 176 * mib / 40}},
		"1 GiB, 1 core":          {1024 * mib, 1, Budget{MaxConcurrent: 1, PixelBudget: 608 * mib / 40, MaxImagePixels: 608 * mib / 40}},
		"8 GiB, 64 cores":        {8192 * mib, 64, Budget{MaxConcurrent: 62, PixelBudget: MaxPixels, MaxImagePixels: MaxPixels}},
		"256 MiB: the least one": {256 * mib, 4, Budget{MaxConcurrent: 1, PixelBudget: minPixels, MaxImagePixels: minPixels}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := BudgetFor(tc.limit, tc.procs)
			if got != tc.want {
				t.Errorf("BudgetFor(%d MiB, %d) = %+v, want %+v", tc.limit/mib, tc.procs, got, tc.want)
			}
			// What the budget lets be drawn at once stays under 75% of the
			// limit, wherever the limit leaves room for the least budget.
			peak := baseBytes + int64(got.MaxConcurrent-1)*bytesPerRender + int64(got.PixelBudget)*bytesPerPixel
			if tc.limit >= 512*mib && float64(peak) > 0.75*float64(tc.limit) {
				t.Errorf("BudgetFor(%d MiB, %d) = %+v: %d MiB at full tilt, over 75%% of the limit", tc.limit/mib, tc.procs, got, peak/mib)
			}
		})
	}
}

// TestMaxImagePixels: a PNG over the Renderer's own bound is a SizeError
// naming it, refused before it takes a slot.
func TestMaxImagePixels(t *testing.T) {
	r, err := New(Options{ECharts: []byte("globalThis.echarts = {}"), MaxImagePixels: 1000 * 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	_, err = r.PNG(t.Context(), Chart{Option: "({})", Width: 1000, Height: 600}, 2)
	var size *SizeError
	if !errors.As(err, &size) || size.Param != "scale" || r.MaxImagePixels() != 1000*1000 {
		t.Errorf("PNG of 2.4 million pixels with MaxImagePixels 1 million = %v, want a SizeError on scale", err)
	}
}
