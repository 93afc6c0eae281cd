package text

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Key is the match key of a text: the text with every difference folded
// away that a reader cannot see or does not mean, and a map from each of its
// bytes back to the bytes of the text it came from. Quotes are found on
// keys and anchored on the stored text through the map, so a span found on
// the key is always an exact span of the stored text.
//
// The folding, in order:
//
//   - Unicode compatibility normalisation, NFKC (UAX #15), after the
//     format characters and marks below are taken out: canonical
//     equivalents (NFC and NFD), ligatures (ﬁ ﬂ → fi fl), full-width and
//     half-width forms, no-break and other fixed-width spaces;
//   - format characters (general category Cf: soft hyphen, zero-width space,
//     ZWNJ and ZWJ, word joiner, byte order mark, direction marks) and
//     variation selectors are dropped, before NFKC, so that the letter and
//     accent around one compose;
//   - every run of white space (line and paragraph breaks included) becomes
//     one space, and none is kept at either end;
//   - curly, low and angle quotation marks, primes and the acute accent
//     used as an apostrophe ("d´Ivoire") become ' and " (the last two
//     before NFKC, which would make an accent or two primes of them);
//   - dashes (general category Pd, and U+2212 minus) become '-', a run of
//     them one '-' ("--" typed for an em dash), and a '-' between two
//     letters is dropped, so a word broken at a line end reads
//     the same with or without its hyphen ("exploita-tion" = "exploitation",
//     "South-eastern" = "Southeastern").
//
// Case is kept: "Party" and "party" differ.
type Key struct {
	// Text is the folded text, valid UTF-8.
	Text string
	// from[i], to[i] are the byte span of the source text that key byte i
	// was folded from: a whole normalisation segment, so a span of the key
	// maps onto whole characters of the source.
	from, to []int32
	n        int // the source's length in bytes
}

// NewKey folds s (any string; invalid UTF-8 is read as U+FFFD) into its
// match key.
func NewKey(s string) Key {
	if isASCII(s) {
		return asciiKey(s, true)
	}
	if pre, from, to, ok := prefold(s); ok {
		// Fold what NFKC would spoil first, then map the key back through.
		k := foldKey(pre)
		for i := range k.from {
			k.from[i], k.to[i] = from[k.from[i]], to[k.to[i]-1]
		}
		k.n = len(s)
		return k
	}
	return foldKey(s)
}

// prefold maps what must be folded before NFKC: format characters and
// variation selectors are dropped (left in, they keep a letter from the
// accent after them, and the key would not be stable), and the acute
// accent, primes and reversed primes used as quotation marks become ' and
// " (NFKC would make an accent or two primes of them). Byte i of pre came
// from the character s[from[i]:to[i]]. ok is false when s holds none of
// them, and pre is not made.
func prefold(s string) (pre string, from, to []int32, ok bool) {
	for _, r := range s {
		if _, changed := prefoldRune(r); changed {
			ok = true
			break
		}
	}
	if !ok {
		return s, nil, nil, false
	}
	b := make([]byte, 0, len(s))
	from = make([]int32, 0, len(s))
	to = make([]int32, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if m, _ := prefoldRune(r); m >= 0 {
			n := len(b)
			b = utf8.AppendRune(b, m)
			for range len(b) - n {
				from, to = append(from, int32(i)), append(to, int32(i+size))
			}
		}
		i += size
	}
	return string(b), from, to, true
}

// prefoldRune returns r as prefold maps it (-1 to drop it), and whether
// that changed it.
func prefoldRune(r rune) (rune, bool) {
	switch {
	case r < utf8.RuneSelf:
		return r, false
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r):
		return -1, true
	}
	switch r {
	case '\u00B4', '\u2032', '\u2035':
		return '\'', true
	case '\u2033', '\u2036':
		return '"', true
	}
	return r, false
}

