package anchor

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"vetted/review"
	"vetted/review/text"
)

// levenshtein is the textbook dynamic programme, to check the
// bit-parallel one against.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// bestSubstring is the least distance of a to any substring of b, by
// brute force.
func bestSubstring(a, b []rune) int {
	best := len(a)
	for i := 0; i <= len(b); i++ {
		for j := i; j <= len(b); j++ {
			best = min(best, levenshtein(a, b[i:j]))
		}
	}
	return best
}

func TestAnchorPattern(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab c’é")
	randomRunes := func(n int) []rune {
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return r
	}
	t.Run("Distance", func(t *testing.T) {
		for _, n := range []int{1, 2, 63, 64, 65, 127, 128, 129, 200} {
			for k := 0; k < 20; k++ {
				a, b := randomRunes(n), randomRunes(rng.IntN(2*n+2))
				var p pattern
				p.init(a)
				if got, want := p.distance(b), levenshtein(a, b); got != want {
					t.Fatalf("len %d/%d: got %d, want %d", len(a), len(b), got, want)
				}
			}
		}
	})
	t.Run("BestEnd", func(t *testing.T) {
		for _, n := range []int{1, 5, 64, 70} {
			for k := 0; k < 10; k++ {
				a, b := randomRunes(n), randomRunes(rng.IntN(n+8))
				var p pattern
				p.init(a)
				dist, end := p.bestEnd(b)
				if want := bestSubstring(a, b); dist != want {
					t.Fatalf("len %d/%d: got %d, want %d", len(a), len(b), dist, want)
				}
				// The reverse pass finds a start giving that distance.
				rev := make([]rune, len(a))
				for i, r := range a {
					rev[len(a)-1-i] = r
				}
				var rp pattern
				rp.init(rev)
				_, k := rp.bestStartReverse(b[:end])
				start := end - k
				if got := levenshtein(a, b[start:end]); got != dist {
					t.Fatalf("span [%d,%d) has distance %d, want %d", start, end, got, dist)
				}
			}
		}
	})
}

