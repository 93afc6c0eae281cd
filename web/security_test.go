package web_test

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"vetted/review"
	"vetted/web"
)

// TestSecurity is the threat model, one threat per row: who attacks, how,
// and what the server must answer. Every case asserts the status and that
// no data changed where nothing should have (the history's head seq: each
// change writes an event), or re-reads the record at stake.
//
// The threats run in order on one demo server whose store and server
// share a test clock; the rows that end sessions or move the clock come
// last.
func TestSecurity(t *testing.T) {
	t.Parallel()
	cs := mustClockServer(t, web.Config{IdleTimeout: 24 * time.Hour, AbsoluteTimeout: 48 * time.Hour})
	env := &secEnv{clockServer: cs, fx: newRouteFixture(t, cs.testServer)}
	for _, threat := range []struct {
		name string
		test func(*testing.T, *secEnv)
	}{
		{"another site makes a signed-in browser POST (CSRF): refused on every POST route", testCrossOrigin},
		{"script in any text field or query parameter (XSS): rendered inert, stored escaped", testXSS},
		{"a link that bounces a user off the site after sign-in (open redirect): stays on vetted", testOpenRedirect},
		{"SQL and full-text operators in search: a result or a 400, never a 500", testSearchInjection},
		{"a body over the limit: 413 before anything is written", testBodyLimit},
		{"path traversal and guessing on /static/: 404; hashed assets cached long", testStatic},
		{"pages carry CSP with a per-request nonce, nosniff, no framing", testHeaders},
		{"the session cookie is HttpOnly, SameSite=Lax, Secure behind TLS, new at each sign-in", testCookieFlags},
		{"a forged session cookie: treated as signed out", testForgedCookie},
		{"a cookie replayed after logout: treated as signed out, the session gone server-side", testReplayAfterLogout},
		{"sign out everywhere: every session of the user ends, by themselves or an admin", testLogoutEverywhere},
		{"an API token never authorises a state change; a forged or revoked one nothing", testTokens},
		{"password guessing: throttled per account; unknown and wrong answer alike", testThrottle},
		{"password guessing all at once: at most the limit is ever checked", testThrottleConcurrent},
		{"an editor approving their own revision (four eyes): 403, still pending", testOwnRevision},
		{"submitting someone else's draft (object-level access): 403, still a draft", testOthersDraft},
		{"an auditor or an admin trying every review write: 403, nothing changed", testReadOnlyRoles},
		{"a user disabled by an admin: their sessions end at once", testDisabledUser},
		{"a role change: the user's sessions end at once", testRoleChange},
		{"idle and absolute session timeouts: the session ends", testSessionTimeouts},
	} {
		t.Run(threat.name, func(t *testing.T) { threat.test(t, env) })
	}
}

type secEnv struct {
	*clockServer
	fx *routeFixture
}

// unchanged fails when the history grew while fn ran.
func (env *secEnv) unchanged(t *testing.T, what string, fn func()) {
	t.Helper()
	before := headSeq(t, env.DB)
	fn()
	if after := headSeq(t, env.DB); after != before {
		t.Errorf("%s changed data: history seq %d → %d", what, before, after)
	}
}

func (env *secEnv) user(t *testing.T, name string) review.User {
	t.Helper()
	u, err := env.DB.FindUserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// newUser makes a user outside the demo, so that rows which end sessions
// or exhaust sign-ins leave the demo users alone.
func (env *secEnv) newUser(t *testing.T, name string, role review.Role) review.User {
	t.Helper()
	u, err := env.DB.CreateUser(context.Background(), review.System, name, role, name+"-password")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn signs name in on ts with password and returns the response and
// the client holding its cookie.
func signIn(t *testing.T, ts *testServer, name, password string) (*http.Client, answer) {
	t.Helper()
	c := ts.Client()
	res := doRequest(t, c, ts.URL, http.MethodPost, "/login",
		[]byte(url.Values{"username": {name}, "password": {password}}.Encode()), "application/x-www-form-urlencoded", nil)
	return c, res
}

func mustSignIn(t *testing.T, ts *testServer, name string) *http.Client {
	t.Helper()
	c, res := signIn(t, ts, name, name+"-password")
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d, want 303", name, res.status)
	}
	return c
}

// signedIn reports whether c's session is alive: a page answers 200, where
// a signed-out client is sent to the sign-in page.
func signedIn(t *testing.T, ts *testServer, c *http.Client) bool {
	t.Helper()
	status, _ := Get(t, c, ts.URL+"/claims")
	switch status {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	t.Fatalf("GET /claims: %d", status)
	return false
}

// noteAs posts a note on claim 1: the simplest write, to show that a
// client cannot write.
func noteAs(t *testing.T, ts *testServer, c *http.Client) int {
	t.Helper()
	status, _, _ := Post(t, c, ts.URL+"/claims/1/notes", url.Values{"body": {"Should not be saved."}})
	return status
}

// writeRoutes are the table's POST routes but sign-in and out.
func writeRoutes() []routeCase {
	var rs []routeCase
	for _, rc := range routeCases() {
		if rc.method() == http.MethodPost && !rc.public {
			rs = append(rs, rc)
		}
	}
	return rs
}

// ---- CSRF ----

func testCrossOrigin(t *testing.T, env *secEnv) {
	fx := env.fx
	attacks := []struct {
		name string
		hdr  map[string]string
	}{
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"Sec-Fetch-Site same-site (a sibling subdomain)", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"Origin of another host", map[string]string{"Origin": "https://evil.example"}},
		{"Origin null (sandboxed frame)", map[string]string{"Origin": "null"}},
	}
	routes := append(writeRoutes(), logoutCase)
	for _, rc := range routeCases() {
		if rc.route == "POST /login" {
			routes = append(routes, rc)
		}
	}
	for _, rc := range routes {
		// The client that may use the route, so only the origin is wrong.
		w := asReviewer
		if len(rc.allow) > 0 {
			w = rc.allow[0]
		}
		for _, a := range attacks {
			t.Run(rc.route+"/"+a.name, func(t *testing.T) {
				env.unchanged(t, rc.route, func() {
					res := fx.do(t, rc, w, a.hdr)
					if res.status != http.StatusForbidden || !strings.Contains(res.body, "came from another site") {
						t.Errorf("status %d, want 403 naming another site\n%s", res.status, clip(res.body))
					}
				})
				if !signedIn(t, env.testServer, fx.client(w)) {
					t.Fatalf("the %s's session ended", w)
				}
			})
		}
	}
	t.Run("same-origin browser POST still works", func(t *testing.T) {
		res := doRequest(t, fx.client(asReviewer), env.URL, http.MethodPost, "/claims/1/notes",
			[]byte("body=same+origin"), "application/x-www-form-urlencoded", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": env.URL})
		if res.status != http.StatusSeeOther {
			t.Errorf("status %d, want 303", res.status)
		}
	})
}

// ---- XSS ----

var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`javascript:alert(1)`,
}

// assertInert fails when a response could run the payload: HTML holding a
// raw tag or a javascript: link, or a non-HTML body a browser might sniff
// as HTML.
func assertInert(t *testing.T, what string, res answer) {
	t.Helper()
	ct := res.header.Get("Content-Type")
	if res.status >= 500 {
		t.Errorf("%s: status %d", what, res.status)
	}
	if strings.HasPrefix(ct, "text/html") || ct == "" {
		for _, raw := range []string{"<script>alert", "<img src=x", `href="javascript:`, `src="javascript:`, `action="javascript:`} {
			if strings.Contains(res.body, raw) {
				i := strings.Index(res.body, raw)
				t.Errorf("%s: the page holds %q unescaped: …%s…", what, raw, res.body[max(0, i-200):min(len(res.body), i+100)])
			}
		}
		return
	}
	if res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%s: %s without nosniff", what, ct)
	}
	if strings.HasPrefix(ct, "application/json") && (strings.Contains(res.body, "<script") || strings.Contains(res.body, "<img")) {
		t.Errorf("%s: JSON holds a raw tag", what)
	}
}

