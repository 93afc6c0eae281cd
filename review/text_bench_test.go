package review

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// textBenchClaims is how many claims each benchmark iteration re-anchors.
const textBenchClaims = 1000

// textBenchEdition returns a normalised edition of about 15 KB: the seed report
// and a section of sentences made up from its words, so that no span of it
// is repeated by accident.
func textBenchEdition(tb testing.TB) Document {
	tb.Helper()
	raw := textSeedRaw(tb)
	vocab := strings.Fields(Normalize(raw).Text)
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
	d := Normalize(b.String())
	if len(d.Text) < 14500 || len(d.Text) > 16000 {
		tb.Fatalf("edition is %d bytes, want about 15 KB", len(d.Text))
	}
	return d
}

// textBenchAnchors returns textBenchClaims anchors of word-aligned spans of d of
// 100 to 400 bytes.
func textBenchAnchors(tb testing.TB, d Document) []Anchor {
	tb.Helper()
	words := anchorWordStarts(d.Text)
	rng := rand.New(rand.NewPCG(9, 10))
	var anchors []Anchor
	for len(anchors) < textBenchClaims {
		i := rng.IntN(len(words) - 1)
		want := 100 + rng.IntN(300)
		j := i + 1
		for j < len(words)-1 && words[j]-words[i] < want {
			j++
		}
		a, err := AnchorAt(d, words[i], words[j])
		if err != nil || strings.Contains(a.Exact, "\n") {
			continue
		}
		anchors = append(anchors, a)
	}
	return anchors
}

// textBenchEdit changes one or two words of each anchor's quote, so that it is
// no longer in the text and must be found approximately.
func textBenchEdit(tb testing.TB, d Document, anchors []Anchor) []Anchor {
	tb.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	edited := make([]Anchor, len(anchors))
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

// textBenchReport reports claims re-anchored per second, comparable across
// the Reanchor benchmarks.
func textBenchReport(b *testing.B) {
	b.ReportMetric(float64(textBenchClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
}

// BenchmarkReanchorBaseline is the floor: strings.Index of every quote.
func BenchmarkReanchorBaseline(b *testing.B) {
	d := textBenchEdition(b)
	anchors := textBenchAnchors(b, d)
	for b.Loop() {
		for _, a := range anchors {
			if strings.Index(d.Text, a.Exact) < 0 {
				b.Fatal("not found")
			}
		}
	}
	textBenchReport(b)
}

// BenchmarkReanchorExact re-anchors quotes that are all in the text word
// for word (an import of an edition that changed little).
func BenchmarkReanchorExact(b *testing.B) {
	d := textBenchEdition(b)
	anchors := textBenchAnchors(b, d)
	an := NewAnchorer(d)
	for b.Loop() {
		for _, a := range anchors {
			if m := an.Reanchor(a, d); m.Outcome != OutcomeUnchanged {
				b.Fatalf("%q: %s", a.Exact, m.Outcome)
			}
		}
	}
	textBenchReport(b)
}

// BenchmarkReanchorFuzzy re-anchors quotes each edited by a word or two, so
// that every one takes the approximate search.
func BenchmarkReanchorFuzzy(b *testing.B) {
	d := textBenchEdition(b)
	anchors := textBenchEdit(b, d, textBenchAnchors(b, d))
	an := NewAnchorer(d)
	changed := 0
	for _, a := range anchors {
		if an.Reanchor(a, d).Outcome == OutcomeChanged {
			changed++
		}
	}
	for b.Loop() {
		for _, a := range anchors {
			an.Reanchor(a, d)
		}
	}
	textBenchReport(b)
	b.ReportMetric(float64(changed)/textBenchClaims, "changed/claim")
}

func BenchmarkNewAnchorer(b *testing.B) {
	d := textBenchEdition(b)
	for b.Loop() {
		NewAnchorer(d)
	}
}

func BenchmarkNormalize(b *testing.B) {
	raw := textSeedRaw(b)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		Normalize(raw)
	}
}
