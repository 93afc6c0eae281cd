package review

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Document is an edition's normalised text and its sections. Claims point
// into Text by byte offset, so Text must come out the same every time the
// same extraction is imported: Normalize is deterministic and idempotent.
type Document struct {
	Text     string
	Sections []Section
}

// Section is one heading of the report and the body under it. Bodies do not
// overlap: a parent heading directly followed by its first child has an
// empty body, and its children's bodies follow.
type Section struct {
	Heading      string // "CRIMINAL JUSTICE AND SECURITY"
	Parent       string // "RESILIENCE" for a nested heading, "" at top level
	HeadingStart int    // byte offset of the heading line in Document.Text
	// Start, End are the byte offsets [Start,End) of the body: from the
	// first paragraph after the heading to the end of the last paragraph
	// before the next heading (of any level) or the end of the text, without
	// the blank lines around it. Start == End == the end of the heading line
	// when the body is empty.
	Start, End int
}

// Normalize turns text extracted from a PDF into one line per paragraph and
// per heading, blocks separated by exactly one blank line, so that a quote
// can be found whatever the page layout of the edition was.
//
// Hard-wrapped lines are joined with one space; a line ending in a hyphen or
// dash right after a letter ("South-", "Azerbaijan–") is joined without a
// space and keeps the dash; a blank line or page break (\f) inside a sentence
// is joined over when the previous line does not end a sentence and the next
// starts in lower case. A line written entirely in capitals (at least three
// letters, no sentence punctuation) is a heading; a heading directly followed
// by another heading is a parent of the headings after it, up to the next
// parent. CRLF and CR line endings, a byte order mark, tabs, control
// characters and invalid UTF-8 (each bad byte becomes U+FFFD) are accepted.
func Normalize(raw string) Document {
	blocks := textBlocks(textLines(raw), true)

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

	parent := ""
	for i, blk := range blocks {
		if !blk.heading {
			continue
		}
		sec := Section{Heading: blk.text, HeadingStart: starts[i]}
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
		if i+1 < len(blocks) && blocks[i+1].heading {
			// A heading with no body of its own groups the headings after it.
			parent = blk.text
		} else {
			sec.Parent = parent
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// SectionAt returns the innermost section whose body contains offset. Heading
// lines, the blank lines around them and any text before the first heading
// belong to no body.
func (d Document) SectionAt(offset int) (Section, bool) {
	var best Section
	found := false
	for _, s := range d.Sections {
		if s.Start <= offset && offset < s.End && (!found || s.Start >= best.Start) {
			best, found = s, true
		}
	}
	return best, found
}

// NormalizeQuote applies Normalize's line joining to a quote pasted from the
// PDF, so that it compares equal to the same words in Document.Text. Unlike
// Normalize it never takes a line for a heading: the first and last lines of
// a quote are usually parts of lines, and "UAE" at the end of one is no
// heading.
func NormalizeQuote(q string) string {
	blocks := textBlocks(textLines(q), false)
	parts := make([]string, len(blocks))
	for i, blk := range blocks {
		parts[i] = blk.text
	}
	return strings.Join(parts, "\n\n")
}

// textBlock is a heading or a paragraph, already on one line.
type textBlock struct {
	text    string
	heading bool
}

// textLines splits raw into lines with whitespace runs collapsed to one
// space and trimmed. Page breaks become an empty line, like a blank line.
func textLines(raw string) []string {
	var lines []string
	var b strings.Builder
	space := false
	flush := func() {
		lines = append(lines, b.String())
		b.Reset()
		space = false
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
			lines = append(lines, "")
		case r == '\uFEFF':
			// Byte order mark, or a zero-width no-break space: invisible.
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r) // utf8.RuneError for a bad byte writes U+FFFD
		}
	}
	flush()
	return lines
}

// textBlocks joins lines into paragraphs and, if headings is set, picks out
// heading lines.
func textBlocks(lines []string, headings bool) []textBlock {
	var blocks []textBlock
	var para []byte
	inPara := false
	broken := false // a blank line since the last text line
	last := ""      // the last line added to para
	closePara := func() {
		if inPara {
			blocks = append(blocks, textBlock{text: string(para)})
			para = para[:0]
			inPara = false
		}
	}
	for _, line := range lines {
		switch {
		case line == "":
			broken = true
			continue
		case headings && textIsHeading(line):
			closePara()
			blocks = append(blocks, textBlock{text: line, heading: true})
		case inPara && (!broken || !textEndsSentence(last) && textStartsLower(line)):
			para = textJoin(para, line)
		default:
			closePara()
			para = append(para, line...)
			inPara = true
		}
		last = line
		broken = false
	}
	closePara()
	if headings {
		// A paragraph joined from short capital lines ("AB" + "CD") reads as a
		// heading once on one line; calling it one now keeps Normalize
		// idempotent for the sections as well as the text.
		for i := range blocks {
			if !blocks[i].heading && textIsHeading(blocks[i].text) {
				blocks[i].heading = true
			}
		}
	}
	return blocks
}

// textJoin appends line to the paragraph para, with a space unless para ends
// in a letter and a hyphen or dash (a word or compound broken over lines).
func textJoin(para []byte, line string) []byte {
	last, n := utf8.DecodeLastRune(para)
	before, _ := utf8.DecodeLastRune(para[:len(para)-n])
	switch {
	case last == '\u00AD' && unicode.IsLetter(before):
		// A soft hyphen only marks where the word was broken.
		return append(para[:len(para)-n], line...)
	case textIsDash(last) && unicode.IsLetter(before):
		return append(para, line...)
	}
	para = append(para, ' ')
	return append(para, line...)
}

func textIsDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2011', '\u2013', '\u2014':
		return true
	}
	return false
}

// textIsClosing reports whether r closes a quotation or parenthesis, which
// may follow the full stop that ends a sentence.
func textIsClosing(r rune) bool {
	switch r {
	case '\'', '"', '\u2019', '\u201D', '\u00BB', '\u203A', ')', ']':
		return true
	}
	return false
}

// textEndsSentence reports whether line ends with sentence punctuation,
// possibly followed by closing quotes or brackets.
func textEndsSentence(line string) bool {
	s := strings.TrimRightFunc(line, textIsClosing)
	r, _ := utf8.DecodeLastRuneInString(s)
	switch r {
	case '.', '!', '?', ':', ';', '\u2026':
		return true
	}
	return false
}

func textStartsLower(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return unicode.IsLower(r)
}

// textIsHeading reports whether line is written entirely in capitals: at
// least three letters, all upper case, and nothing but spaces, digits and
// "&-–—,’'/()" besides. Sentence punctuation makes it text ("EU.").
func textIsHeading(line string) bool {
	letters := 0
	for _, r := range line {
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

// textOwner returns the section a byte offset falls under: the last heading
// at or before it (so a heading line belongs to its own section), with ok
// false before the first heading. secs must be in order of HeadingStart, as
// Normalize makes them; out of order, the answer is wrong but harmless.
func textOwner(secs []Section, offset int) (Section, bool) {
	i := sort.Search(len(secs), func(i int) bool { return secs[i].HeadingStart > offset }) - 1
	if i < 0 {
		return Section{}, false
	}
	return secs[i], true
}
