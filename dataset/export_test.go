package dataset

// Overlay and TestNow lend the internal tests' fixture reader and "today"
// to the external ones (package dataset_test), which import datasettest.
var (
	Overlay = overlay
	TestNow = testNow
)
