package dataset

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The scale check: a record many times the size of the real one, made from
// it, that loads and validates like it. `make bench` writes it with
// -scale.out and serves it (deploy/systemtest/load_test.go).
var (
	scaleOut    = flag.String("scale.out", "", "write the scaled record into this directory (TestScaleWrite)")
	scaleFactor = flag.Int("scale.factor", 100, "how many times the real record's size TestScaleWrite writes")
)

// scaleEnd is the newest date of a generated row: before any "today" a
// test or a run uses.
var (
	scaleStart = time.Date(1999, 7, 1, 0, 0, 0, 0, time.UTC)
	scaleEnd   = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
)

// csvTable is one file of the record: its header and rows by column name.
type csvTable struct {
	head []string
	rows [][]string
}

func (t *csvTable) add(cols map[string]string) {
	row := make([]string, len(t.head))
	for i, h := range t.head {
		row[i] = cols[h]
	}
	t.rows = append(t.rows, row)
}

// scaleDay spreads n generated rows evenly over the record's years.
func scaleDay(i, n int) time.Time {
	span := scaleEnd.Sub(scaleStart).Hours() / 24
	return scaleStart.AddDate(0, 0, int(float64(i)*span/float64(n)))
}

// nationCode returns the i-th three-letter code that the record does not
// already use: synthetic, but of the form the validator accepts.
func nationCodes(n int, taken map[string]bool) []string {
	var out []string
	for i := 0; len(out) < n && i < 26*26*26; i++ {
		c := string([]byte{'A' + byte(i/676), 'A' + byte(i/26%26), 'A' + byte(i%26)})
		if !taken[c] {
			out = append(out, c)
		}
	}
	return out
}

