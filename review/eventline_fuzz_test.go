package review

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzEventLine: a line the fast path takes is exactly canonicalLine of the
// event it decodes to, and the general path (encoding/json) accepts it and
// decodes the same event; and every event line the general path accepts
// whose seq the fast path reads (0 to 18 digits) the fast path takes too.
func FuzzEventLine(f *testing.F) {
	for _, e := range histChain(4) {
		f.Add(canonicalLine(exportLine{Event: e}))
	}
	f.Add([]byte(`{"seq":0,"time":"","actor":"","actor_role":"","action":"","entity_type":"","entity_id":"","before":"","after":"","reason":"","prev_hash":"","hash":""}`))
	f.Add([]byte(`{"seq":123456789012345678,"time":"\"\\\b\f\n\r\t\u0000\u001f\u007f","actor":"\u2028\u2029 é 😀 ` + "\x7f\ufffd" + `","actor_role":"","action":"","entity_type":"","entity_id":"","before":"","after":"","reason":"","prev_hash":"","hash":""}`))
	for _, odd := range []string{`\/`, `\u0041`, `\u000A`, `\u000a`, `\u00e9`, `\ufffd`, `\ud83d\ude00`, "\u2028", "\xff", "\xed\xa0\x80", "\t", `\u2030`, `\u202`} {
		f.Add([]byte(`{"seq":1,"time":"` + odd + `","actor":"","actor_role":"","action":"","entity_type":"","entity_id":"","before":"","after":"","reason":"","prev_hash":"","hash":""}`))
	}
	for _, seq := range []string{"-1", "01", "1234567890123456789", "1.0", "1e3", "", " 1"} {
		f.Add([]byte(`{"seq":` + seq + `,"time":"","actor":"","actor_role":"","action":"","entity_type":"","entity_id":"","before":"","after":"","reason":"","prev_hash":"","hash":""}`))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		var e Event
		_, fast := parseEventLine(line, &e, nil)
		var l exportLine
		slowErr := decodeExportLine(line, &l)
		if !fast {
			if slowErr == nil && l.Header == nil && l.Omitted == nil && l.Trailer == nil && 0 <= l.Seq && l.Seq < 1e18 {
				t.Fatalf("the fast path refuses the event line %q, which is in the exact form", line)
			}
			return
		}
		if got := canonicalLine(exportLine{Event: e}); !bytes.Equal(got, line) {
			t.Fatalf("the fast path reads %q as %+v, which is written %q", line, e, got)
		}
		if slowErr != nil || l != (exportLine{Event: e}) {
			t.Fatalf("the fast path reads %q as %+v; encoding/json reads %+v (%v)", line, e, l, slowErr)
		}
	})
}

// FuzzEventLineRoundTrip: the fast path reads back any event as JSONLWriter
// writes it, when its seq is 0 to 18 digits and its text valid UTF-8
// (encoding/json writes invalid UTF-8 as \ufffd, so the event would not
// read back the same, and the fast path leaves the line to the general
// path).
func FuzzEventLineRoundTrip(f *testing.F) {
	f.Add(int64(1), "2026-03-01T10:00:01.000000Z", "rey", `{"n":1,"body":"line\nbreak, \"quote\" ü"}`, "why: 1")
	f.Add(int64(0), "", "", "", "")
	f.Add(int64(-5), "\x00\x1f\x7f", "\u2028\u2029", "\xff\xfe", `\u0041 \/ <&>`)
	f.Add(int64(999999999999999999), "😀", "\ufffd", "\r\n\t\b\f", `"\`)
	f.Add(int64(1000000000000000000), "a", "b", "c", "d")
	f.Fuzz(func(t *testing.T, seq int64, a, b, c, d string) {
		e := Event{Seq: seq, Time: a, Actor: b, ActorRole: c, Action: d, EntityType: a + b, EntityID: d,
			Before: c + d, After: b + c, Reason: a, PrevHash: d + a, Hash: c}
		var buf bytes.Buffer
		w, err := NewJSONLWriter(&buf, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		lines := bytes.Split(buf.Bytes(), []byte("\n")) // header, event, trailer, ""
		if len(lines) != 4 {
			t.Fatalf("an export of one event: %q", buf.Bytes())
		}
		line := lines[1]
		if want := canonicalLine(exportLine{Event: e}); !bytes.Equal(line, want) {
			t.Fatalf("JSONLWriter writes %q, canonicalLine %q", line, want)
		}
		var got Event
		_, fast := parseEventLine(line, &got, nil)
		valid := utf8.ValidString(a) && utf8.ValidString(b) && utf8.ValidString(c) && utf8.ValidString(d)
		switch {
		case fast != (valid && 0 <= seq && seq < 1e18):
			t.Fatalf("the fast path takes %q: %v", line, fast)
		case fast && got != e:
			t.Fatalf("the fast path reads %q as %+v, want %+v", line, got, e)
		}
	})
}
