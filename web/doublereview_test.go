package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBlindDoubleReview: an editor asks rey and ed for grades of claim 11;
// each sees only their own grade until both are in; a disagreement shows
// on the claim and reaches the editors' queue as a disputed flag; the
// agreement page counts the pair.
func TestBlindDoubleReview(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	eda, rey, ed := ts.Login(t, "eda"), ts.Login(t, "rey"), ts.Login(t, "ed")
	if status, loc, _ := Post(t, eda, ts.URL+"/claims/11/double-review", url.Values{"reviewer_a": {"rey"}, "reviewer_b": {"ed"}}); status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", status, loc)
	}
	// Refusals come back at the form.
	status, _, body := Post(t, eda, ts.URL+"/claims/11/double-review", url.Values{"reviewer_a": {"rey"}, "reviewer_b": {"ed"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `data-testid="double-review-error"`) {
		t.Errorf("a second open request: %d", status)
	}
	if status, _, _ := Post(t, rey, ts.URL+"/claims/11/double-review", url.Values{"reviewer_a": {"rey"}, "reviewer_b": {"ed"}}); status != http.StatusForbidden {
		t.Errorf("a reviewer asking for a double review: %d, want 403", status)
	}
	_, work := Get(t, rey, ts.URL+"/my")
	if !strings.Contains(work, `data-testid="work-review"`) {
		t.Error("rey's work page does not list the grade asked of him")
	}
	_, page := Get(t, rey, ts.URL+"/claims/11")
	if !strings.Contains(page, `data-testid="grade-form"`) {
		t.Fatal("rey is not offered the grade form")
	}
	if _, page := Get(t, eda, ts.URL+"/claims/11"); strings.Contains(page, `data-testid="grade-form"`) {
		t.Error("eda, not asked, is offered the grade form")
	}
	id := between(page, `action="/double-reviews/`, `/grade"`)
	grade := func(c *http.Client, conf, reason string) (int, string) {
		status, _, body := Post(t, c, ts.URL+"/double-reviews/"+id+"/grade", url.Values{"confidence": {conf}, "reason": {reason}})
		return status, body
	}
	if status, body := grade(rey, "low", ""); status != http.StatusBadRequest || !strings.Contains(body, `data-testid="double-review-error"`) {
		t.Errorf("a grade with no reason: %d", status)
	}
	if status, _ := grade(eda, "low", "not asked"); status != http.StatusForbidden {
		t.Errorf("eda grading unasked: %d, want 403", status)
	}
	if status, _ := grade(rey, "low", "The report hedges: reportedly."); status != http.StatusSeeOther {
		t.Fatalf("rey's grade: %d", status)
	}
	_, edPage := Get(t, ed, ts.URL+"/claims/11")
	if !strings.Contains(edPage, `data-testid="grade-hidden"`) || strings.Contains(edPage, "The report hedges: reportedly.") {
		t.Error("ed sees rey's grade before grading")
	}
	if status, _ := grade(ed, "high", "Two independent sources."); status != http.StatusSeeOther {
		t.Fatalf("ed's grade: %d", status)
	}
	_, page = Get(t, rey, ts.URL+"/claims/11")
	if !strings.Contains(page, `data-testid="double-disagree"`) || !strings.Contains(page, "Two independent sources.") {
		t.Error("after both grades the claim page does not show the disagreement and both grades")
	}
	_, queue := Get(t, eda, ts.URL+"/queue?kind=flag")
	if !strings.Contains(queue, "disagrees: ed graded high") {
		t.Error("the disagreement is not in the editors' queue")
	}
	_, agree := Get(t, eda, ts.URL+"/reviews/agreement")
	if !strings.Contains(agree, "ed and rey") || !strings.Contains(agree, `data-testid="kappa"`) {
		t.Errorf("the agreement page lacks the pair:\n%s", clip(agree))
	}
	if status, _ := grade(rey, "low", "again"); status != http.StatusConflict {
		t.Errorf("grading a closed review: %d, want 409", status)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}
