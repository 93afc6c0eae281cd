package review

import (
	"errors"
	"strings"
	"testing"
)

// TestVerifyJSONLExactForm: an export whose events hold every character
// encoding/json escapes verifies (through the fast path), and rewriting
// any part of an event line in another form JSON allows, which decodes
// to the same event, fails the line-form check at that line.
func TestVerifyJSONLExactForm(t *testing.T) {
	es := histChain(3)
	es[1].After = "A/é😀\ufffd \"\\\b\f\n\r\t\x00\x1f\x7f\u2028\u2029 <&>"
	prev := GenesisHash
	for i := range es {
		es[i].PrevHash = prev
		es[i].Hash = ComputeHash(es[i])
		prev = es[i].Hash
	}
	lines := expExport(t, es, "")
	if _, err := VerifyJSONL(strings.NewReader(expJoin(lines))); err != nil {
		t.Fatal(err)
	}
	var e Event
	if _, ok := parseEventLine([]byte(lines[2]), &e, nil); !ok || e != es[1] {
		t.Fatalf("the fast path does not read %s back: %v %+v", lines[2], ok, e)
	}
	for _, tt := range []struct{ from, to string }{
		{`A`, `\u0041`},
		{`/`, `\/`},
		{`é`, `\u00e9`},
		{`😀`, `\ud83d\ude00`},
		{"\ufffd", `\ufffd`},
		{`\n`, `\u000a`},
		{`\u001f`, `\u001F`},
		{`\u2028`, "\u2028"},
		{`"seq":2,`, `"seq":2 ,`},
		{`"seq":2,`, `"seq":2,"seq":2,`},
		{`"seq":2,`, `"seq": 2,`},
		{`"hash"`, `"Hash"`},
	} {
		mod := append([]string{}, lines...)
		mod[2] = strings.Replace(mod[2], tt.from, tt.to, 1)
		if mod[2] == lines[2] {
			t.Fatalf("%q is not in %s", tt.from, lines[2])
		}
		_, err := VerifyJSONL(strings.NewReader(expJoin(mod)))
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Line != 3 || ve.Check != "line-form" || !strings.Contains(ve.Reason, "exact form") {
			t.Errorf("%s written %s: %v, want line 3 [line-form] not in the exact form", tt.from, tt.to, err)
		}
	}
}
