package web_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vetted"
	"vetted/review"
	"vetted/review/text"
	"vetted/store"
	"vetted/web"
)

// The handler table: every route in routes.go × every role × its method.
// An allowed role gets the route's status (200 or 303) and, for a write,
// exactly the data change it asked for; a signed-in role without
// permission gets 403 with a page naming the role needed; someone not
// signed in is sent to sign in (GET) or refused with 401 (POST, API,
// exports). A request that is refused never changes data, and content a
// role may not act on is never shown to it.

// who is a client of the table: a demo user by role, or nobody.
type who string

const (
	asAnon     who = "anonymous"
	asReviewer who = "reviewer"
	asEditor   who = "editor"
	asAuditor  who = "auditor"
	asAdmin    who = "admin"
)

var allClients = []who{asAnon, asReviewer, asEditor, asAuditor, asAdmin}

// demoUserFor is the demo account each role signs in as.
var demoUserFor = map[who]string{asReviewer: "rey", asEditor: "eda", asAuditor: "audrey", asAdmin: "adam"}

// routeCase is one row of the table.
type routeCase struct {
	route string // exactly as registered in routes.go
	// path is the address requested; pathFor, when set, gives each role
	// its own target so that allowed writes do not collide.
	path    string
	pathFor func(fx *routeFixture, w who) string
	// form is the body of a POST, valid for an allowed role.
	form      func(fx *routeFixture, w who) url.Values
	multipart map[string]string // file field "file" holds vetted.DemoEdition
	// allow lists the roles that may use the route; public routes need no
	// sign-in at all.
	allow  []who
	public bool
	ok     int // status for an allowed role (for everyone when public)
	// okSignedIn overrides ok for signed-in users of a public route.
	okSignedIn int
	needs      string // "needs the <needs> role" on the 403 page
	api        bool   // answers JSON; anonymous gets 401, never a redirect
	export     bool   // a download; anonymous gets 401, never a redirect
	changes    bool   // an allowed request writes exactly one or more events
	// content is a marker of what the route shows; it appears for an
	// allowed role and never in a refusal.
	content string
	// shown lists markers only some of the allowed roles may see.
	shown []shownTo
}

// shownTo is content that only the listed roles see on a page.
type shownTo struct {
	marker string
	roles  []who
}

// method is the route's method; a pattern without one (the catch-all) is
// tried with GET.
func (rc routeCase) method() string {
	if m, _, ok := strings.Cut(rc.route, " "); ok {
		return m
	}
	return http.MethodGet
}

func (rc routeCase) target(fx *routeFixture, w who) string {
	if rc.pathFor != nil {
		return rc.pathFor(fx, w)
	}
	return rc.path
}

func (rc routeCase) allowed(w who) bool { return rc.public || slices.Contains(rc.allow, w) }

var (
	canRead     = []who{asReviewer, asEditor, asAuditor, asAdmin}
	canPropose  = []who{asReviewer, asEditor}
	editorsOnly = []who{asEditor}
	canAudit    = []who{asAuditor, asAdmin}
	adminsOnly  = []who{asAdmin}
)

