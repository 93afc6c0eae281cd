package review

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Anchor is where a claim's quote sits in one edition. Start and End find it
// fast in the edition it was made on; Exact with Prefix, Suffix and Section
// find it again in the next edition, whose offsets differ.
type Anchor struct {
	Exact   string `json:"exact"`
	Prefix  string `json:"prefix"` // up to 32 runes of Document.Text before Exact
	Suffix  string `json:"suffix"` // up to 32 runes after
	Start   int    `json:"start"`  // byte offsets in Document.Text
	End     int    `json:"end"`
	Section string `json:"section"` // innermost section heading, "" if before the first heading
}

// anchorContextRunes is the length of Anchor.Prefix and Anchor.Suffix: about
// five words, enough to tell apart repeats of a sentence.
const anchorContextRunes = 32

// Locate anchors a quote a user supplies (claim creation). The quote is
// normalised with NormalizeQuote and must occur in d.Text; if it occurs more
// than once, prefix and suffix (either may be empty) must pick exactly one
// occurrence: the one whose preceding text ends with prefix and whose
// following text starts with suffix, comparing words, so that any run of
// white space matches any other. A quote that occurs once ignores them. A
// quote whose words are in the text with other white space between them (a
// paragraph break pasted as a space, a heading line inside the quote) is
// found too.
func Locate(d Document, quote, prefix, suffix string) (Anchor, error) {
	q := NormalizeQuote(quote)
	if q == "" {
		return Anchor{}, FieldErrorf("quote", "The quote is empty: paste the words of the report that the claim is about.")
	}
	occ := anchorFindQuote(d.Text, q, quote)
	if len(occ) == 0 {
		return Anchor{}, FieldErrorf("quote", "The quote does not occur in this edition. Copy it again from this edition's text, without changing any word.")
	}
	if len(occ) > 1 {
		p, s := anchorCollapse(prefix), anchorCollapse(suffix)
		var picked [][2]int
		for _, o := range occ {
			// Enough text to hold the context even if its white space
			// was collapsed.
			before := anchorCollapse(d.Text[max(0, o[0]-4*len(p)-8):o[0]])
			after := anchorCollapse(d.Text[o[1]:min(len(d.Text), o[1]+4*len(s)+8)])
			if strings.HasSuffix(before, p) && strings.HasPrefix(after, s) {
				picked = append(picked, o)
			}
		}
		switch {
		case len(picked) == 1:
			occ = picked
		case len(picked) == 0 && (p != "" || s != ""):
			return Anchor{}, FieldErrorf("quote", "The quote occurs %d times in this edition, but none of them has the words given before or after it. Check the prefix and suffix.", len(occ))
		case len(picked) == 0:
			return Anchor{}, FieldErrorf("quote", "The quote occurs %d times in this edition, so it is ambiguous. Give a few words just before it (prefix) or just after it (suffix) to say which one you mean.", len(occ))
		default:
			return Anchor{}, FieldErrorf("quote", "The quote occurs %d times in this edition with those words around it, so it is still ambiguous. Give more words before (prefix) or after it (suffix).", len(picked))
		}
	}
	return anchorMake(d.Text, d.Sections, occ[0][0], occ[0][1]), nil
}

// AnchorAt makes the anchor of a span [start,end) of d.Text chosen by hand
// (re-anchoring a claim the machine lost). White space at either end is left
// out of the anchor.
func AnchorAt(d Document, start, end int) (Anchor, error) {
	if start < 0 || end > len(d.Text) || start >= end {
		return Anchor{}, Errorf(EINVALID, "The selection [%d,%d) is empty or outside the edition's text (%d bytes).", start, end, len(d.Text))
	}
	if !utf8.RuneStart(d.Text[start]) || end < len(d.Text) && !utf8.RuneStart(d.Text[end]) {
		return Anchor{}, Errorf(EINVALID, "The selection [%d,%d) cuts a character in two.", start, end)
	}
	s := strings.TrimRightFunc(d.Text[start:end], unicode.IsSpace)
	t := strings.TrimLeftFunc(s, unicode.IsSpace)
	if t == "" {
		return Anchor{}, Errorf(EINVALID, "The selection [%d,%d) holds only white space.", start, end)
	}
	start += len(s) - len(t)
	return anchorMake(d.Text, d.Sections, start, start+len(t)), nil
}

