// Package anchor finds a claim's quote in the text of an edition: when the
// claim is made (Locate, At) and again in each later edition (Index,
// Alignment, Reanchor), saying whether the quote is there unchanged,
// changed or missing.
//
// Quotes are found on the match key of review/text, so that a difference a
// reader cannot see (a ligature, a normal form, a soft hyphen, a curly
// quote) never makes a claim changed, and every span is mapped back to
// exact bytes of the stored text. Anchors follow the W3C Web Annotation
// Data Model's TextQuoteSelector (exact, prefix, suffix) and
// TextPositionSelector (start, end); offsets here are bytes of
// text.Document.Text.
package anchor

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"vetted/review"
	"vetted/review/text"
)

// contextRunes is the length of Anchor.Prefix and Anchor.Suffix: about five
// words, enough to tell apart repeats of a sentence.
const contextRunes = 32

// Locate anchors a quote a user supplies (claim creation). The quote is
// normalised with text.NormalizeQuote (or taken with its line breaks as
// spaces) and must occur in d.Text as its match key does (text.Key: any white space, invisible characters, ligatures,
// normal forms, quote and dash styles and a hyphen at a line end are
// folded). An occurrence on whole words is preferred to one inside longer
// words ("Ganja" is not found in "Ganjali" when it stands alone elsewhere).
// If the quote occurs more than once, prefix and suffix (either may be
// empty) must pick exactly one occurrence: the one whose preceding text
// ends with prefix and whose following text starts with suffix, compared on
// their keys. A quote that occurs once ignores them.
//
// Errors are *review.Error with code EINVALID and field "quote". Locate
// folds d's text each time: to anchor many quotes in one edition, make a
// Locator once.
func Locate(d text.Document, quote, prefix, suffix string) (review.Anchor, error) {
	return NewLocator(d).Locate(quote, prefix, suffix)
}

// A Locator anchors quotes in one edition, its text folded once.
type Locator struct {
	doc text.Document
	key text.Key
}

// NewLocator folds d's text for Locate.
func NewLocator(d text.Document) *Locator {
	return &Locator{doc: d, key: text.NewKey(d.Text)}
}

