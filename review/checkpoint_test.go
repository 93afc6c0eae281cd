package review_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vetted/review"
)

// seeded is a deterministic key source for tests: the same bytes each time.
func seeded(b byte) *bytes.Reader { return bytes.NewReader(bytes.Repeat([]byte{b}, 64)) }

func mustKey(t testing.TB, b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := review.GenerateKey(seeded(b))
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

var testHead = review.ChainHead{Seq: 42, Hash: strings.Repeat("ab", 32), Time: "2026-01-02T09:00:07.000000Z"}
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestKeyFiles(t *testing.T) {
	pub, priv := mustKey(t, 1)
	t.Run("OK", func(t *testing.T) {
		gotPriv, err := review.ParsePrivateKey(review.MarshalPrivateKey(priv))
		if err != nil || !gotPriv.Equal(priv) {
			t.Errorf("private key round trip: %v", err)
		}
		gotPub, err := review.ParsePublicKey(review.MarshalPublicKey(pub))
		if err != nil || !gotPub.Equal(pub) {
			t.Errorf("public key round trip: %v", err)
		}
		if !strings.HasPrefix(string(review.MarshalPrivateKey(priv)), "vetted-ed25519-private-v1 ") {
			t.Errorf("private key file: %q", review.MarshalPrivateKey(priv))
		}
		// CRLF, as an editor on Windows saves it, is accepted.
		crlf := strings.TrimSuffix(string(review.MarshalPublicKey(pub)), "\n") + "\r\n"
		if _, err := review.ParsePublicKey([]byte(crlf)); err != nil {
			t.Errorf("CRLF: %v", err)
		}
	})
	pub64 := base64.StdEncoding.EncodeToString(pub)
	for name, tc := range map[string]struct {
		data    string
		private bool
		msg     string
	}{
		"Empty":           {"", false, "must start with"},
		"WrongHeader":     {"ssh-ed25519 " + pub64, false, "must start with"},
		"PrivateAsPub":    {string(review.MarshalPrivateKey(priv)), false, "private key of the pair"},
		"PubAsPrivate":    {string(review.MarshalPublicKey(pub)), true, "public key of the pair"},
		"NoSpace":         {"vetted-ed25519-public-v1" + pub64, false, "must start with"},
		"BadBase64":       {"vetted-ed25519-public-v1 " + strings.Repeat("!", 44), false, "base64"},
		"URLBase64":       {"vetted-ed25519-public-v1 " + base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), false, "base64"},
		"Unpadded":        {"vetted-ed25519-public-v1 " + strings.TrimRight(pub64, "="), false, "base64"},
		"Short":           {"vetted-ed25519-public-v1 " + base64.StdEncoding.EncodeToString(pub[:31]), false, "31 bytes"},
		"Long":            {"vetted-ed25519-private-v1 " + base64.StdEncoding.EncodeToString(priv), true, "64 bytes"},
		"TwoLines":        {"vetted-ed25519-public-v1 " + pub64 + "\nmore\n", false, "one line"},
		"TrailingSpace":   {"vetted-ed25519-public-v1 " + pub64 + " \n", false, "base64"},
		"DoubleSpace":     {"vetted-ed25519-public-v1  " + pub64, false, "base64"},
		"Huge":            {"vetted-ed25519-public-v1 " + strings.Repeat("A", 5000), false, "longer than"},
		"NonCanonicalB64": {"vetted-ed25519-public-v1 " + pub64[:42] + "B=", false, ""},
	} {
		t.Run(name, func(t *testing.T) {
			var err error
			if tc.private {
				_, err = review.ParsePrivateKey([]byte(tc.data))
			} else {
				_, err = review.ParsePublicKey([]byte(tc.data))
			}
			if name == "NonCanonicalB64" && pub64[42] == 'B' {
				t.Skip("the test key's base64 happens to be canonical at this position")
			}
			if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), tc.msg) {
				t.Errorf("got %v, want EINVALID saying %q", err, tc.msg)
			}
		})
	}
}

