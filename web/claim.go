package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vetted/review"
	"vetted/review/anchor"
)

// claimsPerPage is the page size of the claims list; maxPage keeps the
// offset a sane number whatever page is asked for.
const (
	claimsPerPage = 25
	maxPage       = 1_000_000
)

// claimsQuery is the claims list's filters as typed.
type claimsQuery struct {
	Q, Report, Edition, Section, State, Confidence, Flagged string
	Page                                                    int
}

func readClaimsQuery(q url.Values) claimsQuery {
	page, _ := strconv.Atoi(q.Get("page"))
	page = min(page, maxPage)
	return claimsQuery{Q: strings.TrimSpace(q.Get("q")), Report: q.Get("report"), Edition: q.Get("edition"),
		Section: q.Get("section"), State: q.Get("state"), Confidence: q.Get("confidence"), Flagged: q.Get("flagged"),
		Page: max(page, 1)}
}

// maxReportChoices is how many reports the claims list's report filter
// offers as choices; past it the filter is a text field (and the page
// reads no more reports however many there are).
const maxReportChoices = 20

// filter turns the query into a ClaimFilter; unknown enum values are a 400.
func (q claimsQuery) filter() (review.ClaimFilter, error) {
	f := review.ClaimFilter{Query: q.Q, Report: q.Report, Edition: q.Edition, Section: q.Section,
		Limit: claimsPerPage, Offset: (q.Page - 1) * claimsPerPage, Ranked: true}
	if q.State != "" {
		st, err := review.ParseState(q.State)
		if err != nil {
			return f, err
		}
		f.State = st
	}
	if q.Confidence != "" {
		c, err := review.ParseConfidence(q.Confidence)
		if err != nil {
			return f, err
		}
		f.Confidence = c
	}
	switch q.Flagged {
	case "":
	case "yes":
		t := true
		f.Flagged = &t
	case "no":
		fl := false
		f.Flagged = &fl
	default:
		return f, review.FieldErrorf("flagged", "Flagged must be yes or no.")
	}
	return f, nil
}

// url is the list's address with the same filters on another page.
func (q claimsQuery) url(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": q.Q, "report": q.Report, "edition": q.Edition, "section": q.Section,
		"state": q.State, "confidence": q.Confidence, "flagged": q.Flagged} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/claims"
	}
	return "/claims?" + v.Encode()
}

type claimsResult struct {
	Query  claimsQuery
	Claims []review.Claim
	Total  int
	// Partial: the search looked at only the first review.SearchRows
	// mentions of a common word, so Total counts what was found.
	Partial bool
	// More: Total is a lower bound (review.ClaimPage.More), so there are
	// pages past the last it makes.
	More  bool
	Error string
}

func (r claimsResult) pages() int { return (r.Total + claimsPerPage - 1) / claimsPerPage }

// hasNext reports whether a page follows the one shown.
func (r claimsResult) hasNext() bool { return r.Query.Page < r.pages() || r.More }

func (s *Server) handleClaims(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	q := readClaimsQuery(r.URL.Query())
	res := claimsResult{Query: q}
	status := http.StatusOK
	f, err := q.filter()
	if err == nil {
		var p review.ClaimPage
		p, err = s.svc.FindClaimPage(r.Context(), f)
		res.Claims, res.Total, res.Partial, res.More = p.Claims, p.Total, p.Partial, p.More
	}
	if err != nil {
		if code := review.ErrorCode(err); code != review.EINVALID {
			s.Error(w, r, err)
			return
		}
		res.Error, status = review.ErrorMessage(err), http.StatusBadRequest
	}
	if isHTMX(r) {
		s.render(w, r, status, claimResults(res))
		return
	}
	reports, n, err := s.svc.FindReports(r.Context(), review.ReportFilter{Limit: maxReportChoices})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, status, claimsPage(s.page(r, "Claims"), res, reports, n <= len(reports)))
}

