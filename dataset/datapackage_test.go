package dataset

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The data package as the Frictionless Table Schema describes it: only
// what datapackage.json uses.
type (
	dataPackage struct {
		Version   string        `json:"version"`
		Resources []tabResource `json:"resources"`
	}
	tabResource struct {
		Name   string      `json:"name"`
		Path   string      `json:"path"`
		Schema tableSchema `json:"schema"`
	}
	tableSchema struct {
		Fields        []tabField `json:"fields"`
		MissingValues []string   `json:"missingValues"`
		PrimaryKey    keyFields  `json:"primaryKey"`
		ForeignKeys   []struct {
			Fields    keyFields `json:"fields"`
			Reference struct {
				Resource string    `json:"resource"`
				Fields   keyFields `json:"fields"`
			} `json:"reference"`
		} `json:"foreignKeys"`
	}
	tabField struct {
		Name        string   `json:"name"`
		Type        string   `json:"type"`
		TrueValues  []string `json:"trueValues"`
		FalseValues []string `json:"falseValues"`
		Constraints struct {
			Required bool     `json:"required"`
			Enum     []string `json:"enum"`
			Pattern  string   `json:"pattern"`
			Minimum  *float64 `json:"minimum"`
			Maximum  *float64 `json:"maximum"`
		} `json:"constraints"`
	}
	// keyFields is a key's field or fields: Table Schema allows a string
	// for one.
	keyFields []string
)

func (k *keyFields) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*k = keyFields{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(k))
}

func readPackage(tb testing.TB) dataPackage {
	tb.Helper()
	b, err := os.ReadFile("data/datapackage.json")
	if err != nil {
		tb.Fatal(err)
	}
	var p dataPackage
	if err := json.Unmarshal(b, &p); err != nil {
		tb.Fatalf("data/datapackage.json: %v", err)
	}
	return p
}

// checkPackage checks the record in fsys against the package's Table
// Schemas: the header, each value's type and constraints, unique primary
// keys and foreign keys that resolve. As the loader does, a column left
// out of a file reads as empty. It returns every problem found.
func checkPackage(p dataPackage, fsys fs.FS) []string {
	var errs []string
	addf := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	values := map[string]map[string][]string{} // resource, field: the values, "" for missing
	for _, r := range p.Resources {
		b, err := fs.ReadFile(fsys, r.Path)
		if err != nil {
			addf("%s: %v", r.Path, err)
			continue
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(rows) == 0 {
			addf("%s: not CSV with a header: %v", r.Path, err)
			continue
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			if !slices.ContainsFunc(r.Schema.Fields, func(f tabField) bool { return f.Name == h }) {
				addf("%s: column %q is not in the schema", r.Path, h)
			}
			col[h] = i
		}
		values[r.Name] = map[string][]string{}
		for _, f := range r.Schema.Fields {
			i, ok := col[f.Name]
			if !ok && f.Constraints.Required {
				addf("%s: column %s is missing", r.Path, f.Name)
			}
			var pattern *regexp.Regexp
			if f.Constraints.Pattern != "" {
				pattern = regexp.MustCompile(f.Constraints.Pattern)
			}
			for n, row := range rows[1:] {
				v := ""
				if ok && i < len(row) {
					v = row[i]
				}
				values[r.Name][f.Name] = append(values[r.Name][f.Name], v)
				at := fmt.Sprintf("%s:%d: %s", r.Path, n+2, f.Name)
				if slices.Contains(r.Schema.MissingValues, v) {
					if f.Constraints.Required {
						addf("%s: is required", at)
					}
					continue
				}
				if err := checkValue(f, v, pattern); err != nil {
					addf("%s: %v", at, err)
				}
			}
		}
	}
	for _, r := range p.Resources {
		if pk := r.Schema.PrimaryKey; len(pk) > 0 {
			seen := map[string]int{}
			for n, k := range keys(values[r.Name], pk) {
				if prev, dup := seen[k]; dup {
					addf("%s:%d: primary key %v %q repeats line %d", r.Path, n+2, pk, k, prev)
				}
				seen[k] = n + 2
			}
		}
		for _, fk := range r.Schema.ForeignKeys {
			target := map[string]bool{}
			for _, k := range keys(values[fk.Reference.Resource], fk.Reference.Fields) {
				target[k] = true
			}
			for n, k := range keys(values[r.Name], fk.Fields) {
				if strings.Trim(k, "\x00") != "" && !target[k] {
					addf("%s:%d: %v %q is not a %s %v", r.Path, n+2, fk.Fields, k, fk.Reference.Resource, fk.Reference.Fields)
				}
			}
		}
	}
	return errs
}

// keys joins each row's values of fields.
func keys(cols map[string][]string, fields []string) []string {
	var out []string
	for _, f := range fields {
		for n, v := range cols[f] {
			if n == len(out) {
				out = append(out, v)
			} else {
				out[n] += "\x00" + v
			}
		}
	}
	return out
}

// checkValue checks one value that is not missing against its field.
func checkValue(f tabField, v string, pattern *regexp.Regexp) error {
	var num float64
	switch f.Type {
	case "string":
	case "integer":
		i, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not an integer", v)
		}
		num = float64(i)
	case "number":
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", v)
		}
		num = x
	case "boolean":
		if !slices.Contains(f.TrueValues, v) && !slices.Contains(f.FalseValues, v) {
			return fmt.Errorf("%q is not one of %v or %v", v, f.TrueValues, f.FalseValues)
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return fmt.Errorf("%q is not a date (YYYY-MM-DD)", v)
		}
	default:
		return fmt.Errorf("type %q is not one this check knows", f.Type)
	}
	c := f.Constraints
	switch {
	case len(c.Enum) > 0 && !slices.Contains(c.Enum, v):
		return fmt.Errorf("%q is not one of %v", v, c.Enum)
	case pattern != nil && !pattern.MatchString(v):
		return fmt.Errorf("%q does not match %s", v, c.Pattern)
	case c.Minimum != nil && num < *c.Minimum, c.Maximum != nil && num > *c.Maximum:
		return fmt.Errorf("%s is out of range", v)
	}
	return nil
}

