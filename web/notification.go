package web

import (
	"net/http"
	"strconv"

	"vetted/review"
)

// maxInbox is how many notifications the inbox shows.
const maxInbox = 200

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionRead)
	if !ok {
		return
	}
	unread := r.URL.Query().Get("unread") == "1"
	ns, err := s.svc.FindNotifications(r.Context(), u, unread, maxInbox)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, inboxPage(s.page(r, "Inbox"), ns, unread))
}

// handleMarkRead marks one notification read ({id}) or all of the user's
// (no {id}). With open=<claim id>, it goes on to that claim, so following
// a notification reads it.
func (s *Server) handleMarkRead(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionRead)
	if !ok {
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.svc.MarkRead(r.Context(), u, id); err != nil {
		s.Error(w, r, err)
		return
	}
	if c, err := strconv.ParseInt(r.PostForm.Get("open"), 10, 64); err == nil && c > 0 && id != 0 {
		redirect(w, r, claimURL(c))
		return
	}
	redirect(w, r, "/notifications?msg=marked-read")
}
