package store

import "database/sql"

// Writer exposes the writer pool to the external tests, so that the raw
// insert benchmark runs on exactly the store's connection settings.
func (db *DB) Writer() *sql.DB { return db.w }
