package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"vetted/review"
)

// apiGet fetches an API path with a client and an optional bearer token.
func apiGet(tb testing.TB, c *http.Client, u, token string, into any) int {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Fatalf("GET %s: Content-Type %q, want JSON", u, ct)
	}
	if into != nil {
		if err := json.NewDecoder(res.Body).Decode(into); err != nil {
			tb.Fatalf("GET %s: %v", u, err)
		}
	}
	return res.StatusCode
}

// apiGetHeader fetches an API path with the Authorization header h.
func apiGetHeader(tb testing.TB, c *http.Client, u, h string, into any) int {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", h)
	res, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
	return res.StatusCode
}

// headerGet fetches u with the header pairs kv and returns the status and
// Content-Type.
func headerGet(tb testing.TB, c *http.Client, u string, kv ...string) (int, string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Content-Type")
}

type apiErr struct {
	Error struct{ Code, Message string } `json:"error"`
}

func TestAPIRoles(t *testing.T) {
	ts := MustServer(t)
	clients := map[string]*http.Client{"anonymous": ts.Client()}
	for _, name := range []string{"rey", "eda", "audrey", "adam"} {
		clients[name] = ts.Login(t, name)
	}
	for _, tc := range []struct {
		path string
		want map[string]int
	}{
		{"/api/claims", map[string]int{"anonymous": 401, "rey": 200, "eda": 200, "audrey": 200, "adam": 200}},
		{"/api/claims/1", map[string]int{"anonymous": 401, "rey": 200, "eda": 200, "audrey": 200, "adam": 200}},
		{"/api/claims/99999", map[string]int{"anonymous": 401, "rey": 404, "eda": 404, "audrey": 404, "adam": 404}},
		// A malformed id is a malformed parameter (docs/API.md: 400), not a
		// claim that does not exist.
		{"/api/claims/abc", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims/0", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims/-1", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims/1.5", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims/99999999999999999999", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims?state=bogus", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/claims?limit=0", map[string]int{"anonymous": 401, "rey": 400, "eda": 400, "audrey": 400, "adam": 400}},
		{"/api/history", map[string]int{"anonymous": 401, "rey": 403, "eda": 403, "audrey": 200, "adam": 200}},
		{"/api/history?after=-1", map[string]int{"anonymous": 401, "rey": 403, "eda": 403, "audrey": 400, "adam": 400}},
	} {
		for who, want := range tc.want {
			t.Run(who+tc.path, func(t *testing.T) {
				var body apiErr
				got := apiGet(t, clients[who], ts.URL+tc.path, "", &body)
				if got != want {
					t.Fatalf("status %d, want %d", got, want)
				}
				if got >= 400 && (body.Error.Code == "" || body.Error.Message == "") {
					t.Errorf("error body %+v lacks a code and message", body)
				}
			})
		}
	}
}

var tokenRE = regexp.MustCompile(`data-testid="new-token">(vt_[A-Za-z0-9_-]+)<`)

// createToken has the admin make a token for a user through the page.
func createToken(tb testing.TB, ts *testServer, admin *http.Client, user string) string {
	tb.Helper()
	u, err := ts.DB.FindUserByName(context.Background(), user)
	if err != nil {
		tb.Fatal(err)
	}
	status, _, body := Post(tb, admin, ts.URL+"/admin/tokens", url.Values{"user": {fmt.Sprint(u.ID)}, "label": {"test"}})
	m := tokenRE.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		tb.Fatalf("create token: status %d, no token shown", status)
	}
	return m[1]
}

