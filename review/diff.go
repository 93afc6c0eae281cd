package review

import "strings"

// DiffOp is one run of words of a word diff.
type DiffOp struct {
	Op   string `json:"op"`   // "=" same, "-" only in old, "+" only in new
	Text string `json:"text"` // words joined with single spaces; consecutive same-op words merged into one op
}

// diffMaxCells bounds the LCS table. Quotes are a few hundred words at most;
// beyond this the changed middle is shown as deleted then inserted whole,
// which is still a correct diff, rather than allocating without limit.
const diffMaxCells = 1 << 22

// WordDiff returns a word-level diff of a and b (words are separated by
// white space) with the fewest deleted and inserted words. Joining the texts
// of the "=" and "-" ops with single spaces gives a with its white space
// collapsed to single spaces (a itself for normalised text); "=" and "+"
// give b. Deletions come before insertions where a word was replaced.
func WordDiff(a, b string) []DiffOp {
	x, y := strings.Fields(a), strings.Fields(b)

	// Common ends need no table, and are most of a lightly edited quote.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}

	var d diffBuilder
	d.add("=", x[:pre]...)
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	if n, m := len(mx)+1, len(my)+1; n*m > diffMaxCells || n*m < 0 {
		d.add("-", mx...)
		d.add("+", my...)
	} else {
		diffLCS(&d, mx, my)
	}
	d.add("=", x[len(x)-suf:]...)
	return d.ops()
}

// diffLCS appends the diff of x and y using a table of the lengths of the
// longest common subsequences of their suffixes.
func diffLCS(d *diffBuilder, x, y []string) {
	n, m := len(x), len(y)
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case x[i] == y[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			d.add("=", x[i])
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			d.add("-", x[i])
			i++
		default:
			d.add("+", y[j])
			j++
		}
	}
	d.add("-", x[i:]...)
	d.add("+", y[j:]...)
}

// diffBuilder collects runs of words, merging consecutive words of one op
// and keeping the deletions of a replaced run before its insertions.
type diffBuilder struct {
	runs []diffRun
}

type diffRun struct {
	op    string
	words []string
}

func (d *diffBuilder) add(op string, words ...string) {
	if len(words) == 0 {
		return
	}
	n := len(d.runs)
	switch {
	case n > 0 && d.runs[n-1].op == op:
		d.runs[n-1].words = append(d.runs[n-1].words, words...)
	case op == "-" && n > 0 && d.runs[n-1].op == "+":
		// "+a -b +c": put the deletion before the insertion it replaces.
		if n > 1 && d.runs[n-2].op == "-" {
			d.runs[n-2].words = append(d.runs[n-2].words, words...)
		} else {
			d.runs = append(d.runs[:n-1], diffRun{op, words}, d.runs[n-1])
		}
	default:
		// Three-index slice: a later append must copy, not write into the
		// caller's array.
		d.runs = append(d.runs, diffRun{op, words[:len(words):len(words)]})
	}
}

func (d *diffBuilder) ops() []DiffOp {
	if len(d.runs) == 0 {
		return nil
	}
	ops := make([]DiffOp, len(d.runs))
	for i, r := range d.runs {
		ops[i] = DiffOp{Op: r.op, Text: strings.Join(r.words, " ")}
	}
	return ops
}