// claimView is everything the claim page shows, with any form that comes
// back with an error.
type claimView struct {
	Claim    review.Claim
	Context  quoteContext
	Suggest  review.Confidence // from the report's hedging, "" if none
	RevForm  revisionForm
	Conflict *conflictView
	NoteErr  string
	FlagErr  string
	FlagForm url.Values
	AsOf     time.Time // zero for now; else the claim as replayed from the history
	AsOfSeq  int64
	// AllRevisions shows every revision; by default a page shows the newest
	// shownRevisions and those still waiting for a decision.
	AllRevisions bool
	// Scores are the Index's scores of the indicator the claim's topic
	// links it to, in every edition; Indicator suggests one when the topic
	// links to none.
	Scores    *indicatorScores
	Indicator string
	// Assignees are the users an editor may assign the claim to; AssignErr
	// why the last assignment was refused.
	Assignees []string
	AssignErr string
	// ResolveErr is why resolving flag ResolveFlag failed, with the form as
	// sent.
	ResolveFlag int64
	ResolveErr  flagFormErr
	// DoubleReviews are the claim's blind double reviews as the viewer may
	// see them (review.DoubleReview.SeenBy); DoubleErr why the last request
	// or grade was refused.
	DoubleReviews []review.DoubleReview
	DoubleErr     string
}

// flagFormErr is a refused resolution of a flag: the message and the form.
type flagFormErr struct {
	Msg  string
	Form url.Values
}

func (v claimView) resolveErr(flag int64) flagFormErr {
	if flag == v.ResolveFlag {
		return v.ResolveErr
	}
	return flagFormErr{}
}

// headline is the revision a claim's page heads with: the approved one,
// the claim's current wording, or while none is approved the latest.
func headline(c review.Claim) review.Revision {
	if c.CurrentID != 0 && c.Current.ID == c.CurrentID {
		return c.Current
	}
	return c.Latest
}

// pendingChange is the change waiting for a decision on an approved claim,
// shown beside its approved wording.
func pendingChange(c review.Claim) (review.Revision, bool) {
	h := headline(c)
	if c.Latest.ID != h.ID && c.Latest.State == review.StatePending {
		return c.Latest, true
	}
	return review.Revision{}, false
}

// shownRevisions is how many of a claim's revisions its page shows before
// "show older": a long-lived claim's history would otherwise be most of the
// page, and most of its cost.
const shownRevisions = 10

// revisionShown reports whether the i-th revision (oldest first) of c is
// on the page: the newest, any that is current or waits for a decision,
// and all when v.AllRevisions.
func (v claimView) revisionShown(i int) bool {
	r, c := v.Claim.Revisions[i], v.Claim
	return v.AllRevisions || i >= len(c.Revisions)-shownRevisions || r.ID == c.CurrentID ||
		r.State == review.StatePending || r.State == review.StateDraft
}

// hiddenRevisions counts the revisions the page leaves out.
func (v claimView) hiddenRevisions() int {
	n := 0
	for i := range v.Claim.Revisions {
		if !v.revisionShown(i) {
			n++
		}
	}
	return n
}

// quoteContext is the quote with some text either side, from its edition.
type quoteContext struct {
	Before, Exact, After string
	Edition              string
}

type conflictView struct {
	Mine    revisionForm
	Current review.Revision
}

// resolvedFlags counts the resolved flags the page lists and the claim's
// resolved flags in all (a claim replayed from the history lists them all).
func (v claimView) resolvedFlags() (shown, total int) {
	shown = len(v.Claim.AllFlags) - len(v.Claim.Flags)
	return shown, max(shown, v.Claim.ResolvedTotal)
}

