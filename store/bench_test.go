package store_test

import (
	"context"
	"testing"

	"vetted/review"
)

// BenchmarkAddNote is the audited write path: authorise the actor inside an
// immediate transaction, insert the note, append a hash-chained event,
// refresh the claim's search document, commit with synchronous=FULL.
func BenchmarkAddNote(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	c := mustCreateClaim(b, db, db.Reviewer, quoteCaviar, "caviar")
	n := review.NewNote{ClaimID: c.ID, Body: "A reviewer's note of ordinary length, naming a source to check."}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.AddNote(ctx, db.Editor, n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawInsert is the floor: a single-row INSERT into a scratch table
// in its own transaction, on the store's own writer pool (same DSN: WAL,
// synchronous=FULL, foreign keys, immediate transactions).
func BenchmarkRawInsert(b *testing.B) {
	ctx := context.Background()
	db := MustOpenDB(b)
	w := db.Writer()
	if _, err := w.ExecContext(ctx, "CREATE TABLE scratch (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	body := "A reviewer's note of ordinary length, naming a source to check."
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO scratch (body) VALUES (?)", body); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
