package review

import (
	"strings"
	"unicode"
	"unicode/utf8"
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
		if !textIsWordRune(r) {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !textIsWordRune(r) {
				break
			}
			j += size
		}
		words = append(words, strings.ToLower(s[i:j]))
		i = j
	}
	return words
}

func textIsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// HedgeWords returns the hedge phrases of HedgePhrases found in s, in order
// of appearance, each once, as listed (lower case). Phrases match whole
// words only: "apparently" does not match inside "unapparently".
func HedgeWords(s string) []string {
	return hedgeFind(hedgeBuild(HedgePhrases), s)
}

// Sentence is one sentence of a Document's body, with the hedges in it.
type Sentence struct {
	Start, End int // byte offsets in Document.Text
	Text       string
	Section    string // innermost heading, "" before the first
	Hedges     []string
}

// Sentences splits the paragraphs of d into sentences, never across a
// paragraph or a heading; headings are not sentences. A full stop does not
// end a sentence when the next word starts in lower case ("e.g. the"), after
// a known abbreviation or an initial ("Mr.", "J."), or inside a number
// ("3.5"). Closing quotes after the stop stay with the sentence.
func Sentences(d Document) []Sentence {
	root := hedgeBuild(HedgePhrases)
	var out []Sentence
	text := d.Text
	for pos := 0; pos < len(text); {
		end := strings.Index(text[pos:], "\n")
		if end < 0 {
			end = len(text)
		} else {
			end += pos
		}
		owner, ok := textOwner(d.Sections, pos)
		if pos < end && !(ok && owner.HeadingStart == pos && len(owner.Heading) == end-pos) {
			section := owner.Heading
			for _, sp := range hedgeSplit(text[pos:end]) {
				s := Sentence{Start: pos + sp[0], End: pos + sp[1], Section: section}
				s.Text = text[s.Start:s.End]
				s.Hedges = hedgeFind(root, s.Text)
				out = append(out, s)
			}
		}
		pos = end + 1
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

// hedgeAbbreviations end in a full stop that does not end a sentence (lower
// case, without the stop). "etc." is left out: it usually ends one.
var hedgeAbbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"jr": true, "sr": true, "gen": true, "col": true, "lt": true, "sgt": true,
	"capt": true, "rev": true, "hon": true, "fig": true, "vs": true, "cf": true, "approx": true,
	"incl": true, "est": true, "vol": true, "pp": true, "ch": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true,
	"nov": true, "dec": true,
}

// hedgeSplit returns the byte spans of the sentences of one paragraph line,
// trimmed of spaces.
func hedgeSplit(p string) [][2]int {
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
			if r != '.' && r != '!' && r != '?' && r != '\u2026' && !textIsClosing(r) {
				break
			}
			i += size
		}
		if i == len(p) {
			break
		}
		if p[i] != ' ' {
			continue // "3.5", "e.g.,", "U.S.-led"
		}
		next, _ := utf8.DecodeRuneInString(p[i+1:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || strings.ContainsRune("‘“\"'([", next)) {
			continue // "e.g. the", "etc. and"
		}
		if r == '.' && hedgeIsAbbreviation(p[:stop]) {
			continue
		}
		add(i)
	}
	add(len(p))
	return spans
}

// hedgeIsAbbreviation reports whether the word that ends s (just before a
// full stop) is an abbreviation: listed, a single capital (an initial), or
// dotted letters ("e.g", "U.S").
func hedgeIsAbbreviation(s string) bool {
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
	return hedgeAbbreviations[strings.ToLower(word)]
}
