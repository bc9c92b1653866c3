package i18n

import (
	"strings"
	"unicode"
)

// latinToCyrillic is Serbian's one-to-one mapping of its two alphabets
// (Vuk's Cyrillic and Gaj's Latin), lower case; the digraphs lj, nj and dž
// are one letter each in Cyrillic.
var latinToCyrillic = map[string]string{
	"a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ћ", "d": "д", "dž": "џ", "đ": "ђ", "e": "е", "f": "ф",
	"g": "г", "h": "х", "i": "и", "j": "ј", "k": "к", "l": "л", "lj": "љ", "m": "м", "n": "н", "nj": "њ",
	"o": "о", "p": "п", "r": "р", "s": "с", "š": "ш", "t": "т", "u": "у", "v": "в", "z": "з", "ž": "ж",
}

// ToCyrillic writes Serbian Latin text in Cyrillic. It leaves alone what
// is not Serbian text: format verbs (%d, %[2]s), HTML tags and entities,
// addresses (http…), and letters Serbian does not have (q, w, x, y).
func ToCyrillic(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if i == 0 || !unicode.IsLetter(rs[i-1]) {
			if n := latinWord(rs[i:]); n > 0 {
				b.WriteString(string(rs[i : i+n]))
				i += n
				continue
			}
		}
		if n := skip(rs[i:]); n > 0 {
			b.WriteString(string(rs[i : i+n]))
			i += n
			continue
		}
		if i+1 < len(rs) {
			pair := strings.ToLower(string(rs[i : i+2]))
			if c, ok := latinToCyrillic[pair]; ok && len([]rune(pair)) == 2 {
				b.WriteString(withCase(c, rs[i]))
				i += 2
				continue
			}
		}
		if c, ok := latinToCyrillic[string(unicode.ToLower(rs[i]))]; ok {
			b.WriteString(withCase(c, rs[i]))
		} else {
			b.WriteRune(rs[i])
		}
		i++
	}
	return b.String()
}

// withCase writes Cyrillic letter c in the case of Latin letter l.
func withCase(c string, l rune) string {
	if unicode.IsUpper(l) {
		return strings.ToUpper(c)
	}
	return c
}

// skip returns how many runes at the start of rs are to be kept as they
// are: a format verb, an HTML tag or entity, or an address.
func skip(rs []rune) int {
	switch rs[0] {
	case '%':
		for i := 1; i < len(rs); i++ {
			if unicode.IsLetter(rs[i]) || rs[i] == '%' {
				return i + 1
			}
		}
	case '<':
		for i := 1; i < len(rs); i++ {
			if rs[i] == '>' {
				return i + 1
			}
		}
	case '&':
		for i := 1; i < len(rs) && i < 10; i++ {
			if rs[i] == ';' {
				return i + 1
			}
		}
	case 'h':
		if strings.HasPrefix(string(rs[:min(len(rs), 8)]), "http://") || strings.HasPrefix(string(rs[:min(len(rs), 8)]), "https://") {
			i := 0
			for i < len(rs) && !unicode.IsSpace(rs[i]) {
				i++
			}
			return i
		}
	}
	return 0
}

// keepLatin are the words Serbian Cyrillic text writes in Latin letters:
// the names of keys, file formats and programs.
var keepLatin = []string{"Ctrl", "CSV", "JSON", "PNG", "SVG", "zip", "kforstats", "BibTeX", "CC BY", "Apache License"}

// latinWord returns the length of the keepLatin word rs starts with, if
// it ends there (not followed by a letter), else 0.
func latinWord(rs []rune) int {
	for _, w := range keepLatin {
		n := len([]rune(w))
		if len(rs) >= n && string(rs[:n]) == w && (len(rs) == n || !unicode.IsLetter(rs[n])) {
			return n
		}
	}
	return 0
}
