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

// TestClaimPageWindow: a claim with a long discussion shows its newest
// notes, newest open flags and most recently resolved flags
// (review.ClaimPageWindow), says how many there are, and shows them all
// through its links; a reply to a note no longer shown still shows.
func TestClaimPageWindow(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	rey := ts.Login(t, "rey")
	u, eda := mustUser(t, ts, "rey"), mustUser(t, ts, "eda")
	const claim = 4
	first, err := ts.DB.AddNote(ctx, u, review.NewNote{ClaimID: claim, Body: "The very first note."})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 59 {
		if _, err := ts.DB.AddNote(ctx, u, review.NewNote{ClaimID: claim, Body: fmt.Sprintf("Note number %d.", i+2)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.DB.AddNote(ctx, eda, review.NewNote{ClaimID: claim, ParentID: first.ID, Body: "A late answer to the first note."}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		f, err := ts.DB.RaiseFlag(ctx, u, review.NewFlag{ClaimID: claim, Kind: review.FlagUnverified, Reason: "No second source."})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			continue // 25 stay open
		}
		if _, err := ts.DB.ResolveFlag(ctx, eda, review.FlagResolution{FlagID: f.ID, Resolution: "Found one."}); err != nil {
			t.Fatal(err)
		}
	}
	w := review.ClaimPageWindow
	c, err := ts.DB.FindClaim(ctx, claim)
	if err != nil || len(c.Notes) < 61 {
		t.Fatalf("the claim has %d notes, %v", len(c.Notes), err)
	}
	total := len(c.Notes) // the demo's own and the 61 above
	page := fmt.Sprintf("%s/claims/%d", ts.URL, claim)
	_, body := Get(t, rey, page)
	if n := countTestID(body, "note"); n != w.Notes {
		t.Errorf("the page shows %d notes, want the newest %d", n, w.Notes)
	}
	if strings.Contains(body, "The very first note.") || !strings.Contains(body, "A late answer to the first note.") {
		t.Error("the page shows the oldest note, or not the newest reply to it")
	}
	if !strings.Contains(body, `data-testid="older-notes"`) || !strings.Contains(body, fmt.Sprintf("The newest %d of %d notes.", w.Notes, total)) ||
		!strings.Contains(body, fmt.Sprintf(`href="/claims/%d?notes=all#notes"`, claim)) {
		t.Errorf("the page does not say it shows %d of %d notes, with a link to all", w.Notes, total)
	}
	if !strings.Contains(body, fmt.Sprintf("The newest %d of 25 open flags.", w.OpenFlags)) || countTestID(body, "flag") != w.OpenFlags+w.ResolvedFlags {
		t.Errorf("the page lists %d flags, want the newest %d open of 25 and %d resolved, said so", countTestID(body, "flag"), w.OpenFlags, w.ResolvedFlags)
	}
	if !strings.Contains(body, "25 resolved flags") || !strings.Contains(body, `data-testid="older-flags"`) {
		t.Errorf("the page does not say it lists %d of 25 resolved flags", w.ResolvedFlags)
	}
	if !strings.Contains(body, `data-testid="open-flags-badge">25 open flags`) {
		t.Error("the claim's badge does not count all 25 open flags")
	}
	_, all := Get(t, rey, page+"?notes=all&flags=all")
	if n := countTestID(all, "note"); n != total || !strings.Contains(all, "The very first note.") || strings.Contains(all, `data-testid="older-notes"`) {
		t.Errorf("?notes=all shows %d notes, want all %d", n, total)
	}
	if n := countTestID(all, "flag"); n != 50 || strings.Contains(all, `data-testid="older-flags"`) || strings.Contains(all, `data-testid="older-open-flags"`) {
		t.Errorf("?flags=all lists %d flags, want all 50", n)
	}
}

// TestClaimsListCountedToTheLimit: a list counted only up to the limit says
// so, in the page and the API, and still offers the next page.
func TestClaimsListCountedToTheLimit(t *testing.T) {
	ts := MustServer(t)
	ts.DB.CountLimit = 2
	c := ts.Login(t, "eda")
	st, body := Get(t, c, ts.URL+"/claims?state=pending&flagged=no")
	if st != 200 {
		t.Fatalf("GET: %d", st)
	}
	if !strings.Contains(body, "More than 27 claims") || !strings.Contains(body, `rel="next"`) || strings.Contains(body, "Page 1 of") {
		t.Errorf("a list counted to the limit: want \"More than 27 claims\", a next page and no last page; got %q", between(body, `data-testid="result-count"`, "</p>"))
	}
	if _, body := Get(t, c, ts.URL+"/claims?state=pending"); strings.Contains(body, "More than") {
		t.Error("one condition alone is counted exactly, yet the page says there are more")
	}
	if _, body := Get(t, c, ts.URL+"/api/claims?state=pending&flagged=no&limit=5"); !strings.Contains(body, `"more":true`) {
		t.Errorf("the API does not say the total is a lower bound: %s", body[max(0, len(body)-200):])
	}
}
