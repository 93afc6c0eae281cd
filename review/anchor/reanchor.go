package anchor

import (
	"math"
	"strings"

	"vetted/review"
	"vetted/review/text"
)

// Match is the result of re-anchoring one claim onto a new edition.
type Match struct {
	Outcome review.Outcome
	// Anchor is where the quote is now; when missing, only its Section is
	// set: the section where the quote was last found.
	Anchor     review.Anchor
	Similarity float64         // 1 for unchanged; the quote's similarity for changed; the best score seen (below threshold) for missing
	Diff       []review.DiffOp // old quote -> new quote, words; only for changed
}

// ChangedThreshold is the score at or above which the best approximate match
// of a quote away from its own place (see Alignment) counts as the same
// passage, moved and changed, rather than the quote being missing. The
// score is
//
//	0.80 × quote similarity + 0.05 × prefix similarity + 0.05 × suffix similarity + 0.10 × position
//
// where a similarity is 1 − Levenshtein distance / length of the longer of
// the two strings, in runes of their match keys, and position is 0.5 + 0.5 ×
// (1 − the difference of the fractional positions within the section) in
// the same section, or 0.5 × (1 − the difference of the fractional
// positions within the whole text) in another. Moved to another section, a
// quote must be about 85–90% the same. In its own place, between the same
// unchanged sentences, InPlaceThreshold applies instead.
const ChangedThreshold = 0.75

// inPlacePrior is how much more like the quote a passage elsewhere must be
// than its counterpart in place to win over it.
const inPlacePrior = 0.15

const (
	weightQuote    = 0.80
	weightPrefix   = 0.05
	weightSuffix   = 0.05
	weightPosition = 0.10
)

// Reanchor finds old, an anchor in the alignment's old edition, in the new
// one:
//
//  1. If the quote's match key occurs in the new text on whole words, the
//     claim is unchanged. Of several occurrences, one in the quote's own
//     place (the counterpart of its sentences) wins, then one in a sentence
//     that is no other sentence's counterpart, then the one whose context,
//     section and position agree best. An occurrence in another section
//     with none of the old context yields to the quote's sentence edited in
//     place.
//  2. Otherwise, if the quote's sentences have a counterpart in place (see
//     Alignment), the claim is changed and anchored there: on the whole
//     counterpart sentences when the quote was whole sentences, else on
//     the run of whole words that best aligns with the quote's words.
//     A passage elsewhere (see 3) wins over it only if it scores at least
//     ChangedThreshold and is inPlacePrior more like the quote: a sentence
//     moved and edited, where its old place now holds a mere look-alike.
//  3. Otherwise the best approximate match elsewhere is found, among
//     sentences that are no other sentence's counterpart: candidate places
//     are where many of the quote's rarer words occur in order, and in each
//     the span with the least edit distance to the quote is found, widened
//     to whole words, and scored (see ChangedThreshold), its similarity
//     being the greater of the edit similarity and the weighted word
//     similarity of Alignment (a sentence moved and cut short keeps its
//     words, not its length).
//  4. Otherwise the claim is missing, with the best score seen.
//
// It is deterministic and does not panic on any input.
func (al *Alignment) Reanchor(old review.Anchor) Match {
	missing := Match{Outcome: review.OutcomeMissing, Anchor: review.Anchor{Section: old.Section}}
	if al == nil {
		return missing
	}
	x := al.x
	q := text.Fold(old.Exact)
	if q == "" {
		return missing
	}
	sc := x.pool.Get().(*scratch)
	defer x.pool.Put(sc)
	h := al.hint(old, q)

	if occ := x.findExact(q, sc); len(occ) > 0 {
		if best, ok := al.bestExact(h, occ); ok {
			return al.match(old, q, best.start, best.end, true)
		}
	}
	var here candidate
	found := false
	if h.inPlace {
		if s, e, ok := al.inPlace(h, q, sc); ok {
			here, found = candidate{start: s, end: e, quote: similarity(q, x.key.Text[s:e])}, true
		}
	}
	if found && here.quote+inPlacePrior > 1 {
		return al.match(old, q, here.start, here.end, false) // nothing elsewhere could beat it
	}
	best, ok := al.fuzzy(q, h, sc)
	if found && (!ok || best.score < ChangedThreshold || best.quote < here.quote+inPlacePrior) {
		return al.match(old, q, here.start, here.end, false)
	}
	if !ok || best.score < ChangedThreshold {
		if ok {
			missing.Similarity = best.score
		}
		return missing
	}
	return al.match(old, q, best.start, best.end, false)
}

