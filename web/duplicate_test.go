package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDuplicateWarning: a claim on a sentence claim 1 covers is not saved
// at once: the form comes back with a warning linking claim 1 and a box to
// confirm; sent again with the box ticked, it is saved.
func TestDuplicateWarning(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	c1, err := ts.DB.FindClaim(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	rey := ts.Login(t, "rey")
	form := url.Values{"report": {"azerbaijan"}, "edition": {c1.Anchor.Edition}, "quote": {c1.Anchor.Exact},
		"statement": {"Said again"}, "confidence": {"low"}}
	for _, confirm := range []string{"", "yes", "0"} {
		form.Set("confirm_duplicate", confirm)
		before := headSeq(t, ts.DB)
		status, _, body := Post(t, rey, ts.URL+"/claims", form)
		if status != http.StatusConflict || !strings.Contains(body, `data-testid="duplicate-warning"`) ||
			!strings.Contains(body, `href="/claims/1" data-testid="duplicate-link"`) || !strings.Contains(body, `data-testid="confirm-duplicate"`) {
			t.Fatalf("confirm %q: status %d, want 409 with a warning linking claim 1:\n%s", confirm, status, clip(body))
		}
		if !strings.Contains(body, "Said again") {
			t.Error("the form lost what was typed")
		}
		if headSeq(t, ts.DB) != before {
			t.Error("the duplicate was saved")
		}
	}
	// htmx gets the form alone, with a status app.js swaps.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/claims", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	res, err := rey.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("htmx: status %d, want 400", res.StatusCode)
	}
	form.Set("confirm_duplicate", "1")
	status, loc, _ := Post(t, rey, ts.URL+"/claims", form)
	if status != http.StatusSeeOther || !strings.Contains(loc, "msg=claim-created") {
		t.Errorf("confirmed: %d to %q, want 303 to the new claim", status, loc)
	}
}
