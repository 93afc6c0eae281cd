package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vetted/review"
)

// TestAssignment: an editor assigns a claim from its page; the assignee
// sees it on their work page with a count in the navigation and a
// notification in their inbox; bad assignees are refused next to the form
// and nothing is written.
func TestAssignment(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	ctx := context.Background()
	eda, rey, ed := ts.Login(t, "eda"), ts.Login(t, "rey"), ts.Login(t, "ed")
	// The demo's decisions told rey already: start from an empty inbox.
	if err := ts.DB.MarkRead(ctx, mustUser(t, ts, "rey"), 0); err != nil {
		t.Fatal(err)
	}

	_, page := Get(t, eda, ts.URL+"/claims/3")
	if !strings.Contains(page, `data-testid="assign-form"`) || !strings.Contains(page, `<option value="rey">rey</option>`) {
		t.Fatalf("the claim page offers the editor no assignment form:\n%s", clip(page))
	}
	if strings.Contains(page, `<option value="audrey"`) {
		t.Error("an auditor is offered as an assignee")
	}
	_, reyPage := Get(t, rey, ts.URL+"/claims/3")
	if strings.Contains(reyPage, `data-testid="assign-form"`) {
		t.Error("a reviewer is offered the assignment form")
	}

	status, loc, _ := Post(t, eda, ts.URL+"/claims/3/assignment", url.Values{"assignee": {"rey"}})
	if status != http.StatusSeeOther || loc != "/claims/3?msg=claim-assigned" {
		t.Fatalf("assign: %d to %q", status, loc)
	}
	_, page = Get(t, eda, ts.URL+"/claims/3")
	if !strings.Contains(page, `data-testid="assignee">rey<`) {
		t.Errorf("the claim page does not say it is assigned to rey")
	}
	_, work := Get(t, rey, ts.URL+"/my")
	if !strings.Contains(work, `href="/claims/3"`) || !strings.Contains(work, `data-testid="work-claim"`) {
		t.Errorf("rey's work page does not list claim 3:\n%s", clip(work))
	}
	// The demo's pending revisions are rey's: they count too.
	counts, err := ts.DB.CountNav(ctx, mustUser(t, ts, "rey"))
	if err != nil || counts.Work < 1 || counts.Unread != 1 {
		t.Fatalf("rey's counts %+v, %v", counts, err)
	}
	if !strings.Contains(work, `data-testid="nav-my-count" aria-label="`+pluralCount(counts.Work)+`">`) {
		t.Errorf("the navigation does not count rey's %d open items", counts.Work)
	}
	if !strings.Contains(work, `data-testid="nav-unread"`) {
		t.Error("the navigation does not show rey's unread notification")
	}
	_, inbox := Get(t, rey, ts.URL+"/notifications")
	if !strings.Contains(inbox, "eda assigned claim 3 to you") {
		t.Errorf("rey's inbox lacks the assignment:\n%s", clip(inbox))
	}

	// The cached claim page follows the counts: rey reads it, gets a
	// notification from elsewhere, and reads it again.
	Get(t, rey, ts.URL+"/claims/5")
	if _, err := ts.DB.AddNote(ctx, mustUser(t, ts, "eda"), review.NewNote{ClaimID: 7, Body: "@rey have a look"}); err != nil {
		t.Fatal(err)
	}
	_, again := Get(t, rey, ts.URL+"/claims/5")
	if !strings.Contains(again, `aria-label="2 unread notifications"`) {
		t.Error("a cached claim page shows an old unread count")
	}

	t.Run("Refused", func(t *testing.T) {
		if _, err := ts.DB.CreateUser(ctx, review.System, "gone", review.RoleReviewer, "gone-password"); err != nil {
			t.Fatal(err)
		}
		gone := mustUser(t, ts, "gone")
		disabled := true
		if _, err := ts.DB.UpdateUser(ctx, mustUser(t, ts, "adam"), gone.ID, review.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name     string
			client   *http.Client
			path     string
			form     url.Values
			status   int
			contains string
		}{
			{"UnknownUser", ed, "/claims/3/assignment", url.Values{"assignee": {"nobody"}}, 400, "There is no user &#34;nobody&#34;."},
			{"DisabledUser", ed, "/claims/3/assignment", url.Values{"assignee": {"gone"}}, 400, "gone is disabled"},
			{"Auditor", ed, "/claims/3/assignment", url.Values{"assignee": {"audrey"}}, 400, "only reviewers and editors"},
			{"SystemUser", ed, "/claims/3/assignment", url.Values{"assignee": {"system"}}, 400, "There is no user"},
			{"Reviewer", rey, "/claims/3/assignment", url.Values{"assignee": {"rey"}}, 403, "needs the editor role"},
			{"UnknownClaim", ed, "/claims/99999/assignment", url.Values{"assignee": {"rey"}}, 404, "99999"},
			{"LongName", ed, "/claims/3/assignment", url.Values{"assignee": {strings.Repeat("x", 5000)}}, 400, "assignee"},
			{"SectionReviewer", rey, "/reports/azerbaijan/editions/2021/assignment", url.Values{"section": {"x"}, "assignee": {"rey"}}, 403, "needs the editor role"},
			{"UnknownSection", ed, "/reports/azerbaijan/editions/2021/assignment", url.Values{"section": {"NO SUCH"}, "assignee": {"rey"}}, 400, "no section"},
			{"UnknownEdition", ed, "/reports/azerbaijan/editions/1999/assignment", url.Values{"section": {"x"}, "assignee": {"rey"}}, 404, "1999"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := headSeq(t, ts.DB)
				status, _, body := Post(t, tc.client, ts.URL+tc.path, tc.form)
				if status != tc.status || !strings.Contains(body, tc.contains) {
					t.Errorf("status %d, want %d with %q:\n%s", status, tc.status, tc.contains, clip(body))
				}
				if tc.status == 400 && strings.HasSuffix(tc.path, "/claims/3/assignment") && !strings.Contains(body, `data-testid="assign-error"`) {
					t.Error("the message is not shown at the form")
				}
				if headSeq(t, ts.DB) != before {
					t.Error("a refused assignment wrote an event")
				}
			})
		}
	})

	t.Run("Section", func(t *testing.T) {
		c, err := ts.DB.FindClaim(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		_, reader := Get(t, eda, ts.URL+"/reports/azerbaijan/editions/"+c.Anchor.Edition)
		if !strings.Contains(reader, `data-testid="section-assign-form"`) {
			t.Fatal("the reader offers no section assignment")
		}
		status, loc, _ := Post(t, eda, ts.URL+"/reports/azerbaijan/editions/"+c.Anchor.Edition+"/assignment",
			url.Values{"section": {c.Anchor.Section}, "assignee": {"ed"}})
		if status != http.StatusSeeOther || !strings.Contains(loc, "msg=section-assigned") {
			t.Fatalf("assign section: %d to %q", status, loc)
		}
		cs, _, err := ts.DB.FindClaims(ctx, review.ClaimFilter{Assignee: "ed", Limit: 500})
		if err != nil || len(cs) == 0 {
			t.Fatalf("claims assigned to ed: %d, %v", len(cs), err)
		}
		for _, c2 := range cs {
			if c2.Anchor.Section != c.Anchor.Section {
				t.Errorf("claim %d of section %q assigned with section %q", c2.ID, c2.Anchor.Section, c.Anchor.Section)
			}
		}
		// The editor's queue filters to what is assigned to them.
		_, q := Get(t, ed, ts.URL+"/queue?assignee=ed")
		if !strings.Contains(q, `name="assignee" value="ed" checked`) {
			t.Error("the queue's assigned-to-me box is not checked")
		}
		if strings.Count(q, `data-testid="queue-item"`) == 0 {
			t.Error("the queue shows nothing assigned to ed")
		}
		for _, it := range strings.Split(q, `data-testid="queue-item" data-claim="`)[1:] {
			id, _, _ := strings.Cut(it, `"`)
			found := false
			for _, c2 := range cs {
				if itoa(c2.ID) == id {
					found = true
				}
			}
			if !found {
				t.Errorf("the queue assigned to ed shows claim %s, which is not", id)
			}
		}
		if ms, err := ts.DB.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("VerifyRecords: %v %v", ms, err)
		}
	})
}

