package review

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// textFuzzSeeds are the seed report and pieces of it with its quirks, for
// the fuzz corpora.
func textFuzzSeeds(f *testing.F) []string {
	raw, err := os.ReadFile("../testdata/azerbaijan-2021.txt")
	if err != nil {
		f.Fatal(err)
	}
	s := string(raw)
	return []string{
		s,
		s[:2000],
		strings.ReplaceAll(s[3000:5000], "\n", "\r\n"),
		"\uFEFF PEOPLE\nHuman trafficking in Azerbaijan generally takes the form \nof sexual exploitation. Along with \n\nenabling the bribery\f of officials, South-\neastern Azerbaijan–\nArmenia.",
		"RESILIENCE\nLEADERSHIP AND GOVERNANCE\nText.\n\nCRIMINAL JUSTICE\nMore text.",
		"AB\nCD\n\nfoo\x00bar\xff\tbaz",
		"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a",
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range textFuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d := Normalize(raw)
		textCheckDoc(t, d)
		d2 := Normalize(d.Text)
		if d2.Text != d.Text {
			t.Fatalf("not idempotent:\n%q\n%q", d.Text, d2.Text)
		}
		if len(d2.Sections) != len(d.Sections) {
			t.Fatalf("sections not idempotent: %v, %v", d.Sections, d2.Sections)
		}
		for i := range d.Sections {
			if d.Sections[i] != d2.Sections[i] {
				t.Fatalf("section %d not idempotent: %+v, %+v", i, d.Sections[i], d2.Sections[i])
			}
		}
		for _, s := range Sentences(d) {
			if s.Start < 0 || s.End > len(d.Text) || s.Start >= s.End || d.Text[s.Start:s.End] != s.Text {
				t.Fatalf("sentence [%d,%d) %q out of range", s.Start, s.End, s.Text)
			}
		}
		q := NormalizeQuote(raw)
		if !utf8.ValidString(q) || NormalizeQuote(q) != q {
			t.Fatalf("NormalizeQuote not idempotent: %q", q)
		}
	})
}

// textFuzzSpan picks a word-aligned span of d.Text from two fuzzed numbers.
func textFuzzSpan(d Document, i, n uint16) (Anchor, bool) {
	words := anchorWordStarts(d.Text)
	if len(words) < 2 {
		return Anchor{}, false
	}
	first := int(i) % (len(words) - 1)
	last := first + 1 + int(n)%min(80, len(words)-1-first)
	end := len(strings.TrimRight(d.Text[:words[last]], " \n"))
	a, err := AnchorAt(d, words[first], end)
	return a, err == nil
}

func FuzzLocate(f *testing.F) {
	for _, s := range textFuzzSeeds(f) {
		f.Add(s, "organized crime", uint16(7), uint16(12))
	}
	f.Fuzz(func(t *testing.T, raw, quote string, i, n uint16) {
		d := Normalize(raw)
		// Any quote: an anchor or a user error, never a panic.
		if a, err := Locate(d, quote, quote, quote); err == nil {
			if d.Text[a.Start:a.End] != a.Exact {
				t.Fatalf("anchor %+v is not the text", a)
			}
		} else if ErrorCode(err) != EINVALID {
			t.Fatalf("got %v, want EINVALID", err)
		}

		span, ok := textFuzzSpan(d, i, n)
		if !ok {
			return
		}
		a, err := Locate(d, span.Exact, span.Prefix, span.Suffix)
		if err != nil {
			if ErrorCode(err) != EINVALID || len(anchorFindQuote(d.Text, NormalizeQuote(span.Exact), span.Exact)) < 2 {
				t.Fatalf("Locate(%q): %v", span.Exact, err)
			}
			return
		}
		if a.Exact != span.Exact || d.Text[a.Start:a.End] != a.Exact {
			t.Fatalf("got %+v, want %+v", a, span)
		}
		if len(anchorFindQuote(d.Text, NormalizeQuote(span.Exact), span.Exact)) == 1 && a != span {
			t.Fatalf("got %+v, want %+v", a, span)
		}
	})
}