func (s *Server) loadClaimView(r *http.Request, id int64) (claimView, error) {
	// The page shows the newest notes and resolved flags, and all of
	// either when its link asks (?notes=all, ?flags=all).
	q := r.URL.Query()
	w := review.ClaimPageWindow
	if q.Get("notes") == "all" {
		w.Notes = 0
	}
	if q.Get("flags") == "all" {
		w.OpenFlags, w.ResolvedFlags = 0, 0
	}
	c, err := s.svc.FindClaimShown(r.Context(), id, w)
	if err != nil {
		return claimView{}, err
	}
	v := claimView{Claim: c}
	ds, err := s.svc.FindDoubleReviews(r.Context(), id)
	if err != nil {
		return claimView{}, err
	}
	for _, d := range ds {
		v.DoubleReviews = append(v.DoubleReviews, d.SeenBy(currentUser(r)))
	}
	if review.Can(currentUser(r).Role, review.ActionAssignClaim) {
		if v.Assignees, err = s.assignees(r); err != nil {
			return claimView{}, err
		}
	}
	if app := c.Anchor; app.Edition != "" && app.Match != review.OutcomeMissing {
		ed, err := s.svc.FindEdition(r.Context(), c.Report, app.Edition)
		if err != nil {
			return claimView{}, err
		}
		v.Context = contextAround(ed.Doc.Text, app.Start, app.End, 240)
		v.Context.Edition = app.Edition
		if sug, ok := review.SuggestConfidence(app.Hedges); ok && c.Latest.Confidence.Rank() > sug.Rank() {
			v.Suggest = sug
		}
	}
	if in, ok := review.IndicatorOf(c.Latest.Topic); ok {
		vs, err := s.svc.ReportScores(r.Context(), c.Report)
		if err != nil {
			return claimView{}, err
		}
		if is := scoresOf(review.NewScoreTable(vs), in.Name, s.cfg.ScoreThreshold); len(is.Scores) > 0 {
			v.Scores = &is
		}
	} else if in, ok := review.SuggestIndicator(c.Anchor.Section, c.Anchor.Exact); ok {
		v.Indicator = in.Name
	}
	base := baseRevision(c)
	v.RevForm = revisionForm{Statement: base.Statement, Topic: base.Topic, Confidence: string(base.Confidence),
		Hedge: base.Hedge, Base: itoa(base.ID)}
	return v, nil
}

// baseRevision is the revision a new proposal starts from: the claim's head
// (its latest pending or approved revision), never a rejected revision or
// someone's draft. With no head, the form starts from the latest wording
// and base 0.
func baseRevision(c review.Claim) review.Revision {
	head := review.Head(c.Revisions)
	for _, r := range c.Revisions {
		if r.ID == head {
			return r
		}
	}
	r := c.Latest
	r.ID, r.Evidence = 0, nil
	return r
}

// contextAround cuts up to n bytes either side of [start,end), on rune
// boundaries and at word breaks.
func contextAround(text string, start, end, n int) quoteContext {
	if start < 0 || end > len(text) || start > end {
		return quoteContext{}
	}
	from := max(start-n, 0)
	for from > 0 && from < start && (text[from]&0xC0) == 0x80 {
		from++
	}
	if i := strings.IndexAny(text[from:start], " \n"); from > 0 && i >= 0 {
		from += i + 1
	}
	to := min(end+n, len(text))
	for to < len(text) && to > end && (text[to]&0xC0) == 0x80 {
		to--
	}
	if i := strings.LastIndexAny(text[end:to], " \n"); to < len(text) && i >= 0 {
		to = end + i
	}
	return quoteContext{Before: text[from:start], Exact: text[start:end], After: text[end:to]}
}

