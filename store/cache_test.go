package store_test

import (
	"context"
	"reflect"
	"testing"

	"vetted/review"
	"vetted/store"
)

// TestListsFollowEveryChange checks what the store keeps of claims (the
// rows of claim lists, and claims as their pages read them, brought up to
// date by claimSince): after each kind of change, made through a second
// connection to the file as another process would, every list and claim
// read through the warm store equals the same read by a store that has
// kept nothing.
func TestListsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	other, err := store.Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lists := map[string]review.ClaimFilter{
		"latest appearance": {Limit: 500},
		"one edition":       {Report: "azerbaijan", Edition: "2021", Limit: 500},
		"a page by cursor":  {Report: "azerbaijan", After: 10, Limit: 7},
		"search":            {Query: "trafficking", Limit: 500},
	}
	const claim = 12
	windows := []review.ClaimWindow{{}, review.ClaimPageWindow, {Notes: 2, ResolvedFlags: 1}}
	compare := func(t *testing.T, after string) {
		t.Helper()
		cold, err := store.Open(ctx, db.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer cold.Close()
		for _, f := range []review.QueueFilter{{}, {Kind: review.QueueFlag}} {
			warm, err := db.FindQueue(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := cold.FindQueue(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if warm.Total != want.Total || len(warm.Items) != len(want.Items) {
				t.Errorf("after %s, the queue (%+v) counts %d items and lists %d, want %d and %d", after, f,
					warm.Total, len(warm.Items), want.Total, len(want.Items))
			}
		}
		for _, w := range windows {
			warm, err := db.FindClaimShown(ctx, claim, w)
			if err != nil {
				t.Fatal(err)
			}
			want, err := cold.FindClaimShown(ctx, claim, w)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(warm, want) {
				t.Errorf("after %s, claim %d as read with window %+v is not as it is now:\n kept %d notes of %d, %d flags (%d resolved), updated %v, retired in %q\n read %d notes of %d, %d flags (%d resolved), updated %v, retired in %q",
					after, claim, w, len(warm.Notes), warm.NotesTotal, len(warm.AllFlags), warm.ResolvedTotal, warm.UpdatedAt, warm.RetiredIn,
					len(want.Notes), want.NotesTotal, len(want.AllFlags), want.ResolvedTotal, want.UpdatedAt, want.RetiredIn)
			}
		}
		// Totals kept by triggers (claim_totals, edition_counts) against
		// the claims the filter lists: the demo fits one page.
		yes, no := true, false
		for _, f := range []review.ClaimFilter{{}, {Flagged: &yes}, {Flagged: &no}, {State: review.StatePending},
			{State: review.StateApproved}, {Confidence: review.ConfidenceLow}, {Edition: "2021", Flagged: &yes}} {
			f.Limit = store.MaxClaimsPage
			p, err := db.FindClaimPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != len(p.Claims) {
				t.Errorf("after %s, the claims %+v total %d but %d are listed", after, f, p.Total, len(p.Claims))
			}
			for _, c := range p.Claims {
				if f.Flagged != nil && (c.OpenFlags > 0) != *f.Flagged {
					t.Errorf("after %s, the claims %+v list claim %d with %d open flags", after, f, c.ID, c.OpenFlags)
				}
			}
		}
		for _, f := range []review.ReportFilter{{}, {Query: "azer"}} {
			warm, warmTotal, err := db.FindReports(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, wantTotal, err := cold.FindReports(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(warm, want) || warmTotal != wantTotal {
				t.Errorf("after %s, the report list (%+v) is not as it is now: %d reports of %d, want %d of %d",
					after, f, len(warm), warmTotal, len(want), wantTotal)
			}
		}
		for name, f := range lists {
			warm, err := db.FindClaimPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := cold.FindClaimPage(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Claims) == 0 {
				t.Fatalf("%s: the list is empty", name)
			}
			if !reflect.DeepEqual(warm, want) {
				for i := range min(len(warm.Claims), len(want.Claims)) {
					if !reflect.DeepEqual(warm.Claims[i], want.Claims[i]) {
						t.Errorf("after %s, %s: claim %d is not listed as it is now", after, name, want.Claims[i].ID)
						break
					}
				}
				if len(warm.Claims) != len(want.Claims) || warm.Total != want.Total {
					t.Errorf("after %s, %s: %d claims of %d listed, want %d of %d", after, name,
						len(warm.Claims), warm.Total, len(want.Claims), want.Total)
				}
			}
		}
	}
	compare(t, "nothing") // and fills what db keeps

	var flag review.Flag
	var note review.Note
	var rev review.Revision
	for _, c := range []struct {
		name string
		do   func() error
	}{
		{"a note", func() (err error) {
			note, err = other.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: "Checked against the court record."})
			return err
		}},
		{"a reply", func() error {
			_, err := other.AddNote(ctx, db.Editor, review.NewNote{ClaimID: claim, ParentID: note.ID, Body: "Which court?"})
			return err
		}},
		{"more notes than are caught up with", func() error {
			for range 20 {
				if _, err := other.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: "Another look."}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"a flag", func() (err error) {
			flag, err = other.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: claim, Kind: review.FlagDisputed, Reason: "A second source disagrees."})
			return err
		}},
		{"a resolved flag", func() error {
			_, err := other.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: flag.ID, Resolution: "The second source was wrong."})
			return err
		}},
		{"an approval", func() (err error) {
			c, err := other.FindClaim(ctx, claim)
			if err != nil {
				return err
			}
			rev, err = other.DecideRevision(ctx, db.Editor, c.Latest.ID, true, "Matches the text.")
			return err
		}},
		{"a proposed revision", func() (err error) {
			rev, err = other.ProposeRevision(ctx, db.Reviewer, review.NewRevision{ClaimID: claim, BaseID: rev.ID,
				Statement: "Trafficking routes run through Baku, the report says.", Confidence: review.ConfidenceLow,
				Reason: "Closer to the text."})
			return err
		}},
		{"an assignment", func() error {
			_, err := other.Assign(ctx, db.Editor, review.NewAssignment{ClaimID: claim, Assignee: "rey"})
			return err
		}},
		{"a note, a flag and its resolution together", func() error {
			if _, err := other.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: "One more."}); err != nil {
				return err
			}
			f, err := other.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: claim, Kind: review.FlagUnverified, Reason: "Unsourced."})
			if err != nil {
				return err
			}
			_, err = other.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "Sourced now."})
			return err
		}},
		{"a resolution that retires the claim", func() error {
			f, err := other.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: claim, Kind: review.FlagOutdated, Reason: "Gone from the text."})
			if err != nil {
				return err
			}
			compare(t, "an outdated flag") // keeps the claim at the flag
			_, err = other.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "Dropped by the report.", Retire: true})
			return err
		}},
		{"a new report's edition", func() error {
			_, err := other.ImportEdition(ctx, db.Editor, review.NewEdition{Report: "azerbaijan-annex", Title: "Azerbaijan annex",
				Label: "2021", Draft: true, Original: []byte("ARMS TRAFFICKING\n\nArms are trafficked through the ports.\n")})
			return err
		}},
		{"a new edition of a report", func() error {
			_, err := other.ImportEdition(ctx, db.Editor, review.NewEdition{Report: "azerbaijan-annex", Label: "2023",
				Original: []byte("ARMS TRAFFICKING\n\nArms are still trafficked through the ports.\n")})
			return err
		}},
		{"a draft published", func() error {
			_, err := other.PublishEdition(ctx, db.Editor, "azerbaijan-annex", "2021")
			return err
		}},
	} {
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		compare(t, c.name)
	}
}

