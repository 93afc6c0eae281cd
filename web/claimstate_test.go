package web_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

// TestApprovedWithPendingChange: an approved claim with a pending change
// heads with its approved wording, labelled badges, and shows the change
// beside it as proposed.
func TestApprovedWithPendingChange(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	ctx := context.Background()
	c, err := ts.DB.FindClaim(ctx, 3)
	if err != nil || c.CurrentID == 0 {
		t.Fatalf("claim 3: %v, current %d; want an approved claim", err, c.CurrentID)
	}
	approved := c.Current.Statement
	if _, err := ts.DB.ProposeRevision(ctx, mustUser(t, ts, "rey"), review.NewRevision{ClaimID: 3, BaseID: review.Head(c.Revisions),
		Statement: approved + " Reworded.", Confidence: c.Current.Confidence, Reason: "clearer"}); err != nil {
		t.Fatal(err)
	}
	_, page := Get(t, ts.Login(t, "eda"), ts.URL+"/claims/3")
	for _, want := range []string{
		`<h1 data-testid="statement">` + htmlEscape(approved) + `</h1>`,
		`state: <span data-testid="state">approved</span>`,
		`confidence: <span data-testid="confidence">`,
		`data-testid="pending-change"`,
		"Reworded.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the claim page lacks %q", want)
		}
	}
	// A claim never approved heads with its latest wording and shows no
	// separate proposed change.
	_, page = Get(t, ts.Login(t, "eda"), ts.URL+"/claims/2")
	if strings.Contains(page, `data-testid="pending-change"`) || !strings.Contains(page, `state: <span data-testid="state">pending</span>`) {
		t.Error("a pending claim shows a proposed change, or not its pending state")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}
