package store_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"vetted/review"
)

// TestOneEventPerChange: every kind of change appends exactly one event,
// naming the action, the actor with their role and the entity, at the
// change's own transaction time.
func TestOneEventPerChange(t *testing.T) {
	ctx := context.Background()
	yes, no := true, false
	editorRole, newPass := review.RoleEditor, "another long password"
	tests := []struct {
		action string
		// do makes the change on a fresh database and returns the actor and
		// the id of the entity changed.
		do         func(t *testing.T, db *TestDB) (review.User, int64)
		entityType string
	}{
		{"claim.created", func(t *testing.T, db *TestDB) (review.User, int64) {
			c, err := db.CreateClaim(ctx, db.Reviewer, newClaim(quoteCaviar, "caviar trade"))
			must(t, err)
			return db.Reviewer, c.ID
		}, "claim"},
		{"revision.proposed", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			r, err := db.ProposeRevision(ctx, db.Reviewer2, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID,
				Statement: "large caviar trade", Confidence: review.ConfidenceHigh})
			must(t, err)
			return db.Reviewer2, r.ID
		}, "revision"},
		{"revision.submitted", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			r, err := db.ProposeRevision(ctx, db.Editor, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID,
				Statement: "draft", Confidence: review.ConfidenceHigh, Draft: true})
			must(t, err)
			if r.State != review.StateDraft {
				t.Fatalf("state %s, want draft", r.State)
			}
			r, err = db.SubmitRevision(ctx, db.Editor, r.ID)
			must(t, err)
			return db.Editor, r.ID
		}, "revision"},
		{"revision.approved", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			r, err := db.DecideRevision(ctx, db.Editor, c.Latest.ID, true, "")
			must(t, err)
			return db.Editor, r.ID
		}, "revision"},
		{"revision.rejected", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			r, err := db.DecideRevision(ctx, db.Editor2, c.Latest.ID, false, "not what the report says")
			must(t, err)
			return db.Editor2, r.ID
		}, "revision"},
		{"note.added", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			n, err := db.AddNote(ctx, db.Editor, review.NewNote{ClaimID: c.ID, Body: "Check CITES."})
			must(t, err)
			return db.Editor, n.ID
		}, "note"},
		{"note.added/reply", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			n, err := db.AddNote(ctx, db.Editor, review.NewNote{ClaimID: c.ID, Body: "Check CITES."})
			must(t, err)
			r, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: c.ID, ParentID: n.ID, Body: "Done."})
			must(t, err)
			return db.Reviewer, r.ID
		}, "note"},
		{"flag.raised", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			f, err := db.RaiseFlag(ctx, db.Reviewer2, review.NewFlag{ClaimID: c.ID, Kind: review.FlagDisputed, Reason: "OCCRP disagrees"})
			must(t, err)
			return db.Reviewer2, f.ID
		}, "flag"},
		{"flag.resolved", func(t *testing.T, db *TestDB) (review.User, int64) {
			c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
			f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: "check"})
			must(t, err)
			f, err = db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "checked"})
			must(t, err)
			return db.Editor, f.ID
		}, "flag"},
		{"source.added", func(t *testing.T, db *TestDB) (review.User, int64) {
			s, err := db.CreateSource(ctx, db.Reviewer, review.NewSource{Title: "TRAFFIC report", Reliability: "C"})
			must(t, err)
			return db.Reviewer, s.ID
		}, "source"},
		{"edition.imported", func(t *testing.T, db *TestDB) (review.User, int64) {
			text, err := os.ReadFile(seedText)
			must(t, err)
			res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
				Published: "2023-09-28", Original: append(text, "\nA new closing paragraph.\n"...)})
			must(t, err)
			return db.Editor, res.Edition.ID
		}, "edition"},
		{"edition.imported/new-report", func(t *testing.T, db *TestDB) (review.User, int64) {
			res, err := db.ImportEdition(ctx, review.System, review.NewEdition{Report: "georgia", Title: "Georgia",
				Label: "2021", Original: []byte("PEOPLE\nSome text.\n")})
			must(t, err)
			return review.System, res.Edition.ID
		}, "edition"},
		{"edition.replaced", func(t *testing.T, db *TestDB) (review.User, int64) {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023-draft",
				Original: []byte("PEOPLE\nFirst draft.\n"), Draft: true})
			must(t, err)
			res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023-draft",
				Original: []byte("PEOPLE\nSecond draft.\n"), Draft: true, Replace: true})
			must(t, err)
			if !res.Replaced {
				t.Fatal("not replaced")
			}
			return db.Editor, res.Edition.ID
		}, "edition"},
		{"user.created", func(t *testing.T, db *TestDB) (review.User, int64) {
			u, err := db.CreateUser(ctx, db.Admin, "nina", review.RoleReviewer, "a long password")
			must(t, err)
			return db.Admin, u.ID
		}, "user"},
		{"user.role_changed", func(t *testing.T, db *TestDB) (review.User, int64) {
			u, err := db.UpdateUser(ctx, db.Admin, db.Reviewer.ID, review.UserUpdate{Role: &editorRole})
			must(t, err)
			return db.Admin, u.ID
		}, "user"},
		{"user.disabled", func(t *testing.T, db *TestDB) (review.User, int64) {
			u, err := db.UpdateUser(ctx, db.Admin, db.Reviewer.ID, review.UserUpdate{Disabled: &yes})
			must(t, err)
			return db.Admin, u.ID
		}, "user"},
		{"user.enabled", func(t *testing.T, db *TestDB) (review.User, int64) {
			_, err := db.UpdateUser(ctx, review.System, db.Reviewer.ID, review.UserUpdate{Disabled: &yes})
			must(t, err)
			u, err := db.UpdateUser(ctx, db.Admin, db.Reviewer.ID, review.UserUpdate{Disabled: &no})
			must(t, err)
			return db.Admin, u.ID
		}, "user"},
		{"user.password_changed", func(t *testing.T, db *TestDB) (review.User, int64) {
			u, err := db.UpdateUser(ctx, db.Admin, db.Editor.ID, review.UserUpdate{Password: &newPass})
			must(t, err)
			return db.Admin, u.ID
		}, "user"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			db := MustOpenDB(t)
			actor, id := tt.do(t, db)
			es := eventsAfter(t, db, 0)
			last := es[len(es)-1]
			head := mustHead(t, db)
			if head.Seq != last.Seq || head.Hash != last.Hash {
				t.Fatalf("head %+v is not the last event %d %s", head, last.Seq, last.Hash)
			}
			// Exactly one event for the change: the one before it belongs to
			// an earlier transaction (a different time on the step clock).
			if len(es) > 1 {
				prev := es[len(es)-2]
				if prev.Time == last.Time {
					t.Errorf("two events (seq %d %s, seq %d %s) share the change's transaction time %s",
						prev.Seq, prev.Action, last.Seq, last.Action, last.Time)
				}
			}
			wantAction, _, _ := strings.Cut(tt.action, "/")
			if last.Action != wantAction || last.Actor != actor.Name || last.ActorRole != string(actor.Role) ||
				last.EntityType != tt.entityType || last.EntityID != strconv.FormatInt(id, 10) {
				t.Errorf("event %+v, want action %s by %s (%s) on %s %d", last, wantAction, actor.Name, actor.Role, tt.entityType, id)
			}
			if _, err := db.VerifyChain(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestOneEventPerChangeCount runs each change once more and checks that the
// head moves by exactly one, from a head read just before it.
func TestOneEventPerChangeCount(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar trade")
	var flagID, draftID int64
	editorRole := review.RoleEditor
	yes, no := true, false
	pw := "yet another password"
	steps := []struct {
		name string
		do   func() error
	}{
		{"CreateClaim", func() error { _, err := db.CreateClaim(ctx, db.Reviewer, newClaim(quoteHeroin, "heroin")); return err }},
		{"ProposeRevision", func() error {
			_, err := db.ProposeRevision(ctx, db.Reviewer2, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID, Statement: "x", Confidence: review.ConfidenceLow})
			return err
		}},
		{"ApproveFirst", func() error { _, err := db.DecideRevision(ctx, db.Editor, c.Latest.ID, true, ""); return err }},
		{"RejectSecond", func() error {
			_, err := db.DecideRevision(ctx, db.Editor, mustFindClaim(t, db, c.ID).Latest.ID, false, "no")
			return err
		}},
		{"ProposeDraft", func() error {
			r, err := db.ProposeRevision(ctx, db.Reviewer, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID, Statement: "d", Confidence: review.ConfidenceLow, Draft: true})
			draftID = r.ID
			return err
		}},
		{"SubmitDraft", func() error { _, err := db.SubmitRevision(ctx, db.Reviewer, draftID); return err }},
		{"AddNote", func() error {
			_, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: c.ID, Body: "n"})
			return err
		}},
		{"RaiseFlag", func() error {
			f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: "r"})
			flagID = f.ID
			return err
		}},
		{"ResolveFlag", func() error {
			_, err := db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: flagID, Resolution: "ok"})
			return err
		}},
		{"CreateSource", func() error {
			_, err := db.CreateSource(ctx, db.Editor, review.NewSource{Title: "s", Reliability: "A"})
			return err
		}},
		{"ImportEdition", func() error {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2019", Original: []byte("PEOPLE\nOld text.\n")})
			return err
		}},
		{"CreateUser", func() error { _, err := db.CreateUser(ctx, db.Admin, "zed", review.RoleReviewer, pw); return err }},
		{"ChangeRole", func() error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Role: &editorRole})
			return err
		}},
		{"Disable", func() error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Disabled: &yes})
			return err
		}},
		{"Enable", func() error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Disabled: &no})
			return err
		}},
		{"ChangePassword", func() error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Password: &pw})
			return err
		}},
	}
	for _, s := range steps {
		before := mustHead(t, db)
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		after := mustHead(t, db)
		if after.Seq != before.Seq+1 {
			t.Errorf("%s: head moved from %d to %d, want exactly one event", s.name, before.Seq, after.Seq)
		}
		es := eventsAfter(t, db, before.Seq)
		if len(es) != 1 || es[0].PrevHash != before.Hash {
			t.Errorf("%s: %d new events, want one linked to the previous head", s.name, len(es))
		}
	}
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
}

