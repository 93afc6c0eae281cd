package anchor

import (
	"math"
	"slices"

	"vetted/review/text"
)

// Alignment pairs the sentences and headings of an older edition with
// their counterparts in the edition of an Index, in order:
//
//  1. Units (sentences and headings) whose match keys are equal and occur
//     once in each edition are paired; of those, the longest run in the
//     same order in both is kept (patience alignment, as in Bram Cohen's
//     patience diff). These unchanged units are fixed points. The other
//     such pairs are sentences moved unchanged: the moved sentence is no
//     counterpart of another sentence where it now stands, and is paired
//     with its old self unless that found a counterpart in place.
//  2. Between two fixed points, the old units and the new ones are aligned
//     by dynamic programming over beads of one old unit to one new unit,
//     two old to one new (a merge) and one old to two new (a split), a unit
//     on either side may also be left alone, maximising the sum over beads
//     of (similarity − InPlaceThreshold) × the units the bead pairs on its
//     longer side (less a small penalty for a merge or split, which is
//     allowed only when each of the two sentences has at least mergeShare
//     of its words in the one they became, and the two together are more
//     like it than either alone). Similarity here is the Dice
//     coefficient of the two sides' words weighted by inverse document
//     frequency, so that a sentence reworded in place keeps its rare words
//     and its counterpart, while a sentence that merely shares "the" and
//     "of" with another does not.
//
// A heading pairs only with a heading. An old unit with no bead has no
// counterpart in place: its claim is then looked for elsewhere, as a moved
// sentence, at the stricter ChangedThreshold.
type Alignment struct {
	x      *Index
	old    text.Document
	oldKey text.Key
	units  []unit
	// pair[i] is the bead of old unit i, -1 for none; beads[b] lists its
	// old and new units.
	pair  []int
	beads []bead
	// taken[j] is the bead that new unit j belongs to, -1 for none.
	taken []int
	w     *weights
}

// bead is a pairing of consecutive old units with consecutive new ones.
type bead struct {
	old, new [2]int // unit index spans [lo,hi)
	sim      float64
}

// InPlaceThreshold is the least weighted word similarity (see Alignment) at
// which a sentence between the same two unchanged sentences of both
// editions counts as the claim's sentence, changed. A look-alike anywhere
// else needs ChangedThreshold.
const InPlaceThreshold = 0.4

// alignMaxCells bounds the dynamic programming of one gap between fixed
// points (old units × new units); a larger gap is left unaligned, and its
// claims are looked for as moved ones.
const alignMaxCells = 1 << 18

// Align aligns old, an earlier edition, with the index's edition.
func (x *Index) Align(old text.Document) *Alignment {
	al := &Alignment{x: x, old: old, oldKey: text.NewKey(old.Text)}
	al.units = makeUnits(old, al.oldKey)
	n, m := len(al.units), len(x.units)
	al.pair = slices.Repeat([]int{-1}, n)
	al.taken = slices.Repeat([]int{-1}, m)

	w := newWeights(al.units, x.units)
	al.w = w
	fixed, moved := patience(al.units, x.units)
	// A sentence moved here unchanged from elsewhere is not the counterpart
	// of another sentence here.
	movedFrom := make(map[int]int, len(moved)) // new unit -> old unit
	for _, f := range moved {
		movedFrom[f[1]] = f[0]
	}
	moved = append(moved, al.contained(fixed, movedFrom)...)
	al.alignBetween(w, movedFrom, fixed, 0, n, 0, m, 0)
	for _, f := range moved {
		if al.pair[f[0]] < 0 && al.taken[f[1]] < 0 {
			al.addBead(bead{old: [2]int{f[0], f[0] + 1}, new: [2]int{f[1], f[1] + 1}, sim: 1})
		}
	}
	al.alignMoved(w, movedFrom)
	return al
}

