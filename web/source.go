package web

import (
	"net/http"
	"strings"

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

// handleUpdateSource regrades a source or attaches an archived copy from
// the sources page; the change reaches every claim citing the source.
func (s *Server) handleUpdateSource(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionGradeSource)
	if !ok {
		return
	}
	var upd review.SourceUpdate
	upd.Reason = strings.TrimSpace(r.PostForm.Get("reason"))
	src, err := s.svc.FindSource(r.Context(), id)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if g := r.PostForm.Get("reliability"); g != "" && g != src.Reliability {
		upd.Reliability = &g
	}
	if a := strings.TrimSpace(r.PostForm.Get("archive_url")); a != src.ArchiveURL && r.PostForm.Has("archive_url") {
		upd.ArchiveURL = &a
	}
	if _, err := s.svc.UpdateSource(r.Context(), u, id, upd); err != nil {
		s.Error(w, r, err)
		return
	}
	redirect(w, r, "/sources?msg=source-updated")
}
