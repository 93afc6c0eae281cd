package store

import (
	"context"
	"testing"

	"vetted/review"
)

// TestSQLiteConfig: SQLite keeps no memory statistics, so its allocations
// take no process-wide mutex (with them on, sqlite3_memory_used counts
// the open connections' caches and statements), and every connection has
// the query planner stability guarantee, so go-sqlite3's kept statements
// keep their plans.
func TestSQLiteConfig(t *testing.T) {
	if configErr != 0 {
		t.Fatalf("configuring SQLite returned %d, want 0 (SQLITE_OK)", configErr)
	}
	db := openDemo(t)
	if _, _, err := db.FindClaims(context.Background(), review.ClaimFilter{Limit: 50}); err != nil {
		t.Fatal(err)
	}
	if n := sqliteMemoryUsed(); n != 0 {
		t.Errorf("sqlite3_memory_used = %d bytes with a database open, want 0: statistics are on", n)
	}
	if on := connectionQPSG(); on != 1 {
		t.Errorf("a new connection's query planner stability guarantee is %d, want 1 (on)", on)
	}
}
