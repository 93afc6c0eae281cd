package review

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// FuzzOpenCheckpoint: any bytes given as a checkpoint are refused or read
// without panicking, and a checkpoint that opens says exactly what its
// signed text says. (A changed byte may still open: base64's unused bits in
// a signature's last character are x/mod's to judge.)
func FuzzOpenCheckpoint(f *testing.F) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "vetted.test/log")
	if err != nil {
		f.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	good, err := SignCheckpoint(TreeHead{Size: 187, Hash: tlog.RecordHash([]byte("x"))}, s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, uint16(0), byte(0))
	f.Add(good, uint16(20), byte(1))
	f.Add([]byte("vetted.test/log\n3\nAAAA\n\n— vetted.test/log AAAA\n"), uint16(0), byte(0))
	f.Add([]byte(`{"format":"vetted-checkpoint-v1"}`), uint16(0), byte(0))
	f.Fuzz(func(t *testing.T, msg []byte, at uint16, flip byte) {
		if flip != 0 && len(msg) > 0 {
			msg = bytes.Clone(msg)
			msg[int(at)%len(msg)] ^= flip
		}
		cp, err := OpenCheckpoint(msg, v)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("not EINVALID: %v", err)
			}
			return
		}
		if !bytes.HasPrefix(msg, []byte(CheckpointText(cp.Origin, cp.TreeHead))) {
			t.Fatalf("opened %+v from a note whose text is %q", cp.TreeHead, strings.SplitN(string(msg), "\n\n", 2)[0])
		}
	})
}

// FuzzParseKeys: any bytes given as a key file are refused or read without
// panicking.
func FuzzParseKeys(f *testing.F) {
	skey, vkey, _ := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)), "vetted.test/log")
	f.Add([]byte(skey + "\n"))
	f.Add([]byte(vkey + "\n"))
	f.Add([]byte("vetted-ed25519-private-v1 AAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := ParseNoteSigner(data); err == nil && ValidOrigin(s.Name()) != nil {
			t.Fatalf("signer named %q accepted", s.Name())
		} else if err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("not EINVALID: %v", err)
		}
		if _, err := ParseNoteVerifier(data); err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("not EINVALID: %v", err)
		}
		// A proof reads back as it is written (a missing final newline
		// aside).
		if hs, err := ParseHashes(data); err == nil {
			back := FormatHashes(hs)
			if !bytes.Equal(back, data) && !bytes.Equal(back, append(bytes.Clone(data), '\n')) {
				t.Fatalf("ParseHashes(%q) = %d hashes, written back as %q", data, len(hs), back)
			}
		}
	})
}
