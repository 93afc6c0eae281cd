package store_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"vetted/review"
)

func TestFourEyes(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	// An editor's own claim: its first revision is theirs.
	c := mustCreateClaim(t, db, db.Editor, quoteCaviar, "caviar trade")
	for _, approve := range []bool{true, false} {
		_, err := db.DecideRevision(ctx, db.Editor, c.Latest.ID, approve, "my own")
		if review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("author decided own revision (approve=%v): %v", approve, err)
		}
	}
	// The other editor may.
	r := mustDecide(t, db, db.Editor2, c.Latest.ID, true)
	if r.State != review.StateApproved || r.DecidedBy != db.Editor2.Name {
		t.Errorf("revision %+v", r)
	}
	// A revision the second editor proposes cannot be approved by them.
	r2 := mustPropose(t, db, db.Editor2, c.ID, r.ID, "larger caviar trade")
	if _, err := db.DecideRevision(ctx, db.Editor2, r2.ID, true, ""); review.ErrorCode(err) != review.EFORBIDDEN {
		t.Errorf("second editor approved own revision: %v", err)
	}
	mustDecide(t, db, db.Editor, r2.ID, true)
}

func TestConflict(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "Azerbaijan hosts a caviar trade")
	base := mustDecide(t, db, db.Editor, c.Latest.ID, true)

	// Two editors start from the same base.
	first := mustPropose(t, db, db.Editor, c.ID, base.ID, "First editor's wording")
	head := mustHead(t, db)
	_, err := db.ProposeRevision(ctx, db.Editor2, review.NewRevision{ClaimID: c.ID, BaseID: base.ID,
		Statement: "Second editor's wording", Confidence: review.ConfidenceHigh})
	var ce *review.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("second proposal: %v, want a *review.ConflictError", err)
	}
	if ce.Base != base.ID || ce.Head != first.ID {
		t.Errorf("conflict Base %d Head %d, want %d and %d", ce.Base, ce.Head, base.ID, first.ID)
	}
	if review.ErrorCode(err) != review.ECONFLICT {
		t.Errorf("code %q, want ECONFLICT", review.ErrorCode(err))
	}
	if h := mustHead(t, db); h != head {
		t.Error("the refused proposal wrote an event")
	}

	// Both versions the user must choose between are readable, unchanged.
	for _, want := range []review.Revision{base, first} {
		got, err := db.FindRevision(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Statement != want.Statement || got.State != want.State {
			t.Errorf("revision %d is now %q (%s), want %q (%s)", want.ID, got.Statement, got.State, want.Statement, want.State)
		}
	}
	cl := mustFindClaim(t, db, c.ID)
	if len(cl.Revisions) != 2 || cl.Latest.ID != first.ID || cl.CurrentID != base.ID {
		t.Errorf("claim has %d revisions, latest %d, current %d; want 2, %d, %d", len(cl.Revisions), cl.Latest.ID, cl.CurrentID, first.ID, base.ID)
	}
	// Starting again from the latest works.
	mustPropose(t, db, db.Editor2, c.ID, ce.Head, "Second editor's wording, rebased")

	t.Run("ErrConflict/FirstRevisionNeedsNoBase", func(t *testing.T) {
		// A proposal that names no base on a claim with a head is stale too.
		_, err := db.ProposeRevision(ctx, db.Editor2, review.NewRevision{ClaimID: c.ID, Statement: "x", Confidence: review.ConfidenceLow})
		if !errors.As(err, &ce) {
			t.Errorf("err %v, want a conflict", err)
		}
	})
	t.Run("ErrConflict/SubmitStaleDraft", func(t *testing.T) {
		c := mustCreateClaim(t, db, db.Reviewer, quoteHeroin, "heroin")
		draft, err := db.ProposeRevision(ctx, db.Reviewer2, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID,
			Statement: "draft", Confidence: review.ConfidenceLow, Draft: true})
		must(t, err)
		mustPropose(t, db, db.Editor, c.ID, c.Latest.ID, "moved on")
		head := mustHead(t, db)
		_, err = db.SubmitRevision(ctx, db.Reviewer2, draft.ID)
		if !errors.As(err, &ce) {
			t.Fatalf("err %v, want a conflict", err)
		}
		if got, _ := db.FindRevision(ctx, draft.ID); got.State != review.StateDraft {
			t.Errorf("draft is now %s", got.State)
		}
		if mustHead(t, db) != head {
			t.Error("refused submit wrote an event")
		}
	})
	t.Run("ErrConflict/ApproveOnUnapprovedBase", func(t *testing.T) {
		c := mustCreateClaim(t, db, db.Reviewer, quoteArms, "arms")
		r2 := mustPropose(t, db, db.Reviewer2, c.ID, c.Latest.ID, "arms, reworded")
		// r2 builds on a pending revision: approving it first would make
		// an unreviewed base current.
		if _, err := db.DecideRevision(ctx, db.Editor, r2.ID, true, ""); review.ErrorCode(err) != review.ECONFLICT {
			t.Errorf("approve on pending base: %v, want ECONFLICT", err)
		}
		mustDecide(t, db, db.Editor, c.Latest.ID, true)
		mustDecide(t, db, db.Editor, r2.ID, true)
		if cl := mustFindClaim(t, db, c.ID); cl.CurrentID != r2.ID {
			t.Errorf("current %d, want %d", cl.CurrentID, r2.ID)
		}
	})
}

