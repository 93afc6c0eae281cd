package store_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

type migrationRow struct {
	Version   int
	Name      string
	AppliedAt string
}

func migrationRows(tb testing.TB, path string) []migrationRow {
	tb.Helper()
	rows, err := rawDB(tb, path).Query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var ms []migrationRow
	for rows.Next() {
		var m migrationRow
		if err := rows.Scan(&m.Version, &m.Name, &m.AppliedAt); err != nil {
			tb.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

func schemaSQL(tb testing.TB, path string) string {
	tb.Helper()
	rows, err := rawDB(tb, path).Query("SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		rows.Scan(&s)
		b.WriteString(s + "\n")
	}
	return b.String()
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("OK/MigrationsOnce", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vetted.db")
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		v1, err := db.SchemaVersion(ctx)
		if err != nil || v1 < 1 {
			t.Fatalf("SchemaVersion = %d, %v", v1, err)
		}
		// A second Open while the first is still open, then a reopen.
		db2, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		rows1, schema1 := migrationRows(t, path), schemaSQL(t, path)
		if len(rows1) != v1 {
			t.Errorf("%d schema_migrations rows for version %d", len(rows1), v1)
		}
		db2.Close()
		db.Close()
		db3, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db3.Close()
		v3, _ := db3.SchemaVersion(ctx)
		if v3 != v1 {
			t.Errorf("schema version %d after reopening, was %d", v3, v1)
		}
		if rows3 := migrationRows(t, path); !reflect.DeepEqual(rows3, rows1) {
			t.Errorf("schema_migrations changed on reopen:\n%v\n%v", rows1, rows3)
		}
		if schema3 := schemaSQL(t, path); schema3 != schema1 {
			t.Errorf("schema changed on reopen")
		}
		// The migration's own rows (the system user) are not duplicated.
		var n int
		rawDB(t, path).QueryRow("SELECT COUNT(*) FROM users").Scan(&n)
		if n != 1 {
			t.Errorf("%d users after three opens, want the system user only", n)
		}
	})
	t.Run("OK/JournalModeWAL", func(t *testing.T) {
		db := MustOpenDB(t)
		var mode string
		if err := rawDB(t, db.Path).QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
	})
	t.Run("OK/PathWithSpacesAndPercent", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "my db #1 100%.db")
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if rows := migrationRows(t, strings.NewReplacer("%", "%25", "#", "%23", " ", "%20").Replace(path)); len(rows) == 0 {
			t.Error("the database was not created at the path given")
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "vetted.db")
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := rawDB(t, path).Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2099-01-01T00:00:00.000000Z')"); err != nil {
			t.Fatal(err)
		}
		before := schemaSQL(t, path)
		_, err = store.Open(ctx, path)
		if err == nil {
			t.Fatal("a database from a newer vetted was opened")
		}
		if msg := review.ErrorMessage(err); !strings.Contains(msg, "written by a newer version of vetted") || !strings.Contains(msg, "999") {
			t.Errorf("message %q does not say a newer version wrote the database", msg)
		}
		if after := schemaSQL(t, path); after != before {
			t.Error("refusing the database changed its schema")
		}
	})
	t.Run("ErrPath", func(t *testing.T) {
		for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro", "file::memory:?cache=shared"} {
			if _, err := store.Open(ctx, p); review.ErrorCode(err) != review.EINVALID {
				t.Errorf("Open(%q): %v, want EINVALID", p, err)
			}
		}
	})
}

func TestEventsAppendOnly(t *testing.T) {
	tests := []struct {
		name, sql string
	}{
		{"Update", "UPDATE events SET reason = 'forged' WHERE seq = 1"},
		{"UpdateAll", "UPDATE events SET actor = 'mallory'"},
		{"Delete", "DELETE FROM events WHERE seq = 1"},
		{"DeleteAll", "DELETE FROM events"},
		{"Replace", `INSERT OR REPLACE INTO events (seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash)
			SELECT seq, time, 'mallory', actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash FROM events WHERE seq = 1`},
		{"ReplaceInto", `REPLACE INTO events (seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash)
			VALUES (2, 't', 'mallory', 'r', 'a', 'e', '1', '', '', '', 'p', 'h')`},
		{"Upsert", `INSERT INTO events (seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash)
			VALUES (1, 't', 'mallory', 'r', 'a', 'e', '1', '', '', '', 'p', 'h2') ON CONFLICT (seq) DO UPDATE SET actor = 'mallory'`},
	}
	for _, tt := range tests {
		t.Run("Err"+tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
			before := eventsAfter(t, db, 0)
			_, err := rawDB(t, db.Path).Exec(tt.sql)
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("err = %v, want the trigger's append-only refusal", err)
			}
			if after := eventsAfter(t, db, 0); !reflect.DeepEqual(after, before) {
				t.Errorf("events changed")
			}
			if _, err := db.VerifyChain(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}