// TestInbox: a mention reaches the inbox; opening it marks it read and goes
// to the claim; nobody can mark another's notification.
func TestInbox(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	eda, rey := ts.Login(t, "eda"), ts.Login(t, "rey")
	if err := ts.DB.MarkRead(context.Background(), mustUser(t, ts, "rey"), 0); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := Post(t, eda, ts.URL+"/claims/5/notes", url.Values{"body": {"@rey what do you think?"}}); status != http.StatusSeeOther {
		t.Fatalf("note: %d", status)
	}
	_, inbox := Get(t, rey, ts.URL+"/notifications")
	if !strings.Contains(inbox, "eda mentioned you in a note on claim 5") || !strings.Contains(inbox, "@rey what do you think?") {
		t.Fatalf("rey's inbox lacks the mention:\n%s", clip(inbox))
	}
	ns, err := ts.DB.FindNotifications(context.Background(), mustUser(t, ts, "rey"), true, 10)
	if err != nil || len(ns) != 1 {
		t.Fatalf("rey's unread: %v, %v", ns, err)
	}
	id := itoa(ns[0].ID)
	if status, _, _ := Post(t, eda, ts.URL+"/notifications/"+id+"/read", nil); status != http.StatusNotFound {
		t.Errorf("eda marking rey's notification: %d, want 404", status)
	}
	status, loc, _ := Post(t, rey, ts.URL+"/notifications/"+id+"/read", url.Values{"open": {"5"}})
	if status != http.StatusSeeOther || loc != "/claims/5" {
		t.Errorf("open: %d to %q, want /claims/5", status, loc)
	}
	_, page := Get(t, rey, ts.URL+"/my")
	if strings.Contains(page, `data-testid="nav-unread"`) {
		t.Error("still unread after opening")
	}
	if status, _, _ := Post(t, rey, ts.URL+"/notifications/abc/read", nil); status != http.StatusBadRequest {
		t.Errorf("a malformed id: %d, want 400 (as every route answers one)", status)
	}
}

