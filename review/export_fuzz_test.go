package review

import (
	"bytes"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzExportVerify: an export of any events verifies, whole or (at odd)
// filtered with the middle event omitted by its hash, and changing any one
// byte of it makes verify fail without panicking.
func FuzzExportVerify(f *testing.F) {
	f.Add("rey", "note.added", `{"body":"Ask the hatcheries"}`, "", uint16(40), byte(1))
	f.Add("eda", "revision.approved", `{"statement":"Cigánska mafia exists"}`, "four-eyes ok", uint16(300), byte(0x20))
	f.Add("", "", "", "=cmd|' /C calc'!A0", uint16(0), byte(0x80))
	f.Fuzz(func(t *testing.T, actor, action, after, reason string, at uint16, flip byte) {
		// The store only records valid UTF-8 (text is checked on the way in,
		// JSON is valid by construction); JSON cannot carry other bytes.
		for _, s := range []string{actor, action, after, reason} {
			if !utf8.ValidString(s) {
				t.Skip()
			}
		}
		filtered := at%2 == 1
		filter := ""
		if filtered {
			filter = "actor=" + actor
		}
		var buf bytes.Buffer
		w, err := NewJSONLWriter(&buf, filter)
		if err != nil {
			t.Fatal(err)
		}
		prev := GenesisHash
		for seq := int64(1); seq <= 3; seq++ {
			e := Event{Seq: seq, Time: "2026-03-01T09:00:0" + strconv.FormatInt(seq, 10) + ".000000Z", Actor: actor,
				ActorRole: "reviewer", Action: action, EntityType: "note", EntityID: strconv.FormatInt(seq, 10),
				After: after, Reason: reason, PrevHash: prev}
			e.Hash = ComputeHash(e)
			prev = e.Hash
			if filtered && seq == 2 {
				err = w.Omit(e.Seq, e.Hash)
			} else {
				err = w.Write(e)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		good := buf.Bytes()
		res, err := VerifyJSONL(bytes.NewReader(good))
		if err != nil || res.Events+res.Omitted != 3 || !res.Continuity || res.Filtered != filtered {
			t.Fatalf("a fresh export does not verify: %+v %v", res, err)
		}
		if flip == 0 {
			return
		}
		bad := bytes.Clone(good)
		bad[int(at)%len(bad)] ^= flip
		if _, err := VerifyJSONL(bytes.NewReader(bad)); err == nil {
			t.Fatalf("byte %d changed (^%#x) and verify still passed:\n%s", int(at)%len(bad), flip, bad)
		}
	})
}
