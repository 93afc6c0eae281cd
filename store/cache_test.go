package store_test

import (
	"context"
	"reflect"
	"testing"

	"vetted/review"
	"vetted/store"
)

// TestListsFollowEveryChange checks the kept rows of claim lists: after
// each kind of change, made through a second connection to the file as
// another process would, every list read through the warm store equals the
// same list read by a store that has kept nothing.
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
	compare := func(t *testing.T, after string) {
		t.Helper()
		cold, err := store.Open(ctx, db.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer cold.Close()
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

	const claim = 12
	var flag review.Flag
	var rev review.Revision
	for _, c := range []struct {
		name string
		do   func() error
	}{
		{"a note", func() error {
			_, err := other.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: "Checked against the court record."})
			return err
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
	} {
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		compare(t, c.name)
	}
}
