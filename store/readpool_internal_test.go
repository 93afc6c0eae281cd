package store

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"vetted/review"
)

// endless is a query that runs until it is interrupted.
const endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

// TestReadsEndWithTheirContext: a read whose context ends is interrupted
// and returns the context's error, in a statement and in a read
// transaction, although database/sql is given a context it cannot cancel.
func TestReadsEndWithTheirContext(t *testing.T) {
	db := openDemo(t)
	for name, q := range map[string]func(ctx context.Context) error{
		"statement": func(ctx context.Context) error {
			var n int
			return db.r.QueryRowContext(ctx, endless).Scan(&n)
		},
		"transaction": func(ctx context.Context) error {
			tx, err := db.read(ctx)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			var n int
			return tx.QueryRowContext(ctx, endless).Scan(&n)
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := q(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("%s: an endless read with a 100 ms deadline returned %v after %v", name, err, time.Since(start))
		}
	}
	// The pool is still usable.
	if _, err := db.Head(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestReadsStartNoWatchers: reads with a cancellable context start no
// goroutine (database/sql would start one per statement and transaction to
// watch it), and a read transaction sees one state of the database.
func TestReadsStartNoWatchers(t *testing.T) {
	db := openDemo(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := db.Head(ctx); err != nil { // opens the connection
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	rows, err := db.r.QueryContext(ctx, "SELECT id FROM claims")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	tx, err := db.read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for range 3 {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM claims")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("a read transaction and three open statements in it started %d goroutines", n-before)
	}
}

// TestReadTxSnapshot: a read transaction sees the database as it was at its
// first statement, and its connection goes back to the pool with no
// transaction open.
func TestReadTxSnapshot(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t)
	tx, err := db.read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var before, after int64
	if err := tx.QueryRowContext(ctx, "SELECT MAX(seq) FROM events").Scan(&before); err != nil {
		t.Fatal(err)
	}
	rey, err := db.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "Written while a read is open."}); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRowContext(ctx, "SELECT MAX(seq) FROM events").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("a read transaction saw the history grow from %d to %d", before, after)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Errorf("a second Rollback: %v", err)
	}
	// Every connection of the pool sees the note now.
	for range 10 {
		if h, err := db.Head(ctx); err != nil || h.Seq != before+1 {
			t.Fatalf("after the read: head %d, %v; want %d", h.Seq, err, before+1)
		}
	}
}
