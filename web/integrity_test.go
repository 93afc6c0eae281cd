package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
