package dataset

import (
	"path"
	"strings"
)

// Strict returns what the record allows but a careful reader should see
// fixed, each located like a load error: sources whose note says they were
// not retrieved (their quote could not be checked against the page),
// figures without a quote, and per-nation lists without a coverage
// statement. kforstats validate --strict reports them.
func (d *Dataset) Strict() Errors {
	var es Errors
	file := func(s schema) string {
		if d.dir == "" {
			return s.file
		}
		return path.Join(d.dir, s.file)
	}
	add := func(s schema, line int, field, msg string) {
		es = append(es, &Error{File: file(s), Line: line, Field: field, Msg: msg})
	}
	for _, s := range d.Sources {
		if strings.Contains(strings.ToLower(s.Note), "not retrieved") {
			add(sourcesSchema, s.Line, "note", "source "+s.ID+" says it was not retrieved (want the page found and its quote checked, or a source that was)")
		}
	}
	for _, ls := range d.Lists {
		if ls.Quote == "" {
			add(listsSchema, ls.Line, "quote", "list "+ls.ID+" has no quote (want the source's words for its total or heading)")
		}
		if ls.Coverage == "" {
			add(listsSchema, ls.Line, "coverage", "list "+ls.ID+" says nothing of which nations it covers (want e.g. \"all 28 nations\" or \"the largest contingents\")")
		}
	}
	// strength.csv, counts.csv and contingents.csv require a quote when
	// loading, so a loaded record has none without one.
	es.sort()
	return es
}
