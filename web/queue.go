package web

import (
	"net/http"

	"vetted/review"
)

// queueItem is one thing waiting for an editor: a pending revision with its
// claim, or an open flag.
type queueItem struct {
	Revision *review.Revision
	Flag     *review.Flag
	Claim    review.Claim
	Diff     []review.DiffOp // statement change against the base revision
	Blocked  string          // why it cannot be approved yet, if so
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionDecideRev); !ok {
		return
	}
	ctx := r.Context()
	revs, err := s.svc.PendingRevisions(ctx)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	flags, err := s.svc.OpenFlags(ctx)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ids := map[int64]bool{}
	for _, rv := range revs {
		ids[rv.ClaimID] = true
	}
	for _, f := range flags {
		ids[f.ClaimID] = true
	}
	claims := map[int64]review.Claim{}
	if len(ids) > 0 {
		f := review.ClaimFilter{Limit: 500}
		for id := range ids {
			f.IDs = append(f.IDs, id)
		}
		for {
			cs, _, err := s.svc.FindClaims(ctx, f)
			if err != nil {
				s.Error(w, r, err)
				return
			}
			for _, c := range cs {
				claims[c.ID] = c
				f.After = c.ID
			}
			if len(cs) < f.Limit {
				break
			}
		}
	}
	// Oldest first, revisions and flags interleaved by time.
	var items []queueItem
	i, j := 0, 0
	for i < len(revs) || j < len(flags) {
		if j >= len(flags) || (i < len(revs) && !revs[i].CreatedAt.After(flags[j].RaisedAt)) {
			rv := revs[i]
			it := queueItem{Revision: &rv, Claim: claims[rv.ClaimID]}
			if rv.BaseID != 0 {
				if base, err := s.svc.FindRevision(ctx, rv.BaseID); err == nil {
					it.Diff = review.WordDiff(base.Statement, rv.Statement)
				}
			}
			if rv.BaseID != it.Claim.CurrentID {
				it.Blocked = "It builds on a revision that is not approved yet: decide that one first, or reject this."
			}
			items = append(items, it)
			i++
		} else {
			f := flags[j]
			items = append(items, queueItem{Flag: &f, Claim: claims[f.ClaimID]})
			j++
		}
	}
	s.render(w, r, http.StatusOK, queuePage(s.page(r, "Review queue"), items))
}