// anchorMake builds the anchor of text[start:end].
func anchorMake(text string, secs []Section, start, end int) Anchor {
	a := Anchor{Exact: text[start:end], Start: start, End: end}
	a.Prefix, a.Suffix = anchorContext(text, start, end)
	if s, ok := textOwner(secs, start); ok {
		a.Section = s.Heading
	}
	return a
}

// anchorContext returns up to anchorContextRunes runes of text either side of
// [start,end).
func anchorContext(text string, start, end int) (prefix, suffix string) {
	p := start
	for n := 0; n < anchorContextRunes && p > 0; n++ {
		_, size := utf8.DecodeLastRuneInString(text[:p])
		p -= size
	}
	s := end
	for n := 0; n < anchorContextRunes && s < len(text); n++ {
		_, size := utf8.DecodeRuneInString(text[s:])
		s += size
	}
	return text[p:start], text[end:s]
}

// anchorCollapse turns every run of white space in s into one space and
// trims it: context is compared on its words, as the text around a
// selection may have been copied with paragraph breaks as spaces, or the
// other way round.
func anchorCollapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// anchorFindAll returns the spans of every occurrence of q in text,
// overlapping ones included.
func anchorFindAll(text, q string) [][2]int {
	var occ [][2]int
	if q == "" {
		return nil
	}
	_, step := utf8.DecodeRuneInString(q)
	for i := 0; i <= len(text)-len(q); {
		j := strings.Index(text[i:], q)
		if j < 0 {
			break
		}
		occ = append(occ, [2]int{i + j, i + j + len(q)})
		i += j + step
	}
	return occ
}

// anchorFindQuote returns the occurrences of a quote in text, in order:
// those of q, the quote normalised, and those that anchorFindLoose finds.
func anchorFindQuote(text, q, quote string) [][2]int {
	occ := anchorFindAll(text, q)
	for _, o := range anchorFindLoose(text, quote) {
		if !slices.Contains(occ, o) {
			occ = append(occ, o)
		}
	}
	slices.SortFunc(occ, func(a, b [2]int) int { return cmp.Or(a[0]-b[0], a[1]-b[1]) })
	return occ
}

// anchorFindLoose finds the words of a quote as pasted with any run of
// white space in the text between them, or none after a word broken with a
// hyphen or dash. It catches what line joining cannot know: a paragraph
// break pasted as a space, or a heading line inside the quote.
func anchorFindLoose(text, quote string) [][2]int {
	words := strings.Fields(strings.Join(textLines(quote), "\n"))
	if len(words) < 2 {
		return nil
	}
	var b strings.Builder
	for i, w := range words {
		if i == len(words)-1 {
			b.WriteString(regexp.QuoteMeta(w))
			break
		}
		sep := `\s+`
		last, n := utf8.DecodeLastRuneInString(w)
		before, _ := utf8.DecodeLastRuneInString(w[:len(w)-n])
		switch {
		case last == '\u00AD' && unicode.IsLetter(before):
			// Gone if the line was joined, kept if not.
			w, sep = w[:len(w)-n], `\x{AD}?\s*`
		case textIsDash(last) && unicode.IsLetter(before):
			sep = `\s*`
		}
		b.WriteString(regexp.QuoteMeta(w))
		b.WriteString(sep)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil
	}
	var occ [][2]int
	for _, m := range re.FindAllStringIndex(text, -1) {
		occ = append(occ, [2]int{m[0], m[1]})
	}
	return occ
}

// Outcome is what became of a claim's quote in a new edition.
type Outcome string

const (
	OutcomeOriginal  Outcome = "original"  // the claim was made on this edition
	OutcomeUnchanged Outcome = "unchanged" // the quote is in the new edition word for word
	OutcomeChanged   Outcome = "changed"   // a passage close enough to the quote is there
	OutcomeMissing   Outcome = "missing"   // nothing close enough: the passage was cut or rewritten
)

// Match is the result of re-anchoring one claim onto a new edition.
type Match struct {
	Outcome    Outcome
	Anchor     Anchor   // zero value when missing
	Similarity float64  // 1 for unchanged; the score for changed; the best score seen (below threshold) for missing
	Diff       []DiffOp // old quote -> new quote, words; only for changed
}