// xssForm is a form whose every text field the payloads go into, one at
// a time, with the other fields valid.
type xssForm struct {
	name   string
	as     who
	path   func(t *testing.T, env *secEnv) string // a fresh target for each post
	form   func(t *testing.T, env *secEnv) url.Values
	fields []string
	// shown are the fields whose stored value the page after the post
	// shows (escaped); the others are checked only for being inert.
	shown []string
	// multipart sends the form as the import form does, with a file.
	multipart bool
}

func xssForms() []xssForm {
	claimForm := func(t *testing.T, env *secEnv) url.Values {
		return url.Values{"report": {"azerbaijan"}, "edition": {"2021"}, "quote": {env.fx.quotes[asReviewer].Text},
			"statement": {"Statement."}, "topic": {"drugs"}, "confidence": {"low"}, "hedge": {"allegedly"}, "reason": {"Read it."},
			"source_title": {"A source"}, "source_publisher": {"A publisher"}, "source_url": {"https://example.org/a"},
			"source_published": {"2021-01-02"}, "reliability": {"B"}, "credibility": {"2"}, "excerpt": {"An excerpt."}}
	}
	const revised = 13
	openFlag := func(t *testing.T, env *secEnv) string {
		f, err := env.DB.RaiseFlag(context.Background(), env.user(t, "rey"), review.NewFlag{ClaimID: 15, Kind: review.FlagOther, Reason: "to resolve"})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("/flags/%d/resolve", f.ID)
	}
	pendingRev := func(t *testing.T, env *secEnv) string {
		ctx := context.Background()
		c, err := env.DB.FindClaim(ctx, 19)
		if err != nil {
			t.Fatal(err)
		}
		r, err := env.DB.ProposeRevision(ctx, env.user(t, "rey"), review.NewRevision{ClaimID: 19, BaseID: review.Head(c.Revisions),
			Statement: c.Latest.Statement + " Again.", Confidence: c.Latest.Confidence})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("/revisions/%d/reject", r.ID)
	}
	return []xssForm{
		{name: "new claim", as: asReviewer, path: fixedPath("/claims"), form: claimForm,
			fields: []string{"statement", "topic", "hedge", "reason", "quote", "prefix", "suffix", "confidence", "source_title",
				"source_publisher", "source_url", "source_published", "reliability", "credibility", "excerpt", "report", "edition"},
			shown: []string{"statement", "topic", "hedge", "reason", "source_title", "source_publisher", "excerpt"}},
		{name: "revision", as: asReviewer, path: fixedPath(fmt.Sprintf("/claims/%d/revisions", revised)),
			form: func(t *testing.T, env *secEnv) url.Values {
				c, err := env.DB.FindClaim(context.Background(), revised)
				if err != nil {
					t.Fatal(err)
				}
				return url.Values{"base": {fmt.Sprint(review.Head(c.Revisions))}, "statement": {"Revised statement."}, "topic": {"drugs"},
					"confidence": {"low"}, "hedge": {"reportedly"}, "reason": {"Reworded."}, "source_title": {"New source"},
					"source_publisher": {"Pub"}, "source_url": {"https://example.org/b"}, "source_published": {"2022-03-04"},
					"reliability": {"C"}, "credibility": {"3"}, "excerpt": {"Excerpt."}}
			},
			fields: []string{"statement", "topic", "hedge", "reason", "base", "confidence", "source_title", "source_publisher",
				"source_url", "source_published", "reliability", "credibility", "excerpt"},
			shown: []string{"statement", "reason"}},
		{name: "note", as: asReviewer, path: fixedPath("/claims/1/notes"),
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"body": {"A note."}} },
			fields: []string{"body", "parent"}, shown: []string{"body"}},
		{name: "flag", as: asReviewer, path: fixedPath("/claims/1/flags"),
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"kind": {"other"}, "reason": {"A reason."}} },
			fields: []string{"reason", "kind"}, shown: []string{"reason"}},
		{name: "flag resolution", as: asEditor, path: openFlag,
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"resolution": {"Resolved."}} },
			fields: []string{"resolution", "action", "back"}, shown: []string{"resolution"}},
		{name: "rejection reason", as: asEditor, path: pendingRev,
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"reason": {"Rejected."}} },
			fields: []string{"reason", "back"}, shown: []string{"reason"}},
		{name: "new user", as: asAdmin, path: fixedPath("/admin/users"),
			form: func(*testing.T, *secEnv) url.Values {
				return url.Values{"name": {"x"}, "role": {"reviewer"}, "password": {"short"}}
			},
			fields: []string{"name", "role"}, shown: []string{"name"}},
		{name: "user update", as: asAdmin, path: fixedPath("/admin/users/2"),
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{} },
			fields: []string{"role", "disabled"}},
		{name: "API token", as: asAdmin, path: fixedPath("/admin/tokens"),
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"user": {"2"}, "label": {"sync"}} },
			fields: []string{"label", "user"}, shown: []string{"label"}},
		{name: "edition import", as: asEditor, path: fixedPath("/reports/azerbaijan/editions"), multipart: true,
			form: func(*testing.T, *secEnv) url.Values {
				return url.Values{"edition": {"2021"}, "published": {"2021-09-28"}}
			},
			fields: []string{"edition", "published"}},
		{name: "sign-in", as: asAnon, path: fixedPath("/login"),
			form:   func(*testing.T, *secEnv) url.Values { return url.Values{"username": {"x"}, "password": {"wrong"}} },
			fields: []string{"username", "next"}, shown: []string{"username"}},
	}
}