// TestDataPackageProfile: datapackage.json is a valid Tabular Data Package,
// by the Frictionless profile (vendored in testdata/frictionless from the
// npm package datapackage 1.1.10, MIT), describes every table of the record
// and has the record's version.
func TestDataPackageProfile(t *testing.T) {
	c := jsonschema.NewCompiler()
	for _, f := range []string{"data-package.json", "tabular-data-package.json"} {
		b, err := os.ReadFile(filepath.Join("testdata/frictionless", f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(f, doc); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile("data/datapackage.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, profile := range []string{"data-package.json", "tabular-data-package.json"} {
		sch, err := c.Compile(profile)
		if err != nil {
			t.Fatalf("compiling %s: %v", profile, err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("data/datapackage.json against the %s profile: %v", profile, err)
		}
	}
	p := readPackage(t)
	var paths []string
	for _, r := range p.Resources {
		paths = append(paths, r.Path)
	}
	if got, want := slices.Sorted(slices.Values(paths)), slices.Sorted(slices.Values(Files)); !slices.Equal(got, want) {
		t.Errorf("datapackage.json describes %v, the record's files are %v", got, want)
	}
	d, err := EmbeddedOrigin().Load(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != d.Version {
		t.Errorf("datapackage.json has version %q, data/VERSION %q", p.Version, d.Version)
	}
}

// TestDataPackageAgreesWithLoad: the package's schemas and the loader
// never disagree: the record and the valid fixture pass both, and each bad
// fixture about a type, an enum, a key or a reference fails both.
func TestDataPackageAgreesWithLoad(t *testing.T) {
	p := readPackage(t)
	if errs := checkPackage(p, Embedded()); len(errs) > 0 {
		t.Errorf("the record fails its package's schemas:\n%s", strings.Join(errs, "\n"))
	}
	if errs := checkPackage(p, overlay(t, "")); len(errs) > 0 {
		t.Errorf("testdata/valid fails the package's schemas:\n%s", strings.Join(errs, "\n"))
	}
	for _, name := range []string{
		"accession-month", "bad-confidence", "bad-date", "bad-event-kind", "bad-scope", "bad-url",
		"contingent-bad-date", "contingent-duplicate", "contingent-unknown-nation", "duplicate-contribution",
		"duplicate-source", "troops-separator", "troops-zero", "unknown-nation", "unresolved-source",
	} {
		t.Run(name, func(t *testing.T) {
			fsys := overlay(t, filepath.Join("testdata/bad", name))
			_, err := Load(fsys, Options{Now: testNow})
			errs := checkPackage(p, fsys)
			if err == nil || len(errs) == 0 {
				t.Errorf("%s: Load says %v, the package's schemas %q: want both to fail", name, err, errs)
			}
		})
	}
}
