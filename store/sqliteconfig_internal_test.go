package store

import (
	"context"
	"testing"

	"vetted/review"
)

// TestMemstatusOff: SQLite keeps no memory statistics, so its allocations
// take no process-wide mutex. With them on, sqlite3_memory_used counts the
// open connections' caches and statements.
func TestMemstatusOff(t *testing.T) {
	if memstatusErr != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d, want 0 (SQLITE_OK)", memstatusErr)
	}
	db := openDemo(t)
	if _, _, err := db.FindClaims(context.Background(), review.ClaimFilter{Limit: 50}); err != nil {
		t.Fatal(err)
	}
	if n := sqliteMemoryUsed(); n != 0 {
		t.Errorf("sqlite3_memory_used = %d bytes with a database open, want 0: statistics are on", n)
	}
}