// ChangedThreshold is the score at or above which the best approximate match
// of a quote counts as the same passage, changed, rather than the quote
// being missing. The score is
//
//	0.80 × quote similarity + 0.05 × prefix similarity + 0.05 × suffix similarity + 0.10 × position
//
// where a similarity is 1 − Levenshtein distance / length of the longer of
// the two strings, in runes, and position is 0.5 + 0.5 × (1 − the difference
// of the fractional positions within the section) in the same section, or
// 0.5 × (1 − the difference of the fractional positions within the whole
// text) in another. With the context all in place the quote must be about
// 69% the same (a word or two changed in a sentence is 85–95%); moved to
// another section, about 85–90%. A sentence reworded throughout scores
// around 0.6 and is reported missing, so that a reviewer looks at it.
const ChangedThreshold = 0.75

const (
	anchorWeightQuote    = 0.80
	anchorWeightPrefix   = 0.05
	anchorWeightSuffix   = 0.05
	anchorWeightPosition = 0.10
)

// Anchorer re-anchors many claims onto one new edition. It indexes the
// edition's words once, so that finding a quote costs about its own length,
// not the edition's. It is safe for concurrent use.
type Anchorer struct {
	text  string
	secs  []Section
	runes []rune
	// runeByte[i] is the byte offset of runes[i]; runeByte[len(runes)] is
	// len(text).
	runeByte []int
	words    []anchorWord
	// index maps a lower-case word's hash to the words that have it, in
	// order. Hash collisions only add candidates, which are verified.
	index map[uint64][]int32
	// maxDF is the number of occurrences above which a word is too common to
	// say where a quote is.
	maxDF int
	pool  sync.Pool // *anchorScratch
}

type anchorWord struct {
	start, end   int // byte offsets
	rstart, rend int // rune offsets
}

// NewAnchorer indexes newDoc for Reanchor.
func NewAnchorer(newDoc Document) *Anchorer {
	a := &Anchorer{text: newDoc.Text, secs: newDoc.Sections, index: map[uint64][]int32{}}
	a.runes = make([]rune, 0, len(a.text))
	a.runeByte = make([]int, 0, len(a.text)+1)
	wordStart := -1
	for i := 0; i < len(a.text); {
		r, size := utf8.DecodeRuneInString(a.text[i:])
		ri := len(a.runes)
		if textIsWordRune(r) {
			if wordStart < 0 {
				wordStart = ri
			}
		} else if wordStart >= 0 {
			a.addWord(wordStart, ri, i)
			wordStart = -1
		}
		a.runes = append(a.runes, r)
		a.runeByte = append(a.runeByte, i)
		i += size
	}
	a.runeByte = append(a.runeByte, len(a.text))
	if wordStart >= 0 {
		a.addWord(wordStart, len(a.runes), len(a.text))
	}
	a.maxDF = max(8, len(a.words)/200)
	a.pool.New = func() any { return new(anchorScratch) }
	return a
}

func (a *Anchorer) addWord(rstart, rend, end int) {
	w := anchorWord{start: a.runeByte[rstart], end: end, rstart: rstart, rend: rend}
	h := anchorHash(a.text[w.start:w.end])
	a.index[h] = append(a.index[h], int32(len(a.words)))
	a.words = append(a.words, w)
}

// anchorHash is FNV-1a of the lower-cased word.
func anchorHash(w string) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range w {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		for r != 0 {
			h ^= uint64(r & 0xff)
			h *= 1099511628211
			r >>= 8
		}
	}
	return h
}

// anchorToken is a word of a quote: its byte span and hash.
type anchorToken struct {
	start, end int
	hash       uint64
}

func anchorTokens(q string, buf []anchorToken) []anchorToken {
	buf = buf[:0]
	start := -1
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		if textIsWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			buf = append(buf, anchorToken{start, i, anchorHash(q[start:i])})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		buf = append(buf, anchorToken{start, len(q), anchorHash(q[start:])})
	}
	return buf
}

