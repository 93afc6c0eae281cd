package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
)

// change is one history event about to be appended.
type change struct {
	action     review.EventName
	entityType string
	entityID   int64
	before     any // marshalled to JSON; nil for none
	after      any
	reason     string
	claimID    int64 // unhashed filter columns; 0 for none
	reportID   int64
}

// record appends one event for a change made in tx, chained to the previous
// event. It runs inside the change's own transaction, so the change and its
// event commit or vanish together; the writer's immediate transaction
// serialises appends.
func (tx *Tx) record(ctx context.Context, actor review.User, c change) (review.Event, error) {
	before, err := jsonText(c.before)
	if err != nil {
		return review.Event{}, err
	}
	after, err := jsonText(c.after)
	if err != nil {
		return review.Event{}, err
	}
	head, err := headOf(ctx, tx)
	if err != nil {
		return review.Event{}, err
	}
	e := review.Event{
		Seq:        head.Seq + 1,
		Time:       review.FormatTime(tx.now),
		Actor:      actor.Name,
		ActorRole:  string(actor.Role),
		Action:     string(c.action),
		EntityType: c.entityType,
		EntityID:   strconv.FormatInt(c.entityID, 10),
		Before:     before,
		After:      after,
		Reason:     c.reason,
		PrevHash:   head.Hash,
	}
	if e.Seq == 1 {
		e.PrevHash = review.GenesisHash
	}
	e.Hash = review.ComputeHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO events (seq, time, actor, actor_role, action, entity_type, entity_id,
		before, after, reason, prev_hash, hash, claim_id, report_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.Time, e.Actor, e.ActorRole, e.Action, e.EntityType, e.EntityID, e.Before, e.After, e.Reason,
		e.PrevHash, e.Hash, nullID(c.claimID), nullID(c.reportID))
	if err != nil {
		return review.Event{}, fmt.Errorf("store: record %s: %w", c.action, err)
	}
	if err := appendLeaf(ctx, tx, e.Seq, e.Hash); err != nil {
		return review.Event{}, err
	}
	return e, nil
}

func jsonText(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("store: event json: %w", err)
	}
	return string(b), nil
}

func headOf(ctx context.Context, q queryer) (review.ChainHead, error) {
	var h review.ChainHead
	err := q.QueryRowContext(ctx, "SELECT seq, hash, time FROM events ORDER BY seq DESC LIMIT 1").Scan(&h.Seq, &h.Hash, &h.Time)
	if errors.Is(err, sql.ErrNoRows) {
		return review.ChainHead{}, nil
	} else if err != nil {
		return review.ChainHead{}, fmt.Errorf("store: head: %w", err)
	}
	return h, nil
}

// Head returns the last event's sequence number, hash and time.
func (db *DB) Head(ctx context.Context) (review.ChainHead, error) {
	return headOf(ctx, db.r)
}