func TestAPIToken(t *testing.T) {
	ts := MustServer(t)
	admin := ts.Login(t, "adam")
	tok := createToken(t, ts, admin, "audrey")
	plain := ts.Client()

	t.Run("OK", func(t *testing.T) {
		var h struct{ Events []review.Event }
		if got := apiGet(t, plain, ts.URL+"/api/history?limit=5", tok, &h); got != 200 || len(h.Events) != 5 {
			t.Fatalf("status %d, %d events", got, len(h.Events))
		}
		if status, _ := Get(t, plain, ts.URL+"/export/history.jsonl"); status != 401 {
			t.Errorf("export without the token: %d, want 401", status)
		}
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/export/history.jsonl", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		v, err := review.VerifyJSONL(res.Body)
		res.Body.Close()
		if err != nil || !v.Continuity || v.Events == 0 {
			t.Errorf("export with the token: %+v, %v; want a whole chain that verifies", v, err)
		}
	})
	t.Run("ErrTokenNeverWrites", func(t *testing.T) {
		before, _ := ts.DB.Head(context.Background())
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/claims/1/notes", strings.NewReader("body=via+token"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := plain.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		after, _ := ts.DB.Head(context.Background())
		if res.StatusCode != http.StatusUnauthorized || after != before {
			t.Errorf("POST with a token: %d, head %d → %d", res.StatusCode, before.Seq, after.Seq)
		}
	})
	t.Run("ErrForged", func(t *testing.T) {
		var body apiErr
		if got := apiGet(t, plain, ts.URL+"/api/claims", "vt_forged", &body); got != 403 || body.Error.Code != review.EFORBIDDEN {
			t.Errorf("forged token: %d %+v", got, body)
		}
		// docs/API.md: the same 403, and export errors are HTML pages.
		for _, path := range []string{"/export/claims.csv", "/export/history.jsonl", "/reports/azerbaijan/editions/2021/text"} {
			if got, ct := headerGet(t, plain, ts.URL+path, "Authorization", "Bearer vt_forged"); got != 403 || !strings.HasPrefix(ct, "text/html") {
				t.Errorf("forged token on %s: %d %s, want 403 and a page", path, got, ct)
			}
		}
	})
	t.Run("SchemeAnyCase", func(t *testing.T) {
		// RFC 7235 2.1: the scheme name is case-insensitive; one or more
		// spaces separate it from the token.
		for _, h := range []string{"Bearer " + tok, "bearer " + tok, "BEARER " + tok, "bEaReR " + tok, "Bearer   " + tok} {
			if got, _ := headerGet(t, plain, ts.URL+"/api/claims?limit=1", "Authorization", h); got != 200 {
				t.Errorf("Authorization: %.12s…: %d, want 200", h, got)
			}
			if got, _ := headerGet(t, plain, ts.URL+"/export/claims.csv", "Authorization", h); got != 200 {
				t.Errorf("export with Authorization: %.12s…: %d, want 200", h, got)
			}
		}
		for _, h := range []string{"Basic " + tok, "Bearer", "Bearer ", "Bearer" + tok, "Bearer " + tok + " extra", "Token " + tok} {
			var body apiErr
			if got := apiGetHeader(t, plain, ts.URL+"/api/claims", h, &body); got != 403 || body.Error.Code != review.EFORBIDDEN {
				t.Errorf("Authorization: %q: %d %+v, want 403 forbidden", h, got, body)
			}
		}
	})
	t.Run("ErrNoSignInChallenges", func(t *testing.T) {
		// RFC 7235 3.1: a 401 carries a WWW-Authenticate challenge.
		for _, path := range []string{"/api/claims", "/export/claims.csv"} {
			res, err := plain.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("%s without sign-in: %d, WWW-Authenticate %q", path, res.StatusCode, res.Header.Get("WWW-Authenticate"))
			}
		}
	})
	t.Run("ErrRevoked", func(t *testing.T) {
		tokens, err := ts.DB.ListTokens(context.Background())
		if err != nil || len(tokens) == 0 {
			t.Fatal(err)
		}
		if status, loc, _ := Post(t, admin, fmt.Sprintf("%s/admin/tokens/%d/revoke", ts.URL, tokens[0].ID), nil); status != 303 {
			t.Fatalf("revoke: %d %s", status, loc)
		}
		if got := apiGet(t, plain, ts.URL+"/api/claims", tok, nil); got != 403 {
			t.Errorf("revoked token: %d, want 403", got)
		}
		for _, path := range []string{"/export/claims.annotations.jsonld", "/export/history.csv"} {
			if got, ct := headerGet(t, plain, ts.URL+path, "Authorization", "Bearer "+tok); got != 403 || !strings.HasPrefix(ct, "text/html") {
				t.Errorf("revoked token on %s: %d %s, want 403 and a page", path, got, ct)
			}
		}
	})
	t.Run("ErrOnlyAdminsMakeTokens", func(t *testing.T) {
		status, _, _ := Post(t, ts.Login(t, "eda"), ts.URL+"/admin/tokens", url.Values{"user": {"2"}, "label": {"x"}})
		if status != 403 {
			t.Errorf("editor making a token: %d, want 403", status)
		}
	})
}