func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if asOf := r.URL.Query().Get("as_of"); asOf != "" {
		s.handleClaimAsOf(w, r, id, asOf)
		return
	}
	// The version is read before the claim, so a page is never kept under
	// a version newer than what it shows.
	ver, err := s.svc.ClaimVersion(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	u := currentUser(r)
	p := s.page(r, fmt.Sprintf("Claim %d", id))
	key := pageKey{claim: id, user: u.ID, role: u.Role, nav: p.Counts}
	// A query string (a flash message) makes a page of its own, and a
	// database fault or a failed history check a banner: those are not
	// kept.
	cache := r.URL.RawQuery == "" && ver.Claim != 0 && s.svc.Fault() == nil && s.Broken() == ""
	if cache && s.pages.serve(w, r, key, ver) {
		return
	}
	v, err := s.loadClaimView(r, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.AllRevisions = r.URL.Query().Get("revisions") == "all"
	page := claimPage(p, v)
	if cache {
		s.pages.render(s, w, r, key, ver, page)
		return
	}
	s.render(w, r, http.StatusOK, page)
}

// handleClaimAsOf shows the claim exactly as it stood at a time, replayed
// from the history: "what did we say on that date".
func (s *Server) handleClaimAsOf(w http.ResponseWriter, r *http.Request, id int64, asOf string) {
	t, err := parseWhen("as_of", asOf)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if len(asOf) == len(time.DateOnly) {
		t = t.AddDate(0, 0, 1).Add(-time.Microsecond) // a date means the end of that day
	}
	st, err := s.svc.ClaimAsOf(r.Context(), id, t)
	if review.ErrorCode(err) == review.ENOTFOUND {
		// A claim that exists now but not yet then: say so, with the ways
		// on, rather than a bare "not found".
		if c, ferr := s.svc.FindClaim(r.Context(), id); ferr == nil {
			p := s.page(r, fmt.Sprintf("Claim %d did not exist yet", id))
			s.render(w, r, http.StatusNotFound, claimNotYetPage(p, c, t))
			return
		}
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := claimView{Claim: st.Claim, AsOf: t, AsOfSeq: st.Seq}
	if app := st.Anchor; app.Edition != "" && app.Match != review.OutcomeMissing {
		if ed, err := s.svc.FindEdition(r.Context(), st.Report, app.Edition); err == nil {
			v.Context = contextAround(ed.Doc.Text, app.Start, app.End, 240)
			v.Context.Edition = app.Edition
		}
	}
	p := s.page(r, fmt.Sprintf("Claim %d as of %s", id, t.Format(time.RFC3339)))
	p.ReadOnly = true
	s.render(w, r, http.StatusOK, claimPage(p, v))
}

// handleCreateClaim makes a claim from the reader's form. On a bad form the
// form comes back with what was typed and the message by the field.
func (s *Server) handleCreateClaim(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionCreateClaim)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	f := readClaimForm(r.PostForm)
	n, err := decodeClaimForm(f)
	if err == nil {
		var c review.Claim
		c, err = s.svc.CreateClaim(r.Context(), u, n)
		if err == nil {
			to := fmt.Sprintf("/claims/%d?msg=claim-created", c.ID)
			if isHTMX(r) {
				// htmx would follow a 303 inside its request and swap the
				// whole claim page into the form: have it load the page.
				w.Header().Set("HX-Redirect", to)
				w.WriteHeader(http.StatusNoContent)
				return
			}
			redirect(w, r, to)
			return
		}
	}
	status := http.StatusBadRequest
	var de *review.DuplicateError
	if errors.As(err, &de) {
		// Shown at the form with the claims linked; a second submit with
		// the box ticked saves it.
		status, f.Duplicates = http.StatusConflict, de.Claims
	} else if code := review.ErrorCode(err); code != review.EINVALID && code != review.ENOTFOUND {
		s.Error(w, r, err)
		return
	}
	f.Error, f.Field = review.ErrorMessage(err), review.ErrorField(err)
	if isHTMX(r) {
		// app.js swaps a form that comes back with 400, whatever the
		// reason: a duplicate too.
		s.render(w, r, http.StatusBadRequest, newClaimForm(f))
		return
	}
	s.render(w, r, status, newClaimPage(s.page(r, "New claim"), f))
}

func (s *Server) handleProposeRevision(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionProposeRev)
	if !ok {
		return
	}
	f := readRevisionForm(r.PostForm)
	v, err := s.loadClaimView(r, id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	n, err := decodeRevisionForm(id, f)
	if err == nil {
		n.Draft = r.PostForm.Get("draft") == "yes"
		if _, err = s.svc.ProposeRevision(r.Context(), u, n); err == nil {
			redirect(w, r, fmt.Sprintf("/claims/%d?msg=revision-proposed", id))
			return
		}
	}
	var ce *review.ConflictError
	switch {
	case errors.As(err, &ce):
		s.renderConflict(w, r, id, f, ce)
	case review.ErrorCode(err) == review.EINVALID:
		f.Error, f.Field = review.ErrorMessage(err), review.ErrorField(err)
		v.RevForm = f
		s.render(w, r, http.StatusBadRequest, claimPage(s.page(r, fmt.Sprintf("Claim %d", id)), v))
	default:
		s.Error(w, r, err)
	}
}

func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionAddNote)
	if !ok {
		return
	}
	n, err := decodeNoteForm(id, r.PostForm)
	if err == nil {
		_, err = s.svc.AddNote(r.Context(), u, n)
	}
	s.afterClaimChange(w, r, id, err, "note-added", func(v *claimView, msg string) { v.NoteErr = msg }, notesSection)
}

