package main

import (
	"context"
	"fmt"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

func runValidate(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "validate", "[DIR]", "Check the dataset in DIR (default: the one embedded in this binary).\nPrints every problem with its file, line, column and field, and exits 1 on any;\nprints a summary and exits 0 when there is none.")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: validate takes at most one directory, got %d", errUsage, fs.NArg())
	}
	origin := dataset.EmbeddedOrigin()
	if fs.NArg() == 1 {
		origin = dataset.DirOrigin(fs.Arg(0))
	}
	d, err := origin.Load(time.Now())
	if err != nil {
		return err
	}
	years := map[int]bool{}
	for _, o := range d.Observations {
		years[o.Date.Year] = true
	}
	first, last := d.Observations[0].Date, d.Observations[len(d.Observations)-1].Date
	complete := 0
	for _, ls := range d.Lists {
		if ls.Complete {
			complete++
		}
	}
	fmt.Fprintf(e.stdout, "dataset %s is valid\n", origin.Name)
	fmt.Fprintf(e.stdout, "  observations: %d (%d in the preferred series), %s to %s, %d years with a figure\n",
		len(d.Observations), len(d.Series()), first, last, len(years))
	fmt.Fprintf(e.stdout, "  nation counts: %d\n", len(d.Counts))
	fmt.Fprintf(e.stdout, "  per-nation lists: %d (%d complete)\n", len(d.Lists), complete)
	fmt.Fprintf(e.stdout, "  nations: %d\n", len(d.Nations))
	fmt.Fprintf(e.stdout, "  sources: %d\n", len(d.Sources))
	fmt.Fprintf(e.stdout, "  events: %d\n", len(d.Events))
	fmt.Fprintf(e.stdout, "  as of: %s, checksum %s\n", d.AsOf, d.Checksum[:12])
	return nil
}