func mustUser(tb testing.TB, ts *testServer, name string) review.User {
	tb.Helper()
	u, err := ts.DB.FindUserByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func pluralCount(n int) string {
	if n == 1 {
		return "1 open item"
	}
	return strconv.Itoa(n) + " open items"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNavCountsPastMax checks the navigation's count at and past
// review.MaxNavCount: exact up to it, "99+" after, and said in words.
func TestNavCountsPastMax(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	rey, eda := ts.Login(t, "rey"), mustUser(t, ts, "eda")
	counts, err := ts.DB.CountNav(ctx, mustUser(t, ts, "rey"))
	if err != nil || counts.Work >= review.MaxNavCount {
		t.Fatalf("rey's counts %+v, %v: the demo should leave room below %d", counts, err, review.MaxNavCount)
	}
	// Flags on rey's claims count as his work: raise them until one short
	// of the limit, at it, and past it.
	for n := counts.Work; n <= review.MaxNavCount+1; n++ {
		switch n {
		case review.MaxNavCount, review.MaxNavCount + 1:
			want, label := "99", "99 open items"
			if n > review.MaxNavCount {
				want, label = "99+", "more than 99 open items"
			}
			_, page := Get(t, rey, ts.URL+"/my")
			if !strings.Contains(page, `data-testid="nav-my-count" aria-label="`+label+`">`+want+`</span>`) {
				t.Errorf("with %d open items the navigation does not show %q (%q)", n, want, label)
			}
		}
		if _, err := ts.DB.RaiseFlag(ctx, eda, review.NewFlag{ClaimID: int64(n%60 + 1), Kind: review.FlagUnverified, Reason: "No second source yet."}); err != nil {
			t.Fatal(err)
		}
	}
	// Far past it, the count stays at the limit's first number past it.
	for i := range 20 {
		if _, err := ts.DB.RaiseFlag(ctx, eda, review.NewFlag{ClaimID: int64(i + 1), Kind: review.FlagUnverified, Reason: "No second source yet."}); err != nil {
			t.Fatal(err)
		}
	}
	if counts, err := ts.DB.CountNav(ctx, mustUser(t, ts, "rey")); err != nil || counts.Work != review.MaxNavCount+1 {
		t.Errorf("rey's counts far past the limit: %+v, %v; want Work %d", counts, err, review.MaxNavCount+1)
	}
}