// TestFindClaimShown: a claim's page reads its newest notes and most
// recently resolved flags, every open flag, and counts what it leaves out;
// FindClaim still reads everything.
func TestFindClaimShown(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	const claim = 7
	var notes []int64
	for i := range 12 {
		n, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: "Checked again, round " + string(rune('a'+i)) + "."})
		if err != nil {
			t.Fatal(err)
		}
		notes = append(notes, n.ID)
	}
	var resolved []int64
	for i := range 9 {
		f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: claim, Kind: review.FlagUnverified, Reason: "No second source."})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 2 {
			continue // stays open
		}
		if _, err := db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: f.ID, Resolution: "Found one."}); err != nil {
			t.Fatal(err)
		}
		resolved = append(resolved, f.ID)
	}
	full, err := db.FindClaim(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Notes) != 12 || full.NotesTotal != 12 || full.ResolvedTotal != 6 || full.OpenFlags != 3 || len(full.AllFlags) != 9 {
		t.Fatalf("FindClaim: %d notes (total %d), %d flags, %d open, %d resolved", len(full.Notes), full.NotesTotal,
			len(full.AllFlags), full.OpenFlags, full.ResolvedTotal)
	}
	c, err := db.FindClaimShown(ctx, claim, review.ClaimWindow{Notes: 5, OpenFlags: 2, ResolvedFlags: 4})
	if err != nil {
		t.Fatal(err)
	}
	var gotNotes []int64
	for _, n := range c.Notes {
		gotNotes = append(gotNotes, n.ID)
	}
	if !reflect.DeepEqual(gotNotes, notes[7:]) || c.NotesTotal != 12 {
		t.Errorf("notes %v of %d, want the newest five %v of 12, oldest first", gotNotes, c.NotesTotal, notes[7:])
	}
	var gotResolved []int64
	for _, f := range c.AllFlags {
		if !f.Open() {
			gotResolved = append(gotResolved, f.ID)
		}
	}
	if !reflect.DeepEqual(gotResolved, resolved[2:]) || c.ResolvedTotal != 6 {
		t.Errorf("resolved %v of %d, want the last four %v of 6", gotResolved, c.ResolvedTotal, resolved[2:])
	}
	var gotOpen, wantOpen []int64
	for _, f := range c.Flags {
		gotOpen = append(gotOpen, f.ID)
	}
	for _, f := range full.Flags[1:] {
		wantOpen = append(wantOpen, f.ID)
	}
	if !reflect.DeepEqual(gotOpen, wantOpen) || c.OpenFlags != 3 {
		t.Errorf("open flags %v of %d, want the newest two %v of 3", gotOpen, c.OpenFlags, wantOpen)
	}
	// A window wider than the discussion is all of it, counted without a
	// second statement.
	c, err = db.FindClaimShown(ctx, claim, review.ClaimWindow{Notes: 50, ResolvedFlags: 20})
	if err != nil || len(c.Notes) != 12 || c.NotesTotal != 12 || c.ResolvedTotal != 6 || len(c.AllFlags) != 9 {
		t.Errorf("a wide window: %d notes of %d, %d flags, %d resolved, %v", len(c.Notes), c.NotesTotal, len(c.AllFlags), c.ResolvedTotal, err)
	}
}
