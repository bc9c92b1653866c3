package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/metrics"
)

func runExportOpenMetrics(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "export openmetrics", "",
		"Write the whole record as OpenMetrics text with timestamps: every figure as a step function\n"+
			"sampled every --step from its date until it is superseded, up to today, under the same\n"+
			"metric names as /metrics. Backfill Prometheus with it:\n\n"+
			"  promtool tsdb create-blocks-from openmetrics --max-block-duration=87600h FILE DATA_DIR")
	out := fs.String("out", "-", "file to write; - for standard output")
	step := fs.Duration("step", metrics.DefaultStep, "interval between samples (queries use last_over_time(metric[STEP]))")
	dataPath := fs.String("data.path", "", "directory of the dataset's CSV files; empty exports the dataset embedded in the binary")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: export openmetrics takes no arguments, got %q", errUsage, fs.Args())
	}
	// The record's dates are days, and the output grows as the step
	// shrinks: a day writes some 15 MB, an hour 350 MB; a minute, meant as a
	// month, would fill a disk.
	if *step < time.Hour || *step%time.Second != 0 {
		return fmt.Errorf("%w: --step %s: want a whole number of seconds, at least 1h", errUsage, *step)
	}
	origin := dataset.EmbeddedOrigin()
	if *dataPath != "" {
		origin = dataset.DirOrigin(*dataPath)
	}
	now := time.Now()
	d, err := origin.Load(now)
	if err != nil {
		return fmt.Errorf("cannot load the dataset from %s:\n%w", origin.Name, err)
	}
	opt := metrics.HistoryOptions{Step: *step, End: now}
	if *out == "-" {
		return metrics.WriteHistory(e.stdout, d, opt)
	}
	return writeFileAtomic(*out, func(w io.Writer) error { return metrics.WriteHistory(w, d, opt) })
}

// writeFileAtomic writes path through a temporary file in the same
// directory, so that a failed export never leaves half a file behind.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing left to remove
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
