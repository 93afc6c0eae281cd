package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"

	"vetted/review"
)

// health is what the database knows about its own state beyond a single
// request: the last write that failed for a reason of the disk or the file,
// a file removed or replaced under it, and the last integrity check. Health
// reads it; writes and Watch keep it up to date.
type health struct {
	mu sync.Mutex
	// file and wal identify the database and its WAL as opened; a write
	// checks that the names still lead to them.
	file, wal os.FileInfo
	// lost is set once the files were removed or replaced: it never clears,
	// and every write is refused with it.
	lost error
	// writeErr is the last write's fault (disk full, read-only file, I/O
	// error), cleared by the next write that commits.
	writeErr error
	// corrupt is the last integrity check's finding.
	corrupt error
	// lastWrite is when a write last committed, so Health probes only when
	// no write has shown for probeAfter that writing works.
	lastWrite time.Time
}

// probeAfter is how long Health trusts the last committed write before it
// writes a probe of its own.
const probeAfter = 30 * time.Second

// Health reports whether the database can be read and written: nil, or an
// EUNAVAILABLE error whose message says why and what to do. It answers
// from what writes and Watch found, and when no write has committed for
// 30 seconds it writes a probe row (table health_probe) to find out.
func (db *DB) Health(ctx context.Context) error {
	var one int
	if err := db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return review.Errorf(review.EUNAVAILABLE, "The database cannot be read: %v", err)
	}
	if err := db.checkFiles(); err != nil {
		return err
	}
	db.health.mu.Lock()
	corrupt, writeErr, last := db.health.corrupt, db.health.writeErr, db.health.lastWrite
	db.health.mu.Unlock()
	if corrupt != nil {
		return corrupt
	}
	if writeErr == nil && time.Since(last) < probeAfter {
		return nil
	}
	err := db.exec(ctx, `INSERT INTO health_probe (id, at) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, review.FormatTime(db.Now()))
	if err == nil || errors.Is(err, busyError) || ctx.Err() != nil {
		// Another program holding the write lock (a long import) is no
		// fault of this server's: reads go on and writes wait their turn.
		return nil
	}
	if review.ErrorCode(err) == review.EUNAVAILABLE {
		return err
	}
	if err != nil {
		return review.Errorf(review.EUNAVAILABLE, "The database cannot be written: %v", err)
	}
	return nil
}

// Fault returns what stops the database taking changes now, as found so
// far by writes, Health and Watch, or nil. It does no I/O.
func (db *DB) Fault() error {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	switch {
	case db.health.lost != nil:
		return db.health.lost
	case db.health.corrupt != nil:
		return db.health.corrupt
	case db.health.writeErr != nil:
		return db.health.writeErr
	}
	return nil
}

// Faults of the disk or the file, as a person can act on them. Each says
// that nothing was saved; the form a person filled in is kept (the page
// answers htmx requests in place, and says to go back otherwise).
var (
	errDiskFull = &review.Error{Code: review.EUNAVAILABLE,
		Message: "The server's disk is full, so nothing was saved. Ask the server's operator to free space on the disk that holds the database, then submit again: what you entered is still in the form."}
	errReadOnly = &review.Error{Code: review.EUNAVAILABLE,
		Message: "The database file is read-only, so nothing was saved. Ask the server's operator to make the file (and its folder) writable by the server, then submit again: what you entered is still in the form."}
	errIO = &review.Error{Code: review.EUNAVAILABLE,
		Message: "The disk reported an error while saving, so nothing was saved. Ask the server's operator to check the disk and the server's log, then submit again: what you entered is still in the form."}
	errMoved = &review.Error{Code: review.EUNAVAILABLE,
		Message: "The database file was moved or replaced while the server was running, so nothing was saved. Ask the server's operator to restart it; see OPERATIONS.md."}
	errCorrupt = &review.Error{Code: review.EUNAVAILABLE,
		Message: "The database file is damaged, so nothing was saved. Ask the server's operator to restore the latest backup (vetted restore); see OPERATIONS.md."}
)

// diskFault maps SQLite's errors of the disk and the file onto the errors
// above, or returns nil for any other error.
func diskFault(err error) *review.Error {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return nil
	}
	if se.ExtendedCode == sqlite3.ErrReadonlyDbMoved {
		return errMoved
	}
	switch se.Code {
	case sqlite3.ErrFull:
		return errDiskFull
	case sqlite3.ErrReadonly:
		return errReadOnly
	case sqlite3.ErrIoErr:
		return errIO
	case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
		return errCorrupt
	}
	return nil
}

// noteWrite records the outcome of a write group for Health: a fault of
// the disk or the file is kept until a later write commits.
func (db *DB) noteWrite(err error) {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	if err == nil {
		db.health.writeErr = nil
		db.health.lastWrite = time.Now()
		return
	}
	if f := diskFault(err); f != nil {
		db.health.writeErr = f
	}
}

// rememberFiles records which files the database and its WAL are, for
// checkFiles.
func (db *DB) rememberFiles() error {
	fi, err := os.Stat(db.Path)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", db.Path, err)
	}
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	db.health.file = fi
	if wal, err := os.Stat(db.Path + "-wal"); err == nil {
		db.health.wal = wal
	}
	return nil
}

// checkFiles reports, once and for good, a database or WAL file that was
// removed or replaced while this process had it open: what it writes would
// go into a file nobody can open again and be lost. While a connection is
// open SQLite never removes the WAL, so a missing one was removed by
// someone else.
func (db *DB) checkFiles() error {
	db.health.mu.Lock()
	defer db.health.mu.Unlock()
	if db.health.lost != nil || db.health.file == nil {
		return db.health.lost
	}
	// Only a name that leads nowhere, or to another file, counts: a stat
	// that fails for another reason (EIO, EACCES) may pass.
	gone := func(fi os.FileInfo, err error, was os.FileInfo) bool {
		return errors.Is(err, os.ErrNotExist) || err == nil && !os.SameFile(fi, was)
	}
	var what string
	if fi, err := os.Stat(db.Path); gone(fi, err, db.health.file) {
		what = "The database file " + db.Path
	} else if wal, err := os.Stat(db.Path + "-wal"); db.health.wal != nil && gone(wal, err, db.health.wal) {
		what = "The database's WAL file " + db.Path + "-wal"
	} else if db.health.wal == nil && err == nil {
		db.health.wal = wal
	}
	if what != "" {
		db.health.lost = review.Errorf(review.EUNAVAILABLE,
			"%s was removed or replaced while the server was running, so the server accepts no more changes (they would be lost). Nothing was saved. Ask the server's operator to restart it; see OPERATIONS.md.", what)
	}
	return db.health.lost
}

// QuickCheck runs SQLite's PRAGMA quick_check over the whole file and
// records the finding for Health: nil, or an EUNAVAILABLE error quoting
// SQLite's first complaints.
func (db *DB) QuickCheck(ctx context.Context) error {
	rows, err := db.r.QueryContext(ctx, "PRAGMA quick_check(5)")
	var found []string
	if err == nil {
		for rows.Next() {
			var s string
			if err = rows.Scan(&s); err != nil {
				break
			}
			found = append(found, s)
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var bad error
	switch {
	case err != nil && diskFault(err) == errCorrupt:
		bad = review.Errorf(review.EUNAVAILABLE, "The database file %s is damaged (%v). Restore the latest backup with vetted restore; see OPERATIONS.md.", db.Path, err)
	case err != nil:
		return fmt.Errorf("store: quick_check: %w", err)
	case len(found) != 1 || found[0] != "ok":
		bad = review.Errorf(review.EUNAVAILABLE, "The database file %s is damaged (SQLite's quick_check: %s). Restore the latest backup with vetted restore; see OPERATIONS.md.", db.Path, strings.Join(found, "; "))
	}
	db.health.mu.Lock()
	db.health.corrupt = bad
	db.health.mu.Unlock()
	return bad
}

// Watch checks the database until ctx ends: SQLite's quick_check at once
// and then every interval, and every 10 seconds whether the database or its
// WAL file was removed or replaced. What it finds is logged once and
// answered by Health and by every write.
func (db *DB) Watch(ctx context.Context, log *slog.Logger, interval time.Duration) {
	check := func() {
		if err := db.QuickCheck(ctx); err != nil && ctx.Err() == nil {
			log.Error("database integrity", "err", err)
		}
	}
	check()
	files := time.NewTicker(10 * time.Second)
	defer files.Stop()
	full := time.NewTicker(interval)
	defer full.Stop()
	reported := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			check()
		case <-files.C:
			if err := db.checkFiles(); err != nil && !reported {
				reported = true
				log.Error("database files", "err", err)
			}
		}
	}
}
