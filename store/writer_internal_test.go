package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vetted/review"
)

// TestWriterQueue checks that a begin that gives up while queued leaves the
// queue working, and that the writers behind it get their turn in order.
func TestWriterQueue(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	first, err := db.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := db.begin(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("begin while the writer is held, with a deadline: %v, want the deadline", err)
	}
	order := make(chan int, 2)
	done := make(chan error, 2)
	for i := range 2 {
		go func() {
			tx, err := db.begin(ctx)
			if err != nil {
				done <- err
				return
			}
			order <- i
			done <- tx.commit()
		}()
		time.Sleep(20 * time.Millisecond) // queue them in turn
	}
	if _, err := first.ExecContext(ctx, "CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	if err := first.commit(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if a, b := <-order, <-order; a != 0 || b != 1 {
		t.Errorf("queued writers ran in order %d, %d, want 0, 1", a, b)
	}
	if err := db.exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("a write after the queue emptied: %v", err)
	}
	if db.busy || len(db.queue) != 0 || db.group != nil {
		t.Errorf("writer left busy=%v queue=%d group=%v", db.busy, len(db.queue), db.group != nil)
	}
}

// TestWriteWhileAnotherProcessHoldsTheLock: when another program keeps the
// write lock past the busy timeout (an import from the command line), a
// write fails with EUNAVAILABLE, a message that says to retry, and writes
// nothing; once the lock is free, writing works again.
func TestWriteWhileAnotherProcessHoldsTheLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The writer connection waits 5 s before giving up; a test need not.
	if _, err := db.w.ExecContext(ctx, "PRAGMA busy_timeout = 100"); err != nil {
		t.Fatal(err)
	}
	if err := db.exec(ctx, "CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=100")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	err = db.exec(ctx, "INSERT INTO t VALUES (1)")
	if review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "try again") {
		t.Fatalf("a write while another program holds the lock: %v, want EUNAVAILABLE saying to try again", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := db.exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("a write once the lock is free: %v", err)
	}
	var xs []int
	rows, err := db.r.QueryContext(ctx, "SELECT x FROM t ORDER BY x")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x int
		rows.Scan(&x)
		xs = append(xs, x)
	}
	rows.Close()
	if len(xs) != 1 || xs[0] != 2 {
		t.Errorf("rows %v, want only the write made after the lock was free", xs)
	}
}
