package text

import (
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are the seed report, pieces of it with its quirks, and the
// shapes of real extractions, for the fuzz corpora.
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
		"AB\nCD\n\nfoo\x00bar\xff\tbaz",
		"Overview\n\nPower is concentrated.\n\nA. Electoral Process\n\nA1. Was the head of government elected?\n\nThe president is elected.\n\nSection 1. Life\n\na. Killings\n\n1.2 Scope\n\nText.",
		"the country is mostly a source and transit point for irregular\n\n4\n\nGLOBAL ORGANIZED CRIME INDEX 2023\n\nmigration. Azerbaijani nationals",
		"Report 2023\nText one.\n1\f Report 2023\nText two goes\non here.\n2\fReport 2023\nMore.\n3",
		"ﬁnancial ﬂows Cigánska well or\n\u00AD\nganised traf\u200Bficking 12\u202F400",
		"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a",
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		d := Normalize(raw)
		checkDoc(t, d)
		d2 := Normalize(d.Text)
		if d2.Text != d.Text {
			t.Fatalf("not idempotent:\n%q\n%q", d.Text, d2.Text)
		}
		if !slices.Equal(d.Sections, d2.Sections) {
			t.Fatalf("sections not idempotent: %v, %v", d.Sections, d2.Sections)
		}
		for _, s := range d.Sentences() {
			if s.Start < 0 || s.End > len(d.Text) || s.Start >= s.End {
				t.Fatalf("sentence [%d,%d) out of range", s.Start, s.End)
			}
		}
		q := NormalizeQuote(raw)
		if !utf8.ValidString(q) || NormalizeQuote(q) != q {
			t.Fatalf("NormalizeQuote not idempotent: %q", q)
		}
	})
}

// FuzzKey checks the match key's offset map round trip: every key span maps
// to a span of the text whose own key holds it (equals it, on the
// boundaries of the normalisation).
func FuzzKey(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s[:min(len(s), 600)])
	}
	f.Add("ﬃ ½ ＡＢ e\u0301\u0323 a-\u00ADb -- x\u200D\u0301")
	f.Add("\xef\xacA\u200d\u0301 d\u00B4Ivoire \u2033")
	f.Fuzz(func(t *testing.T, s string) {
		k := NewKey(s)
		if !utf8.ValidString(k.Text) || strings.TrimSpace(k.Text) != k.Text || strings.Contains(k.Text, "  ") {
			t.Fatalf("key %q: invalid, or with spaces at its ends or doubled", k.Text)
		}
		if Fold(k.Text) != k.Text {
			t.Fatalf("Fold not idempotent: %q → %q", k.Text, Fold(k.Text))
		}
		checkKey(t, s, k)
	})
}

// TestTextProperties checks the fuzz targets' properties on short texts
// made of the pieces that matter to the normaliser, which random byte
// mutation of the seed rarely puts together.
func TestTextProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(42, 43))
	pieces := []string{"a", "b", "A", "B", "AB", "CDE", " ", " ", "\n", "\n\n", "\f", "-", "–", ".", ",", ":", "’",
		"\u00ad", "\r", "\t", "\x00", "\xff", "é", "É", "x y", "e.g. ", "U.S. ", "3.5", "organ\u00ad\nized",
		"South-\neastern", "RESILIENCE\n", "\n\nlower", " the ", "TRADE\nFor", "Overview\n", "A1. ", "Section 2. ",
		"a. ", "4\n", "Page 3\n", "ﬁ", "e\u0301", "\u200B", "\u2060", "?", "\n\f\n12\n\n", "(a) ", "Key Developments\n"}
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("VETTED_PROPERTY_N")); err == nil {
		n = v
	}
	if testing.Short() {
		n = 300
	}
	for range n {
		var b strings.Builder
		for i := rng.IntN(40); i > 0; i-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := b.String()
		d := Normalize(raw)
		checkDoc(t, d)
		if d2 := Normalize(d.Text); d2.Text != d.Text || !slices.Equal(d.Sections, d2.Sections) {
			t.Fatalf("%q: not idempotent: %q, %q", raw, d.Text, d2.Text)
		}
		if q := NormalizeQuote(raw); NormalizeQuote(q) != q {
			t.Fatalf("%q: NormalizeQuote not idempotent: %q", raw, q)
		}
		checkKey(t, raw, NewKey(raw))
	}
}