func TestApproveMakesCurrent(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "v1")
	if c.CurrentID != 0 || c.Latest.State != review.StatePending {
		t.Fatalf("new claim: current %d, latest %s; want none current and a pending revision", c.CurrentID, c.Latest.State)
	}
	r1 := mustDecide(t, db, db.Editor, c.Latest.ID, true)
	cl := mustFindClaim(t, db, c.ID)
	if cl.CurrentID != r1.ID || cl.Current.Statement != "v1" || cl.Current.DecidedBy != "eda" {
		t.Errorf("after approving: current %d (%+v)", cl.CurrentID, cl.Current)
	}
	r2 := mustPropose(t, db, db.Reviewer, c.ID, r1.ID, "v2")
	if cl := mustFindClaim(t, db, c.ID); cl.CurrentID != r1.ID || cl.Latest.ID != r2.ID {
		t.Errorf("a pending revision became current")
	}
	// Rejecting leaves the current revision; the next proposal builds on it.
	mustDecide(t, db, db.Editor, r2.ID, false)
	if cl := mustFindClaim(t, db, c.ID); cl.CurrentID != r1.ID {
		t.Errorf("rejecting changed the current revision to %d", cl.CurrentID)
	}
	r3 := mustPropose(t, db, db.Reviewer2, c.ID, r1.ID, "v3")
	mustDecide(t, db, db.Editor2, r3.ID, true)
	cl = mustFindClaim(t, db, c.ID)
	if cl.CurrentID != r3.ID || cl.Current.Statement != "v3" {
		t.Errorf("current %d %q, want %d v3", cl.CurrentID, cl.Current.Statement, r3.ID)
	}
	// Evidence is carried to a revision that does not replace it.
	if len(cl.Current.Evidence) != 1 || cl.Current.Evidence[0].Source.Title != "GOCI 2021: Azerbaijan" {
		t.Errorf("evidence not carried: %+v", cl.Current.Evidence)
	}
	// Decisions are final.
	if _, err := db.DecideRevision(ctx, db.Editor2, r1.ID, false, "changed my mind"); review.ErrorCode(err) != review.ECONFLICT {
		t.Errorf("re-deciding an approved revision: %v", err)
	}
}

