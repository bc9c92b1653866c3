package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// The catalogues: locales/LANG.json, one per language with a catalogue of
// its own (en, sq, sr), in golang.org/x/text's gotext JSON format.
//
//go:embed locales/*.json
var locales embed.FS

// File is one catalogue file: gotext's format, which translation tools
// read. A message's id is stable; message is the English text, translation
// the language's; translatorComment says what the text is and where a
// term comes from (KFOR's own usage in the language, with its source).
type File struct {
	Language string    `json:"language"`
	Messages []Message `json:"messages"`
}

// Message is one entry of a catalogue.
type Message struct {
	ID                string `json:"id"`
	Message           string `json:"message"`
	Translation       string `json:"translation"`
	TranslatorComment string `json:"translatorComment,omitempty"`
}

// catalogue holds every language's messages: en, sq and sr from their
// files, sr-Cyrl transliterated from sr, en-XA wrapped from en.
var catalogue = mustBuild(locales)

// Files reads the catalogue files, by language code.
func Files(fsys fs.FS) (map[string]File, error) {
	names, err := fs.Glob(fsys, "locales/*.json")
	if err != nil {
		return nil, err
	}
	out := map[string]File{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var f File
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); f.Language != want {
			return nil, fmt.Errorf("%s: language %q, want %q as the file's name says", name, f.Language, want)
		}
		out[f.Language] = f
	}
	return out, nil
}

func mustBuild(fsys fs.FS) *catalog.Builder {
	files, err := Files(fsys)
	if err != nil {
		panic(err) // the embedded files; the catalogue test reads them first
	}
	b := catalog.NewBuilder(catalog.Fallback(English.tag))
	set := func(tag language.Tag, id, text string) {
		if err := b.SetString(tag, id, text); err != nil {
			panic(fmt.Sprintf("catalogue %s, message %s: %v", tag, id, err))
		}
	}
	for _, m := range files["en"].Messages {
		set(English.tag, m.ID, m.Message)
		set(Pseudo.tag, m.ID, "⟦"+m.Message+"⟧")
	}
	for _, m := range files["sq"].Messages {
		set(Albanian.tag, m.ID, m.Translation)
	}
	for _, m := range files["sr"].Messages {
		set(Serbian.tag, m.ID, m.Translation)
		set(SerbianCyrillic.tag, m.ID, ToCyrillic(m.Translation))
	}
	return b
}