// foldKey is NewKey after prefold.
func foldKey(s string) Key {
	k := Key{n: len(s)}
	buf := make([]byte, 0, len(s))
	from := make([]int32, 0, len(s))
	to := make([]int32, 0, len(s))
	emit := func(r rune, p0, p1 int) {
		var tmp [utf8.UTFMax]byte
		n := utf8.EncodeRune(tmp[:], r)
		buf = append(buf, tmp[:n]...)
		for range n {
			from = append(from, int32(p0))
			to = append(to, int32(p1))
		}
	}
	space := true // a space was emitted last, or nothing yet
	var last rune // the last rune emitted
	var it norm.Iter
	it.InitString(norm.NFKC, s)
	// Next may hand out one input segment's output in several pieces, the
	// position advancing only with the last: the bytes emitted since it
	// last advanced all belong to [p0, p1).
	p0, open := 0, 0
	for !it.Done() {
		seg := it.Next()
		p1 := it.Pos()
		if p1 == p0 {
			p1 = len(s) // a provisional end, settled below
		}
		for i := 0; i < len(seg); {
			r, size := utf8.DecodeRune(seg[i:])
			i += size
			r, keep := keyFold(r)
			switch {
			case !keep:
			case r == ' ':
				if !space {
					emit(' ', p0, p1)
					space, last = true, ' '
				}
			case r == '-' && last == '-':
				// A run of dashes ("--" typed for an em dash) is one dash: its
				// byte now ends where this one does (settled with this
				// segment's, if it belongs to it).
				to[len(to)-1] = int32(p1)
				open = min(open, len(to)-1)
			default:
				if last == '-' && unicode.IsLetter(r) && len(buf) >= 2 {
					// A hyphen between letters: drop it, if a letter is
					// before it too.
					if before, _ := utf8.DecodeLastRune(buf[:len(buf)-1]); unicode.IsLetter(before) {
						buf, from, to = buf[:len(buf)-1], from[:len(from)-1], to[:len(to)-1]
						open = min(open, len(to))
					}
				}
				emit(r, p0, p1)
				space, last = false, r
			}
		}
		if pos := it.Pos(); pos > p0 {
			for i := open; i < len(to); i++ {
				to[i] = int32(pos)
			}
			p0, open = pos, len(to)
		}
	}
	if space && len(buf) > 0 {
		buf, from, to = buf[:len(buf)-1], from[:len(from)-1], to[:len(to)-1]
	}
	k.Text, k.from, k.to = string(buf), from, to
	return k
}

// keyFold folds one rune of NFKC text; keep is false for a rune the key
// drops.
func keyFold(r rune) (folded rune, keep bool) {
	switch {
	case r < utf8.RuneSelf:
		switch r {
		case '`':
			return '\'', true
		case '\t', '\n', '\v', '\f', '\r':
			return ' ', true
		}
		if r < ' ' || r == 0x7f {
			return 0, false
		}
		return r, true
	case unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r):
		return 0, false
	case unicode.IsSpace(r):
		return ' ', true
	case unicode.Is(unicode.Pd, r) || r == '\u2212':
		return '-', true
	}
	switch r {
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u02BC', '\u02B9', '\u2039', '\u203A':
		return '\'', true
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\u301D', '\u301E', '\u301F':
		return '"', true
	}
	if unicode.IsControl(r) {
		return 0, false
	}
	return r, true
}

// Span maps the key's byte span [start,end) (0 ≤ start < end ≤
// len(k.Text)) onto the source text: the smallest span of whole characters
// whose key it is.
func (k Key) Span(start, end int) (int, int) {
	return int(k.from[start]), int(k.to[end-1])
}

// Offset returns the key offset of a source byte offset: the first key byte
// folded from at or after it (len(k.Text) past the last).
func (k Key) Offset(src int) int {
	lo, hi := 0, len(k.from)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(k.from[m]) < src {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Len is the length in bytes of the text the key was folded from.
func (k Key) Len() int { return k.n }

// Fold returns the match key of s without its offset map.
func Fold(s string) string {
	if isASCII(s) {
		return asciiKey(s, false).Text
	}
	return NewKey(s).Text
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// asciiKey is NewKey for ASCII text, which NFKC leaves as it is: the same
// folding, a byte at a time, with the offset map only if withMap.
func asciiKey(s string, withMap bool) Key {
	k := Key{n: len(s)}
	buf := make([]byte, 0, len(s))
	var from, to []int32
	if withMap {
		from, to = make([]int32, 0, len(s)), make([]int32, 0, len(s))
	}
	space := true
	for i := 0; i < len(s); i++ {
		r, keep := keyFold(rune(s[i]))
		switch {
		case !keep:
			continue
		case r == ' ':
			if space {
				continue
			}
			space = true
		case r == '-' && len(buf) > 0 && buf[len(buf)-1] == '-':
			if withMap {
				to[len(to)-1] = int32(i + 1)
			}
			continue
		default:
			if isLetterASCII(r) && len(buf) >= 2 && buf[len(buf)-1] == '-' && isLetterASCII(rune(buf[len(buf)-2])) {
				buf = buf[:len(buf)-1]
				if withMap {
					from, to = from[:len(from)-1], to[:len(to)-1]
				}
			}
			space = false
		}
		buf = append(buf, byte(r))
		if withMap {
			from, to = append(from, int32(i)), append(to, int32(i+1))
		}
	}
	if space && len(buf) > 0 {
		buf = buf[:len(buf)-1]
		if withMap {
			from, to = from[:len(from)-1], to[:len(to)-1]
		}
	}
	k.Text, k.from, k.to = string(buf), from, to
	return k
}

func isLetterASCII(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }

// Equal reports whether a and b read the same: whether their keys are
// equal.
func Equal(a, b string) bool {
	return a == b || Fold(a) == Fold(b)
}
