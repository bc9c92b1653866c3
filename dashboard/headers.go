package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dataset"
)

// MaxBodyBytes bounds a request's body. No route reads one; POST /-/reload
// takes none but tolerates the little a client may send by habit.
const MaxBodyBytes = 4 << 10

// DefaultFrameAncestors is who may frame the server's answers when the
// configuration names no one: nobody.
const DefaultFrameAncestors = "'none'"

// referrerPolicy sends only the origin to other sites: a dashboard URL
// carries the reader's view (dates, theme), which is theirs.
const referrerPolicy = "strict-origin-when-cross-origin"

// Header values every answer shares (see guard).
var (
	nosniff             = []string{"nosniff"}
	referrerPolicyValue = []string{referrerPolicy}
)

// baseCSP is the policy of every answer that is not the page: JSON, CSV,
// images, metrics. Opened directly in a browser, none may run a script or
// load anything; an SVG chart may style itself and show embedded images.
const baseCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'"

// guard sets the headers every answer carries and refuses a body over
// MaxBodyBytes with 413, before any handler runs. The page sets its own,
// wider Content-Security-Policy over the base one.
func (s *Server) guard() gin.HandlerFunc {
	// The values are made once and shared by every answer: a header's
	// value slice is only ever replaced, never appended to in place (its
	// capacity is its length), so sharing it is safe and saves an
	// allocation per header per request.
	csp := []string{baseCSP + "; frame-ancestors " + s.cfg.FrameAncestors}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = referrerPolicyValue
		h["Content-Security-Policy"] = csp
		if v := s.datasetHeader(); v != nil {
			h[DatasetHeader] = v
		}
		if err := limitBody(c.Request); err != nil {
			// The rest of an unread body would be taken as the next request.
			h.Set("Connection", "close")
			fail(c, err)
			return
		}
		c.Next()
	}
}

// DatasetHeader names the edition of the record an answer was made from,
// on every answer: its version, or "unversioned" for a record without one.
const DatasetHeader = "X-Kforstats-Dataset"

// datasetHeader is DatasetHeader's value for the dataset now served, made
// once per dataset; nil before one is loaded.
func (s *Server) datasetHeader() []string {
	if s.cfg.Store == nil {
		return nil
	}
	d := s.cfg.Store.Current()
	if d == nil {
		return nil
	}
	if v := s.versionHeader.Load(); v != nil && v.checksum == d.Checksum {
		return v.value
	}
	v := &versionHeader{checksum: d.Checksum, value: []string{datasetVersion(d)}}
	s.versionHeader.Store(v)
	return v.value
}

type versionHeader struct {
	checksum string
	value    []string
}

// datasetVersion is the record's version as the server shows it.
func datasetVersion(d *dataset.Dataset) string {
	if d.Version == "" {
		return "unversioned"
	}
	return d.Version
}

// limitBody reads a request's body, if any, up to MaxBodyBytes, and gives
// it back to the handler from memory. A declared or sent length over the
// bound is an ETooLarge error, whether or not a handler would read it.
func limitBody(r *http.Request) error {
	tooLarge := func(n string) error {
		return Errorf(ETooLarge, "", "the request body is %s bytes (want at most %d: no route takes a body)", n, MaxBodyBytes)
	}
	if r.ContentLength > MaxBodyBytes {
		return tooLarge(fmt.Sprint(r.ContentLength))
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	r.Body.Close()
	switch {
	case len(b) > MaxBodyBytes:
		return tooLarge("over " + fmt.Sprint(MaxBodyBytes))
	case err != nil:
		return Errorf(EInvalid, "", "the request body could not be read: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}

// sourceExpr is one CSP source expression that may stand in
// frame-ancestors: 'self', a scheme ("https:") or a host source
// ("https://*.example.org:443/path").
var sourceExpr = regexp.MustCompile(`^(?:'self'|[a-zA-Z][a-zA-Z0-9+.\-]*:|(?:[a-zA-Z][a-zA-Z0-9+.\-]*://)?(?:\*|(?:\*\.)?[a-zA-Z0-9\-]+(?:\.[a-zA-Z0-9\-]+)*)(?::(?:[0-9]{1,5}|\*))?(?:/[a-zA-Z0-9\-._~!$&()*+=:@%/]*)?)$`)

// frameAncestors returns the configured source list in one line, or the
// default when it is empty or not valid (the command checks it first).
func frameAncestors(v string) string {
	if CheckFrameAncestors(v) != nil {
		return DefaultFrameAncestors
	}
	return strings.Join(strings.Fields(v), " ")
}

// CheckFrameAncestors checks a frame-ancestors source list: 'none' alone,
// or space-separated sources such as 'self' https://intranet.example.org.
// Anything else could break out of the header's directive.
func CheckFrameAncestors(v string) error {
	srcs := strings.Fields(v)
	if len(srcs) == 0 {
		return errors.New("is empty (want 'none', 'self' or origins such as https://intranet.example.org)")
	}
	if len(srcs) == 1 && srcs[0] == "'none'" {
		return nil
	}
	for _, s := range srcs {
		if s == "'none'" {
			return errors.New("'none' must stand alone")
		}
		if !sourceExpr.MatchString(s) {
			return fmt.Errorf("%q is not a CSP source (want 'self', a scheme such as https: or an origin such as https://intranet.example.org)", s)
		}
	}
	return nil
}
