package anchor

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"vetted/review"
	"vetted/review/text"
)

// fuzzSeeds are the seed report and pieces of it with its quirks, for the
// fuzz corpora.
func fuzzSeeds(f *testing.F) []string {
	raw, err := os.ReadFile("../../testdata/azerbaijan-2021.txt")
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
		"GEORGIA ROUTE\n\nCustoms officers at the port of Poti accept bribes.\nGoods travel by rail.\n\nAZERBAIJAN ROUTE\n\nCustoms officers at the port of Baku accept bribes.\nGoods travel by road.",
		"AB\nCD\n\nfoo\x00bar\xff\tbaz",
		"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a",
	}
}

// fuzzSpan picks a word-aligned span of d.Text from two fuzzed numbers.
func fuzzSpan(d text.Document, i, n uint16) (review.Anchor, bool) {
	words := wordStarts(d.Text)
	if len(words) < 2 {
		return review.Anchor{}, false
	}
	first := int(i) % (len(words) - 1)
	last := first + 1 + int(n)%min(80, len(words)-1-first)
	end := len(strings.TrimRight(d.Text[:words[last]], " \n"))
	a, err := At(d, words[first], end)
	return a, err == nil
}

// occurrences counts where Locate may find a quote: its key's occurrences
// on whole words, or anywhere if there are none.
func occurrences(d text.Document, quote string) int {
	k := text.NewKey(d.Text)
	occ := findAll(k.Text, text.Fold(text.NormalizeQuote(quote)))
	for _, o := range findAll(k.Text, text.Fold(quote)) {
		if !slices.Contains(occ, o) {
			occ = append(occ, o)
		}
	}
	if w := wholeWords(k.Text, occ); len(w) > 0 {
		return len(w)
	}
	return len(occ)
}

func FuzzLocate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "organized crime", uint16(7), uint16(12))
	}
	f.Fuzz(func(t *testing.T, raw, quote string, i, n uint16) {
		d := text.Normalize(raw)
		// Any quote: an anchor or a user error, never a panic.
		if a, err := Locate(d, quote, quote, quote); err == nil {
			if d.Text[a.Start:a.End] != a.Exact || text.Fold(a.Exact) != text.Fold(text.NormalizeQuote(quote)) && text.Fold(a.Exact) != text.Fold(quote) {
				t.Fatalf("anchor %+v is not the text, or not the quote %q", a, quote)
			}
		} else if review.ErrorCode(err) != review.EINVALID {
			t.Fatalf("got %v, want EINVALID", err)
		}

		span, ok := fuzzSpan(d, i, n)
		if !ok {
			return
		}
		a, err := Locate(d, span.Exact, span.Prefix, span.Suffix)
		if err != nil {
			if review.ErrorCode(err) != review.EINVALID || occurrences(d, span.Exact) < 2 {
				t.Fatalf("Locate(%q): %v", span.Exact, err)
			}
			return
		}
		if d.Text[a.Start:a.End] != a.Exact || !text.Equal(a.Exact, span.Exact) {
			t.Fatalf("got %+v, want %+v", a, span)
		}
		if occurrences(d, span.Exact) == 1 && a.Exact == span.Exact && a != span {
			t.Fatalf("got %+v, want %+v", a, span)
		}
	})
}

// checkMatch checks what Reanchor promises of any match in next.
func checkMatch(t *testing.T, m Match, old review.Anchor, next text.Document) {
	t.Helper()
	switch m.Outcome {
	case review.OutcomeMissing:
		if m.Anchor != (review.Anchor{Section: old.Section}) || m.Similarity < 0 || m.Similarity >= ChangedThreshold || m.Diff != nil {
			t.Fatalf("missing: %+v", m)
		}
	case review.OutcomeUnchanged, review.OutcomeChanged:
		a := m.Anchor
		if a.Start < 0 || a.End > len(next.Text) || a.Start >= a.End || next.Text[a.Start:a.End] != a.Exact {
			t.Fatalf("anchor %+v is not the text", a)
		}
		k := text.NewKey(next.Text)
		if ks, ke := k.Offset(a.Start), k.Offset(a.End); !onBoundary(k.Text, ks) || !onBoundary(k.Text, ke) {
			t.Fatalf("anchor %q starts or ends inside a word", a.Exact)
		}
		if m.Outcome == review.OutcomeUnchanged && (m.Similarity != 1 || !text.Equal(a.Exact, old.Exact)) {
			t.Fatalf("unchanged, but %q is not %q", a.Exact, old.Exact)
		}
		if m.Outcome == review.OutcomeChanged && (m.Similarity <= 0 || m.Similarity > 1 || text.Equal(a.Exact, old.Exact)) {
			t.Fatalf("changed with similarity %v: %q → %q", m.Similarity, old.Exact, a.Exact)
		}
	default:
		t.Fatalf("outcome %q", m.Outcome)
	}
}

