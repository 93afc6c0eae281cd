package review

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The history is also a transparency log (RFC 6962 Merkle tree, as
// golang.org/x/mod/sumdb/tlog builds it): record i is event seq i+1, and
// its data is the event's hash written as 64 lowercase hex characters. The
// chain says each event follows the one before; the tree lets anyone check
// with a few hashes that one head extends another (a consistency proof) or
// that an event is in the tree a head signs (an inclusion proof), without
// holding the whole history. docs/HISTORY.md describes both for auditors.

// LeafData is the tlog record data for an event with this hash.
func LeafData(eventHash string) []byte { return []byte(eventHash) }

// LeafHash is the tlog record hash for an event with this hash.
func LeafHash(eventHash string) tlog.Hash { return tlog.RecordHash(LeafData(eventHash)) }

// TreeHead is the Merkle tree over the first Size events.
type TreeHead struct {
	Size int64
	Hash tlog.Hash
}

// LogService reads the history as a transparency log.
type LogService interface {
	// TreeHead is the tree over every event, read from one snapshot.
	TreeHead(ctx context.Context) (TreeHead, error)
	// TreeHash is the root of the tree over the first n events.
	TreeHash(ctx context.Context, n int64) (tlog.Hash, error)
	// ProveTree proves that the tree of size n extends the tree of size old.
	ProveTree(ctx context.Context, old, n int64) (tlog.TreeProof, error)
	// ProveRecord proves that event seq is in the tree of size n.
	ProveRecord(ctx context.Context, seq, n int64) (tlog.RecordProof, error)
	// ReadTile returns a hash tile's data (C2SP tlog-tiles).
	ReadTile(ctx context.Context, t tlog.Tile) ([]byte, error)
}

// CheckTreeSizes validates a consistency proof request (tree of size old
// to tree of size n) against a history of have events, so that a bad
// request is named rather than failing deep in tlog.
func CheckTreeSizes(old, n, have int64) error {
	switch {
	case old < 1 || n < 1:
		return Errorf(EINVALID, "Tree sizes start at 1 (got %d and %d): every tree extends the empty one.", old, n)
	case old > n:
		return Errorf(EINVALID, "The old tree size %d is larger than the new one %d: a log only grows.", old, n)
	case n > have:
		return Errorf(EINVALID, "The history has %d events: there is no tree of size %d yet.", have, n)
	}
	return nil
}

// CheckRecordSizes validates an inclusion proof request (event seq in the
// tree of size n) against a history of have events.
func CheckRecordSizes(seq, n, have int64) error {
	switch {
	case seq < 1:
		return Errorf(EINVALID, "Events are numbered from 1 (got %d).", seq)
	case n < 1:
		return Errorf(EINVALID, "Tree sizes start at 1 (got %d).", n)
	case seq > n:
		return Errorf(EINVALID, "Event %d is not in a tree of %d events: the size must be at least the event's seq.", seq, n)
	case n > have:
		return Errorf(EINVALID, "The history has %d events: there is no tree of size %d yet.", have, n)
	}
	return nil
}

// FormatHashes writes hashes in standard base64, one a line: the form
// `vetted proof` prints.
func FormatHashes(hs []tlog.Hash) []byte {
	var b bytes.Buffer
	for _, h := range hs {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseHashes reads what FormatHashes writes.
func ParseHashes(data []byte) ([]tlog.Hash, error) {
	if len(data) == 0 {
		return nil, nil // the proof between equal trees, or from the empty one
	}
	var hs []tlog.Hash
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		b, err := base64.StdEncoding.Strict().DecodeString(line)
		if err != nil || len(b) != tlog.HashSize {
			return nil, Errorf(EINVALID, "Proof line %d is not a base64 SHA-256 hash.", i+1)
		}
		hs = append(hs, tlog.Hash(b))
	}
	return hs, nil
}

// TreeBuilder computes the tree over a stream of events in memory bounded
// by the tree's height: it keeps only the stored hashes later records and
// the root still need, those of the complete subtrees the size decomposes
// into (one per bit set in the size, at that bit's level), which are
// exactly the ones tlog reads.
type TreeBuilder struct {
	n     int64
	roots [64]tlog.Hash // roots[level]: the complete subtree at that level, when bit level of n is set
}

// NewTreeBuilderAt starts a TreeBuilder at a tree of n records, from the
// stored hashes of the complete subtrees n decomposes into, read through r
// (log2(n) of them at most). Nothing checks them: compare Root with a
// root verified before trusting what is built on them.
func NewTreeBuilderAt(n int64, r tlog.HashReader) (TreeBuilder, error) {
	b := TreeBuilder{n: n}
	var levels []int
	var indexes []int64
	for level := range len(b.roots) {
		if n>>level&1 == 1 {
			levels = append(levels, level)
			indexes = append(indexes, tlog.StoredHashIndex(level, n>>level-1))
		}
	}
	if len(indexes) == 0 {
		return b, nil
	}
	hs, err := r.ReadHashes(indexes)
	if err != nil {
		return TreeBuilder{}, err
	}
	for i, level := range levels {
		b.roots[level] = hs[i]
	}
	return b, nil
}

// Size is how many records were added.
func (b *TreeBuilder) Size() int64 { return b.n }

// Add appends the record of the event with this hash. It merges the new
// leaf with the complete subtrees to its left as AddStored does, without
// collecting the hashes it passes through.
func (b *TreeBuilder) Add(eventHash string) error {
	if b.n == 1<<63-1 {
		return fmt.Errorf("review: tree builder: the tree is full")
	}
	var data [64]byte
	h := tlog.RecordHash(append(data[:0], eventHash...))
	level := 0
	for ; b.n>>level&1 == 1; level++ {
		h = tlog.NodeHash(b.roots[level], h)
	}
	b.roots[level] = h
	b.n++
	return nil
}

// AddStored is Add, returning the stored hashes the record adds (from
// index tlog.StoredHashIndex(0, n)), for comparing with a stored tree.
func (b *TreeBuilder) AddStored(eventHash string) ([]tlog.Hash, error) {
	hs, err := tlog.StoredHashes(b.n, LeafData(eventHash), b)
	if err != nil {
		return nil, err
	}
	// hs[i] is the new record's subtree at level i: the last of them is a
	// root of the new size, the others were merged into it.
	copy(b.roots[:], hs)
	b.n++
	return hs, nil
}

// ReadHashes implements tlog.HashReader over the hashes kept.
func (b *TreeBuilder) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		level, n := tlog.SplitStoredHashIndex(x)
		if level >= len(b.roots) || b.n>>level&1 == 0 || n != b.n>>level-1 {
			return nil, fmt.Errorf("review: tree builder: hash %d not kept", x)
		}
		out[i] = b.roots[level]
	}
	return out, nil
}

