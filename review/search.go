package review

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSearchTerms bounds a query, so one search cannot ask the index for
// thousands of terms.
const MaxSearchTerms = 16

// SearchTerms turns what a person types into safe full-text MATCH terms:
// words (letters and digits) are kept, each as a prefix term, "quoted
// phrases" stay phrases, and every other character — the index's own
// operators among them — is ignored, so no input can be a syntax error or
// change the query's meaning. A claim matches when every term matches
// something said about it.
// SearchRows bounds the work a search does for a common word: the claims
// it finds are looked for among the newest SearchRows entries of each
// term's index (statements, quotes, notes, sources: several per claim).
// When a term has more, the search is partial: its total counts what was
// found, not every match, and the page says so. A search within one report
// reads every entry.
const SearchRows = 1000

func SearchTerms(q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, FieldErrorf("q", "The search holds characters that are not text.")
	}
	if len(q) > 500 {
		return nil, FieldErrorf("q", "The search is longer than 500 characters.")
	}
	var terms []string
	inPhrase := false
	var phrase []string
	for i, part := range strings.Split(q, `"`) {
		if i > 0 {
			inPhrase = !inPhrase
		}
		words := searchWords(part)
		if inPhrase {
			phrase = words
			if len(phrase) > 0 {
				terms = append(terms, `"`+strings.Join(phrase, " ")+`"`)
			}
			continue
		}
		for _, w := range words {
			// FTS4 reads a prefix inside the quotes ("cavi*"); after them
			// ("cavi"*) the star is ignored and only whole words match.
			terms = append(terms, `"`+w+`*"`)
		}
	}
	if len(terms) == 0 {
		return nil, FieldErrorf("q", "Search for at least one word.")
	}
	if len(terms) > MaxSearchTerms {
		return nil, FieldErrorf("q", "Search for at most %d words or phrases.", MaxSearchTerms)
	}
	return terms, nil
}

// searchWords splits s into lower-case runs of letters and digits; the
// index's operators (AND, OR, NOT, NEAR) are lower-cased into plain words.
func searchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