// TestReadOnlyRoles: auditors and admins change no content, whatever the
// method.
func TestReadOnlyRoles(t *testing.T) {
	ctx := context.Background()
	text, err := os.ReadFile(seedText)
	must(t, err)
	type write func(db *TestDB, by review.User, c review.Claim, flag int64) error
	writes := []struct {
		name string
		do   write
	}{
		{"CreateClaim", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.CreateClaim(ctx, by, newClaim(quoteHeroin, "x"))
			return err
		}},
		{"ProposeRevision", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.ProposeRevision(ctx, by, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID, Statement: "x", Confidence: review.ConfidenceLow})
			return err
		}},
		{"SubmitRevision", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.SubmitRevision(ctx, by, c.Latest.ID)
			return err
		}},
		{"Approve", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.DecideRevision(ctx, by, c.Latest.ID, true, "")
			return err
		}},
		{"Reject", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.DecideRevision(ctx, by, c.Latest.ID, false, "no")
			return err
		}},
		{"AddNote", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.AddNote(ctx, by, review.NewNote{ClaimID: c.ID, Body: "n"})
			return err
		}},
		{"CreateSource", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.CreateSource(ctx, by, review.NewSource{Title: "t", Reliability: "A"})
			return err
		}},
		{"RaiseFlag", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.RaiseFlag(ctx, by, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: "r"})
			return err
		}},
		{"ResolveFlag", func(db *TestDB, by review.User, c review.Claim, flag int64) error {
			_, err := db.ResolveFlag(ctx, by, review.FlagResolution{FlagID: flag, Resolution: "ok"})
			return err
		}},
		{"ImportEdition", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			_, err := db.ImportEdition(ctx, by, review.NewEdition{Report: seedReport, Label: "2023", Original: append(text, "\nMore.\n"...)})
			return err
		}},
		{"ImportClaims", func(db *TestDB, by review.User, c review.Claim, _ int64) error {
			lines := []review.ParsedClaim{{Line: 1, Claim: newClaim(quoteHeroin, "x")}}
			_, err := db.ImportClaims(ctx, by, lines, nil)
			return err
		}},
	}
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
	f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: "r"})
	must(t, err)
	before := snapshot(t, db)
	for _, who := range []struct {
		name string
		u    review.User
	}{{"auditor", db.Auditor}, {"admin", db.Admin}, {"disabled-editor", review.User{}}} {
		for _, w := range writes {
			t.Run(who.name+"/"+w.name, func(t *testing.T) {
				by := who.u
				if who.name == "disabled-editor" {
					by = db.Editor2 // disabled below; this copy is stale
				}
				err := w.do(db, by, c, f.ID)
				if review.ErrorCode(err) != review.EFORBIDDEN {
					t.Errorf("err %v, want EFORBIDDEN", err)
				}
			})
		}
		if who.name == "admin" {
			// Disable the second editor for the next round; the snapshot is
			// retaken because disabling is itself a change.
			yes := true
			if _, err := db.UpdateUser(ctx, db.Admin, db.Editor2.ID, review.UserUpdate{Disabled: &yes}); err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, before, snapshotWithout(t, db, before, "users", "events", "tlog_hashes"))
			before = snapshot(t, db)
		}
	}
	assertUnchanged(t, before, snapshot(t, db))
}

// snapshotWithout is snapshot with the named tables' digests taken from
// before, for a check around a known change to them.
func snapshotWithout(tb testing.TB, db *TestDB, before map[string]string, skip ...string) map[string]string {
	tb.Helper()
	s := snapshot(tb, db)
	for _, k := range skip {
		s[k] = before[k]
	}
	return s
}

func TestStaleUser(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
	yes, reviewer := true, review.RoleReviewer
	t.Run("ErrForbidden/Disabled", func(t *testing.T) {
		stale := db.Reviewer2 // read before the admin disables them
		if _, err := db.UpdateUser(ctx, db.Admin, stale.ID, review.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		head := mustHead(t, db)
		if _, err := db.AddNote(ctx, stale, review.NewNote{ClaimID: c.ID, Body: "still here"}); review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("disabled user added a note: %v", err)
		}
		if mustHead(t, db) != head {
			t.Error("event written")
		}
	})
	t.Run("ErrForbidden/Demoted", func(t *testing.T) {
		stale := db.Editor2
		if _, err := db.UpdateUser(ctx, db.Admin, stale.ID, review.UserUpdate{Role: &reviewer}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DecideRevision(ctx, stale, c.Latest.ID, true, ""); review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("demoted editor approved: %v", err)
		}
	})
	t.Run("ErrForbidden/Unknown", func(t *testing.T) {
		ghost := review.User{ID: 999, Name: "ghost", Role: review.RoleEditor}
		if _, err := db.AddNote(ctx, ghost, review.NewNote{ClaimID: c.ID, Body: "boo"}); review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("unknown user added a note: %v", err)
		}
	})
	t.Run("ErrForbidden/RoleInValueIgnored", func(t *testing.T) {
		// A reviewer who claims to be an editor is still a reviewer.
		forged := db.Reviewer
		forged.Role = review.RoleEditor
		if _, err := db.DecideRevision(ctx, forged, c.Latest.ID, true, ""); review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("forged role approved: %v", err)
		}
	})
	t.Run("OK/Authenticate", func(t *testing.T) {
		if _, err := db.Authenticate(ctx, "rey", seedPass); err != nil {
			t.Errorf("rey cannot sign in: %v", err)
		}
		for _, tc := range [][2]string{{"rosa", seedPass}, {"rey", "wrong password"}, {"nobody", seedPass}, {"system", "!"}} {
			if _, err := db.Authenticate(ctx, tc[0], tc[1]); review.ErrorCode(err) != review.EFORBIDDEN {
				t.Errorf("Authenticate(%q): %v, want EFORBIDDEN", tc[0], err)
			}
		}
	})
}