// routeCases is the table. GETs come first, then the writes; POST /logout
// is run last by the test, as it ends each client's session.
func routeCases() []routeCase {
	return []routeCase{
		{route: "GET /healthz", path: "/healthz", public: true, ok: 200, content: "ok"},
		{route: "GET /static/{file}", pathFor: func(fx *routeFixture, _ who) string { return fx.asset }, public: true, ok: 200, content: "htmx"},
		{route: "GET /checkpoint", path: "/checkpoint", public: true, ok: 404, content: "publishes no checkpoint"},
		{route: "GET /tile/{path...}", path: "/tile/0/000.p/1", public: true, ok: 200},
		{route: "GET /login", path: "/login?next=%2Fclaims", public: true, ok: 200, okSignedIn: 303, content: `data-testid="login-form"`},
		{route: "/", path: "/no/such/page", public: true, ok: 404, content: "There is no page at this address."},

		{route: "GET /{$}", path: "/", allow: canRead, ok: 200, content: `data-testid="report-azerbaijan"`, shown: []shownTo{
			{`data-testid="nav-queue"`, editorsOnly},
			{`<a href="/history"`, canAudit},
			{`<a href="/admin/users"`, adminsOnly},
			{`data-testid="import-link"`, editorsOnly},
		}},
		{route: "GET /reports/{slug}/import", path: "/reports/azerbaijan/import", allow: editorsOnly, needs: "editor", ok: 200,
			content: `data-testid="import-form"`},
		{route: "GET /reports/{slug}", path: "/reports/azerbaijan", allow: canRead, ok: 200, content: `data-testid="scores"`, shown: []shownTo{
			{`data-testid="scores-form"`, editorsOnly},
		}},
		{route: "GET /reports/{slug}/editions/{label}", path: "/reports/azerbaijan/editions/2021", allow: canRead, ok: 200,
			content: `data-testid="reader-text"`, shown: []shownTo{
				{`data-testid="new-claim-form"`, canPropose},
				{`data-testid="section-toc"`, canRead},
				{`data-testid="publish-form"`, nil}, // published already
			}},
		// The fixture's draft edition: only an editor may publish it.
		{route: "GET /reports/{slug}/editions/{label}", path: "/reports/azerbaijan/editions/" + draftLabel, allow: canRead, ok: 200,
			content: `data-testid="reader-text"`, shown: []shownTo{
				{`data-testid="publish-form"`, editorsOnly},
			}},
		{route: "GET /reports/{slug}/editions/{label}/text", path: "/reports/azerbaijan/editions/2021/text", allow: canRead, ok: 200, content: "Cigánska mafia"},
		{route: "GET /reports/{slug}/compare", path: "/reports/azerbaijan/compare?from=2021&to=2023", allow: canRead, ok: 200, content: `data-testid="compare-summary"`},
		{route: "GET /claims", path: "/claims?q=caviar", allow: canRead, ok: 200, content: `data-testid="claims-table"`},
		{route: "GET /claims/{id}", pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/claims/%d", fx.pendingClaim) },
			allow: canRead, ok: 200, content: `data-testid="statement"`, shown: []shownTo{
				{`data-testid="approve"`, editorsOnly},
				{`data-testid="reject"`, editorsOnly},
				{`data-testid="resolve-form"`, editorsOnly},
				{`data-testid="note-form"`, canPropose},
				{`data-testid="flag-form"`, canPropose},
				{`data-testid="revision-form"`, canPropose},
			}},
		// The claim as it stood at a time: history, so nobody gets controls.
		{route: "GET /claims/{id}", pathFor: func(fx *routeFixture, _ who) string {
			return fmt.Sprintf("/claims/%d?as_of=%s", fx.pendingClaim, time.Now().UTC().Add(time.Hour).Format(time.RFC3339))
		}, allow: canRead, ok: 200, content: `data-testid="as-of"`, shown: []shownTo{
			{`data-testid="approve"`, nil},
			{`data-testid="reject"`, nil},
			{`data-testid="resolve-form"`, nil},
			{`data-testid="note-form"`, nil},
			{`data-testid="flag-form"`, nil},
			{`data-testid="revision-form"`, nil},
		}},
		{route: "GET /sources", path: "/sources", allow: canRead, ok: 200, content: `data-testid="sources-table"`, shown: []shownTo{
			{`data-testid="source-form"`, editorsOnly},
		}},
		{route: "GET /queue", path: "/queue", allow: editorsOnly, needs: "editor", ok: 200, content: `data-testid="queue"`},
		{route: "GET /history", path: "/history", allow: canAudit, needs: "auditor or admin", ok: 200, content: `data-testid="history-table"`},
		{route: "GET /admin/users", path: "/admin/users", allow: adminsOnly, needs: "admin", ok: 200, content: `data-testid="users-table"`},
		{route: "GET /my", path: "/my", allow: canRead, ok: 200, content: `data-testid="work-assigned"`},
		{route: "GET /reviews/agreement", path: "/reviews/agreement", allow: canRead, ok: 200, content: "Cohen's kappa"},
		// Everyone reads their own inbox, and only their own.
		{route: "GET /notifications", path: "/notifications", allow: canRead, ok: 200, content: `data-testid="inbox"`},

		{route: "GET /export/history.jsonl", path: "/export/history.jsonl", export: true, allow: canAudit, needs: "auditor or admin", ok: 200,
			changes: true, content: "history.exported"},
		{route: "GET /export/history.csv", path: "/export/history.csv", export: true, allow: canAudit, needs: "auditor or admin", ok: 200,
			changes: true, content: "history.exported"},
		{route: "GET /export/claims.csv", path: "/export/claims.csv", export: true, allow: canRead, ok: 200, content: "Cigánska mafia"},
		{route: "GET /export/claims.annotations.jsonld", path: "/export/claims.annotations.jsonld", export: true, allow: canRead, ok: 200, content: "Cigánska mafia"},
		{route: "GET /export/claims.claimreview.jsonld", path: "/export/claims.claimreview.jsonld", export: true, allow: canRead, ok: 200, content: "Cigánska mafia"},
		{route: "GET /api/claims", path: "/api/claims?limit=5", api: true, allow: canRead, ok: 200, content: `"claims":`},
		{route: "GET /api/claims/{id}", path: "/api/claims/1", api: true, allow: canRead, ok: 200, content: "Cigánska mafia"},
		{route: "GET /api/history", path: "/api/history?limit=5", api: true, allow: canAudit, needs: "auditor or admin", ok: 200, content: `"events":`},

		// Writes. A sign-in attempt is public; a wrong password is a 401
		// whoever sends it.
		{route: "POST /login", path: "/login", public: true, ok: 401, content: `data-testid="login-error"`,
			form: func(_ *routeFixture, w who) url.Values {
				return url.Values{"username": {"nobody-" + string(w)}, "password": {"wrong-password"}}
			}},
		{route: "POST /reports/{slug}/editions", path: "/reports/azerbaijan/editions", allow: editorsOnly, needs: "editor", ok: 200,
			// The demo's own text again: accepted, and nothing changes.
			multipart: map[string]string{"edition": "2021"}, content: `data-testid="import-unchanged"`},
		{route: "POST /sources/{id}", path: "/sources/1", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			form: func(_ *routeFixture, w who) url.Values {
				return url.Values{"reliability": {"C"}, "archive_url": {"https://web.archive.org/web/2021/" + string(w)}, "reason": {"Regraded by the " + string(w) + "."}}
			}},
		// The demo's text is no score sheet: refused, line by line, and
		// nothing written.
		{route: "POST /scores", path: "/scores", allow: editorsOnly, needs: "editor", ok: 400,
			multipart: map[string]string{"edition": "2023", "report": "azerbaijan"}, content: `data-testid="sheet-errors"`},
		// The editor publishes the draft; the roles after it are refused
		// before the store is asked, so no one meets a conflict.
		{route: "POST /reports/{slug}/editions/{label}/publish", path: "/reports/azerbaijan/editions/" + draftLabel + "/publish",
			allow: editorsOnly, needs: "editor", ok: 303, changes: true},
		{route: "POST /claims", path: "/claims", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			form: func(fx *routeFixture, w who) url.Values {
				q := fx.quotes[w]
				if q.Text == "" {
					q = fx.quotes[asReviewer]
				}
				return url.Values{"report": {"azerbaijan"}, "edition": {"2021"}, "quote": {q.Text},
					"statement": {"A claim made by the " + string(w) + "."}, "confidence": {"low"},
					"confirm_duplicate": {"1"}} // the demo's claims may cover the sentence
			}},
		{route: "POST /claims/{id}/revisions", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, w who) string { return fmt.Sprintf("/claims/%d/revisions", fx.reviseClaim(w)) },
			form: func(fx *routeFixture, w who) url.Values {
				return url.Values{"base": {fmt.Sprint(fx.reviseBase(w))}, "statement": {"Reworded by the " + string(w) + "."},
					"confidence": {"moderate"}, "reason": {"clearer"}}
			}},
		{route: "POST /claims/{id}/notes", path: "/claims/1/notes", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			form: func(_ *routeFixture, w who) url.Values {
				return url.Values{"body": {"A note by the " + string(w) + "."}}
			}},
		{route: "POST /claims/{id}/flags", path: "/claims/1/flags", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			form: func(_ *routeFixture, w who) url.Values {
				return url.Values{"kind": {"disputed"}, "reason": {"Flagged by the " + string(w) + "."}}
			}},
		{route: "POST /flags/{id}/resolve", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/flags/%d/resolve", fx.resolveFlag) },
			form:    func(*routeFixture, who) url.Values { return url.Values{"resolution": {"Checked against the source."}} }},
		{route: "POST /revisions/{id}/approve", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/revisions/%d/approve", fx.approveRev) },
			form:    func(*routeFixture, who) url.Values { return url.Values{"reason": {"Matches the text."}} }},
		{route: "POST /revisions/{id}/reject", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/revisions/%d/reject", fx.rejectRev) },
			form:    func(*routeFixture, who) url.Values { return url.Values{"reason": {"Not what the report says."}} }},
		{route: "POST /revisions/{id}/submit", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, w who) string {
				d := fx.drafts[w]
				if d == 0 {
					d = fx.drafts[asReviewer]
				}
				return fmt.Sprintf("/revisions/%d/submit", d)
			}},
		{route: "POST /claims/{id}/assignment", path: "/claims/1/assignment", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			form: func(*routeFixture, who) url.Values { return url.Values{"assignee": {"rey"}} }},
		{route: "POST /reports/{slug}/editions/{label}/assignment", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return editionPath(fx.sectionEdition) + "/assignment" },
			form: func(fx *routeFixture, _ who) url.Values {
				return url.Values{"section": {fx.section}, "assignee": {"eda"}}
			}},
		{route: "POST /claims/{id}/double-review", path: "/claims/11/double-review", allow: editorsOnly, needs: "editor", ok: 303, changes: true,
			form: func(*routeFixture, who) url.Values { return url.Values{"reviewer_a": {"rey"}, "reviewer_b": {"ed"}} }},
		// The fixture's double review asks rey and eda: each grades once.
		{route: "POST /double-reviews/{id}/grade", allow: canPropose, needs: "reviewer or editor", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/double-reviews/%d/grade", fx.doubleReview) },
			form: func(_ *routeFixture, w who) url.Values {
				return url.Values{"confidence": {"low"}, "reason": {"Graded by the " + string(w) + "."}}
			}},
		// Marking read writes no event: notifications are not records.
		{route: "POST /notifications/{id}/read", allow: canRead, ok: 303,
			pathFor: func(fx *routeFixture, w who) string {
				id := fx.notification[w]
				if id == 0 {
					id = fx.notification[asReviewer]
				}
				return fmt.Sprintf("/notifications/%d/read", id)
			}},
		{route: "POST /notifications/read", path: "/notifications/read", allow: canRead, ok: 303},
		{route: "POST /admin/users", path: "/admin/users", allow: adminsOnly, needs: "admin", ok: 303, changes: true,
			form: func(*routeFixture, who) url.Values {
				return url.Values{"name": {"matrix-new"}, "role": {"reviewer"}, "password": {"matrix-new-pass"}}
			}},
		{route: "POST /admin/users/{id}", allow: adminsOnly, needs: "admin", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/admin/users/%d", fx.targetUser) },
			form:    func(*routeFixture, who) url.Values { return url.Values{"role": {"editor"}} }},
		{route: "POST /admin/users/{id}/sessions/end", allow: adminsOnly, needs: "admin", ok: 303,
			pathFor: func(fx *routeFixture, _ who) string {
				return fmt.Sprintf("/admin/users/%d/sessions/end", fx.targetUser)
			}},
		{route: "POST /admin/tokens", path: "/admin/tokens", allow: adminsOnly, needs: "admin", ok: 200, changes: true, content: `data-testid="new-token"`,
			form: func(fx *routeFixture, _ who) url.Values {
				return url.Values{"user": {fmt.Sprint(fx.users["rey"].ID)}, "label": {"matrix sync"}}
			}},
		{route: "POST /admin/tokens/{id}/revoke", allow: adminsOnly, needs: "admin", ok: 303, changes: true,
			pathFor: func(fx *routeFixture, _ who) string { return fmt.Sprintf("/admin/tokens/%d/revoke", fx.token) }},
	}
}

