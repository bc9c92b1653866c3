package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line the way main does, returning its output.
func runCLI(tb testing.TB, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	var o, e bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &o, &e)
	return o.String(), e.String(), err
}

func TestValidateEmbedded(t *testing.T) {
	out, _, err := runCLI(t, "validate")
	if err != nil {
		t.Fatalf("validate = %v", err)
	}
	for _, want := range []string{"dataset embedded is valid", "observations:", "years with a figure", "per-nation lists:", "sources:", "events:"} {
		if !strings.Contains(out, want) {
			t.Errorf("validate output lacks %q:\n%s", want, out)
		}
	}
}

func TestValidateBadDirectory(t *testing.T) {
	dir := t.TempDir()
	src := "../../dataset/testdata/valid"
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "strength.csv"), []byte("date,troops,source,confidence,quote,note\n2017-02-30,4273,P1,exact,q,\n2017-02,4273,P9,exact,q,\n"), 0o644)
	_, _, err = runCLI(t, "validate", dir)
	if err == nil {
		t.Fatal("validate of a bad directory succeeded")
	}
	msg := err.Error()
	for _, want := range []string{
		"2 errors in the dataset:",
		dir + `/strength.csv:2:1: date: "2017-02-30" is not a date (want YYYY, YYYY-MM or YYYY-MM-DD)`,
		dir + `/strength.csv:3:14: source: "P9" does not resolve (want an id from sources.csv)`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("validate error lacks %q:\n%s", want, msg)
		}
	}
}

func TestCommandLine(t *testing.T) {
	tests := map[string]struct {
		args      []string
		usage     bool // want errUsage
		outHas    string
		stderrHas string
	}{
		"version":         {args: []string{"version"}, outHas: "kforstats "},
		"help":            {args: []string{"--help"}, outHas: "Commands:"},
		"unknown command": {args: []string{"frobnicate"}, usage: true, stderrHas: `unknown command "frobnicate"`},
		"bad flag":        {args: []string{"validate", "--nope"}, usage: true, stderrHas: "flag provided but not defined: -nope"},
		"two dirs":        {args: []string{"validate", "a", "b"}, usage: true},
		"serve bad level": {args: []string{"serve", "--log.level=loud"}, usage: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, errOut, err := runCLI(t, tc.args...)
			if tc.usage != errors.Is(err, errUsage) {
				t.Fatalf("run(%q) = %v, want usage error %v", tc.args, err, tc.usage)
			}
			if !tc.usage && err != nil {
				t.Fatalf("run(%q) = %v", tc.args, err)
			}
			if !strings.Contains(out, tc.outHas) || !strings.Contains(errOut, tc.stderrHas) {
				t.Errorf("run(%q) stdout %q stderr %q, want %q and %q", tc.args, out, errOut, tc.outHas, tc.stderrHas)
			}
		})
	}
}
