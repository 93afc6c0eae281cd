package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
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
// go on; more writes follow and the server dies, leaving its WAL; a backup
// copied back by hand beside that WAL is refused, naming it, and left
// unharmed; vetted restore refuses while the server runs, then puts the
// backup in place, moving the WAL aside; the restored history verifies.
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
	for _, p := range []string{copyPath + "-wal", copyPath + "-shm", copyPath + "-lock"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("the backup left %s beside it", p)
		}
	}
	backupHead := cliHead(t, copyPath)

	// More writes after the backup, then the server dies with its WAL. A
	// checkpoint first, as a server running for a while has had: the WAL
	// then holds only what came after.
	raw, err := sql.Open("sqlite3", "file:"+live)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := db.AddNote(ctx, rey, review.NewNote{ClaimID: 2, Body: "note after the backup"}); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, errOut := runCLI(t, "", "restore", copyPath, "--db", live); code == exitOK || !strings.Contains(errOut, "in use") {
		t.Errorf("restore while the server runs: exit %d %q, want a refusal saying the database is in use", code, errOut)
	}
	leftover, err := os.ReadFile(live + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	liveHead, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db.Close()
	if err := os.WriteFile(live+"-wal", leftover, 0o644); err != nil {
		t.Fatal(err)
	}

	// The mistake the issue saw: the backup copied over the database by
	// hand, beside the dead server's WAL. Opening it is refused, naming
	// the WAL, and the backup's bytes are left as they were.
	handCopy := filepath.Join(dir, "hand.db")
	backupBytes, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(handCopy, backupBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(handCopy+"-wal", leftover, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "", "head", "--db", handCopy)
	if code == exitOK || !strings.Contains(errOut, handCopy+"-wal") || !strings.Contains(errOut, "does not belong") {
		t.Fatalf("head of a backup beside a foreign WAL: exit %d %q, want a refusal naming the WAL", code, errOut)
	}
	if b, _ := os.ReadFile(handCopy); !bytes.Equal(b, backupBytes) {
		t.Fatal("the refused open changed the database file")
	}
	if err := os.Rename(handCopy+"-wal", handCopy+"-wal.aside"); err != nil {
		t.Fatal(err)
	}
	if got := cliHead(t, handCopy); got != backupHead {
		t.Errorf("head once the WAL is moved aside: %+v, want the backup's %+v", got, backupHead)
	}

	// vetted restore with the dead server's WAL still beside the database.
	code, out, errOut = runCLI(t, "", "restore", copyPath, "--db", live)
	if code != exitOK || !strings.Contains(out, "restored") || !strings.Contains(out, "moved aside: "+live+".before-restore-") {
		t.Fatalf("restore: exit %d %q %q, want the backup restored and the old files moved aside", code, out, errOut)
	}
	// The old database and its WAL, moved aside together, still open as
	// one: the writes after the backup are kept there.
	var oldDB string
	for _, l := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(l, "moved aside: "); ok && !strings.HasSuffix(p, "-wal") && !strings.HasSuffix(p, "-shm") {
			oldDB = p
		}
	}
	if _, err := os.Stat(oldDB + "-wal"); err != nil {
		t.Fatalf("the old WAL is not beside the old database %s: %v", oldDB, err)
	}
	if got := cliHead(t, oldDB); got.seq != liveHead.Seq || got.hash != liveHead.Hash {
		t.Errorf("the database moved aside opens at %+v, want the dead server's head %d %s", got, liveHead.Seq, liveHead.Hash)
	}
	restored, err := store.Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	head, err := restored.Head(ctx)
	if err == nil {
		err = restored.QuickCheck(ctx)
	}
	restored.Close()
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq < before.Seq || head.Seq != backupHead.seq || head.Hash != backupHead.hash {
		t.Fatalf("restored head seq %d %s, want the backup's %+v (at least seq %d)", head.Seq, head.Hash, backupHead, before.Seq)
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

// cliHead reads `vetted head` of the database at path.
func cliHead(t *testing.T, path string) (h struct {
	seq  int64
	hash string
}) {
	t.Helper()
	code, out, errOut := runCLI(t, "", "head", "--db", path)
	if code != exitOK {
		t.Fatalf("head of %s: exit %d %s", path, code, errOut)
	}
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "seq "); ok {
			h.seq, _ = strconv.ParseInt(v, 10, 64)
		}
		if v, ok := strings.CutPrefix(l, "hash "); ok {
			h.hash = v
		}
	}
	if h.seq == 0 || len(h.hash) != 64 {
		t.Fatalf("head of %s: %q", path, out)
	}
	return h
}

// TestRestoreRefusesBadBackups: a file that is not a vetted database, or
// one whose history does not verify, is refused and the live database is
// left as it was.
func TestRestoreRefusesBadBackups(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "vetted.db")
	mustRun(t, "", "migrate", "--db", live)
	orig, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database, only some text that is long enough to look like a header"), 0o644)
	for _, tc := range []struct{ name, backup, want string }{
		{"missing", filepath.Join(dir, "nope.db"), "Cannot read the backup"},
		{"not a database", junk, "not a sound vetted database"},
		{"itself", live, "same file"},
	} {
		code, _, errOut := runCLI(t, "", "restore", tc.backup, "--db", live)
		if code == exitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d %q, want a refusal with %q", tc.name, code, errOut, tc.want)
		}
		if b, _ := os.ReadFile(live); !bytes.Equal(b, orig) {
			t.Fatalf("%s: the live database changed", tc.name)
		}
		if _, err := os.Stat(live + ".restoring"); err == nil {
			t.Errorf("%s: the staged copy was left behind", tc.name)
		}
	}
	if code, _, _ := runCLI(t, "", "restore", "--db", live); code != exitUsage {
		t.Errorf("restore with no backup: exit %d, want usage", code)
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
