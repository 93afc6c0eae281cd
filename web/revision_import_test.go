package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vetted/review"
)

// TestImporterDecides: after eda imports an edition, the queue offers her
// the import's "quote changed" revisions to decide, and she can.
func TestImporterDecides(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	importSecond(t, ts)
	eda := ts.Login(t, "eda")
	page, err := ts.DB.FindQueue(context.Background(), review.QueueFilter{Kind: review.QueueRevision, Author: "eda", Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var rev *review.Revision
	for _, it := range page.Items {
		if it.Revision.ProposedByImport() {
			rev = it.Revision
			break
		}
	}
	if rev == nil {
		t.Fatal("the import proposed no revision")
	}
	_, body := Get(t, eda, ts.URL+fmt.Sprintf("/claims/%d", rev.ClaimID))
	if !strings.Contains(body, fmt.Sprintf(`/revisions/%d/reject`, rev.ID)) {
		t.Errorf("the claim page offers eda no decision on the import's revision %d", rev.ID)
	}
	status, _, body := Post(t, eda, ts.URL+fmt.Sprintf("/revisions/%d/reject", rev.ID), url.Values{"reason": {"The statement no longer holds."}})
	if status != http.StatusSeeOther {
		t.Errorf("eda rejecting the import's revision: %d\n%s", status, clip(body))
	}
}
