package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"vetted/review"
)

// historyPage is the size of a page of the history.
const historyPageSize = 100

// chainCheck remembers how far the stored chain has been verified, so the
// history page checks only what was added since; ?verify=full checks all.
type chainCheck struct {
	mu    sync.Mutex
	head  review.ChainHead
	count int64
}

type historyQuery struct {
	Since, Until, Actor, Action, Claim, Before string
}

type historyView struct {
	Query     historyQuery
	Events    []review.Event
	Head      review.ChainHead
	Verified  bool
	VerifyErr string
	// Pending: a check of the whole history runs in the background and
	// had not finished when the page was made.
	Pending bool
	Full    bool
	Earlier string // URL of the page of earlier events, "" at the first event
	Error   string
}

// parseWhen accepts a date (YYYY-MM-DD), a datetime-local value or RFC 3339.
func parseWhen(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, review.FieldErrorf(field, "%q is not a date or time: use YYYY-MM-DD or RFC 3339.", s)
}

func (q historyQuery) filter() (review.EventFilter, error) {
	var f review.EventFilter
	var err error
	if f.Since, err = parseWhen("since", q.Since); err != nil {
		return f, err
	}
	if f.Until, err = parseWhen("until", q.Until); err != nil {
		return f, err
	}
	if q.Until != "" && len(q.Until) == len(time.DateOnly) {
		f.Until = f.Until.AddDate(0, 0, 1) // a date means through that day
	}
	f.Actor, f.Action = q.Actor, q.Action
	if q.Claim != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(q.Claim, "#"), 10, 64)
		if err != nil || id <= 0 {
			return f, review.FieldErrorf("claim", "Claim %q is not a claim number.", q.Claim)
		}
		f.Claim = id
	}
	if q.Before != "" {
		before, err := strconv.ParseInt(q.Before, 10, 64)
		if err != nil || before <= 0 {
			return f, review.FieldErrorf("before", "%q is not an event number.", q.Before)
		}
		f.Before = before
	}
	return f, nil
}

func (q historyQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"since": q.Since, "until": q.Until, "actor": q.Actor, "action": q.Action, "claim": q.Claim} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionReadHistory); !ok {
		return
	}
	qv := r.URL.Query()
	v := historyView{Query: historyQuery{Since: qv.Get("since"), Until: qv.Get("until"), Actor: qv.Get("actor"),
		Action: qv.Get("action"), Claim: qv.Get("claim"), Before: qv.Get("before")}, Full: qv.Get("verify") == "full"}
	status := http.StatusOK
	f, err := v.Query.filter()
	if err != nil {
		v.Error, status = review.ErrorMessage(err), http.StatusBadRequest
	} else {
		f.Limit, f.Newest = historyPageSize+1, true
		err = s.svc.EachEvent(r.Context(), f, func(e review.Event) error {
			v.Events = append(v.Events, e)
			return nil
		})
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if len(v.Events) > historyPageSize {
			v.Events = v.Events[:historyPageSize]
			earlier := v.Query.values()
			earlier.Set("before", strconv.FormatInt(v.Events[len(v.Events)-1].Seq, 10))
			v.Earlier = "/history?" + earlier.Encode()
		}
	}
	if v.Head, err = s.svc.Head(r.Context()); err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Pending, err = s.verifyChain(r, v.Full); err != nil {
		if review.ErrorCode(err) == review.EINTERNAL && !isVerifyError(err) && s.Broken() == "" {
			s.Error(w, r, err)
			return
		}
		v.VerifyErr = err.Error()
		if why := s.Broken(); why != "" {
			v.VerifyErr = why
		}
	} else if why := s.Broken(); why != "" {
		v.VerifyErr = why
	} else {
		v.Verified = !v.Pending
	}
	s.render(w, r, status, historyPage(s.page(r, "History"), v))
}

func isVerifyError(err error) bool {
	_, ok := err.(*review.VerifyError)
	return ok
}