// anchorHint is what the old anchor says about where the quote should be.
type anchorHint struct {
	old      Anchor
	secFrac  float64 // fractional position in the old section's body
	docFrac  float64 // fractional position in the old text
	oldStart int
}

func anchorMakeHint(old Anchor, oldDoc Document) anchorHint {
	h := anchorHint{old: old, secFrac: 0.5, docFrac: 0.5, oldStart: old.Start}
	if n := len(oldDoc.Text); n > 0 && old.Start >= 0 && old.Start <= n {
		h.docFrac = float64(old.Start) / float64(n)
		h.secFrac = anchorSectionFrac(oldDoc.Sections, n, old.Start)
	}
	return h
}

// anchorRegion returns the heading and body of the section an offset falls
// under; before the first heading, "" and the text before it.
func anchorRegion(secs []Section, textLen, offset int) (heading string, start, end int) {
	if s, ok := textOwner(secs, offset); ok {
		return s.Heading, s.Start, s.End
	}
	if len(secs) > 0 {
		return "", 0, max(0, min(textLen, secs[0].HeadingStart))
	}
	return "", 0, textLen
}

func anchorSectionFrac(secs []Section, textLen, offset int) float64 {
	_, start, end := anchorRegion(secs, textLen, offset)
	if end <= start {
		return 0
	}
	return math.Min(1, math.Max(0, float64(offset-start)/float64(end-start)))
}

// position scores how well a new offset agrees with the hint, in [0,1].
func (a *Anchorer) position(h anchorHint, offset int) float64 {
	heading, _, _ := anchorRegion(a.secs, len(a.text), offset)
	if heading == h.old.Section {
		f := anchorSectionFrac(a.secs, len(a.text), offset)
		return 0.5 + 0.5*(1-math.Abs(f-h.secFrac))
	}
	g := 0.0
	if len(a.text) > 0 {
		g = float64(offset) / float64(len(a.text))
	}
	return 0.5 * (1 - math.Abs(g-h.docFrac))
}

// anchorCandidate is a span of the new text, in bytes, and how it scored.
type anchorCandidate struct {
	start, end     int
	quote          float64 // similarity of the quote
	prefix, suffix float64
	pos            float64
	score          float64
}

// context fills in the context similarities and the total score of c.
func (a *Anchorer) context(h anchorHint, c *anchorCandidate) {
	p, s := anchorContext(a.text, c.start, c.end)
	c.prefix = anchorSimilarity(h.old.Prefix, p)
	c.suffix = anchorSimilarity(h.old.Suffix, s)
	c.pos = a.position(h, c.start)
	c.score = anchorWeightQuote*c.quote + anchorWeightPrefix*c.prefix + anchorWeightSuffix*c.suffix + anchorWeightPosition*c.pos
}

// Reanchor finds old, an anchor in oldDoc, in the new document.
//
//  1. If old.Exact occurs in the new text the claim is unchanged. Of several
//     occurrences the one whose context, section and position within the
//     section best agree with the old anchor wins, so a sentence repeated in
//     another section does not take the anchor. An occurrence in another
//     section with none of its old context yields only to an approximate
//     match in place that scores higher: the claim's own sentence, edited.
//  2. Otherwise the best approximate match is found: candidate places are
//     where many of the quote's rarer words occur in order, and in each the
//     span with the least edit distance to the quote (of any length, no
//     pattern length limit) is found, widened to whole words and scored (see
//     ChangedThreshold). A match whose words are the quote's, only with white
//     space changed (a page break now splits the sentence), is unchanged.
//  3. Otherwise the claim is missing, with the best score seen.
//
// It is deterministic and does not panic on any input.
func (a *Anchorer) Reanchor(old Anchor, oldDoc Document) Match {
	q := old.Exact
	if a == nil || q == "" {
		return Match{Outcome: OutcomeMissing}
	}
	sc := a.pool.Get().(*anchorScratch)
	defer a.pool.Put(sc)
	h := anchorMakeHint(old, oldDoc)

	var exact *anchorCandidate
	if occ := a.findExact(q, sc); len(occ) > 0 {
		exact = a.bestExact(h, occ)
		if !exact.foreign(h, a) {
			return Match{Outcome: OutcomeUnchanged, Anchor: anchorMake(a.text, a.secs, exact.start, exact.end), Similarity: 1}
		}
	}

	best, ok := a.fuzzy(q, h, sc)
	if exact != nil {
		if !ok || best.score <= exact.score || best.score < ChangedThreshold || best.start == exact.start && best.end == exact.end {
			return Match{Outcome: OutcomeUnchanged, Anchor: anchorMake(a.text, a.secs, exact.start, exact.end), Similarity: 1}
		}
	}
	if !ok {
		return Match{Outcome: OutcomeMissing}
	}
	newExact := a.text[best.start:best.end]
	if anchorSameWords(q, newExact) {
		return Match{Outcome: OutcomeUnchanged, Anchor: anchorMake(a.text, a.secs, best.start, best.end), Similarity: 1}
	}
	if best.score < ChangedThreshold {
		return Match{Outcome: OutcomeMissing, Similarity: best.score}
	}
	return Match{
		Outcome:    OutcomeChanged,
		Anchor:     anchorMake(a.text, a.secs, best.start, best.end),
		Similarity: best.score,
		Diff:       WordDiff(q, newExact),
	}
}

