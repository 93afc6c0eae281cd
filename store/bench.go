package store

// This file exists for the benchmark program, cmd/vetted-bench: the
// baselines it measures vetted against need SQL, and store is the only
// package that speaks SQL. Nothing else in vetted calls these methods.

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"vetted/review"
)

// RawInsertBaseline exists for the benchmark baseline only: it writes one
// row into a scratch table (bench_scratch, created on first use) in its own
// transaction on the writer connection, with the same settings as every
// audited write (BEGIN IMMEDIATE through _txlock, WAL, synchronous=FULL),
// but with none of the work an audited write does: no permission check, no
// history event, no search index. vetted-bench compares AddNote's rate with
// this one's. The scratch table is not part of the schema; it is left in
// the benchmark's own throwaway database.
func (db *DB) RawInsertBaseline(ctx context.Context) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS bench_scratch (id INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("store: bench scratch: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO bench_scratch (body, created_at) VALUES (?, ?)",
		"a raw single-row insert, about as long as a short note", review.FormatTime(tx.now)); err != nil {
		return fmt.Errorf("store: bench scratch: %w", err)
	}
	return tx.commit()
}

// RawScanEvents exists for the benchmark baseline only: it reads every
// event, oldest first, from one read transaction, scanning the same columns
// into the same Go types as EachEvent and then dropping them. vetted-bench
// compares the JSONL export's rate (EachEvent + review.JSONLWriter) with
// this one's, so the ratio is the cost of building events and encoding
// them. It returns the number of rows read.
func (db *DB) RawScanEvents(ctx context.Context) (int, error) {
	return db.RawDumpEvents(ctx, nil)
}

// RawDumpEvents exists for the benchmark baseline only: RawScanEvents that
// also writes each row's columns to w (when not nil) separated by tabs, one
// row per line, with no escaping: the least a dump to a file can do, to
// compare an export to a file with.
func (db *DB) RawDumpEvents(ctx context.Context, w io.Writer) (int, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash
		FROM events ORDER BY seq`)
	if err != nil {
		return 0, fmt.Errorf("store: raw scan: %w", err)
	}
	defer rows.Close()
	n := 0
	var seq int64
	var tm, actor, role, action, etype, eid, before, after, reason, prev, hash string
	for rows.Next() {
		if err := rows.Scan(&seq, &tm, &actor, &role, &action, &etype, &eid, &before, &after, &reason, &prev, &hash); err != nil {
			return n, fmt.Errorf("store: raw scan: %w", err)
		}
		if w != nil {
			line := strconv.FormatInt(seq, 10) + "\t" + tm + "\t" + actor + "\t" + role + "\t" + action + "\t" + etype + "\t" + eid +
				"\t" + before + "\t" + after + "\t" + reason + "\t" + prev + "\t" + hash + "\n"
			if _, err := io.WriteString(w, line); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, rows.Err()
}

// seedBatch is how many seeded events go into one transaction.
const seedBatch = 10000

// SeedEvents exists for the benchmark only: it appends n valid events to
// the history, chained to the current head with hashes computed by
// review.ComputeHash, so that the result verifies like any history. They
// are synthetic note.added events by the demo users, one second apart from
// 2024-01-01, inserted directly in transactions of 10,000 (appending a
// million through the audited API would take the better part of an hour).
// Use it only on a throwaway database: the events refer to notes that do
// not exist.
func (db *DB) SeedEvents(ctx context.Context, n int) error {
	return db.seedEvents(ctx, n, false)
}

// seedEvents is SeedEvents; withNotes writes the notes the events describe
// too (their claims, 1 to 60, must exist), so that the records are what
// the history says.
func (db *DB) seedEvents(ctx context.Context, n int, withNotes bool) error {
	for done := 0; done < n; done += seedBatch {
		if err := db.seedEventBatch(ctx, min(seedBatch, n-done), withNotes); err != nil {
			return err
		}
	}
	return nil
}

// seedEventBatch appends n seeded events in one transaction.
func (db *DB) seedEventBatch(ctx context.Context, n int, withNotes bool) error {
	actors := [...]struct{ name, role string }{{"rey", "reviewer"}, {"eda", "editor"}, {"ed", "editor"}}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	head, err := headOf(ctx, tx)
	if err != nil {
		return err
	}
	if head.Seq == 0 {
		head.Hash = review.GenesisHash
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO events (seq, time, actor, actor_role, action, entity_type, entity_id,
		before, after, reason, prev_hash, hash, claim_id, report_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: seed events: %w", err)
	}
	defer stmt.Close()
	notes, err := tx.PrepareContext(ctx, `INSERT INTO notes (id, claim_id, author_id, body, created_at)
		VALUES (?, ?, (SELECT id FROM users WHERE name = ?), ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: seed events: %w", err)
	}
	defer notes.Close()
	for i := 0; i < n; i++ {
		seq := head.Seq + 1
		a := actors[seq%int64(len(actors))]
		claim := 1 + seq%60
		at := base.Add(time.Duration(seq) * time.Second)
		id := strconv.FormatInt(seq, 10)
		body := "Seeded note " + id + ": checked the source against the report's wording; the figure matches the 2021 edition."
		e := review.Event{
			Seq: seq, Time: review.FormatTime(at), Actor: a.name, ActorRole: a.role,
			Action: "note.added", EntityType: "note", EntityID: id,
			After: `{"id":` + id + `,"claim":` + strconv.FormatInt(claim, 10) + `,"author":"` + a.name +
				`","body":"` + body + `","created_at":"` + at.Format(time.RFC3339Nano) + `"}`,
			PrevHash: head.Hash,
		}
		e.Hash = review.ComputeHash(e)
		if _, err := stmt.ExecContext(ctx, e.Seq, e.Time, e.Actor, e.ActorRole, e.Action, e.EntityType, e.EntityID,
			e.Before, e.After, e.Reason, e.PrevHash, e.Hash, claim, nil); err != nil {
			return fmt.Errorf("store: seed events: %w", err)
		}
		if err := appendLeaf(ctx, tx, e.Seq, e.Hash); err != nil {
			return err
		}
		// A note's id is its event's seq: larger than any note's yet, as
		// there are never more notes than events.
		if withNotes {
			if _, err := notes.ExecContext(ctx, seq, claim, a.name, body, review.FormatTime(at)); err != nil {
				return fmt.Errorf("store: seed notes: %w", err)
			}
		}
		head = review.ChainHead{Seq: e.Seq, Hash: e.Hash, Time: e.Time}
	}
	return tx.commit()
}
