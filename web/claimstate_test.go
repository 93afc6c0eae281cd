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

// TestAsOfBeforeClaim: a claim asked for as of a time before it was made
// gets a page that says so and leads on, and the page's link to the claim
// as first made shows it.
func TestAsOfBeforeClaim(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	status, page := Get(t, eda, ts.URL+"/claims/1?as_of=2001-01-01")
	if status != 404 || !strings.Contains(page, `data-testid="as-of-before"`) || !strings.Contains(page, "did not exist yet") ||
		!strings.Contains(page, `href="/claims/1" data-testid="see-now"`) {
		t.Fatalf("as of 2001: %d\n%s", status, clip(page))
	}
	i := strings.Index(page, `data-testid="see-first"`)
	start := strings.LastIndex(page[:i], `href="`) + len(`href="`)
	link := strings.ReplaceAll(page[start:strings.Index(page[start:], `"`)+start], "&amp;", "&")
	if status, body := Get(t, eda, ts.URL+link); status != 200 || !strings.Contains(body, `data-testid="as-of"`) {
		t.Errorf("%s: %d, want the claim as first made", link, status)
	}
	// A claim that does not exist at all is still not found.
	if status, body := Get(t, eda, ts.URL+"/claims/99999?as_of=2001-01-01"); status != 404 || strings.Contains(body, "as-of-before") {
		t.Errorf("an unknown claim as of 2001: %d", status)
	}
	// The pages link the claim exports.
	for _, path := range []string{"/claims", "/reports/azerbaijan"} {
		if _, body := Get(t, eda, ts.URL+path); !strings.Contains(body, `data-testid="export-claimreview"`) {
			t.Errorf("%s does not link the claim exports", path)
		}
	}
	if _, body := Get(t, ts.Login(t, "audrey"), ts.URL+"/history"); !strings.Contains(body, `href="/export/claims.annotations.jsonld"`) {
		t.Error("the history page does not link the claim exports")
	}
	if _, body := Get(t, eda, ts.URL+"/reports/azerbaijan"); !strings.Contains(body, `href="/export/claims.csv?report=azerbaijan"`) {
		t.Error("the report page's export is not of its report")
	}
}