// alignBetween pairs the fixed points (indexes relative to i0 and j0) and
// aligns the gaps between them. A gap too large for the dynamic programme
// is cut again at the sentences found once in each side of it (patience
// diff's recursion: a sentence repeated across a report is unique within
// one section), at most maxPatienceDepth times.
func (al *Alignment) alignBetween(w *weights, movedFrom map[int]int, fixed [][2]int, i0, i1, j0, j1, depth int) {
	prevI, prevJ := i0, j0
	for _, f := range append(fixed, [2]int{i1 - i0, j1 - j0}) {
		fi, fj := i0+f[0], j0+f[1]
		if gi, gj := fi-prevI, fj-prevJ; (gi+1)*(gj+1) > alignMaxCells && depth < maxPatienceDepth {
			sub, _ := patience(al.units[prevI:fi], al.x.units[prevJ:fj])
			if len(sub) > 0 {
				al.alignBetween(w, movedFrom, sub, prevI, fi, prevJ, fj, depth+1)
			} else {
				al.alignGap(w, movedFrom, prevI, fi, prevJ, fj)
			}
		} else {
			al.alignGap(w, movedFrom, prevI, fi, prevJ, fj)
		}
		if fi < i1 {
			al.addBead(bead{old: [2]int{fi, fi + 1}, new: [2]int{fj, fj + 1}, sim: 1})
		}
		prevI, prevJ = fi+1, fj+1
	}
}

// maxPatienceDepth bounds alignBetween's recursion.
const maxPatienceDepth = 8

// contained finds the new sentences that stand word for word inside one old
// sentence, and only there, but not as its equal: a sentence that lost its
// lead-in ("Reproductive Rights: There were no reports of …"), or one cut
// out of a longer one. Each is recorded in movedFrom as moved from there
// (so no other sentence takes it as a counterpart) and returned as a pair.
// Sentences shorter than containedMin bytes are left alone: short ones
// recur by chance.
func (al *Alignment) contained(fixed [][2]int, movedFrom map[int]int) [][2]int {
	isFixed := make(map[int]bool, len(fixed))
	for _, f := range fixed {
		isFixed[f[1]] = true
	}
	var oldIdx *Index
	var sc scratch
	var pairs [][2]int
	for j, u := range al.x.units {
		if u.heading || isFixed[j] || len(u.key) < containedMin {
			continue
		}
		if _, ok := movedFrom[j]; ok {
			continue
		}
		if oldIdx == nil {
			oldIdx = NewIndex(al.old)
		}
		occ := oldIdx.findExact(u.key, &sc)
		if len(occ) != 1 {
			continue
		}
		i := unitAt(al.units, occ[0][0]) // the same key as al.oldKey
		if i < 0 || al.units[i].heading || al.units[i].key == u.key {
			continue
		}
		movedFrom[j] = i
		pairs = append(pairs, [2]int{i, j})
	}
	return pairs
}

// containedMin is the least length, in bytes of its key, of a sentence
// that contained looks for inside the old ones.
const containedMin = 24

// alignMoved aligns the sentences left unpaired next to paired ones with
// the free sentences next to those pairs' counterparts: a paragraph moved
// to another section keeps its edited sentences with its unchanged ones.
func (al *Alignment) alignMoved(w *weights, movedFrom map[int]int) {
	n, m := len(al.units), len(al.x.units)
	for s := 0; s < n; {
		if al.pair[s] >= 0 {
			s++
			continue
		}
		e := s
		for e < n && al.pair[e] < 0 {
			e++
		}
		// The free new units after the counterpart of the pair before the
		// run, or before the counterpart of the pair after it.
		lo, hi := -1, -1
		if s > 0 {
			lo = al.beads[al.pair[s-1]].new[1]
			hi = lo
			for hi < m && al.taken[hi] < 0 {
				hi++
			}
		}
		if e < n {
			next := al.beads[al.pair[e]].new[0]
			if lo < 0 || next < lo {
				hi, lo = next, next
				for lo > 0 && al.taken[lo-1] < 0 {
					lo--
				}
			} else {
				hi = min(hi, next)
			}
		}
		if lo >= 0 && lo < hi {
			al.alignGap(w, movedFrom, s, e, lo, hi)
		}
		s = e
	}
}

func (al *Alignment) addBead(b bead) {
	id := len(al.beads)
	al.beads = append(al.beads, b)
	for i := b.old[0]; i < b.old[1]; i++ {
		al.pair[i] = id
	}
	for j := b.new[0]; j < b.new[1]; j++ {
		al.taken[j] = id
	}
}

