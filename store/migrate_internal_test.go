package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"vetted"
	"vetted/migrations"
	"vetted/review"
)

// TestUpgradeRebuildsSearchIndex takes a demo database back to schema 4
// and opens it again: migration 5 rebuilds the search index without
// per-document sizes, keeping every row, and search finds what it found;
// migration 6 gives every section its level.
func TestUpgradeRebuildsSearchIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		t.Fatal(err)
	}
	search := func(db *DB) (rows int, caviar []int64) {
		t.Helper()
		if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM claim_search").Scan(&rows); err != nil {
			t.Fatal(err)
		}
		cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Query: "caviar", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			caviar = append(caviar, c.ID)
		}
		return rows, caviar
	}
	wantRows, wantCaviar := search(db)
	countFlags := func(db *DB) (n int) {
		t.Helper()
		if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM flags WHERE kind IN ('unverified', 'disputed', 'outdated', 'other')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	wantFlags := countFlags(db)
	if err := undoMigrations(ctx, db.w, 5); err != nil {
		t.Fatal(err)
	}
	if !hasTable(t, db, "claim_search_docsize") {
		t.Fatal("the schema-4 index has no docsize table: the test proves nothing")
	}
	db.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.SchemaVersion(ctx); v < 5 {
		t.Fatalf("schema %d after open, want 5 or later", v)
	}
	if hasTable(t, db, "claim_search_docsize") {
		t.Error("the rebuilt index still keeps per-document sizes")
	}
	rows, caviar := search(db)
	// Migration 8 rebuilds the flags table for the score flags' kinds,
	// keeping every flag.
	if got := countFlags(db); got != wantFlags || got == 0 {
		t.Errorf("%d flags after the upgrade, %d before", got, wantFlags)
	}
	if rows != wantRows || len(caviar) != len(wantCaviar) || len(caviar) == 0 {
		t.Errorf("after the upgrade: %d index rows, caviar in %v; before: %d rows, %v", rows, caviar, wantRows, wantCaviar)
	}
	// Migration 6 gives the sections of an edition imported before it their
	// level: two, under a parent heading.
	var bad int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections
		WHERE level != CASE WHEN parent = '' THEN 1 ELSE 2 END`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	var nested int
	db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sections WHERE level = 2`).Scan(&nested)
	if bad != 0 || nested == 0 {
		t.Errorf("after migration 6: %d sections with the wrong level, %d at level 2", bad, nested)
	}
}

