package review

import "unicode/utf8"

// The fast path of VerifyJSONL for event lines.
//
// Verify must refuse any line that is not byte for byte what vetted writes
// for its values; the general path checks that by decoding the line with
// encoding/json and encoding it again (canonicalLine), which costs most of
// verify's time. Nearly every line is an event, so parseEventLine reads an
// event line directly, but only when it is already in that exact form:
//
//	{"seq":N,"time":"…","actor":"…","actor_role":"…","action":"…",
//	"entity_type":"…","entity_id":"…","before":"…","after":"…",
//	"reason":"…","prev_hash":"…","hash":"…"}
//
// on one line: Event's fields in order under their JSON names, as
// json.Encoder (with SetEscapeHTML(false), as JSONLWriter and canonicalLine
// use it) writes them. It accepts a line only if every part of it is the one
// way encoding/json writes that part:
//
//   - seq is 0 or a positive decimal without leading zeros (negative
//     numbers are left to the general path);
//   - a string holds no byte below 0x20, no '"' or '\\' except in the
//     escapes below, only valid UTF-8 (so no surrogate halves), and no
//     U+2028 or U+2029 unescaped: encoding/json escapes those and replaces
//     invalid UTF-8 with the escape \ufffd;
//   - the only escapes are \" \\ \b \f \n \r \t, \u00xx with lowercase hex
//     for the other bytes below 0x20, and \u2028 and \u2029: exactly the
//     ones encoding/json writes for those characters (see appendString in
//     encoding/json/encode.go). Any other escape (\/, \u0041, \u00E9,
//     uppercase hex, or \ufffd, which encoding/json writes only for invalid
//     UTF-8 and so never for a string it decoded) is refused.
//
// Each accepted part decodes to one value and that value encodes back to
// the same bytes, so an accepted line is canonicalLine of the event it
// decodes to, and encoding/json decodes the line to that same event: the
// general path would have accepted the line with the same result. Every
// line the fast path refuses, valid or not, goes to the general path
// unchanged, which gives the verdict and the error; the fast path never
// produces an error of its own. FuzzEventLine checks both directions.

// eventLineKeys are what an event line holds before each field's value,
// in Event's field order.
var eventLineKeys = [...]string{
	`{"seq":`, `,"time":"`, `,"actor":"`, `,"actor_role":"`, `,"action":"`,
	`,"entity_type":"`, `,"entity_id":"`, `,"before":"`, `,"after":"`,
	`,"reason":"`, `,"prev_hash":"`, `,"hash":"`,
}

// plainByte is true for the bytes encoding/json writes as themselves in a
// string and that need no further look: ASCII from 0x20 except '"' and
// '\\'.
var plainByte = func() (t [256]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// shortEscape maps the character after '\\' in the escapes encoding/json
// writes with one letter to the byte it stands for.
var shortEscape = [256]byte{'"': '"', '\\': '\\', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// lowerHex is the value of a lowercase hex digit, or -1.
func lowerHex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// parseEventLine decodes line into e if line is an event line in exactly
// the form JSONLWriter writes (see above), using and returning scratch as a
// buffer for the decoded text. ok false says only that the fast path does
// not take the line: the line may still be valid, and e is then undefined.
// The strings of e share one allocation.
func parseEventLine(line []byte, e *Event, scratch []byte) (_ []byte, ok bool) {
	rest, ok := cutPrefix(line, eventLineKeys[0])
	if !ok {
		return scratch, false
	}
	// seq: 0, or digits from 1-9; at most 18 digits, so no overflow (a
	// longer seq goes to the general path).
	n, seq := 0, int64(0)
	for n < len(rest) && n < 19 && '0' <= rest[n] && rest[n] <= '9' {
		seq = seq*10 + int64(rest[n]-'0')
		n++
	}
	if n == 0 || n > 18 || (rest[0] == '0' && n > 1) {
		return scratch, false
	}
	rest = rest[n:]
	// The strings, decoded one after the other into scratch; end[i] is
	// where field i ends.
	scratch = scratch[:0]
	var end [len(eventLineKeys) - 1]int
	for i := range end {
		if rest, ok = cutPrefix(rest, eventLineKeys[i+1]); !ok {
			return scratch, false
		}
		if scratch, rest, ok = appendJSONString(scratch, rest); !ok {
			return scratch, false
		}
		end[i] = len(scratch)
	}
	if len(rest) != 1 || rest[0] != '}' {
		return scratch, false
	}
	s := string(scratch)
	field := func(i int) string {
		if i == 0 {
			return s[:end[0]]
		}
		return s[end[i-1]:end[i]]
	}
	*e = Event{
		Seq: seq, Time: field(0), Actor: field(1), ActorRole: field(2), Action: field(3),
		EntityType: field(4), EntityID: field(5), Before: field(6), After: field(7),
		Reason: field(8), PrevHash: field(9), Hash: field(10),
	}
	return scratch, true
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// appendJSONString decodes the body of a JSON string from the start of b
// (after its opening quote) to dst, if it is written exactly as
// encoding/json writes the string it decodes to (see above), and returns
// what follows its closing quote.
func appendJSONString(dst, b []byte) (_, rest []byte, ok bool) {
	i := 0
	for {
		start := i
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		dst = append(dst, b[start:i]...)
		if i == len(b) {
			return dst, nil, false // unterminated
		}
		switch c := b[i]; {
		case c == '"':
			return dst, b[i+1:], true
		case c == '\\':
			if i+1 == len(b) {
				return dst, nil, false
			}
			if d := shortEscape[b[i+1]]; d != 0 {
				dst = append(dst, d)
				i += 2
				continue
			}
			if b[i+1] != 'u' || i+6 > len(b) {
				return dst, nil, false
			}
			u := string(b[i+2 : i+6])
			switch {
			case u == "2028":
				dst = utf8.AppendRune(dst, '\u2028')
			case u == "2029":
				dst = utf8.AppendRune(dst, '\u2029')
			case u[0] == '0' && u[1] == '0':
				hi, lo := lowerHex(u[2]), lowerHex(u[3])
				if hi < 0 || hi > 1 || lo < 0 {
					return dst, nil, false
				}
				d := byte(hi<<4 | lo)
				if shortLetter[d] != 0 {
					return dst, nil, false // encoding/json writes \b \f \n \r \t
				}
				dst = append(dst, d)
			default:
				return dst, nil, false
			}
			i += 6
		case c < 0x20:
			return dst, nil, false // a control character unescaped
		default: // from 0x80: UTF-8
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
				return dst, nil, false
			}
			dst = append(dst, b[i:i+size]...)
			i += size
		}
	}
}

// shortLetter is the letter of the one-letter escape encoding/json writes
// for a control character, or 0 when it writes \u00xx.
var shortLetter = [0x20]byte{'\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't'}
