package dataset

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing/fstest"
	"time"
)

// Encode writes the dataset back as the CSV files it was read from, in a
// canonical order. Loading the result gives an equal dataset.
func (d *Dataset) Encode() map[string][]byte {
	out := map[string][]byte{}
	put := func(s schema, rows [][]string) {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(append(append([]string{}, s.required...), s.optional...))
		_ = w.WriteAll(rows) // a bytes.Buffer does not fail
		out[s.file] = b.Bytes()
	}
	itoa := strconv.Itoa
	opt := func(p *int) string {
		if p == nil {
			return ""
		}
		return itoa(*p)
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	ds := func(x Date) string {
		if x.IsZero() {
			return ""
		}
		return x.String()
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

	var rows [][]string
	for _, s := range d.Sources {
		rows = append(rows, []string{s.ID, s.Title, s.Publisher, s.URL, ds(s.Published), string(s.Kind), s.Language, s.Note})
	}
	put(sourcesSchema, rows)
	rows = nil
	for _, n := range d.Nations {
		rows = append(rows, []string{n.Code, n.Name, day(n.Accession), n.Source, n.Note})
	}
	put(nationsSchema, rows)
	rows = nil
	for _, o := range d.Observations {
		rows = append(rows, []string{ds(o.Date), itoa(o.Troops), o.SourceID, string(o.Confidence), o.Quote, string(o.Scope), o.Note})
	}
	put(strengthSchema, rows)
	rows = nil
	for _, c := range d.Counts {
		rows = append(rows, []string{ds(c.Date), itoa(c.Nations), opt(c.NATO), opt(c.Partner), c.SourceID, string(c.Confidence), c.Quote, c.Note})
	}
	put(countsSchema, rows)
	rows = nil
	var crows [][]string
	for _, ls := range d.Lists {
		total := ""
		if ls.Total > 0 {
			total = itoa(ls.Total)
		}
		rows = append(rows, []string{ls.ID, ds(ls.Date), total, yes(ls.Complete), ls.SourceID, string(ls.Confidence), ls.Quote, ls.Coverage, ls.Note})
		for _, e := range ls.Entries {
			crows = append(crows, []string{ls.ID, e.Nation.Code, itoa(e.Troops), string(e.Confidence), e.Note})
		}
	}
	put(listsSchema, rows)
	put(contributionsSchema, crows)
	rows = nil
	for _, c := range d.Contingents {
		rows = append(rows, []string{ds(c.Date), c.Nation.Code, itoa(c.Troops), c.SourceID, string(c.Confidence), c.Quote, c.Note})
	}
	put(contingentsSchema, rows)
	rows = nil
	for _, e := range d.Events {
		nation := ""
		if e.Nation != nil {
			nation = e.Nation.Code
		}
		rows = append(rows, []string{ds(e.Date), ds(e.End), string(e.Kind), e.Title, nation, e.SourceID, e.Note})
	}
	put(eventsSchema, rows)
	rows = nil
	for _, p := range d.Phases {
		rows = append(rows, []string{p.ID, ds(p.Start), ds(p.End), p.Name, p.SourceID, p.Note})
	}
	put(phasesSchema, rows)
	rows = nil
	for _, u := range d.Units {
		lat, lon, coords, lead := "", "", "", ""
		if u.Located() {
			lat, lon, coords = num(u.Lat), num(u.Lon), string(u.Coords)
			if u.CoordsID != u.SourceID {
				coords += ":" + u.CoordsID
			}
		}
		if u.Lead != nil {
			lead = u.Lead.Code
		}
		rows = append(rows, []string{u.ID, string(u.Kind), u.Name, lead, u.Camp, u.Place, lat, lon, coords, ds(u.From), ds(u.To), u.SourceID, string(u.Confidence), u.Area, u.Quote, u.Note})
	}
	put(structureSchema, rows)
	rows = nil
	for _, f := range d.Facts {
		rows = append(rows, []string{f.Key, num(f.Value), f.Unit, f.SourceID, f.Quote, f.Note})
	}
	put(factsSchema, rows)
	return out
}

// EncodeFS is Encode as a file system that Load reads.
func (d *Dataset) EncodeFS() fstest.MapFS {
	m := fstest.MapFS{}
	for name, b := range d.Encode() {
		m[name] = &fstest.MapFile{Data: b}
	}
	return m
}
