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
