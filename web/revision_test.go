package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"testing"

	"vetted/review"
)

var baseRE = regexp.MustCompile(`name="base" value="(\d+)"`)

// TestProposeFromHead: a new revision starts from the claim's head and its
// evidence, never from a rejected revision's.
func TestProposeFromHead(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	c, err := ts.DB.FindClaim(ctx, 3)
	if err != nil || c.CurrentID == 0 {
		t.Fatalf("claim 3 should be approved in the demo: %v", err)
	}
	approved := c.Current
	rey, ed := ts.Login(t, "rey"), ts.Login(t, "ed")
	post := func(form url.Values) {
		t.Helper()
		if status, loc, body := Post(t, rey, fmt.Sprintf("%s/claims/%d/revisions", ts.URL, c.ID), form); status != 303 {
			t.Fatalf("propose: %d %s %.300s", status, loc, body)
		}
	}
	post(url.Values{"base": {fmt.Sprint(approved.ID)}, "statement": {"Rejected wording"}, "confidence": {"high"},
		"source_title": {"BOGUS SOURCE"}, "reliability": {"E"}, "credibility": {"5"}})
	bogus, _ := ts.DB.FindClaim(ctx, c.ID)
	if status, _, _ := Post(t, ed, fmt.Sprintf("%s/revisions/%d/reject", ts.URL, bogus.Latest.ID), url.Values{"reason": {"unsupported"}}); status != 303 {
		t.Fatalf("reject: %d", status)
	}

	_, page := Get(t, rey, fmt.Sprintf("%s/claims/%d", ts.URL, c.ID))
	m := baseRE.FindStringSubmatch(page)
	if m == nil || m[1] != fmt.Sprint(approved.ID) {
		t.Fatalf("the revision form's base is %v, want the approved revision %d", m, approved.ID)
	}
	post(url.Values{"base": {m[1]}, "statement": {approved.Statement}, "confidence": {string(approved.Confidence)},
		"source_title": {"GOOD SOURCE"}, "reliability": {"B"}, "credibility": {"2"}})
	after, _ := ts.DB.FindClaim(ctx, c.ID)
	var titles []string
	for _, e := range after.Latest.Evidence {
		titles = append(titles, e.Source.Title)
	}
	if want := len(approved.Evidence) + 1; len(titles) != want || titles[len(titles)-1] != "GOOD SOURCE" {
		t.Fatalf("new revision cites %q; want the approved revision's %d sources and GOOD SOURCE", titles, len(approved.Evidence))
	}
	for _, tt := range titles {
		if tt == "BOGUS SOURCE" {
			t.Fatalf("the rejected revision's source came back: %q", titles)
		}
	}
	if after.Latest.State != review.StatePending || after.Latest.BaseID != approved.ID {
		t.Errorf("new revision %s based on %d", after.Latest.State, after.Latest.BaseID)
	}
}

// TestSubmitStaleDraft: a draft whose claim moved on comes back as a 409
// with both versions and a form to save it on top of the current revision.
func TestSubmitStaleDraft(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	c, _ := ts.DB.FindClaim(ctx, 3)
	reyU, _ := ts.DB.FindUserByName(ctx, "rey")
	edaU, _ := ts.DB.FindUserByName(ctx, "eda")
	draft, err := ts.DB.ProposeRevision(ctx, reyU, review.NewRevision{ClaimID: c.ID, BaseID: c.CurrentID,
		Statement: "My draft wording", Confidence: review.ConfidenceLow, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := ts.DB.FindClaim(ctx, c.ID); after.Latest.ID == draft.ID {
		t.Error("the claim is shown as rey's unsubmitted draft")
	}
	moved, err := ts.DB.ProposeRevision(ctx, edaU, review.NewRevision{ClaimID: c.ID, BaseID: c.CurrentID,
		Statement: "Eda's newer wording", Confidence: review.ConfidenceModerate})
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := Post(t, ts.Login(t, "rey"), fmt.Sprintf("%s/revisions/%d/submit", ts.URL, draft.ID), nil)
	if status != 409 {
		t.Fatalf("submitting a stale draft: %d, want 409", status)
	}
	for _, want := range []string{`data-testid="conflict-mine">My draft wording<`, `data-testid="conflict-current">Eda&#39;s newer wording<`,
		fmt.Sprintf(`name="base" value="%d"`, moved.ID)} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(body) {
			t.Errorf("conflict page lacks %s", want)
		}
	}
}