// foreign reports whether an exact occurrence has nothing of the old anchor
// around it: another section, and neither prefix nor suffix alike.
func (c *anchorCandidate) foreign(h anchorHint, a *Anchorer) bool {
	heading, _, _ := anchorRegion(a.secs, len(a.text), c.start)
	if heading == h.old.Section {
		return false
	}
	if c.score < 0 {
		c.quote = 1
		a.context(h, c)
	}
	return c.prefix < 0.5 && c.suffix < 0.5
}

// anchorSameWords reports whether a and b differ at most in their white
// space, the way strings.Fields would see it, without allocating.
func anchorSameWords(a, b string) bool {
	for {
		a = strings.TrimLeftFunc(a, unicode.IsSpace)
		b = strings.TrimLeftFunc(b, unicode.IsSpace)
		if a == "" || b == "" {
			return a == b
		}
		i := strings.IndexFunc(a, unicode.IsSpace)
		if i < 0 {
			i = len(a)
		}
		j := strings.IndexFunc(b, unicode.IsSpace)
		if j < 0 {
			j = len(b)
		}
		if a[:i] != b[:j] {
			return false
		}
		a, b = a[i:], b[j:]
	}
}

// findExact returns the byte spans of the occurrences of q in the new text.
// A word inside q (not touching either end) is a whole word of the text at
// every occurrence, so the occurrences of q are among those of its rarest
// inner word; without one, the text is searched.
func (a *Anchorer) findExact(q string, sc *anchorScratch) [][2]int {
	sc.tokens = anchorTokens(q, sc.tokens)
	var pivot *anchorToken
	var postings []int32
	for i := range sc.tokens {
		t := &sc.tokens[i]
		if t.start == 0 || t.end == len(q) {
			continue
		}
		p := a.index[t.hash]
		if pivot == nil || len(p) < len(postings) {
			pivot, postings = t, p
		}
		if len(p) == 0 {
			return nil
		}
	}
	if pivot == nil {
		return anchorFindAll(a.text, q)
	}
	var occ [][2]int
	for _, w := range postings {
		s := a.words[w].start - pivot.start
		if s >= 0 && s+len(q) <= len(a.text) && a.text[s:s+len(q)] == q {
			occ = append(occ, [2]int{s, s + len(q)})
		}
	}
	return occ
}

// bestExact picks the occurrence that best agrees with the hint.
func (a *Anchorer) bestExact(h anchorHint, occ [][2]int) *anchorCandidate {
	best := &anchorCandidate{start: occ[0][0], end: occ[0][1], score: -1}
	if len(occ) == 1 {
		return best
	}
	for i, o := range occ {
		c := &anchorCandidate{start: o[0], end: o[1], quote: 1}
		a.context(h, c)
		if i == 0 || c.score > best.score || c.score == best.score && anchorAbs(c.start-h.oldStart) < anchorAbs(best.start-h.oldStart) {
			best = c
		}
	}
	return best
}

