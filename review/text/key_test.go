package text

import (
	"strings"
	"testing"
)

func TestKey(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"Plain", "Police seized 12 kg.", "Police seized 12 kg."},
		{"Ligatures", "\uFB01nancial \uFB02ows o\uFB00ices", "financial flows offices"},
		{"NFD", "Ciga\u0301nska Gəncə", "Cigánska Gəncə"},
		{"FullWidth", "ＵＡＥ　２０２０", "UAE 2020"},
		{"SoftHyphen", "con\u00ADstruction", "construction"},
		{"ZeroWidth", "traf\u200Bficking Ali\u2060yev \uFEFFBaku \u200C\u200Dx", "trafficking Aliyev Baku x"},
		{"Spaces", "12\u202F400 in\u00A0 Lankaran Astara\u2009port\n\nNext", "12 400 in Lankaran Astara port Next"},
		{"Ends", "  \n one two \t", "one two"},
		{"Quotes", "the country\u2019s \u201Cmafia\u201D \u00ABx\u00BB \u2018y\u2019 `z", "the country's \"mafia\" \"x\" 'y' 'z"},
		{"AccentAsApostrophe", "C\u00F4te d\u00B4Ivoire \u2033x\u2033 \u2032y\u2032", "Côte d'Ivoire \"x\" 'y'"},
		{"FormatBetweenLetterAndAccent", "A\u200D\u0301 e\uFE0F\u0301", "\u00C1 \u00E9"},
		{"Dashes", "2020\u20132021 \u2014 Aliyev\u2014who \u2212 5", "2020-2021 - Aliyevwho - 5"},
		{"LineEndHyphen", "exploita-tion South-eastern exploitation", "exploitation Southeastern exploitation"},
		{"DashRuns", "reforms -- passed 2020\u2014\u20142021 a---b", "reforms - passed 2020-2021 ab"},
		{"HyphenNotBetweenLetters", "COVID-19 - x 2-b a-", "COVID-19 - x 2-b a-"},
		{"Case", "Party party", "Party party"},
		{"Controls", "a\x00b\x7fc", "abc"},
		{"Invalid", "a\xffb", "a\uFFFDb"},
		{"Empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k := NewKey(tt.in)
			if k.Text != tt.want {
				t.Errorf("got %q, want %q", k.Text, tt.want)
			}
			checkKey(t, tt.in, k)
		})
	}
	t.Run("Equal", func(t *testing.T) {
		if !Equal("ﬁnancial ﬂows", "financial\n flows") || Equal("5 arms", "6 arms") {
			t.Error("Equal disagrees with the key")
		}
	})
}

func TestKeySpan(t *testing.T) {
	src := "The o\uFB03cial\u00AD \u201Cﬁgures\u201D, South-eastern."
	k := NewKey(src)
	for _, tt := range []struct{ key, want string }{
		{"official", "o\uFB03cial"},
		{"\"figures\"", "\u201Cﬁgures\u201D"},
		{"icial", "\uFB03cial"}, // a span inside a ligature takes the whole ligature
		{"Southeastern.", "South-eastern."},
		{"eastern", "eastern"},
		{"official \"figures", "o\uFB03cial\u00AD \u201Cﬁgures"},
	} {
		i := strings.Index(k.Text, tt.key)
		if i < 0 {
			t.Fatalf("%q not in key %q", tt.key, k.Text)
		}
		s, e := k.Span(i, i+len(tt.key))
		if got := src[s:e]; got != tt.want {
			t.Errorf("Span of %q: got %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := k.Offset(0); got != 0 {
		t.Errorf("Offset(0) = %d", got)
	}
	if got := k.Offset(len(src)); got != len(k.Text) {
		t.Errorf("Offset(end) = %d, want %d", got, len(k.Text))
	}
}

// checkKey checks the offset map of k, the key of src: every key span maps
// to a source span of whole characters whose own key holds the key span,
// and equals it when the span starts and ends on a boundary of the
// normalisation and not on a space.
func checkKey(tb testing.TB, src string, k Key) {
	tb.Helper()
	if len(k.from) != len(k.Text) || len(k.to) != len(k.Text) {
		tb.Fatalf("map lengths %d, %d for a key of %d bytes", len(k.from), len(k.to), len(k.Text))
	}
	n := len(k.Text)
	step := max(1, n/40)
	for ks := 0; ks < n; ks += step {
		for ke := ks + 1; ke <= n; ke += step {
			s, e := k.Span(ks, ke)
			if s < 0 || e > len(src) || s >= e {
				tb.Fatalf("Span(%d,%d) = [%d,%d) out of %d bytes", ks, ke, s, e, len(src))
			}
			got := Fold(src[s:e])
			want := strings.TrimSpace(k.Text[ks:ke])
			if !strings.Contains(got, want) && !strings.Contains(strings.ReplaceAll(got, "-", ""), strings.ReplaceAll(want, "-", "")) {
				tb.Fatalf("Span(%d,%d) = %q, whose key %q does not hold %q", ks, ke, src[s:e], got, want)
			}
			edge := (ks == 0 || k.from[ks] != k.from[ks-1]) && (ke == n || k.to[ke-1] != k.to[ke])
			if edge && k.Text[ks] != ' ' && k.Text[ke-1] != ' ' && k.Text[ks] != '-' && k.Text[ke-1] != '-' && got != want {
				tb.Fatalf("Span(%d,%d) = %q, whose key %q is not %q", ks, ke, src[s:e], got, want)
			}
		}
	}
	for i := 0; i < n; i++ {
		if o := k.Offset(int(k.from[i])); o > i {
			tb.Fatalf("Offset(%d) = %d, after key byte %d folded from there", k.from[i], o, i)
		}
	}
}

// TestKeyASCII checks the ASCII fast path against the general one, which
// a non-ASCII symbol at the end forces.
func TestKeyASCII(t *testing.T) {
	for _, s := range []string{
		"", " ", "a", "exploita-tion South-eastern 2-b a- -b", "  one \t two\n\nthree  ", "a\x00b\x7fc`d",
		"COVID-19 - x", "x--y", "a - b", "-a-", "end -", "a -- b ---", "1--2",
	} {
		fast := NewKey(s)
		slow := NewKey(s + "\u2603")
		if want := strings.TrimSuffix(slow.Text, "\u2603"); fast.Text != strings.TrimSpace(want) {
			t.Errorf("%q: fast %q, general %q", s, fast.Text, want)
		}
		if Fold(s) != fast.Text {
			t.Errorf("%q: Fold %q, NewKey %q", s, Fold(s), fast.Text)
		}
		checkKey(t, s, fast)
	}
}
