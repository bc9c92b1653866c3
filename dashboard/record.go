package dashboard

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kforstats/kforstats/dashboard/param"
	"github.com/kforstats/kforstats/dataset"
)

// handleDataPackage serves the record's Frictionless data package
// descriptor: every table's schema, the licence and the version.
func (s *Server) handleDataPackage() handler {
	return func(c *gin.Context, _ param.Values) {
		b, err := fs.ReadFile(dataset.PackageFS(), dataset.PackageFile)
		if err != nil {
			fail(c, err) // embedded: cannot fail
			return
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", b)
	}
}

// handleRecordZip serves the record as one zip: the tables the served
// dataset was read from, its VERSION and the data package that describes
// them. The route's cache makes it once per dataset.
func (s *Server) handleRecordZip() handler {
	return func(c *gin.Context, _ param.Values) {
		b, err := recordZip(s.data())
		if err != nil {
			s.cfg.Log.Error("writing the record's zip", "err", err)
			fail(c, Errorf(EInternal, "", "cannot write the record's zip"))
			return
		}
		c.Header("Content-Disposition", `attachment; filename="kfor-record-`+datasetVersion(s.data())+`.zip"`)
		c.Data(http.StatusOK, "application/zip", b)
	}
}

// recordZip writes d's files and the data package into a zip, each dated
// the record's newest day, so that one dataset makes the same bytes.
func recordZip(d *dataset.Dataset) ([]byte, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	when := d.AsOf.Start()
	if when.Before(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		when = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) // zip's epoch
	}
	add := func(name string, body []byte) error {
		w, err := z.CreateHeader(&zip.FileHeader{Name: "kfor-record/" + name, Method: zip.Deflate, Modified: when})
		if err != nil {
			return err
		}
		_, err = w.Write(body)
		return err
	}
	for _, name := range dataset.PackageDocs {
		body, err := fs.ReadFile(dataset.PackageFS(), name)
		if err == nil {
			err = add(name, body)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, name := range append(dataset.Files[:len(dataset.Files):len(dataset.Files)], dataset.VersionFile) {
		if body, ok := d.File(name); ok {
			if err := add(name, body); err != nil {
				return nil, err
			}
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
