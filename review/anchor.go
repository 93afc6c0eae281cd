package review

// Anchor is where a claim's quote sits in one edition, in the terms of the
// W3C Web Annotation Data Model: Exact, Prefix and Suffix are a
// TextQuoteSelector, Start and End a TextPositionSelector. Start and End
// find the quote fast in the edition it was made on; Exact with Prefix,
// Suffix and Section find it again in the next edition, whose offsets
// differ (package review/anchor does both).
type Anchor struct {
	Exact   string `json:"exact"`
	Prefix  string `json:"prefix"` // up to 32 runes of the text before Exact
	Suffix  string `json:"suffix"` // up to 32 runes after
	Start   int    `json:"start"`  // byte offsets in text.Document.Text
	End     int    `json:"end"`
	Section string `json:"section"` // innermost section heading, "" if before the first heading
}

// Outcome is what became of a claim's quote in a new edition.
type Outcome string

const (
	OutcomeOriginal  Outcome = "original"  // the claim was made on this edition
	OutcomeUnchanged Outcome = "unchanged" // the quote is in the new edition word for word
	OutcomeChanged   Outcome = "changed"   // a passage close enough to the quote is there
	OutcomeMissing   Outcome = "missing"   // nothing close enough: the passage was cut or rewritten
)

// Outcomes lists every Outcome, in the order an edition's claims go
// through them.
var Outcomes = []Outcome{OutcomeOriginal, OutcomeUnchanged, OutcomeChanged, OutcomeMissing}