// logoutCase is run after the table: it ends the session it is sent with.
var (
	logoutCase           = routeCase{route: "POST /logout", path: "/logout", public: true, ok: 303}
	logoutEverywhereCase = routeCase{route: "POST /logout/everywhere", path: "/logout/everywhere", allow: canRead, ok: 303}
)

// draftLabel is the fixture's draft edition: older than the demo's, so
// that importing it carries no claim and leaves the other rows as they were.
const draftLabel = "2019"

// routeFixture is a demo server with one signed-in client per role and
// the records the table's writes act on, each role on its own.
type routeFixture struct {
	ts      *testServer
	clients map[who]*http.Client
	users   map[string]review.User
	asset   string // a real content-hashed static file

	quotes       map[who]review.Sentence // unique sentences to make claims on
	drafts       map[who]int64           // each proposer's own draft revision
	revise       map[who]int64           // the claim each proposer revises
	pendingClaim int64                   // has a revision by rey pending and an open flag; nobody decides it
	resolveFlag  int64
	approveRev   int64
	rejectRev    int64
	targetUser   int64
	token        int64
	// section is the section of claim 1 in sectionEdition, for assigning
	// a section; notification is one of each role's own notifications.
	sectionEdition string
	section        string
	notification   map[who]int64
	doubleReview   int64 // asks rey and eda
}