func anchorAbs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// anchorScratch holds the buffers of one Reanchor call.
type anchorScratch struct {
	tokens  []anchorToken
	acc     []float32     // vote weight per bin of diagonals
	lo, hi  []int32       // least and greatest diagonal voted in each bin
	touched []int32       // bins with a vote
	q, rq   anchorPattern // the quote, forwards and reversed
	rqReady bool          // rq holds this call's quote
	qr, rev []rune        // the quote's runes, forwards and reversed
}

// anchorMaxCandidates is how many places are examined closely per quote.
const anchorMaxCandidates = 3

// anchorMaxSteps bounds the work of the bit-parallel scan of one candidate
// (pattern blocks × text runes), so that a pathological quote costs seconds
// at worst, not minutes.
const anchorMaxSteps = 1 << 26

// fuzzy returns the best-scoring approximate match of q.
//
// Every occurrence in the new text of a word of q votes for a diagonal (the
// text word's index minus the quote word's), weighted by the word's rarity;
// diagonals are pooled in bins a few words wide. The strongest bins are the
// places where q's words appear in about q's order; each is then aligned
// with a bit-parallel edit distance over runes, and scored.
func (a *Anchorer) fuzzy(q string, h anchorHint, sc *anchorScratch) (anchorCandidate, bool) {
	toks := sc.tokens // filled by findExact
	nq := len(toks)
	sc.qr = sc.qr[:0]
	for _, r := range q {
		sc.qr = append(sc.qr, r)
	}
	qr := sc.qr
	if len(qr) == 0 {
		return anchorCandidate{}, false
	}
	sc.q.init(qr)
	sc.rqReady = false

	var windows [][2]int // rune spans of a.runes
	if nq > 0 && len(a.words) > 0 {
		windows = a.vote(toks, sc)
	}
	if len(windows) == 0 {
		// No word in common: scan everything, if that is affordable.
		if sc.q.blocks*len(a.runes) > anchorMaxSteps {
			return anchorCandidate{}, false
		}
		windows = [][2]int{{0, len(a.runes)}}
	}

	var best anchorCandidate
	found := false
	for _, win := range windows {
		c, ok := a.align(qr, win, sc)
		if !ok {
			continue
		}
		if found && anchorWeightQuote*c.quote+(1-anchorWeightQuote) <= best.score {
			continue // cannot win even with perfect context
		}
		a.context(h, &c)
		if !found || c.score > best.score || c.score == best.score && c.start < best.start {
			best, found = c, true
		}
	}
	return best, found
}

// vote returns the rune windows of the text worth aligning q against.
func (a *Anchorer) vote(toks []anchorToken, sc *anchorScratch) [][2]int {
	nq := len(toks)
	slack := 2 + nq/10
	width := slack + 1
	nbins := (len(a.words)+nq)/width + 2
	if cap(sc.acc) < nbins {
		sc.acc = make([]float32, nbins)
		sc.lo = make([]int32, nbins)
		sc.hi = make([]int32, nbins)
	}
	acc, lo, hi := sc.acc[:nbins], sc.lo[:nbins], sc.hi[:nbins]
	touched := sc.touched[:0]

	common := 0
	for _, t := range toks {
		if len(a.index[t.hash]) > a.maxDF {
			common++
		}
	}
	for i, t := range toks {
		p := a.index[t.hash]
		if len(p) > a.maxDF && common < nq {
			continue // too common to say where q is, and q has rarer words
		}
		w := 1 / float32(len(p))
		for _, j := range p {
			d := int32(int(j) - i + nq) // ≥ 1
			b := d / int32(width)
			if acc[b] == 0 {
				touched = append(touched, b)
				lo[b], hi[b] = d, d
			}
			acc[b] += w
			lo[b], hi[b] = min(lo[b], d), max(hi[b], d)
		}
	}

	var windows [][2]int
	var chosen []int32
	bestScore := float32(0)
	for k := 0; k < anchorMaxCandidates; k++ {
		pick, pickScore := int32(-1), float32(0)
		for _, b := range touched {
			s := acc[b]
			if b > 0 {
				s += acc[b-1]
			}
			if int(b)+1 < nbins {
				s += acc[b+1]
			}
			taken := false
			for _, c := range chosen {
				taken = taken || anchorAbs(int(b-c)) <= 2+nq/width
			}
			if !taken && (s > pickScore || s == pickScore && b < pick) {
				pick, pickScore = b, s
			}
		}
		if pick < 0 || pickScore < bestScore/3 {
			break
		}
		if k == 0 {
			bestScore = pickScore
		}
		chosen = append(chosen, pick)
		dlo, dhi := lo[pick], hi[pick]
		for _, b := range []int32{pick - 1, pick + 1} {
			if b >= 0 && int(b) < nbins && acc[b] != 0 {
				dlo, dhi = min(dlo, lo[b]), max(dhi, hi[b])
			}
		}
		// Diagonal d puts the quote's first word on text word d-nq and its
		// last on d-1; the spread of the diagonals covers inserted and
		// deleted words, and two words either side an edited first or last
		// word.
		first := max(0, int(dlo)-nq-2)
		last := min(len(a.words)-1, int(dhi)-1+2)
		if first > last {
			continue
		}
		windows = append(windows, [2]int{a.words[first].rstart, a.words[last].rend})
	}
	for _, b := range touched {
		acc[b] = 0
	}
	sc.touched = touched[:0]
	return windows
}

