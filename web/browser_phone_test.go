package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vetted/review"
)

// TestBrowserPhoneWidths: no main page is wider than a 390 px phone, so
// none scrolls sideways; each names the element that sticks out.
func TestBrowserPhoneWidths(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	if _, err := ts.DB.Assign(context.Background(), mustUser(t, ts, "eda"), review.NewAssignment{ClaimID: 1, Assignee: "eda"}); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.login(ts.URL, "eda")
	tb.viewport(390, 844, true)
	for _, p := range []struct {
		path  string
		ready string
	}{
		{"/", "report-azerbaijan"},
		{"/claims/1", "claim"},
		{"/claims?q=caviar", "claims-table"},
		{"/queue", "queue"},
		{"/my", "work-assigned"},
		{"/notifications", "inbox"},
		{"/reports/azerbaijan", "scores"},
	} {
		tb.open(ts.URL, p.path)
		tb.do(chromedp.WaitVisible(byTestID(p.ready)))
		if w := eval[int](tb, `document.documentElement.scrollWidth`); w > 390 {
			wide := eval[string](tb, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 390.5 || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible" && e.clientWidth > 0).slice(-3).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right) + "/" + e.scrollWidth + ">" + e.clientWidth).join("; ")`)
			t.Errorf("%s is %d px wide on a 390 px phone (widest: %s)", p.path, w, wide)
		}
	}
}

// TestBrowserClaimThisFillsHedge: "Claim this" on a hedged sentence of new
// material fills the form's hedge words and the confidence they suggest.
func TestBrowserClaimThisFillsHedge(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	tb := newTab(t)
	tb.login(ts.URL, "rey")
	tb.open(ts.URL, "/reports/azerbaijan/editions/2021")
	tb.do(chromedp.WaitVisible(byTestID("reader-text")))
	quote := eval[string](tb, `(() => {
		const phrases = Object.keys(JSON.parse(document.getElementById("reader-text").dataset.hedges));
		const l = [...document.querySelectorAll('[data-claim-this]')].find(a => phrases.some(p => new RegExp("\\b" + p + "\\b", "i").test(a.dataset.quote)));
		if (!l) return "";
		l.click();
		return l.dataset.quote;
	})()`)
	if quote == "" {
		tb.fail("no hedged sentence among the new material")
	}
	hedges := review.HedgeWords(quote)
	sug, ok := review.SuggestConfidence(hedges)
	if !ok {
		t.Fatalf("%q: hedges %v suggest nothing", quote, hedges)
	}
	form := `[data-testid="new-claim-form"] `
	tb.waitJS("the form to be filled", `(document.querySelector('`+form+`[name="quote"]') || {}).value === `+jsString(quote))
	if got := eval[string](tb, `document.querySelector('`+form+`[name="hedge"]').value`); got != strings.Join(hedges, ", ") {
		tb.fail("hedge field %q, want %q", got, strings.Join(hedges, ", "))
	}
	if got := eval[string](tb, `document.querySelector('`+form+`[name="confidence"]').value`); got != string(sug) {
		tb.fail("confidence %q, want the suggested %q", got, sug)
	}
	if hint := tb.text(byTestID("hedge-hint")); !strings.Contains(hint, fmt.Sprintf("suggested confidence: %s", sug)) {
		tb.fail("hint %q does not suggest %s", hint, sug)
	}
}
