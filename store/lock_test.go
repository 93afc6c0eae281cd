package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

// TestForeignWALRefused: a backup written by Backup and put back by hand
// beside the live database's WAL is refused before SQLite applies the WAL
// (the backup is in rollback-journal mode, so it never had one), and the
// backup's bytes are unchanged; a WAL left by a crash of the same database
// is applied as usual.
func TestForeignWALRefused(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	dir := t.TempDir()
	backup := filepath.Join(dir, "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: 1, Body: "after the backup"}); err != nil {
		t.Fatal(err)
	}
	wal, err := os.ReadFile(db.Path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(backup+"-wal", wal, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, backup)
	if review.ErrorCode(err) != review.EINVALID || !strings.Contains(review.ErrorMessage(err), backup+"-wal") ||
		!strings.Contains(review.ErrorMessage(err), "rollback-journal") {
		t.Fatalf("open of a backup beside a foreign WAL: %v, want EINVALID naming the WAL", err)
	}
	if after, _ := os.ReadFile(backup); string(after) != string(before) {
		t.Fatal("the refused open changed the backup")
	}

	// The live database's own WAL, as a crash leaves it: copy both files
	// while it is open, and open the copy.
	crashed := filepath.Join(dir, "crashed.db")
	live, err := os.ReadFile(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(crashed, live, 0o644)
	os.WriteFile(crashed+"-wal", wal, 0o644)
	c, err := store.Open(ctx, crashed)
	if err != nil {
		t.Fatalf("open after a crash with the database's own WAL: %v", err)
	}
	defer c.Close()
	if _, err := c.VerifyChain(ctx); err != nil {
		t.Errorf("the history after recovery: %v", err)
	}
	h1, _ := db.Head(ctx)
	h2, _ := c.Head(ctx)
	if h1 != h2 {
		t.Errorf("head after recovery %v, want the live database's %v", h2, h1)
	}
}

// TestRestoreWhileOpen: Restore refuses while another DB has the database
// open, and changes nothing.
func TestRestoreWhileOpen(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	_, err := store.Restore(ctx, backup, db.Path)
	if review.ErrorCode(err) != review.EUNAVAILABLE || !strings.Contains(review.ErrorMessage(err), "in use") {
		t.Fatalf("restore while open: %v, want EUNAVAILABLE saying it is in use", err)
	}
	if _, err := os.Stat(db.Path + ".restoring"); err == nil {
		t.Error("the staged copy was left behind")
	}
	if _, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: 1, Body: "still writing"}); err != nil {
		t.Errorf("a write after the refused restore: %v", err)
	}
}
