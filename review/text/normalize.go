package text

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize turns text extracted from a PDF, or scraped from a web page,
// into one line per paragraph and per heading, blocks separated by exactly
// one blank line, in Unicode normal form C, so that a quote can be found
// whatever the page layout of the edition was.
//
// Lines and characters:
//   - CRLF and CR line endings, tabs, control characters and invalid UTF-8
//     (each bad byte becomes U+FFFD) are accepted; every run of white space
//     becomes one space.
//   - Invisible format characters are dropped: the byte order mark, zero-width
//     space, word joiner, direction marks, and ZWNJ and ZWJ after Latin,
//     Greek, Cyrillic or common characters (in other scripts they shape the
//     text and are kept). A soft hyphen joins the two halves of the word it
//     broke, on one line or across lines, and is dropped.
//
// Page furniture (see furniture.go): page numbers and running headers and
// footers are dropped where the text shows them for what they are: at the
// edges of pages split by form feeds, repeated page after page, or between
// the two halves of a sentence broken by a page.
//
// Paragraphs: hard-wrapped lines are joined with one space; a line ending in
// a hyphen or dash right after a letter ("South-", "Azerbaijan–") is joined
// without a space and keeps the dash, unless the word appears elsewhere in
// the text without it ("exploita-" + "tion" where "exploitation" occurs); a
// blank line or page break inside a sentence is joined over when the
// previous line does not end a sentence and the next starts in lower case.
// Text with (almost) no blank lines is split into paragraphs where a line
// ends a sentence well short of the text's usual line length.
//
// Headings (see heading.go): lines in capitals, short mixed-case lines
// standing alone ("Overview", "Key Developments in 2023"), and numbered or
// lettered headings ("A. Electoral Process", "A1. Are there free and
// independent media?", "Section 1. Life", "a. Extrajudicial Killings",
// "1.2 Scope"). Their nesting follows the order in which their styles first
// appear, and a heading directly followed by another of the same style is a
// parent of the headings of that style after it, up to the next such parent.
//
// Normalize is idempotent by construction: the rules above, applied to
// their own output, may still join or drop a block (a running header that
// only stands alone once its page is joined), so they are applied again
// until nothing changes. Every pass can only join or drop blocks, never
// split one, so this ends within a pass or two (maxPasses bounds it; no
// input found by fuzzing or property tests has needed more than three).
func Normalize(raw string) Document {
	d := normalizeOnce(raw)
	for range maxPasses {
		next := normalizeOnce(d.Text)
		if next.Text == d.Text {
			return next
		}
		d = next
	}
	return d
}

// maxPasses bounds Normalize's passes over its own output.
const maxPasses = 16

func normalizeOnce(raw string) Document {
	lines := splitLines(raw)
	lines = dropFurniture(lines)
	blocks := makeBlocks(lines, true)

	var b strings.Builder
	starts := make([]int, len(blocks))
	for i, blk := range blocks {
		if i > 0 {
			b.WriteString("\n\n")
		}
		starts[i] = b.Len()
		b.WriteString(blk.text)
	}
	d := Document{Text: b.String()}
	levels, parents := outline(blocks)
	for i, blk := range blocks {
		if !blk.heading {
			continue
		}
		sec := Section{Heading: blk.text, Level: levels[i], HeadingStart: starts[i]}
		if parents[i] >= 0 {
			sec.Parent = blocks[parents[i]].text
		}
		sec.Start = starts[i] + len(blk.text)
		sec.End = sec.Start
		if i+1 < len(blocks) && !blocks[i+1].heading {
			sec.Start = starts[i+1]
			j := i + 1
			for j+1 < len(blocks) && !blocks[j+1].heading {
				j++
			}
			sec.End = starts[j] + len(blocks[j].text)
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// NormalizeQuote applies Normalize's line joining to a quote pasted from the
// PDF, so that it compares equal to the same words in Document.Text. Unlike
// Normalize it never takes a line for a heading or for page furniture: the
// first and last lines of a quote are usually parts of lines, and "UAE" at
// the end of one is no heading.
func NormalizeQuote(q string) string {
	blocks := makeBlocks(splitLines(q), false)
	parts := make([]string, len(blocks))
	for i, blk := range blocks {
		parts[i] = blk.text
	}
	return strings.Join(parts, "\n\n")
}

// line is one line of the raw text with its white space collapsed and
// trimmed; "" for a blank line.
type line struct {
	s    string
	page int // the number of page breaks (form feeds) before it
}

// block is a heading or a paragraph, already on one line.
type block struct {
	text    string
	heading bool
}

// splitLines splits raw into lines, in NFC, with white space runs collapsed
// to one space and trimmed, and invisible characters dropped (soft hyphens
// are kept for makeBlocks). A page break (form feed) ends a line and adds a
// blank one.
func splitLines(raw string) []line {
	var lines []line
	var b strings.Builder
	space := false
	page := 0
	var prev rune // the last rune written to the current line
	flush := func() {
		lines = append(lines, line{s: norm.NFC.String(b.String()), page: page})
		b.Reset()
		space, prev = false, 0
	}
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
			flush()
		case r == '\n' || r == '\v' || r == '\u0085' || r == '\u2028':
			flush()
		case r == '\f' || r == '\u2029':
			flush()
			if r == '\f' {
				page++
			}
			lines = append(lines, line{page: page})
		case r == '\u00AD':
			b.WriteRune(r) // makeBlocks joins over it, then drops it
			prev = r
		case r == '\u200C' || r == '\u200D':
			if prev != 0 && !unicode.In(prev, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common) {
				b.WriteRune(r)
				prev = r
			}
		case unicode.Is(unicode.Cf, r):
			// Byte order mark, zero-width space, word joiner, direction
			// marks: invisible, and in the way of every search.
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r) // utf8.RuneError for a bad byte writes U+FFFD
			prev = r
		}
	}
	flush()
	return lines
}

