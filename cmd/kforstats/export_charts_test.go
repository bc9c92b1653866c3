package main

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func exportCharts(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	var stdout bytes.Buffer
	getenv := func(string) string { return "" } // no disk cache from the environment
	err := run(context.Background(), append([]string{"export", "charts"}, args...), getenv, &stdout, &stdout)
	return stdout.String(), err
}

func TestExportCharts(t *testing.T) {
	dir := t.TempDir()
	out, err := exportCharts(t, "--out", dir, "--chart", "share,contributions", "--width", "500", "--height", "300", "--scale", "1")
	if err != nil {
		t.Fatalf("export charts: %v\n%s", err, out)
	}
	for _, name := range []string{"share.svg", "share.png", "contributions.svg", "contributions.png"} {
		path := filepath.Join(dir, name)
		if !strings.Contains(out, "ok    "+path+"  ") {
			t.Errorf("no progress line for %s in:\n%s", path, out)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if sz := img.Bounds().Size(); sz.X != 500 || sz.Y != 300 {
				t.Errorf("%s is %dx%d, want 500x300", name, sz.X, sz.Y)
			}
		} else if !bytes.HasPrefix(b, []byte("<svg")) {
			t.Errorf("%s does not start with <svg: %.40q", name, b)
		}
	}
	if !strings.Contains(out, "4 of 4 files written to "+dir) || !strings.Contains(out, "; 0 failed") {
		t.Errorf("no summary line in:\n%s", out)
	}
}

// TestExportChartsLanguage: --lang draws the images in a language, its
// Cyrillic script included: the title and the provenance line in its
// words, not English; a language the page does not speak is a usage error
// naming the flag.
func TestExportChartsLanguage(t *testing.T) {
	for lang, want := range map[string][]string{
		"sq":      {"Burimet: ", "të dhënat deri më"},
		"sr-Cyrl": {"Извори: ", "подаци до"},
	} {
		dir := t.TempDir()
		out, err := exportCharts(t, "--out", dir, "--chart", "strength", "--format", "svg", "--lang", lang)
		if err != nil {
			t.Fatalf("export charts --lang %s: %v\n%s", lang, err, out)
		}
		b, err := os.ReadFile(filepath.Join(dir, "strength.svg"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				t.Errorf("--lang %s: strength.svg has no %q", lang, w)
			}
		}
		if bytes.Contains(b, []byte("Sources: ")) || bytes.Contains(b, []byte("data to ")) {
			t.Errorf("--lang %s: strength.svg has the English provenance line", lang)
		}
	}
	if out, err := exportCharts(t, "--out", t.TempDir(), "--lang", "de"); !errors.Is(err, errUsage) || !strings.Contains(out+err.Error(), `--lang: "de" is not a language of the page`) {
		t.Errorf("--lang de: %v\n%s, want a usage error naming --lang", err, out)
	}
}

// TestExportChartsFailure: one file that cannot be written fails the run
// (exit 1), after the others are written and the summary printed.
func TestExportChartsFailure(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "share.svg"), 0o755); err != nil { // a directory where the file goes
		t.Fatal(err)
	}
	out, err := exportCharts(t, "--out", dir, "--chart", "share", "--format", "svg,png", "--width", "400", "--height", "300", "--scale", "1")
	if err == nil || errors.Is(err, errUsage) || !strings.Contains(err.Error(), "1 of 2 files failed") {
		t.Fatalf("export with one unwritable file: error = %v, want 1 of 2 failed\n%s", err, out)
	}
	if !strings.Contains(out, "FAIL  "+filepath.Join(dir, "share.svg")) || !strings.Contains(out, "1 of 2 files written") {
		t.Errorf("output does not report the failure and the summary:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "share.png")); err != nil {
		t.Errorf("the file that could be written was not: %v", err)
	}
}

func TestExportChartsUsage(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"unknown chart":  {[]string{"--chart", "pie"}, `--chart "pie": no such chart (want one of strength,`},
		"unknown format": {[]string{"--format", "gif"}, `--format "gif": want svg, png or svg,png`},
		"huge width":     {[]string{"--width", "100000"}, "--width: 100000 is out of range (want 200 to 4000)"},
		"scale":          {[]string{"--scale", "9"}, "--scale: 9 is out of range (want 1 to 4)"},
		"too many px":    {[]string{"--width", "4000", "--height", "3000", "--scale", "4"}, "is 192000000 pixels"},
		"bad theme":      {[]string{"--theme", "pink"}, `--theme: "pink" is not a theme`},
		"bad date":       {[]string{"--date", "bogus"}, `--date: "bogus" is not a date (want a date as YYYY-MM-DD, YYYY-MM or YYYY)`},
		"from after to":  {[]string{"--from", "2015", "--to", "2010"}, "--from: 2015 is after to 2010"},
		"width text":     {[]string{"--width", "wide"}, `--width: "wide" is not a whole number (want 200 to 4000)`},
		"argument":       {[]string{"strength"}, "takes no arguments"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := exportCharts(t, append([]string{"--out", t.TempDir()}, tc.args...)...)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("export charts %q: error = %v, want a usage error with %q\n%s", tc.args, err, tc.want, out)
			}
		})
	}
}
