// Package text is vetted's model of an edition's text: the text as stored
// and shown (Document, made by Normalize from what a PDF extraction or a
// scrape gives), its sections and sentences, and the match key (Key) on
// which quotes are found, with an offset map back to the stored text.
//
// Offsets are bytes of Document.Text unless a name says otherwise. The
// package does no I/O and knows nothing of claims: the anchoring of quotes
// is review/anchor's.
package text

import "sort"

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
	Heading string `json:"heading"` // "CRIMINAL JUSTICE AND SECURITY", "A1. Was the current head of government …?"
	Parent  string `json:"parent"`  // the heading of the nearest enclosing section, "" at the top level
	// Level is the depth of the heading in the outline: 1 at the top, 2 for
	// a heading under a level-1 one, and so on.
	Level        int `json:"level"`
	HeadingStart int `json:"heading_start"` // byte offset of the heading line in Document.Text
	// Start, End are the byte offsets [Start,End) of the body: from the
	// first paragraph after the heading to the end of the last paragraph
	// before the next heading (of any level) or the end of the text, without
	// the blank lines around it. Start == End == the end of the heading line
	// when the body is empty.
	Start int `json:"start"`
	End   int `json:"end"`
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

// Owner returns the section a byte offset falls under: the last heading at
// or before it (so a heading line belongs to its own section), with ok false
// before the first heading. Sections must be in order of HeadingStart, as
// Normalize makes them; out of order, the answer is wrong but harmless.
func (d Document) Owner(offset int) (Section, bool) {
	secs := d.Sections
	i := sort.Search(len(secs), func(i int) bool { return secs[i].HeadingStart > offset }) - 1
	if i < 0 {
		return Section{}, false
	}
	return secs[i], true
}

// Region returns the heading and the body span of the section an offset
// falls under (see Owner); before the first heading, "" and the text before
// it.
func (d Document) Region(offset int) (heading string, start, end int) {
	if s, ok := d.Owner(offset); ok {
		return s.Heading, s.Start, s.End
	}
	if len(d.Sections) > 0 {
		return "", 0, max(0, min(len(d.Text), d.Sections[0].HeadingStart))
	}
	return "", 0, len(d.Text)
}