func FuzzReanchor(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, uint16(3), uint16(20), "inserted words ", uint16(100))
	}
	f.Fuzz(func(t *testing.T, raw string, i, n uint16, edit string, at uint16) {
		d := text.Normalize(raw)
		span, ok := fuzzSpan(d, i, n)
		if !ok {
			return
		}
		// Onto the same document: unchanged, where it was.
		got := NewIndex(d).Align(d).Reanchor(span)
		if got.Outcome != review.OutcomeUnchanged || got.Anchor != span {
			t.Fatalf("%q: got %s %+v, want %+v", span.Exact, got.Outcome, got.Anchor, span)
		}

		// Onto an edited document: anything, but consistent.
		pos := int(at) % (len(raw) + 1)
		next := text.Normalize(raw[:pos] + edit + raw[pos:])
		al := NewIndex(next).Align(d)
		checkMatch(t, al.Reanchor(span), span, next)

		// Any anchor at all.
		odd := review.Anchor{Exact: edit, Prefix: edit, Suffix: raw, Start: int(at) - 50, End: int(i), Section: edit}
		checkMatch(t, al.Reanchor(odd), odd, next)
	})
}

// FuzzAlign checks the alignment of two editions: beads in order, each unit
// in at most one, headings with headings, and an edition aligned with
// itself is all fixed points.
func FuzzAlign(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "A sentence added. ", uint16(300), uint16(40))
	}
	f.Fuzz(func(t *testing.T, raw, edit string, at, cut uint16) {
		old := text.Normalize(raw)
		if self := NewIndex(old).Align(old); len(self.beads) != len(self.units) {
			t.Fatalf("an edition aligned with itself: %d beads for %d units", len(self.beads), len(self.units))
		}
		pos := int(at) % (len(raw) + 1)
		end := min(len(raw), pos+int(cut)%64)
		next := text.Normalize(raw[:pos] + edit + raw[end:])
		al := NewIndex(next).Align(old)
		checkAlignment(t, al)
	})
}

func checkAlignment(t *testing.T, al *Alignment) {
	t.Helper()
	for i, b := range al.pair {
		if b >= 0 && (i < al.beads[b].old[0] || i >= al.beads[b].old[1]) {
			t.Fatalf("old unit %d points at bead %d %+v", i, b, al.beads[b])
		}
	}
	for j, b := range al.taken {
		if b >= 0 && (j < al.beads[b].new[0] || j >= al.beads[b].new[1]) {
			t.Fatalf("new unit %d points at bead %d %+v", j, b, al.beads[b])
		}
	}
	for _, b := range al.beads {
		if b.old[0] >= b.old[1] || b.new[0] >= b.new[1] || b.old[1]-b.old[0] > 2 || b.new[1]-b.new[0] > 2 {
			t.Fatalf("bead %+v", b)
		}
		if al.units[b.old[0]].heading != al.x.units[b.new[0]].heading {
			t.Fatalf("bead %+v pairs a heading with a sentence", b)
		}
	}
}

// TestAnchorProperties checks the fuzz targets' properties on short texts
// made of the pieces that matter, which random mutation rarely puts
// together.
func TestAnchorProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 43))
	pieces := []string{"a", "b", "A", "B", "AB", "CDE", " ", " ", "\n", "\n\n", "\f", "-", "–", ".", ",", ":", "’",
		"\u00ad", "\t", "\xff", "é", "x y", "e.g. ", "3.5", "organ\u00ad\nized", "South-\neastern", "RESILIENCE\n",
		"\n\nlower", " the ", "TRADE\nFor", "Overview\n", "A1. ", "ﬁ", "e\u0301", "\u200B", "Baku port. ", "Poti port. ",
		"Ganja ", "Ganjali "}
	n := 2000
	if testing.Short() {
		n = 200
	}
	for range n {
		var b strings.Builder
		for i := rng.IntN(40); i > 0; i-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := b.String()
		d := text.Normalize(raw)
		span, ok := fuzzSpan(d, uint16(rng.IntN(100)), uint16(rng.IntN(100)))
		if !ok {
			continue
		}
		if got := NewIndex(d).Align(d).Reanchor(span); got.Outcome != review.OutcomeUnchanged || got.Anchor != span {
			t.Fatalf("%q: %+v came back %s %+v", d.Text, span, got.Outcome, got.Anchor)
		}
		a, err := Locate(d, span.Exact, span.Prefix, span.Suffix)
		switch occ := occurrences(d, span.Exact); {
		case err != nil && occ < 2:
			t.Fatalf("%q: Locate(%+v): %v", d.Text, span, err)
		case err == nil && occ == 1 && a.Exact == span.Exact && a != span:
			t.Fatalf("%q: Locate(%+v) = %+v", d.Text, span, a)
		}
		var e strings.Builder
		for i := rng.IntN(6); i > 0; i-- {
			e.WriteString(pieces[rng.IntN(len(pieces))])
		}
		pos := rng.IntN(len(raw) + 1)
		next := text.Normalize(raw[:pos] + e.String() + raw[pos:])
		al := NewIndex(next).Align(d)
		checkAlignment(t, al)
		checkMatch(t, al.Reanchor(span), span, next)
	}
}