// historyWait is how long the history page waits for a check of the
// whole history it started (or found running) before it shows the page
// saying the check goes on: a moment, enough for a small history, and
// longer when the whole chain was asked for (?verify=full).
const (
	historyWait     = 250 * time.Millisecond
	historyWaitFull = 2 * time.Second
)

// historyStep bounds the events the page checks itself, after the head the
// last check verified: the writes of a few minutes. Past it, the page
// starts a check in the background instead.
const historyStep = 20_000

// verifyChain says whether the stored chain verifies without checking the
// whole chain on the request: the events after the head the server
// verified last (the background check's, or this page's) are checked
// here, up to historyStep of them; otherwise, or when full, a check of the
// whole history starts in the background and the page waits historyWait
// (historyWaitFull when full) for it. Either way it first checks that the head verified before is
// still stored with the same hash, and that the tree the background check
// verified is still the stored tree's prefix: a past rewritten with every
// hash recomputed verifies as a chain, but not against what the server saw
// before. pending is true when the check goes on after the page.
func (s *Server) verifyChain(r *http.Request, full bool) (pending bool, err error) {
	ctx := r.Context()
	if err := s.checkVerifiedTree(ctx); err != nil {
		return false, err
	}
	if err := s.checkVerifiedHead(ctx); err != nil {
		return false, err
	}
	s.chain.mu.Lock()
	h, count := s.chain.head, s.chain.count
	s.chain.mu.Unlock()
	head, err := s.svc.Head(ctx)
	if err != nil {
		return false, err
	}
	if full || count == 0 || head.Seq-h.Seq > historyStep {
		if s.Broken() != "" {
			return false, nil // nothing more to learn until someone has looked
		}
		in := &s.integrity
		in.mu.Lock()
		failed := in.running == nil && in.lastErr != nil && time.Since(in.lastEnd) < historyRecheck
		lastErr := in.lastErr
		in.mu.Unlock()
		if failed {
			// A check failed a moment ago (the database could not be
			// read, say): say so, without starting another at each visit.
			return false, lastErr
		}
		wait := historyWait
		asked := time.Now()
		if full {
			wait = historyWaitFull
			s.RequestFullCheck()
		}
		deadline := time.After(wait)
		review.Waiting(ctx) // the check runs in the background
		for {
			select {
			case <-s.startHistoryCheck(in.life):
			case <-deadline:
				return true, nil
			case <-ctx.Done():
				return false, ctx.Err()
			}
			// A check already running when the full one was asked for
			// may have gone on from the last event verified: wait for the
			// full one, which it leaves to start next.
			in.mu.Lock()
			done := !full || in.lastErr != nil || !in.lastFull.Before(asked)
			in.mu.Unlock()
			if done {
				break
			}
		}
		in.mu.Lock()
		err := in.lastErr
		in.mu.Unlock()
		return false, err
	}
	s.chain.mu.Lock()
	defer s.chain.mu.Unlock()
	v := review.Verifier{Chain: true, Head: s.chain.head, Count: s.chain.count}
	if err := s.svc.EachEvent(ctx, review.EventFilter{After: s.chain.head.Seq}, v.Add); err != nil {
		return false, err
	}
	s.chain.head, s.chain.count = v.Head, v.Count
	return false, nil
}

// prettyJSON indents an event's before/after for reading.
func prettyJSON(s string) string {
	if s == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(s), "", "  "); err != nil {
		return s
	}
	return buf.String()
}

// entityLink is where an event's entity can be seen, if anywhere.
func entityLink(e review.Event) string {
	switch e.EntityType {
	case "claim":
		return "/claims/" + e.EntityID
	}
	return ""
}

// eventTime shows an event's time to the second; the exact hashed value
// stays in the element's datetime and title.
func eventTime(s string) string {
	t, err := time.Parse(review.TimeFormat, s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04:05 UTC")
}
