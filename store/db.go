// Package store is the only package that speaks SQL. It keeps vetted's
// records in one SQLite file and implements the services declared in
// package review, applying review's rules inside each write transaction so
// that a rule and the write it guards cannot drift apart.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-sqlite3"

	"vetted/migrations"
	"vetted/review"
)

// DB is an open vetted database: one writer connection, so writes queue in
// Go instead of failing with "database is locked", and a pool of read-only
// connections that WAL lets run beside it.
type DB struct {
	Path string
	// Now is the clock; tests replace it. Each transaction reads it once.
	Now func() time.Time
	// WriteWait bounds a write's whole wait for the writer: behind the
	// writes queued before it, then for another program's write lock.
	// When it runs out the write fails with EUNAVAILABLE and nothing is
	// saved. Open sets DefaultWriteWait.
	WriteWait time.Duration
	// ScoreThreshold is how far an indicator's score must move between
	// editions of the Index, its claims' text unchanged, for the claims to
	// be queued (review.ScoreFlag); 0 queues none for a moved score.
	ScoreThreshold review.Score
	// CountLimit is how many claims past a page's end a claims list
	// counts when no kept count answers its filter
	// (review.ClaimPage.More); Open sets review.CountLimit.
	CountLimit int
	// StaleEvidenceMonths: a claim carried into a new edition has evidence
	// older than this many months before the edition marked for re-check;
	// 0 means evidence older than the edition it is carried from.
	StaleEvidenceMonths int

	w    *sql.DB
	r    readPool
	lock *os.File // PATH-lock, held shared while open (lock.go)
	// reads counts the read pool's statements and rows (ReadStats).
	reads *readCounter
	// writer runs write transactions, committed in groups (writer.go).
	writer writer
	health health
	nav    navCache
	docs   docCache
	// claims keeps claims as FindClaim reads them, by id; rows keeps
	// them as lists show them (listRows).
	claims versionCache[claimKey]
	rows   versionCache[rowKey]
	// searches, queueCounts and reportPages keep search hits, the
	// queue's counts and pages of the report list while nothing is written
	// (headCache).
	searches    headCache[searchKey, searchHits]
	queueCounts headCache[string, int]
	reportPages headCache[review.ReportFilter, reportPage]
}

// maxKeptClaims and maxKeptRows bound the caches of claims: a claim in
// full is a few KiB, a list's row under one. maxKeptSearches bounds the
// searches kept (each at most SearchRows+1 entries a term) and the queue's
// counts, and pages of the report list.
const (
	maxKeptClaims   = 512
	maxKeptRows     = 8192
	maxKeptSearches = 256
)

// DefaultWriteWait is DB.WriteWait unless changed: 5 seconds.
const DefaultWriteWait = 5 * time.Second

// writerBusyTimeout is SQLite's busy timeout on the writer connection.
// It is short so that Go, not SQLite, decides how long a write waits for
// another program's lock: the wait is retried until the write's own
// deadline, and a cancelled request stops waiting.
const writerBusyTimeout = 100 * time.Millisecond

