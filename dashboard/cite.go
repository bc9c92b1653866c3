package dashboard

import (
	"fmt"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dataset"
)

// Repository is where the record and the code are published; CITATION.cff
// at its root says the same.
const Repository = "https://github.com/kforstats/kforstats"

// recordTitle is the record's title, as CITATION.cff and datapackage.json
// give it.
const recordTitle = "The KFOR record: troop levels of the Kosovo Force since June 1999"

// Citation is how to cite the record: as text and as a BibTeX entry, each
// naming the version and the day it was accessed.
type Citation struct {
	Text, BibTeX string
}

// Cite returns the citation of d accessed on day now.
func Cite(d *dataset.Dataset, now time.Time) Citation {
	v := datasetVersion(d)
	year := now.UTC().Format("2006")
	if d.Version != "" {
		year = d.Version[:4]
	}
	accessed := now.UTC().Format(time.DateOnly)
	key := "kforstats_" + strings.NewReplacer(".", "_", "-", "_").Replace(v)
	return Citation{
		Text: fmt.Sprintf("kforstats (%s). %s (version %s) [Data set]. CC BY 4.0. %s. Accessed %s.",
			year, recordTitle, v, Repository, accessed),
		BibTeX: fmt.Sprintf("@misc{%s,\n  author       = {{kforstats}},\n  title        = {The {KFOR} record: troop levels of the Kosovo Force since June 1999},\n"+
			"  year         = {%s},\n  version      = {%s},\n  howpublished = {\\url{%s}},\n  note         = {Data set, CC BY 4.0. Accessed %s},\n  urldate      = {%s}\n}",
			key, year, v, Repository, accessed, accessed),
	}
}
