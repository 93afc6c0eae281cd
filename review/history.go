package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Event is one entry of the append-only change history. Each event's hash
// covers its fields and the previous event's hash, so changing, dropping or
// reordering any event breaks every later link. docs/HISTORY.md specifies
// the encoding for auditors who check it without vetted.
type Event struct {
	Seq        int64  `json:"seq"`
	Time       string `json:"time"` // TimeFormat, UTC
	Actor      string `json:"actor"`
	ActorRole  string `json:"actor_role"`
	Action     string `json:"action"`
	EntityType string `json:"entity_type"`
	EntityID   string `json:"entity_id"`
	// Before and After are JSON documents carried as strings, so the hashed
	// bytes survive any JSON parser; "" when there is no before or after.
	Before   string `json:"before"`
	After    string `json:"after"`
	Reason   string `json:"reason"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// TimeFormat is the fixed-width UTC layout of event times: it sorts as
// text and formats back to the same bytes.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime renders t in TimeFormat.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// GenesisHash is the previous hash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashDomain separates vetted's event hashes from any other SHA-256 use.
const hashDomain = "vetted-event-v1\n"

// ComputeHash returns the hex SHA-256 of the canonical encoding of e: the
// domain line, then for each field in order its byte length in decimal, a
// colon, its bytes and a newline. Length prefixes make the encoding
// unambiguous whatever the fields contain.
func ComputeHash(e Event) string {
	var buf [512]byte
	sum, _ := eventSum(&e, buf[:0])
	return hex.EncodeToString(sum[:])
}

// eventSum is the SHA-256 that ComputeHash writes in hex. It builds the
// encoding in buf, which it returns for reuse.
func eventSum(e *Event, buf []byte) ([sha256.Size]byte, []byte) {
	buf = append(buf[:0], hashDomain...)
	var seq [20]byte
	buf = appendHashField(buf, strconv.AppendInt(seq[:0], e.Seq, 10))
	for _, f := range [...]string{
		e.Time, e.Actor, e.ActorRole, e.Action,
		e.EntityType, e.EntityID, e.Before, e.After, e.Reason, e.PrevHash,
	} {
		buf = appendHashField(buf, f)
	}
	return sha256.Sum256(buf), buf
}

// appendHashField appends one field of ComputeHash's encoding: its length
// in decimal, a colon, its bytes and a newline.
func appendHashField[T string | []byte](buf []byte, f T) []byte {
	buf = strconv.AppendInt(buf, int64(len(f)), 10)
	buf = append(buf, ':')
	buf = append(buf, f...)
	return append(buf, '\n')
}

// ChainHead is the last event of the history.
type ChainHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
	Time string `json:"time"`
}

// VerifyError names the first event that does not hold.
type VerifyError struct {
	Line int   // 1-based line of an export, 0 when not from a file
	Seq  int64 // the event's sequence number, 0 if unreadable
	// Check names the check that failed (docs/HISTORY.md lists them):
	// hash, seq, link, line-form, header, omitted, trailer, digest, end,
	// filtered-v1, tree.
	Check  string
	Reason string
}

func (e *VerifyError) Error() string {
	check := ""
	if e.Check != "" {
		check = " [" + e.Check + "]"
	}
	switch {
	case e.Line > 0 && e.Seq > 0:
		return fmt.Sprintf("line %d (seq %d)%s: %s", e.Line, e.Seq, check, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("line %d%s: %s", e.Line, check, e.Reason)
	}
	return fmt.Sprintf("seq %d%s: %s", e.Seq, check, e.Reason)
}

// Verifier checks events one at a time in constant memory. With Chain set
// it also checks that sequence numbers run 1, 2, 3… and that each event
// links to the one before; without it (a filtered export) each event is
// checked on its own.
type Verifier struct {
	Chain bool
	Count int64
	Head  ChainHead
	line  int
	buf   []byte // for eventSum
}

// Add checks the next event.
func (v *Verifier) Add(e Event) error {
	v.line++
	fail := func(check, format string, args ...any) error {
		return &VerifyError{Line: v.line, Seq: e.Seq, Check: check, Reason: fmt.Sprintf(format, args...)}
	}
	if len(e.Hash) != 64 || len(e.PrevHash) != 64 {
		return fail("hash", "hash and prev_hash must be 64 hex digits")
	}
	var sum [sha256.Size]byte
	sum, v.buf = eventSum(&e, v.buf)
	if cap(v.buf) > 64<<10 {
		v.buf = nil // do not keep a large event's buffer
	}
	var got [2 * sha256.Size]byte
	hex.Encode(got[:], sum[:])
	if string(got[:]) != e.Hash {
		return fail("hash", "hash does not match the event's fields (computed %s, recorded %s)", string(got[:]), e.Hash)
	}
	if v.Chain {
		want := v.Head.Seq + 1
		if e.Seq != want {
			if e.Seq > want {
				return fail("seq", "expected seq %d: events %d to %d are missing or out of order", want, want, e.Seq-1)
			}
			return fail("seq", "expected seq %d: events are out of order or repeated", want)
		}
		prev := v.Head.Hash
		if v.Head.Seq == 0 {
			prev = GenesisHash
		}
		if e.PrevHash != prev {
			return fail("link", "prev_hash does not match the previous event's hash")
		}
	}
	v.Count++
	v.Head = ChainHead{Seq: e.Seq, Hash: e.Hash, Time: e.Time}
	return nil
}

// skip accounts for an event a filtered export omits, known only by its
// hash: the next event must link to it.
func (v *Verifier) skip(seq int64, hash string) {
	v.Head = ChainHead{Seq: seq, Hash: hash}
}

// EventFilter selects history events; zero fields do not filter.
type EventFilter struct {
	Since  time.Time
	Until  time.Time
	Actor  string
	Action string
	Claim  int64
	Report string
	After  int64 // only events with a greater seq
	Before int64 // only events with a smaller seq
	// Newest lists the newest events first (a page of the history view);
	// exports and verification always read oldest first.
	Newest bool
	Limit  int
}

// Filtered reports whether f selects a subset of the history, in which case
// an export cannot be checked for continuity.
func (f EventFilter) Filtered() bool {
	return !f.Since.IsZero() || !f.Until.IsZero() || f.Actor != "" || f.Action != "" || f.Claim != 0 || f.Report != "" || f.After != 0 || f.Before != 0
}

// HistoryService reads the history.
type HistoryService interface {
	Head(ctx context.Context) (ChainHead, error)
	// EachEvent calls fn for every event that matches f, oldest first, from
	// one read transaction; it stops at fn's first error.
	EachEvent(ctx context.Context, f EventFilter, fn func(Event) error) error
	// EachExportEvent calls fn for every event, oldest first, from one
	// read transaction, saying whether f selects it.
	EachExportEvent(ctx context.Context, f EventFilter, fn func(e Event, selected bool) error) error
	// VerifyChain checks the whole stored chain and tree.
	VerifyChain(ctx context.Context) (ChainHead, error)
	// VerifyChainSince checks the chain and tree after a tree verified
	// before, reading only the events since; it returns the new head and
	// tree.
	VerifyChainSince(ctx context.Context, from TreeHead) (ChainHead, TreeHead, error)
	// VerifyRecords compares the records with what the history says.
	VerifyRecords(ctx context.Context) ([]RecordMismatch, error)
	// CheckDerived compares what the tables derive from the records
	// (counts, copies) with a recount; RebuildDerived recomputes them.
	CheckDerived(ctx context.Context) ([]RecordMismatch, error)
	RebuildDerived(ctx context.Context) error
	// VerifiedTree is the tree a history check last recorded as verified
	// (RecordVerified); Size 0 when none was.
	VerifiedTree(ctx context.Context) (TreeHead, error)
	// RecordVerified records that the tree th was verified, so the next
	// start checks the stored history against it. A tree no larger than
	// the one recorded changes nothing: the record only grows.
	RecordVerified(ctx context.Context, th TreeHead) error
}