// Open opens (creating if needed) the database at path and applies pending
// migrations. A database written by a newer vetted is refused.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, review.Errorf(review.EINVALID, "No database path given: use --db PATH or set VETTED_DB.")
	}
	if strings.HasPrefix(path, "file:") || strings.Contains(path, "?") || path == ":memory:" {
		return nil, review.Errorf(review.EINVALID, "The database path %q must be a plain file path.", path)
	}
	lock, err := lockForOpen(ctx, path)
	if err != nil {
		return nil, err
	}
	base := "file:" + escapePath(path) +
		"?_journal_mode=WAL&_foreign_keys=on&_synchronous=FULL&_stmt_cache_size=128"
	w, err := sql.Open("sqlite3", base+fmt.Sprintf("&_busy_timeout=%d&_txlock=immediate", writerBusyTimeout.Milliseconds()))
	if err != nil {
		closeLock(lock)
		return nil, fmt.Errorf("store: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	reads := &readCounter{}
	r := readPool{sql.OpenDB(readConnector{dsn: base + "&_busy_timeout=5000&_query_only=1", counter: reads})}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	db := &DB{Path: path, Now: time.Now, WriteWait: DefaultWriteWait, ScoreThreshold: review.DefaultScoreThreshold,
		CountLimit: review.CountLimit, w: w, r: r, reads: reads, lock: lock}
	db.claims.max, db.rows.max = maxKeptClaims, maxKeptRows
	db.searches.max, db.queueCounts.max, db.reportPages.max = maxKeptSearches, maxKeptSearches, maxKeptSearches
	db.writer.committed = db.noteWrite
	if err := db.init(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openWait bounds how long Open waits for another program's lock while it
// switches the file to WAL and applies migrations.
const openWait = 30 * time.Second

func (db *DB) init(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, openWait)
	defer cancel()
	var mode string
	if err := retryBusy(ctx, func() error {
		return db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	}); err != nil {
		if dir := filepath.Dir(db.Path); syscall.Access(dir, 2 /* W_OK */) != nil {
			return review.Errorf(review.EUNAVAILABLE,
				"Cannot open %s: its folder %s is read-only to vetted, and vetted needs to write the database and its -wal and -shm files beside it. Make the folder and the files writable by the user vetted runs as (or mount the disk read-write).", db.Path, dir)
		}
		if diskFault(err) == errCorrupt {
			return review.Errorf(review.EUNAVAILABLE, "The database file %s is damaged (%v). Restore the latest backup with vetted restore; see OPERATIONS.md.", db.Path, err)
		}
		return fmt.Errorf("store: open %s: %w", db.Path, FormatError(err))
	}
	if mode != "wal" {
		return fmt.Errorf("store: %s: journal_mode is %q, want wal", db.Path, mode)
	}
	if err := retryBusy(ctx, func() error { return db.migrate(ctx) }); err != nil {
		return err
	}
	if err := db.rememberFiles(); err != nil {
		return err
	}
	if err := db.catchUpTree(ctx); err != nil {
		if diskFault(err) == errCorrupt {
			return review.Errorf(review.EUNAVAILABLE, "The database file %s is damaged (%v). Restore the latest backup with vetted restore; see OPERATIONS.md.", db.Path, err)
		}
		return err
	}
	return nil
}

// retryBusy calls fn until it returns something other than SQLite's busy
// error or ctx ends.
func retryBusy(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		if !isBusy(err) || ctx.Err() != nil {
			return err
		}
	}
}

func escapePath(path string) string { return (&url.URL{Path: path}).EscapedPath() }

func (db *DB) escapedPath() string { return escapePath(db.Path) }

// Close closes both pools, then lets go of the lock file.
func (db *DB) Close() error {
	err := errors.Join(db.r.Close(), db.w.Close())
	closeLock(db.lock)
	db.lock = nil
	return err
}

// SchemaVersion returns the newest migration applied.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations.All()
	if err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	var have int
	if err := db.w.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if latest := ms[len(ms)-1].Version; have > latest {
		return review.Errorf(review.EINVALID,
			"The database %s was written by a newer version of vetted (schema %d; this vetted knows schema %d at most). Use the newer vetted, or restore a backup taken before the upgrade.",
			db.Path, have, latest)
	}
	for _, m := range ms {
		if m.Version <= have {
			continue
		}
		if err := db.applyMigration(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// rebuildsTables marks a migration that changes a table's shape by
// building a new one and renaming it over the old: it runs with foreign
// key enforcement off, and commits only when PRAGMA foreign_key_check
// finds nothing, as SQLite's procedure for such changes asks
// (https://www.sqlite.org/lang_altertable.html#otheralter). Put it on the
// migration's first line.
const rebuildsTables = "-- rebuilds tables"

func (db *DB) applyMigration(ctx context.Context, m migrations.Migration) error {
	// The writer pool has one connection; take it, since foreign key
	// enforcement is per connection and cannot change inside a transaction.
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: migration %d: %w", m.Version, err)
	}
	defer conn.Close()
	rebuild := strings.HasPrefix(m.SQL, rebuildsTables)
	if rebuild {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return fmt.Errorf("store: migration %d: %w", m.Version, err)
		}
		defer func() {
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); err != nil {
				// Never leave the writer without foreign keys: drop the
				// connection, and the pool opens a new one with them.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: migration %d: %w", m.Version, err)
	}
	defer tx.Rollback()
	// Another process may have applied it since we looked.
	var done int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&done); err != nil {
		return fmt.Errorf("store: migration %d: %w", m.Version, err)
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("store: migration %d (%s): %w", m.Version, m.Name, err)
	}
	if rebuild {
		var table string
		var rowid sql.NullInt64
		var parent string
		var fkid int
		err := tx.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fkid)
		if err == nil {
			return fmt.Errorf("store: migration %d (%s): a row of %s (rowid %d) refers to a missing row of %s", m.Version, m.Name, table, rowid.Int64, parent)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: migration %d: foreign key check: %w", m.Version, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
		m.Version, m.Name, review.FormatTime(db.Now())); err != nil {
		return fmt.Errorf("store: migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migration %d: commit: %w", m.Version, err)
	}
	return nil
}

// read starts a read transaction on the read pool: every query in it sees
// one snapshot.
func (db *DB) read(ctx context.Context) (readTx, error) {
	conn, err := db.r.Conn(quiet(ctx))
	if err != nil {
		return readTx{}, fmt.Errorf("store: begin read: %w", err)
	}
	// BEGIN takes no time; with the caller's context go-sqlite3 would watch
	// it with a goroutine.
	if _, err := conn.ExecContext(context.Background(), "BEGIN"); err != nil {
		conn.Close()
		return readTx{}, fmt.Errorf("store: begin read: %w", err)
	}
	return readTx{conn}, nil
}

// readPool is the read connections: database/sql's pool, but for where a
// statement's context goes. database/sql starts a goroutine for every
// statement and transaction whose context can be cancelled, to close it
// when the context ends: under load, thousands a second, each scheduled
// twice, beside the requests' own goroutines. A statement through readPool
// gives database/sql a context that cannot be cancelled, which carries
// the caller's; the driver (readConnector) takes the caller's back, and
// go-sqlite3 interrupts the statement when it ends (context.AfterFunc, no
// goroutine), returning the context's error as before. What is lost: a
// request cancelled while waiting for a free read connection waits until
// one is free (statements take milliseconds).
type readPool struct{ *sql.DB }

func (p readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(quiet(ctx), query, args...)
}

func (p readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(quiet(ctx), query, args...)
}

// readTx is a read transaction whose statements go as readPool's do. It
// holds one connection between BEGIN and Rollback's ROLLBACK, as an
// *sql.Tx would, but started by statements: database/sql watches a
// transaction's own context with a goroutine for each of its statements,
// whatever context the statement is given.
type readTx struct{ conn *sql.Conn }

func (t readTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.conn.QueryContext(quiet(ctx), query, args...)
}

func (t readTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.conn.QueryRowContext(quiet(ctx), query, args...)
}

// Rollback ends the transaction and gives the connection back to the
// pool; a connection whose ROLLBACK fails is closed instead, so that no
// statement ever runs in a transaction left open. Calling it again does
// nothing.
func (t readTx) Rollback() error {
	if t.conn == nil {
		return nil
	}
	_, err := t.conn.ExecContext(context.Background(), "ROLLBACK")
	if errors.Is(err, sql.ErrConnDone) {
		return nil // rolled back before
	}
	if err != nil {
		t.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	if cerr := t.conn.Close(); err == nil && !errors.Is(cerr, sql.ErrConnDone) {
		err = cerr
	}
	return err
}

// callerCtx is the key under which quiet keeps the caller's context.
type callerCtx struct{}

// quiet is ctx for database/sql: it cannot be cancelled, and carries ctx
// for the driver (caller).
func quiet(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithValue(context.WithoutCancel(ctx), callerCtx{}, ctx)
}

// caller is the context quiet was given, or ctx itself.
func caller(ctx context.Context) context.Context {
	if c, ok := ctx.Value(callerCtx{}).(context.Context); ok {
		return c
	}
	return ctx
}

// queryer is what read helpers need, so they run in a read or a write
// transaction alike.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// FormatError maps SQLite's constraint failures, faults of the disk and
// the file, and a lock held too long onto review's codes.
func FormatError(err error) error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		return &review.Error{Code: review.ECONFLICT, Message: "That record already exists."}
	case sqlite3.ErrConstraintForeignKey:
		return &review.Error{Code: review.ENOTFOUND, Message: "A record it refers to does not exist."}
	case sqlite3.ErrConstraintCheck:
		return &review.Error{Code: review.EINVALID, Message: "A value is outside what is allowed."}
	}
	if f := diskFault(err); f != nil {
		return f
	}
	if se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked {
		// Another process (an import from the command line, a backup
		// restore) held the write lock past the write's wait.
		return busyError
	}
	return err
}

// busyError answers a write whose wait for the write lock ran out.
var busyError = &review.Error{Code: review.EUNAVAILABLE,
	Message: "The database is busy with another change (an import from the command line, perhaps). Nothing was saved: try again in a moment."}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(review.TimeFormat, s)
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