// Locate is the package's Locate on the locator's edition.
func (l *Locator) Locate(quote, prefix, suffix string) (review.Anchor, error) {
	d, k := l.doc, l.key
	q := text.Fold(text.NormalizeQuote(quote))
	if q == "" {
		return review.Anchor{}, review.FieldErrorf("quote", "The quote is empty: paste the words of the report that the claim is about.")
	}
	occ := findAll(k.Text, q)
	if loose := text.Fold(quote); loose != q {
		// The quote's lines as they were, each break a space: a heading
		// line inside the quote, or a dash at a line end that the text did
		// not join.
		seen := make(map[[2]int]bool, len(occ))
		for _, o := range occ {
			seen[o] = true
		}
		for _, o := range findAll(k.Text, loose) {
			if !seen[o] {
				occ = append(occ, o)
			}
		}
		slices.SortFunc(occ, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	}
	if len(occ) >= maxOccurrences {
		return review.Anchor{}, review.FieldErrorf("quote", "The quote occurs %d times or more in this edition: quote a longer passage, so that it says which one you mean.", maxOccurrences)
	}
	if len(occ) == 0 {
		return review.Anchor{}, review.FieldErrorf("quote", "The quote does not occur in this edition. Copy it again from this edition's text, without changing any word.")
	}
	if whole := wholeWords(k.Text, occ); len(whole) > 0 {
		occ = whole
	}
	if len(occ) > 1 {
		p, s := text.Fold(prefix), text.Fold(suffix)
		var picked [][2]int
		for _, o := range occ {
			before := strings.TrimRight(k.Text[:o[0]], " ")
			after := strings.TrimLeft(k.Text[o[1]:], " ")
			if strings.HasSuffix(before, p) && strings.HasPrefix(after, s) {
				picked = append(picked, o)
			}
		}
		switch {
		case len(picked) == 1:
			occ = picked
		case len(picked) == 0 && (p != "" || s != ""):
			return review.Anchor{}, review.FieldErrorf("quote", "The quote occurs %d times in this edition, but none of them has the words given before or after it. Check the prefix and suffix.", len(occ))
		case len(picked) == 0:
			return review.Anchor{}, review.FieldErrorf("quote", "The quote occurs %d times in this edition, so it is ambiguous. Give a few words just before it (prefix) or just after it (suffix) to say which one you mean.", len(occ))
		default:
			return review.Anchor{}, review.FieldErrorf("quote", "The quote occurs %d times in this edition with those words around it, so it is still ambiguous. Give more words before (prefix) or after it (suffix).", len(picked))
		}
	}
	start, end := k.Span(occ[0][0], occ[0][1])
	return makeAnchor(d, start, end), nil
}

// At makes the anchor of a span [start,end) of d.Text chosen by hand
// (re-anchoring a claim the machine lost). White space at either end is left
// out of the anchor. Errors are *review.Error with code EINVALID.
func At(d text.Document, start, end int) (review.Anchor, error) {
	if start < 0 || end > len(d.Text) || start >= end {
		return review.Anchor{}, review.Errorf(review.EINVALID, "The selection [%d,%d) is empty or outside the edition's text (%d bytes).", start, end, len(d.Text))
	}
	if !utf8.RuneStart(d.Text[start]) || end < len(d.Text) && !utf8.RuneStart(d.Text[end]) {
		return review.Anchor{}, review.Errorf(review.EINVALID, "The selection [%d,%d) cuts a character in two.", start, end)
	}
	s := strings.TrimRightFunc(d.Text[start:end], unicode.IsSpace)
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if t == "" {
		return review.Anchor{}, review.Errorf(review.EINVALID, "The selection [%d,%d) holds only white space.", start, end)
	}
	start += len(s) - len(t)
	return makeAnchor(d, start, start+len(t)), nil
}

// makeAnchor builds the anchor of d.Text[start:end].
func makeAnchor(d text.Document, start, end int) review.Anchor {
	a := review.Anchor{Exact: d.Text[start:end], Start: start, End: end}
	a.Prefix, a.Suffix = context(d.Text, start, end)
	if s, ok := d.Owner(start); ok {
		a.Section = s.Heading
	}
	return a
}

// context returns up to contextRunes runes of s either side of [start,end).
func context(s string, start, end int) (prefix, suffix string) {
	p := start
	for n := 0; n < contextRunes && p > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(s[:p])
		p -= size
	}
	e := end
	for n := 0; n < contextRunes && e < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[e:])
		e += size
	}
	return s[p:start], s[end:e]
}

// maxOccurrences bounds the occurrences of a quote that are looked at: a
// quote found that often says nothing of where it is, and looking at all
// of them in a text built of repeats would cost occurrences × length.
const maxOccurrences = 1000

// findAll returns the byte spans of the occurrences of q in s, overlapping
// ones included, at most maxOccurrences of them.
func findAll(s, q string) [][2]int {
	if q == "" {
		return nil
	}
	var occ [][2]int
	_, step := utf8.DecodeRuneInString(q)
	for i := 0; i <= len(s)-len(q) && len(occ) < maxOccurrences; {
		j := strings.Index(s[i:], q)
		if j < 0 {
			break
		}
		occ = append(occ, [2]int{i + j, i + j + len(q)})
		i += j + step
	}
	return occ
}

// wholeWords returns the occurrences that neither start nor end inside a
// word of s.
func wholeWords(s string, occ [][2]int) [][2]int {
	var out [][2]int
	for _, o := range occ {
		if onBoundary(s, o[0]) && onBoundary(s, o[1]) {
			out = append(out, o)
		}
	}
	return out
}

// onBoundary reports whether byte offset i of s is not inside a word: the
// runes either side of it are not both word runes.
func onBoundary(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i:])
	return !text.IsWordRune(before) || !text.IsWordRune(after)
}
