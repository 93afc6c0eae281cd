package web

import (
	"net/http"
	"net/url"
	"strings"

	"vetted/review"
)

// assignees lists the names an editor may assign claims to: enabled
// reviewers and editors, by name.
func (s *Server) assignees(r *http.Request) ([]string, error) {
	us, err := s.svc.ListUsers(r.Context())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, u := range us {
		if review.CheckAssignee(u) == nil {
			names = append(names, u.Name)
		}
	}
	return names, nil
}

// handleAssignClaim assigns one claim (form field assignee, a user name;
// empty unassigns). A bad assignee is shown next to the form.
func (s *Server) handleAssignClaim(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionAssignClaim)
	if !ok {
		return
	}
	_, err := s.svc.Assign(r.Context(), u, review.NewAssignment{ClaimID: id, Assignee: strings.TrimSpace(r.PostForm.Get("assignee"))})
	s.afterClaimChange(w, r, id, err, "claim-assigned", func(v *claimView, msg string) { v.AssignErr = msg }, assignmentSection)
}

// handleAssignSection assigns every claim that appears in a section of an
// edition, from the reader.
func (s *Server) handleAssignSection(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionAssignClaim)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	slug, label := r.PathValue("slug"), r.PathValue("label")
	section := strings.TrimSpace(r.PostForm.Get("section"))
	_, err := s.svc.Assign(r.Context(), u, review.NewAssignment{Report: slug, Edition: label, Section: section,
		Assignee: strings.TrimSpace(r.PostForm.Get("assignee"))})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	redirect(w, r, editionURL(slug, label)+"?msg=section-assigned#claim-list")
}

// workView is the signed-in user's own work.
type workView struct {
	review.Work
}

func (s *Server) handleWork(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionRead)
	if !ok {
		return
	}
	work, err := s.svc.FindWork(r.Context(), u)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, workPage(s.page(r, "My work"), workView{Work: work}))
}

// queueAssignedURL is the queue showing only items on claims assigned to
// name.
func queueAssignedURL(name string) string {
	return "/queue?" + url.Values{"assignee": {name}}.Encode()
}
