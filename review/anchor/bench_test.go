package anchor

import (
	"math/rand/v2"
	"strings"
	"testing"

	"vetted/review"
	"vetted/review/text"
)

// benchClaims is how many claims each benchmark iteration re-anchors.
const benchClaims = 1000

// benchEdition returns a normalised edition of about 15 KB: the seed report
// and a section of sentences made up from its words, so that no span of it
// is repeated by accident.
func benchEdition(tb testing.TB) text.Document {
	tb.Helper()
	raw := seedRaw(tb)
	vocab := strings.Fields(text.Normalize(raw).Text)
	rng := rand.New(rand.NewPCG(7, 8))
	var b strings.Builder
	b.WriteString(raw)
	b.WriteString("\n\nANNEX\n")
	for b.Len() < 15000 {
		n := 8 + rng.IntN(20)
		for i := 0; i < n; i++ {
			b.WriteString(strings.Trim(vocab[rng.IntN(len(vocab))], ".,:;"))
			b.WriteByte(' ')
		}
		b.WriteString("done.\n")
	}
	d := text.Normalize(b.String())
	if len(d.Text) < 14500 || len(d.Text) > 16000 {
		tb.Fatalf("edition is %d bytes, want about 15 KB", len(d.Text))
	}
	return d
}

// benchAnchors returns benchClaims anchors of word-aligned spans of d of
// 100 to 400 bytes.
func benchAnchors(tb testing.TB, d text.Document) []review.Anchor {
	tb.Helper()
	words := wordStarts(d.Text)
	rng := rand.New(rand.NewPCG(9, 10))
	var anchors []review.Anchor
	for len(anchors) < benchClaims {
		i := rng.IntN(len(words) - 1)
		want := 100 + rng.IntN(300)
		j := i + 1
		for j < len(words)-1 && words[j]-words[i] < want {
			j++
		}
		a, err := At(d, words[i], words[j])
		if err != nil || strings.Contains(a.Exact, "\n") {
			continue
		}
		anchors = append(anchors, a)
	}
	return anchors
}

// benchEdit changes one or two words of each anchor's quote, so that it is
// no longer in the text and must be found approximately.
func benchEdit(tb testing.TB, d text.Document, anchors []review.Anchor) []review.Anchor {
	tb.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	edited := make([]review.Anchor, len(anchors))
	for k, a := range anchors {
		w := strings.Fields(a.Exact)
		for e := 0; e < 1+k%2; e++ {
			i := rng.IntN(len(w))
			w[i] = "changed" + w[i][len(w[i])/2:]
		}
		a.Exact = strings.Join(w, " ")
		if strings.Contains(d.Text, a.Exact) {
			tb.Fatalf("edited quote %q is still in the text", a.Exact)
		}
		edited[k] = a
	}
	return edited
}

// benchReport reports claims re-anchored per second, comparable across
// the Reanchor benchmarks.
func benchReport(b *testing.B) {
	b.ReportMetric(float64(benchClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
}

// BenchmarkReanchorBaseline is the floor: strings.Index of every quote.
func BenchmarkReanchorBaseline(b *testing.B) {
	d := benchEdition(b)
	anchors := benchAnchors(b, d)
	for b.Loop() {
		for _, a := range anchors {
			if strings.Index(d.Text, a.Exact) < 0 {
				b.Fatal("not found")
			}
		}
	}
	benchReport(b)
}

// BenchmarkReanchorExact re-anchors quotes that are all in the text word
// for word (an import of an edition that changed little).
func BenchmarkReanchorExact(b *testing.B) {
	d := benchEdition(b)
	anchors := benchAnchors(b, d)
	an := NewIndex(d).Align(d)
	for b.Loop() {
		for _, a := range anchors {
			if m := an.Reanchor(a); m.Outcome != review.OutcomeUnchanged {
				b.Fatalf("%q: %s", a.Exact, m.Outcome)
			}
		}
	}
	benchReport(b)
}

// BenchmarkReanchorFuzzy re-anchors quotes each edited by a word or two, so
// that every one takes the approximate search.
func BenchmarkReanchorFuzzy(b *testing.B) {
	d := benchEdition(b)
	anchors := benchEdit(b, d, benchAnchors(b, d))
	an := NewIndex(d).Align(d)
	changed := 0
	for _, a := range anchors {
		if an.Reanchor(a).Outcome == review.OutcomeChanged {
			changed++
		}
	}
	for b.Loop() {
		for _, a := range anchors {
			an.Reanchor(a)
		}
	}
	benchReport(b)
	b.ReportMetric(float64(changed)/benchClaims, "changed/claim")
}

func BenchmarkNewIndex(b *testing.B) {
	d := benchEdition(b)
	for b.Loop() {
		NewIndex(d)
	}
}

// BenchmarkAlign aligns the seed report with a second edition of it (see
// secondEdition): done once per earlier edition an import carries claims
// from.
func BenchmarkAlign(b *testing.B) {
	old := seedDoc(b)
	x := NewIndex(text.Normalize(secondEdition(b)))
	for b.Loop() {
		x.Align(old)
	}
}

func BenchmarkNormalize(b *testing.B) {
	raw := seedRaw(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		text.Normalize(raw)
	}
}
