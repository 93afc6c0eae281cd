package store_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"vetted/review"
	"vetted/store"
)

// openAt opens a copy of the demo database at path.
func openAt(tb testing.TB, path string) (*store.DB, review.User) {
	tb.Helper()
	src := copyDB(tb, template(tb, "demo", buildDemo))
	b, err := os.ReadFile(src)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rey, err := db.FindUserByName(context.Background(), "rey")
	if err != nil {
		tb.Fatal(err)
	}
	return db, rey
}

func countEvents(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	n, err := db.CountEvents(context.Background(), review.EventFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestDiskFull fills a small tmpfs under a database: writes fail with
// EUNAVAILABLE saying the disk is full and that nothing was saved, nothing
// is half-written, Health says so, and once there is room again writing
// and Health recover.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	ctx := context.Background()
	db, rey := openAt(t, filepath.Join(dir, "vetted.db"))

	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	// SQLite reuses the WAL's space while it can: write until it must grow.
	before := countEvents(t, db)
	saved := 0
	var werr error
	for range 5000 {
		if _, werr = db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: strings.Repeat("a note that needs room ", 40)}); werr != nil {
			break
		}
		saved++
	}
	if werr == nil {
		t.Fatal("5,000 notes were written to a full disk")
	}
	if review.ErrorCode(werr) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(werr), "disk is full") ||
		!strings.Contains(review.ErrorMessage(werr), "nothing was saved") {
		t.Fatalf("a write to a full disk: %v, want EUNAVAILABLE saying the disk is full and nothing was saved", werr)
	}
	if got := countEvents(t, db); got != before+int64(saved) {
		t.Errorf("%d events after %d saved notes, want %d: the failed write left something behind", got, saved, before+int64(saved))
	}
	if err := db.Health(ctx); review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "disk is full") {
		t.Errorf("Health on a full disk: %v, want EUNAVAILABLE saying the disk is full", err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "room again"}); err != nil {
		t.Fatalf("a write once there is room: %v", err)
	}
	if err := db.Health(ctx); err != nil {
		t.Errorf("Health once there is room: %v", err)
	}
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Errorf("the history after a full disk: %v", err)
	}
}

// TestFilesRemovedUnderServer: a WAL removed, or a database file replaced,
// while the database is open stops every write for good, saying so, and
// Health reports it; nothing is written into the unlinked files.
func TestFilesRemovedUnderServer(t *testing.T) {
	for _, tc := range []struct {
		name, what string
		do         func(path string) error
	}{
		{"wal removed", "WAL file", func(path string) error { return os.Remove(path + "-wal") }},
		{"database replaced", "database file", func(path string) error {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path+".new", b, 0o644); err != nil {
				return err
			}
			return os.Rename(path+".new", path)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "vetted.db")
			db, rey := openAt(t, path)
			if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "before"}); err != nil {
				t.Fatal(err)
			}
			if err := tc.do(path); err != nil {
				t.Fatal(err)
			}
			_, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "after"})
			msg := review.ErrorMessage(err)
			if review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(msg, tc.what) || !strings.Contains(msg, "removed or replaced") {
				t.Fatalf("a write after the %s was removed: %v, want EUNAVAILABLE naming it", tc.what, err)
			}
			if err := db.Health(ctx); review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "removed or replaced") {
				t.Errorf("Health: %v, want EUNAVAILABLE saying the file was removed or replaced", err)
			}
			if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "later"}); review.ErrorCode(err) != review.EUNAVAILABLE {
				t.Errorf("a later write: %v, want it refused too", err)
			}
		})
	}
}

// TestQuickCheckFindsDamage: a page overwritten in the file is found by
// QuickCheck, and Health reports it until the file is replaced.
func TestQuickCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vetted.db")
	db, _ := openAt(t, path)
	if err := db.QuickCheck(ctx); err != nil {
		t.Fatalf("QuickCheck of a sound file: %v", err)
	}
	if err := db.Health(ctx); err != nil {
		t.Fatalf("Health of a sound file: %v", err)
	}
	db.Close()

	// Overwrite a page in the middle of the file (not page 1, which holds
	// the schema Open reads, nor the last, where the history's newest rows
	// are, which Open reads too).
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	junk := []byte(strings.Repeat("\xde\xad\xbe\xef", 4096))
	if _, err := f.WriteAt(junk, fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	db, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open of a file damaged past its schema: %v", err)
	}
	defer db.Close()
	err = db.QuickCheck(ctx)
	if review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "damaged") {
		t.Fatalf("QuickCheck of a damaged file: %v, want EUNAVAILABLE saying it is damaged", err)
	}
	if err := db.Health(ctx); review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "damaged") {
		t.Errorf("Health of a damaged file: %v", err)
	}
}

// TestOpenReadOnlyFolder: a database in a folder vetted cannot write is
// refused at open with a message that says what to make writable.
func TestOpenReadOnlyFolder(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	path := filepath.Join(src, "vetted.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	dir := src
	if os.Geteuid() == 0 {
		// root writes through permissions: a read-only bind mount instead.
		dir = t.TempDir()
		if out, err := exec.Command("mount", "--bind", src, dir).CombinedOutput(); err != nil {
			t.Skipf("cannot bind-mount here (%v: %s)", err, out)
		}
		t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
		if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
			t.Skipf("cannot remount read-only here (%v: %s)", err, out)
		}
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}
	_, err = store.Open(ctx, filepath.Join(dir, "vetted.db"))
	if review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "read-only") ||
		!strings.Contains(review.ErrorMessage(err), "writable") {
		t.Fatalf("open in a read-only folder: %v, want EUNAVAILABLE saying what to make writable", err)
	}
}