func editionPath(label string) string { return "/reports/azerbaijan/editions/" + label }

func (fx *routeFixture) client(w who) *http.Client {
	if w == asAnon {
		return fx.ts.Client()
	}
	return fx.clients[w]
}

func (fx *routeFixture) reviseClaim(w who) int64 {
	if id := fx.revise[w]; id != 0 {
		return id
	}
	return fx.revise[asReviewer]
}

// reviseBase is the claim's head now, so that an allowed proposal is not a
// stale one.
func (fx *routeFixture) reviseBase(w who) int64 {
	c, err := fx.ts.DB.FindClaim(context.Background(), fx.reviseClaim(w))
	if err != nil {
		panic(err)
	}
	return review.Head(c.Revisions)
}

// seq is the history's head: every change writes an event, so an equal
// seq means nothing changed.
func (fx *routeFixture) seq(tb testing.TB) int64 {
	tb.Helper()
	return headSeq(tb, fx.ts.DB)
}

func headSeq(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	h, err := db.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h.Seq
}

// newRouteFixture prepares ts for the table.
func newRouteFixture(t *testing.T, ts *testServer) *routeFixture {
	t.Helper()
	ctx := context.Background()
	db := ts.DB
	fx := &routeFixture{ts: ts, clients: map[who]*http.Client{}, users: map[string]review.User{},
		quotes: map[who]review.Sentence{}, drafts: map[who]int64{}, revise: map[who]int64{}}
	for _, du := range store.DemoUsers {
		u, err := db.FindUserByName(ctx, du.Name)
		if err != nil {
			t.Fatal(err)
		}
		fx.users[du.Name] = u
	}
	for w, name := range demoUserFor {
		fx.clients[w] = ts.Login(t, name)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, body := Get(t, ts.Client(), ts.URL+"/login")
	m := regexp.MustCompile(`/static/htmx-[^"]*\.[0-9a-f]{12}\.js`).FindString(body)
	if m == "" {
		t.Fatal("no hashed htmx script on the sign-in page")
	}
	fx.asset = m

	// A second edition, so that there is something to compare.
	doc := text.Normalize(string(vetted.DemoEdition))
	_, err := db.ImportEdition(ctx, fx.users["eda"], review.NewEdition{Report: "azerbaijan", Label: "2023", Published: "2023-10-01",
		Original: []byte(doc.Text + "\n\nA sentence that only the 2023 edition holds.\n")})
	must(err)

	// A draft edition, for the publish button and route.
	_, err = db.ImportEdition(ctx, fx.users["eda"], review.NewEdition{Report: "azerbaijan", Label: draftLabel, Published: "2019-10-01",
		Original: []byte(doc.Text + "\n\nA sentence that only the draft edition holds.\n"), Draft: true})
	must(err)

	// Sentences that occur once, for new claims.
	var unique []review.Sentence
	for _, s := range review.Sentences(doc) {
		if len(s.Text) > 40 && strings.Count(doc.Text, s.Text) == 1 {
			unique = append(unique, s)
		}
	}
	if len(unique) < 2 {
		t.Fatal("the demo text has too few unique sentences")
	}
	fx.quotes[asReviewer], fx.quotes[asEditor] = unique[0], unique[1]

	claim := func(id int64) review.Claim {
		t.Helper()
		c, err := db.FindClaim(ctx, id)
		must(err)
		return c
	}
	// Approved demo claims: 3, 5, 7, 9 (every other one is approved).
	fx.revise[asReviewer], fx.revise[asEditor] = 3, 5
	for w, id := range map[who]int64{asReviewer: 7, asEditor: 9} {
		c := claim(id)
		r, err := db.ProposeRevision(ctx, fx.users[demoUserFor[w]], review.NewRevision{ClaimID: id, BaseID: review.Head(c.Revisions),
			Statement: c.Latest.Statement + " (draft)", Confidence: c.Latest.Confidence, Draft: true})
		must(err)
		fx.drafts[w] = r.ID
	}
	// Pending demo claims by rey: 2, 4; claim 49 has an open flag too.
	fx.approveRev, fx.rejectRev = claim(2).Latest.ID, claim(4).Latest.ID
	fx.pendingClaim = 49
	if c := claim(fx.pendingClaim); c.Latest.State != review.StatePending || len(c.Flags) == 0 {
		t.Fatalf("claim %d: state %s, %d open flags; want pending with a flag", c.ID, c.Latest.State, len(c.Flags))
	}
	for _, f := range claim(17).Flags {
		fx.resolveFlag = f.ID
	}
	if fx.resolveFlag == 0 {
		t.Fatal("no open flag on claim 17")
	}
	target, err := db.CreateUser(ctx, review.System, "matrix-target", review.RoleReviewer, "matrix-target-pass")
	must(err)
	fx.targetUser = target.ID
	tok, _, err := db.CreateToken(ctx, fx.users["adam"], fx.users["rey"].ID, "matrix token")
	must(err)
	fx.token = tok.ID
	c1 := claim(1)
	fx.sectionEdition, fx.section = c1.Anchor.Edition, c1.Anchor.Section
	if fx.section == "" {
		t.Fatal("claim 1 has no section")
	}
	// Notes that mention every role, so each has a notification to read.
	_, err = db.AddNote(ctx, fx.users["eda"], review.NewNote{ClaimID: 3, Body: "@rey @audrey @adam see this"})
	must(err)
	_, err = db.AddNote(ctx, fx.users["rey"], review.NewNote{ClaimID: 3, Body: "@eda see this"})
	must(err)
	dr, err := db.RequestDoubleReview(ctx, fx.users["eda"], 13, "rey", "eda")
	must(err)
	fx.doubleReview = dr.ID
	fx.notification = map[who]int64{}
	for w, name := range demoUserFor {
		ns, err := db.FindNotifications(ctx, fx.users[name], true, 1)
		must(err)
		if len(ns) == 0 {
			t.Fatalf("%s has no notification", name)
		}
		fx.notification[w] = ns[0].ID
	}
	return fx
}

// answer is what a test looks at.
type answer struct {
	status int
	header http.Header
	body   string
}

// do sends one request of rc as w, with the extra headers.
func (fx *routeFixture) do(t *testing.T, rc routeCase, w who, hdr map[string]string) answer {
	t.Helper()
	body, ct := fx.body(rc, w)
	return doRequest(t, fx.client(w), fx.ts.URL, rc.method(), rc.target(fx, w), body, ct, hdr)
}

// body is rc's request body as w sends it, and its content type.
func (fx *routeFixture) body(rc routeCase, w who) ([]byte, string) {
	switch {
	case rc.multipart != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range rc.multipart {
			mw.WriteField(k, v)
		}
		fw, _ := mw.CreateFormFile("file", "azerbaijan-2021.txt")
		fw.Write(vetted.DemoEdition)
		mw.Close()
		return buf.Bytes(), mw.FormDataContentType()
	case rc.form != nil:
		return []byte(rc.form(fx, w).Encode()), "application/x-www-form-urlencoded"
	case rc.method() == http.MethodPost:
		return []byte{}, "application/x-www-form-urlencoded"
	}
	return nil, ""
}

// doRequest makes one request; a nil body sends none.
func doRequest(t *testing.T, c *http.Client, base, method, path string, body []byte, contentType string, hdr map[string]string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

// check runs one cell of the table and asserts its outcome.
func (fx *routeFixture) check(t *testing.T, rc routeCase, w who) {
	t.Helper()
	before := fx.seq(t)
	res := fx.do(t, rc, w, nil)
	after := fx.seq(t)
	target := rc.target(fx, w)
	allowed := rc.allowed(w)

	want := rc.ok
	switch {
	case rc.public && w != asAnon && rc.okSignedIn != 0:
		want = rc.okSignedIn
	case allowed:
	case w != asAnon:
		want = http.StatusForbidden
	case rc.method() == http.MethodGet && !rc.api && !rc.export:
		want = http.StatusSeeOther
	default:
		want = http.StatusUnauthorized
	}
	if res.status != want {
		t.Fatalf("%s %s as %s: status %d, want %d\n%s", rc.method(), target, w, res.status, want, clip(res.body))
	}

	switch {
	case want == http.StatusForbidden:
		need := "needs the " + rc.needs + " role"
		if rc.needs == "" || !strings.Contains(res.body, need) {
			t.Errorf("403 for %s does not say %q:\n%s", w, need, clip(res.body))
		}
	case want == http.StatusSeeOther && !allowed:
		loc := res.header.Get("Location")
		if wantLoc := "/login?next=" + url.QueryEscape(target); loc != wantLoc {
			t.Errorf("Location %q, want %q", loc, wantLoc)
		}
	case want == http.StatusUnauthorized && !rc.public:
		if !strings.Contains(res.body, "Sign in") && !strings.Contains(res.body, "unauthorized") {
			t.Errorf("401 does not ask to sign in:\n%s", clip(res.body))
		}
	}

	// Data: an allowed write changes it, nothing else does.
	if allowed && rc.changes {
		if after <= before {
			t.Errorf("allowed %s as %s wrote no event (seq %d → %d)", rc.route, w, before, after)
		}
	} else if after != before {
		t.Errorf("%s as %s changed data: history seq %d → %d", rc.route, w, before, after)
	}

	// Content: shown to allowed roles, never in a refusal.
	if rc.content != "" {
		has := strings.Contains(res.body, rc.content)
		if allowed && want == rc.ok && !has {
			t.Errorf("%s as %s lacks %q:\n%s", rc.route, w, rc.content, clip(res.body))
		} else if !allowed && has {
			t.Errorf("%s as %s (refused) shows %q", rc.route, w, rc.content)
		}
	}
	if res.status == http.StatusOK {
		for _, s := range rc.shown {
			has, should := strings.Contains(res.body, s.marker), slices.Contains(s.roles, w)
			if has != should {
				t.Errorf("%s as %s: shows %s = %v, want %v", target, w, s.marker, has, should)
			}
		}
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// TestRoutes runs the table over a fresh demo server.
func TestRoutes(t *testing.T) {
	t.Parallel()
	ts := MustServer(t)
	fx := newRouteFixture(t, ts)
	for _, rc := range routeCases() {
		for _, w := range allClients {
			t.Run(rc.route+"/"+string(w), func(t *testing.T) { fx.check(t, rc, w) })
		}
	}
	for _, w := range allClients {
		t.Run("POST /logout/everywhere/"+string(w), func(t *testing.T) {
			res := fx.do(t, logoutEverywhereCase, w, nil)
			if w == asAnon {
				if res.status != http.StatusUnauthorized {
					t.Fatalf("signed out: %d, want 401", res.status)
				}
				return
			}
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?msg=signed-out-everywhere" {
				t.Fatalf("logout everywhere: %d to %q, want 303 to /login?msg=signed-out-everywhere", res.status, res.header.Get("Location"))
			}
			if status, _ := Get(t, fx.client(w), ts.URL+"/claims"); status != http.StatusSeeOther {
				t.Errorf("after logout everywhere /claims answers %d, want 303 to sign in", status)
			}
		})
	}
	for _, w := range allClients {
		t.Run("POST /logout/"+string(w), func(t *testing.T) {
			res := fx.do(t, logoutCase, w, nil)
			if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?msg=signed-out" {
				t.Fatalf("logout: %d to %q, want 303 to /login?msg=signed-out", res.status, res.header.Get("Location"))
			}
			if status, _ := Get(t, fx.client(w), ts.URL+"/claims"); status != http.StatusSeeOther {
				t.Errorf("after logout /claims answers %d, want 303 to sign in", status)
			}
		})
	}
}

// routePattern finds the routes registered in routes.go.
var routePattern = regexp.MustCompile(`mux\.HandleFunc\("([^"]+)"`)

// TestRoutesCoverEveryRoute fails when routes.go registers a route that
// the table has no row for, or the table names a route that is gone.
func TestRoutesCoverEveryRoute(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var registered []string
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		registered = append(registered, m[1])
	}
	if len(registered) < 10 {
		t.Fatalf("found only %d routes in routes.go: has its form changed?", len(registered))
	}
	tabled := []string{logoutCase.route, logoutEverywhereCase.route}
	for _, rc := range routeCases() {
		tabled = append(tabled, rc.route)
	}
	for _, r := range registered {
		if !slices.Contains(tabled, r) {
			t.Errorf("route %q has no row in routeCases", r)
		}
	}
	for _, r := range tabled {
		if !slices.Contains(registered, r) {
			t.Errorf("routeCases names %q, which routes.go does not register", r)
		}
	}
}

// ---- servers with a clock ----

// testClock is a clock tests move forward; the store and the server read
// it, so sessions age without waiting.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// clockServer is a demo server whose database and server share a test
// clock, with its session keys, so more servers (other timeouts, secure
// cookies) can be started over the same database.
type clockServer struct {
	*testServer
	clock *testClock
	keys  [][]byte
}

// mustClockServer is MustServer with a movable clock and cfg's settings.
func mustClockServer(tb testing.TB, cfg web.Config) *clockServer {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	clock := &testClock{}
	db.Now = clock.Now
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		tb.Fatal(err)
	}
	cs := &clockServer{testServer: &testServer{DB: db}, clock: clock,
		keys: [][]byte{make([]byte, 64), make([]byte, 32)}}
	for _, k := range cs.keys {
		if _, err := rand.Read(k); err != nil {
			tb.Fatal(err)
		}
	}
	cs.testServer.Server = cs.serve(tb, cfg).Server
	return cs
}

// serve starts another server over the same database, clock and keys.
func (cs *clockServer) serve(tb testing.TB, cfg web.Config) *testServer {
	tb.Helper()
	cfg.SessionKeys, cfg.Now, cfg.Logger = cs.keys, cs.clock.Now, discardLogger()
	srv, err := web.New(cs.DB, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts := &testServer{Server: httptest.NewServer(srv), DB: cs.DB}
	tb.Cleanup(ts.Close)
	return ts
}