// match builds the match of the new key span [ks,ke) for old, whose key
// is oldKey.
func (al *Alignment) match(old review.Anchor, oldKey string, ks, ke int, exact bool) Match {
	x := al.x
	s, e := x.key.Span(ks, ke)
	a := makeAnchor(x.doc, s, e)
	if exact || x.key.Text[ks:ke] == oldKey {
		return Match{Outcome: review.OutcomeUnchanged, Anchor: a, Similarity: 1}
	}
	return Match{Outcome: review.OutcomeChanged, Anchor: a, Similarity: similarity(oldKey, x.key.Text[ks:ke]),
		Diff: review.WordDiff(old.Exact, a.Exact)}
}

// hint is what the old anchor says about where the quote should be.
type hint struct {
	old              review.Anchor
	secFrac, docFrac float64 // fractional positions in the old section's body and the old text
	oldStart         int
	// covered is the span [lo,hi) of old units the quote overlaps; whole is
	// whether it covers them entirely.
	covered [2]int
	whole   bool
	// target is the span [lo,hi) of new units that are the counterparts of
	// the covered ones; inPlace is whether there are any.
	target  [2]int
	inPlace bool
	// prefix and suffix are the keys of the old context, folded once.
	prefix, suffix string
}

func (al *Alignment) hint(old review.Anchor, q string) hint {
	h := hint{old: old, secFrac: 0.5, docFrac: 0.5, oldStart: old.Start, covered: [2]int{-1, -1},
		prefix: text.Fold(old.Prefix), suffix: text.Fold(old.Suffix)}
	d := al.old
	if n := len(d.Text); n > 0 && old.Start >= 0 && old.Start <= n {
		h.docFrac = float64(old.Start) / float64(n)
		h.secFrac = sectionFrac(d, old.Start)
	}
	// Where the quote is in the old key.
	ks, ke := -1, -1
	if old.Start >= 0 && old.Start < old.End && old.End <= len(d.Text) && (d.Text[old.Start:old.End] == old.Exact || text.Fold(d.Text[old.Start:old.End]) == q) {
		ks, ke = al.oldKey.Offset(old.Start), al.oldKey.Offset(old.End)
	} else if occ := findAll(al.oldKey.Text, q); len(occ) > 0 {
		ks, ke = occ[0][0], occ[0][1]
	}
	if ks < 0 {
		return h
	}
	lo, hi := unitAt(al.units, ks), unitAt(al.units, ke-1)
	if lo < 0 || hi < 0 {
		return h
	}
	h.covered = [2]int{lo, hi + 1}
	h.whole = ks <= al.units[lo].kstart && ke >= al.units[hi].kend
	// The counterparts of the covered units, in the old units' order, in
	// runs of neighbours (the next counterpart starting at most one unit
	// after the run, or overlapping it); a run apart from the others (one
	// sentence of the quote moved far away) is not taken along: the run with
	// the most of the quote's units wins.
	var run [2]int
	runUnits, bestUnits := 0, 0
	for i := lo; i <= hi; i++ {
		b := al.pair[i]
		if b < 0 {
			continue
		}
		nb := al.beads[b].new
		if runUnits > 0 && nb[0] <= run[1]+1 && nb[1] >= run[0] {
			run = [2]int{min(run[0], nb[0]), max(run[1], nb[1])}
			runUnits++
		} else {
			run, runUnits = nb, 1
		}
		if runUnits > bestUnits {
			h.target, bestUnits, h.inPlace = run, runUnits, true
		}
	}
	return h
}

// sectionFrac is the fractional position of an offset in its section's body.
func sectionFrac(d text.Document, offset int) float64 {
	_, start, end := d.Region(offset)
	if end <= start {
		return 0
	}
	return math.Min(1, math.Max(0, float64(offset-start)/float64(end-start)))
}

