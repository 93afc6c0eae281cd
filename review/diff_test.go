package review

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// diffSides rebuilds the two texts a diff was made from.
func diffSides(ops []DiffOp) (a, b string) {
	var x, y []string
	for _, op := range ops {
		switch op.Op {
		case "=":
			x, y = append(x, op.Text), append(y, op.Text)
		case "-":
			x = append(x, op.Text)
		case "+":
			y = append(y, op.Text)
		}
	}
	return strings.Join(x, " "), strings.Join(y, " ")
}

// diffCheck checks the promises of WordDiff for any a and b.
func diffCheck(tb testing.TB, a, b string, ops []DiffOp) {
	tb.Helper()
	gotA, gotB := diffSides(ops)
	if wantA := strings.Join(strings.Fields(a), " "); gotA != wantA {
		tb.Errorf("old side: got %q, want %q", gotA, wantA)
	}
	if wantB := strings.Join(strings.Fields(b), " "); gotB != wantB {
		tb.Errorf("new side: got %q, want %q", gotB, wantB)
	}
	for i, op := range ops {
		if op.Op != "=" && op.Op != "-" && op.Op != "+" {
			tb.Errorf("op %d: got %q", i, op.Op)
		}
		if op.Text == "" || strings.TrimSpace(op.Text) != op.Text || strings.Contains(op.Text, "  ") {
			tb.Errorf("op %d: text %q is not words joined by single spaces", i, op.Text)
		}
		if i > 0 && ops[i-1].Op == op.Op {
			tb.Errorf("ops %d and %d are both %q: not merged", i-1, i, op.Op)
		}
		if i > 0 && ops[i-1].Op == "+" && op.Op == "-" {
			tb.Errorf("op %d: a deletion after an insertion", i)
		}
	}
}

func TestWordDiff(t *testing.T) {
	for _, tt := range []struct {
		name, a, b string
		want       []DiffOp
	}{
		{"BothEmpty", "", "", nil},
		{"OldEmpty", "", "new words", []DiffOp{{"+", "new words"}}},
		{"NewEmpty", "old words", " ", []DiffOp{{"-", "old words"}}},
		{"Identical", "the same words", "the same words", []DiffOp{{"=", "the same words"}}},
		{"WhiteSpaceOnly", "the  same\nwords", "the same words", []DiffOp{{"=", "the same words"}}},
		{"Replaced", "women are reportedly vulnerable", "women are highly vulnerable",
			[]DiffOp{{"=", "women are"}, {"-", "reportedly"}, {"+", "highly"}, {"=", "vulnerable"}}},
		{"Inserted", "risk is high.", "risk is very high.", []DiffOp{{"=", "risk is"}, {"+", "very"}, {"=", "high."}}},
		{"Deleted", "risk is relatively high.", "risk is high.", []DiffOp{{"=", "risk is"}, {"-", "relatively"}, {"=", "high."}}},
		{"AtEnds", "a b c", "x b y", []DiffOp{{"-", "a"}, {"+", "x"}, {"=", "b"}, {"-", "c"}, {"+", "y"}}},
		{"AllDifferent", "a b", "c d", []DiffOp{{"-", "a b"}, {"+", "c d"}}},
		{"Moved", "one two three", "two three one", []DiffOp{{"-", "one"}, {"=", "two three"}, {"+", "one"}}},
		{"Punctuation", "crime.", "crime,", []DiffOp{{"-", "crime."}, {"+", "crime,"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := WordDiff(tt.a, tt.b)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			diffCheck(t, tt.a, tt.b, got)
		})
	}

	t.Run("Random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		vocab := strings.Fields("the of and crime Azerbaijan trafficking is a groups organized")
		words := func() string {
			w := make([]string, rng.IntN(30))
			for i := range w {
				w[i] = vocab[rng.IntN(len(vocab))]
			}
			return strings.Join(w, " ")
		}
		for k := 0; k < 500; k++ {
			a, b := words(), words()
			got := WordDiff(a, b)
			diffCheck(t, a, b, got)
			// No longer common subsequence exists than the "=" words.
			same := 0
			for _, op := range got {
				if op.Op == "=" {
					same += len(strings.Fields(op.Text))
				}
			}
			if want := diffLCSLength(strings.Fields(a), strings.Fields(b)); same != want {
				t.Fatalf("%q -> %q: %d words kept, longest common subsequence is %d", a, b, same, want)
			}
		}
	})

	t.Run("Huge", func(t *testing.T) {
		// Past the table's size limit the middle is replaced whole.
		a := strings.Repeat("a ", 3000) + "x"
		b := "x " + strings.Repeat("b ", 3000)
		diffCheck(t, a, b, WordDiff(a, b))
	})
}

// diffLCSLength is the length of a longest common subsequence, by
// recursion with memo, independent of diffLCS.
func diffLCSLength(x, y []string) int {
	memo := map[[2]int]int{}
	var f func(i, j int) int
	f = func(i, j int) int {
		if i == len(x) || j == len(y) {
			return 0
		}
		if v, ok := memo[[2]int{i, j}]; ok {
			return v
		}
		v := max(f(i+1, j), f(i, j+1))
		if x[i] == y[j] {
			v = max(v, 1+f(i+1, j+1))
		}
		memo[[2]int{i, j}] = v
		return v
	}
	return f(0, 0)
}
