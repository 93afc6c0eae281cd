package web

import (
	"net/http"

	"vetted/review"
)

// sourcesView is the list of sources, all or those whose link is bad.
type sourcesView struct {
	Sources []review.Source
	Bad     bool // only dead, moved, unreachable or refused links
}

// handleSources lists sources with their grade and their link's last
// check; ?status=bad keeps the ones whose link needs looking at.
func (s *Server) handleSources(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	ss, err := s.svc.ListSources(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := sourcesView{Bad: r.URL.Query().Get("status") == "bad"}
	for _, src := range ss {
		if !v.Bad || src.Link.Status.Bad() {
			v.Sources = append(v.Sources, src)
		}
	}
	s.render(w, r, http.StatusOK, sourcesPage(s.page(r, "Sources"), v))
}
