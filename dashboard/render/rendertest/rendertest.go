// Package rendertest reads the chart images that package render draws, for
// the tests of render and of the routes that serve them. Only tests import
// it.
package rendertest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// SVGText returns the text nodes of svg, trimmed, in document order: what
// a reader sees written on the chart (titles, axis labels, legend). It
// fails the test unless svg is well-formed XML with an svg root element.
func SVGText(tb testing.TB, svg []byte) []string {
	tb.Helper()
	text, err := svgText(svg)
	if err != nil {
		tb.Fatalf("%v\n%.300s", err, svg)
	}
	return text
}

func svgText(svg []byte) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	var text []string
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("SVG is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = t.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" && root != "" {
				text = append(text, s)
			}
		}
	}
	if root != "svg" {
		return nil, fmt.Errorf("root element is %q, want svg", root)
	}
	return text, nil
}