// EachEvent streams the events f selects, oldest first, from one read
// transaction, holding one row in memory at a time.
func (db *DB) EachEvent(ctx context.Context, f review.EventFilter, fn func(review.Event) error) error {
	tx, err := db.read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	where, args := eventWhere(f)
	from := " FROM events"
	if f.Limit > 0 && (!f.Since.IsZero() || !f.Until.IsZero()) {
		if from, where, err = pageByTime(ctx, tx, f); err != nil {
			return err
		}
	}
	q := `SELECT seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash` +
		from + where + " ORDER BY seq"
	if f.Newest {
		q += " DESC"
	}
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e review.Event
		if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.ActorRole, &e.Action, &e.EntityType, &e.EntityID,
			&e.Before, &e.After, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			return fmt.Errorf("store: events: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachExportEvent streams every event, oldest first, from one read
// transaction, saying whether f selects it: a filtered export lists the
// hashes of those it leaves out.
func (db *DB) EachExportEvent(ctx context.Context, f review.EventFilter, fn func(review.Event, bool) error) error {
	f.Newest, f.Limit = false, 0
	if !f.Filtered() {
		return db.EachEvent(ctx, f, func(e review.Event) error { return fn(e, true) })
	}
	tx, err := db.read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	where, args := eventWhere(f)
	rows, err := tx.QueryContext(ctx, `SELECT seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash,
		CASE WHEN `+strings.TrimPrefix(where, " WHERE ")+` THEN 1 ELSE 0 END FROM events ORDER BY seq`, args...)
	if err != nil {
		return fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e review.Event
		var selected bool
		if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.ActorRole, &e.Action, &e.EntityType, &e.EntityID,
			&e.Before, &e.After, &e.Reason, &e.PrevHash, &e.Hash, &selected); err != nil {
			return fmt.Errorf("store: events: %w", err)
		}
		if err := fn(e, selected); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timeWindowRows is how many events a page by time reads through the
// time index at most (then sorts them by seq); a wider window walks the
// events in seq order instead, where its events are dense enough to fill a
// page soon.
var timeWindowRows = 10_000 // a variable for tests

// pageByTime chooses how a page of events within a time window is read,
// since SQLite cannot know which is cheaper: through the time index, which
// reads every event of the window and sorts them (a narrow window: up to
// timeWindowRows, counted first), or in seq order, which stops at the page
// but reads every event outside the window on the way (a wide one; event
// times follow seq closely, but nothing makes them). It returns the FROM
// and WHERE clauses; the arguments stay eventWhere's.
func pageByTime(ctx context.Context, tx queryer, f review.EventFilter) (from, where string, err error) {
	window := review.EventFilter{Since: f.Since, Until: f.Until}
	w, args := eventWhere(window)
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM events INDEXED BY events_time"+w+
		" LIMIT "+strconv.Itoa(timeWindowRows+1)+")", args...).Scan(&n); err != nil {
		return "", "", fmt.Errorf("store: events: %w", err)
	}
	where, _ = eventWhere(f)
	if n <= timeWindowRows {
		return " FROM events INDEXED BY events_time", where, nil
	}
	// The unary + keeps SQLite from reading the window through its index.
	where, _ = eventWhereOn(f, "+time")
	return " FROM events", where, nil
}

// eventWhere is the WHERE clause (or "") and its arguments for f.
func eventWhere(f review.EventFilter) (string, []any) { return eventWhereOn(f, "time") }

// eventWhereOn is eventWhere comparing times on the expression timeExpr.
func eventWhereOn(f review.EventFilter, timeExpr string) (string, []any) {
	var conds []string
	var args []any
	if !f.Since.IsZero() {
		conds, args = append(conds, timeExpr+" >= ?"), append(args, review.FormatTime(f.Since))
	}
	if !f.Until.IsZero() {
		conds, args = append(conds, timeExpr+" < ?"), append(args, review.FormatTime(f.Until))
	}
	if f.Actor != "" {
		conds, args = append(conds, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		conds, args = append(conds, "action = ?"), append(args, f.Action)
	}
	if f.Claim != 0 {
		conds, args = append(conds, "claim_id = ?"), append(args, f.Claim)
	}
	if f.Report != "" {
		conds, args = append(conds, "report_id = (SELECT id FROM reports WHERE slug = ?)"), append(args, f.Report)
	}
	if f.After != 0 {
		conds, args = append(conds, "seq > ?"), append(args, f.After)
	}
	if f.Before != 0 {
		conds, args = append(conds, "seq < ?"), append(args, f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountEvents returns how many events f selects.
func (db *DB) CountEvents(ctx context.Context, f review.EventFilter) (int64, error) {
	where, args := eventWhere(f)
	var n int64
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM events"+where, args...).Scan(&n)
	return n, err
}

// VerifyChain recomputes every stored hash and link, and every stored
// hash of the Merkle tree from the events.
func (db *DB) VerifyChain(ctx context.Context) (review.ChainHead, error) {
	var tb review.TreeBuilder
	return db.verifyChainFrom(ctx, review.Verifier{Chain: true}, &tb)
}

// VerifyChainSince checks the history after a tree verified before (from
// a full check): that the stored subtree hashes of its size still make its
// root, then, as VerifyChain does, each later event's hash and link and the
// tree hashes stored for it. It reads the events after from.Size only. It
// returns the new head and the tree over every event.
func (db *DB) VerifyChainSince(ctx context.Context, from review.TreeHead) (review.ChainHead, review.TreeHead, error) {
	tb, err := review.NewTreeBuilderAt(from.Size, hashReader(ctx, db.r))
	if review.ErrorCode(err) == review.EINTERNAL && errors.As(err, new(*review.Error)) {
		return review.ChainHead{}, review.TreeHead{}, &review.VerifyError{Seq: from.Size, Check: "verified-tree", Reason: review.ErrorMessage(err)}
	} else if err != nil {
		return review.ChainHead{}, review.TreeHead{}, err
	}
	if root, err := tb.Root(); err != nil {
		return review.ChainHead{}, review.TreeHead{}, err
	} else if root != from.Hash {
		return review.ChainHead{}, review.TreeHead{}, &review.VerifyError{Seq: from.Size, Check: "verified-tree",
			Reason: fmt.Sprintf("the first %d events are not the ones verified earlier: the history was rewritten under the server, or while it was stopped", from.Size)}
	}
	v := review.Verifier{Chain: true, Count: from.Size}
	if from.Size > 0 {
		err := db.EachEvent(ctx, review.EventFilter{After: from.Size - 1, Limit: 1}, func(e review.Event) error {
			v.Head = review.ChainHead{Seq: e.Seq, Hash: e.Hash, Time: e.Time}
			return nil
		})
		if err != nil {
			return review.ChainHead{}, review.TreeHead{}, err
		}
		// The event's hash must be the last leaf of the tree just checked
		// (an inclusion proof against its root): the events after link to it.
		proof, err := tlog.ProveRecord(from.Size, from.Size-1, hashReader(ctx, db.r))
		if err == nil && v.Head.Seq == from.Size {
			err = tlog.CheckRecord(proof, from.Size, from.Hash, from.Size-1, review.LeafHash(v.Head.Hash))
		}
		if err != nil || v.Head.Seq != from.Size {
			return review.ChainHead{}, review.TreeHead{}, &review.VerifyError{Seq: from.Size, Check: "verified-head",
				Reason: fmt.Sprintf("event %d verified earlier is no longer stored as it was: the history was rewritten", from.Size)}
		}
	}
	head, err := db.verifyChainFrom(ctx, v, &tb)
	if err != nil {
		return head, review.TreeHead{}, err
	}
	root, err := tb.Root()
	return head, review.TreeHead{Size: tb.Size(), Hash: root}, err
}

// verifyChainFrom goes on from v and tb with every event after v's head,
// comparing the tree hashes the events make with those stored.
func (db *DB) verifyChainFrom(ctx context.Context, v review.Verifier, tb *review.TreeBuilder) (review.ChainHead, error) {
	var pending []tlog.Hash // computed tree hashes not yet compared, from index next
	next := tlog.StoredHashIndex(0, tb.Size())
	compare := func() error {
		if len(pending) == 0 {
			return nil
		}
		stored, err := hashReader(ctx, db.r).ReadHashes(indexRange(next, int64(len(pending))))
		if review.ErrorCode(err) == review.EINTERNAL && errors.As(err, new(*review.Error)) {
			return &review.VerifyError{Seq: tb.Size(), Check: "tree", Reason: review.ErrorMessage(err)}
		} else if err != nil {
			return err
		}
		for i, h := range stored {
			if h != pending[i] {
				level, n := tlog.SplitStoredHashIndex(next + int64(i))
				return &review.VerifyError{Seq: n<<level + 1, Check: "tree",
					Reason: fmt.Sprintf("the stored tree hash %d (level %d) does not match the events: tree hashes were changed outside vetted", next+int64(i), level)}
			}
		}
		next += int64(len(pending))
		pending = pending[:0]
		return nil
	}
	err := db.EachEvent(ctx, review.EventFilter{After: v.Head.Seq}, func(e review.Event) error {
		if err := v.Add(e); err != nil {
			return err
		}
		hs, err := tb.AddStored(e.Hash)
		if err != nil {
			return err
		}
		pending = append(pending, hs...)
		if len(pending) >= 4096 {
			return compare()
		}
		return nil
	})
	if err == nil {
		err = compare()
	}
	return v.Head, err
}

func indexRange(from, n int64) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = from + int64(i)
	}
	return out
}

// VerifiedTree reads the tree the server's history check last recorded
// (table history_verified); Size 0 when none was.
func (db *DB) VerifiedTree(ctx context.Context) (review.TreeHead, error) {
	var th review.TreeHead
	var hash []byte
	err := db.r.QueryRowContext(ctx, "SELECT seq, hash FROM history_verified WHERE id = 1").Scan(&th.Size, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return review.TreeHead{}, nil
	} else if err != nil {
		return th, fmt.Errorf("store: verified tree: %w", err)
	}
	if len(hash) != len(th.Hash) || th.Size <= 0 {
		return th, review.Errorf(review.EINTERNAL, "The recorded verified tree (size %d, %d-byte hash) is malformed.", th.Size, len(hash))
	}
	copy(th.Hash[:], hash)
	return th, nil
}

// RecordVerified records th as the tree last verified, unless the one
// recorded is as large already: the record never moves back, so a shorter
// history is caught by the check against it rather than accepted.
func (db *DB) RecordVerified(ctx context.Context, th review.TreeHead) error {
	if th.Size <= 0 {
		return nil
	}
	return db.exec(ctx, `INSERT INTO history_verified (id, seq, hash, verified_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, verified_at = excluded.verified_at
		WHERE excluded.seq > history_verified.seq`, th.Size, th.Hash[:], review.FormatTime(db.Now()))
}
