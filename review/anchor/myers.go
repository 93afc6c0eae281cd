package anchor

import (
	"unicode/utf8"

	"vetted/review"
)

// pattern is a pattern compiled for Myers' bit-parallel edit distance
// (G. Myers, "A fast bit-vector algorithm for approximate string matching
// based on dynamic programming", JACM 1999), in blocks of 64 runes so that
// patterns of any length work.
type pattern struct {
	m, blocks int
	shift     uint // the bit of the last pattern rune in the last block
	ascii     [128]int32
	other     map[rune]int32 // rows of the runes beyond ASCII
	peq       []uint64       // row r is peq[r*blocks:(r+1)*blocks]; row 0 matches nothing
	pv, mv    []uint64
}

func (p *pattern) init(q []rune) {
	p.m = len(q)
	p.blocks = (len(q) + 63) / 64
	p.shift = uint((len(q) - 1) % 64)
	p.ascii = [128]int32{}
	if p.other == nil {
		p.other = map[rune]int32{}
	}
	clear(p.other)
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
				p.other[r] = row
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

func (p *pattern) row(r rune) int32 {
	if r >= 0 && r < utf8.RuneSelf {
		return p.ascii[r]
	}
	return p.other[r]
}

func (p *pattern) reset() {
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
func (p *pattern) step(r rune, global bool) int {
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
func (p *pattern) bestEnd(text []rune) (dist, end int) {
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
func (p *pattern) bestStartReverse(text []rune) (dist, k int) {
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
func (p *pattern) distance(text []rune) int {
	p.reset()
	score := p.m
	for _, r := range text {
		score += p.step(r, true)
	}
	return score
}

// maxEditRunes bounds the quotes and passages compared rune by rune: the
// bit-parallel table grows with the pattern's length times its distinct
// runes. Longer ones are compared word by word.
const maxEditRunes = 4096

// similarity is 1 − Levenshtein distance / the longer length, in runes; 1
// for two empty strings. Beyond maxEditRunes it is the share of words a
// word diff keeps (review.DiffSimilarity).
func similarity(x, y string) float64 {
	if x == y {
		return 1
	}
	xr, yr := []rune(x), []rune(y)
	n := max(len(xr), len(yr))
	if len(xr) == 0 || len(yr) == 0 {
		return 0
	}
	if n > maxEditRunes {
		return review.DiffSimilarity(review.WordDiff(x, y))
	}
	var p pattern
	p.init(xr)
	return 1 - float64(p.distance(yr))/float64(n)
}