func (s *Server) handleRaiseFlag(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionRaiseFlag)
	if !ok {
		return
	}
	n, err := decodeFlagForm(id, r.PostForm)
	if err == nil {
		_, err = s.svc.RaiseFlag(r.Context(), u, n)
	}
	form := r.PostForm
	s.afterClaimChange(w, r, id, err, "flag-raised", func(v *claimView, msg string) { v.FlagErr, v.FlagForm = msg, form }, flagsSection)
}

func (s *Server) handleResolveFlag(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionResolveFlag)
	if !ok {
		return
	}
	var err error
	if r.PostForm.Get("action") == "reanchor" && strings.TrimSpace(r.PostForm.Get("quote")) != "" {
		err = s.spanOfQuote(r, id)
	}
	var n review.FlagResolution
	if err == nil {
		n, err = decodeResolveForm(id, r.PostForm)
	}
	var f review.Flag
	if err == nil {
		f, err = s.svc.ResolveFlag(r.Context(), u, n)
	}
	if review.ErrorCode(err) == review.EINVALID {
		s.resolveFailed(w, r, id, err)
		return
	} else if err != nil {
		s.Error(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, resolvedFlag(f))
		return
	}
	redirect(w, r, backTo(r, fmt.Sprintf("/claims/%d", f.ClaimID))+"msg=flag-resolved")
}

// resolveFailed answers a refused resolution of flag id: the message at its
// form, with what was typed (the flag's item for htmx, else the claim page,
// which opens at the flag through the form's fragment).
func (s *Server) resolveFailed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	fl, ferr := s.svc.FindFlag(r.Context(), id)
	if ferr != nil {
		s.Error(w, r, err)
		return
	}
	fe := flagFormErr{Msg: review.ErrorMessage(err), Form: r.PostForm}
	p := s.page(r, fmt.Sprintf("Claim %d", fl.ClaimID))
	if isHTMX(r) {
		s.render(w, r, http.StatusBadRequest, flagItemForm(p, fl, fe))
		return
	}
	v, lerr := s.loadClaimView(r, fl.ClaimID)
	if lerr != nil {
		s.Error(w, r, lerr)
		return
	}
	v.ResolveFlag, v.ResolveErr = id, fe
	s.render(w, r, http.StatusBadRequest, claimPage(p, v))
}

// spanOfQuote turns the quote an editor pasted to re-anchor a missing claim
// into the span the store takes: it is found in the given edition, or the
// one the claim went missing in.
func (s *Server) spanOfQuote(r *http.Request, flagID int64) error {
	ctx := r.Context()
	f, err := s.svc.FindFlag(ctx, flagID)
	if err != nil {
		return err
	}
	c, err := s.svc.FindClaim(ctx, f.ClaimID)
	if err != nil {
		return err
	}
	label := strings.TrimSpace(r.PostForm.Get("edition"))
	if label == "" {
		label = c.Anchor.Edition
	}
	ed, err := s.svc.FindEdition(ctx, c.Report, label)
	if err != nil {
		return err
	}
	a, err := anchor.Locate(ed.Doc, r.PostForm.Get("quote"), r.PostForm.Get("prefix"), r.PostForm.Get("suffix"))
	if err != nil {
		return err
	}
	r.PostForm.Set("edition", ed.Label)
	r.PostForm.Set("start", strconv.Itoa(a.Start))
	r.PostForm.Set("end", strconv.Itoa(a.End))
	return nil
}

