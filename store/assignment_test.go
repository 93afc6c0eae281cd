package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

func TestAssign(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDB(t)
		c := mustCreateClaim(t, db, db.Reviewer2, quoteCaviar, "caviar")
		n, err := db.Assign(ctx, db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "Rey"})
		if err != nil || n != 1 {
			t.Fatalf("Assign = %d, %v", n, err)
		}
		if got := mustFindClaim(t, db, c.ID).Assignee; got != "rey" {
			t.Errorf("assignee %q, want rey", got)
		}
		// The same again changes nothing and writes no event.
		head := mustHead(t, db)
		if n, err := db.Assign(ctx, db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "rey"}); err != nil || n != 0 {
			t.Errorf("assigning again = %d, %v; want 0, nil", n, err)
		}
		if mustHead(t, db) != head {
			t.Error("assigning again wrote an event")
		}
		cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Assignee: "rey"})
		if err != nil || len(cs) != 1 || cs[0].ID != c.ID || cs[0].Assignee != "rey" {
			t.Errorf("claims assigned to rey: %v, %v", cs, err)
		}
		w, err := db.FindWork(ctx, db.Reviewer)
		if err != nil || len(w.Assigned) != 1 || w.Assigned[0].ID != c.ID {
			t.Errorf("rey's work: %+v, %v", w, err)
		}
		// rosa's own claim is pending: her work lists it.
		w, err = db.FindWork(ctx, db.Reviewer2)
		if err != nil || len(w.Pending) != 1 || w.Pending[0].Claim.ID != c.ID {
			t.Errorf("rosa's work: %+v, %v", w, err)
		}
		counts, err := db.CountNav(ctx, db.Reviewer)
		if err != nil || counts.Work != 1 || counts.Unread != 1 {
			t.Errorf("rey's counts %+v, %v; want 1 work, 1 unread", counts, err)
		}
		ns, err := db.FindNotifications(ctx, db.Reviewer, false, 10)
		if err != nil || len(ns) != 1 || ns[0].Kind != review.NotifyAssignment || ns[0].Actor != "eda" || ns[0].ClaimID != c.ID {
			t.Errorf("rey's notifications %+v, %v", ns, err)
		}
		// The queue filters by assignee.
		page, err := db.FindQueue(ctx, review.QueueFilter{Assignee: "rey"})
		if err != nil || page.Total != 1 || page.Items[0].Claim.ID != c.ID {
			t.Errorf("queue assigned to rey: %+v, %v", page, err)
		}
		// Reassign, then unassign.
		if _, err := db.Assign(ctx, db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "rosa"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Assign(ctx, db.Editor, review.NewAssignment{ClaimID: c.ID}); err != nil {
			t.Fatal(err)
		}
		if got := mustFindClaim(t, db, c.ID).Assignee; got != "" {
			t.Errorf("assignee %q after unassigning", got)
		}
		var assigned []string
		for _, e := range eventsAfter(t, db, head.Seq) {
			if e.Action == string(review.EventClaimAssigned) {
				assigned = append(assigned, e.After)
			}
		}
		if len(assigned) != 2 || !strings.Contains(assigned[1], `"assignee":""`) {
			t.Errorf("assignment events %q", assigned)
		}
		// The history holds every assignment: the records check agrees, and
		// the claim as it stood when assigned to rey names rey.
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("VerifyRecords: %v %v", ms, err)
		}
	})
	t.Run("Section", func(t *testing.T) {
		db := MustOpenDemoDB(t)
		c := mustFindClaim(t, db, 1)
		n, err := db.Assign(ctx, db.Editor, review.NewAssignment{Report: c.Report, Edition: c.Anchor.Edition, Section: c.Anchor.Section, Assignee: "rey"})
		if err != nil || n < 1 {
			t.Fatalf("Assign section = %d, %v", n, err)
		}
		cs, total, err := db.FindClaims(ctx, review.ClaimFilter{Report: c.Report, Edition: c.Anchor.Edition, Section: c.Anchor.Section, Limit: 500})
		if err != nil || total != n {
			t.Errorf("section has %d claims (%v), %d assigned", total, err, n)
		}
		for _, c := range cs {
			if c.Assignee != "rey" {
				t.Errorf("claim %d assigned to %q", c.ID, c.Assignee)
			}
		}
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("VerifyRecords: %v %v", ms, err)
		}
		if _, err := db.Assign(ctx, db.Editor, review.NewAssignment{Report: c.Report, Edition: c.Anchor.Edition, Section: "NO SUCH", Assignee: "rey"}); review.ErrorCode(err) != review.EINVALID {
			t.Errorf("unknown section: %v, want EINVALID", err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		db := MustOpenDB(t)
		c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
		disabled := true
		if _, err := db.UpdateUser(ctx, db.Admin, db.Reviewer2.ID, review.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		head := mustHead(t, db)
		for _, tc := range []struct {
			name     string
			by       review.User
			n        review.NewAssignment
			code     string
			contains string
		}{
			{"Reviewer", db.Reviewer, review.NewAssignment{ClaimID: c.ID, Assignee: "rey"}, review.EFORBIDDEN, "editor"},
			{"Auditor", db.Auditor, review.NewAssignment{ClaimID: c.ID, Assignee: "rey"}, review.EFORBIDDEN, "editor"},
			{"UnknownUser", db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "nobody"}, review.EINVALID, "no user"},
			{"System", db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "system"}, review.EINVALID, "no user"},
			{"Disabled", db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "rosa"}, review.EINVALID, "disabled"},
			{"AuditorAssignee", db.Editor, review.NewAssignment{ClaimID: c.ID, Assignee: "audrey"}, review.EINVALID, "only reviewers and editors"},
			{"UnknownClaim", db.Editor, review.NewAssignment{ClaimID: 99999, Assignee: "rey"}, review.ENOTFOUND, "99999"},
			{"Nothing", db.Editor, review.NewAssignment{Assignee: "rey"}, review.EINVALID, "Choose"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Assign(ctx, tc.by, tc.n)
				if review.ErrorCode(err) != tc.code || !strings.Contains(review.ErrorMessage(err), tc.contains) {
					t.Errorf("Assign: %v, want %s saying %q", err, tc.code, tc.contains)
				}
			})
		}
		if mustHead(t, db) != head {
			t.Error("a refused assignment wrote an event")
		}
	})
	t.Run("ErrTampered", func(t *testing.T) {
		db := MustOpenDB(t)
		c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
		if _, err := rawDB(t, db.Path).Exec("INSERT INTO assignments (claim_id, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, '2026-01-01T00:00:00.000000Z')",
			c.ID, db.Reviewer.ID, db.Editor.ID); err != nil {
			t.Fatal(err)
		}
		ms, err := db.VerifyRecords(ctx)
		if err != nil || len(ms) != 1 || !strings.Contains(ms[0].What, "assignee") {
			t.Errorf("VerifyRecords after an assignment without its event: %v %v", ms, err)
		}
	})
}