func FuzzReanchor(f *testing.F) {
	for _, s := range textFuzzSeeds(f) {
		f.Add(s, uint16(3), uint16(20), "inserted words ", uint16(100))
	}
	f.Fuzz(func(t *testing.T, raw string, i, n uint16, edit string, at uint16) {
		d := Normalize(raw)
		a := NewAnchorer(d)
		span, ok := textFuzzSpan(d, i, n)
		if !ok {
			return
		}
		// Onto the same document: unchanged, where it was.
		got := a.Reanchor(span, d)
		if got.Outcome != OutcomeUnchanged || got.Anchor.Exact != span.Exact {
			t.Fatalf("%q: got %s %+v", span.Exact, got.Outcome, got.Anchor)
		}
		if got.Anchor != span {
			t.Fatalf("%q: got %+v, want %+v", span.Exact, got.Anchor, span)
		}

		// Onto an edited document: anything, but consistent.
		pos := int(at) % (len(raw) + 1)
		next := Normalize(raw[:pos] + edit + raw[pos:])
		m := NewAnchorer(next).Reanchor(span, d)
		switch m.Outcome {
		case OutcomeMissing:
			if m.Anchor != (Anchor{}) || m.Similarity < 0 || m.Similarity >= ChangedThreshold {
				t.Fatalf("missing: %+v", m)
			}
		case OutcomeUnchanged, OutcomeChanged:
			if m.Anchor.Start < 0 || m.Anchor.End > len(next.Text) || next.Text[m.Anchor.Start:m.Anchor.End] != m.Anchor.Exact || m.Anchor.Exact == "" {
				t.Fatalf("anchor %+v is not the text", m.Anchor)
			}
			if m.Outcome == OutcomeChanged {
				if m.Similarity < ChangedThreshold || m.Similarity > 1 {
					t.Fatalf("changed with similarity %v", m.Similarity)
				}
				diffCheck(t, span.Exact, m.Anchor.Exact, m.Diff)
			}
		default:
			t.Fatalf("outcome %q", m.Outcome)
		}

		// Any anchor at all.
		a.Reanchor(Anchor{Exact: edit, Prefix: edit, Suffix: raw, Start: int(at) - 50, End: int(i), Section: edit}, next)
	})
}

func FuzzWordDiff(f *testing.F) {
	f.Add("Filipino women are reportedly vulnerable to domestic servitude.", "Filipino women are highly vulnerable to domestic servitude.")
	f.Add("", "a b")
	f.Add("one two three", "two three one")
	f.Fuzz(func(t *testing.T, a, b string) {
		diffCheck(t, a, b, WordDiff(a, b))
	})
}

// TestTextProperties checks the fuzz targets' properties on short texts
// made of the pieces that matter to the normaliser, which random byte
// mutation of the seed rarely puts together. It found the quotes of
// TestLocate/Loose.
func TestTextProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 43))
	pieces := []string{"a", "b", "A", "B", "AB", "CDE", " ", " ", "\n", "\n\n", "\f", "-", "–", ".", ",", ":", "’",
		"\u00ad", "\r", "\t", "\x00", "\xff", "é", "É", "x y", "e.g. ", "U.S. ", "3.5", "organ\u00ad\nized",
		"South-\neastern", "RESILIENCE\n", "\n\nlower", " the ", "TRADE\nFor"}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for k := 0; k < n; k++ {
		var b strings.Builder
		for i := rng.IntN(40); i > 0; i-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := b.String()
		d := Normalize(raw)
		textCheckDoc(t, d)
		if d2 := Normalize(d.Text); d2.Text != d.Text || !slices.Equal(d.Sections, d2.Sections) {
			t.Fatalf("%q: not idempotent: %q, %q", raw, d.Text, d2.Text)
		}
		if q := NormalizeQuote(raw); NormalizeQuote(q) != q {
			t.Fatalf("%q: NormalizeQuote not idempotent: %q", raw, q)
		}
		span, ok := textFuzzSpan(d, uint16(rng.IntN(100)), uint16(rng.IntN(100)))
		if !ok {
			continue
		}
		if got := NewAnchorer(d).Reanchor(span, d); got.Outcome != OutcomeUnchanged || got.Anchor != span {
			t.Fatalf("%q: %+v came back %s %+v", d.Text, span, got.Outcome, got.Anchor)
		}
		a, err := Locate(d, span.Exact, span.Prefix, span.Suffix)
		occurrences := len(anchorFindQuote(d.Text, NormalizeQuote(span.Exact), span.Exact))
		switch {
		case err != nil && occurrences < 2:
			t.Fatalf("%q: Locate(%+v): %v", d.Text, span, err)
		case err == nil && occurrences == 1 && a != span:
			t.Fatalf("%q: Locate(%+v) = %+v", d.Text, span, a)
		}
	}
}