// ownedElsewhere reports whether the new key span [ks,ke) lies entirely in
// units that are the counterparts of old units other than the quote's.
func (al *Alignment) ownedElsewhere(h hint, ks, ke int) bool {
	if h.covered[0] < 0 {
		return false // the quote is not in the old edition: whose it is, is unknown
	}
	us := al.x.units
	j := unitAt(us, ks)
	if j < 0 {
		return false
	}
	for ; j < len(us) && us[j].kstart < ke; j++ {
		b := al.taken[j]
		if b < 0 {
			return false
		}
		ob := al.beads[b].old
		if ob[0] < h.covered[1] && h.covered[0] < ob[1] {
			return false
		}
	}
	return true
}

// inTarget reports whether the key span [ks,ke) overlaps the counterparts
// of the quote's sentences.
func (al *Alignment) inTarget(h hint, ks, ke int) bool {
	us := al.x.units
	return ks < us[h.target[1]-1].kend && us[h.target[0]].kstart < ke
}

// bestExact picks the occurrence (key spans) that best agrees with the
// hint; ok is false when the quote's own sentence, edited in place, should
// win over every occurrence.
func (al *Alignment) bestExact(h hint, occ [][2]int) (candidate, bool) {
	x := al.x
	var best candidate
	bestRank := -1
	scored := len(occ) > 1
	for _, o := range occ {
		c := candidate{start: o[0], end: o[1], quote: 1}
		rank := 1 // elsewhere, in a sentence no other sentence owns
		switch j := unitAt(x.units, o[0]); {
		case h.inPlace && j >= h.target[0] && j < h.target[1]:
			rank = 2
		case al.ownedElsewhere(h, o[0], o[1]):
			rank = 0
		}
		if scored {
			al.context(h, &c)
		}
		if rank > bestRank || rank == bestRank && (c.score > best.score || c.score == best.score && abs(c.start-h.oldStart) < abs(best.start-h.oldStart)) {
			best, bestRank = c, rank
		}
	}
	if !h.inPlace && h.covered[0] >= 0 {
		// The quote's sentence is gone, and its words stand in another
		// sentence: the same claim if they are most of a sentence that is
		// nobody's counterpart (moved, its lead-in dropped), or in the same
		// section or context.
		if j := unitAt(x.units, best.start); bestRank == 1 && j >= 0 && (best.end-best.start)*5 >= (x.units[j].kend-x.units[j].kstart)*4 {
			return best, true
		}
		if !scored {
			al.context(h, &best)
		}
		heading, _, _ := x.doc.Region(x.spanStart(best.start))
		return best, text.Equal(heading, h.old.Section) || best.prefix >= 0.5 || best.suffix >= 0.5
	}
	if bestRank < 2 && h.inPlace {
		if !scored {
			al.context(h, &best)
		}
		heading, _, _ := x.doc.Region(x.spanStart(best.start))
		if bestRank == 0 || !text.Equal(heading, h.old.Section) && best.prefix < 0.5 && best.suffix < 0.5 {
			return best, false
		}
	}
	return best, true
}

// spanStart maps a key offset to the stored text.
func (x *Index) spanStart(k int) int {
	if k >= len(x.key.Text) {
		return len(x.doc.Text)
	}
	s, _ := x.key.Span(k, k+1)
	return s
}

// inPlace anchors the quote in the counterparts of its sentences, as key
// offsets; ok is false when the quote, part of a sentence, has too little
// left there.
func (al *Alignment) inPlace(h hint, q string, sc *scratch) (ks, ke int, ok bool) {
	us := al.x.units
	lo, hi := us[h.target[0]].kstart, us[h.target[1]-1].kend
	if h.whole {
		return lo, hi, true
	}
	return wordSpan(al.x.key.Text, lo, hi, q, sc)
}

