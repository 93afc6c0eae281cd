package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"vetted/review"
)

// TestHomeFollowsChanges: the report list keeps each report's rendered
// rows by what they show, so a page read again after a change shows the
// change: a flag raised, a revision approved, an edition imported.
func TestHomeFollowsChanges(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	flagged := regexp.MustCompile(`edition=2021&amp;flagged=yes" class="flagged">(\d+)<`)
	count := func() int {
		t.Helper()
		_, body := Get(t, eda, ts.URL+"/")
		m := flagged.FindStringSubmatch(body)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	before := count()
	// A claim with no open flag.
	cs, _, err := ts.DB.FindClaims(ctx, review.ClaimFilter{Report: "azerbaijan", Flagged: new(bool), Limit: 1})
	if err != nil || len(cs) == 0 {
		t.Fatalf("no unflagged claim: %v", err)
	}
	rey := ts.Login(t, "rey")
	if status, _, _ := Post(t, rey, ts.URL+"/claims/"+strconv.FormatInt(cs[0].ID, 10)+"/flags",
		url.Values{"kind": {"disputed"}, "reason": {"Not in the cited source."}}); status != 303 {
		t.Fatalf("raise a flag: %d", status)
	}
	if got := count(); got != before+1 {
		t.Errorf("flagged after a flag was raised: %d, was %d", got, before)
	}
	_, body := Get(t, eda, ts.URL+"/")
	if strings.Contains(body, "edition-2099") {
		t.Fatal("the edition is there before its import")
	}
	text := []byte("An edition of 2099.\n\nIt says little.\n")
	if _, err := ts.DB.ImportEdition(ctx, mustUser(t, ts, "eda"), review.NewEdition{Report: "azerbaijan", Label: "2099", Published: "2099-01-01", Original: text}); err != nil {
		t.Fatal(err)
	}
	if _, body := Get(t, eda, ts.URL+"/"); !strings.Contains(body, `data-testid="edition-2099"`) {
		t.Error("the imported edition is not on the report list")
	}
}
