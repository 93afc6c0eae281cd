package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vetted/review"
	"vetted/web"
)

// TestLinkChecker runs the checker against local servers (which it may
// fetch only with AllowPrivate): a fine page, a moved one, dead ones, a slow
// one; and, by default, refuses every internal address without connecting.
func TestLinkChecker(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/fine", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("report")) })
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new-home", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) })
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()

	local := web.NewLinkChecker(true, 300*time.Millisecond)
	for _, tc := range []struct {
		path   string
		status review.LinkStatus
		code   int
	}{
		{"/fine", review.LinkOK, 200},
		{"/moved", review.LinkMoved, 301},
		{"/no-such-page", review.LinkDead, 404},
		{"/gone", review.LinkDead, 410},
		{"/broken", review.LinkError, 500},
		{"/slow", review.LinkTimeout, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := local.Check(ctx, 1, srv.URL+tc.path)
			if c.Status != tc.status || c.Code != tc.code {
				t.Errorf("%s: %+v, want %s (%d)", tc.path, c, tc.status, tc.code)
			}
			if tc.status == review.LinkMoved && c.Location != srv.URL+"/new-home" {
				t.Errorf("moved to %q", c.Location)
			}
		})
	}
	t.Run("Unresolvable", func(t *testing.T) {
		if c := local.Check(ctx, 1, "http://no-such-host.invalid/report"); c.Status != review.LinkUnresolvable {
			t.Errorf("%+v, want unresolvable", c)
		}
	})
	t.Run("ErrForbidden/PrivateByDefault", func(t *testing.T) {
		strict := web.NewLinkChecker(false, 300*time.Millisecond)
		before := hits.Load()
		port := srv.URL[strings.LastIndex(srv.URL, ":"):]
		for _, u := range []string{srv.URL + "/fine", "http://localhost" + port + "/fine", "http://[::1]" + port + "/fine",
			"http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://0.0.0.0" + port + "/fine"} {
			if c := strict.Check(ctx, 1, u); c.Status != review.LinkRefused {
				t.Errorf("%s: %+v, want refused", u, c)
			}
		}
		if hits.Load() != before {
			t.Errorf("the server was reached %d times", hits.Load()-before)
		}
	})
}

// TestCheckLinksRecorded: each check is kept on the source and is an event;
// the claim page then shows a dead source, and the archived copy's link.
func TestCheckLinksRecorded(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	defer dead.Close()
	ts := MustServer(t)
	ctx := context.Background()
	eda, err := ts.DB.FindUserByName(ctx, "eda")
	if err != nil {
		t.Fatal(err)
	}
	rey, err := ts.DB.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ts.DB.FindClaim(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The claim cites a page on the dead local server.
	if _, err := ts.DB.ProposeRevision(ctx, rey, review.NewRevision{ClaimID: 2, BaseID: review.Head(c.Revisions),
		Statement: c.Latest.Statement, Topic: c.Latest.Topic, Confidence: c.Latest.Confidence, Reason: "Another source.",
		AddEvidence: []review.NewEvidence{{Source: review.NewSource{Title: "A page that died", URL: dead.URL + "/report", Reliability: "C"},
			Credibility: 3, Stance: review.StanceSupports}}}); err != nil {
		t.Fatal(err)
	}
	if c, err = ts.DB.FindClaim(ctx, 2); err != nil {
		t.Fatal(err)
	}
	src := c.Latest.Evidence[len(c.Latest.Evidence)-1].Source
	res, err := web.CheckLinks(ctx, ts.DB, web.NewLinkChecker(true, time.Second), eda, src.ID)
	if err != nil || len(res) != 1 || res[0].Check.Status != review.LinkDead {
		t.Fatalf("CheckLinks = %+v, %v", res, err)
	}
	n, err := ts.DB.CountEvents(ctx, review.EventFilter{Action: "source.checked"})
	if err != nil || n != 1 {
		t.Errorf("%d source.checked events, %v", n, err)
	}
	archive := "https://web.archive.org/web/2021/https://ocindex.net/country/azerbaijan"
	if _, err := ts.DB.UpdateSource(ctx, eda, src.ID, review.SourceUpdate{ArchiveURL: &archive, Reason: "The page is gone; the archive has it."}); err != nil {
		t.Fatal(err)
	}
	_, body := Get(t, ts.Login(t, "rey"), ts.URL+"/claims/2")
	if countTestID(body, "link-dead") == 0 || !strings.Contains(body, archive) {
		t.Errorf("claim page shows no dead link or archived copy")
	}
	_, body = Get(t, ts.Login(t, "rey"), ts.URL+"/sources?status=bad")
	if countTestID(body, "source-row") != 1 {
		t.Errorf("/sources?status=bad lists %d sources, want 1", countTestID(body, "source-row"))
	}
}

// TestUpdateSourceWeb: an editor regrades a source from /sources; every
// claim citing it shows the new grade, and the event names them.
func TestUpdateSourceWeb(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	c, err := ts.DB.FindClaim(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	src := c.Latest.Evidence[0].Source
	status, loc, _ := Post(t, ts.Login(t, "eda"), ts.URL+"/sources/"+strconv.FormatInt(src.ID, 10),
		url.Values{"reliability": {"D"}, "archive_url": {""}, "reason": {"The profile's method changed."}})
	if status != http.StatusSeeOther || loc != "/sources?msg=source-updated" {
		t.Fatalf("regrade: %d %s", status, loc)
	}
	var citing []int64
	err = ts.DB.EachEvent(ctx, review.EventFilter{Action: "source.graded"}, func(e review.Event) error {
		var after struct {
			Claims []int64 `json:"claims"`
		}
		err := json.Unmarshal([]byte(e.After), &after)
		citing = after.Claims
		return err
	})
	if err != nil || len(citing) < 2 {
		t.Fatalf("the source.graded event names claims %v (%v); the demo profile is cited by most claims", citing, err)
	}
	for _, id := range citing {
		c, err := ts.DB.FindClaim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range c.Latest.Evidence {
			if e.Source.ID == src.ID && e.Source.Reliability != "D" {
				t.Errorf("claim %d still shows grade %s", id, e.Source.Reliability)
			}
		}
	}
	if status, _, _ := Post(t, ts.Login(t, "rey"), ts.URL+"/sources/"+strconv.FormatInt(src.ID, 10),
		url.Values{"reliability": {"A"}, "reason": {"x"}}); status != http.StatusForbidden {
		t.Errorf("a reviewer regrades: %d", status)
	}
}
