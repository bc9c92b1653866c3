package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SVGText checks that svg is an XML document with an svg root element and
// returns its text nodes, trimmed, in document order: what a reader sees
// written on the chart (titles, axis labels, legend), and what tests check.
func SVGText(svg []byte) ([]string, error) {
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