func TestNotifications(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
	kinds := func(u review.User) []review.NotificationKind {
		t.Helper()
		ns, err := db.FindNotifications(ctx, u, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		var ks []review.NotificationKind
		for _, n := range ns {
			ks = append(ks, n.Kind)
		}
		return ks
	}
	// rey's claim: eda approves it, rosa flags it, ed mentions rey and
	// rosa (and himself, and someone who does not exist).
	mustDecide(t, db, db.Editor, c.Latest.ID, true)
	if _, err := db.RaiseFlag(ctx, db.Reviewer2, review.NewFlag{ClaimID: c.ID, Kind: review.FlagDisputed, Reason: "not so"}); err != nil {
		t.Fatal(err)
	}
	note, err := db.AddNote(ctx, db.Editor2, review.NewNote{ClaimID: c.ID, Body: "@rey and @Rosa: see this. @ed @nobody"})
	if err != nil {
		t.Fatal(err)
	}
	// rosa replies to ed and mentions him: he is told once, of the reply.
	if _, err := db.AddNote(ctx, db.Reviewer2, review.NewNote{ClaimID: c.ID, ParentID: note.ID, Body: "Thanks @ed."}); err != nil {
		t.Fatal(err)
	}
	if got, want := kinds(db.Reviewer), []review.NotificationKind{review.NotifyMention, review.NotifyFlag, review.NotifyDecision}; !equalKinds(got, want) {
		t.Errorf("rey's inbox %v, want %v", got, want)
	}
	if got, want := kinds(db.Reviewer2), []review.NotificationKind{review.NotifyMention}; !equalKinds(got, want) {
		t.Errorf("rosa's inbox %v, want %v", got, want)
	}
	if got, want := kinds(db.Editor2), []review.NotificationKind{review.NotifyReply}; !equalKinds(got, want) {
		t.Errorf("ed's inbox %v, want %v", got, want)
	}
	if got := kinds(db.Editor); len(got) != 0 {
		t.Errorf("eda's inbox %v, want empty", got)
	}
	t.Run("MarkRead", func(t *testing.T) {
		ns, _ := db.FindNotifications(ctx, db.Reviewer, false, 0)
		if err := db.MarkRead(ctx, db.Reviewer2, ns[0].ID); review.ErrorCode(err) != review.ENOTFOUND {
			t.Errorf("rosa marking rey's notification read: %v, want ENOTFOUND", err)
		}
		before, _ := db.CountNav(ctx, db.Reviewer) // kept now, with the head it was counted at
		if err := db.MarkRead(ctx, db.Reviewer, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		if after, _ := db.CountNav(ctx, db.Reviewer); after.Unread != before.Unread-1 {
			t.Errorf("after marking one read (no event written), %d unread; before %d", after.Unread, before.Unread)
		}
		if got := kinds(db.Reviewer); len(got) != 2 {
			t.Errorf("after marking one read, unread %v", got)
		}
		if err := db.MarkRead(ctx, db.Reviewer, 0); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.CountNav(ctx, db.Reviewer); n.Unread != 0 {
			t.Errorf("after marking all read, %d unread", n.Unread)
		}
		if got := kinds(db.Reviewer2); len(got) != 1 {
			t.Errorf("rey marking all read touched rosa's inbox: %v", got)
		}
	})
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
		t.Errorf("VerifyRecords: %v %v", ms, err)
	}
}

func equalKinds(a, b []review.NotificationKind) bool {
	return strings.Join(kindStrings(a), ",") == strings.Join(kindStrings(b), ",")
}

func kindStrings(ks []review.NotificationKind) []string {
	var s []string
	for _, k := range ks {
		s = append(s, string(k))
	}
	return s
}