func TestCheckpoint(t *testing.T) {
	pub, priv := mustKey(t, 1)
	other, _ := mustKey(t, 2)
	cp, err := review.Sign(testHead, priv, testNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		if err := review.VerifyCheckpoint(cp, pub); err != nil {
			t.Fatal(err)
		}
		if cp.Head() != testHead || cp.KeyID != review.KeyID(pub) || cp.SignedAt != "2026-03-01T12:00:00.000000Z" {
			t.Errorf("got %+v", cp)
		}
		parsed, err := review.ParseCheckpoint(review.MarshalCheckpoint(cp))
		if err != nil || parsed != cp {
			t.Errorf("round trip: %+v, %v", parsed, err)
		}
		want := "vetted-checkpoint-v1\n42\n" + testHead.Hash + "\n2026-01-02T09:00:07.000000Z\n2026-03-01T12:00:00.000000Z\n" + cp.KeyID + "\n"
		if got := string(cp.Message()); got != want {
			t.Errorf("message:\ngot  %q\nwant %q", got, want)
		}
		if !ed25519.Verify(pub, []byte(want), mustB64(t, cp.Signature)) {
			t.Error("the signature is not over the documented message")
		}
	})
	t.Run("OtherKey", func(t *testing.T) {
		err := review.VerifyCheckpoint(cp, other)
		if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), "signed with key "+cp.KeyID) {
			t.Errorf("got %v", err)
		}
	})
	for name, change := range map[string]func(*review.Checkpoint){
		"Seq":      func(c *review.Checkpoint) { c.Seq++ },
		"Hash":     func(c *review.Checkpoint) { c.Hash = strings.Repeat("cd", 32) },
		"Time":     func(c *review.Checkpoint) { c.Time = "2026-01-02T09:00:08.000000Z" },
		"SignedAt": func(c *review.Checkpoint) { c.SignedAt = "2027-03-01T12:00:00.000000Z" },
		"Signature": func(c *review.Checkpoint) {
			s := mustB64(t, c.Signature)
			s[0] ^= 1
			c.Signature = base64.StdEncoding.EncodeToString(s)
		},
		// A forger who sets key_id to the verifier's key is caught by the
		// signature itself.
		"KeyIDForged": func(c *review.Checkpoint) { c.KeyID = review.KeyID(other) },
	} {
		t.Run("Tampered"+name, func(t *testing.T) {
			bad := cp
			change(&bad)
			pk := pub
			if name == "KeyIDForged" {
				pk = other
			}
			if err := review.VerifyCheckpoint(bad, pk); review.ErrorCode(err) != review.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
	t.Run("EmptyHistory", func(t *testing.T) {
		if _, err := review.Sign(review.ChainHead{}, priv, testNow); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("got %v", err)
		}
	})
	t.Run("BadHead", func(t *testing.T) {
		if _, err := review.Sign(review.ChainHead{Seq: 1, Hash: "x", Time: testHead.Time}, priv, testNow); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("got %v", err)
		}
	})
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCheckpoint(t *testing.T) {
	_, priv := mustKey(t, 1)
	cp, err := review.Sign(testHead, priv, testNow)
	if err != nil {
		t.Fatal(err)
	}
	good := string(review.MarshalCheckpoint(cp))
	with := func(k string, v any) string {
		var m map[string]any
		json.Unmarshal([]byte(good), &m)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	for name, data := range map[string]string{
		"Empty":         "",
		"NotJSON":       "seq 42",
		"Array":         "[" + good + "]",
		"Trailing":      good + "{}",
		"TrailingJunk":  good + "x",
		"Unknown":       with("extra", 1),
		"NoSignature":   with("signature", nil),
		"NoFormat":      with("format", nil),
		"OtherFormat":   with("format", "vetted-checkpoint-v2"),
		"SeqZero":       with("seq", 0),
		"SeqNegative":   with("seq", -1),
		"SeqString":     with("seq", "42"),
		"SeqFloat":      with("seq", 4.2),
		"HashUpper":     with("hash", strings.Repeat("AB", 32)),
		"HashShort":     with("hash", "abcd"),
		"HashNewline":   with("hash", strings.Repeat("ab", 31)+"\n\n"),
		"TimeRFC3339":   with("time", "2026-01-02T09:00:07Z"),
		"SignedAtEmpty": with("signed_at", ""),
		"KeyIDLong":     with("key_id", strings.Repeat("a", 17)),
		"Huge":          good[:len(good)-2] + `,"x":"` + strings.Repeat("a", 5000) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := review.ParseCheckpoint([]byte(data)); review.ErrorCode(err) != review.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
	t.Run("BadSignatureBase64", func(t *testing.T) {
		pub, _ := mustKey(t, 1)
		bad, err := review.ParseCheckpoint([]byte(with("signature", "%%%")))
		if err != nil {
			t.Fatal(err) // shape is fine; the signature is checked by VerifyCheckpoint
		}
		if err := review.VerifyCheckpoint(bad, pub); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("got %v", err)
		}
	})
}

func FuzzParseCheckpoint(f *testing.F) {
	pub, priv := mustKey(f, 1)
	cp, _ := review.Sign(testHead, priv, testNow)
	f.Add(review.MarshalCheckpoint(cp))
	f.Add([]byte(`{"format":"vetted-checkpoint-v1","seq":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := review.ParseCheckpoint(data)
		if err != nil {
			return
		}
		if review.VerifyCheckpoint(c, pub) == nil && c != cp {
			t.Errorf("a different checkpoint verified: %+v", c)
		}
	})
}

func FuzzParseKey(f *testing.F) {
	pub, priv := mustKey(f, 1)
	f.Add(review.MarshalPublicKey(pub))
	f.Add(review.MarshalPrivateKey(priv))
	f.Fuzz(func(t *testing.T, data []byte) {
		if k, err := review.ParsePublicKey(data); err == nil && len(k) != ed25519.PublicKeySize {
			t.Errorf("public key of %d bytes", len(k))
		}
		// A parsed key marshals back to the file, up to its line ending.
		if k, err := review.ParsePrivateKey(data); err == nil &&
			!bytes.Equal(bytes.TrimRight(review.MarshalPrivateKey(k), "\n"), bytes.TrimRight(data, "\r\n")) {
			t.Errorf("parsed %q, marshals to %q", data, review.MarshalPrivateKey(k))
		}
	})
}
