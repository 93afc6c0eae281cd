package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The heading styles real reports use. A heading's style decides its place
// in the outline (see outline).
const (
	styleCaps  = "CAPS"  // "CRIMINAL MARKETS"
	stylePlain = "plain" // "Overview", "Key Developments in 2023"
)

// isHeading reports whether a block, on its own line, reads as a heading:
// in capitals, numbered or lettered, or a short mixed-case title.
func isHeading(s string) bool {
	return headingStyle(s) != ""
}

// headingStyle returns the style of a heading line, "" for a line that is
// no heading:
//
//   - CAPS: entirely in capitals, at least three letters, nothing but
//     spaces, digits and "&-–—,’'/()" besides ("EU." is text);
//   - a numbered style, named by its numbering ("A.", "A1.", "a.", "1.",
//     "1.1", "I.", "(a)", "Section 1."), followed by a title that starts
//     with a capital, of at most 20 words (45 for a question), ending in a
//     letter, digit, closing bracket, question mark or colon, but not in a
//     word a title does not end with ("and", "of", …);
//   - plain: at most 10 words (25 in title case), starting with a
//     capital, ending in a letter, digit or closing bracket but not in a
//     word a title does not end with ("of", "the", "and", …), with no
//     sentence punctuation, colon, semicolon or double quote inside.
func headingStyle(s string) string {
	if s == "" || utf8.RuneCountInString(s) > 320 {
		return ""
	}
	if isCaps(s) {
		return styleCaps
	}
	if style, title := numbering(s); style != "" {
		if numberedTitle(title) {
			return style
		}
		return ""
	}
	if plainTitle(s) {
		return stylePlain
	}
	return ""
}

// isCaps reports whether s is written entirely in capitals.
func isCaps(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		case unicode.IsDigit(r) || strings.ContainsRune(" &-\u2010\u2011\u2013\u2014,\u2019'/()", r):
		default:
			return false
		}
	}
	return letters >= 3
}

// numbering splits a heading's numbering from its title and names the
// numbering's style; style is "" when s starts with none.
func numbering(s string) (style, title string) {
	word, rest, ok := strings.Cut(s, " ")
	if !ok {
		return "", ""
	}
	for _, kw := range []string{"Section", "Part", "Chapter", "Article", "Annex", "Appendix", "SECTION", "PART", "CHAPTER"} {
		if word == kw {
			num, title, _ := strings.Cut(rest, " ")
			num = strings.TrimRight(num, ".:")
			if num == "" || !isNumberLike(num) {
				return "", ""
			}
			return strings.ToLower(kw) + " N", title
		}
	}
	if strings.HasPrefix(word, "(") && strings.HasSuffix(word, ")") && len(word) <= 6 {
		inner := word[1 : len(word)-1]
		switch {
		case isDigits(inner):
			return "(1)", rest
		case len(inner) == 1 && inner[0] >= 'a' && inner[0] <= 'z':
			return "(a)", rest // "(c)", "(i)", "(v)": letters unless the text numbers in Roman (headingStyles)
		case isRoman(inner, true):
			return "(i)", rest
		case len(inner) == 1 && inner[0] >= 'A' && inner[0] <= 'Z':
			return "(A)", rest
		}
		return "", ""
	}
	w := strings.TrimSuffix(word, ".")
	dotted := len(w) < len(word)
	switch {
	case w == "":
		return "", ""
	case isDigits(strings.ReplaceAll(w, ".", "")) && strings.Contains(w, ".") && !strings.HasSuffix(w, ".") && !strings.Contains(w, ".."):
		// "1.2", "1.2.3" (the depth is the style)
		return strings.Repeat("1.", strings.Count(w, ".")) + "1", rest
	case isDigits(w) && len(w) <= 2 && dotted:
		return "1.", rest
	case len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z' && dotted:
		return "A.", rest
	case len(w) == 1 && w[0] >= 'a' && w[0] <= 'z' && dotted:
		return "a.", rest
	case len(w) >= 2 && len(w) <= 3 && w[0] >= 'A' && w[0] <= 'Z' && isDigits(w[1:]) && dotted:
		return "A1.", rest // Freedom House's sub-questions; "G20 Leaders" is no numbering
	case len(w) >= 2 && isRoman(w, false) && dotted:
		return "I.", rest
	}
	return "", ""
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isNumberLike(s string) bool {
	return isDigits(s) || isRoman(s, false) || isRoman(s, true) ||
		len(s) == 1 && unicode.IsUpper(rune(s[0])) || len(s) <= 5 && isDigits(strings.ReplaceAll(s, ".", ""))
}

func isRoman(s string, lower bool) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	set := "IVXLC"
	if lower {
		set = "ivxlc"
	}
	for _, r := range s {
		if !strings.ContainsRune(set, r) {
			return false
		}
	}
	return true
}

