package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
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
