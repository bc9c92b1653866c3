package main

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// exportCommands is the table of export formats: kforstats export NAME.
// Add a format with one line here.
var exportCommands = map[string]command{
	"charts":      {"every chart as SVG and PNG files, drawn as the dashboard draws them, without a browser", runExportCharts},
	"openmetrics": {"the whole history as OpenMetrics with timestamps, for promtool's backfill", runExportOpenMetrics},
}

// runExport dispatches kforstats export NAME [flags] to the named format.
func runExport(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		exportUsage(e.stderr)
		return fmt.Errorf("%w: export needs a format", errUsage)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		exportUsage(e.stdout)
		return nil
	}
	sub, ok := exportCommands[args[0]]
	if !ok {
		exportUsage(e.stderr)
		return fmt.Errorf("%w: unknown export format %q", errUsage, args[0])
	}
	return sub.run(ctx, e, args[1:])
}

func exportUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kforstats export FORMAT [FLAGS]")
	fmt.Fprintln(w, "\nFormats:")
	names := make([]string, 0, len(exportCommands))
	for n := range exportCommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, exportCommands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'kforstats export FORMAT --help' for a format's flags.")
}
