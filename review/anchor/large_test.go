package anchor

import (
	"fmt"
	"strings"
	"testing"

	"vetted/review"
	"vetted/review/text"
)

// TestLargeInputs runs inputs built to make anchoring slow (repeats,
// one-word texts, long non-Latin quotes, paragraph-long sentences) and
// checks their answers; each once took seconds to minutes, and now takes
// milliseconds (timing is not asserted).
func TestLargeInputs(t *testing.T) {
	t.Run("ManyIdenticalSentences", func(t *testing.T) {
		d := text.Normalize(strings.Repeat("Prison conditions are substandard in the north. ", 10000))
		a, err := At(d, 0, len("Prison conditions are substandard in the north."))
		if err != nil {
			t.Fatal(err)
		}
		if m := NewIndex(d).Align(d).Reanchor(a); m.Outcome != review.OutcomeUnchanged || m.Anchor != a {
			t.Errorf("got %s %+v, want unchanged at %+v", m.Outcome, m.Anchor, a)
		}
	})
	t.Run("QuoteFoundTooOften", func(t *testing.T) {
		d := text.Document{Text: strings.TrimSpace(strings.Repeat("a ", 2<<20))}
		_, err := Locate(d, strings.Repeat("a ", 512), "", "")
		if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), "longer passage") {
			t.Errorf("got %v, want an error asking for a longer passage", err)
		}
	})
	t.Run("LongCJKQuote", func(t *testing.T) {
		var b strings.Builder
		for i := 0; b.Len() < 100000; i++ {
			b.WriteRune(rune(0x4E00 + (i*7919)%5000))
			if i%40 == 39 {
				b.WriteString("。")
			}
		}
		s := b.String()
		old := text.Normalize(s)
		a, err := At(old, 0, len(old.Text))
		if err != nil {
			t.Fatal(err)
		}
		next := text.Normalize(s[:50001] + "变" + s[50004:])
		if m := NewIndex(next).Align(old).Reanchor(a); m.Outcome != review.OutcomeChanged {
			t.Errorf("got %s, want changed", m.Outcome)
		}
	})
	t.Run("PartialQuoteInLongSentence", func(t *testing.T) {
		var w []string
		for i := range 1200 {
			w = append(w, fmt.Sprintf("w%d", i))
		}
		old := text.Normalize(strings.Join(w, " ") + ".")
		q := strings.Join(w[600:630], " ")
		w[615] = "changed"
		next := text.Normalize(strings.Join(w, " ") + ".")
		a, err := Locate(old, q, "", "")
		if err != nil {
			t.Fatal(err)
		}
		m := NewIndex(next).Align(old).Reanchor(a)
		if want := strings.Join(w[600:630], " "); m.Outcome != review.OutcomeChanged || m.Anchor.Exact != want {
			t.Errorf("got %s %q, want changed %q", m.Outcome, m.Anchor.Exact, want)
		}
	})
	t.Run("OneWordText", func(t *testing.T) {
		d := text.Normalize(strings.Repeat("the ", 1<<18))
		a, err := At(d, 0, 4095)
		if err != nil {
			t.Fatal(err)
		}
		if m := NewIndex(d).Align(d).Reanchor(a); m.Outcome != review.OutcomeUnchanged {
			t.Errorf("got %s, want unchanged", m.Outcome)
		}
	})
}