func fixedPath(p string) func(*testing.T, *secEnv) string {
	return func(*testing.T, *secEnv) string { return p }
}

func testXSS(t *testing.T, env *secEnv) {
	fx := env.fx
	for _, f := range xssForms() {
		for _, field := range f.fields {
			for i, payload := range xssPayloads {
				t.Run(fmt.Sprintf("%s/%s/%d", f.name, field, i), func(t *testing.T) {
					form := f.form(t, env)
					form.Set(field, payload)
					path := f.path(t, env)
					before := headSeq(t, env.DB)
					var res answer
					if f.multipart {
						rc := routeCase{route: "POST " + path, path: path, multipart: map[string]string{}}
						for k := range form {
							rc.multipart[k] = form.Get(k)
						}
						res = fx.do(t, rc, f.as, nil)
					} else {
						res = doRequest(t, fx.client(f.as), env.URL, http.MethodPost, path, []byte(form.Encode()), "application/x-www-form-urlencoded", nil)
					}
					if !slices.Contains([]int{200, 303, 400, 401, 404, 409}, res.status) {
						t.Fatalf("POST %s with %s=%q: status %d\n%s", path, field, payload, res.status, clip(res.body))
					}
					if after := headSeq(t, env.DB); res.status >= 400 && after != before {
						t.Errorf("refused with %d, yet the history grew %d → %d", res.status, before, after)
					}
					assertInert(t, "the answer", res)
					page := res
					if res.status == http.StatusSeeOther {
						loc := res.header.Get("Location")
						if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
							t.Fatalf("redirect off the site: %q", loc)
						}
						page = doRequest(t, fx.client(f.as), env.URL, http.MethodGet, loc, nil, "", nil)
						assertInert(t, "the page after the redirect", page)
					}
					if slices.Contains(f.shown, field) && (res.status == http.StatusSeeOther || res.status == http.StatusOK || res.status == http.StatusBadRequest || res.status == http.StatusUnauthorized) &&
						!strings.Contains(page.body, html.EscapeString(payload)) {
						t.Errorf("%s=%q: the page does not show it escaped (status %d)\n%s", field, payload, res.status, clip(page.body))
					}
				})
			}
		}
	}

	// Every query parameter and path value a page reads.
	type query struct {
		as     who
		path   string   // with PAYLOAD where the payload goes
		params []string // each gets the payload in turn
	}
	queries := []query{
		{asReviewer, "/claims", []string{"q", "report", "edition", "section", "state", "confidence", "flagged", "page", "msg"}},
		{asAuditor, "/history", []string{"since", "until", "actor", "action", "claim", "before", "after", "verify", "msg"}},
		{asAnon, "/login", []string{"next", "msg"}},
		{asReviewer, "/", []string{"msg"}},
		{asReviewer, "/claims/1", []string{"as_of", "msg"}},
		{asReviewer, "/reports/azerbaijan/editions/2021", []string{"quote", "prefix", "suffix", "msg"}},
		{asReviewer, "/reports/azerbaijan/compare", []string{"from", "to"}},
		{asEditor, "/queue", []string{"msg"}},
		{asAdmin, "/admin/users", []string{"msg"}},
		{asReviewer, "/api/claims", []string{"q", "report", "edition", "state", "limit", "after"}},
		{asReviewer, "/api/claims/1", []string{"x"}},
		{asAuditor, "/api/history", []string{"after", "limit"}},
		{asReviewer, "/export/claims.csv", []string{"report"}},
		{asReviewer, "/export/claims.annotations.jsonld", []string{"report"}},
		{asReviewer, "/export/claims.claimreview.jsonld", []string{"report"}},
		{asAuditor, "/export/history.jsonl", []string{"actor", "action", "report", "since", "claim"}},
		{asAuditor, "/export/history.csv", []string{"actor", "action", "report", "until", "claim"}},
		{asReviewer, "/claims/PAYLOAD", nil},
		{asReviewer, "/api/claims/PAYLOAD", nil},
		{asReviewer, "/reports/PAYLOAD/editions/PAYLOAD", nil},
		{asReviewer, "/reports/azerbaijan/editions/PAYLOAD", nil},
		{asReviewer, "/reports/PAYLOAD/editions/PAYLOAD/text", nil},
		{asReviewer, "/reports/PAYLOAD/compare", nil},
		{asReviewer, "/PAYLOAD", nil},
	}
	for _, q := range queries {
		params := q.params
		if params == nil {
			params = []string{""}
		}
		for _, p := range params {
			for i, payload := range xssPayloads {
				t.Run(fmt.Sprintf("GET %s?%s/%d", q.path, p, i), func(t *testing.T) {
					target := strings.ReplaceAll(q.path, "PAYLOAD", url.PathEscape(payload))
					if p != "" {
						target += "?" + url.Values{p: {payload}}.Encode()
					}
					before := headSeq(t, env.DB)
					res := doRequest(t, fx.client(q.as), env.URL, http.MethodGet, target, nil, "", nil)
					// Only a history export writes (the event saying who took it).
					if after := headSeq(t, env.DB); after != before && !strings.HasPrefix(q.path, "/export/history") {
						t.Errorf("GET %s changed data: %d → %d", target, before, after)
					}
					if !slices.Contains([]int{200, 303, 400, 404}, res.status) {
						t.Fatalf("GET %s: status %d\n%s", target, res.status, clip(res.body))
					}
					assertInert(t, target, res)
					if res.status == http.StatusSeeOther {
						if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
							t.Errorf("redirect off the site: %q", loc)
						}
					}
				})
			}
		}
	}

	// The pages that list what was stored above show it inert too.
	for _, p := range []struct {
		as   who
		path string
	}{
		{asReviewer, "/"}, {asReviewer, "/claims"}, {asReviewer, "/claims?q=alert"}, {asReviewer, "/claims/1"},
		{asReviewer, "/claims/13"}, {asReviewer, "/claims/15"}, {asReviewer, "/claims/19"},
		{asReviewer, "/reports/azerbaijan/editions/2021"}, {asReviewer, "/reports/azerbaijan/compare?from=2021&to=2023"},
		{asEditor, "/queue"}, {asAuditor, "/history"}, {asAdmin, "/admin/users"},
		{asReviewer, "/api/claims?limit=200"}, {asAuditor, "/api/history?limit=200"},
	} {
		t.Run("stored/"+p.path, func(t *testing.T) {
			res := doRequest(t, fx.client(p.as), env.URL, http.MethodGet, p.path, nil, "", nil)
			if res.status != http.StatusOK {
				t.Fatalf("GET %s: %d", p.path, res.status)
			}
			assertInert(t, p.path, res)
		})
	}
}

// ---- open redirects ----

// offSite reports whether a browser following Location would leave the
// site: browsers drop tabs and newlines from URLs and read "\" as "/".
func offSite(loc string) bool {
	cleaned := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	u, err := url.Parse(strings.TrimLeft(cleaned, " "))
	return err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(cleaned, "/")
}

