package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
	"vetted/web"
)

// TestHistoryCheck: a record changed in the database file without its
// event is caught by the server's history check, which then refuses every
// change, shows a banner to everyone, and makes /healthz say so.
func TestHistoryCheck(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	if err := ts.App.CheckHistory(ctx); err != nil {
		t.Fatalf("a fresh demo: %v", err)
	}
	rey := ts.Login(t, "rey")
	if status, body := Get(t, rey, ts.URL+"/"); status != 200 || strings.Contains(body, "history-broken") {
		t.Fatalf("before: %d, banner shown: %v", status, strings.Contains(body, "history-broken"))
	}
	raw, err := sql.Open("sqlite3", "file:"+ts.DB.Path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE revisions SET statement = 'Something else' WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	// The checks between full ones go on from the last event verified:
	// they do not replay the records.
	if err := ts.App.CheckHistory(ctx); err != nil {
		t.Fatalf("a check from the last event verified: %v", err)
	}
	ts.App.RequestFullCheck()
	err = ts.App.CheckHistory(ctx)
	if err == nil || !strings.Contains(err.Error(), "[records]") || !strings.Contains(err.Error(), "claim 1: changed without an event") {
		t.Fatalf("CheckHistory = %v", err)
	}
	t.Run("Healthz", func(t *testing.T) {
		status, body := Get(t, http.DefaultClient, ts.URL+"/healthz")
		if status != 503 || !strings.Contains(body, "history check failed") || !strings.Contains(body, "claim 1") {
			t.Errorf("/healthz: %d %q", status, body)
		}
	})
	t.Run("Banner", func(t *testing.T) {
		for _, path := range []string{"/", "/claims/1", "/login"} {
			c := rey
			if path == "/login" {
				c = ts.Client()
			}
			if _, body := Get(t, c, ts.URL+path); !strings.Contains(body, `data-testid="history-broken"`) {
				t.Errorf("%s shows no banner", path)
			}
		}
	})
	t.Run("WritesRefused", func(t *testing.T) {
		before, _ := ts.DB.Head(ctx)
		status, _, body := Post(t, rey, ts.URL+"/claims/1/notes", url.Values{"body": {"Still here?"}})
		after, _ := ts.DB.Head(ctx)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "Nothing was saved") || after.Seq != before.Seq {
			t.Errorf("POST a note: %d, head %d -> %d", status, before.Seq, after.Seq)
		}
		// Signing in still works, to read.
		ts.Login(t, "eda")
	})
}

