package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"vetted/review"
)

// Backup writes a consistent copy of the database to path with VACUUM
// INTO, from one read snapshot, while the server keeps writing. It uses a
// connection of its own: the read pool is query-only and the writer must
// stay free.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return review.Errorf(review.EINVALID, "%s already exists: choose a new file for the backup.", path)
	}
	conn, err := sql.Open("sqlite3", "file:"+db.escapedPath()+"?_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return review.Errorf(review.EINVALID, "The backup to %s failed: %v", path, err)
	}
	// Check what was written before calling it a backup.
	b, err := Open(ctx, path)
	if err != nil {
		return fmt.Errorf("store: backup check: %w", err)
	}
	defer b.Close()
	if _, err := b.VerifyChain(ctx); err != nil {
		return fmt.Errorf("store: backup check: history does not verify: %w", err)
	}
	return nil
}