func testOpenRedirect(t *testing.T, env *secEnv) {
	targets := []string{
		"https://evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example/", "\\/evil.example/",
		"/\t/evil.example/", "/\n/evil.example/", "/\r/evil.example/", "\t//evil.example/", " //evil.example/",
		"/%09/evil.example/", "javascript:alert(1)", "http:evil.example", "/\x00/evil.example",
	}
	env.newUser(t, "rita", review.RoleReviewer)
	signedInClient := mustSignIn(t, env.testServer, "rita")
	for i, next := range targets {
		t.Run(fmt.Sprintf("%d %q", i, next), func(t *testing.T) {
			// Signed in already: the sign-in page redirects at once.
			res := doRequest(t, signedInClient, env.URL, http.MethodGet, "/login?"+url.Values{"next": {next}}.Encode(), nil, "", nil)
			if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || offSite(loc) {
				t.Errorf("GET /login?next=%q: %d to %q", next, res.status, loc)
			}
			// The form's hidden next, after signing in.
			form := url.Values{"username": {"rita"}, "password": {"rita-password"}, "next": {next}}
			res = doRequest(t, env.Client(), env.URL, http.MethodPost, "/login", []byte(form.Encode()), "application/x-www-form-urlencoded", nil)
			if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || offSite(loc) {
				t.Errorf("POST /login next=%q: %d to %q", next, res.status, loc)
			}
			// The queue's "back" after a decision.
			ctx := context.Background()
			f, err := env.DB.RaiseFlag(ctx, env.user(t, "rey"), review.NewFlag{ClaimID: 21, Kind: review.FlagOther, Reason: "redirect test"})
			if err != nil {
				t.Fatal(err)
			}
			res = doRequest(t, env.fx.client(asEditor), env.URL, http.MethodPost, fmt.Sprintf("/flags/%d/resolve", f.ID),
				[]byte(url.Values{"resolution": {"ok"}, "back": {next}}.Encode()), "application/x-www-form-urlencoded", nil)
			if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || offSite(loc) {
				t.Errorf("resolve with back=%q: %d to %q", next, res.status, loc)
			}
		})
	}
}

// ---- search ----

func testSearchInjection(t *testing.T, env *secEnv) {
	ctx := context.Background()
	_, before, err := env.DB.FindClaims(ctx, review.ClaimFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{
		`"`, `""`, `"caviar`, `*`, `cav*`, `AND OR NOT`, `caviar AND`, `OR`, `NOT caviar`, `(`, `)`, `(caviar`, `caviar)`,
		`NEAR`, `caviar NEAR/3 trade`, `NEAR(caviar trade)`, `body:x`, `statement:caviar`, `^caviar`, `-caviar`, `+caviar`,
		`'; DROP TABLE claims;--`, `' OR '1'='1`, `%`, `_`, `\`, "\x00", "caviar\x00", `{}`, `[`, `:`, `'`,
		strings.Repeat("caviar ", 2000), strings.Repeat("(", 5000), strings.Repeat(`"`, 501), strings.Repeat("a b ", 40),
		"\xff\xfe", "ca\u0301viar", "😀",
	}
	for i, q := range inputs {
		for _, path := range []string{"/claims?", "/api/claims?"} {
			for _, param := range []string{"q", "report", "edition", "section"} {
				t.Run(fmt.Sprintf("%s%s/%d", path, param, i), func(t *testing.T) {
					env.unchanged(t, "a search", func() {
						target := path + url.Values{param: {q}}.Encode()
						res := doRequest(t, env.fx.client(asReviewer), env.URL, http.MethodGet, target, nil, "", nil)
						if res.status != http.StatusOK && res.status != http.StatusBadRequest {
							t.Errorf("GET %s: status %d, want 200 or 400\n%s", clip(target), res.status, clip(res.body))
						}
					})
				})
			}
		}
	}
	for _, page := range []string{"-1", "0", "99999999", "9223372036854775807", "x"} {
		t.Run("page="+page, func(t *testing.T) {
			res := doRequest(t, env.fx.client(asReviewer), env.URL, http.MethodGet, "/claims?page="+page, nil, "", nil)
			if res.status != http.StatusOK && res.status != http.StatusBadRequest {
				t.Errorf("page=%s: status %d", page, res.status)
			}
		})
	}
	if _, after, err := env.DB.FindClaims(ctx, review.ClaimFilter{Limit: 1}); err != nil || after != before {
		t.Errorf("claims after the searches: %d (%v), before %d", after, err, before)
	}
}

// ---- body limit ----

func testBodyLimit(t *testing.T, env *secEnv) {
	fx := env.fx
	big := strings.Repeat("a", web.MaxBody+1) // needs no escaping in a form
	for _, rc := range writeRoutes() {
		if rc.form == nil && rc.multipart == nil {
			continue // reads no body
		}
		w := asAnon
		if len(rc.allow) > 0 {
			w = rc.allow[0]
		}
		t.Run(rc.route, func(t *testing.T) {
			env.unchanged(t, rc.route, func() {
				var body []byte
				ct := "application/x-www-form-urlencoded"
				if rc.multipart != nil {
					mp := routeCase{route: rc.route, path: rc.path, multipart: map[string]string{"edition": "2099", "padding": big}}
					body, ct = fx.body(mp, w)
				} else {
					body = []byte(rc.form(fx, w).Encode() + "&padding=" + big)
				}
				res := doRequest(t, fx.client(w), env.URL, http.MethodPost, rc.target(fx, w), body, ct, nil)
				if res.status != http.StatusRequestEntityTooLarge {
					t.Errorf("%d-byte body: status %d, want 413\n%s", len(body), res.status, clip(res.body))
				}
			})
		})
	}
	t.Run("POST /login", func(t *testing.T) {
		env.unchanged(t, "sign-in", func() {
			body := []byte("username=rey&password=" + big)
			res := doRequest(t, env.Client(), env.URL, http.MethodPost, "/login", body, "application/x-www-form-urlencoded", nil)
			if res.status != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", res.status)
			}
		})
	})
}

// ---- static files ----

// rawGet sends path to the server byte for byte, as a hostile client
// would (Go's client would clean or re-escape it), and follows redirects
// the same way.
func rawGet(t *testing.T, ts *testServer, path string) (int, http.Header, string) {
	t.Helper()
	for range 5 {
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, ts.Listener.Addr())
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			conn.Close()
			t.Fatal(err)
		}
		var sb strings.Builder
		bufio.NewReader(res.Body).WriteTo(&sb)
		res.Body.Close()
		conn.Close()
		if res.StatusCode < 300 || res.StatusCode >= 400 {
			return res.StatusCode, res.Header, sb.String()
		}
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil || loc.Host != "" {
			t.Fatalf("redirect to %q", res.Header.Get("Location"))
		}
		path = loc.RequestURI()
	}
	t.Fatal("too many redirects")
	return 0, nil, ""
}

