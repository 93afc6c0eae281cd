package review_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"vetted/review"
	"vetted/store"
)

// clock is a test clock that moves one second on each reading, so every
// transaction has its own time and the output does not depend on when the
// test runs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// Set moves the clock so that its next reading is t.
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.Add(-time.Second)
}

// MustOpenDB opens an empty database in a temporary folder with a test
// clock.
func MustOpenDB(tb testing.TB) (*store.DB, *clock) {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	c := newClock()
	db.Now = c.Now
	return db, c
}

// MustDemoDB is MustOpenDB loaded with the demo.
func MustDemoDB(tb testing.TB) (*store.DB, *clock) {
	tb.Helper()
	db, c := MustOpenDB(tb)
	if _, err := db.LoadDemo(context.Background(), mustRead(tb, "../testdata/azerbaijan-2021.txt"), mustRead(tb, "../testdata/demo-claims.jsonl")); err != nil {
		tb.Fatal(err)
	}
	return db, c
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustUser(tb testing.TB, db *store.DB, name string) review.User {
	tb.Helper()
	u, err := db.FindUserByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
