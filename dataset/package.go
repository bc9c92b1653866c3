package dataset

import (
	"embed"
	"io/fs"
)

// The data package: datapackage.json describes every table of the record
// as a Frictionless Table Schema (types, constraints, keys), with its
// licence and version; README.md documents the columns in words and
// CHANGELOG.md each edition. They travel with the tables in
// GET /api/v1/kfor-record.zip.
//
//go:embed data/datapackage.json data/README.md data/CHANGELOG.md
var packageFiles embed.FS

// PackageFile is the data package's descriptor.
const PackageFile = "datapackage.json"

// PackageDocs are the files that describe the record: the data package's
// descriptor, the columns' documentation and the changelog.
var PackageDocs = []string{PackageFile, "README.md", "CHANGELOG.md"}

// PackageFS returns PackageDocs, at its root.
func PackageFS() fs.FS {
	sub, err := fs.Sub(packageFiles, "data")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// File returns the bytes one of the record's files (Files or VersionFile)
// held when the dataset was read, and whether it had one.
func (d *Dataset) File(name string) ([]byte, bool) {
	b, ok := d.raw[name]
	return b, ok
}
