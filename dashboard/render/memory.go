package render

// What drawing costs in memory, measured on the built binary in a memory
// cgroup of its own, with one PNG of the strength chart at a time: the
// cgroup's peak usage was 184 MiB for 3 million pixels, 249 MiB for 5.6
// million and 590 MiB for 12 million (4000x3000), and still 450 MiB for 12
// million with GOMEMLIMIT at 200 MiB: resvg's pixmaps and layers, the PNG
// encoder's buffers and wasm memory growing by copies are live at once.
const (
	// bytesPerPixel is a PNG's cost while it is drawn, rounded up.
	bytesPerPixel = 40
	// baseBytes is the rest: the process, the dataset, both caches full,
	// the engines of the renders at MaxConcurrent.
	baseBytes = 160 << 20
	// bytesPerRender is one more render in progress (a JS runtime drawing
	// an SVG, its copy of the option and the SVG text).
	bytesPerRender = 48 << 20
	// bytesPerOptionByte is what drawing takes on top of that for each
	// byte of a large option: ECharts' model of every point and the SVG's
	// elements in the JS runtime, the garbage they leave, and for a PNG
	// resvg's tree of that SVG. Measured on the built binary with the
	// record grown a hundredfold (dataset/scale_test.go) in memory
	// cgroups: the SVGs of the changes and nations charts (1.3 and 1.2 MB
	// of option) drawn at once took the peak from 135 to 375 MiB in 512
	// MiB (190 bytes a byte); their PNGs drawn at once, to 724 MiB in
	// 1 GiB (250 a byte); the strength chart's SVG (5.2 MB) to 861 MiB in
	// 1 GiB (140, the runtime's limit collecting harder). The real
	// record's options are 4 to 92 KB: 28 MB for the largest.
	bytesPerOptionByte = 300
	// memoryTarget is the part of the limit that drawing may take the
	// process to: room for the Go runtime's garbage and the kernel's page
	// cache before the limit's OOM kill.
	memoryTarget = 0.75
	// minPixels is the least budget a Renderer is given however short of
	// memory: 2 million pixels, a default-size chart at scale 2.
	minPixels = 1 << 21
)

// optionPixels is what drawing an option of n bytes costs in the unit of
// the pixel budget: its heap, counted as PNG pixels.
func optionPixels(n int) int64 { return int64(n) * bytesPerOptionByte / bytesPerPixel }

// Budget is how much a Renderer draws at once: the Options fields of the
// same names.
type Budget struct {
	MaxConcurrent  int
	PixelBudget    int
	MaxImagePixels int
}

// BudgetFor derives a Renderer's budget from the process's memory limit in
// bytes (0 for none) and its processors, so that drawing at full tilt
// keeps the process under 75% of the limit: the renders at once, at most
// procs, each take bytesPerRender; the PNG pixels drawn at once, and so the
// largest PNG, take bytesPerPixel each, never more than MaxPixels, and so
// do the options being drawn at bytesPerOptionByte (Options.PixelBudget).
// With no limit it is the default: procs renders, MaxPixels.
func BudgetFor(limit int64, procs int) Budget {
	procs = max(procs, 1)
	if limit <= 0 {
		return Budget{MaxConcurrent: procs, PixelBudget: MaxPixels, MaxImagePixels: MaxPixels}
	}
	room := int64(float64(limit)*memoryTarget) - baseBytes
	renders := int(min(max(room/2/bytesPerRender, 1), int64(procs)))
	px := int(min(max((room-int64(renders-1)*bytesPerRender)/bytesPerPixel, minPixels), MaxPixels))
	return Budget{MaxConcurrent: renders, PixelBudget: px, MaxImagePixels: px}
}