// patience returns the fixed points: pairs (old, new) of units with equal
// keys found once in each, the longest increasing run of them; and the
// other such pairs, sentences moved unchanged.
func patience(a, b []unit) (fixed, moved [][2]int) {
	type seen struct{ na, nb, ib int }
	m := map[string]*seen{}
	for _, u := range a {
		s := m[u.key]
		if s == nil {
			s = &seen{}
			m[u.key] = s
		}
		s.na++
	}
	for j, u := range b {
		if s := m[u.key]; s != nil {
			s.nb++
			s.ib = j
		}
	}
	var cand [][2]int
	for i, u := range a {
		if s := m[u.key]; s.na == 1 && s.nb == 1 && a[i].heading == b[s.ib].heading {
			cand = append(cand, [2]int{i, s.ib})
		}
	}
	// Longest increasing subsequence of the new indexes, by patience
	// sorting.
	var tails []int // indexes into cand
	prev := make([]int, len(cand))
	for k, c := range cand {
		p, _ := slices.BinarySearchFunc(tails, c[1], func(t, target int) int { return cand[t][1] - target })
		if p > 0 {
			prev[k] = tails[p-1]
		} else {
			prev[k] = -1
		}
		if p == len(tails) {
			tails = append(tails, k)
		} else {
			tails[p] = k
		}
	}
	out := make([][2]int, len(tails))
	t := -1
	if len(tails) > 0 {
		t = tails[len(tails)-1]
	}
	inRun := make([]bool, len(cand))
	for k := len(tails) - 1; k >= 0; k-- {
		out[k] = cand[t]
		inRun[t] = true
		t = prev[t]
	}
	for k, c := range cand {
		if !inRun[k] && !a[c[0]].heading {
			moved = append(moved, c)
		}
	}
	return out, moved
}

// weights holds each unit's words as ids with multiplicity, sorted, and
// each id's inverse document frequency over the units of both editions.
type weights struct {
	old, new [][]int32
	idf      []float64
	ids      map[string]int32
}

func newWeights(a, b []unit) *weights {
	ids := map[string]int32{}
	var df []int
	toIDs := func(us []unit) [][]int32 {
		out := make([][]int32, len(us))
		for i, u := range us {
			var row []int32
			for _, w := range lowerWords(u.key) {
				id, ok := ids[w]
				if !ok {
					id = int32(len(df))
					ids[w] = id
					df = append(df, 0)
				}
				row = append(row, id)
			}
			slices.Sort(row)
			for k, id := range row {
				if k == 0 || row[k-1] != id {
					df[id]++
				}
			}
			out[i] = row
		}
		return out
	}
	w := &weights{old: toIDs(a), new: toIDs(b), ids: ids}
	total := float64(len(a) + len(b))
	w.idf = make([]float64, len(df))
	for id, n := range df {
		w.idf[id] = math.Log(1 + total/float64(n))
	}
	return w
}

// dice is the IDF-weighted Dice coefficient of two sorted id multisets.
func (w *weights) dice(x, y []int32) float64 {
	sum := w.mass(x) + w.mass(y)
	if sum == 0 {
		return 0
	}
	return 2 * w.shared(x, y) / sum
}

// contain is the IDF-weighted share of x's words that y has too.
func (w *weights) contain(x, y []int32) float64 {
	m := w.mass(x)
	if m == 0 {
		return 0
	}
	return w.shared(x, y) / m
}

// mass is the summed weight of a multiset of word ids.
func (w *weights) mass(x []int32) float64 {
	var m float64
	for _, id := range x {
		m += w.idf[id]
	}
	return m
}

// shared is the summed weight of the words two sorted multisets share.
func (w *weights) shared(x, y []int32) float64 {
	var both float64
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			both += w.idf[x[i]]
			i++
			j++
		}
	}
	return both
}

func merged(x, y []int32) []int32 {
	out := make([]int32, 0, len(x)+len(y))
	out = append(append(out, x...), y...)
	slices.Sort(out)
	return out
}

// mergePenalty makes a merge or split bead win only over a one-to-one bead
// that is clearly worse.
const mergePenalty = 0.05

// mergeShare is the least share (IDF-weighted) of each merged sentence's
// words that the sentence they merged into must have, and the same for a
// split: a sentence dropped beside one merely edited is no merge.
const mergeShare = 0.4

