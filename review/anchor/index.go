package anchor

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"vetted/review/text"
)

// Index is an edition prepared for re-anchoring many claims in it: its
// match key, the key's words indexed, and its sentences. Building it costs
// about a pass over the text; finding a quote then costs about the quote's
// own length, not the edition's. It is safe for concurrent use.
type Index struct {
	doc   text.Document
	key   text.Key
	runes []rune // the key's runes
	// runeByte[i] is the key byte offset of runes[i]; runeByte[len(runes)]
	// is len(key.Text).
	runeByte []int
	words    []word
	// postings maps a lower-case word's hash to the words that have it, in
	// order. Hash collisions only add candidates, which are verified.
	postings map[uint64][]int32
	// maxDF is the number of occurrences above which a word is too common to
	// say where a quote is.
	maxDF int
	units []unit
	pool  sync.Pool // *scratch
}

// word is a word of the key: its byte and rune spans.
type word struct {
	start, end   int
	rstart, rend int
}

// NewIndex prepares doc for Align and Reanchor.
func NewIndex(doc text.Document) *Index {
	x := &Index{doc: doc, key: text.NewKey(doc.Text), postings: map[uint64][]int32{}}
	k := x.key.Text
	x.runes = make([]rune, 0, len(k))
	x.runeByte = make([]int, 0, len(k)+1)
	wordStart := -1
	for i := 0; i < len(k); {
		r, size := utf8.DecodeRuneInString(k[i:])
		ri := len(x.runes)
		if text.IsWordRune(r) {
			if wordStart < 0 {
				wordStart = ri
			}
		} else if wordStart >= 0 {
			x.addWord(wordStart, ri, i)
			wordStart = -1
		}
		x.runes = append(x.runes, r)
		x.runeByte = append(x.runeByte, i)
		i += size
	}
	x.runeByte = append(x.runeByte, len(k))
	if wordStart >= 0 {
		x.addWord(wordStart, len(x.runes), len(k))
	}
	x.maxDF = max(8, len(x.words)/200)
	x.units = makeUnits(doc, x.key)
	x.pool.New = func() any { return new(scratch) }
	return x
}

func (x *Index) addWord(rstart, rend, end int) {
	w := word{start: x.runeByte[rstart], end: end, rstart: rstart, rend: rend}
	h := hashWord(x.key.Text[w.start:w.end])
	x.postings[h] = append(x.postings[h], int32(len(x.words)))
	x.words = append(x.words, w)
}

// hashWord is FNV-1a of the lower-cased word.
func hashWord(w string) uint64 {
	h := uint64(14695981039346656037)
	for _, r := range w {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r = unicode.ToLower(r)
		}
		for r != 0 {
			h ^= uint64(r & 0xff)
			h *= 1099511628211
			r >>= 8
		}
	}
	return h
}

// token is a word of a quote's key: its byte span and hash.
type token struct {
	start, end int
	hash       uint64
}

// tokenize appends the words of s (a key) to buf[:0].
func tokenize(s string, buf []token) []token {
	buf = buf[:0]
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if text.IsWordRune(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			buf = append(buf, token{start, i, hashWord(s[start:i])})
			start = -1
		}
		i += size
	}
	if start >= 0 {
		buf = append(buf, token{start, len(s), hashWord(s[start:])})
	}
	return buf
}

// unit is a sentence or a heading of a document: what editions are aligned
// by.
type unit struct {
	start, end int    // bytes of Document.Text
	kstart     int    // key bytes
	kend       int    //
	key        string // the match key of the unit's text
	heading    bool
}

// makeUnits returns the headings and sentences of d in text order, with
// their spans on k, d.Text's key.
func makeUnits(d text.Document, k text.Key) []unit {
	var us []unit
	add := func(start, end int, heading bool) {
		ks, ke := k.Offset(start), k.Offset(end)
		if ks >= ke {
			return // nothing but invisible characters
		}
		us = append(us, unit{start: start, end: end, kstart: ks, kend: ke, key: k.Text[ks:ke], heading: heading})
	}
	sents := d.Sentences()
	si := 0
	for _, s := range d.Sections {
		for si < len(sents) && sents[si].Start < s.HeadingStart {
			add(sents[si].Start, sents[si].End, false)
			si++
		}
		add(s.HeadingStart, s.HeadingStart+len(s.Heading), true)
	}
	for ; si < len(sents); si++ {
		add(sents[si].Start, sents[si].End, false)
	}
	return us
}

// unitAt returns the index of the unit holding key byte offset k, or -1.
func unitAt(us []unit, k int) int {
	lo, hi := 0, len(us)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if us[m].kend <= k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(us) && us[lo].kstart <= k {
		return lo
	}
	return -1
}

// lowerWords returns the lower-case words of a key, for comparing units.
func lowerWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !text.IsWordRune(r) })
}
