package dataset_test

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/kforstats/kforstats/dataset"
	"github.com/kforstats/kforstats/dataset/datasettest"
	"time"
)

// The scale check: a record many times the size of the real one, made from
// it, that loads and validates like it. `make bench` writes it with
// -scale.out and serves it (deploy/systemtest/load_test.go).
var (
	scaleOut    = flag.String("scale.out", "", "write the scaled record into this directory (TestScaleWrite)")
	scaleFactor = flag.Int("scale.factor", 100, "how many times the real record's size TestScaleWrite writes")
)

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
	tables := datasettest.Embedded(tb)
	if factor > 1 {
		growTables(tables, factor)
	}
	tables.Write(tb, dir)
}

// growTables adds the generated rows to the real record's tables.
func growTables(tables datasettest.Tables, factor int) {
	grow := func(f string) int { return (factor - 1) * (len(tables[f]) - 1) }

	// Sources: one per generated figure, so no two figures collide.
	nSources := grow("sources.csv")
	kinds := []dataset.SourceKind{dataset.Official, dataset.Press, dataset.Secondary}
	for i := range nSources {
		tables.Add("sources.csv", map[string]string{"id": fmt.Sprintf("G%06d", i), "title": fmt.Sprintf("Synthetic source %d", i),
			"publisher": "Scale test", "url": fmt.Sprintf("https://example.org/scale/%d", i),
			"published": "2026-01-01", "kind": string(kinds[i%len(kinds)]), "language": "en"})
	}
	source := func(i int) string { return fmt.Sprintf("G%06d", i%nSources) }

	// Nations: hundreds at 100x, with synthetic codes.
	taken := map[string]bool{}
	for _, r := range tables["nations.csv"][1:] {
		taken[r[0]] = true
	}
	codes := nationCodes(5*(factor-1), taken)
	for i, c := range codes {
		row := map[string]string{"code": c, "name": "Synthetic nation " + c}
		if i%3 == 0 {
			row["nato_accession"], row["source"] = "2004-03-29", source(i)
		}
		tables.Add("nations.csv", row)
	}
	all := append([]string{}, codes...)
	nat := tables["nations.csv"]
	for _, r := range nat[1 : len(nat)-len(codes)] {
		all = append(all, r[0])
	}

	// Observations: a drawdown from 45,000 to 4,000 with a ripple.
	n := grow("strength.csv")
	confs := []dataset.Confidence{dataset.Exact, dataset.Approximate, dataset.Derived, dataset.Uncertain}
	for i := range n {
		troops := 45000 - 41000*i/n + (i%7)*150
		tables.Add("strength.csv", map[string]string{"date": datasettest.Day(i, n), "troops": strconv.Itoa(troops),
			"source": source(i), "confidence": string(confs[i%len(confs)]), "quote": fmt.Sprintf("about %d troops", troops)})
	}

	// Counts, from sources no list cites, so the cross-check with complete
	// lists does not apply to them.
	n = grow("counts.csv")
	for i := range n {
		nations := 40 - 12*i/n
		tables.Add("counts.csv", map[string]string{"date": datasettest.Day(i, n), "nations": strconv.Itoa(nations),
			"source": source(nSources/2 + i), "confidence": "approximate", "quote": fmt.Sprintf("%d countries", nations)})
	}

	// Lists: partial lists of two or three nations, and one complete list,
	// the newest, naming every nation.
	n = grow("lists.csv")
	entries := grow("contributions.csv")
	for i := range n {
		id := fmt.Sprintf("G%06d", i)
		tables.Add("lists.csv", map[string]string{"id": id, "date": datasettest.Day(i, n), "complete": "no",
			"source": source(nSources/4 + i), "confidence": "approximate", "quote": "partial"})
		for j := range max(1, entries/n) {
			tables.Add("contributions.csv", map[string]string{"list": id, "nation": all[(i*3+j)%len(all)],
				"troops": strconv.Itoa(50 + (i*7+j*13)%900), "confidence": "approximate"})
		}
	}
	total := 0
	for i, c := range all {
		t := 5 + (i*37)%400
		total += t
		tables.Add("contributions.csv", map[string]string{"list": "GALL", "nation": c, "troops": strconv.Itoa(t), "confidence": "exact"})
	}
	tables.Add("lists.csv", map[string]string{"id": "GALL", "date": datasettest.Last.Format(time.DateOnly), "total": strconv.Itoa(total),
		"complete": "yes", "source": source(3 * nSources / 4), "confidence": "exact", "quote": "every nation"})

	// Events of every kind; joins and leaves name a nation.
	n = grow("events.csv")
	for i := range n {
		k := dataset.EventKinds[i%len(dataset.EventKinds)]
		row := map[string]string{"date": datasettest.Day(i, n), "kind": string(k),
			"title": fmt.Sprintf("Synthetic event %d", i), "source": source(i)}
		if k == dataset.Joins || k == dataset.Leaves {
			row["nation"] = all[i%len(all)]
		}
		tables.Add("events.csv", row)
	}

}

// TestScaled checks that the 100x record loads and validates, and is as
// large as it claims: what the scale benchmark serves is a real record.
func TestScaled(t *testing.T) {
	real := datasettest.Record(t)
	dir := t.TempDir()
	writeScaled(t, dir, 100)
	d, err := dataset.DirOrigin(dir).Load(dataset.TestNow)
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
	if ls := d.ListAt(dataset.TestNow, true); ls == nil || len(ls.Entries) != len(d.Nations) {
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
				if _, err := dataset.DirOrigin(dir).Load(dataset.TestNow); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