// TestAPIPagination walks /api/claims page by page while other clients add
// claims: no claim may appear twice or be skipped among those that existed
// when the walk began.
func TestAPIPagination(t *testing.T) {
	ts := MustServer(t)
	c := ts.Login(t, "audrey")
	ctx := context.Background()
	existing, total, err := ts.DB.FindClaims(ctx, review.ClaimFilter{Limit: 500})
	if err != nil || total == 0 {
		t.Fatal(err)
	}
	rey, _ := ts.DB.FindUserByName(ctx, "rey")
	quotes := []string{"The media situation in the country is dire.", "Cannabis is grown locally to supply the domestic demand"}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_, err := ts.DB.CreateClaim(ctx, rey, review.NewClaim{Report: "azerbaijan", Quote: quotes[i%2],
				Statement: fmt.Sprintf("added during the walk %d", i), Confidence: review.ConfidenceLow, ConfirmDuplicate: true})
			if err != nil {
				t.Errorf("create during walk: %v", err)
				return
			}
		}
	}()
	seen := map[int64]bool{}
	after := ""
	for pages := 0; pages < 1000; pages++ {
		var page struct {
			Claims []review.Claim
			Next   string
		}
		if got := apiGet(t, c, ts.URL+"/api/claims?limit=7&after="+after, "", &page); got != 200 {
			t.Fatalf("page %d: status %d", pages, got)
		}
		for _, cl := range page.Claims {
			if seen[cl.ID] {
				t.Fatalf("claim %d returned twice", cl.ID)
			}
			seen[cl.ID] = true
		}
		if page.Next == "" {
			break
		}
		after = page.Next
		if pages == 3 {
			close(stop) // let some pages see new claims, then settle
			wg.Wait()
		}
	}
	select {
	case <-stop:
	default:
		close(stop)
		wg.Wait()
	}
	for _, cl := range existing {
		if !seen[cl.ID] {
			t.Errorf("claim %d was skipped", cl.ID)
		}
	}
	if len(seen) <= len(existing) {
		t.Errorf("walk saw %d claims; the claims added during it should appear too", len(seen))
	}
}

func TestExportHistory(t *testing.T) {
	ts := MustServer(t)
	ctx := context.Background()
	audrey := ts.Login(t, "audrey")
	for _, tc := range []struct {
		name, path string
		chain      bool
	}{
		{"Whole", "/export/history.jsonl", true},
		{"Filtered", "/export/history.jsonl?action=note.added", false},
		{"ByClaim", "/export/history.jsonl?claim=1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := ts.DB.Head(ctx)
			res, err := audrey.Get(ts.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := review.VerifyJSONL(res.Body)
			res.Body.Close()
			// Every export accounts for every event; a filtered one lists the
			// others by their hashes.
			if err != nil || !v.Continuity || v.Filtered == tc.chain || (v.Omitted > 0) == tc.chain {
				t.Fatalf("verify: %+v %v; want filtered %v", v, err, !tc.chain)
			}
			// The export is itself recorded, before it is written.
			var last review.Event
			ts.DB.EachEvent(ctx, review.EventFilter{After: before.Seq}, func(e review.Event) error { last = e; return nil })
			if last.Action != "history.exported" || last.Actor != "audrey" {
				t.Errorf("last event %s by %s, want history.exported by audrey", last.Action, last.Actor)
			}
		})
	}
	t.Run("ErrBadFilter", func(t *testing.T) {
		if status, _ := Get(t, audrey, ts.URL+"/export/history.jsonl?since=yesterday"); status != 400 {
			t.Errorf("bad since: %d, want 400", status)
		}
	})
	t.Run("ErrReviewer", func(t *testing.T) {
		if status, _ := Get(t, ts.Login(t, "rey"), ts.URL+"/export/history.csv"); status != 403 {
			t.Errorf("reviewer export: %d, want 403", status)
		}
	})
	t.Run("CSVInert", func(t *testing.T) {
		rey, _ := ts.DB.FindUserByName(ctx, "rey")
		if _, err := ts.DB.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "=HYPERLINK(\"http://evil.example\")"}); err != nil {
			t.Fatal(err)
		}
		status, body := Get(t, audrey, ts.URL+"/export/claims.csv")
		if status != 200 {
			t.Fatalf("claims csv: %d", status)
		}
		status, body = Get(t, audrey, ts.URL+"/export/history.csv")
		if status != 200 || !strings.Contains(body, "HYPERLINK") {
			t.Fatalf("history csv: %d", status)
		}
		for _, line := range strings.Split(body, "\r\n") {
			for _, cell := range strings.Split(line, ",") {
				if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "\"=") {
					t.Errorf("a cell starts with '=': %q", cell)
				}
			}
		}
	})
}

