package review

import "strings"

// HedgesAt returns the hedge words of the sentences that the span
// [start,end) touches, in order and without repeats: a claim made on part
// of a hedged sentence is hedged.
func HedgesAt(sents []Sentence, start, end int) []string {
	var hs []string
	seen := map[string]bool{}
	for _, s := range sents {
		if s.End <= start || s.Start >= end {
			continue
		}
		for _, h := range s.Hedges {
			if !seen[h] {
				seen[h] = true
				hs = append(hs, h)
			}
		}
	}
	return hs
}

// Uncovered returns the sentences that no span overlaps: an edition's new
// material once its claims are anchored.
func Uncovered(sents []Sentence, spans [][2]int) []Sentence {
	out := []Sentence{}
	for _, s := range sents {
		covered := false
		for _, sp := range spans {
			if sp[0] < s.End && sp[1] > s.Start {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}

// DiffSimilarity is the share of words a diff keeps: 1 for identical
// texts, 0 for nothing in common.
func DiffSimilarity(ops []DiffOp) float64 {
	var same, total int
	for _, op := range ops {
		n := len(strings.Fields(op.Text))
		total += n
		if op.Op == "=" {
			same += 2 * n
			total += n
		}
	}
	if total == 0 {
		return 1
	}
	return float64(same) / float64(total)
}
