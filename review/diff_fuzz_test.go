package review

import (
	"os"
	"testing"
)

// seedText returns the seed report as extracted from the PDF.
func seedText(tb testing.TB) string {
	tb.Helper()
	raw, err := os.ReadFile("../testdata/azerbaijan-2021.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

func FuzzWordDiff(f *testing.F) {
	f.Add("Filipino women are reportedly vulnerable to domestic servitude.", "Filipino women are highly vulnerable to domestic servitude.")
	f.Add("", "a b")
	f.Add("one two three", "two three one")
	f.Fuzz(func(t *testing.T, a, b string) {
		diffCheck(t, a, b, WordDiff(a, b))
	})
}
