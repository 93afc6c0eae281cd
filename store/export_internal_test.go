package store

import (
	"context"
	"database/sql"
)

// Writer exposes the writer pool to the external tests, so that the raw
// insert benchmark runs on exactly the store's connection settings.
func (db *DB) Writer() *sql.DB { return db.w }

// GroupsCommitted is how many write groups have committed.
func (db *DB) GroupsCommitted() int64 {
	db.writer.mu.Lock()
	defer db.writer.mu.Unlock()
	return db.writer.groups
}

// UndoMigrations takes the database on w back to before migration from.
func UndoMigrations(ctx context.Context, w *sql.DB, from int) error {
	return undoMigrations(ctx, w, from)
}