// makeBlocks joins lines into paragraphs and, if headings is set, picks out
// heading lines.
func makeBlocks(lines []line, headings bool) []block {
	mode := blankSeparated
	width := 0
	if headings {
		mode, width = layoutOf(lines)
	}
	words := map[string]bool{}
	if headings {
		words = wordSet(lines)
	}

	var blocks []block
	var para []byte
	inPara := false
	broken := false // a blank line since the last text line
	glue := false   // a line of nothing but a soft hyphen since the last text line
	last := ""      // the last line added to para
	lastHeading := false
	closePara := func() {
		if inPara {
			blocks = append(blocks, block{text: finishBlock(string(para))})
			para = para[:0]
			inPara = false
		}
	}
	skip := 0 // lines already taken into a heading
	for i, ln := range lines {
		if skip > 0 {
			skip--
			continue
		}
		s := ln.s
		switch {
		case s == "":
			broken = true
			continue
		case strings.Trim(s, "\u00AD ") == "":
			glue = true
			continue
		case strings.HasPrefix(s, "\u00AD"):
			// A soft hyphen opening a line marks the break of a word too.
			s = strings.TrimLeft(s, "\u00AD ")
			glue = true
		}
		next := nextText(lines, i+1)
		if headings && !glue {
			if h, k := wrappedHeading(lines, i, last, lastHeading, broken || last == "", width); k > 0 {
				closePara()
				blocks = append(blocks, block{text: finishBlock(h), heading: true})
				lastHeading = true
				last, broken, glue = h, false, false
				skip = k
				continue
			}
		}
		switch {
		case inPara && glue:
			para = append(para, strings.TrimLeft(s, "\u00AD ")...)
		case headings && isHeadingLine(s, last, lastHeading, broken || last == "", next, width):
			closePara()
			blocks = append(blocks, block{text: finishBlock(s), heading: true})
			lastHeading = true
			last, broken, glue = s, false, false
			continue
		case inPara && joins(mode, last, s, broken, width):
			para = join(para, s, words)
		default:
			closePara()
			para = append(para, s...)
			inPara = true
		}
		last, broken, glue, lastHeading = s, false, false, false
	}
	closePara()
	if headings {
		// A paragraph that reads as a heading once on one line ("AB" + "CD")
		// is one: calling it one now keeps Normalize idempotent for the
		// sections as well as the text.
		for i := range blocks {
			if !blocks[i].heading && isHeading(blocks[i].text) {
				blocks[i].heading = true
			}
		}
	}
	return blocks
}

// wrappedHeading returns a numbered heading that a hard wrap
// broke over lines[i] and up to three lines after it ("c. Torture and
// Other Cruel, Inhuman, or Degrading Treatment or Punishment, and" + "Other
// Related Abuses"), and how many lines after lines[i] it took; k is 0 when
// lines[i] starts no such heading. A line the wrap filled (85% of width,
// in runes) is joined with what follows even if it reads as a heading
// alone.
func wrappedHeading(lines []line, i int, last string, lastHeading, afterBreak bool, width int) (string, int) {
	s := lines[i].s
	if style, _ := numbering(s); style == "" {
		return "", 0 // only a numbering says where a heading broken over lines begins
	}
	full := width > 0 && utf8.RuneCountInString(s)*20 >= width*17 // a line the wrap filled
	if !full && isHeadingLine(s, last, lastHeading, afterBreak, nextText(lines, i+1), 0) {
		return "", 0 // a heading on its own line
	}
	joined, best, bestK := s, "", 0
	for k := 1; k <= 3 && i+k < len(lines); k++ {
		l := lines[i+k]
		if l.s == "" || l.page != lines[i].page {
			break
		}
		joined += " " + l.s
		if style := headingStyle(joined); style == "" || style == styleCaps {
			continue
		}
		if isHeadingLine(joined, last, lastHeading, afterBreak, nextText(lines, i+k+1), 0) {
			best, bestK = joined, k // the longest such run wins: "… of Human" + "Rights"
		}
	}
	return best, bestK
}

