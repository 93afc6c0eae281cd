package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"vetted/review"
	"vetted/store"
)

// mixedWorkload makes one of each kind of change.
func mixedWorkload(tb testing.TB, db *TestDB) {
	tb.Helper()
	ctx := context.Background()
	c := mustCreateClaim(tb, db, db.Reviewer, quoteCaviar, "caviar")
	r1 := mustDecide(tb, db, db.Editor, c.Latest.ID, true)
	r2 := mustPropose(tb, db, db.Reviewer2, c.ID, r1.ID, "caviar, reworded")
	mustDecide(tb, db, db.Editor2, r2.ID, false)
	_, err := db.AddNote(ctx, db.Editor, review.NewNote{ClaimID: c.ID, Body: "Note with \"quotes\", a\nnewline and ünïcode"})
	must(tb, err)
	f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagDisputed, Reason: "=HYPERLINK(\"x\")"})
	must(tb, err)
	_, err = db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "fine"})
	must(tb, err)
	_, err = db.CreateSource(ctx, db.Reviewer, review.NewSource{Title: "TRAFFIC", Reliability: "B"})
	must(tb, err)
	role := review.RoleEditor
	_, err = db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Role: &role})
	must(tb, err)
}

func TestVerifyChain(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		mixedWorkload(t, db)
		h, err := db.VerifyChain(ctx)
		must(t, err)
		if h != mustHead(t, db) {
			t.Errorf("VerifyChain head %+v, Head %+v", h, mustHead(t, db))
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		// Someone with the file drops the trigger and edits an event.
		db := MustOpenDB(t)
		mixedWorkload(t, db)
		raw := rawDB(t, db.Path)
		for _, q := range []string{"DROP TRIGGER events_no_update", "UPDATE events SET reason = 'forged' WHERE seq = 9"} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.VerifyChain(ctx)
		var ve *review.VerifyError
		if !errors.As(err, &ve) || ve.Seq != 9 {
			t.Errorf("err %v, want a VerifyError at seq 9", err)
		}
	})
	t.Run("OK/ConcurrentWriters", func(t *testing.T) {
		db := MustOpenDB(t)
		c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
		head := mustHead(t, db)
		const writers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by := []review.User{db.Reviewer, db.Reviewer2, db.Editor, db.Editor2}[w%4]
				for i := range each {
					if _, err := db.AddNote(ctx, by, review.NewNote{ClaimID: c.ID, Body: fmt.Sprintf("note %d.%d", w, i)}); err != nil {
						errs <- err
					}
					if _, _, err := db.FindClaims(ctx, review.ClaimFilter{Query: "note"}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := mustHead(t, db).Seq - head.Seq; got != writers*each {
			t.Errorf("%d events for %d notes", got, writers*each)
		}
		if _, err := db.VerifyChain(ctx); err != nil {
			t.Error(err)
		}
	})
}

// export writes the store's history as JSONL, as the CLI does.
func export(tb testing.TB, db *TestDB, f review.EventFilter, filter string) []byte {
	tb.Helper()
	var buf bytes.Buffer
	must(tb, review.ExportHistory(context.Background(), db, f, filter, &buf))
	return buf.Bytes()
}

func TestExport(t *testing.T) {
	db := MustOpenDB(t)
	mixedWorkload(t, db)
	t.Run("OK/Whole", func(t *testing.T) {
		res, err := review.VerifyJSONL(bytes.NewReader(export(t, db, review.EventFilter{}, "")))
		must(t, err)
		h := mustHead(t, db)
		if !res.Continuity || res.Events != h.Seq || res.Head.Hash != h.Hash {
			t.Errorf("result %+v, head %+v", res, h)
		}
	})
	t.Run("OK/Filtered", func(t *testing.T) {
		// The clock steps a second per transaction from clockStart.
		f := review.EventFilter{Since: clockStart.Add(3 * time.Second)}
		n, err := db.CountEvents(context.Background(), f)
		must(t, err)
		res, err := review.VerifyJSONL(bytes.NewReader(export(t, db, f, "since=x")))
		must(t, err)
		head := mustHead(t, db)
		if !res.Continuity || !res.Filtered || res.Events != n || n == 0 || n >= head.Seq || res.Events+res.Omitted != head.Seq || res.Head.Hash != head.Hash {
			t.Errorf("filtered: %+v, want %d of %d events shown and the rest omitted by hash", res, n, head.Seq)
		}
	})
	t.Run("ErrFieldChanged", func(t *testing.T) {
		lines := strings.Split(strings.TrimSpace(string(export(t, db, review.EventFilter{}, ""))), "\n")
		mod := append([]string{}, lines...)
		mod[5] = strings.Replace(mod[5], `"actor":"`, `"actor":"x`, 1)
		_, err := review.VerifyJSONL(strings.NewReader(strings.Join(mod, "\n")))
		var ve *review.VerifyError
		if !errors.As(err, &ve) || ve.Line != 6 {
			t.Errorf("err %v, want line 6", err)
		}
	})
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	mixedWorkload(t, db)
	out := filepath.Join(t.TempDir(), "backup.db")
	must(t, db.Backup(ctx, out))
	b, err := store.Open(ctx, out)
	must(t, err)
	defer b.Close()
	h, err := b.VerifyChain(ctx)
	must(t, err)
	if h != mustHead(t, db) {
		t.Errorf("backup head %+v, want %+v", h, mustHead(t, db))
	}
	cs, _, err := b.FindClaims(ctx, review.ClaimFilter{Query: "caviar"})
	must(t, err)
	if len(cs) != 1 {
		t.Errorf("backup finds %d caviar claims, want 1", len(cs))
	}
	t.Run("ErrExists", func(t *testing.T) {
		if err := db.Backup(ctx, out); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("backup over an existing file: %v", err)
		}
	})
}

