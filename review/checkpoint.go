package review

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Key files are one line of text: a header naming the format, one space,
// the key in standard base64 (with padding), and a newline:
//
//	vetted-ed25519-private-v1 <base64 of the 32-byte Ed25519 seed>
//	vetted-ed25519-public-v1 <base64 of the 32-byte Ed25519 public key>
//
// The private file holds the seed (RFC 8032's private key) rather than Go's
// 64-byte form, which repeats the public key and could disagree with it.
const (
	PrivateKeyHeader = "vetted-ed25519-private-v1"
	PublicKeyHeader  = "vetted-ed25519-public-v1"
)

// maxKeyFile bounds a key file: a real one is under 80 bytes.
const maxKeyFile = 1024

// GenerateKey makes a signing key pair from rand (crypto/rand.Reader in
// production).
func GenerateKey(rand io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("review: generate key: %w", err)
	}
	return pub, priv, nil
}

// MarshalPrivateKey renders priv as a private key file.
func MarshalPrivateKey(priv ed25519.PrivateKey) []byte {
	return []byte(PrivateKeyHeader + " " + base64.StdEncoding.EncodeToString(priv.Seed()) + "\n")
}

// MarshalPublicKey renders pub as a public key file.
func MarshalPublicKey(pub ed25519.PublicKey) []byte {
	return []byte(PublicKeyHeader + " " + base64.StdEncoding.EncodeToString(pub) + "\n")
}

// ParsePrivateKey reads a private key file.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	seed, err := parseKeyFile(data, PrivateKeyHeader, "private", ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// ParsePublicKey reads a public key file.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	b, err := parseKeyFile(data, PublicKeyHeader, "public", ed25519.PublicKeySize)
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(b), nil
}

func parseKeyFile(data []byte, header, kind string, size int) ([]byte, error) {
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "Not a vetted %s key file: %s", kind, fmt.Sprintf(format, args...))
	}
	if len(data) > maxKeyFile {
		return nil, bad("it is longer than %d bytes.", maxKeyFile)
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if strings.ContainsAny(line, "\r\n") {
		return nil, bad("it must be one line.")
	}
	h, b64, ok := strings.Cut(line, " ")
	if !ok || h != header {
		other, otherKind := PublicKeyHeader, "public"
		if kind == "public" {
			other, otherKind = PrivateKeyHeader, "private"
		}
		if h == other {
			return nil, bad("this is the %s key of the pair.", otherKind)
		}
		return nil, bad("it must start with %q.", header)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, bad("the key is not valid base64.")
	}
	if len(b) != size {
		return nil, bad("the key is %d bytes, want %d.", len(b), size)
	}
	return b, nil
}

// KeyID is the fingerprint of a public key: the first 16 hex digits of the
// SHA-256 of its 32 bytes. It names the key; it proves nothing on its own.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// CheckpointFormat names the checkpoint format and starts the signed
// message.
const CheckpointFormat = "vetted-checkpoint-v1"