func hasTable(t *testing.T, db *DB, name string) bool {
	t.Helper()
	var n int
	if err := db.r.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM sqlite_master WHERE name = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// undo takes each migration back, for tests that open a database as an
// older version left it: what a database from before the migration holds.
var undo = map[int][]string{
	5: {
		"CREATE VIRTUAL TABLE claim_search_old USING fts4 (body, claim_id, notindexed=claim_id, tokenize=unicode61)",
		"INSERT INTO claim_search_old (body, claim_id) SELECT body, claim_id FROM claim_search",
		"DROP TABLE claim_search",
		"ALTER TABLE claim_search_old RENAME TO claim_search",
	},
	6: {"ALTER TABLE sections DROP COLUMN level"},
	7: {"DROP TABLE health_probe"},
	8: {
		"DROP TABLE scores",
		"DROP TABLE score_sheets",
		"DROP INDEX sources_title",
		"ALTER TABLE sources DROP COLUMN archive_url",
		"ALTER TABLE sources DROP COLUMN link_status",
		"ALTER TABLE sources DROP COLUMN link_detail",
		"ALTER TABLE sources DROP COLUMN link_checked_at",
	},
	9:  {"DROP TABLE tlog_hashes"},
	10: {"DROP INDEX events_actor", "DROP INDEX events_action", "DROP INDEX events_report"},
	11: {"DROP TABLE history_verified"},
	12: {
		"DROP TABLE assignments",
		"DROP TABLE notifications",
		"DROP TABLE double_review_grades",
		"DROP TABLE double_reviews",
		"DROP INDEX revisions_pending_author",
		"DROP INDEX claims_created_by",
	},
	13: {
		"DROP TABLE edition_counts",
		"DROP TRIGGER appearances_count_insert",
		"DROP TRIGGER appearances_count_delete",
		"DROP TRIGGER appearances_count_update",
		"DROP TRIGGER claims_count_latest",
		"DROP TRIGGER revisions_count_state",
		"DROP TRIGGER flags_count_insert",
		"DROP TRIGGER flags_count_resolve",
		"DROP TRIGGER flags_count_reopen",
		"DROP TRIGGER flags_count_delete",
	},
	14: {
		// the editions table with its columns in the order before
		`CREATE TABLE editions_old (id INTEGER PRIMARY KEY, report_id INTEGER NOT NULL REFERENCES reports (id),
			label TEXT NOT NULL, published TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL, original BLOB NOT NULL,
			text TEXT NOT NULL, draft INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)), rank INTEGER NOT NULL DEFAULT 0,
			imported_by INTEGER NOT NULL REFERENCES users (id), imported_at TEXT NOT NULL, UNIQUE (report_id, label))`,
		"INSERT INTO editions_old SELECT id, report_id, label, published, sha256, original, text, draft, rank, imported_by, imported_at FROM editions",
		"PRAGMA foreign_keys = OFF",
		"DROP TABLE editions",
		"ALTER TABLE editions_old RENAME TO editions",
		"PRAGMA foreign_keys = ON",
	},
	15: {"DROP INDEX reports_title"},
	16: {
		"DROP TRIGGER claims_latest_revision",
		"DROP TRIGGER revisions_latest_state",
		"DROP TRIGGER revisions_latest_confidence",
		"DROP INDEX claims_latest_state",
		"DROP INDEX claims_latest_confidence",
		"ALTER TABLE claims DROP COLUMN latest_state",
		"ALTER TABLE claims DROP COLUMN latest_confidence",
	},
	17: {"DROP INDEX editions_label"},
	18: {
		"DROP TRIGGER flags_open_insert",
		"DROP TRIGGER flags_open_update",
		"DROP TRIGGER flags_open_delete",
		"DROP TRIGGER claims_totals_insert",
		"DROP TRIGGER claims_totals_delete",
		"DROP TRIGGER claims_totals_state",
		"DROP TRIGGER claims_totals_confidence",
		"DROP TRIGGER claims_totals_flagged",
		"DROP TABLE claim_totals",
		"DROP INDEX claims_flagged",
		"ALTER TABLE claims DROP COLUMN flagged",
		"ALTER TABLE claims DROP COLUMN open_flags",
	},
	19: {
		"DROP TRIGGER flags_claim_creator",
		"DROP TRIGGER flags_claim_creator_moved",
		"DROP INDEX flags_open_creator",
		"ALTER TABLE flags DROP COLUMN claim_created_by",
		"CREATE INDEX revisions_pending_author ON revisions (author_id) WHERE state = 'pending'",
		"DROP INDEX revisions_pending_author_time",
	},
}

// undoMigrations takes the database on w back to before migration from,
// newest first, as if it had been written by a version of vetted without
// them.
func undoMigrations(ctx context.Context, w *sql.DB, from int) error {
	ms, err := migrations.All()
	if err != nil {
		return err
	}
	for v := len(ms); v >= from; v-- {
		qs, ok := undo[v]
		if !ok {
			return fmt.Errorf("no undo for migration %d (%s): add it to undo", v, ms[v-1].Name)
		}
		for _, q := range qs {
			if _, err := w.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("undo migration %d: %s: %w", v, q, err)
			}
		}
	}
	_, err = w.ExecContext(ctx, "DELETE FROM schema_migrations WHERE version >= ?", from)
	return err
}

// TestRebuildMigrationChecksForeignKeys: a migration that rebuilds tables
// runs with foreign key enforcement off, and is refused, with nothing of it
// kept, when it leaves a row referring to a missing one; enforcement is on
// again afterwards.
func TestRebuildMigrationChecksForeignKeys(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t)
	bad := migrations.Migration{Version: 999, Name: "orphans", SQL: rebuildsTables + "\nDELETE FROM editions;"}
	err := db.applyMigration(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "refers to a missing row of editions") {
		t.Fatalf("a rebuild leaving orphans: %v", err)
	}
	var n int
	if err := db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM editions").Scan(&n); err != nil || n == 0 {
		t.Errorf("editions after the refused migration: %d, %v", n, err)
	}
	if _, err := db.w.ExecContext(ctx, "DELETE FROM editions"); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("foreign keys are not enforced after the migration: %v", err)
	}
}
