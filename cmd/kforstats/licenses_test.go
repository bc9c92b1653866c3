package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// TestNoCopyleftLinked: no module linked into the binary is under the GPL
// or the AGPL, and the README's dependency table names each module with
// its licence. The modules are those `go version -m` lists in the binary
// `make build` makes; each licence is read from the module's LICENSE (or
// COPYING) file in the module cache and classified by its text, with no
// network.
func TestNoCopyleftLinked(t *testing.T) {
	bin := buildStatic(t)
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	readme := dependencyTable(t, "../../README.md")
	mods := 0
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || (f[0] != "dep" && f[0] != "=>") {
			continue
		}
		mods++
		path, version := f[1], f[2]
		dir := filepath.Join(strings.TrimSpace(string(cache)), escapeModule(path)+"@"+version)
		lic, err := moduleLicense(dir)
		switch {
		case err != nil:
			t.Errorf("%s %s: %v", path, version, err)
			continue
		case strings.Contains(lic, "GPL") && !strings.Contains(lic, "LGPL"):
			t.Errorf("%s %s is under %s: a copyleft licence may not be linked into the binary", path, version, lic)
		}
		if got := readme[path]; got != lic {
			t.Errorf("README's dependency table gives %s as %q, its LICENSE file says %s: add or fix the row | `%s` | %s |", path, got, lic, path, lic)
		}
		delete(readme, path)
	}
	if mods == 0 {
		t.Fatalf("go version -m listed no module:\n%s", out)
	}
	for path := range readme {
		t.Errorf("README's dependency table names %s, which the binary does not link", path)
	}
}

// buildStatic builds the binary as `make build` does (static, CGO off,
// trimmed paths) into a temporary directory and returns its path.
func buildStatic(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "kforstats")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// dependencyTable reads the README's rows | `module` | licence |.
func dependencyTable(tb testing.TB, file string) map[string]string {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([^`]+)` \\| ([^|]+?) \\|")
	rows := map[string]string{}
	in := false
	for s := bufio.NewScanner(f); s.Scan(); {
		switch line := s.Text(); {
		case line == "<!-- dependencies:begin -->":
			in = true
		case line == "<!-- dependencies:end -->":
			in = false
		case in:
			if m := row.FindStringSubmatch(line); m != nil {
				rows[m[1]] = m[2]
			}
		}
	}
	return rows
}

// escapeModule writes a module path as the module cache does: each upper
// case letter as ! and its lower case.
func escapeModule(path string) string {
	var b strings.Builder
	for _, r := range path {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// moduleLicense classifies the licence file at the root of a module.
func moduleLicense(dir string) (string, error) {
	for _, name := range []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "COPYING", "LICENSE-MIT"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if lic := classify(string(b)); lic != "" {
			return lic, nil
		}
		return "", &licenseError{dir, name + " is a licence this test does not know: add it to classify"}
	}
	return "", &licenseError{dir, "no LICENSE or COPYING file"}
}

type licenseError struct{ dir, msg string }

func (e *licenseError) Error() string { return e.dir + ": " + e.msg }

// classify names a licence by words only its text has; "" if none match.
// The copyleft ones come first, so that a file holding two licences is
// named by the stricter.
func classify(text string) string {
	t := strings.Join(strings.Fields(text), " ")
	has := func(s ...string) bool {
		for _, x := range s {
			if !strings.Contains(t, x) {
				return false
			}
		}
		return true
	}
	switch {
	case has("GNU AFFERO GENERAL PUBLIC LICENSE"):
		return "AGPL"
	case has("GNU LESSER GENERAL PUBLIC LICENSE"):
		return "LGPL"
	case has("GNU GENERAL PUBLIC LICENSE"):
		return "GPL"
	case has("Mozilla Public License", "2.0"):
		return "MPL-2.0"
	case has("Apache License", "Version 2.0"):
		return "Apache-2.0"
	case has("Permission is hereby granted, free of charge"):
		return "MIT"
	case has("Redistribution and use in source and binary forms", "Neither the name"),
		has("Redistribution and use in source and binary forms", "names of its contributors may not be used"):
		return "BSD-3-Clause"
	case has("Redistribution and use in source and binary forms"):
		return "BSD-2-Clause"
	case has("Permission to use, copy, modify, and/or distribute this software for any purpose"),
		has("Permission to use, copy, modify, and distribute this software for any purpose"):
		return "ISC"
	}
	return ""
}

func TestClassify(t *testing.T) {
	tests := map[string]struct{ text, want string }{
		"agpl":       {"GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007", "AGPL"},
		"gpl":        {"GNU GENERAL PUBLIC LICENSE\n Version 2, June 1991", "GPL"},
		"lgpl":       {"GNU LESSER GENERAL PUBLIC LICENSE Version 3", "LGPL"},
		"gpl or mit": {"Permission is hereby granted, free of charge ... or, at your option, GNU GENERAL PUBLIC LICENSE", "GPL"},
		"apache":     {"Apache License\n   Version 2.0, January 2004", "Apache-2.0"},
		"mit":        {"Permission is hereby granted, free of charge, to any person", "MIT"},
		"bsd-3":      {"Redistribution and use in source and binary forms ... Neither the name of Google", "BSD-3-Clause"},
		"unknown":    {"All rights reserved.", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := classify(tc.text); got != tc.want {
				t.Errorf("classify(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
