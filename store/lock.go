package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"vetted/review"
)

// Every vetted process that opens a database holds a shared flock(2) on
// PATH-lock for as long as it has it open; vetted restore takes it
// exclusively, so it cannot replace a file that a server is writing, and a
// server cannot open a file that is being replaced. The lock is on a file
// of its own: SQLite locks the database with fcntl(2), and a process that
// closes any descriptor of a file loses its fcntl locks on it.

// lockPath is the lock file beside the database at path.
func lockPath(path string) string { return path + "-lock" }

// lockWait bounds how long Open waits for a restore, or another process's
// look at a leftover WAL, to finish.
const lockWait = 10 * time.Second

// openLock opens (creating) the lock file for path. In a folder vetted
// cannot write, where no restore could run either, it returns nil and no
// error.
func openLock(path string) (*os.File, error) {
	f, err := os.OpenFile(lockPath(path), os.O_RDWR|os.O_CREATE, 0o644)
	if err == nil {
		return f, nil
	}
	if f, err := os.Open(lockPath(path)); err == nil {
		return f, nil
	}
	if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return nil, nil
	}
	return nil, fmt.Errorf("store: lock %s: %w", lockPath(path), err)
}

// closeLock closes the lock file f, if any, which lets go of its lock.
func closeLock(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// flock applies how (syscall.LOCK_SH or LOCK_EX) to f without blocking,
// reporting whether it was granted.
func flock(f *os.File, how int) (bool, error) {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		case errors.Is(err, syscall.EINTR):
			continue
		}
		return false, fmt.Errorf("store: lock %s: %w", f.Name(), err)
	}
}

// lockForOpen takes the shared lock for a process opening path. When no
// other vetted process has the database open, it first looks at any WAL
// left beside the file (checkWAL) while it holds the lock exclusively.
func lockForOpen(ctx context.Context, path string) (*os.File, error) {
	f, err := openLock(path)
	if f == nil || err != nil {
		return nil, err
	}
	alone, err := flock(f, syscall.LOCK_EX)
	if err != nil {
		f.Close()
		return nil, err
	}
	if alone {
		if err := checkWAL(ctx, path); err != nil {
			f.Close()
			return nil, err
		}
	}
	deadline := time.Now().Add(lockWait)
	for {
		ok, err := flock(f, syscall.LOCK_SH)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			return f, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, review.Errorf(review.EUNAVAILABLE,
				"%s is being restored, or checked after a crash, by another vetted process (it holds %s): wait for it to finish, then try again.", path, lockPath(path))
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkWAL refuses a WAL left beside path that does not belong to it: a
// backup put back by hand beside the WAL of the file it replaced. SQLite
// would apply that WAL's pages to the backup at the first open, even a
// read-only one, and damage it for good (or silently undo the restore).
// Before SQLite opens the files for writing:
//
//   - vetted backup writes backups in rollback-journal mode (the file
//     header's read and write versions are 1; see
//     https://sqlite.org/fileformat2.html#file_format_version_numbers), and
//     a file in that mode never had a WAL: any WAL beside it is foreign
//     (opening a backup with vetted puts it in WAL mode, so this check
//     covers only backups not opened since);
//   - otherwise the file is read twice, in place, copying nothing: alone
//     (SQLite's immutable=1, which ignores the WAL) and through the WAL
//     read-only (mode=ro, which never writes the database or removes the
//     WAL). Through the WAL it must pass quick_check, and the file's own
//     last event must still be there with the same hash: a WAL only ever
//     extends the history of the file it belongs to.
//
// A WAL left by a crash of this very database passes, and is applied as
// SQLite always does. A file damaged with and without its WAL is reported
// as damaged, not as a foreign WAL.
func checkWAL(ctx context.Context, path string) error {
	wal := path + "-wal"
	fi, err := os.Stat(wal)
	if err != nil || fi.Size() == 0 {
		return nil // no WAL, or nothing in it
	}
	if _, err := os.Stat(path); err != nil {
		return review.Errorf(review.EINVALID,
			"%s has a WAL file beside it (%s) but no database: move %s and %s-shm aside (or restore the database), then open it again.", path, wal, wal, path)
	}
	foreign := func(why string) error {
		return review.Errorf(review.EINVALID,
			"The WAL file %s does not belong to %s: %s. Nothing was changed. If %s was put back from a backup, move %s and %s-shm aside and open it again (vetted restore does this for you); if it was not, keep all three files and see OPERATIONS.md.",
			wal, path, why, path, wal, path)
	}
	if rollbackMode(path) {
		return foreign("the database is in rollback-journal mode, as vetted backup writes a backup, so it never had a WAL, and applying this one would overwrite it with pages of another file")
	}
	alone := "file:" + escapePath(path) + "?immutable=1"
	withWAL := "file:" + escapePath(path) + "?mode=ro&_busy_timeout=5000"
	aloneSeq, aloneHash, aloneErr := lastEvent(ctx, alone)
	found, err := quickCheckFile(ctx, withWAL)
	if err != nil {
		found = err.Error()
	}
	if found != "ok" {
		if a, err := quickCheckFile(ctx, alone); err != nil || a != "ok" {
			return review.Errorf(review.EUNAVAILABLE,
				"The database file %s is damaged (SQLite's quick_check, with its WAL: %s). Nothing was changed. Keep the files and restore the latest backup with vetted restore; see OPERATIONS.md.", path, found)
		}
		return foreign("applying it would damage the database (SQLite's check of the two together: " + found + ")")
	}
	if aloneErr != nil || aloneSeq == 0 {
		return nil // a file torn by a crash mid-checkpoint reads only through its WAL
	}
	conn, err := sql.Open("sqlite3", withWAL)
	if err != nil {
		return fmt.Errorf("store: check %s: %w", wal, err)
	}
	defer conn.Close()
	var hash string
	err = conn.QueryRowContext(ctx, "SELECT hash FROM events WHERE seq = ?", aloneSeq).Scan(&hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return foreign(fmt.Sprintf("with it applied the history cannot be read (%v)", err))
	}
	if hash != aloneHash {
		return foreign(fmt.Sprintf("the database's last event (seq %d) is not in the history it describes, so it was written for another copy of the database", aloneSeq))
	}
	return nil
}

// lastEvent returns the sequence number and hash of the last event in the
// database that dsn opens.
func lastEvent(ctx context.Context, dsn string) (int64, string, error) {
	conn, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	var seq int64
	var hash string
	err = conn.QueryRowContext(ctx, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return seq, hash, err
}

// rollbackMode reports whether the SQLite file at path says, in its
// header, that it is in rollback-journal mode (read and write versions 1;
// WAL mode is 2).
func rollbackMode(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [20]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return false
	}
	return string(h[:16]) == "SQLite format 3\x00" && h[18] == 1 && h[19] == 1
}

// quickCheckFile opens the database that dsn names with a plain SQLite
// connection and returns the first lines of PRAGMA quick_check.
func quickCheckFile(ctx context.Context, dsn string) (string, error) {
	conn, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check(5)")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		found = append(found, s)
	}
	return strings.Join(found, "; "), rows.Err()
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