// finishBlock drops the soft hyphens left inside words and puts the block
// in NFC (a dropped character may have stood between a letter and its
// accent).
func finishBlock(s string) string {
	if strings.ContainsRune(s, '\u00AD') {
		s = strings.ReplaceAll(s, "\u00AD", "")
		s = strings.Join(strings.Fields(s), " ")
	}
	return norm.NFC.String(s)
}

// nextText returns the first non-blank line from lines[i:], "" if none.
func nextText(lines []line, i int) string {
	for ; i < len(lines); i++ {
		if lines[i].s != "" {
			return lines[i].s
		}
	}
	return ""
}

// layout is how an extraction marks paragraphs.
type layout int

const (
	blankSeparated   layout = iota // blank lines between paragraphs; lines inside may be wrapped
	hardWrapped                    // no blank lines; lines wrapped at about the same width
	linePerParagraph               // no blank lines; each line a paragraph
)

// layoutOf tells how lines mark paragraphs, and the usual length of a full
// line in runes (the 90th percentile).
func layoutOf(lines []line) (layout, int) {
	var lens []int
	blank := 0
	for _, l := range lines {
		if l.s == "" {
			blank++
			continue
		}
		lens = append(lens, utf8.RuneCountInString(l.s))
	}
	if len(lens) == 0 {
		return blankSeparated, 0
	}
	slices.Sort(lens)
	width := lens[len(lens)*9/10]
	if len(lens) < 8 || blank*20 >= len(lens) {
		return blankSeparated, width
	}
	if lens[len(lens)/2] > 200 {
		return linePerParagraph, width
	}
	return hardWrapped, width
}

// joins reports whether line s continues the paragraph whose last line is
// last.
func joins(mode layout, last, s string, broken bool, width int) bool {
	inSentence := !endsSentence(last) && startsLower(s)
	switch {
	case broken || mode == linePerParagraph:
		return inSentence
	case mode == hardWrapped:
		// A paragraph's last line ends a sentence and is short; a full line
		// that happens to end one is taken as running on.
		return !endsSentence(last) || utf8.RuneCountInString(last)*5 >= width*4
	}
	return true
}

// wordSet returns the lower-case words of the text with a hyphen or dash
// inside them, and the words that would read the same without it, for
// deciding whether a hyphen at a line end belongs to the word.
func wordSet(lines []line) map[string]bool {
	words := map[string]bool{}
	for _, l := range lines {
		for _, w := range strings.FieldsFunc(l.s, func(r rune) bool { return !isWordRune(r) && !isDash(r) }) {
			words[strings.ToLower(w)] = true
		}
	}
	return words
}

// join appends line s to the paragraph para, with a space unless para ends
// in a letter and a hyphen, dash or soft hyphen (a word or compound broken
// over lines). The hyphen stays, as in "South-" + "eastern", unless the
// text shows the word elsewhere without it and never with it.
func join(para []byte, s string, words map[string]bool) []byte {
	last, n := utf8.DecodeLastRune(para)
	before, _ := utf8.DecodeLastRune(para[:len(para)-n])
	switch {
	case last == '\u00AD' && unicode.IsLetter(before):
		return append(para[:len(para)-n], s...)
	case isDash(last) && unicode.IsLetter(before):
		if first, _ := utf8.DecodeRuneInString(s); unicode.IsLower(first) {
			head := lastWord(para[:len(para)-n])
			tail := firstWord(s)
			whole := strings.ToLower(head + tail)
			if words[whole] && !words[strings.ToLower(head+"-"+tail)] {
				return append(para[:len(para)-n], s...)
			}
		}
		return append(para, s...)
	}
	para = append(para, ' ')
	return append(para, s...)
}

// lastWord returns the word that ends b (looking back at most 256 bytes:
// joining stays linear however long the paragraph).
func lastWord(b []byte) string {
	b = b[max(0, len(b)-256):]
	i := bytes.LastIndexFunc(b, func(r rune) bool { return !isWordRune(r) })
	return string(b[i+1:])
}

func firstWord(s string) string {
	if i := strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) }); i >= 0 {
		return s[:i]
	}
	return s
}

func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2013', '\u2014':
		return true
	}
	return false
}

// IsWordRune reports whether r is part of a word: a letter, a digit or a
// combining mark.
func IsWordRune(r rune) bool { return isWordRune(r) }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// IsClosing reports whether r closes a quotation or parenthesis, which may
// follow the full stop that ends a sentence.
func IsClosing(r rune) bool {
	switch r {
	case '\'', '"', '\u2019', '\u201D', '\u00BB', '\u203A', ')', ']':
		return true
	}
	return false
}

// endsSentence reports whether s ends with sentence punctuation, possibly
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, IsClosing)
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '!', '?', ':', ';', '\u2026':
		return true
	}
	return false
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}
