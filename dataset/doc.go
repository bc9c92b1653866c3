// Package dataset is the centre of kforstats: the sourced record of KFOR's
// troop levels, its parsing and validation, the queries every view is built
// from, and the store that hands out the current dataset and reloads it.
//
// The record is a set of plain CSV files, one per table, that a person can
// edit in a spreadsheet (see data/README.md for every column). Every figure
// names a source and a confidence; validation reports every problem at once,
// each with the file, line, column and field, and says what was expected.
//
// The package imports the standard library only, so that every adapter
// (dashboard, metrics, command line) depends on it and never the other way.
package dataset
