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
