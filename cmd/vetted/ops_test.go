package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"vetted"
	"vetted/review"
	"vetted/store"
)

// runCLI runs the command line in-process and returns its exit code and
// output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestBackupRestoreDrill follows docs/OPERATIONS.md: back up while writes
// go on, restore the copy in place, and check its head and history.
func TestBackupRestoreDrill(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "vetted.db")
	ctx := context.Background()
	db, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		t.Fatal(err)
	}
	rey, err := db.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	before, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Writes continue while the backup runs.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "note during backup"}); err != nil {
				t.Errorf("write during backup: %v", err)
				return
			}
		}
	}()
	copyPath := filepath.Join(dir, "copy.db")
	code, out, errOut := runCLI(t, "", "backup", "--db", live, copyPath)
	close(stop)
	wg.Wait()
	if code != exitOK {
		t.Fatalf("backup: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "backed up") {
		t.Errorf("backup output %q", out)
	}
	if code, _, errOut := runCLI(t, "", "backup", "--db", live, copyPath); code != exitFail || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over an existing file: exit %d %q, want 1 and a refusal", code, errOut)
	}
	db.Close()

	// Restore: the copy replaces the live files.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(live+suffix, live+suffix+".old"); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	if err := os.Rename(copyPath, live); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	head, err := restored.Head(ctx)
	restored.Close()
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq < before.Seq {
		t.Fatalf("restored head seq %d, before the backup it was %d", head.Seq, before.Seq)
	}
	code, out, errOut = runCLI(t, "", "head", "--db", live)
	if code != exitOK || !strings.Contains(out, head.Hash) {
		t.Fatalf("head after restore: exit %d %q %q", code, out, errOut)
	}
	export := filepath.Join(dir, "h.jsonl")
	f, err := os.Create(export)
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	code = run(ctx, []string{"export", "--db", live, "--format", "jsonl"}, strings.NewReader(""), f, &errb)
	f.Close()
	if code != exitOK {
		t.Fatalf("export: %s", errb.String())
	}
	if code, out, errOut := runCLI(t, "", "verify", export); code != exitOK || !strings.Contains(out, "OK") {
		t.Fatalf("verify restored history: exit %d %q %q", code, out, errOut)
	}
}

// TestDowngradeRefused: a database from a newer vetted is refused with a
// message that says so, and nothing is changed.
func TestDowngradeRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vetted.db")
	if code, _, errOut := runCLI(t, "", "migrate", "--db", path); code != exitOK {
		t.Fatalf("migrate: %s", errOut)
	}
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Pretend a newer vetted wrote it.
	if err := markNewerSchema(path); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "migrate", "--db", path)
	if code != exitFail || !strings.Contains(errOut, "newer version of vetted") {
		t.Fatalf("migrate on a newer database: exit %d %q, want 1 and 'newer version of vetted'", code, errOut)
	}
}

func markNewerSchema(path string) error {
	conn, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from_the_future', '2030-01-01T00:00:00.000000Z')")
	return err
}