// align finds the span of a.runes within win closest to qr in edit distance,
// widened to whole words, and its quote similarity.
func (a *Anchorer) align(qr []rune, win [2]int, sc *anchorScratch) (anchorCandidate, bool) {
	ws, we := win[0], win[1]
	if ws >= we || sc.q.blocks*(we-ws) > anchorMaxSteps {
		return anchorCandidate{}, false
	}
	dist, end := sc.q.bestEnd(a.runes[ws:we])
	end += ws
	if !sc.rqReady {
		sc.rev = sc.rev[:0]
		for i := len(qr) - 1; i >= 0; i-- {
			sc.rev = append(sc.rev, qr[i])
		}
		sc.rq.init(sc.rev)
		sc.rqReady = true
	}
	// The match is at most len(qr)+dist long: dist edits can add no more.
	_, k := sc.rq.bestStartReverse(a.runes[max(ws, end-len(qr)-dist):end])
	start := end - k
	aligned := [2]int{start, end}

	// Whole words, no white space at the ends.
	for start < end && unicode.IsSpace(a.runes[start]) {
		start++
	}
	for end > start && unicode.IsSpace(a.runes[end-1]) {
		end--
	}
	for start > 0 && start < len(a.runes) && textIsWordRune(a.runes[start-1]) && textIsWordRune(a.runes[start]) {
		start--
	}
	for end > 0 && end < len(a.runes) && textIsWordRune(a.runes[end-1]) && textIsWordRune(a.runes[end]) {
		end++
	}
	if start >= end {
		return anchorCandidate{}, false
	}
	if aligned != [2]int{start, end} {
		dist = sc.q.distance(a.runes[start:end])
	}
	sim := 1 - float64(dist)/float64(max(len(qr), end-start))
	return anchorCandidate{start: a.runeByte[start], end: a.runeByte[end], quote: sim}, true
}

// anchorSimilarity is 1 − Levenshtein distance / the longer length, in
// runes; 1 for two empty strings.
func anchorSimilarity(x, y string) float64 {
	if x == y {
		return 1
	}
	xr, yr := []rune(x), []rune(y)
	n := max(len(xr), len(yr))
	if len(xr) == 0 || len(yr) == 0 {
		return 0
	}
	var p anchorPattern
	p.init(xr)
	return 1 - float64(p.distance(yr))/float64(n)
}

// anchorPattern is a pattern compiled for Myers' bit-parallel edit distance
// (G. Myers, "A fast bit-vector algorithm for approximate string matching
// based on dynamic programming", JACM 1999), in blocks of 64 runes so that
// patterns of any length work.
type anchorPattern struct {
	m, blocks int
	shift     uint // the bit of the last pattern rune in the last block
	ascii     [128]int32
	other     []rune
	otherRow  []int32
	peq       []uint64 // row r is peq[r*blocks:(r+1)*blocks]; row 0 matches nothing
	pv, mv    []uint64
}

