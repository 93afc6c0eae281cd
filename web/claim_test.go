package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"vetted/review"
)

// TestListsShowNewestFlags: lists of claims (the claims page and the
// reader) show a claim's newest open flags and link to the rest.
func TestListsShowNewestFlags(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	rey := ts.Login(t, "rey")
	u, err := ts.DB.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ts.DB.FindClaim(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range review.MaxListFlags + 2 {
		if _, err := ts.DB.RaiseFlag(ctx, u, review.NewFlag{ClaimID: 2, Kind: review.FlagOther, Reason: fmt.Sprintf("Flag %d under load.", i)}); err != nil {
			t.Fatal(err)
		}
	}
	more := fmt.Sprintf(`href="/claims/2#flags" data-testid="more-flags">+%d more</a>`, c.OpenFlags+2)
	for _, path := range []string{"/claims", "/reports/azerbaijan/editions/2021"} {
		st, body := Get(t, rey, ts.URL+path)
		if st != 200 {
			t.Fatalf("GET %s: %d", path, st)
		}
		if !strings.Contains(body, more) {
			t.Errorf("GET %s: no %q", path, more)
		}
		if !strings.Contains(body, fmt.Sprintf("Flag %d under load.", review.MaxListFlags+1)) || strings.Contains(body, "Flag 0 under load.") {
			t.Errorf("GET %s: want the newest flags listed, not the oldest", path)
		}
	}
}

// TestClaimPageShowsNewestRevisions: a long history shows its newest
// revisions and offers the rest.
func TestClaimPageShowsNewestRevisions(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	eda, err := ts.DB.FindUserByName(ctx, "eda")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := ts.DB.FindUserByName(ctx, "ed")
	if err != nil {
		t.Fatal(err)
	}
	const claim = 3
	for i := range 14 {
		c, err := ts.DB.FindClaim(ctx, claim)
		if err != nil {
			t.Fatal(err)
		}
		rev, err := ts.DB.ProposeRevision(ctx, eda, review.NewRevision{ClaimID: claim, BaseID: review.Head(c.Revisions),
			Statement: fmt.Sprintf("Wording number %d.", i), Confidence: review.ConfidenceLow, Reason: "Reworded."})
		if err != nil {
			t.Fatal(err)
		}
		if i < 13 { // the last stays pending
			if _, err := ts.DB.DecideRevision(ctx, ed, rev.ID, true, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	c, err := ts.DB.FindClaim(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	total := len(c.Revisions)
	rey := ts.Login(t, "rey")
	_, body := Get(t, rey, fmt.Sprintf("%s/claims/%d", ts.URL, claim))
	if n := strings.Count(body, `data-testid="revision"`); n != 10 {
		t.Errorf("%d revisions shown of %d, want the newest 10", n, total)
	}
	if !strings.Contains(body, "Wording number 13.") || strings.Contains(body, "Wording number 2.") {
		t.Error("want the newest revisions shown and the oldest left out")
	}
	link := fmt.Sprintf(`href="/claims/%d?revisions=all#revisions" data-testid="older-revisions">Show %d older revisions`, claim, total-10)
	if !strings.Contains(body, link) {
		t.Errorf("no link to the %d older revisions", total-10)
	}
	_, all := Get(t, rey, fmt.Sprintf("%s/claims/%d?revisions=all", ts.URL, claim))
	if n := strings.Count(all, `data-testid="revision"`); n != total || strings.Contains(all, "older-revisions") {
		t.Errorf("?revisions=all shows %d revisions of %d", n, total)
	}
}
