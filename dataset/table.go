package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// schema names a table's file and columns.
type schema struct {
	file     string
	required []string
	optional []string
}

// table is one CSV file read into memory with every field's position kept,
// so that any check made later can point at the exact cell.
type table struct {
	broken bool   // the file could not be read whole
	name   string // file name for messages
	cols   map[string]int
	rows   []row
}

type row struct {
	t      *table
	line   int
	fields []string
	pos    [][2]int // line, column of each field
}

// collector gathers every problem of a load.
type collector struct {
	errs Errors
}

func (c *collector) add(file string, line, col int, field, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: file, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// readTable reads the file named by s from fsys. A missing optional table
// reads as empty when missingOK is set.
func readTable(fsys fs.FS, dir string, s schema, c *collector, raw map[string][]byte) *table {
	name := path.Join(dir, s.file)
	if dir == "" {
		name = s.file
	}
	t := &table{name: name, cols: map[string]int{}}
	b, err := fs.ReadFile(fsys, s.file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			c.add(name, 0, 0, "", "file is missing (want a CSV file with header %s)", strings.Join(s.required, ","))
		} else {
			c.add(name, 0, 0, "", "cannot read: %v", unwrapPath(err))
		}
		t.broken = true
		return t
	}
	raw[s.file] = b
	r := csv.NewReader(strings.NewReader(string(b)))
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		if err == io.EOF {
			c.add(name, 1, 0, "", "file is empty (want a header row: %s)", strings.Join(s.required, ","))
		} else {
			c.add(name, csvLine(err), 0, "", "%s", csvMsg(err))
		}
		t.broken = true
		return t
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheets add a BOM
	}
	known := map[string]bool{}
	for _, k := range s.required {
		known[k] = true
	}
	for _, k := range s.optional {
		known[k] = true
	}
	for i, h := range header {
		h = strings.TrimSpace(h)
		_, col := r.FieldPos(i)
		switch {
		case !known[h]:
			c.add(name, 1, col, h, "unknown column (want one of %s)", strings.Join(append(append([]string{}, s.required...), s.optional...), ","))
		case t.cols[h] != 0:
			c.add(name, 1, col, h, "column appears twice")
		default:
			t.cols[h] = i + 1 // 0 means absent
		}
	}
	missing := false
	for _, k := range s.required {
		if t.cols[k] == 0 {
			c.add(name, 1, 0, k, "required column is missing")
			missing = true
		}
	}
	if missing {
		t.broken = true
		return t
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.add(name, csvLine(err), 0, "", "%s", csvMsg(err))
			t.broken = true
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err == csv.ErrFieldCount {
				continue
			}
			break // the reader cannot resynchronise after a quoting error
		}
		line, _ := r.FieldPos(0)
		rw := row{t: t, line: line, fields: rec, pos: make([][2]int, len(rec))}
		blank := true
		for i := range rec {
			l, col := r.FieldPos(i)
			rw.pos[i] = [2]int{l, col}
			if strings.TrimSpace(rec[i]) != "" {
				blank = false
			}
		}
		if blank {
			continue // spreadsheets leave empty rows behind
		}
		if len(rec) != len(header) {
			c.add(name, line, 0, "", "has %d fields, want %d as in the header", len(rec), len(header))
			continue
		}
		t.rows = append(t.rows, rw)
	}
	return t
}

func csvLine(err error) int {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Line
	}
	return 0
}

func csvMsg(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "malformed CSV: " + pe.Err.Error()
	}
	return err.Error()
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// get returns the trimmed value of field, or "" when the column is absent.
func (r row) get(field string) string {
	i := r.t.cols[field]
	if i == 0 {
		return ""
	}
	return strings.TrimSpace(r.fields[i-1])
}

// at returns the line and column of field in this row.
func (r row) at(field string) (int, int) {
	i := r.t.cols[field]
	if i == 0 {
		return r.line, 0
	}
	p := r.pos[i-1]
	return p[0], p[1]
}

func (r row) errf(c *collector, field, format string, args ...any) {
	line, col := r.at(field)
	c.add(r.t.name, line, col, field, format, args...)
}

// required returns field's value, reporting an error when it is empty.
func (r row) required(c *collector, field string) (string, bool) {
	v := r.get(field)
	if v == "" {
		r.errf(c, field, "is empty (required)")
		return "", false
	}
	return v, true
}

func (r row) date(c *collector, field string, optional bool) (Date, bool) {
	v := r.get(field)
	if v == "" {
		if optional {
			return Date{}, true
		}
		r.errf(c, field, "is empty (want YYYY, YYYY-MM or YYYY-MM-DD)")
		return Date{}, false
	}
	d, err := ParseDate(v)
	if err != nil {
		r.errf(c, field, "%v", err)
		return Date{}, false
	}
	return d, true
}

// positive reads a whole number greater than zero. Thousands separators
// (4,273 or 4 273) are refused: a spreadsheet that adds them changes the data.
func (r row) positive(c *collector, field string, optional bool) (int, bool) {
	v := r.get(field)
	if v == "" {
		if optional {
			return 0, true
		}
		r.errf(c, field, "is empty (want a whole number greater than 0)")
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.errf(c, field, "%q is not a whole number (want digits only, no separators)", v)
		return 0, false
	}
	if n <= 0 {
		r.errf(c, field, "%d is not positive (want a whole number greater than 0)", n)
		return 0, false
	}
	return n, true
}

func (r row) nonNegative(c *collector, field string) (*int, bool) {
	v := r.get(field)
	if v == "" {
		return nil, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		r.errf(c, field, "%q is not a whole number of 0 or more", v)
		return nil, false
	}
	return &n, true
}

func (r row) float(c *collector, field string, lo, hi float64) (float64, bool) {
	v := r.get(field)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.errf(c, field, "%q is not a number", v)
		return 0, false
	}
	if f < lo || f > hi {
		r.errf(c, field, "%v is out of range (want %v to %v)", f, lo, hi)
		return 0, false
	}
	return f, true
}

func (r row) confidence(c *collector, field string) (Confidence, bool) {
	v := Confidence(r.get(field))
	if v.rank() == len(Confidences) {
		r.errf(c, field, "%q is not a confidence (want exact, approximate, derived or uncertain)", string(v))
		return "", false
	}
	return v, true
}

func (r row) bool(c *collector, field string) (bool, bool) {
	switch strings.ToLower(r.get(field)) {
	case "yes", "true":
		return true, true
	case "no", "false":
		return false, true
	}
	r.errf(c, field, "%q is not yes or no", r.get(field))
	return false, false
}

func (r row) scope(c *collector, field string) (Scope, bool) {
	switch v := Scope(r.get(field)); v {
	case Kosovo, Theatre, ScopeUnknown:
		return v, true
	default:
		r.errf(c, field, "%q is not a scope (want kosovo, theatre, or empty when the source does not say)", string(v))
		return "", false
	}
}