// Checkpoint is the history's head signed with an Ed25519 key that need not
// live on the server. An export that contains the checkpoint's event
// unchanged (and, unfiltered, every event before it, chained) proves the
// history up to the checkpoint was not rewritten after it was signed.
type Checkpoint struct {
	Format    string `json:"format"`
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`
	Time      string `json:"time"`      // the head event's time, TimeFormat
	SignedAt  string `json:"signed_at"` // TimeFormat
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // standard base64 of the 64-byte signature
}

// Head is the chain head the checkpoint vouches for.
func (cp Checkpoint) Head() ChainHead { return ChainHead{Seq: cp.Seq, Hash: cp.Hash, Time: cp.Time} }

// Message is the exact byte string that is signed: each field on its own
// line, in this order, each line ending in "\n":
//
//	vetted-checkpoint-v1
//	<seq in decimal>
//	<hash, 64 lowercase hex digits>
//	<time>
//	<signed_at>
//	<key_id>
//
// No field may hold a newline (check refuses one), so the message is
// unambiguous.
func (cp Checkpoint) Message() []byte {
	var b bytes.Buffer
	for _, f := range []string{CheckpointFormat, strconv.FormatInt(cp.Seq, 10), cp.Hash, cp.Time, cp.SignedAt, cp.KeyID} {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Sign makes a checkpoint of head, signed with priv at now.
func Sign(head ChainHead, priv ed25519.PrivateKey, now time.Time) (Checkpoint, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return Checkpoint{}, Errorf(EINVALID, "The signing key is not an Ed25519 private key.")
	}
	if head.Seq == 0 {
		return Checkpoint{}, Errorf(EINVALID, "The history is empty: there is no head to sign yet.")
	}
	pub := priv.Public().(ed25519.PublicKey)
	cp := Checkpoint{Format: CheckpointFormat, Seq: head.Seq, Hash: head.Hash, Time: head.Time,
		SignedAt: FormatTime(now), KeyID: KeyID(pub)}
	if err := cp.check(); err != nil {
		return Checkpoint{}, err
	}
	cp.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(priv, cp.Message()))
	return cp, nil
}

// check validates the fields' shapes, so Message is unambiguous and a
// malformed checkpoint is named as such rather than as a bad signature.
func (cp Checkpoint) check() error {
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "Not a valid checkpoint: %s", fmt.Sprintf(format, args...))
	}
	switch {
	case cp.Format != CheckpointFormat:
		return bad("format is %q, want %q.", cp.Format, CheckpointFormat)
	case cp.Seq < 1:
		return bad("seq must be 1 or more.")
	case !isHex64(cp.Hash):
		return bad("hash must be 64 lowercase hex digits.")
	case !isTime(cp.Time):
		return bad("time %q is not in the history's time format (%s).", cp.Time, TimeFormat)
	case !isTime(cp.SignedAt):
		return bad("signed_at %q is not in the history's time format (%s).", cp.SignedAt, TimeFormat)
	case len(cp.KeyID) != 16 || !isLowerHex(cp.KeyID):
		return bad("key_id must be 16 lowercase hex digits.")
	}
	return nil
}

func isHex64(s string) bool { return len(s) == 64 && isLowerHex(s) }

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// isTime reports whether s is a time exactly as FormatTime writes it.
func isTime(s string) bool {
	t, err := time.Parse(TimeFormat, s)
	return err == nil && FormatTime(t) == s
}

// VerifyCheckpoint checks that cp was signed by pub and not changed since.
// A checkpoint signed with another key is refused by name.
func VerifyCheckpoint(cp Checkpoint, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return Errorf(EINVALID, "The public key is not an Ed25519 public key.")
	}
	if err := cp.check(); err != nil {
		return err
	}
	if id := KeyID(pub); cp.KeyID != id {
		return Errorf(EINVALID, "The checkpoint was signed with key %s, not with the given public key %s.", cp.KeyID, id)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(cp.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Errorf(EINVALID, "Not a valid checkpoint: the signature must be %d bytes in base64.", ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, cp.Message(), sig) {
		return Errorf(EINVALID, "The checkpoint's signature does not match its fields: it was changed after signing, or signed with another key.")
	}
	return nil
}

// maxCheckpointFile bounds a checkpoint file: a real one is under 400 bytes.
const maxCheckpointFile = 4096

// ParseCheckpoint reads a checkpoint's JSON (one object; unknown fields
// refused). It checks the fields' shapes, not the signature: call
// VerifyCheckpoint.
func ParseCheckpoint(data []byte) (Checkpoint, error) {
	if len(data) > maxCheckpointFile {
		return Checkpoint{}, Errorf(EINVALID, "Not a valid checkpoint: it is longer than %d bytes.", maxCheckpointFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cp Checkpoint
	if err := dec.Decode(&cp); err != nil {
		return Checkpoint{}, Errorf(EINVALID, "Not a valid checkpoint: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Checkpoint{}, Errorf(EINVALID, "Not a valid checkpoint: text after the JSON object.")
	}
	if err := cp.check(); err != nil {
		return Checkpoint{}, err
	}
	if cp.Signature == "" {
		return Checkpoint{}, Errorf(EINVALID, "Not a valid checkpoint: it has no signature.")
	}
	return cp, nil
}

// MarshalCheckpoint renders cp as the JSON a checkpoint file holds: one
// indented object and a newline.
func MarshalCheckpoint(cp Checkpoint) []byte {
	b, _ := json.MarshalIndent(cp, "", "  ") // plain strings and an integer: cannot fail
	return append(b, '\n')
}