// alignGap aligns old units [i0,i1) with new units [j0,j1).
func (al *Alignment) alignGap(w *weights, movedFrom map[int]int, i0, i1, j0, j1 int) {
	ai := make([]int, 0, i1-i0)
	for i := i0; i < i1; i++ {
		ai = append(ai, i)
	}
	var bj []int
	for j := j0; j < j1; j++ {
		if i, ok := movedFrom[j]; ok && (i < i0 || i >= i1) {
			continue
		}
		bj = append(bj, j)
	}
	n, m := len(ai), len(bj)
	if n == 0 || m == 0 || (n+1)*(m+1) > alignMaxCells {
		return
	}
	a, b := make([]unit, n), make([]unit, m)
	wa, wb := make([][]int32, n), make([][]int32, m)
	for k, i := range ai {
		a[k], wa[k] = al.units[i], w.old[i]
	}
	for k, j := range bj {
		b[k], wb[k] = al.x.units[j], w.new[j]
	}
	const none = math.MaxInt8
	width := m + 1
	score := make([]float64, (n+1)*width)
	move := make([]int8, (n+1)*width) // 0 start, 1 skip old, 2 skip new, 3 one-one, 4 two-one, 5 one-two
	for i := 0; i <= n; i++ {
		for j := 0; j <= m; j++ {
			if i == 0 && j == 0 {
				continue
			}
			best, mv := math.Inf(-1), int8(none)
			try := func(s float64, k int8) {
				if s > best {
					best, mv = s, k
				}
			}
			if i > 0 {
				try(score[(i-1)*width+j], 1)
			}
			if j > 0 {
				try(score[i*width+j-1], 2)
			}
			if i > 0 && j > 0 && a[i-1].heading == b[j-1].heading {
				if s := w.dice(wa[i-1], wb[j-1]); s >= InPlaceThreshold {
					try(score[(i-1)*width+j-1]+s-InPlaceThreshold, 3)
				}
			}
			if i > 1 && j > 0 && ai[i-1] == ai[i-2]+1 && !a[i-1].heading && !a[i-2].heading && !b[j-1].heading &&
				min(w.contain(wa[i-2], wb[j-1]), w.contain(wa[i-1], wb[j-1])) >= mergeShare {
				if s := w.dice(merged(wa[i-2], wa[i-1]), wb[j-1]); s >= InPlaceThreshold && s >= max(w.dice(wa[i-2], wb[j-1]), w.dice(wa[i-1], wb[j-1])) {
					try(score[(i-2)*width+j-1]+2*(s-InPlaceThreshold)-mergePenalty, 4)
				}
			}
			if i > 0 && j > 1 && bj[j-1] == bj[j-2]+1 && !a[i-1].heading && !b[j-1].heading && !b[j-2].heading &&
				min(w.contain(wb[j-2], wa[i-1]), w.contain(wb[j-1], wa[i-1])) >= mergeShare {
				if s := w.dice(wa[i-1], merged(wb[j-2], wb[j-1])); s >= InPlaceThreshold && s >= max(w.dice(wa[i-1], wb[j-2]), w.dice(wa[i-1], wb[j-1])) {
					try(score[(i-1)*width+j-2]+2*(s-InPlaceThreshold)-mergePenalty, 5)
				}
			}
			score[i*width+j], move[i*width+j] = best, mv
		}
	}
	var found []bead
	for i, j := n, m; i > 0 || j > 0; {
		switch move[i*width+j] {
		case 1:
			i--
		case 2:
			j--
		case 3:
			found = append(found, bead{old: [2]int{ai[i-1], ai[i-1] + 1}, new: [2]int{bj[j-1], bj[j-1] + 1}, sim: w.dice(wa[i-1], wb[j-1])})
			i, j = i-1, j-1
		case 4:
			found = append(found, bead{old: [2]int{ai[i-2], ai[i-1] + 1}, new: [2]int{bj[j-1], bj[j-1] + 1}, sim: w.dice(merged(wa[i-2], wa[i-1]), wb[j-1])})
			i, j = i-2, j-1
		case 5:
			found = append(found, bead{old: [2]int{ai[i-1], ai[i-1] + 1}, new: [2]int{bj[j-2], bj[j-1] + 1}, sim: w.dice(wa[i-1], merged(wb[j-2], wb[j-1]))})
			i, j = i-1, j-2
		default:
			i, j = 0, 0
		}
	}
	for k := len(found) - 1; k >= 0; k-- {
		al.addBead(found[k])
	}
}

// of returns the sorted word ids of a key; a word neither edition has gets
// no id and so counts for nothing.
func (w *weights) of(key string) []int32 {
	var row []int32
	for _, word := range lowerWords(key) {
		if id, ok := w.ids[word]; ok {
			row = append(row, id)
		}
	}
	slices.Sort(row)
	return row
}
