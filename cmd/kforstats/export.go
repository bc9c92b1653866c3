package main

import (
	"context"
	"fmt"
	"io"
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
	listCommands(w, exportCommands)
	fmt.Fprintln(w, "\nRun 'kforstats export FORMAT --help' for a format's flags.")
}