// handleDecide approves or rejects a revision (four-eyes is the domain's).
func (s *Server) handleDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, id, ok := s.recordForm(w, r, review.ActionDecideRev)
		if !ok {
			return
		}
		rev, err := s.svc.DecideRevision(r.Context(), u, id, approve, strings.TrimSpace(r.PostForm.Get("reason")))
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, decidedRevision(rev))
			return
		}
		msg := "revision-rejected"
		if approve {
			msg = "revision-approved"
		}
		redirect(w, r, backTo(r, fmt.Sprintf("/claims/%d", rev.ClaimID))+"msg="+msg)
	}
}

func (s *Server) handleSubmitRevision(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionProposeRev)
	if !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	rev, err := s.svc.SubmitRevision(r.Context(), u, id)
	var ce *review.ConflictError
	switch {
	case errors.As(err, &ce):
		// The claim moved on since the draft: show both, and offer the
		// draft's text as a proposal on top of the current revision.
		draft, ferr := s.svc.FindRevision(r.Context(), id)
		if ferr != nil {
			s.Error(w, r, ferr)
			return
		}
		mine := revisionForm{Statement: draft.Statement, Topic: draft.Topic, Confidence: string(draft.Confidence),
			Hedge: draft.Hedge, Reason: draft.Reason}
		s.renderConflict(w, r, draft.ClaimID, mine, ce)
		return
	case err != nil:
		s.Error(w, r, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/claims/%d?msg=revision-submitted", rev.ClaimID))
}

// renderConflict answers 409 with the claim page showing the user's
// version beside the current one, and the form ready to save theirs again
// on top of the current revision; nothing of theirs is lost.
func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, claimID int64, mine revisionForm, ce *review.ConflictError) {
	v, err := s.loadClaimView(r, claimID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	cur, err := s.svc.FindRevision(r.Context(), ce.Head)
	if err != nil && ce.Head != 0 {
		s.Error(w, r, err)
		return
	}
	v.Conflict = &conflictView{Mine: mine, Current: cur}
	mine.Base, mine.Error = itoa(ce.Head), review.ErrorMessage(ce)
	v.RevForm = mine
	s.render(w, r, http.StatusConflict, claimPage(s.page(r, fmt.Sprintf("Claim %d: conflict", claimID)), v))
}

// backTo returns the form's "back" field when it is a path on this site
// (the queue sends its own address), else def; ready for a query to follow.
func backTo(r *http.Request, def string) string {
	to := def
	if b := r.PostForm.Get("back"); b != "" && safeNext(b) == b {
		to = b
	}
	if strings.Contains(to, "?") {
		return to + "&"
	}
	return to + "?"
}

// afterClaimChange answers a small form on the claim page: htmx gets the
// re-rendered section, a plain form a redirect; a user error re-renders
// the page (or section) with the message by the form.
func (s *Server) afterClaimChange(w http.ResponseWriter, r *http.Request, id int64, err error, msg string,
	setErr func(*claimView, string), section func(page, claimView) templComponent) {
	if err != nil && review.ErrorCode(err) != review.EINVALID {
		s.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
	} else if !isHTMX(r) {
		redirect(w, r, fmt.Sprintf("/claims/%d?msg=%s", id, msg))
		return
	}
	v, lerr := s.loadClaimView(r, id)
	if lerr != nil {
		s.Error(w, r, lerr)
		return
	}
	if err != nil {
		setErr(&v, review.ErrorMessage(err))
	}
	p := s.page(r, fmt.Sprintf("Claim %d", id))
	if isHTMX(r) {
		// htmx swaps 400 responses too (see app.js), so the message shows
		// by the form.
		s.render(w, r, status, section(p, v))
		return
	}
	s.render(w, r, status, claimPage(p, v))
}
