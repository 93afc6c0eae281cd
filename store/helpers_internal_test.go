package store

import (
	"context"
	"path/filepath"
	"testing"

	"vetted"
)

// openDemo opens a new database in tb's temporary directory with the demo
// loaded, and closes it when the test ends.
func openDemo(tb testing.TB) *DB {
	tb.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		tb.Fatal(err)
	}
	return db
}