// writeScaled writes into dir the embedded record with every large table
// (sources, nations, observations, counts, lists and their contributions,
// events) grown to about factor times its rows, plus a newest complete
// list naming every nation. Phases, sites and facts stay as they are. The
// output is the same for the same factor.
func writeScaled(tb testing.TB, dir string, factor int) {
	tb.Helper()
	tables := map[string]*csvTable{}
	for _, f := range Files {
		b, err := fs.ReadFile(Embedded(), f)
		if err != nil {
			tb.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		tables[f] = &csvTable{head: recs[0], rows: recs[1:]}
	}
	if factor > 1 {
		growTables(tables, factor)
	}
	for f, t := range tables {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(t.head)
		w.WriteAll(t.rows) // flushes; a bytes.Buffer does not fail
		if err := os.WriteFile(filepath.Join(dir, f), b.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// growTables adds the generated rows to the real record's tables.
func growTables(tables map[string]*csvTable, factor int) {
	grow := func(f string) int { return (factor - 1) * len(tables[f].rows) }
	src, nat := tables["sources.csv"], tables["nations.csv"]

	// Sources: one per generated figure, so no two figures collide.
	nSources := grow("sources.csv")
	kinds := []SourceKind{Official, Press, Secondary}
	for i := range nSources {
		src.add(map[string]string{"id": fmt.Sprintf("G%06d", i), "title": fmt.Sprintf("Synthetic source %d", i),
			"publisher": "Scale test", "url": fmt.Sprintf("https://example.org/scale/%d", i),
			"published": "2026-01-01", "kind": string(kinds[i%len(kinds)]), "language": "en"})
	}
	source := func(i int) string { return fmt.Sprintf("G%06d", i%nSources) }

	// Nations: hundreds at 100x, with synthetic codes.
	taken := map[string]bool{}
	for _, r := range nat.rows {
		taken[r[0]] = true
	}
	codes := nationCodes(5*(factor-1), taken)
	for i, c := range codes {
		row := map[string]string{"code": c, "name": "Synthetic nation " + c}
		if i%3 == 0 {
			row["nato_accession"], row["source"] = "2004-03-29", source(i)
		}
		nat.add(row)
	}
	all := append([]string{}, codes...)
	for _, r := range nat.rows[:len(nat.rows)-len(codes)] {
		all = append(all, r[0])
	}

	// Observations: a drawdown from 45,000 to 4,000 with a ripple.
	st, n := tables["strength.csv"], grow("strength.csv")
	confs := []Confidence{Exact, Approximate, Derived, Uncertain}
	for i := range n {
		troops := 45000 - 41000*i/n + (i%7)*150
		st.add(map[string]string{"date": scaleDay(i, n).Format(time.DateOnly), "troops": strconv.Itoa(troops),
			"source": source(i), "confidence": string(confs[i%len(confs)]), "quote": fmt.Sprintf("about %d troops", troops)})
	}

	// Counts, from sources no list cites, so the cross-check with complete
	// lists does not apply to them.
	ct, n := tables["counts.csv"], grow("counts.csv")
	for i := range n {
		nations := 40 - 12*i/n
		ct.add(map[string]string{"date": scaleDay(i, n).Format(time.DateOnly), "nations": strconv.Itoa(nations),
			"source": source(nSources/2 + i), "confidence": "approximate", "quote": fmt.Sprintf("%d countries", nations)})
	}

	// Lists: partial lists of two or three nations, and one complete list,
	// the newest, naming every nation.
	ls, co := tables["lists.csv"], tables["contributions.csv"]
	n = grow("lists.csv")
	entries := grow("contributions.csv")
	for i := range n {
		id := fmt.Sprintf("G%06d", i)
		ls.add(map[string]string{"id": id, "date": scaleDay(i, n).Format(time.DateOnly), "complete": "no",
			"source": source(nSources/4 + i), "confidence": "approximate", "quote": "partial"})
		for j := range max(1, entries/n) {
			co.add(map[string]string{"list": id, "nation": all[(i*3+j)%len(all)],
				"troops": strconv.Itoa(50 + (i*7+j*13)%900), "confidence": "approximate"})
		}
	}
	total := 0
	for i, c := range all {
		t := 5 + (i*37)%400
		total += t
		co.add(map[string]string{"list": "GALL", "nation": c, "troops": strconv.Itoa(t), "confidence": "exact"})
	}
	ls.add(map[string]string{"id": "GALL", "date": scaleEnd.Format(time.DateOnly), "total": strconv.Itoa(total),
		"complete": "yes", "source": source(3 * nSources / 4), "confidence": "exact", "quote": "every nation"})

	// Events of every kind; joins and leaves name a nation.
	ev, n := tables["events.csv"], grow("events.csv")
	for i := range n {
		k := EventKinds[i%len(EventKinds)]
		row := map[string]string{"date": scaleDay(i, n).Format(time.DateOnly), "kind": string(k),
			"title": fmt.Sprintf("Synthetic event %d", i), "source": source(i)}
		if k == Joins || k == Leaves {
			row["nation"] = all[i%len(all)]
		}
		ev.add(row)
	}

}

// TestScaled checks that the 100x record loads and validates, and is as
// large as it claims: what the scale benchmark serves is a real record.
func TestScaled(t *testing.T) {
	real := loadEmbedded(t)
	dir := t.TempDir()
	writeScaled(t, dir, 100)
	d, err := DirOrigin(dir).Load(testNow)
	if err != nil {
		t.Fatalf("the 100x record does not load: %v", err)
	}
	tests := map[string]struct{ got, atLeast int }{
		"observations": {len(d.Observations), 99 * len(real.Observations)},
		"events":       {len(d.Events), 99 * len(real.Events)},
		"lists":        {len(d.Lists), 99 * len(real.Lists)},
		"sources":      {len(d.Sources), 99 * len(real.Sources)},
		"nations":      {len(d.Nations), 500},
	}
	for name, tc := range tests {
		if tc.got < tc.atLeast {
			t.Errorf("the 100x record has %d %s, want at least %d", tc.got, name, tc.atLeast)
		}
	}
	if ls := d.ListAt(testNow, true); ls == nil || len(ls.Entries) != len(d.Nations) {
		t.Errorf("the newest complete list does not name every nation")
	}
}

// TestScaleWrite writes the scaled record for the load run:
// go test ./dataset -run TestScaleWrite -scale.out DIR -scale.factor 100.
func TestScaleWrite(t *testing.T) {
	if *scaleOut == "" {
		t.Skip("no -scale.out given")
	}
	if err := os.MkdirAll(*scaleOut, 0o755); err != nil {
		t.Fatal(err)
	}
	writeScaled(t, *scaleOut, *scaleFactor)
}

// BenchmarkLoadScaled loads the record at 1x, 10x and 100x its size.
func BenchmarkLoadScaled(b *testing.B) {
	for _, factor := range []int{1, 10, 100} {
		dir := b.TempDir()
		writeScaled(b, dir, factor)
		b.Run(fmt.Sprintf("%dx", factor), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := DirOrigin(dir).Load(testNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