// Root is the root hash of the tree over the records added so far.
func (b *TreeBuilder) Root() (tlog.Hash, error) {
	if b.n == 0 {
		return tlog.Hash{}, nil
	}
	return tlog.TreeHash(b.n, b)
}

// Signed checkpoints are C2SP tlog-checkpoint notes: three lines of text
// (the log's origin, the tree size in decimal, the root hash in standard
// base64), then a blank line and the note signatures
// (golang.org/x/mod/sumdb/note, Ed25519). The origin is the signing key's
// name.

// ValidOrigin reports why name cannot be a log origin and key name, or nil.
func ValidOrigin(name string) error {
	switch {
	case name == "":
		return Errorf(EINVALID, "The log's name (origin) is empty: use something like vetted.example.org/history.")
	case !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 || strings.Contains(name, "+"):
		return Errorf(EINVALID, "The log's name (origin) %q must have no spaces, control characters or '+': use something like vetted.example.org/history.", name)
	case len(name) > 200:
		return Errorf(EINVALID, "The log's name (origin) is longer than 200 bytes.")
	}
	return nil
}

// GenerateNoteKey makes a checkpoint key pair named origin: the signer key
// (keep it secret) and the verifier key (give it out), each in
// golang.org/x/mod/sumdb/note's text form.
func GenerateNoteKey(rand io.Reader, origin string) (skey, vkey string, err error) {
	if err := ValidOrigin(origin); err != nil {
		return "", "", err
	}
	skey, vkey, err = note.GenerateKey(rand, origin)
	if err != nil {
		return "", "", fmt.Errorf("review: generate key: %w", err)
	}
	return skey, vkey, nil
}

// keyLine reads a one-line key file.
func keyLine(data []byte, kind string) (string, error) {
	if len(data) > maxKeyFile {
		return "", Errorf(EINVALID, "Not a %s key file: it is longer than %d bytes.", kind, maxKeyFile)
	}
	line := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if line == "" {
		return "", Errorf(EINVALID, "Not a %s key file: it is empty.", kind)
	}
	if strings.ContainsAny(line, "\r\n") {
		return "", Errorf(EINVALID, "Not a %s key file: it must be one line.", kind)
	}
	return line, nil
}

// ParseNoteSigner reads a signer key file made by GenerateNoteKey.
func ParseNoteSigner(data []byte) (note.Signer, error) {
	line, err := keyLine(data, "signer")
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(line, PrivateKeyHeader+" ") {
		return nil, Errorf(EINVALID, "This is a key in vetted's old format, which signs only the old JSON checkpoints: make a checkpoint key with 'vetted keygen --out PREFIX --name ORIGIN' (docs/HISTORY.md, key rotation).")
	}
	if !strings.HasPrefix(line, "PRIVATE+KEY+") {
		if _, err := note.NewVerifier(line); err == nil {
			return nil, Errorf(EINVALID, "This is the verifier (public) key of the pair; signing needs the .key file.")
		}
		return nil, Errorf(EINVALID, "Not a signer key file: it must start with PRIVATE+KEY+ (made by 'vetted keygen --name').")
	}
	s, err := note.NewSigner(line)
	if err != nil {
		return nil, Errorf(EINVALID, "Not a valid signer key: %v.", err)
	}
	if err := ValidOrigin(s.Name()); err != nil {
		return nil, err
	}
	return s, nil
}

