package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vetted/review"
)

// queueItem is one queue entry as the page shows it.
type queueItem struct {
	review.QueueItem
	Diff    []review.DiffOp // statement change against the base revision
	Blocked string          // why it cannot be approved yet, if so
}

// queueView is one page of the queue with its filter.
type queueView struct {
	Filter review.QueueFilter
	Items  []queueItem
	Total  int
	// Here is this page's address (decisions come back to it), Next and
	// Prev the next and previous pages', First the first page's under the
	// same filter ("" when there is none).
	Here, Next, Prev, First string
	Error                   string
}

// queueFilter reads a queue filter from a URL query.
func queueFilter(q url.Values) (review.QueueFilter, error) {
	f := review.QueueFilter{
		Kind:    review.QueueKind(strings.TrimSpace(q.Get("kind"))),
		Report:  strings.TrimSpace(q.Get("report")),
		Edition: strings.TrimSpace(q.Get("edition")),
		Section: strings.TrimSpace(q.Get("section")),
		Author:  strings.TrimSpace(q.Get("author")),
		// Assignee: items on claims assigned to that user ("assigned to me").
		Assignee: strings.TrimSpace(q.Get("assignee")),
	}
	after, err := review.ParseQueueCursor(q.Get("after"))
	if err != nil {
		return f, err
	}
	before, err := review.ParseQueueCursor(q.Get("before"))
	if err != nil {
		return f, err
	}
	f.After, f.Before = after, before
	return f, f.Validate()
}

// queueURL is the queue's address for f's filter, starting after after or
// ending before before (either may be zero).
func queueURL(f review.QueueFilter, after, before review.QueueCursor) string {
	q := url.Values{}
	for k, v := range map[string]string{"kind": string(f.Kind), "report": f.Report, "edition": f.Edition,
		"section": f.Section, "author": f.Author, "assignee": f.Assignee, "after": after.String(), "before": before.String()} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return "/queue"
	}
	return "/queue?" + q.Encode()
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionDecideRev); !ok {
		return
	}
	f, err := queueFilter(r.URL.Query())
	if err != nil {
		s.render(w, r, http.StatusBadRequest, queuePage(s.page(r, "Review queue"), queueView{Filter: f, Here: "/queue", Error: review.ErrorMessage(err)}))
		return
	}
	res, err := s.svc.FindQueue(r.Context(), f)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var none review.QueueCursor
	v := queueView{Filter: f, Total: res.Total, Here: queueURL(f, f.After, f.Before)}
	if res.Total == 0 {
		v.Error = s.unknownFilterName(r, f)
	}
	if !res.Next.IsZero() {
		v.Next = queueURL(f, res.Next, none)
	}
	if !res.Prev.IsZero() {
		v.Prev = queueURL(f, none, res.Prev)
		v.First = queueURL(f, none, none)
	}
	for _, it := range res.Items {
		qi := queueItem{QueueItem: it}
		if rv := it.Revision; rv != nil {
			if it.Base != nil {
				qi.Diff = review.WordDiff(it.Base.Statement, rv.Statement)
			}
			if rv.BaseID != it.Claim.CurrentID {
				qi.Blocked = "It builds on a revision that is not approved yet: decide that one first, or reject this."
			}
		}
		v.Items = append(v.Items, qi)
	}
	s.render(w, r, http.StatusOK, queuePage(s.page(r, "Review queue"), v))
}

// unknownFilterName says which name an empty queue's filter gave that
// matches nothing at all (a report or a user that does not exist), so an
// empty page is not taken for an empty queue; "" when the names exist.
func (s *Server) unknownFilterName(r *http.Request, f review.QueueFilter) string {
	ctx := r.Context()
	if f.Report != "" {
		if _, err := s.svc.FindReport(ctx, f.Report); review.ErrorCode(err) == review.ENOTFOUND {
			return "There is no report " + strconv.Quote(f.Report) + ": check the report's slug (its address, as in /reports/azerbaijan)."
		}
	}
	for _, name := range []string{f.Author, f.Assignee} {
		if name == "" {
			continue
		}
		if _, err := s.svc.FindUserByName(ctx, name); review.ErrorCode(err) == review.ENOTFOUND {
			return "There is no user " + strconv.Quote(name) + ": check the name."
		}
	}
	return ""
}