func testStatic(t *testing.T, env *secEnv) {
	for _, path := range []string{
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/%2E%2E/go.mod", "/static/..%2fgo.mod", "/static/%2e%2e%2fgo.mod",
		"/static/..%5cgo.mod", "/static/....//go.mod", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../routes.go",
		"/static/../../go.mod", "/static/app.css", "/static/app.js", "/static/htmx-LICENSE.txt", "/static/", "/static",
		"/static/.", "/static/static/app.css", "/static/app.css%00.js", "/static/APP.CSS",
	} {
		t.Run(path, func(t *testing.T) {
			before := headSeq(t, env.DB)
			status, _, body := rawGet(t, env.testServer, path)
			if after := headSeq(t, env.DB); after != before {
				t.Errorf("GET %s changed data", path)
			}
			if status != http.StatusNotFound && status != http.StatusBadRequest {
				t.Errorf("GET %s: status %d, want 404", path, status)
			}
			for _, leak := range []string{"module vetted", "root:x:", "package web", `"use strict"`, "Zero-Clause BSD", "--accent:"} {
				if strings.Contains(body, leak) {
					t.Errorf("GET %s: the answer holds %q", path, leak)
				}
			}
		})
	}
	t.Run("a hashed asset", func(t *testing.T) {
		status, hdr, body := rawGet(t, env.testServer, env.fx.asset)
		if status != http.StatusOK || !strings.Contains(body, "htmx") {
			t.Fatalf("GET %s: %d", env.fx.asset, status)
		}
		if cc := hdr.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("Cache-Control %q, want a year and immutable", cc)
		}
		if ct := hdr.Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Errorf("Content-Type %q", ct)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("no nosniff")
		}
	})
}

// ---- headers ----

var cspNonceRE = regexp.MustCompile(`'nonce-([A-Za-z0-9+/=]+)'`)

func testHeaders(t *testing.T, env *secEnv) {
	seen := map[string]bool{}
	for _, p := range []struct {
		as   who
		path string
	}{
		{asAnon, "/login"}, {asReviewer, "/"}, {asReviewer, "/claims/1"}, {asReviewer, "/reports/azerbaijan/editions/2021"},
		{asEditor, "/queue"}, {asReviewer, "/queue"}, {asReviewer, "/no-such-page"},
	} {
		t.Run(string(p.as)+p.path, func(t *testing.T) {
			res := doRequest(t, env.fx.client(p.as), env.URL, http.MethodGet, p.path, nil, "", nil)
			csp := res.header.Get("Content-Security-Policy")
			m := cspNonceRE.FindStringSubmatch(csp)
			if m == nil {
				t.Fatalf("CSP without a nonce: %q", csp)
			}
			nonce := m[1]
			if seen[nonce] {
				t.Errorf("nonce %q used twice", nonce)
			}
			seen[nonce] = true
			for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP allows %s: %q", bad, csp)
				}
			}
			for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP lacks %s: %q", want, csp)
				}
			}
			scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(res.body, -1)
			if len(scripts) == 0 {
				t.Error("no script tags")
			}
			for _, s := range scripts {
				if !strings.Contains(s, `nonce="`+nonce+`"`) {
					t.Errorf("script tag without the answer's nonce: %s", s)
				}
				if !strings.Contains(s, `src="/static/`) {
					t.Errorf("inline or foreign script: %s", s)
				}
			}
			if h := inlineHandler(res.body); h != "" {
				t.Errorf("an inline event handler attribute: %s", h)
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if res.header.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS without SecureCookies")
			}
			if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("Cache-Control %q on a page", cc)
			}
		})
	}
}

var (
	secTagRE     = regexp.MustCompile(`<[a-zA-Z][^>]*>`)
	secQuotedRE  = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	secHandlerRE = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
)

// inlineHandler returns the first tag with an on… attribute (which the
// CSP would block anyway), looking only at attribute names: quoted values
// may hold any escaped text.
func inlineHandler(body string) string {
	for _, tag := range secTagRE.FindAllString(body, -1) {
		if secHandlerRE.MatchString(secQuotedRE.ReplaceAllString(tag, `""`)) {
			return tag
		}
	}
	return ""
}

// ---- cookies ----

func sessionCookie(t *testing.T, res answer) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: res.header}).Cookies() {
		if c.Name == "vetted_session" {
			return c
		}
	}
	t.Fatalf("no session cookie in %q", res.header.Values("Set-Cookie"))
	return nil
}

// sidOf decodes a session cookie with the server's keys.
func (env *secEnv) sidOf(t *testing.T, c *http.Cookie) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(c)
	sess, err := web.SessionCookieStore(web.Config{SessionKeys: env.keys, AbsoluteTimeout: time.Hour}).Get(req, "vetted_session")
	if err != nil {
		t.Fatal(err)
	}
	sid, _ := sess.Values["sid"].(string)
	return sid
}

// encodeSession makes a cookie holding sid, signed with keys, in
// securecookie's default gob encoding: the encoding vetted wrote before it
// had its own, which must still sign people in.
func encodeSession(t *testing.T, keys [][]byte, sid string) *http.Cookie {
	t.Helper()
	cs := sessions.NewCookieStore(keys...)
	sess := sessions.NewSession(cs, "vetted_session")
	sess.Values["sid"] = sid
	rec := httptest.NewRecorder()
	if err := cs.Save(httptest.NewRequest(http.MethodGet, "/", nil), rec, sess); err != nil {
		t.Fatal(err)
	}
	return rec.Result().Cookies()[0]
}

func testCookieFlags(t *testing.T, env *secEnv) {
	env.newUser(t, "cookie-cat", review.RoleReviewer)
	_, first := signIn(t, env.testServer, "cookie-cat", "cookie-cat-password")
	_, second := signIn(t, env.testServer, "cookie-cat", "cookie-cat-password")
	for i, res := range []answer{first, second} {
		c := sessionCookie(t, res)
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
			t.Errorf("sign-in %d: cookie HttpOnly=%v SameSite=%v Secure=%v Path=%q, want HttpOnly, Lax, not Secure over http, /",
				i, c.HttpOnly, c.SameSite, c.Secure, c.Path)
		}
		if c.MaxAge <= 0 || c.MaxAge > int((48*time.Hour).Seconds()) {
			t.Errorf("cookie Max-Age %d, want at most the absolute timeout", c.MaxAge)
		}
	}
	a, b := env.sidOf(t, sessionCookie(t, first)), env.sidOf(t, sessionCookie(t, second))
	if a == "" || a == b {
		t.Errorf("session ids %q and %q: want a new id at each sign-in", a, b)
	}
	if strings.Contains(sessionCookie(t, first).Value, a) {
		t.Error("the cookie holds the session id in clear")
	}

	secure := env.serve(t, web.Config{SecureCookies: true})
	_, res := signIn(t, secure, "cookie-cat", "cookie-cat-password")
	if res.status != http.StatusSeeOther {
		t.Fatalf("sign-in behind TLS: %d", res.status)
	}
	if c := sessionCookie(t, res); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("with SecureCookies: cookie Secure=%v HttpOnly=%v SameSite=%v", c.Secure, c.HttpOnly, c.SameSite)
	}
	if hsts := res.header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("with SecureCookies: HSTS %q", hsts)
	}
}