// numberedTitle reports whether the title after a heading's numbering reads
// as a title, not as the first sentence of a numbered paragraph.
func numberedTitle(t string) bool {
	if t == "" {
		return true // "Section 4."
	}
	first, _ := utf8.DecodeRuneInString(strings.TrimLeft(t, "\"'‘“("))
	if !unicode.IsUpper(first) && !unicode.IsDigit(first) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(t)
	limit := 20
	if last == '?' {
		limit = 45 // a question of a survey's method: "B1. Do the people have the right to …?"
	}
	words := strings.Fields(t)
	if len(words) > limit || hasSentenceBreak(t) || runsOn[strings.ToLower(words[len(words)-1])] {
		return false
	}
	return unicode.IsLetter(last) || unicode.IsDigit(last) || last == ')' || last == '?' || last == ':'
}

// plainTitle reports whether s reads as a short mixed-case title.
func plainTitle(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsUpper(first) {
		return false
	}
	words := strings.Fields(s)
	if len(words) > 10 && !(len(words) <= 25 && titleCase(words)) {
		return false
	}
	if strings.ContainsAny(s, ";:!?\u2026\"“”") || hasSentenceBreak(s) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	return (unicode.IsLetter(last) || unicode.IsDigit(last) || last == ')') && !runsOn[strings.ToLower(words[len(words)-1])]
}

// runsOn are words a title does not end with but a wrapped line often does.
var runsOn = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "in": true, "on": true, "at": true, "to": true,
	"for": true, "and": true, "or": true, "but": true, "with": true, "by": true, "from": true,
	"as": true, "that": true, "is": true, "are": true, "was": true, "were": true, "its": true, "their": true,
}

// titleCase reports whether the words of four letters or more are nearly
// all capitalised, as in "Acts of Violence, Criminalization, and Other
// Abuses Based on Sexual Orientation".
func titleCase(words []string) bool {
	long, upper := 0, 0
	for _, w := range words {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		long++
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) {
			upper++
		}
	}
	return long >= 3 && upper*10 >= long*9
}

// hasSentenceBreak reports whether s holds a sentence end followed by more
// text: ". ", "? " or "! " after a word of three letters or more (so
// "U.S. Department" and "St. Petersburg" are no break).
func hasSentenceBreak(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '.' || s[i] == '?' || s[i] == '!') && s[i+1] == ' ' {
			before := s[:i]
			if j := strings.LastIndexAny(before, " ."); j >= 0 {
				before = before[j+1:]
			}
			if utf8.RuneCountInString(before) > 2 {
				return true
			}
		}
	}
	return false
}

// isHeadingLine reports whether line s, inside a run of lines, is a heading.
// A line in capitals is, unless it runs on from an unfinished line into a
// line in lower case. A numbered or mixed-case one must stand
// apart: after a blank line, the start, a heading or a line that ends a
// sentence (afterBreak, lastHeading, last), before a line that starts a
// sentence or a numbered heading (next), and, for a mixed-case one not
// after a blank line, well short of the text's usual line length (width,
// in runes: under 60%, 80% in title case; 0 for no limit), so that the
// first line of a hard-wrapped paragraph is not taken for a title.
func isHeadingLine(s, last string, lastHeading, afterBreak bool, next string, width int) bool {
	style := headingStyle(s)
	switch {
	case style == "":
		return false
	case style == styleCaps:
		// Always, but in the middle of a sentence ("funded by the" /
		// "UNITED NATIONS" / "and ran"), where it is words of the text.
		return afterBreak || lastHeading || endsSentence(last) || !startsLower(next)
	case !(afterBreak || lastHeading || endsSentence(last)):
		return false
	}
	if next != "" {
		r, _ := utf8.DecodeRuneInString(strings.TrimLeft(next, "\"'‘“(["))
		if style, _ := numbering(next); !unicode.IsUpper(r) && !unicode.IsDigit(r) && style == "" {
			return false
		}
	}
	if style == stylePlain && !afterBreak && width > 0 {
		// A title-case line may run longer than a sentence-case one, but not
		// as far as a line the wrap filled.
		limit := 6
		if titleCase(strings.Fields(s)) {
			limit = 8
		}
		if utf8.RuneCountInString(s)*10 > width*limit {
			return false
		}
	}
	return true
}