// TestDerivedCountsRebuilt: counts that no longer match the records (a
// bug, a hand edit) are rebuilt by the full history check, which does not
// stop writes for them.
func TestDerivedCountsRebuilt(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	raw, err := sql.Open("sqlite3", "file:"+ts.DB.Path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec("UPDATE edition_counts SET flagged = flagged + 5"); err != nil {
		t.Fatal(err)
	}
	if ms, _ := ts.DB.CheckDerived(ctx); len(ms) == 0 {
		t.Fatal("the counts changed by hand are not seen")
	}
	if err := ts.App.CheckHistory(ctx); err != nil || ts.App.Broken() != "" {
		t.Fatalf("the history check: %v, broken %q", err, ts.App.Broken())
	}
	if ms, err := ts.DB.CheckDerived(ctx); err != nil || len(ms) != 0 {
		t.Errorf("after the check: %v %v", ms, err)
	}
}

// addNotes adds n notes to claim 1 as rey, through the web.
func addNotes(t *testing.T, ts *testServer, n int) {
	t.Helper()
	rey := ts.Login(t, "rey")
	for i := range n {
		if status, _, _ := Post(t, rey, ts.URL+"/claims/1/notes", url.Values{"body": {fmt.Sprintf("Note %d", i)}}); status != 303 {
			t.Fatalf("note: %d", status)
		}
	}
}

// TestHistoryCheckGoesOn: after the first, full check, the background
// check goes on from the last event verified: it checks the events added
// since, records the tree they make as verified, and catches one written
// outside vetted or a past rewritten under the server.
func TestHistoryCheckGoesOn(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	if err := ts.App.CheckHistory(ctx); err != nil {
		t.Fatal(err)
	}
	addNotes(t, ts, 3)
	if err := ts.App.CheckHistory(ctx); err != nil {
		t.Fatalf("after three notes: %v", err)
	}
	head, err := ts.DB.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := ts.DB.VerifiedTree(ctx); err != nil || v.Size != head.Seq {
		t.Errorf("recorded as verified: %+v %v, want the head %d", v, err, head.Seq)
	}
	// A tree hash of the events since, changed behind vetted's back.
	t.Run("TreeHashChanged", func(t *testing.T) {
		ts := MustServer(t)
		if err := ts.App.CheckHistory(ctx); err != nil {
			t.Fatal(err)
		}
		addNotes(t, ts, 3)
		raw, err := sql.Open("sqlite3", "file:"+ts.DB.Path+"?_busy_timeout=5000")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		head, err := ts.DB.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// As someone who can write the file would: around the trigger.
		for _, q := range []string{"DROP TRIGGER tlog_hashes_no_update",
			"UPDATE tlog_hashes SET hash = randomblob(32) WHERE id = (SELECT MAX(id) FROM tlog_hashes)"} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		err = ts.App.CheckHistory(ctx)
		if err == nil || !strings.Contains(err.Error(), "[tree]") || ts.App.Broken() == "" {
			t.Errorf("a tree hash changed after the verified tree: %v", err)
		}
		if v, _ := ts.DB.VerifiedTree(ctx); v.Size >= head.Seq {
			t.Errorf("the tree with the changed hash was recorded as verified (size %d)", v.Size)
		}
	})
	// An event appended behind vetted's back, its hash wrong.
	raw, err := sql.Open("sqlite3", "file:"+ts.DB.Path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO events (seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash)
		SELECT seq + 1, time, actor, actor_role, action, entity_type, entity_id, before, after, 'forged', hash, hash FROM events WHERE seq = ?`, head.Seq); err != nil {
		t.Fatal(err)
	}
	err = ts.App.CheckHistory(ctx)
	if err == nil || !(strings.Contains(err.Error(), "does not verify") || strings.Contains(err.Error(), "[tree]")) || ts.App.Broken() == "" {
		t.Errorf("a forged event after the verified head: %v", err)
	}
}

// TestRewrittenUnderServer: a past rewritten under a running server, every
// hash recomputed so that the chain verifies on its own, is caught by the
// tree the server verified before, on /history?verify=full and /healthz.
func TestRewrittenUnderServer(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	if err := ts.App.CheckHistory(ctx); err != nil {
		t.Fatal(err)
	}
	audrey := ts.Login(t, "audrey")
	if status, body := Get(t, audrey, ts.URL+"/history?verify=full"); status != 200 || strings.Contains(body, "rewritten") {
		t.Fatalf("before: %d", status)
	}
	rewritePast(t, ts.DB.Path, 5)
	if _, err := ts.DB.VerifyChain(ctx); err != nil {
		t.Fatalf("the rewritten chain should verify on its own: %v", err)
	}
	status, body := Get(t, audrey, ts.URL+"/history?verify=full")
	if status != 200 || !strings.Contains(body, "[verified-tree]") || !strings.Contains(body, "the history was rewritten under the server") || !strings.Contains(body, `data-testid="history-broken"`) {
		t.Errorf("/history?verify=full: %d, says rewritten: %v", status, strings.Contains(body, "rewritten"))
	}
	if status, body := Get(t, http.DefaultClient, ts.URL+"/healthz"); status != 503 || !strings.Contains(body, "rewritten") {
		t.Errorf("/healthz: %d %q", status, body)
	}
}

// TestRewrittenUnderHistoryPage: without a background check having run,
// the history page starts one and remembers the head and tree it
// verified, and a rewrite under it shows on the next visit.
func TestRewrittenUnderHistoryPage(t *testing.T) {
	ts := MustServer(t)
	audrey := ts.Login(t, "audrey")
	if _, body := Get(t, audrey, ts.URL+"/history"); strings.Contains(body, "rewritten") {
		t.Fatal("reported before the rewrite")
	}
	rewritePast(t, ts.DB.Path, 5)
	if _, body := Get(t, audrey, ts.URL+"/history"); !(strings.Contains(body, "[verified-head]") || strings.Contains(body, "[verified-tree]")) || !strings.Contains(body, "rewritten under the server") {
		t.Error("/history did not notice the head it verified was rewritten")
	}
	if ts.App.Broken() == "" {
		t.Error("writes were not stopped")
	}
}

// TestRewrittenWhileStopped: the server records the tree its history check
// verified in the database, and a server started later begins from it, so a
// past rewritten (every hash recomputed) or cut short while no server ran
// is caught by the first check after start, by the named check
// [verified-tree].
func TestRewrittenWhileStopped(t *testing.T) {
	ctx := context.Background()
	// restart stands for a new server process: a store opened anew on the
	// file, and a server that remembers nothing but what the file holds.
	restart := func(t *testing.T, path string) *web.Server {
		t.Helper()
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		srv, err := web.New(db, web.Config{SessionKeys: [][]byte{make([]byte, 64), make([]byte, 32)}, Logger: discardLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	t.Run("Recorded", func(t *testing.T) {
		ts := MustServer(t)
		if got, _ := ts.DB.VerifiedTree(ctx); got.Size != 0 {
			t.Fatalf("a tree of %d is recorded before any check", got.Size)
		}
		if err := ts.App.CheckHistory(ctx); err != nil {
			t.Fatal(err)
		}
		want, err := ts.DB.TreeHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := ts.DB.VerifiedTree(ctx); err != nil || got != want {
			t.Fatalf("recorded %+v, %v; want the tree checked, %+v", got, err, want)
		}
		// The record never moves back.
		if err := ts.DB.RecordVerified(ctx, review.TreeHead{Size: 3, Hash: want.Hash}); err != nil {
			t.Fatal(err)
		}
		if got, _ := ts.DB.VerifiedTree(ctx); got != want {
			t.Errorf("a smaller tree replaced the record: %+v", got)
		}
		// An untouched history passes after a restart.
		if err := restart(t, ts.DB.Path).CheckHistory(ctx); err != nil {
			t.Errorf("after a restart, untouched: %v", err)
		}
	})
	t.Run("ErrRewritten", func(t *testing.T) {
		ts := MustServer(t)
		if err := ts.App.CheckHistory(ctx); err != nil {
			t.Fatal(err)
		}
		rewritePast(t, ts.DB.Path, 5)
		srv := restart(t, ts.DB.Path)
		err := srv.CheckHistory(ctx)
		if err == nil || !strings.Contains(err.Error(), "[verified-tree]") || !strings.Contains(err.Error(), "rewritten") {
			t.Fatalf("first check after the restart: %v; want [verified-tree]", err)
		}
		if srv.Broken() == "" {
			t.Error("writes were not stopped")
		}
	})
	t.Run("ErrCutShort", func(t *testing.T) {
		ts := MustServer(t)
		if err := ts.App.CheckHistory(ctx); err != nil {
			t.Fatal(err)
		}
		head, _ := ts.DB.Head(ctx)
		// The last event goes, with the tree hashes (the store rebuilds
		// them at open): what is left is a chain and a tree that verify
		// on their own.
		rawExec(t, ts.DB.Path, "DROP TRIGGER events_no_delete", "DROP TRIGGER tlog_hashes_no_delete",
			"DELETE FROM tlog_hashes", "DELETE FROM events WHERE seq = "+fmt.Sprint(head.Seq))
		srv := restart(t, ts.DB.Path)
		if _, err := ts.DB.VerifyChain(ctx); err != nil {
			t.Fatalf("the shortened chain should verify on its own: %v", err)
		}
		err := srv.CheckHistory(ctx)
		if err == nil || !strings.Contains(err.Error(), "[verified-tree]") || !strings.Contains(err.Error(), "removed") {
			t.Fatalf("first check after the restart: %v; want [verified-tree] … removed", err)
		}
	})
	t.Run("WithoutTheRecord", func(t *testing.T) {
		// What the record adds: a server that starts without it takes the
		// rewritten past as its baseline. (Someone who can rewrite the
		// file can remove the record too; witnesses' checkpoints are the
		// defence against that.)
		ts := MustServer(t)
		if err := ts.App.CheckHistory(ctx); err != nil {
			t.Fatal(err)
		}
		rewritePast(t, ts.DB.Path, 5)
		rawExec(t, ts.DB.Path, "DELETE FROM history_verified")
		if err := restart(t, ts.DB.Path).CheckHistory(ctx); err != nil {
			t.Errorf("without the record the check has nothing to compare with, yet: %v", err)
		}
	})
}
