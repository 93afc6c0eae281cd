package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

// TestVerifyRecords: the records a database holds are what its history
// says, and a row changed, added or removed without its event is named.
func TestVerifyRecords(t *testing.T) {
	ctx := context.Background()
	fresh := func(t *testing.T) *TestDB {
		db := MustOpenDB(t)
		mixedWorkload(t, db)
		return db
	}
	t.Run("Drafts", func(t *testing.T) {
		// A draft is its author's until submitted: the claim's latest
		// wording stays the one before it, in the tables and the replay.
		db := MustOpenDemoDB(t)
		c, err := db.FindClaim(ctx, 9)
		if err != nil {
			t.Fatal(err)
		}
		draft, err := db.ProposeRevision(ctx, db.Editor, review.NewRevision{ClaimID: c.ID, BaseID: review.Head(c.Revisions),
			Statement: c.Latest.Statement + " (draft)", Confidence: c.Latest.Confidence, Draft: true})
		if err != nil {
			t.Fatal(err)
		}
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("with a draft: %v %v", ms, err)
		}
		// A newer proposal, rejected, then the older draft submitted: the
		// draft becomes the latest wording though a newer revision exists.
		newer, err := db.ProposeRevision(ctx, db.Reviewer, review.NewRevision{ClaimID: c.ID, BaseID: review.Head(c.Revisions),
			Statement: c.Latest.Statement + " (newer)", Confidence: c.Latest.Confidence})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideRevision(ctx, db.Editor2, newer.ID, false, "Not this wording."); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SubmitRevision(ctx, db.Editor, draft.ID); err != nil {
			t.Fatal(err)
		}
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("with the draft submitted after a newer revision was rejected: %v %v", ms, err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		for name, db := range map[string]*TestDB{"seed": fresh(t), "demo": MustOpenDemoDB(t)} {
			ms, err := db.VerifyRecords(ctx)
			if err != nil || len(ms) != 0 {
				t.Errorf("%s: %v %v", name, ms, err)
			}
		}
	})
	for _, tc := range []struct {
		name string
		sql  []string
		want string
	}{
		{"RevisionChanged", []string{"UPDATE revisions SET statement = 'forged' WHERE id = (SELECT MIN(id) FROM revisions)"},
			"statement: the tables say \"forged\""},
		{"NoteAdded", []string{"INSERT INTO notes (claim_id, author_id, body, created_at) SELECT MIN(id), 2, 'sneaky', '2026-01-01T00:00:00.000000Z' FROM claims"},
			"notes: "},
		{"FlagRemoved", []string{"DELETE FROM flags WHERE id = (SELECT MAX(id) FROM flags)"}, "claim "},
		{"EvidenceChanged", []string{"UPDATE evidence SET credibility = 6 - credibility + 1 WHERE id = (SELECT MIN(id) FROM evidence)"}, "credibility"},
		{"SourceChanged", []string{"UPDATE sources SET title = 'Other' WHERE id = (SELECT MIN(id) FROM sources)"}, "source "},
		{"UserChanged", []string{"UPDATE users SET role = 'admin' WHERE name = 'rey'"}, "role: the tables say \"admin\""},
		{"UserAdded", []string{"INSERT INTO users (name, role, password_hash, created_at) VALUES ('mallory', 'admin', '!', '2026-01-01T00:00:00.000000Z')"},
			"without its event"},
		{"AppearanceChanged", []string{"UPDATE appearances SET exact = 'x' WHERE claim_id = (SELECT MIN(claim_id) FROM appearances)"}, "exact"},
		{"EditionChanged", []string{"UPDATE editions SET original = X'00' WHERE id = (SELECT MIN(id) FROM editions)"}, "SHA-256"},
		{"ClaimAdded", []string{"INSERT INTO claims (report_id, created_by, created_at, updated_at) VALUES (1, 2, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')"},
			"without its claim.created event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := fresh(t)
			raw := rawDB(t, db.Path)
			for _, q := range tc.sql {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			ms, err := db.VerifyRecords(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, m := range ms {
				all = append(all, m.String())
			}
			if len(ms) == 0 || !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("mismatches %q, want one saying %q", all, tc.want)
			}
		})
	}
}