// ---- forged and replayed cookies ----

// withCookie is a client that sends only c.
func (env *secEnv) withCookie(t *testing.T, c *http.Cookie) *http.Client {
	t.Helper()
	cl := env.Client()
	u, _ := url.Parse(env.URL)
	cl.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: "/"}})
	return cl
}

// assertSignedOut checks that c is treated as nobody: pages doRequest it to
// sign in, writes get 401, and nothing is written.
func (env *secEnv) assertSignedOut(t *testing.T, c *http.Client) {
	t.Helper()
	env.unchanged(t, "a signed-out client", func() {
		res := doRequest(t, c, env.URL, http.MethodGet, "/claims", nil, "", nil)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login?next=") {
			t.Errorf("GET /claims: %d to %q, want 303 to sign in", res.status, res.header.Get("Location"))
		}
		if status := noteAs(t, env.testServer, c); status != http.StatusUnauthorized {
			t.Errorf("POST a note: %d, want 401", status)
		}
		if status, _ := Get(t, c, env.URL+"/api/claims"); status != http.StatusUnauthorized {
			t.Errorf("GET /api/claims: %d, want 401", status)
		}
	})
}

func testForgedCookie(t *testing.T, env *secEnv) {
	ctx := context.Background()
	realSid, err := env.DB.CreateSession(ctx, env.user(t, "rey"), "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	otherKeys := [][]byte{[]byte(strings.Repeat("k", 64)), []byte(strings.Repeat("b", 32))}
	for _, c := range []struct {
		name   string
		cookie *http.Cookie
	}{
		{"random value", &http.Cookie{Name: "vetted_session", Value: "MTcwMDAwMDAwMHxhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5enwxMjM0NTY3ODkw"}},
		{"garbage", &http.Cookie{Name: "vetted_session", Value: "x"}},
		{"empty", &http.Cookie{Name: "vetted_session", Value: ""}},
		{"the session id in clear", &http.Cookie{Name: "vetted_session", Value: realSid}},
		{"a real session id signed with other keys", encodeSession(t, otherKeys, realSid)},
		{"a guessed session id signed with the server's keys", encodeSession(t, env.keys, "guessed-session-id")},
		{"an empty session id signed with the server's keys", encodeSession(t, env.keys, "")},
	} {
		t.Run(c.name, func(t *testing.T) { env.assertSignedOut(t, env.withCookie(t, c.cookie)) })
	}
	t.Run("control: the real session signed with the server's keys", func(t *testing.T) {
		if !signedIn(t, env.testServer, env.withCookie(t, encodeSession(t, env.keys, realSid))) {
			t.Fatal("a genuine cookie was refused: the forged cases above prove nothing")
		}
	})
}

func testReplayAfterLogout(t *testing.T, env *secEnv) {
	env.newUser(t, "replay-ray", review.RoleReviewer)
	c, res := signIn(t, env.testServer, "replay-ray", "replay-ray-password")
	saved := sessionCookie(t, res)
	sid := env.sidOf(t, saved)
	if !signedIn(t, env.testServer, c) {
		t.Fatal("not signed in")
	}
	out := doRequest(t, c, env.URL, http.MethodPost, "/logout", []byte{}, "application/x-www-form-urlencoded", nil)
	if out.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", out.status)
	}
	if cleared := sessionCookie(t, out); cleared.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: Max-Age %d", cleared.MaxAge)
	}
	env.assertSignedOut(t, env.withCookie(t, saved))
	if _, err := env.DB.FindSession(context.Background(), sid, time.Hour, time.Hour); review.ErrorCode(err) != review.EFORBIDDEN {
		t.Errorf("the session row after logout: %v, want it gone", err)
	}
}

func testLogoutEverywhere(t *testing.T, env *secEnv) {
	env.newUser(t, "roam", review.RoleReviewer)
	laptop, phone := mustSignIn(t, env.testServer, "roam"), mustSignIn(t, env.testServer, "roam")
	res := doRequest(t, laptop, env.URL, http.MethodPost, "/logout/everywhere", []byte{}, "application/x-www-form-urlencoded", nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?msg=signed-out-everywhere" {
		t.Fatalf("logout everywhere: %d to %q", res.status, res.header.Get("Location"))
	}
	if signedIn(t, env.testServer, laptop) || signedIn(t, env.testServer, phone) {
		t.Error("a session outlived sign out everywhere")
	}

	t.Run("an admin, for a user", func(t *testing.T) {
		u := env.user(t, "roam")
		laptop, phone := mustSignIn(t, env.testServer, "roam"), mustSignIn(t, env.testServer, "roam")
		adam := env.fx.client(asAdmin)
		path := fmt.Sprintf("/admin/users/%d/sessions/end", u.ID)
		if res := doRequest(t, laptop, env.URL, http.MethodPost, path, []byte{}, "application/x-www-form-urlencoded", nil); res.status != http.StatusForbidden {
			t.Errorf("a reviewer ending sessions through the admin route: %d, want 403", res.status)
		}
		res := doRequest(t, adam, env.URL, http.MethodPost, path, []byte{}, "application/x-www-form-urlencoded", nil)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/admin/users?msg=sessions-ended" {
			t.Fatalf("admin: %d to %q", res.status, res.header.Get("Location"))
		}
		if signedIn(t, env.testServer, laptop) || signedIn(t, env.testServer, phone) {
			t.Error("a session outlived the admin's sign out everywhere")
		}
		if !signedIn(t, env.testServer, adam) {
			t.Error("the admin was signed out too")
		}
	})
}

// ---- API tokens ----

