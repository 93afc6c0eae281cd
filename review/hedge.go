package review

import (
	"strings"
	"unicode/utf8"

	"vetted/review/text"
)

// HedgePhrases are the words by which a report admits that it is not sure.
// A hedged sentence is a weak claim, and reviewers look at those first.
// Phrases are lower case and matched case-insensitively on whole words, the
// longest phrase winning where two start at the same word ("could possibly",
// not "possibly"). Modal verbs on their own ("may", "could", "might") are
// left out on purpose: reports use them for plain capability ("officials
// could be prosecuted") far more often than for doubt.
var HedgePhrases = []string{
	"allegedly",                  // attributes the claim to others, unverified
	"alleged",                    // "alleged involvement": the same, as an adjective
	"reportedly",                 // second-hand: the author did not establish it
	"supposedly",                 // second-hand and doubted
	"purportedly",                // second-hand and doubted
	"arguably",                   // the author's judgement, open to dispute
	"apparently",                 // inferred from appearances
	"seemingly",                  // inferred from appearances
	"appears to",                 // inferred from appearances
	"appear to",                  // plural of "appears to"
	"appeared to",                // past of "appears to"
	"seems to",                   // inferred from appearances
	"seem to",                    // plural of "seems to"
	"limited information",        // admits thin sources
	"little information",         // admits thin sources
	"scarce information",         // admits thin sources
	"limited data",               // admits thin sources
	"little data",                // admits thin sources
	"little evidence",            // admits thin evidence
	"limited evidence",           // admits thin evidence
	"anecdotal evidence",         // evidence that is not systematic
	"further research is needed", // the author says the point is not settled
	"more research is needed",    // the author says the point is not settled
	"could possibly",             // doubly tentative
	"possibly",                   // tentative
	"perhaps",                    // tentative
	"probably",                   // likely but not established
	"presumably",                 // assumed, not shown
	"likely to",                  // a forecast or estimate, not an observation
	"unlikely to",                // the same, negated
	"reports suggest",            // sources, not the author, make the claim
	"reports indicate",           // sources, not the author, make the claim
	"reports also suggest",       // "reports suggest" as reports often write it
	"reports also indicate",      // "reports indicate" as reports often write it
	"sources suggest",            // sources, not the author, make the claim
	"suggests that",              // an inference from evidence, not the evidence
	"suggest that",               // plural of "suggests that"
	"is believed",                // belief of unnamed others
	"are believed",               // plural of "is believed"
	"believed to",                // "thought to", of unnamed others
	"is thought to",              // belief of unnamed others
	"are thought to",             // plural of "is thought to"
	"suspected",                  // suspicion, not proof
	"rumoured",                   // hearsay
	"rumored",                    // hearsay, US spelling
	"unconfirmed",                // says itself it is not confirmed
	"unverified",                 // says itself it is not verified
}

// hedgeNode is a trie over the words of HedgePhrases, for longest-match
// lookup. It is built per call: the list is short, and a caller may change
// it.
type hedgeNode struct {
	next   map[string]*hedgeNode
	phrase string
}

func hedgeBuild(phrases []string) *hedgeNode {
	root := &hedgeNode{}
	for _, p := range phrases {
		n := root
		for _, w := range hedgeWords(p) {
			if n.next == nil {
				n.next = map[string]*hedgeNode{}
			}
			c := n.next[w]
			if c == nil {
				c = &hedgeNode{}
				n.next[w] = c
			}
			n = c
		}
		if n != root {
			n.phrase = p
		}
	}
	return root
}

// hedgeWords splits s into lower-case words: runs of letters and digits. An
// apostrophe or hyphen ends a word, so "so-called" is two words, as is the
// phrase that would match it.
func hedgeWords(s string) []string {
	var words []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !text.IsWordRune(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !text.IsWordRune(r) {
				break
			}
			j += size
		}
		words = append(words, strings.ToLower(s[i:j]))
		i = j
	}
	return words
}

// HedgeWords returns the hedge phrases of HedgePhrases found in s, in order
// of appearance, each once, as listed (lower case). Phrases match whole
// words only: "apparently" does not match inside "unapparently".
func HedgeWords(s string) []string {
	return hedgeFind(hedgeBuild(HedgePhrases), s)
}

// Sentence is one sentence of an edition's body, with the hedges in it.
type Sentence struct {
	Start, End int // byte offsets in text.Document.Text
	Text       string
	Section    string // innermost heading, "" before the first
	Hedges     []string
}

// Sentences returns the sentences of d (see text.Document.Sentences) with
// the hedges in each.
func Sentences(d text.Document) []Sentence {
	root := hedgeBuild(HedgePhrases)
	spans := d.Sentences()
	out := make([]Sentence, 0, len(spans))
	for _, sp := range spans {
		s := Sentence{Start: sp.Start, End: sp.End, Section: sp.Section, Text: d.Text[sp.Start:sp.End]}
		s.Hedges = hedgeFind(root, s.Text)
		out = append(out, s)
	}
	return out
}

func hedgeFind(root *hedgeNode, s string) []string {
	words := hedgeWords(s)
	var found []string
	for i := 0; i < len(words); {
		n, match, end := root, "", i
		for j := i; j < len(words) && n != nil; j++ {
			n = n.next[words[j]]
			if n != nil && n.phrase != "" {
				match, end = n.phrase, j+1
			}
		}
		if match == "" {
			i++
			continue
		}
		dup := false
		for _, f := range found {
			dup = dup || f == match
		}
		if !dup {
			found = append(found, match)
		}
		i = end
	}
	return found
}

// HedgeDropped reports whether a quote hedged in one edition (was) is
// asserted outright in the next (is): the report grew more certain. A hedge
// traded for another, or one of several dropped, is still hedged.
func HedgeDropped(was, is []string) bool { return len(was) > 0 && len(is) == 0 }
