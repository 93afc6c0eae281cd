package review

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// histFixed is an event whose hash is pinned below. Its fields hold what
// an encoding must not confuse: non-ASCII text, a newline, a colon, JSON.
func histFixed() Event {
	return Event{
		Seq:        7,
		Time:       "2021-09-28T10:11:12.000013Z",
		Actor:      "eda",
		ActorRole:  "editor",
		Action:     "revision.approved",
		EntityType: "revision",
		EntityID:   "42",
		Before:     `{"state":"pending"}`,
		After:      `{"state":"approved","note":"ünïcode\nline"}`,
		Reason:     "Matches: the report's text\nsecond line",
		PrevHash:   strings.Repeat("ab", 32),
	}
}

// histPinned is the SHA-256 of histFixed's canonical encoding, computed once
// outside Go (Python's hashlib over the bytes the encoding documents).
const histPinned = "fb0f9e8fa6327dad165d3e7914f877146ae1b7db0d7f420ba88876b02a260abf"

// histEncode builds the documented encoding by hand: the domain line
// "vetted-event-v1\n", then for each hashed field in order (seq, time, actor,
// actor_role, action, entity_type, entity_id, before, after, reason,
// prev_hash) its length in bytes in decimal, ':', its bytes, '\n'.
func histEncode(e Event) []byte {
	var b strings.Builder
	b.WriteString("vetted-event-v1\n")
	for _, f := range []string{strconv.FormatInt(e.Seq, 10), e.Time, e.Actor, e.ActorRole, e.Action,
		e.EntityType, e.EntityID, e.Before, e.After, e.Reason, e.PrevHash} {
		fmt.Fprintf(&b, "%d:%s\n", len(f), f)
	}
	return []byte(b.String())
}

func TestComputeHash(t *testing.T) {
	t.Run("Pinned", func(t *testing.T) {
		if got := ComputeHash(histFixed()); got != histPinned {
			t.Errorf("ComputeHash = %s, want %s", got, histPinned)
		}
	})
	t.Run("DocumentedEncoding", func(t *testing.T) {
		sum := sha256.Sum256(histEncode(histFixed()))
		if got := hex.EncodeToString(sum[:]); got != histPinned {
			t.Errorf("sha256(documented encoding) = %s, want %s", got, histPinned)
		}
	})
	t.Run("IgnoresHash", func(t *testing.T) {
		e := histFixed()
		e.Hash = "anything"
		if got := ComputeHash(e); got != histPinned {
			t.Errorf("the recorded hash changed the computed one: %s", got)
		}
	})
	t.Run("Unambiguous", func(t *testing.T) {
		// Moving bytes from one field to the next must change the hash.
		a, b := histFixed(), histFixed()
		a.Actor, a.ActorRole = "ed", "aeditor"
		b.Actor, b.ActorRole = "eda", "editor"
		if ComputeHash(a) == ComputeHash(b) {
			t.Error("shifting a byte between actor and actor_role kept the hash")
		}
		c, d := histFixed(), histFixed()
		c.Before, c.After = "", "x"
		d.Before, d.After = "x", ""
		if ComputeHash(c) == ComputeHash(d) {
			t.Error("moving a value from after to before kept the hash")
		}
	})
}

// histChain builds a valid chain of n events.
func histChain(n int) []Event {
	var es []Event
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := Event{
			Seq:        int64(i),
			Time:       fmt.Sprintf("2026-03-01T10:00:%02d.000000Z", i%60),
			Actor:      []string{"rey", "eda", "ed", "système"}[i%4],
			ActorRole:  []string{"reviewer", "editor", "editor", "system"}[i%4],
			Action:     []string{"claim.created", "note.added", "revision.approved", "flag.raised"}[i%4],
			EntityType: []string{"claim", "note", "revision", "flag"}[i%4],
			EntityID:   strconv.Itoa(i * 3),
			Before:     map[bool]string{true: "", false: fmt.Sprintf(`{"n":%d}`, i-1)}[i%3 == 0],
			After:      fmt.Sprintf(`{"n":%d,"body":"line\nbreak, \"quote\" ü"}`, i),
			Reason:     map[bool]string{true: "", false: "why: " + strconv.Itoa(i)}[i%2 == 0],
			PrevHash:   prev,
		}
		e.Hash = ComputeHash(e)
		prev = e.Hash
		es = append(es, e)
	}
	return es
}

func histVerify(es []Event) error {
	v := Verifier{Chain: true}
	for _, e := range es {
		if err := v.Add(e); err != nil {
			return err
		}
	}
	return nil
}

// histMutate changes field i of e (by reflection, so that a field added to
// Event later is covered too) and reports the field's name.
func histMutate(e *Event, i int) string {
	f := reflect.ValueOf(e).Elem().Field(i)
	switch f.Kind() {
	case reflect.String:
		s := f.String()
		if s == "" {
			f.SetString("x")
		} else {
			b := []byte(s)
			b[len(b)/2] ^= 0x01 // flip one bit of one byte
			f.SetString(string(b))
		}
	case reflect.Int64:
		f.SetInt(f.Int() + 1)
	default:
		panic("histMutate: unhandled field kind " + f.Kind().String())
	}
	return reflect.TypeOf(*e).Field(i).Name
}