func testTokens(t *testing.T, env *secEnv) {
	ctx := context.Background()
	tok, secret, err := env.DB.CreateToken(ctx, env.user(t, "adam"), env.user(t, "eda").ID, "security test")
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(s string) map[string]string { return map[string]string{"Authorization": "Bearer " + s} }
	anon := env.Client()
	get := func(t *testing.T, path, s string) int {
		return doRequest(t, anon, env.URL, http.MethodGet, path, nil, "", bearer(s)).status
	}
	if got := get(t, "/api/claims", secret); got != http.StatusOK {
		t.Fatalf("control: the token reads /api/claims: %d", got)
	}
	for _, rc := range writeRoutes() {
		t.Run("POST with a token: "+rc.route, func(t *testing.T) {
			env.unchanged(t, rc.route, func() {
				body, ct := env.fx.body(rc, asEditor)
				res := doRequest(t, anon, env.URL, http.MethodPost, rc.target(env.fx, asEditor), body, ct, bearer(secret))
				if res.status != http.StatusUnauthorized {
					t.Errorf("status %d, want 401", res.status)
				}
			})
		})
	}
	t.Run("a token on a page is ignored", func(t *testing.T) {
		res := doRequest(t, anon, env.URL, http.MethodGet, "/queue", nil, "", bearer(secret))
		if res.status != http.StatusSeeOther {
			t.Errorf("GET /queue with a token: %d, want 303 to sign in", res.status)
		}
	})
	for _, c := range []struct{ name, header string }{
		{"forged", "Bearer vt_forged-token-value"},
		{"empty", "Bearer "},
		{"another scheme", "Basic cmV5OnJleS1kZW1vLXBhc3M="},
		{"the secret without its scheme", secret},
	} {
		t.Run(c.name+" token", func(t *testing.T) {
			res := doRequest(t, anon, env.URL, http.MethodGet, "/api/claims", nil, "", map[string]string{"Authorization": c.header})
			if res.status != http.StatusForbidden && res.status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401 or 403", res.status)
			}
		})
	}
	t.Run("a token of an editor reads no history", func(t *testing.T) {
		if got := get(t, "/api/history", secret); got != http.StatusForbidden {
			t.Errorf("status %d, want 403", got)
		}
	})
	t.Run("a revoked token", func(t *testing.T) {
		if err := env.DB.RevokeToken(ctx, env.user(t, "adam"), tok.ID); err != nil {
			t.Fatal(err)
		}
		if got := get(t, "/api/claims", secret); got != http.StatusForbidden {
			t.Errorf("status %d, want 403", got)
		}
	})
}

// ---- throttling ----

var signInErrorRE = regexp.MustCompile(`data-testid="login-error">([^<]*)<`)

func signInError(t *testing.T, res answer) string {
	t.Helper()
	m := signInErrorRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no sign-in error on the page (status %d)", res.status)
	}
	return m[1]
}

func testThrottle(t *testing.T, env *secEnv) {
	env.newUser(t, "thea", review.RoleReviewer)
	env.unchanged(t, "failed sign-ins", func() {
		_, wrong := signIn(t, env.testServer, "thea", "not-her-password")
		_, unknown := signIn(t, env.testServer, "no-such-user", "not-her-password")
		if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized {
			t.Errorf("wrong password %d, unknown user %d: want 401 both", wrong.status, unknown.status)
		}
		if a, b := signInError(t, wrong), signInError(t, unknown); a != b {
			t.Errorf("the messages tell the user exists: wrong password %q, unknown user %q", a, b)
		}
		for i := 2; i <= 5; i++ {
			if _, res := signIn(t, env.testServer, "thea", fmt.Sprintf("guess-%d", i)); res.status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d, want 401", i, res.status)
			}
		}
		_, sixth := signIn(t, env.testServer, "thea", "guess-6")
		if sixth.status != http.StatusTooManyRequests || sixth.header.Get("Retry-After") == "" {
			t.Errorf("sixth wrong password: %d, Retry-After %q; want 429 with Retry-After", sixth.status, sixth.header.Get("Retry-After"))
		}
		c, right := signIn(t, env.testServer, "thea", "thea-password")
		if right.status != http.StatusTooManyRequests {
			t.Errorf("the right password while throttled: %d, want 429", right.status)
		}
		if len(c.Jar.Cookies(mustParseURL(env.URL))) != 0 {
			t.Error("a throttled sign-in set a cookie")
		}
	})
	t.Run("other accounts are not locked out by it", func(t *testing.T) {
		env.newUser(t, "theo", review.RoleReviewer)
		mustSignIn(t, env.testServer, "theo")
	})
	t.Run("the throttle lifts after its window", func(t *testing.T) {
		env.clock.Advance(16 * time.Minute)
		mustSignIn(t, env.testServer, "thea")
	})
}

// testThrottleConcurrent sends 30 sign-ins for one account at once, the
// right password among them: each takes its place in the throttle before
// its password is checked, so at most five are checked (answered 401, or
// 303 for the right one) and the rest are refused unchecked (429).
func testThrottleConcurrent(t *testing.T, env *secEnv) {
	env.newUser(t, "tara", review.RoleReviewer)
	const n = 30
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pw := fmt.Sprintf("guess-%d", i)
			if i == n/2 {
				pw = "tara-password"
			}
			_, res := signIn(t, env.testServer, "tara", pw)
			statuses <- res.status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for st := range statuses {
		count[st]++
	}
	checked := count[http.StatusUnauthorized] + count[http.StatusSeeOther]
	if checked > maxFailuresPerName || count[http.StatusTooManyRequests] < n-maxFailuresPerName || checked+count[http.StatusTooManyRequests] != n {
		t.Errorf("answers %v: want at most %d passwords checked and the rest 429", count, maxFailuresPerName)
	}
	env.clock.Advance(16 * time.Minute)
}

// maxFailuresPerName is the server's per-account limit (web.maxFailuresName).
const maxFailuresPerName = 5

func mustParseURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// ---- four eyes ----