// ParseNoteVerifier reads a verifier key file made by GenerateNoteKey.
func ParseNoteVerifier(data []byte) (note.Verifier, error) {
	line, err := keyLine(data, "verifier")
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(line, "PRIVATE+KEY+") {
		return nil, Errorf(EINVALID, "This is the private signer key: give verifiers the .pub file, and keep this one secret.")
	}
	v, err := note.NewVerifier(line)
	if err != nil {
		return nil, Errorf(EINVALID, "Not a valid verifier key (name+hash+base64 key): %v.", err)
	}
	return v, nil
}

// IsLegacyPublicKey reports whether data is a public key in the format of
// vetted's old JSON checkpoints.
func IsLegacyPublicKey(data []byte) bool {
	return bytes.HasPrefix(data, []byte(PublicKeyHeader+" "))
}

// CheckpointText is the text of a C2SP checkpoint for head: origin, size,
// base64 root hash, each on a line.
func CheckpointText(origin string, head TreeHead) string {
	return origin + "\n" + strconv.FormatInt(head.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(head.Hash[:]) + "\n"
}

// SignCheckpoint signs head as a C2SP checkpoint whose origin is the key's
// name.
func SignCheckpoint(head TreeHead, s note.Signer) ([]byte, error) {
	if head.Size < 1 {
		return nil, Errorf(EINVALID, "The history is empty: there is no head to sign yet.")
	}
	msg, err := note.Sign(&note.Note{Text: CheckpointText(s.Name(), head)}, s)
	if err != nil {
		return nil, fmt.Errorf("review: sign checkpoint: %w", err)
	}
	return msg, nil
}

// SignedCheckpoint is a checkpoint whose signature has been checked.
type SignedCheckpoint struct {
	Origin string
	TreeHead
	Note []byte // as read
}

// maxNote bounds a checkpoint note: a real one is under 300 bytes.
const maxNote = 16 << 10

// OpenCheckpoint checks that msg is a C2SP checkpoint signed by v for the
// log v names, and reads its tree head.
func OpenCheckpoint(msg []byte, v note.Verifier) (SignedCheckpoint, error) {
	if len(msg) > maxNote {
		return SignedCheckpoint{}, Errorf(EINVALID, "Not a checkpoint: it is longer than %d bytes.", maxNote)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		switch {
		case errors.As(err, &unverified):
			var names []string
			for _, s := range unverified.Note.UnverifiedSigs {
				names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
			}
			return SignedCheckpoint{}, Errorf(EINVALID, "The checkpoint is not signed by the given key %s+%08x (signed by: %s).",
				v.Name(), v.KeyHash(), strings.Join(names, ", "))
		case errors.As(err, &invalid):
			return SignedCheckpoint{}, Errorf(EINVALID, "The checkpoint's signature does not match its text: it was changed after signing.")
		}
		return SignedCheckpoint{}, Errorf(EINVALID, "Not a signed note: %v.", err)
	}
	cp, err := ParseCheckpointText(n.Text)
	if err != nil {
		return SignedCheckpoint{}, err
	}
	if cp.Origin != v.Name() {
		return SignedCheckpoint{}, Errorf(EINVALID, "The checkpoint is for log %q, but the key is named %q.", cp.Origin, v.Name())
	}
	cp.Note = msg
	return cp, nil
}

// ParseCheckpointText reads a checkpoint's text (without signatures):
// origin, decimal tree size without leading zeros, base64 root hash, then
// optional extension lines, which are ignored.
func ParseCheckpointText(text string) (SignedCheckpoint, error) {
	bad := func(format string, args ...any) (SignedCheckpoint, error) {
		return SignedCheckpoint{}, Errorf(EINVALID, "Not a valid checkpoint: %s", fmt.Sprintf(format, args...))
	}
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return bad("it must have an origin line, a tree size line and a root hash line.")
	}
	origin, sizeText, hashText := lines[0], lines[1], lines[2]
	if origin == "" {
		return bad("the origin line is empty.")
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return bad("the tree size %q is not a decimal number.", sizeText)
	}
	h, err := base64.StdEncoding.Strict().DecodeString(hashText)
	if err != nil || len(h) != tlog.HashSize {
		return bad("the root hash is not a base64 SHA-256 hash.")
	}
	return SignedCheckpoint{Origin: origin, TreeHead: TreeHead{Size: size, Hash: tlog.Hash(h)}}, nil
}