// TestMalformedID: an id in the path that is not a whole number from 1 is
// a malformed request (400), on pages, forms and the API alike; a well
// formed id of no record is 404.
func TestMalformedID(t *testing.T) {
	ts := MustServer(t)
	eda := ts.Login(t, "eda")
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/claims/abc", 400},
		{"GET", "/claims/0", 400},
		{"GET", "/claims/-3", 400},
		{"GET", "/claims/99999", 404},
		{"GET", "/api/claims/abc", 400},
		{"GET", "/api/claims/99999", 404},
		{"POST", "/claims/abc/notes", 400},
		{"POST", "/revisions/x/approve", 400},
		{"POST", "/flags/1e3/resolve", 400},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			var got int
			if tc.method == "GET" {
				got, _ = headerGet(t, eda, ts.URL+tc.path)
			} else {
				got, _, _ = Post(t, eda, ts.URL+tc.path, url.Values{"body": {"x"}, "reason": {"x"}})
			}
			if got != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, got, tc.want)
			}
		})
	}
}

// TestExportOrigin: a history export, which is recorded in the exporter's
// name, is refused when a browser sends it from another origin, by the rule
// docs/OPERATIONS.md gives for the cross-origin protection: Sec-Fetch-Site
// same-origin or none, else (an older browser) an Origin whose host is the
// Host header.
func TestExportOrigin(t *testing.T) {
	ts := MustServer(t)
	audrey := ts.Login(t, "audrey")
	tok := createToken(t, ts, ts.Login(t, "adam"), "audrey")
	for _, tc := range []struct {
		name    string
		headers []string
		want    int
	}{
		{"SameOrigin", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"Typed", []string{"Sec-Fetch-Site", "none"}, 200},
		{"NotABrowser", nil, 200},
		{"OldBrowserSameOrigin", []string{"Origin", ts.URL}, 200},
		{"ErrCrossSite", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"ErrSameSite", []string{"Sec-Fetch-Site", "same-site"}, 403},
		{"ErrCrossSiteWithOrigin", []string{"Sec-Fetch-Site", "cross-site", "Origin", ts.URL}, 403},
		{"ErrOldBrowserOtherOrigin", []string{"Origin", "https://evil.example"}, 403},
		{"ErrOldBrowserNullOrigin", []string{"Origin", "null"}, 403},
		{"TokenCrossSite", []string{"Sec-Fetch-Site", "cross-site", "Authorization", "Bearer " + tok}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/export/history.jsonl", "/export/history.csv"} {
				before, _ := ts.DB.Head(context.Background())
				got, _ := headerGet(t, audrey, ts.URL+path, tc.headers...)
				after, _ := ts.DB.Head(context.Background())
				if got != tc.want {
					t.Errorf("%s: %d, want %d", path, got, tc.want)
				}
				if recorded := after.Seq > before.Seq; recorded != (tc.want == 200) {
					t.Errorf("%s: export recorded %v with status %d", path, recorded, got)
				}
			}
		})
	}
}
