package dashboard

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kforstats/kforstats/dashboard/chart"
	"github.com/kforstats/kforstats/dashboard/i18n"
	"github.com/kforstats/kforstats/dataset"
)

// Repository is where the record and the code are published; CITATION.cff
// at its root says the same.
const Repository = "https://github.com/kforstats/kforstats"

// recordTitle is the record's title, as CITATION.cff and datapackage.json
// give it.
const recordTitle = "The KFOR record: troop levels of the Kosovo Force since June 1999"

// CheckExternalURL checks the URL the server is reached at: empty, or an
// absolute http or https URL with no query or fragment.
func CheckExternalURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http or https URL (want e.g. https://kfor.example.org)", v)
	}
	return nil
}

// shareTags are a view's Open Graph and Twitter card tags: what a link to
// it shows when pasted into a chat or a post.
type shareTags struct {
	Title, Description string
	URL, Image         string // absolute; empty without an external URL
}

// share returns the tags of a view: its strength chart as the image.
func (s *Server) share(v chart.View, d *dataset.Dataset, pr *i18n.Printer) shareTags {
	t := shareTags{Title: pr.T("page.title") + " · kforstats",
		Description: pr.T("page.share_description", datasetVersion(d), pr.Day(d.AsOf.String()))}
	if base := strings.TrimSuffix(s.cfg.ExternalURL, "/"); base != "" {
		t.URL = withQuery(base+"/", v.Query())
		t.Image = withQuery(base+"/charts/strength.png", v.Query())
	}
	return t
}

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