// wordSpan finds, in the key region [lo,hi), the run of whole words that
// best aligns with the words of q: the least word edit distance (semi-global
// alignment: all of q, any run of the region), and of equals, the run whose
// length in words is closest to q's, a substitution being preferred to a
// deletion on the way, so that a changed word at either end is kept ("traced
// to 5" → "traced to 6", not "traced to"). The quote's punctuation at
// either end is taken along where the text has it. ok is false when more
// than half of q's words would have to change. It costs O(words of q ×
// words of the region).
func wordSpan(key string, lo, hi int, q string, sc *scratch) (int, int, bool) {
	qt := tokenize(q, sc.tokens)
	sc.tokens = qt
	rt := tokenize(key[lo:hi], nil)
	n, m := len(qt), len(rt)
	if n == 0 || m == 0 || n*m > 1<<24 {
		return 0, 0, false
	}
	eq := func(i, j int) bool {
		return qt[i].hash == rt[j].hash && strings.EqualFold(q[qt[i].start:qt[i].end], key[lo+rt[j].start:lo+rt[j].end])
	}
	// Column e of the table is the region's first e words; row i is q's
	// first i words. cost[e] and start[e] hold row i: the least cost of
	// aligning q[:i] with a run ending at word e, and where that run starts.
	cost, start := make([]int, m+1), make([]int, m+1)
	prevCost, prevStart := make([]int, m+1), make([]int, m+1)
	for e := range prevCost {
		prevCost[e], prevStart[e] = 0, e // any start is free
	}
	for i := 1; i <= n; i++ {
		cost[0], start[0] = i, 0
		for e := 1; e <= m; e++ {
			c, st := prevCost[e-1], prevStart[e-1] // q word i-1 against region word e-1
			if !eq(i-1, e-1) {
				c++
			}
			if d := prevCost[e] + 1; d < c { // q word i-1 dropped
				c, st = d, prevStart[e]
			}
			if d := cost[e-1] + 1; d < c { // region word e-1 added
				c, st = d, start[e-1]
			}
			cost[e], start[e] = c, st
		}
		cost, prevCost = prevCost, cost
		start, prevStart = prevStart, start
	}
	bestCost, bestS, bestE := n+1, 0, 0
	for e := 1; e <= m; e++ {
		c, s := prevCost[e], prevStart[e]
		if s >= e {
			continue
		}
		if c < bestCost || c == bestCost && abs((e-s)-n) < abs((bestE-bestS)-n) {
			bestCost, bestS, bestE = c, s, e
		}
	}
	if bestE == 0 || bestCost*2 > n {
		return 0, 0, false
	}
	ks, ke := lo+rt[bestS].start, lo+rt[bestE-1].end
	// The quote's own punctuation at its ends ("…last year." keeps its stop).
	if lead := q[:qt[0].start]; lead != "" && strings.HasSuffix(key[lo:ks], lead) {
		ks -= len(lead)
	}
	if trail := q[qt[n-1].end:]; trail != "" && strings.HasPrefix(key[ke:hi], trail) {
		ke += len(trail)
	}
	return ks, ke, true
}

// snap widens the key span [ks,ke) to the whole units it mostly covers.
func (al *Alignment) snap(ks, ke int) (int, int) {
	us := al.x.units
	s, e := ks, ke
	for j := unitAt(us, ks); j >= 0 && j < len(us) && us[j].kstart < ke; j++ {
		u := us[j]
		overlap := min(ke, u.kend) - max(ks, u.kstart)
		if overlap*2 >= u.kend-u.kstart {
			s, e = min(s, u.kstart), max(e, u.kend)
		}
	}
	return s, e
}

// candidate is a key span of the new text and how it scored.
type candidate struct {
	start, end     int // key bytes
	quote          float64
	prefix, suffix float64
	pos            float64
	score          float64
}

// context fills in the context similarities and the total score of c,
// comparing keys: the old context folded, the new one read off the key.
func (al *Alignment) context(h hint, c *candidate) {
	x := al.x
	p, sf := context(x.key.Text, c.start, c.end)
	c.prefix = similarity(h.prefix, strings.TrimSpace(p))
	c.suffix = similarity(h.suffix, strings.TrimSpace(sf))
	c.pos = al.position(h, x.spanStart(c.start))
	c.score = weightQuote*c.quote + weightPrefix*c.prefix + weightSuffix*c.suffix + weightPosition*c.pos
}

// position scores how well a new offset (stored bytes) agrees with the
// hint, in [0,1].
func (al *Alignment) position(h hint, offset int) float64 {
	d := al.x.doc
	heading, _, _ := d.Region(offset)
	if text.Equal(heading, h.old.Section) {
		return 0.5 + 0.5*(1-math.Abs(sectionFrac(d, offset)-h.secFrac))
	}
	g := 0.0
	if len(d.Text) > 0 {
		g = float64(offset) / float64(len(d.Text))
	}
	return 0.5 * (1 - math.Abs(g-h.docFrac))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
