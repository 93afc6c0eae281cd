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
	if db.writer.busy || len(db.writer.queue) != 0 || db.writer.group != nil {
		t.Errorf("writer left busy=%v queue=%d group=%v", db.writer.busy, len(db.writer.queue), db.writer.group != nil)
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
	db.WriteWait = 300 * time.Millisecond // a test need not wait 5 s
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

// TestLockedWaitIsBounded: while another program holds the write lock,
// each queued write gives up after WriteWait from its own start, whatever
// its place in the queue, and a cancelled write stops waiting at once (with
// the cancellation, not EUNAVAILABLE at the end of its wait).
// Unbounded, the writes would wait WriteWait each in turn (20 × 200 ms)
// and the last ones would still be queued when the lock is freed at 3 s.
func TestLockedWaitIsBounded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "locked.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.WriteWait = 200 * time.Millisecond
	if err := db.exec(ctx, "CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite3", "file:"+path)
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
	released := make(chan struct{})
	go func() {
		time.Sleep(3 * time.Second)
		close(released)
	}()

	const writers = 20
	errs := make(chan error, writers)
	for i := range writers {
		go func() { errs <- db.exec(ctx, "INSERT INTO t VALUES (?)", i) }()
	}
	cctx, cancel := context.WithCancel(ctx)
	cancelled := make(chan error, 1)
	go func() { cancelled <- db.exec(cctx, "INSERT INTO t VALUES (-1)") }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	for range writers {
		select {
		case err := <-errs:
			if review.ErrorCode(err) != review.EUNAVAILABLE {
				t.Errorf("a queued write while the lock is held: %v, want EUNAVAILABLE", err)
			}
		case <-released:
			t.Fatal("queued writes were still waiting when the lock was freed: their waits add up")
		}
	}
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled write: %v, want context.Canceled", err)
		}
	case <-released:
		t.Fatal("a cancelled write was still waiting when the lock was freed")
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := db.exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatalf("a write once the lock is free: %v", err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Errorf("rows %d (%v), want only the write made after the lock was freed", n, err)
	}
}
