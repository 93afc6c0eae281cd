package anchor

import (
	"unicode"

	"vetted/review/text"
)

// scratch holds the buffers of one Reanchor call.
type scratch struct {
	tokens  []token
	acc     []float32 // vote weight per bin of diagonals
	lo, hi  []int32   // least and greatest diagonal voted in each bin
	touched []int32   // bins with a vote
	q, rq   pattern   // the quote, forwards and reversed
	rqReady bool      // rq holds this call's quote
	qr, rev []rune    // the quote's runes, forwards and reversed
}

// maxCandidates is how many places are examined closely per quote.
const maxCandidates = 4

// maxSteps bounds the work of the bit-parallel scan of one candidate
// (pattern blocks × text runes), so that a pathological quote costs seconds
// at worst, not minutes.
const maxSteps = 1 << 26

// findExact returns the key spans of the occurrences of q in the new key
// that start and end on word boundaries. A word inside q (not touching
// either end) is a whole word of the key at every occurrence, so the
// occurrences of q are among those of its rarest inner word; without one,
// the key is searched. At most maxOccurrences are returned.
func (x *Index) findExact(q string, sc *scratch) [][2]int {
	sc.tokens = tokenize(q, sc.tokens)
	var pivot *token
	var postings []int32
	for i := range sc.tokens {
		t := &sc.tokens[i]
		if t.start == 0 || t.end == len(q) {
			continue
		}
		p := x.postings[t.hash]
		if pivot == nil || len(p) < len(postings) {
			pivot, postings = t, p
		}
		if len(p) == 0 {
			return nil
		}
	}
	k := x.key.Text
	if pivot == nil {
		return wholeWords(k, findAll(k, q))
	}
	var occ [][2]int
	for _, w := range postings {
		s := x.words[w].start - pivot.start
		if s >= 0 && s+len(q) <= len(k) && k[s:s+len(q)] == q && onBoundary(k, s) && onBoundary(k, s+len(q)) {
			occ = append(occ, [2]int{s, s + len(q)})
			if len(occ) == maxOccurrences {
				break
			}
		}
	}
	return occ
}

// fuzzy returns the best-scoring approximate match of q outside the
// counterparts of other sentences.
//
// Every occurrence in the new key of a word of q votes for a diagonal (the
// key word's index minus the quote word's), weighted by the word's rarity;
// diagonals are pooled in bins a few words wide. The strongest bins are the
// places where q's words appear in about q's order; each is then aligned
// with a bit-parallel edit distance over runes, and scored.
func (al *Alignment) fuzzy(q string, h hint, sc *scratch) (candidate, bool) {
	x := al.x
	sc.tokens = tokenize(q, sc.tokens)
	toks := sc.tokens
	sc.qr = sc.qr[:0]
	for _, r := range q {
		sc.qr = append(sc.qr, r)
	}
	qr := sc.qr
	if len(qr) == 0 || len(qr) > maxEditRunes {
		return candidate{}, false // too long to align rune by rune: whole sentences are aligned in place instead
	}
	sc.q.init(qr)
	sc.rqReady = false

	var windows [][2]int // rune spans of x.runes
	if len(toks) > 0 && len(x.words) > 0 {
		windows = x.vote(toks, sc)
	}
	if len(windows) == 0 {
		// No word in common: scan everything, if that is affordable.
		if sc.q.blocks*len(x.runes) > maxSteps {
			return candidate{}, false
		}
		windows = [][2]int{{0, len(x.runes)}}
	}

	var best candidate
	found := false
	for _, win := range windows {
		c, ok := x.align(qr, win, sc)
		if !ok || al.ownedElsewhere(h, c.start, c.end) || h.inPlace && al.inTarget(h, c.start, c.end) {
			continue
		}
		if h.whole {
			c.start, c.end = al.snap(c.start, c.end)
			c.quote = similarity(q, x.key.Text[c.start:c.end])
		}
		if al.w != nil {
			c.quote = max(c.quote, al.w.dice(al.w.of(q), al.w.of(x.key.Text[c.start:c.end])))
		}
		if found && weightQuote*c.quote+(1-weightQuote) <= best.score {
			continue // cannot win even with perfect context
		}
		al.context(h, &c)
		if !found || c.score > best.score || c.score == best.score && c.start < best.start {
			best, found = c, true
		}
	}
	return best, found
}

// vote returns the rune windows of the key worth aligning the quote's
// tokens against.
func (x *Index) vote(toks []token, sc *scratch) [][2]int {
	nq := len(toks)
	slack := 2 + nq/10
	width := slack + 1
	nbins := (len(x.words)+nq)/width + 2
	if cap(sc.acc) < nbins {
		sc.acc = make([]float32, nbins)
		sc.lo = make([]int32, nbins)
		sc.hi = make([]int32, nbins)
	}
	acc, lo, hi := sc.acc[:nbins], sc.lo[:nbins], sc.hi[:nbins]
	touched := sc.touched[:0]

	common := 0
	for _, t := range toks {
		if len(x.postings[t.hash]) > x.maxDF {
			common++
		}
	}
	for i, t := range toks {
		p := x.postings[t.hash]
		if len(p) > x.maxDF && common < nq {
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
	for k := 0; k < maxCandidates; k++ {
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
				taken = taken || abs(int(b-c)) <= 2+nq/width
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
		// Diagonal d puts the quote's first word on key word d-nq and its
		// last on d-1; the spread of the diagonals covers inserted and
		// deleted words, and two words either side an edited first or last
		// word.
		first := max(0, int(dlo)-nq-2)
		last := min(len(x.words)-1, int(dhi)-1+2)
		if first > last {
			continue
		}
		windows = append(windows, [2]int{x.words[first].rstart, x.words[last].rend})
	}
	for _, b := range touched {
		acc[b] = 0
	}
	sc.touched = touched[:0]
	return windows
}

// align finds the span of x.runes within win closest to qr in edit
// distance, widened to whole words, and its quote similarity; the
// candidate's span is in key bytes.
func (x *Index) align(qr []rune, win [2]int, sc *scratch) (candidate, bool) {
	ws, we := win[0], win[1]
	if ws >= we || sc.q.blocks*(we-ws) > maxSteps {
		return candidate{}, false
	}
	dist, end := sc.q.bestEnd(x.runes[ws:we])
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
	_, k := sc.rq.bestStartReverse(x.runes[max(ws, end-len(qr)-dist):end])
	start := end - k
	aligned := [2]int{start, end}

	// Whole words, no white space at the ends.
	start, end = trimSpaceRunes(x.runes, start, end)
	for start > 0 && start < len(x.runes) && text.IsWordRune(x.runes[start-1]) && text.IsWordRune(x.runes[start]) {
		start--
	}
	for end > 0 && end < len(x.runes) && text.IsWordRune(x.runes[end-1]) && text.IsWordRune(x.runes[end]) {
		end++
	}
	if start >= end {
		return candidate{}, false
	}
	if aligned != [2]int{start, end} {
		dist = sc.q.distance(x.runes[start:end])
	}
	sim := 1 - float64(dist)/float64(max(len(qr), end-start))
	return candidate{start: x.runeByte[start], end: x.runeByte[end], quote: sim}, true
}

// trimSpaceRunes returns [s,e) without white space at either end.
func trimSpaceRunes(r []rune, s, e int) (int, int) {
	for s < e && unicode.IsSpace(r[s]) {
		s++
	}
	for e > s && unicode.IsSpace(r[e-1]) {
		e--
	}
	return s, e
}