func TestLocate(t *testing.T) {
	d := seedDoc(t)
	t.Run("OK", func(t *testing.T) {
		quote := "Opium enters Azerbaijan primarily through the country’s southern border with Iran"
		got, err := Locate(d, quote, "", "")
		if err != nil {
			t.Fatal(err)
		}
		start := strings.Index(d.Text, quote)
		want := review.Anchor{
			Exact:   quote,
			Prefix:  "ghanistan to Russia and the EU. ",
			Suffix:  " and some of it is processed for",
			Start:   start,
			End:     start + len(quote),
			Section: "DRUGS",
		}
		if got != want {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
		if n := utf8.RuneCountInString(got.Suffix); n != 32 {
			t.Errorf("suffix has %d runes, want 32", n)
		}
	})
	t.Run("MultibyteContext", func(t *testing.T) {
		// The prefix and suffix hold 32 runes, not bytes: "’" and "–" are
		// three bytes each.
		quote := "mountainous terrain"
		got, err := Locate(d, quote, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := "IP AND GOVERNANCE\n\nAzerbaijan’s "; got.Prefix != want {
			t.Errorf("prefix: got %q, want %q", got.Prefix, want)
		}
		if n := utf8.RuneCountInString(got.Prefix); n != 32 || len(got.Prefix) == 32 {
			t.Errorf("prefix: %d runes in %d bytes, want 32 runes in more bytes", n, len(got.Prefix))
		}
		got, err = Locate(d, "borderlands an international hub", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := "Karabakh conflict makes the Azerbaijan–Armenia "; !strings.HasSuffix(want, got.Prefix) || utf8.RuneCountInString(got.Prefix) != 32 {
			t.Errorf("prefix: got %q", got.Prefix)
		}
		if got.Section != "LEADERSHIP AND GOVERNANCE" {
			t.Errorf("section: got %q", got.Section)
		}
	})
	t.Run("PastedFromPDF", func(t *testing.T) {
		quote := "Foreign \nnationals from across the Middle East, Central and South-\neastern Asia, on the other hand,  are smuggled"
		got, err := Locate(d, quote, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := "Foreign nationals from across the Middle East, Central and South-eastern Asia, on the other hand, are smuggled"; got.Exact != want {
			t.Errorf("got %q, want %q", got.Exact, want)
		}
		if d.Text[got.Start:got.End] != got.Exact || got.Section != "PEOPLE" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("PageBreakPastedAsSpace", func(t *testing.T) {
		// A quote over a paragraph break, pasted with a space for it.
		got, err := Locate(d, "is very limited. Cannabis is grown locally", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if want := "is very limited.\n\nCannabis is grown locally"; got.Exact != want {
			t.Errorf("got %q, want %q", got.Exact, want)
		}
	})
	t.Run("Loose", func(t *testing.T) {
		// Quotes that line joining alone would get wrong, found by fuzzing.
		for _, tt := range []struct {
			name, text, quote, suffix, want string
		}{
			{"HeadingInQuote", "Text.\nTRADE\nfor the past decades.", "TRADE\nfor the past", "", "TRADE\n\nfor the past"},
			{"SoftHyphenDropped", "Text y\u00ad\n\n,ABC def", "y\u00ad\n\n,ABC", "", "y\n\n,ABC"},
			{"SoftHyphenJoined", "organ\u00ad\nized crime", "organ\u00ad\n\nized crime", "", "organized crime"},
			{"HeadingOrNot", "Why RESILIENCE the x.\n\nRESILIENCE\n\nthe y", "RESILIENCE\nthe", "y", "RESILIENCE\n\nthe"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := text.Normalize(tt.text)
				got, err := Locate(d, tt.quote, "", tt.suffix)
				if err != nil {
					t.Fatal(err)
				}
				if got.Exact != tt.want || d.Text[got.Start:got.End] != got.Exact {
					t.Errorf("got %+v, want %q", got, tt.want)
				}
			})
		}
		d := text.Normalize("Why RESILIENCE the x.\n\nRESILIENCE\n\nthe y")
		if _, err := Locate(d, "RESILIENCE\nthe", "", ""); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("a quote whose words occur twice, with different white space: got %v, want ambiguous", err)
		}
	})
	t.Run("Ambiguous", func(t *testing.T) {
		quote := "organized crime"
		_, err := Locate(d, quote, "", "")
		if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "quote" || !strings.Contains(review.ErrorMessage(err), "ambiguous") {
			t.Fatalf("got %v, want review.EINVALID ambiguous on quote", err)
		}
		for _, tt := range []struct {
			name, prefix, suffix string
			want                 string // text just before the quote
		}{
			{"Prefix", "the main directorate for combatting", "", "the main directorate for combatting "},
			{"Suffix", "", "groups, are involved.", "rather than "},
			{"Both", "rather than", "groups", "rather than "},
			{"PrefixPastedFromPDF", "mostly locals, \nrather  than", "", "mostly locals, rather than "},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := Locate(d, quote, tt.prefix, tt.suffix)
				if err != nil {
					t.Fatal(err)
				}
				if got.Exact != quote || !strings.HasSuffix(d.Text[:got.Start], tt.want) {
					t.Errorf("got %+v, want after %q", got, tt.want)
				}
			})
		}
	})
	t.Run("AmbiguousEvenWithPrefix", func(t *testing.T) {
		_, err := Locate(d, "organized crime", "", "groups")
		if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), "ambiguous") {
			t.Fatalf("got %v, want review.EINVALID ambiguous", err)
		}
	})
	t.Run("PrefixMatchesNone", func(t *testing.T) {
		_, err := Locate(d, "organized crime", "no such words", "")
		if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "quote" {
			t.Fatalf("got %v, want review.EINVALID on quote", err)
		}
	})
	t.Run("UniqueIgnoresPrefix", func(t *testing.T) {
		if _, err := Locate(d, "Cigánska mafia", "wrong", "words"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := Locate(d, "Azerbaijan is a major exporter of caviar to Japan.", "", "")
		if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "quote" || !strings.Contains(review.ErrorMessage(err), "does not occur") {
			t.Fatalf("got %v, want review.EINVALID not found", err)
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		for _, q := range []string{"", "  \n\t "} {
			_, err := Locate(d, q, "", "")
			if review.ErrorCode(err) != review.EINVALID || review.ErrorField(err) != "quote" {
				t.Errorf("%q: got %v, want review.EINVALID on quote", q, err)
			}
		}
	})
	t.Run("EmptyDocument", func(t *testing.T) {
		if _, err := Locate(text.Document{}, "anything", "", ""); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("got %v, want review.EINVALID", err)
		}
	})
}

func TestAnchorAt(t *testing.T) {
	d := seedDoc(t)
	i := strings.Index(d.Text, "Cigánska mafia")
	t.Run("OK", func(t *testing.T) {
		got, err := At(d, i, i+len("Cigánska mafia"))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Locate(d, "Cigánska mafia", "", "")
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	})
	t.Run("TrimsWhiteSpace", func(t *testing.T) {
		got, err := At(d, i-1, i+len("Cigánska mafia")+1)
		if err != nil {
			t.Fatal(err)
		}
		if got.Exact != "Cigánska mafia," || got.Start != i {
			// i-1 is the space before, i+len+1 takes the comma.
			t.Errorf("got %q at %d, want %q at %d", got.Exact, got.Start, "Cigánska mafia,", i)
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, tt := range []struct {
			name       string
			start, end int
		}{
			{"Negative", -1, 5},
			{"PastEnd", 0, len(d.Text) + 1},
			{"Empty", 5, 5},
			{"Reversed", 6, 5},
			{"SplitsRune", i + len("Cig") + 1, i + 10},
			{"SplitsRuneAtEnd", i, i + len("Cig") + 1},
			{"OnlySpace", strings.Index(d.Text, " "), strings.Index(d.Text, " ") + 1},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := At(d, tt.start, tt.end); review.ErrorCode(err) != review.EINVALID {
					t.Errorf("got %v, want review.EINVALID", err)
				}
			})
		}
	})
}

// replaceOnce replaces the only occurrence of old in s.
func replaceOnce(tb testing.TB, s, old, new string) string {
	tb.Helper()
	if n := strings.Count(s, old); n != 1 {
		tb.Fatalf("%q occurs %d times, want once", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// rewrap re-wraps the lines of raw from the line starting with first
// to the line ending with last at a new width, with a trailing space on
// every line as the extraction has.
func rewrap(tb testing.TB, raw, first, last string, width int) string {
	tb.Helper()
	i := strings.Index(raw, first)
	j := strings.Index(raw, last)
	if i < 0 || j < i {
		tb.Fatalf("cannot find %q ... %q", first, last)
	}
	j += len(last)
	var b strings.Builder
	line := 0
	for _, w := range strings.Fields(raw[i:j]) {
		if line > 0 && line+1+len(w) > width {
			b.WriteString(" \n")
			line = 0
		} else if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	return raw[:i] + b.String() + raw[j:]
}

// secondEdition is the seed report as a later edition might print
// it: a paragraph added at the top, words edited, a sentence deleted and
// another reworded, two paragraphs swapped, a paragraph re-wrapped, page
// breaks inside sentences, and sentences repeated in other sections.
func secondEdition(tb testing.TB) string {
	tb.Helper()
	raw := seedRaw(tb)
	// Every offset after the first heading shifts.
	raw = replaceOnce(tb, raw, " PEOPLE\n", " PEOPLE\nThis edition was updated in 2023 with new \nsources.\n\n")
	// A word edited.
	raw = replaceOnce(tb, raw, "Filipino \nwomen are reportedly vulnerable", "Filipino \nwomen are highly vulnerable")
	// A sentence deleted.
	raw = replaceOnce(tb, raw, "consumption. A \nsignificant domestic demand exists in Azerbaijan. Beyond \n", "consumption. Beyond \n")
	// A sentence reworded throughout.
	raw = replaceOnce(tb, raw, "Yet, political leadership \ndoes not demonstrate a real will to combat organized \ncrime.",
		"Yet, the country’s political leaders \nhave shown little genuine commitment to fighting organised \ncrime.")
	// The two paragraphs of DRUGS swapped.
	p1 := raw[strings.Index(raw, "Azerbaijan appears to be") : strings.Index(raw, "very limited.")+len("very limited.")]
	p2 := raw[strings.Index(raw, "Cannabis is grown locally") : strings.Index(raw, "has been observed.")+len("has been observed.")]
	raw = replaceOnce(tb, raw, p1+"\n\n"+p2, p2+"\n\n"+p1)
	// A paragraph re-wrapped at another width.
	raw = rewrap(tb, raw, "Given the ubiquity of corruption", "secure its borders against organized crime.", 47)
	// A page break inside a sentence, before a word in lower case: the
	// paragraph goes on.
	raw = replaceOnce(tb, raw, "Notably, mostly locals, \nrather", "Notably, mostly locals,\f\nrather")
	// A page break before a capital: the paragraph is split in two.
	raw = replaceOnce(tb, raw, "President Ilham Aliyev", "President Ilham\fAliyev")
	// A claimed sentence repeated word for word in an earlier section.
	raw = replaceOnce(tb, raw, "than clandestine border-crossing strategies.", "than clandestine border-crossing strategies. Azerbaijan \nhosts a large illicit caviar trade.")
	// A sentence edited, and its old wording repeated in another section.
	raw = replaceOnce(tb, raw, "financing in Azerbaijan is relatively high.", "financing in Azerbaijan is very high.")
	raw = replaceOnce(tb, raw, "The media situation in the country is \ndire.", "The media situation in the country is \ndire. Thus, risk of money laundering and terrorist financing in Azerbaijan is relatively high.")
	// A near copy of a claimed sentence in an earlier section.
	raw = replaceOnce(tb, raw, "could possibly nurture an illicit market.", "could possibly nurture an illicit market. Limited information points towards the existence of a single mafia-style group, which allegedly has a small membership.")
	// More words edited in one sentence.
	raw = replaceOnce(tb, raw, "Many organized crime \ngroups in Azerbaijan take advantage of the lax commercial",
		"Many organized crime \ngroups in Azerbaijan exploit the poorly policed commercial")
	return raw
}

func TestReanchor(t *testing.T) {
	old := seedDoc(t)
	next := text.Normalize(secondEdition(t))
	a := NewIndex(next).Align(old)

	for _, tt := range []struct {
		name    string
		quote   string // as pasted, on the first edition
		outcome review.Outcome
		section string
		exact   string // new Exact; "" means the old one (unchanged)
		diff    []review.DiffOp
	}{
		{name: "WordEdited", quote: "Filipino women are reportedly vulnerable to domestic servitude.", outcome: review.OutcomeChanged, section: "PEOPLE",
			exact: "Filipino women are highly vulnerable to domestic servitude.",
			diff:  []review.DiffOp{{Op: "=", Text: "Filipino women are"}, {Op: "-", Text: "reportedly"}, {Op: "+", Text: "highly"}, {Op: "=", Text: "vulnerable to domestic servitude."}}},
		{name: "WordsEdited", quote: "Many organized crime groups in Azerbaijan take advantage of the lax commercial transportation system in the region", outcome: review.OutcomeChanged, section: "ENVIRONMENT",
			exact: "Many organized crime groups in Azerbaijan exploit the poorly policed commercial transportation system in the region",
			diff: []review.DiffOp{{Op: "=", Text: "Many organized crime groups in Azerbaijan"}, {Op: "-", Text: "take advantage of"}, {Op: "+", Text: "exploit"}, {Op: "=", Text: "the"},
				{Op: "-", Text: "lax"}, {Op: "+", Text: "poorly policed"}, {Op: "=", Text: "commercial transportation system in the region"}}},
		{name: "Deleted", quote: "A significant domestic demand exists in Azerbaijan.", outcome: review.OutcomeMissing},
		{name: "Reworded", quote: "Yet, political leadership does not demonstrate a real will to combat organized crime.", outcome: review.OutcomeMissing},
		{name: "ParagraphMovedUp", quote: "Cannabis is grown locally to supply the domestic demand, but the drug has been exported abroad as well.", outcome: review.OutcomeUnchanged, section: "DRUGS"},
		{name: "ParagraphMovedDown", quote: "Azerbaijan appears to be the main transit point for heroin and opium trafficked from Iran and Afghanistan to Russia and the EU.", outcome: review.OutcomeUnchanged, section: "DRUGS"},
		{name: "Rewrapped", quote: "First responders fail to follow standard \noperating procedures or to identify victims of trafficking, \nthereby limiting their own investigative capacities and \ntheir ability to assist victims.", outcome: review.OutcomeUnchanged, section: "CRIMINAL JUSTICE AND SECURITY"},
		{name: "PageBreakInSentence", quote: "Notably, mostly locals, rather than organized crime groups, are involved.", outcome: review.OutcomeUnchanged, section: "ENVIRONMENT"},
		{name: "PageBreakBeforeCapital", quote: "The dominant network, controlled by President Ilham Aliyev and his family, is engaged in political corruption", outcome: review.OutcomeUnchanged, section: "CRIMINAL ACTORS",
			exact: "The dominant network, controlled by President Ilham\n\nAliyev and his family, is engaged in political corruption"},
		{name: "RepeatedElsewhere", quote: "Azerbaijan hosts a large illicit caviar trade.", outcome: review.OutcomeUnchanged, section: "ENVIRONMENT"},
		{name: "EditedAndOldRepeatedElsewhere", quote: "Thus, risk of money laundering and terrorist financing in Azerbaijan is relatively high.", outcome: review.OutcomeChanged, section: "ECONOMIC AND FINANCIAL ENVIRONMENT",
			exact: "Thus, risk of money laundering and terrorist financing in Azerbaijan is very high.",
			diff:  []review.DiffOp{{Op: "=", Text: "Thus, risk of money laundering and terrorist financing in Azerbaijan is"}, {Op: "-", Text: "relatively"}, {Op: "+", Text: "very"}, {Op: "=", Text: "high."}}},
		{name: "NearCopyElsewhere", quote: "Limited information points towards the existence of a single mafia-style group, Cigánska mafia, which allegedly has a large membership but whose structure is unknown.", outcome: review.OutcomeUnchanged, section: "CRIMINAL ACTORS"},
		{name: "AcrossPageBreak", quote: "Along with \n\nenabling the bribery of officials", outcome: review.OutcomeUnchanged, section: "ENVIRONMENT"},
		{name: "ShortPhrase", quote: "Cigánska mafia", outcome: review.OutcomeUnchanged, section: "CRIMINAL ACTORS"},
		{name: "Nested", quote: "Implementation is, however, lacking.", outcome: review.OutcomeUnchanged, section: "LEADERSHIP AND GOVERNANCE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			anchor, err := Locate(old, tt.quote, "", "")
			if err != nil {
				t.Fatal(err)
			}
			got := a.Reanchor(anchor)
			if got.Outcome != tt.outcome {
				t.Fatalf("outcome: got %s (similarity %.3f, %q), want %s", got.Outcome, got.Similarity, got.Anchor.Exact, tt.outcome)
			}
			switch tt.outcome {
			case review.OutcomeMissing:
				if got.Anchor != (review.Anchor{Section: anchor.Section}) || got.Diff != nil {
					t.Errorf("missing: got anchor %+v, diff %v", got.Anchor, got.Diff)
				}
				if got.Similarity >= ChangedThreshold || got.Similarity < 0 {
					t.Errorf("similarity: got %.3f, want in [0, %.2f)", got.Similarity, ChangedThreshold)
				}
				t.Logf("best score %.3f", got.Similarity)
				return
			case review.OutcomeUnchanged:
				if got.Similarity != 1 || got.Diff != nil {
					t.Errorf("unchanged: got similarity %v, diff %v", got.Similarity, got.Diff)
				}
			case review.OutcomeChanged:
				if got.Similarity <= 0 || got.Similarity >= 1 {
					t.Errorf("similarity: got %.3f, want in (0, 1)", got.Similarity)
				}
				t.Logf("score %.3f", got.Similarity)
				if !slices.Equal(got.Diff, tt.diff) {
					t.Errorf("diff: got %v, want %v", got.Diff, tt.diff)
				}
			}
			exact := tt.exact
			if exact == "" {
				exact = anchor.Exact
			}
			want := review.Anchor{Exact: exact, Section: tt.section}
			// Where the words are in the new text, in the right section.
			for i := 0; ; i++ {
				j := strings.Index(next.Text[i:], exact)
				if j < 0 {
					t.Fatalf("%q is not in section %s of the new text", exact, tt.section)
				}
				want.Start = i + j
				if s, _ := next.Owner(want.Start); s.Heading == tt.section {
					break
				}
				i += j + 1
			}
			want.End = want.Start + len(exact)
			want.Prefix, want.Suffix = context(next.Text, want.Start, want.End)
			if got.Anchor != want {
				t.Errorf("anchor: got %+v\nwant %+v", got.Anchor, want)
			}
		})
	}
}

func TestReanchorSameDocument(t *testing.T) {
	d := seedDoc(t)
	a := NewIndex(d).Align(d)
	check := func(t *testing.T, anchor review.Anchor) {
		t.Helper()
		got := a.Reanchor(anchor)
		if got.Outcome != review.OutcomeUnchanged || got.Anchor != anchor {
			t.Errorf("%q: got %s %+v, want unchanged at [%d,%d)", anchor.Exact, got.Outcome, got.Anchor, anchor.Start, anchor.End)
		}
	}
	t.Run("review.Sentences", func(t *testing.T) {
		for _, s := range review.Sentences(d) {
			anchor, err := At(d, s.Start, s.End)
			if err != nil {
				t.Fatal(err)
			}
			check(t, anchor)
		}
	})
	t.Run("Spans", func(t *testing.T) {
		// Word-aligned spans of every length, repeated words and phrases
		// ("organized crime", "the") included: each comes back at its own
		// offsets.
		words := wordStarts(d.Text)
		rng := rand.New(rand.NewPCG(3, 4))
		for k := 0; k < 2000; k++ {
			i := rng.IntN(len(words) - 1)
			n := 1 + rng.IntN(min(60, len(words)-1-i))
			if k%2 == 0 {
				n = 1 + rng.IntN(min(4, len(words)-1-i))
			}
			start, end := words[i], strings.TrimRight(d.Text[:words[i+n]], " \n")
			anchor, err := At(d, start, len(end))
			if err != nil {
				continue // a span of a heading's blank lines
			}
			check(t, anchor)
		}
	})
}

// wordStarts returns the byte offset of each word of text (a run of
// anything but spaces and newlines) and len(text).
func wordStarts(text string) []int {
	var starts []int
	for i := 0; i < len(text); i++ {
		if text[i] != ' ' && text[i] != '\n' && (i == 0 || text[i-1] == ' ' || text[i-1] == '\n') {
			starts = append(starts, i)
		}
	}
	return append(starts, len(text))
}

func TestReanchorHostile(t *testing.T) {
	d := seedDoc(t)
	x := NewIndex(d)
	good, _ := Locate(d, "Cigánska mafia", "", "")
	for _, tt := range []struct {
		name   string
		x      *Index
		old    review.Anchor
		oldDoc text.Document
	}{
		{"Empty", x, review.Anchor{}, d},
		{"OffsetsOutOfRange", x, review.Anchor{Exact: "Cigánska mafia", Start: -5, End: 1 << 40}, d},
		{"NoOldDoc", x, good, text.Document{}},
		{"InvalidUTF8", x, review.Anchor{Exact: "Cig\xffnska \xc3"}, d},
		{"EmptyNewDoc", NewIndex(text.Document{}), good, d},

		{"OnlyPunctuation", x, review.Anchor{Exact: "., – ’"}, d},
		{"Huge", x, review.Anchor{Exact: strings.Repeat(d.Text, 3)}, d},
		{"BadSections", NewIndex(text.Document{Text: "abc def", Sections: []text.Section{{Heading: "X", HeadingStart: 50, Start: 60, End: 2}}}), good, text.Document{Text: "x", Sections: []text.Section{{Start: -1, End: -5}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.x.Align(tt.oldDoc).Reanchor(tt.old)
			if got.Outcome == review.OutcomeMissing && got.Anchor != (review.Anchor{Section: tt.old.Section}) {
				t.Errorf("missing with an anchor: %+v", got.Anchor)
			}
		})
	}
}

func TestReanchorConcurrent(t *testing.T) {
	// One Anchorer serves many goroutines (an import may fan out), and its
	// answers do not depend on which buffers a call was handed.
	old := seedDoc(t)
	next := text.Normalize(secondEdition(t))
	a := NewIndex(next).Align(old)
	var anchors []review.Anchor
	for _, s := range review.Sentences(old) {
		anchor, err := At(old, s.Start, s.End)
		if err != nil {
			t.Fatal(err)
		}
		anchors = append(anchors, anchor)
	}
	want := make([]Match, len(anchors))
	for i, anchor := range anchors {
		want[i] = a.Reanchor(anchor)
	}
	errs := make(chan string, 4*len(anchors))
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range anchors {
				k := (i + g*7) % len(anchors)
				got := a.Reanchor(anchors[k])
				if got.Outcome != want[k].Outcome || got.Anchor != want[k].Anchor || got.Similarity != want[k].Similarity || !slices.Equal(got.Diff, want[k].Diff) {
					errs <- anchors[k].Exact
				}
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	close(errs)
	for e := range errs {
		t.Errorf("%q: a different answer when concurrent", e)
	}
}

// seedRaw returns the seed report as extracted from the PDF.
func seedRaw(tb testing.TB) string {
	tb.Helper()
	raw, err := os.ReadFile("../../testdata/azerbaijan-2021.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw)
}

// seedDoc returns the seed report normalised.
func seedDoc(tb testing.TB) text.Document {
	tb.Helper()
	return text.Normalize(seedRaw(tb))
}

// TestReanchorSplitQuote follows a quote of two sentences whose second
// moved to another section: the new anchor is the first, in place, not a
// span from there to the moved one across everything between.
func TestReanchorSplitQuote(t *testing.T) {
	old := text.Normalize("ONE\n\nAlpha sentence stays here. Beta sentence moves away.\n\nTWO\n\nGamma text is long enough. Delta text is long enough.")
	next := text.Normalize("ONE\n\nAlpha sentence stays here.\n\nTWO\n\nGamma text is long enough. Delta text is long enough. Beta sentence moves away.")
	a, err := Locate(old, "Alpha sentence stays here. Beta sentence moves away.", "", "")
	if err != nil {
		t.Fatal(err)
	}
	m := NewIndex(next).Align(old).Reanchor(a)
	if m.Outcome != review.OutcomeChanged || m.Anchor.Exact != "Alpha sentence stays here." || m.Anchor.Section != "ONE" {
		t.Errorf("got %s %q in %q, want changed to the first sentence in ONE", m.Outcome, m.Anchor.Exact, m.Anchor.Section)
	}
}

// TestReanchorKinds follows a quote across pairs of editions that differ
// in one kind of thing PDF extraction or retyping gives, each a fault
// annotation tools are known for.
func TestReanchorKinds(t *testing.T) {
	for _, tt := range []struct {
		name, e1, e2, quote string
		outcome             review.Outcome
		exact               string // in e2; "" when missing
	}{
		{"WordInsideLongerWord", "CITIES\n\nThe group operates in Ganja and Baku.\nPolice watch Ganjali street.", "CITIES\n\nThe group operates in Baku.\nPolice watch Ganjali street.",
			"Ganja", review.OutcomeMissing, ""},
		{"WholeWordElsewhere", "CITIES\n\nThe group operates in Ganja and Baku.\nPolice watch Ganjali street.", "CITIES\n\nPolice watch Ganjali street. The group operates in Ganja and Baku.",
			"Ganja", review.OutcomeUnchanged, "Ganja"},
		{"LineEndHyphen", "LABOUR\n\nVictims face forms of exploita-\ntion in farms.", "LABOUR\n\nVictims face forms of exploitation in farms.",
			"Victims face forms of exploitation in farms.", review.OutcomeUnchanged, "Victims face forms of exploitation in farms."},
		{"QuotesAndDashes", "MEDIA\n\nThe government\u2019s \u201cmedia reforms\u201d \u2014 passed in 2021 \u2014 require registration.", "MEDIA\n\nThe government's \"media reforms\" - passed in 2021 - require registration.",
			"The government's \"media reforms\" -- passed in 2021 -- require registration.", review.OutcomeUnchanged, "The government's \"media reforms\" - passed in 2021 - require registration."},
		{"FullWidth", "TEXT\n\nSeized 1,200 kg in 2020.", "TEXT\n\nSeized \uff11,\uff12\uff10\uff10 kg in \uff12\uff10\uff12\uff10.",
			"Seized 1,200 kg in 2020.", review.OutcomeUnchanged, "Seized \uff11,\uff12\uff10\uff10 kg in \uff12\uff10\uff12\uff10."},
		{"DirectionMarks", "A\n\nThe \u200eBaku\u200f port is busy.", "A\n\nThe Baku port is busy.",
			"The Baku port is busy.", review.OutcomeUnchanged, "The Baku port is busy."},
		{"ZWNJInPersian", "TEXT\n\n\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645.", "TEXT\n\n\u0645\u06cc\u062e\u0648\u0627\u0647\u0645 \u0628\u0631\u0648\u0645.",
			"\u0645\u06cc\u062e\u0648\u0627\u0647\u0645", review.OutcomeUnchanged, "\u0645\u06cc\u062e\u0648\u0627\u0647\u0645"},
		{"WordAddedAtSentenceEnd", "A\n\nArms are traced to depots.\nNothing else.", "A\n\nArms are traced to depots abroad.\nNothing else.",
			"Arms are traced to depots.", review.OutcomeChanged, "Arms are traced to depots abroad."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			old, next := text.Normalize(tt.e1), text.Normalize(tt.e2)
			a, err := Locate(old, tt.quote, "", "")
			if err != nil {
				t.Fatal(err)
			}
			m := NewIndex(next).Align(old).Reanchor(a)
			if m.Outcome != tt.outcome || m.Anchor.Exact != tt.exact {
				t.Errorf("got %s %q, want %s %q", m.Outcome, m.Anchor.Exact, tt.outcome, tt.exact)
			}
		})
	}
}
