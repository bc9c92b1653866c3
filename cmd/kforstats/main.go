// Command kforstats serves, validates and exports the sourced record of the
// troop levels of KFOR, the NATO-led Kosovo Force, from June 1999 to today.
//
// It is the only place that reads flags or the environment: it wires the
// dataset store, the metrics registry, the web server and the logger.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

// command is a subcommand: kforstats NAME [flags] [args].
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// commands is the table of subcommands; serve is the default.
var commands = map[string]command{
	"serve":       {"serve the dashboard, the API and /metrics (the default)", runServe},
	"healthcheck": {"GET /readyz of a running server; exit 0 if ready, 1 if not (the container's HEALTHCHECK)", runHealthcheck},
	"export":      {"write the record in another format: kforstats export FORMAT (export --help lists them)", runExport},
	"validate":    {"check a dataset directory and print a summary; exit 1 on any error", runValidate},
	"version":     {"print the version", runVersion},
}

// errUsage marks an error in the command line: exit status 2. Alone, it
// says the command has printed its usage already.
var errUsage = errors.New("usage")

// shownError is a usage error the flag package has printed already, with
// the command's flags.
type shownError struct{ error }

func (e shownError) Unwrap() error { return e.error }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if code := exitCode(err, os.Stderr); code != 0 {
		os.Exit(code)
	}
}

// exitCode prints what went wrong, unless it has been printed, and returns
// the exit status: 0 when run succeeded or printed help, 2 for an error in
// the command line, 1 for any other.
func exitCode(err error, stderr io.Writer) int {
	var shown shownError
	switch {
	case err == nil || errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		if err != errUsage && !errors.As(err, &shown) {
			fmt.Fprintf(stderr, "kforstats: %s\nRun 'kforstats help' for the commands, 'kforstats COMMAND --help' for a command's flags.\n",
				strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		}
		return 2
	default:
		fmt.Fprintln(stderr, "kforstats:", err)
		return 1
	}
}

// run runs one kforstats command line. It returns when the command is done,
// or, for serve, when ctx is cancelled and the server has shut down.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
		usage(stdout)
		return nil
	}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "kforstats: unknown command %q\n\n", name)
		usage(stderr)
		return errUsage
	}
	return cmd.run(ctx, e, args)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kforstats [COMMAND] [FLAGS]")
	fmt.Fprintln(w, "\nThe sourced record of KFOR troop levels since June 1999: dashboard, API, metrics and exports.")
	fmt.Fprintln(w, "\nCommands:")
	listCommands(w, commands)
	fmt.Fprintln(w, "\nRun 'kforstats COMMAND --help' for a command's flags.")
}

// listCommands prints a table of commands, one line each, sorted by name.
func listCommands(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, cmds[n].summary)
	}
}

// newFlags returns a flag set for a command that prints its usage to stderr.
func newFlags(e *env, name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: kforstats %s [FLAGS] %s\n\n%s\n\nFlags:\n", name, args, about)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, mapping bad flags to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return shownError{fmt.Errorf("%w: %v", errUsage, err)}
	}
	return nil
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "", "Print the version of this build.")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "kforstats %s\n", version)
	return nil
}
