package text

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentence is one sentence of a Document's body.
type Sentence struct {
	Start, End int    // byte offsets in Document.Text
	Section    string // innermost heading, "" before the first
}

// Sentences splits the paragraphs of d into sentences, never across a
// paragraph or a heading; headings are not sentences. A full stop does not
// end a sentence when the next word starts in lower case ("e.g. the"), after
// a known abbreviation or an initial ("Mr.", "J."), or inside a number
// ("3.5"). Closing quotes after the stop stay with the sentence, and so
// does a footnote number after a word or a year ("…in 2023.15 The
// ministry" ends after "15"; "Law No.5 On Media" goes on).
func (d Document) Sentences() []Sentence {
	var out []Sentence
	text := d.Text
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		owner, ok := d.Owner(pos)
		if pos < end && !(ok && owner.HeadingStart == pos && len(owner.Heading) == end-pos) {
			for _, sp := range SplitSentences(text[pos:end]) {
				out = append(out, Sentence{Start: pos + sp[0], End: pos + sp[1], Section: owner.Heading})
			}
		}
		pos = end + 1
	}
	return out
}

// abbreviations end in a full stop that does not end a sentence (lower
// case, without the stop). "etc." is left out: it usually ends one.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"jr": true, "sr": true, "gen": true, "col": true, "lt": true, "sgt": true,
	"capt": true, "rev": true, "hon": true, "fig": true, "vs": true, "cf": true, "approx": true,
	"incl": true, "est": true, "vol": true, "pp": true, "ch": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true,
	"nov": true, "dec": true,
}

// SplitSentences returns the byte spans of the sentences of one paragraph
// line, trimmed of spaces.
func SplitSentences(p string) [][2]int {
	var spans [][2]int
	start := 0
	add := func(end int) {
		s, e := start, end
		for s < e && p[s] == ' ' {
			s++
		}
		for e > s && p[e-1] == ' ' {
			e--
		}
		if s < e {
			spans = append(spans, [2]int{s, e})
		}
		start = end
	}
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		if r != '.' && r != '!' && r != '?' && r != '\u2026' {
			continue
		}
		stop := i - size
		// Take the rest of "?!", "..." and closing quotes with the sentence.
		for i < len(p) {
			r, size := utf8.DecodeRuneInString(p[i:])
			if r != '.' && r != '!' && r != '?' && r != '\u2026' && !IsClosing(r) {
				break
			}
			i += size
		}
		if i == len(p) {
			break
		}
		if r == '.' && p[i] >= '0' && p[i] <= '9' {
			// A footnote number after the stop ("in 2023.15 The ministry")
			// ends the sentence with it; a decimal ("3.5 Million") does not.
			j := i
			for j < len(p) && j-i < 3 && p[j] >= '0' && p[j] <= '9' {
				j++
			}
			next, _ := utf8.DecodeRuneInString(p[min(j+1, len(p)):])
			if j < len(p) && p[j] == ' ' && unicode.IsUpper(next) && footnoted(p[:stop]) {
				add(j)
				i = j
			}
			continue
		}
		if p[i] != ' ' {
			continue // "3.5", "e.g.,", "U.S.-led"
		}
		next, _ := utf8.DecodeRuneInString(p[i+1:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("‘“\"'([", next)) {
			continue // "e.g. the", "etc. and"
		}
		if r == '.' && isAbbreviation(p[:stop]) {
			continue
		}
		add(i)
	}
	add(len(p))
	return spans
}

// footnoted reports whether the text before a full stop can take a footnote
// number after the stop: it ends in a word of letters (not an abbreviation
// or a reference word such as "No." or "Art." that numbers follow), a
// closing quote or bracket, or a year (1900–2100).
func footnoted(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsLetter(r) {
		w := strings.ToLower(s[strings.LastIndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })+1:])
		return !isAbbreviation(s) && !referenceWords[w]
	}
	if IsClosing(r) {
		return true
	}
	n := 0
	for n < len(s) && s[len(s)-1-n] >= '0' && s[len(s)-1-n] <= '9' {
		n++
	}
	if n != 4 || n < len(s) && s[len(s)-1-n] != ' ' {
		return false
	}
	year, _ := strconv.Atoi(s[len(s)-4:])
	return year >= 1900 && year <= 2100
}

// referenceWords are followed by a number after their full stop ("No.5",
// "Art.12", "p.3"): the number is no footnote.
var referenceWords = map[string]bool{
	"no": true, "nos": true, "art": true, "arts": true, "para": true, "paras": true, "p": true, "pp": true,
	"sec": true, "s": true, "ss": true, "fig": true, "vol": true, "ch": true, "chap": true, "res": true, "doc": true,
}

// isAbbreviation reports whether the word that ends s (just before a full
// stop) is an abbreviation: listed, a single capital (an initial), or
// dotted letters ("e.g", "U.S").
func isAbbreviation(s string) bool {
	i := len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		i -= size
	}
	word := s[i:]
	if word == "" {
		return false
	}
	if strings.Contains(word, ".") {
		return true
	}
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsUpper(r)
	}
	return abbreviations[strings.ToLower(word)]
}
