package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// errStrict says that validate --strict found something to fix in a record
// that is otherwise valid.
var errStrict = errors.New("validate --strict")

func runValidate(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "validate", "[DIR]", "Check the dataset in DIR (default: the one embedded in this binary).\nPrints every problem with its file, line, column and field, and exits 1 on any;\nprints a summary and exits 0 when there is none.")
	strict := fs.Bool("strict", false, "also report sources not retrieved, figures without a quote and lists without a coverage statement, and exit 1 on any")
	coverage := fs.Bool("coverage", false, "rewrite the coverage table (figures per nation and period) in DIR/README.md between its markers")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: validate takes at most one directory, got %d", errUsage, fs.NArg())
	}
	if *coverage && fs.NArg() == 0 {
		return fmt.Errorf("%w: validate --coverage needs the dataset directory whose README.md it rewrites", errUsage)
	}
	origin := dataset.EmbeddedOrigin()
	if fs.NArg() == 1 {
		origin = dataset.DirOrigin(fs.Arg(0))
	}
	d, err := origin.Load(time.Now())
	if err != nil {
		return err
	}
	summarize(e, origin.Name, d)
	if *coverage {
		readme := filepath.Join(fs.Arg(0), "README.md")
		if err := writeCoverage(readme, d); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  coverage table written to %s\n", readme)
	}
	if *strict {
		es := d.Strict()
		for _, x := range es {
			fmt.Fprintln(e.stdout, "  strict: "+x.Error())
		}
		if len(es) > 0 {
			return fmt.Errorf("%w: %d finding(s) in %s", errStrict, len(es), origin.Name)
		}
		fmt.Fprintln(e.stdout, "  strict: nothing to report")
	}
	return nil
}

// summarize prints what the record holds.
func summarize(e *env, name string, d *dataset.Dataset) {
	years := map[int]bool{}
	scopes := map[dataset.Scope]int{}
	for _, o := range d.Observations {
		years[o.Date.Year] = true
		scopes[o.Scope]++
	}
	first, last := d.Observations[0].Date, d.Observations[len(d.Observations)-1].Date
	complete, entries := 0, 0
	for _, ls := range d.Lists {
		if ls.Complete {
			complete++
		}
		entries += len(ls.Entries)
	}
	var perScope []string
	for _, s := range dataset.Scopes {
		perScope = append(perScope, fmt.Sprintf("%s %d", s, scopes[s]))
	}
	var long []string
	for _, n := range d.LongSeries() {
		long = append(long, n.Code)
	}
	fmt.Fprintf(e.stdout, "dataset %s is valid\n", name)
	fmt.Fprintf(e.stdout, "  observations: %d (%d in the preferred series), %s to %s, %d years with a figure\n",
		len(d.Observations), len(d.Series()), first, last, len(years))
	fmt.Fprintf(e.stdout, "  observations per scope: %s\n", strings.Join(perScope, ", "))
	for _, s := range []dataset.Scope{dataset.Theatre, dataset.Kosovo} {
		if o, ok := d.PeakOf(s); ok {
			fmt.Fprintf(e.stdout, "  peak %s: %d on %s (%s)\n", s, o.Troops, o.Date, o.SourceID)
		}
	}
	fmt.Fprintf(e.stdout, "  nation counts: %d\n", len(d.Counts))
	fmt.Fprintf(e.stdout, "  per-nation lists: %d (%d complete), %d entries\n", len(d.Lists), complete, entries)
	fmt.Fprintf(e.stdout, "  contingent figures: %d; nation figures in all: %d\n", len(d.Contingents), entries+len(d.Contingents))
	fmt.Fprintf(e.stdout, "  nations with a long series (>= %d figures over >= %d years): %d (%s)\n",
		dataset.LongSeriesFigures, dataset.LongSeriesYears, len(long), strings.Join(long, " "))
	fmt.Fprintf(e.stdout, "  nations: %d\n", len(d.Nations))
	fmt.Fprintf(e.stdout, "  sources: %d\n", len(d.Sources))
	fmt.Fprintf(e.stdout, "  events: %d\n", len(d.Events))
	located := 0
	for _, u := range d.Units {
		if u.Located() {
			located++
		}
	}
	fmt.Fprintf(e.stdout, "  structure: %d formation periods (%d placed on the map), %d changes; in force today: %d\n",
		len(d.Units), located, len(d.StructureChanges()), len(d.StructureAt(time.Now())))
	for _, w := range d.Warnings() {
		fmt.Fprintln(e.stdout, "  warning: "+w.Error())
	}
	fmt.Fprintf(e.stdout, "  as of: %s, checksum %s, version %s\n", d.AsOf, d.Checksum[:12], cmp.Or(d.Version, "none (no VERSION file)"))
}

// writeCoverage rewrites the coverage table in the README at path, leaving
// the file untouched when the table is already current.
func writeCoverage(path string, d *dataset.Dataset) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("coverage table: %w", err)
	}
	out, err := dataset.SpliceCoverage(b, d.CoverageTable())
	if err != nil {
		return fmt.Errorf("coverage table: %s: %w", path, err)
	}
	if string(out) == string(b) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}