func testOwnRevision(t *testing.T, env *secEnv) {
	ctx := context.Background()
	const claimID = 11
	eda := env.fx.client(asEditor)
	c, err := env.DB.FindClaim(ctx, claimID)
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := Post(t, eda, env.URL+fmt.Sprintf("/claims/%d/revisions", claimID), url.Values{
		"base": {fmt.Sprint(review.Head(c.Revisions))}, "statement": {c.Latest.Statement + " Reworded by eda."}, "confidence": {"low"}})
	if status != http.StatusSeeOther {
		t.Fatalf("propose: %d\n%s", status, clip(body))
	}
	if c, err = env.DB.FindClaim(ctx, claimID); err != nil {
		t.Fatal(err)
	}
	rev := c.Revisions[len(c.Revisions)-1]
	if rev.State != review.StatePending || rev.AuthorID != env.user(t, "eda").ID {
		t.Fatalf("newest revision %d: %s by %d", rev.ID, rev.State, rev.AuthorID)
	}
	for _, action := range []string{"approve", "reject"} {
		t.Run(action, func(t *testing.T) {
			env.unchanged(t, "deciding one's own revision", func() {
				for _, htmx := range []map[string]string{nil, {"HX-Request": "true"}} {
					res := doRequest(t, eda, env.URL, http.MethodPost, fmt.Sprintf("/revisions/%d/%s", rev.ID, action),
						[]byte("reason=mine"), "application/x-www-form-urlencoded", htmx)
					if res.status != http.StatusForbidden || !strings.Contains(res.body, "someone else must") {
						t.Errorf("status %d, want 403 saying someone else must decide\n%s", res.status, clip(res.body))
					}
				}
			})
			if got, err := env.DB.FindRevision(ctx, rev.ID); err != nil || got.State != review.StatePending {
				t.Errorf("revision %d is %s (%v), want still pending", rev.ID, got.State, err)
			}
		})
	}
	t.Run("her pages offer no approve button for it", func(t *testing.T) {
		for _, path := range []string{fmt.Sprintf("/claims/%d", claimID), "/queue?author=eda"} {
			_, body := Get(t, eda, env.URL+path)
			if !strings.Contains(body, `data-testid="own-revision"`) {
				t.Errorf("%s: no note that she wrote it", path)
			}
			if strings.Contains(body, fmt.Sprintf(`action="/revisions/%d/approve"`, rev.ID)) {
				t.Errorf("%s: offers to approve her own revision", path)
			}
		}
	})
	t.Run("control: another editor may approve it", func(t *testing.T) {
		status, _, _ := Post(t, env.Login(t, "ed"), env.URL+fmt.Sprintf("/revisions/%d/approve", rev.ID), url.Values{"reason": {"ok"}})
		if got, _ := env.DB.FindRevision(ctx, rev.ID); status != http.StatusSeeOther || got.State != review.StateApproved {
			t.Errorf("ed approving: %d, revision %s", status, got.State)
		}
	})
}

func testOthersDraft(t *testing.T, env *secEnv) {
	draft := env.fx.drafts[asEditor] // eda's
	env.unchanged(t, "submitting another's draft", func() {
		status, _, body := Post(t, env.fx.client(asReviewer), env.URL+fmt.Sprintf("/revisions/%d/submit", draft), url.Values{})
		if status != http.StatusForbidden {
			t.Errorf("rey submitting eda's draft: %d, want 403\n%s", status, clip(body))
		}
	})
	if r, err := env.DB.FindRevision(context.Background(), draft); err != nil || r.State != review.StateDraft {
		t.Errorf("revision %d is %s (%v), want still a draft", draft, r.State, err)
	}
}

// ---- roles that do not review ----

func testReadOnlyRoles(t *testing.T, env *secEnv) {
	for _, w := range []who{asAuditor, asAdmin} {
		for _, rc := range writeRoutes() {
			if rc.allowed(w) {
				continue // an admin manages users and tokens
			}
			t.Run(string(w)+"/"+rc.route, func(t *testing.T) {
				env.unchanged(t, rc.route, func() {
					for _, htmx := range []map[string]string{nil, {"HX-Request": "true"}} {
						res := env.fx.do(t, rc, w, htmx)
						if res.status != http.StatusForbidden || !strings.Contains(res.body, "needs the "+rc.needs+" role") {
							t.Errorf("status %d, want 403 naming the %s role\n%s", res.status, rc.needs, clip(res.body))
						}
					}
				})
			})
		}
	}
}

// ---- ending sessions ----

func testDisabledUser(t *testing.T, env *secEnv) {
	ctx := context.Background()
	dora := env.newUser(t, "dora", review.RoleEditor)
	c := mustSignIn(t, env.testServer, "dora")
	_, secret, err := env.DB.CreateToken(ctx, env.user(t, "adam"), dora.ID, "dora's")
	if err != nil {
		t.Fatal(err)
	}
	if !signedIn(t, env.testServer, c) {
		t.Fatal("not signed in")
	}
	status, _, _ := Post(t, env.fx.client(asAdmin), env.URL+fmt.Sprintf("/admin/users/%d", dora.ID), url.Values{"disabled": {"yes"}})
	if status != http.StatusSeeOther {
		t.Fatalf("disable: %d", status)
	}
	env.assertSignedOut(t, c)
	env.unchanged(t, "a disabled user", func() {
		if _, res := signIn(t, env.testServer, "dora", "dora-password"); res.status != http.StatusUnauthorized {
			t.Errorf("sign-in when disabled: %d, want 401", res.status)
		}
		res := doRequest(t, env.Client(), env.URL, http.MethodGet, "/api/claims", nil, "", map[string]string{"Authorization": "Bearer " + secret})
		if res.status != http.StatusForbidden {
			t.Errorf("her API token: %d, want 403", res.status)
		}
	})
}

func testRoleChange(t *testing.T, env *secEnv) {
	rolf := env.newUser(t, "rolf", review.RoleEditor)
	c := mustSignIn(t, env.testServer, "rolf")
	if status, _ := Get(t, c, env.URL+"/queue"); status != http.StatusOK {
		t.Fatalf("queue as editor: %d", status)
	}
	status, _, _ := Post(t, env.fx.client(asAdmin), env.URL+fmt.Sprintf("/admin/users/%d", rolf.ID), url.Values{"role": {"auditor"}})
	if status != http.StatusSeeOther {
		t.Fatalf("role change: %d", status)
	}
	env.assertSignedOut(t, c)
	c = mustSignIn(t, env.testServer, "rolf")
	if status, _ := Get(t, c, env.URL+"/queue"); status != http.StatusForbidden {
		t.Errorf("queue after becoming an auditor: %d, want 403", status)
	}
}

func testSessionTimeouts(t *testing.T, env *secEnv) {
	short := env.serve(t, web.Config{IdleTimeout: 10 * time.Minute, AbsoluteTimeout: 15 * time.Minute})
	shortEnv := &secEnv{clockServer: &clockServer{testServer: short, clock: env.clock, keys: env.keys}, fx: env.fx}
	env.newUser(t, "tim", review.RoleReviewer)
	cases := []struct {
		name  string
		steps []time.Duration // clock moves, each followed by a request that must still be signed in
		last  time.Duration   // the move after which the session has ended
	}{
		{"idle", nil, 11 * time.Minute},
		{"absolute, though never idle", []time.Duration{8 * time.Minute}, 8 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, res := signIn(t, short, "tim", "tim-password")
			if res.status != http.StatusSeeOther {
				t.Fatalf("sign in: %d", res.status)
			}
			sid := env.sidOf(t, sessionCookie(t, res))
			for _, d := range c.steps {
				env.clock.Advance(d)
				if !signedIn(t, short, cl) {
					t.Fatalf("signed out after %v", d)
				}
			}
			env.clock.Advance(c.last)
			shortEnv.assertSignedOut(t, cl)
			if _, err := env.DB.FindSession(context.Background(), sid, 24*time.Hour, 48*time.Hour); review.ErrorCode(err) != review.EFORBIDDEN {
				t.Errorf("the session row after it expired: %v, want it gone", err)
			}
		})
	}
}