// outline returns the level of each heading block (0 for paragraphs) and
// the index of its parent block (-1 at the top level and for paragraphs).
//
// Each heading style takes the next level down the first time it appears
// and keeps that level after ("A. …", "A1. …", "B. …": B is A's sibling;
// "II." after "a." is a sibling of "I."). A heading in capitals or in plain
// mixed case directly followed by one of its own style is a parent of the
// headings of that style after it, up to the next such parent
// ("RESILIENCE" directly followed by "LEADERSHIP AND GOVERNANCE"). A plain
// heading directly followed by a heading of another style of a known level
// is its parent ("Civil Liberties" before "D. Freedom of Expression"); others,
// once numbered headings have begun, sit under the innermost of them
// ("Women" in "Section 6. Discrimination"), a plain group's members one
// deeper. A numbering first seen after a plain heading with text of its
// own is that heading's sibling ("Executive Summary", then "Section 1.").
func outline(blocks []block) (levels, parents []int) {
	levels = make([]int, len(blocks))
	parents = make([]int, len(blocks))
	var keys []string // the style key of each open level, outermost first
	var owners []int  // the block that opened each level
	levelOf := map[string]int{}
	under := map[string]bool{}
	styles := headingStyles(blocks)
	for i, b := range blocks {
		parents[i] = -1
		if !b.heading {
			continue
		}
		style := styles[i]
		next := ""
		if i+1 < len(blocks) && blocks[i+1].heading {
			next = styles[i+1]
		}
		unnumbered := style == styleCaps || style == stylePlain
		key := style
		switch {
		case unnumbered && next == style:
			under[style] = true
		case under[style]:
			key = style + ">"
		}
		if !unnumbered {
			under[stylePlain] = false // a numbered heading closes a plain group
		}
		inner := innermostNumbered(keys)
		lvl, known := levelOf[key], levelOf[key] > 0
		switch {
		case style == stylePlain && next != "" && next != style && levelOf[next] > 1:
			lvl = levelOf[next] - 1
		case style == stylePlain && inner > 0 && key == style:
			lvl = inner + 1
		case style == stylePlain && inner > 0:
			lvl = inner + 2 // under a plain group inside a numbered section
			if len(keys) <= inner || keys[inner] != stylePlain {
				lvl = inner + 1
			}
		case known:
			lvl = min(lvl, len(keys)+1)
		default:
			lvl = len(keys) + 1
			if top := len(keys) - 1; top >= 0 && strings.TrimSuffix(keys[top], ">") == stylePlain && owners[top]+1 != i {
				// A new numbering after a plain heading with text of its own
				// ("Executive Summary", then "Section 1.") is its sibling.
				lvl = top + 1
			}
			levelOf[key] = lvl
		}
		lvl = max(1, min(lvl, len(keys)+1))
		keys, owners = append(keys[:lvl-1], key), append(owners[:lvl-1], i)
		levels[i] = lvl
		if lvl >= 2 {
			parents[i] = owners[lvl-2]
		}
	}
	return levels, parents
}

// headingStyles returns the style of each heading block, "" for a
// paragraph. "I.", "V.", "X." and "(i)", "(v)", "(x)" are letters in a text
// that numbers nothing in Roman numerals of more than one letter of that
// form, and numerals in one that does ("I. Background", "II. Findings";
// "(iv)", "(v)").
func headingStyles(blocks []block) []string {
	styles := make([]string, len(blocks))
	roman, romanParen := false, false
	for i, b := range blocks {
		if b.heading {
			styles[i] = headingStyle(b.text)
			roman = roman || styles[i] == "I."
			romanParen = romanParen || styles[i] == "(i)"
		}
	}
	for i, b := range blocks {
		switch {
		case roman && styles[i] == "A." && strings.IndexByte("IVX", b.text[0]) >= 0:
			styles[i] = "I."
		case romanParen && styles[i] == "(a)" && strings.IndexByte("ivx", b.text[1]) >= 0:
			styles[i] = "(i)"
		}
	}
	return styles
}

// innermostNumbered returns the level of the innermost open numbered
// heading, 0 if none is open.
func innermostNumbered(keys []string) int {
	for l := len(keys); l > 0; l-- {
		if k := strings.TrimSuffix(keys[l-1], ">"); k != styleCaps && k != stylePlain {
			return l
		}
	}
	return 0
}