func (p *anchorPattern) init(q []rune) {
	p.m = len(q)
	p.blocks = (len(q) + 63) / 64
	p.shift = uint((len(q) - 1) % 64)
	p.ascii = [128]int32{}
	p.other = p.other[:0]
	p.otherRow = p.otherRow[:0]
	p.peq = append(p.peq[:0], make([]uint64, p.blocks)...)
	rows := int32(1)
	for i, r := range q {
		row := p.row(r)
		if row == 0 {
			row = rows
			rows++
			if r >= 0 && r < utf8.RuneSelf {
				p.ascii[r] = row
			} else {
				p.other = append(p.other, r)
				p.otherRow = append(p.otherRow, row)
			}
			p.peq = append(p.peq, make([]uint64, p.blocks)...)
		}
		p.peq[int(row)*p.blocks+i/64] |= 1 << uint(i%64)
	}
	if cap(p.pv) < p.blocks {
		p.pv = make([]uint64, p.blocks)
		p.mv = make([]uint64, p.blocks)
	}
	p.pv, p.mv = p.pv[:p.blocks], p.mv[:p.blocks]
}

func (p *anchorPattern) row(r rune) int32 {
	if r >= 0 && r < utf8.RuneSelf {
		return p.ascii[r]
	}
	for i, o := range p.other {
		if o == r {
			return p.otherRow[i]
		}
	}
	return 0
}

func (p *anchorPattern) reset() {
	for b := range p.pv {
		p.pv[b] = ^uint64(0)
		p.mv[b] = 0
	}
}

// step advances the edit-distance column by one text rune and returns the
// change of the last row's score. global is false when the match may start
// anywhere in the text (the top row is all zeros) and true when it must
// start at the text's beginning (the top row counts up).
//
// The carry between blocks is kept as two bits, hp and hm (+1 and −1), which
// cannot both be set; that keeps the loop free of branches.
func (p *anchorPattern) step(r rune, global bool) int {
	row := int(p.row(r)) * p.blocks
	eqs := p.peq[row : row+p.blocks]
	pv, mv := p.pv[:len(eqs)], p.mv[:len(eqs)]
	var hp, hm uint64
	if global {
		hp = 1
	}
	last := len(eqs) - 1
	for b := 0; b < last; b++ {
		eq, pvb, mvb := eqs[b], pv[b], mv[b]
		xv := eq | mvb
		eq |= hm
		xh := (((eq & pvb) + pvb) ^ pvb) | eq
		ph := mvb | ^(xh | pvb)
		mh := pvb & xh
		hpOut, hmOut := ph>>63, mh>>63
		ph = ph<<1 | hp
		mh = mh<<1 | hm
		pv[b] = mh | ^(xv | ph)
		mv[b] = ph & xv
		hp, hm = hpOut, hmOut
	}
	eq, pvb, mvb := eqs[last], pv[last], mv[last]
	xv := eq | mvb
	eq |= hm
	xh := (((eq & pvb) + pvb) ^ pvb) | eq
	ph := mvb | ^(xh | pvb)
	mh := pvb & xh
	out := int((ph>>p.shift)&1) - int((mh>>p.shift)&1)
	ph = ph<<1 | hp
	mh = mh<<1 | hm
	pv[last] = mh | ^(xv | ph)
	mv[last] = ph & xv
	return out
}

// bestEnd returns the least edit distance between the pattern and any
// substring of text, and the end of the first such substring.
func (p *anchorPattern) bestEnd(text []rune) (dist, end int) {
	p.reset()
	score := p.m
	dist, end = score, 0
	for j, r := range text {
		score += p.step(r, false)
		if score < dist {
			dist, end = score, j+1
		}
	}
	return dist, end
}

// bestStartReverse treats the pattern as reversed and text as ending where
// the match ends: it returns the shortest length k of a suffix of text with
// the least edit distance to the (unreversed) quote.
func (p *anchorPattern) bestStartReverse(text []rune) (dist, k int) {
	p.reset()
	score := p.m
	dist, k = score, 0
	for j := len(text) - 1; j >= 0; j-- {
		score += p.step(text[j], true)
		if score < dist {
			dist, k = score, len(text)-j
		}
	}
	return dist, k
}

// distance returns the Levenshtein distance between the pattern and text.
func (p *anchorPattern) distance(text []rune) int {
	p.reset()
	score := p.m
	for _, r := range text {
		score += p.step(r, true)
	}
	return score
}
