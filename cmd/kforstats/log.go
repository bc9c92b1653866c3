package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
)

func addLogFlags(fs *flag.FlagSet, level, format *string) {
	fs.StringVar(level, "log.level", "info", "only log messages at or above this level: debug, info, warn, error")
	fs.StringVar(format, "log.format", "text", "log format: text or json")
}

// newLogger returns the one logger the program passes to every part.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("%w: --log.level %q is not a level (want debug, info, warn or error)", errUsage, level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%w: --log.format %q is not a format (want text or json)", errUsage, format)
}
