package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

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
	if _, err := checkCopy(ctx, path); err != nil {
		return fmt.Errorf("store: backup check: %w", err)
	}
	// A backup is left in rollback-journal mode, so that a WAL found beside
	// it after it is put back by hand is known to be foreign (checkWAL).
	if err := setRollbackMode(ctx, path); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// setRollbackMode switches the database at path, which no one else uses,
// to rollback-journal mode.
func setRollbackMode(ctx context.Context, path string) error {
	conn, err := sql.Open("sqlite3", "file:"+escapePath(path))
	if err != nil {
		return err
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil {
		return err
	}
	if mode != "delete" {
		return fmt.Errorf("%s: journal_mode is %q, want delete", path, mode)
	}
	return nil
}

// checkCopy opens the database copy at path, which no one else uses, runs
// quick_check and verifies its history chain, and closes it leaving no
// WAL, shm or lock file beside it. It returns the copy's history head.
func checkCopy(ctx context.Context, path string) (review.ChainHead, error) {
	defer os.Remove(lockPath(path))
	b, err := Open(ctx, path)
	if err != nil {
		return review.ChainHead{}, err
	}
	defer b.Close()
	if err := b.QuickCheck(ctx); err != nil {
		return review.ChainHead{}, err
	}
	if _, err := b.VerifyChain(ctx); err != nil {
		return review.ChainHead{}, review.Errorf(review.EINVALID, "Its history does not verify: %v", err)
	}
	return b.Head(ctx)
}

// Restored says what Restore did.
type Restored struct {
	Head review.ChainHead // the restored database's history head
	// Aside lists the files Restore moved out of the way: the database it
	// replaced as PATH.before-restore-T (T the time in UTC, as
	// 20060102T150405Z) and its WAL and shm beside it as
	// PATH.before-restore-T-wal and -shm, so that the three open together.
	Aside []string
}

// Restore puts the backup at backup in place of the database at path:
//
//  1. it takes path's lock exclusively, refusing while any vetted process
//     (a server) has the database open, and keeping any from opening it
//     until the restore is done;
//  2. it copies the backup beside path under a name of its own and checks
//     the copy (quick_check and the history chain; migrations a newer
//     vetted needs are applied to the copy), so a bad backup changes
//     nothing;
//  3. it links the database to its aside name, renames the checked copy
//     over path (one step: path is never missing), then moves any WAL and
//     shm aside beside the old database. Stopped between the last two
//     steps, the old WAL is found beside the new database, which Open
//     refuses, naming it.
//
// Errors: EINVALID for a backup that is not a sound vetted database,
// EUNAVAILABLE while the database is in use.
func Restore(ctx context.Context, backup, path string) (Restored, error) {
	bi, err := os.Stat(backup)
	if err != nil {
		return Restored{}, review.Errorf(review.EINVALID, "Cannot read the backup %s: %v", backup, err)
	}
	if pi, err := os.Stat(path); err == nil && os.SameFile(bi, pi) {
		return Restored{}, review.Errorf(review.EINVALID, "The backup and the database are the same file (%s).", path)
	}
	if _, err := os.Stat(backup + "-wal"); err == nil {
		return Restored{}, review.Errorf(review.EINVALID,
			"The backup %s has a WAL file beside it (%s-wal): it is a live database, not a backup. Make a backup of it with vetted backup and restore that.", backup, backup)
	}

	lock, err := openLock(path)
	if err != nil || lock == nil {
		return Restored{}, review.Errorf(review.EINVALID, "Cannot lock %s for the restore: %v", path, err)
	}
	defer lock.Close()
	if ok, err := flock(lock, syscall.LOCK_EX); err != nil {
		return Restored{}, err
	} else if !ok {
		return Restored{}, review.Errorf(review.EUNAVAILABLE,
			"%s is in use by a vetted process (a server, or a command still running): stop it, then restore. Nothing was changed.", path)
	}

	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".restoring-*")
	if err != nil {
		return Restored{}, review.Errorf(review.EINVALID, "Cannot write beside %s for the restore: %v", path, err)
	}
	staged := f.Name()
	f.Close()
	os.Remove(staged)
	defer func() {
		for _, p := range []string{staged, staged + "-wal", staged + "-shm", lockPath(staged)} {
			os.Remove(p) // gone once renamed; left only by a failure
		}
	}()
	if err := copyFile(backup, staged); err != nil {
		return Restored{}, review.Errorf(review.EINVALID, "Cannot copy the backup %s beside %s (nothing was changed): %v", backup, path, err)
	}
	head, err := checkCopy(ctx, staged)
	if err != nil {
		return Restored{}, review.Errorf(review.EINVALID, "The backup %s is not a sound vetted database, so nothing was restored: %s", backup, review.ErrorMessage(err))
	}
	for _, p := range []string{staged + "-wal", staged + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			return Restored{}, fmt.Errorf("store: restore: %s was left after the check", p)
		}
	}

	old := path + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
	var aside []string
	if _, err := os.Stat(path); err == nil {
		if err := os.Link(path, old); err != nil {
			return Restored{}, fmt.Errorf("store: restore: keep %s as %s: %w (nothing was changed)", path, old, err)
		}
		aside = append(aside, old)
	}
	if err := os.Rename(staged, path); err != nil {
		return Restored{}, fmt.Errorf("store: restore: %w (nothing was changed; %s is a link to the database)", err, old)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err != nil {
			continue
		}
		if err := os.Rename(path+suffix, old+suffix); err != nil {
			return Restored{}, fmt.Errorf("store: restore: the backup is in place, but %s could not be moved aside to %s: %w. Move it by hand before starting vetted (it belongs to %s)", path+suffix, old+suffix, err, old)
		}
		aside = append(aside, old+suffix)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return Restored{Head: head, Aside: aside}, nil
}
