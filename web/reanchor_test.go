package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vetted"
	"vetted/review"
)

// TestReanchorByQuote: a claim missing in a new edition is re-anchored by an
// editor who pastes where its sentence went.
func TestReanchorByQuote(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	eda, _ := ts.DB.FindUserByName(ctx, "eda")
	reworded := "Women from the Philippines face a documented risk of domestic servitude."
	text := strings.Replace(string(vetted.DemoEdition), "Filipino \nwomen are reportedly vulnerable to domestic servitude.", reworded, 1)
	res, err := ts.DB.ImportEdition(ctx, eda, review.NewEdition{Report: "azerbaijan", Label: "2023", Published: "2023-09-26", Original: []byte(text)})
	if err != nil {
		t.Fatal(err)
	}
	var claim, flag int64
	for _, o := range res.Outcomes {
		if o.Match == review.OutcomeMissing {
			claim, flag = o.ClaimID, o.FlagID
		}
	}
	if flag == 0 {
		t.Fatal("the reworded sentence's claim is not missing")
	}
	ed := ts.Login(t, "ed")
	form := url.Values{"resolution": {"Reworded in 2023"}, "action": {"reanchor"}, "quote": {"no such words anywhere"}}
	status, _, body := Post(t, ed, fmt.Sprintf("%s/flags/%d/resolve", ts.URL, flag), form)
	if status != 400 {
		t.Errorf("a quote not in the edition: %d, want 400", status)
	}
	// The message is at the flag's form, which keeps what was typed, and
	// the form's address brings the page back to it.
	item := body[strings.Index(body, fmt.Sprintf(`id="flag-%d"`, flag)):]
	if !strings.Contains(item[:strings.Index(item, "</li>")], `data-testid="resolve-error"`) || !strings.Contains(item, ">no such words anywhere</textarea>") {
		t.Errorf("the re-anchor error is not at the flag's form, or the quote was lost:\n%s", clip(item))
	}
	if !strings.Contains(body, fmt.Sprintf(`action="/flags/%d/resolve#flag-%d"`, flag, flag)) {
		t.Error("the resolve form does not bring the page back to the flag")
	}
	// With htmx, the flag's item alone comes back, with the message.
	hx := doRequest(t, ed, ts.URL, http.MethodPost, fmt.Sprintf("/flags/%d/resolve", flag), []byte(form.Encode()),
		"application/x-www-form-urlencoded", map[string]string{"HX-Request": "true"})
	if hx.status != 400 || !strings.Contains(hx.body, `data-testid="resolve-error"`) || strings.Contains(hx.body, "<html") {
		t.Errorf("htmx re-anchor error: %d\n%s", hx.status, clip(hx.body))
	}
	form.Set("quote", reworded)
	if status, loc, _ := Post(t, ed, fmt.Sprintf("%s/flags/%d/resolve", ts.URL, flag), form); status != 303 {
		t.Fatalf("re-anchor: %d %s", status, loc)
	}
	c, err := ts.DB.FindClaim(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if c.Anchor.Edition != "2023" || c.Anchor.Match != review.OutcomeChanged || c.Anchor.Exact != reworded || len(c.Flags) != 0 {
		t.Errorf("after re-anchoring: %s %s %q, %d open flags", c.Anchor.Edition, c.Anchor.Match, c.Anchor.Exact, len(c.Flags))
	}
}
