package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"vetted/review"
)

// page is what every full page's layout needs.
type page struct {
	Title string
	User  review.User
	Path  string
	Flash string
	// ReadOnly hides every control, for views of the past.
	ReadOnly bool
	// Fault, when set, is why the server takes no changes now, shown to
	// everyone on every page.
	Fault string
	// Broken is why the history check failed and writes stopped, shown to
	// everyone on every page; "" while the history holds.
	Broken string
	// Counts are the signed-in user's open work and unread notifications,
	// for the navigation.
	Counts review.NavCounts
}

// flashes are the messages a redirect may ask for with ?msg=; only these
// fixed texts are ever shown, so the parameter cannot inject anything.
var flashes = map[string]string{
	"signed-out":              "You are signed out.",
	"claim-created":           "Claim saved: it is pending review.",
	"revision-proposed":       "Revision proposed: it is pending review.",
	"revision-approved":       "Revision approved: it is now the claim's current wording.",
	"revision-rejected":       "Revision rejected.",
	"revision-submitted":      "Draft submitted for review.",
	"note-added":              "Note added.",
	"flag-raised":             "Flag raised.",
	"flag-resolved":           "Flag resolved.",
	"user-created":            "User created.",
	"user-updated":            "User updated; their sessions have ended where their access changed.",
	"sessions-ended":          "The user is signed out everywhere: they must sign in again on every device.",
	"signed-out-everywhere":   "Signed out on every browser and device.",
	"token-revoked":           "Token revoked: it no longer opens anything.",
	"edition-imported":        "Edition imported.",
	"edition-published":       "Edition published: it is final and can no longer be replaced.",
	"source-updated":          "Source updated: every claim citing it shows the change.",
	"claim-assigned":          "Assignment saved.",
	"section-assigned":        "The section's claims are assigned.",
	"marked-read":             "Marked as read.",
	"double-review-requested": "Double review requested: each reviewer grades without seeing the other's grade.",
	"graded":                  "Grade saved. The other grade stays hidden until both are in.",
}

func (s *Server) page(r *http.Request, title string) page {
	p := page{Title: title, User: currentUser(r), Path: r.URL.Path, Flash: flashes[r.URL.Query().Get("msg")], Broken: s.Broken()}
	if err := s.svc.Fault(); err != nil {
		p.Fault = review.ErrorMessage(err)
	}
	if p.User.ID != 0 {
		// A page without its counts is still the page: a failure is logged
		// and the navigation shows none.
		n, err := s.svc.CountNav(r.Context(), p.User)
		if err != nil {
			s.log.Error("nav counts", "user", p.User.Name, "err", err)
		}
		p.Counts = n
	}
	return p
}

// can reports whether the page's user may do action, for showing controls.
func (p page) can(action review.Action) bool {
	return p.User.ID != 0 && !p.ReadOnly && review.Can(p.User.Role, action)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pathID parses the {id} path value; a bad id is a missing record.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, review.Errorf(review.EINVALID, "%q is not a record number: the address needs a whole number from 1.", r.PathValue("id"))
	}
	return id, nil
}

// templComponent lets handlers pass section components around by type.
type templComponent = templ.Component

// noteReplies groups notes by the note they answer (0 for top level).
func noteReplies(notes []review.Note) map[int64][]review.Note {
	shown := make(map[int64]bool, len(notes))
	for _, n := range notes {
		shown[n.ID] = true
	}
	m := map[int64][]review.Note{}
	for _, n := range notes {
		// A reply to a note older than those shown starts a thread.
		parent := n.ParentID
		if !shown[parent] {
			parent = 0
		}
		m[parent] = append(m[parent], n)
	}
	return m
}

// revisionDiff is the word diff of a revision's statement against the
// revision it was based on (or the previous one).
func revisionDiff(revs []review.Revision, i int) []review.DiffOp {
	r := revs[i]
	prev := ""
	for _, p := range revs {
		if p.ID == r.BaseID {
			prev = p.Statement
		}
	}
	if r.BaseID == 0 && i > 0 {
		prev = revs[i-1].Statement
	}
	if prev == "" {
		return nil
	}
	return review.WordDiff(prev, r.Statement)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func pct(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

// pluralCount is "1 thing" or "n things".
// navCount is a navigation count as shown: past review.MaxNavCount,
// "99+".
func navCount(n int) string {
	if n > review.MaxNavCount {
		return strconv.Itoa(review.MaxNavCount) + "+"
	}
	return strconv.Itoa(n)
}

// navCountLabel is navCount for a screen reader: "more than 99 open items".
func navCountLabel(n int, one, many string) string {
	if n > review.MaxNavCount {
		return "more than " + pluralCount(review.MaxNavCount, one, many)
	}
	return pluralCount(n, one, many)
}

func pluralCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