func TestVerifier(t *testing.T) {
	const n = 12
	t.Run("OK", func(t *testing.T) {
		es := histChain(n)
		v := Verifier{Chain: true}
		for _, e := range es {
			if err := v.Add(e); err != nil {
				t.Fatal(err)
			}
		}
		if v.Count != n || v.Head.Seq != n || v.Head.Hash != es[n-1].Hash || v.Head.Time != es[n-1].Time {
			t.Errorf("Verifier = count %d head %+v, want %d events ending at %s", v.Count, v.Head, n, es[n-1].Hash)
		}
	})
	t.Run("ErrAnyFieldOfAnyEvent", func(t *testing.T) {
		fields := reflect.TypeOf(Event{}).NumField()
		for at := range n {
			for fi := range fields {
				es := histChain(n)
				name := histMutate(&es[at], fi)
				err := histVerify(es)
				var ve *VerifyError
				if !errors.As(err, &ve) {
					t.Errorf("event %d field %s changed: err = %v, want *VerifyError", at+1, name, err)
					continue
				}
				// The change is caught at the changed event, not later.
				if ve.Line != at+1 {
					t.Errorf("event %d field %s changed: caught at event %d (%v)", at+1, name, ve.Line, err)
				}
			}
		}
	})
	t.Run("ErrDropped", func(t *testing.T) {
		for drop := range n - 1 { // dropping the last event is invisible without a trailer: see export tests
			es := histChain(n)
			es = append(es[:drop], es[drop+1:]...)
			err := histVerify(es)
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Line != drop+1 || ve.Seq != int64(drop+2) {
				t.Errorf("event %d dropped: err = %v, want a VerifyError at event %d (seq %d)", drop+1, err, drop+1, drop+2)
			}
		}
	})
	t.Run("ErrReordered", func(t *testing.T) {
		for i := range n - 1 {
			es := histChain(n)
			es[i], es[i+1] = es[i+1], es[i]
			err := histVerify(es)
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Line != i+1 {
				t.Errorf("events %d and %d swapped: err = %v, want a VerifyError at event %d", i+1, i+2, err, i+1)
			}
		}
	})
	t.Run("ErrDuplicated", func(t *testing.T) {
		for i := range n {
			es := histChain(n)
			dup := append(append(append([]Event{}, es[:i+1]...), es[i]), es[i+1:]...)
			err := histVerify(dup)
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Line != i+2 {
				t.Errorf("event %d duplicated: err = %v, want a VerifyError at event %d", i+1, err, i+2)
			}
		}
	})
	t.Run("ErrFirstNotGenesis", func(t *testing.T) {
		// A chain that starts at seq 2 (its first event cut off) fails even
		// though each event's own hash holds.
		es := histChain(n)[1:]
		if err := histVerify(es); err == nil {
			t.Error("a chain starting at seq 2 verified")
		}
	})
	t.Run("ErrRehashedButUnlinked", func(t *testing.T) {
		// A forger who changes an event and recomputes its hash breaks the
		// next event's link.
		es := histChain(n)
		es[4].Reason = "forged"
		es[4].Hash = ComputeHash(es[4])
		err := histVerify(es)
		var ve *VerifyError
		if !errors.As(err, &ve) || ve.Seq != 6 || !strings.Contains(ve.Reason, "prev_hash") {
			t.Errorf("err = %v, want a prev_hash mismatch at seq 6", err)
		}
	})
	t.Run("ErrBadHashLength", func(t *testing.T) {
		es := histChain(2)
		es[1].Hash = es[1].Hash[:63]
		if err := histVerify(es); err == nil {
			t.Error("a 63-digit hash verified")
		}
	})
	t.Run("Unchained", func(t *testing.T) {
		// Without Chain each event is checked on its own: a subset verifies,
		// a changed field still does not.
		es := histChain(n)
		v := Verifier{}
		for i := 0; i < n; i += 3 {
			if err := v.Add(es[i]); err != nil {
				t.Fatalf("subset event %d: %v", i+1, err)
			}
		}
		bad := es[5]
		bad.Actor = "mallory"
		if err := v.Add(bad); err == nil {
			t.Error("a changed event verified without Chain")
		}
	})
}

func TestVerifyErrorMessage(t *testing.T) {
	tests := []struct {
		err  VerifyError
		want string
	}{
		{VerifyError{Line: 5, Seq: 4, Reason: "bad"}, "line 5 (seq 4): bad"},
		{VerifyError{Line: 5, Reason: "bad"}, "line 5: bad"},
		{VerifyError{Seq: 4, Reason: "bad"}, "seq 4: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