// TestFailedChangeWritesNothing: a change that fails for any reason leaves
// every table, the history included, as it was.
func TestFailedChangeWritesNothing(t *testing.T) {
	ctx := context.Background()
	editorRole := review.RoleEditor
	yes := true
	tests := []struct {
		name     string
		do       func(db *TestDB, c review.Claim) error
		wantCode string
	}{
		{"ErrConflict/StaleBase", func(db *TestDB, c review.Claim) error {
			_, err := db.ProposeRevision(ctx, db.Editor, review.NewRevision{ClaimID: c.ID, BaseID: c.Latest.ID - 1, Statement: "x", Confidence: review.ConfidenceLow})
			return err
		}, review.ECONFLICT},
		{"ErrForbidden/FourEyesApprove", func(db *TestDB, c review.Claim) error {
			_, err := db.DecideRevision(ctx, db.Editor, c.Latest.ID, true, "")
			return err
		}, review.EFORBIDDEN},
		{"ErrForbidden/FourEyesReject", func(db *TestDB, c review.Claim) error {
			_, err := db.DecideRevision(ctx, db.Editor, c.Latest.ID, false, "mine")
			return err
		}, review.EFORBIDDEN},
		{"ErrInvalid/RejectWithoutReason", func(db *TestDB, c review.Claim) error {
			_, err := db.DecideRevision(ctx, db.Editor2, c.Latest.ID, false, "")
			return err
		}, review.EINVALID},
		{"ErrInvalid/DecisionReasonNotText", func(db *TestDB, c review.Claim) error {
			_, err := db.DecideRevision(ctx, db.Editor2, c.Latest.ID, false, "bad \xff byte")
			return err
		}, review.EINVALID},
		{"ErrInvalid/DecisionReasonNUL", func(db *TestDB, c review.Claim) error {
			_, err := db.DecideRevision(ctx, db.Editor2, c.Latest.ID, true, "a\x00b")
			return err
		}, review.EINVALID},
		{"ErrInvalid/EmptyNote", func(db *TestDB, c review.Claim) error {
			_, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: c.ID, Body: "  "})
			return err
		}, review.EINVALID},
		{"ErrInvalid/ReplyToOtherClaim", func(db *TestDB, c review.Claim) error {
			_, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: c.ID, ParentID: 999, Body: "reply"})
			return err
		}, review.EINVALID},
		{"ErrNotFound/NoteOnMissingClaim", func(db *TestDB, c review.Claim) error {
			_, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: 999, Body: "n"})
			return err
		}, review.ENOTFOUND},
		{"ErrForbidden/AuditorNote", func(db *TestDB, c review.Claim) error {
			_, err := db.AddNote(ctx, db.Auditor, review.NewNote{ClaimID: c.ID, Body: "n"})
			return err
		}, review.EFORBIDDEN},
		{"ErrInvalid/QuoteNotInEdition", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateClaim(ctx, db.Reviewer, newClaim("Azerbaijan exports bananas.", "bananas"))
			return err
		}, review.EINVALID},
		{"ErrInvalid/AmbiguousQuote", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateClaim(ctx, db.Reviewer, newClaim("forced labour", "labour"))
			return err
		}, review.EINVALID},
		{"ErrNotFound/NoReport", func(db *TestDB, c review.Claim) error {
			n := newClaim(quoteCaviar, "x")
			n.Report = "atlantis"
			_, err := db.CreateClaim(ctx, db.Reviewer, n)
			return err
		}, review.ENOTFOUND},
		{"ErrInvalid/UnknownSourceAfterClaimInsert", func(db *TestDB, c review.Claim) error {
			// The claim, revision and a new source are written before the
			// missing source is found: all of it must roll back.
			n := newClaim(quoteHeroin, "heroin")
			n.Evidence = append(n.Evidence, review.NewEvidence{SourceID: 999, Credibility: 2, Stance: review.StanceSupports})
			_, err := db.CreateClaim(ctx, db.Reviewer, n)
			return err
		}, review.EINVALID},
		{"ErrInvalid/BadSourceURL", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateSource(ctx, db.Reviewer, review.NewSource{Title: "t", URL: "javascript:alert(1)", Reliability: "A"})
			return err
		}, review.EINVALID},
		{"ErrNotFound/FlagOnMissingClaim", func(db *TestDB, c review.Claim) error {
			_, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: 999, Kind: review.FlagOther, Reason: "r"})
			return err
		}, review.ENOTFOUND},
		{"ErrConflict/ProposeOnDecidedRevision", func(db *TestDB, c review.Claim) error {
			_, err := db.SubmitRevision(ctx, db.Editor, c.Latest.ID)
			return err
		}, review.ECONFLICT},
		{"ErrInvalid/DuplicateUser", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateUser(ctx, db.Admin, "rey", review.RoleReviewer, "long enough pw")
			return err
		}, review.EINVALID},
		{"ErrInvalid/ShortPassword", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateUser(ctx, db.Admin, "nina", review.RoleReviewer, "short")
			return err
		}, review.EINVALID},
		{"ErrInvalid/SystemRole", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateUser(ctx, db.Admin, "nina", review.RoleSystem, "long enough pw")
			return err
		}, review.EINVALID},
		{"ErrForbidden/EditorCreatesUser", func(db *TestDB, c review.Claim) error {
			_, err := db.CreateUser(ctx, db.Editor, "nina", review.RoleAdmin, "long enough pw")
			return err
		}, review.EFORBIDDEN},
		{"ErrInvalid/OwnRole", func(db *TestDB, c review.Claim) error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Admin.ID, review.UserUpdate{Role: &editorRole})
			return err
		}, review.EINVALID},
		{"ErrInvalid/DisableSelf", func(db *TestDB, c review.Claim) error {
			_, err := db.UpdateUser(ctx, db.Admin, db.Admin.ID, review.UserUpdate{Disabled: &yes})
			return err
		}, review.EINVALID},
		{"ErrForbidden/ChangeSystem", func(db *TestDB, c review.Claim) error {
			_, err := db.UpdateUser(ctx, db.Admin, review.System.ID, review.UserUpdate{Disabled: &yes})
			return err
		}, review.EFORBIDDEN},
		{"ErrConflict/ReimportDifferentFile", func(db *TestDB, c review.Claim) error {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: seedEdition, Original: []byte("PEOPLE\nOther.\n")})
			return err
		}, review.ECONFLICT},
		{"ErrInvalid/NewReportWithoutTitle", func(db *TestDB, c review.Claim) error {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: "georgia", Label: "2021", Original: []byte("PEOPLE\nText.\n")})
			return err
		}, review.EINVALID},
		{"ErrInvalid/EditionNotUTF8", func(db *TestDB, c review.Claim) error {
			_, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2022", Original: []byte("PEOPLE\n\xff\xfe\n")})
			return err
		}, review.EINVALID},
		{"ErrForbidden/ReviewerImports", func(db *TestDB, c review.Claim) error {
			_, err := db.ImportEdition(ctx, db.Reviewer, review.NewEdition{Report: seedReport, Label: "2022", Original: []byte("PEOPLE\nText.\n")})
			return err
		}, review.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			c := mustCreateClaim(t, db, db.Editor, quoteCaviar, "caviar trade")
			// Give the claim an approved first revision, so there is a
			// revision before the latest for stale bases.
			if strings.Contains(tt.name, "StaleBase") || strings.Contains(tt.name, "DecidedRevision") {
				mustDecide(t, db, db.Editor2, c.Latest.ID, true)
				mustPropose(t, db, db.Reviewer, c.ID, c.Latest.ID, "second")
				c = mustFindClaim(t, db, c.ID)
				if strings.Contains(tt.name, "DecidedRevision") {
					c.Latest = c.Revisions[0] // approved: not a draft
				}
			}
			before, head := snapshot(t, db), mustHead(t, db)
			err := tt.do(db, c)
			if got := review.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if review.ErrorMessage(err) == "Internal error." {
				t.Errorf("%v has no message for the user", err)
			}
			if h := mustHead(t, db); h != head {
				t.Errorf("head moved from %+v to %+v", head, h)
			}
			assertUnchanged(t, before, snapshot(t, db))
		})
	}
	t.Run("ErrConflict/ResolveResolvedFlag", func(t *testing.T) {
		db := MustOpenDB(t)
		c := mustCreateClaim(t, db, db.Editor, quoteCaviar, "caviar trade")
		f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagOther, Reason: "r"})
		must(t, err)
		_, err = db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "done"})
		must(t, err)
		before, head := snapshot(t, db), mustHead(t, db)
		_, err = db.ResolveFlag(ctx, db.Editor2, review.FlagResolution{FlagID: f.ID, Resolution: "again"})
		if review.ErrorCode(err) != review.ECONFLICT {
			t.Fatalf("err %v, want ECONFLICT", err)
		}
		if h := mustHead(t, db); h != head {
			t.Errorf("head moved")
		}
		assertUnchanged(t, before, snapshot(t, db))
	})
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
