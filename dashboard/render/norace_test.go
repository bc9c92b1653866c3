//go:build !race

package render

// raceEnabled tells the heavy tests to do less: the race detector makes the
// JS engine some ten times slower.
const raceEnabled = false