func TestLoadDemo(t *testing.T) {
	ctx := context.Background()
	text, err := os.ReadFile(seedText)
	must(t, err)
	claims, err := os.ReadFile(seedClaims)
	must(t, err)
	db := MustOpenDemoDB(t)
	cs, total, err := db.FindClaims(ctx, review.ClaimFilter{Report: seedReport, Limit: 500})
	must(t, err)
	if total < 30 || len(cs) != total {
		t.Fatalf("%d claims (%d listed), want at least 30", total, len(cs))
	}
	sections := map[string]bool{}
	approved := 0
	for _, c := range cs {
		sections[c.Anchor.Section] = true
		if c.CurrentID != 0 {
			approved++
		}
	}
	ed, err := db.FindEdition(ctx, seedReport, seedEdition)
	must(t, err)
	for _, s := range ed.Doc.Sections {
		if s.Start < s.End && !sections[s.Heading] {
			t.Errorf("no demo claim in section %s", s.Heading)
		}
	}
	if approved == 0 || approved == total {
		t.Errorf("%d of %d claims approved, want some", approved, total)
	}
	var cig review.Claim
	for _, c := range cs {
		if c.Latest.Statement == "Cigánska mafia exists" {
			cig = c
		}
	}
	if cig.ID == 0 || cig.Latest.Confidence != review.ConfidenceUnverified || cig.Latest.Hedge != "allegedly" ||
		len(cig.Flags) != 1 || cig.Flags[0].Kind != review.FlagUnverified ||
		!strings.Contains(strings.ReplaceAll(cig.Flags[0].Reason, "’", "'"), "further research is needed to corroborate the group's existence") {
		t.Errorf("Cigánska mafia claim %+v", cig)
	}
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
	t.Run("OK/SecondTimeNoOp", func(t *testing.T) {
		before, head := snapshot(t, db), mustHead(t, db)
		loaded, err := db.LoadDemo(ctx, text, claims)
		must(t, err)
		if loaded {
			t.Error("LoadDemo loaded into a database that has the demo")
		}
		if mustHead(t, db) != head {
			t.Error("head moved")
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
}

// TestRecordVerified: the tree the server's history check verified is
// recorded, read back as written, and never moves back to a smaller tree.
func TestRecordVerified(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	if got, err := db.VerifiedTree(ctx); err != nil || got.Size != 0 {
		t.Fatalf("before any record: %+v, %v", got, err)
	}
	head, err := db.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	small, err := db.TreeHash(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		record review.TreeHead
		want   review.TreeHead
	}{
		{"OK", review.TreeHead{Size: 3, Hash: small}, review.TreeHead{Size: 3, Hash: small}},
		{"Grows", head, head},
		{"NeverBack", review.TreeHead{Size: 3, Hash: small}, head},
		{"SameSizeKept", review.TreeHead{Size: head.Size}, head},
		{"EmptyIgnored", review.TreeHead{}, head},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.RecordVerified(ctx, tc.record); err != nil {
				t.Fatal(err)
			}
			if got, err := db.VerifiedTree(ctx); err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
