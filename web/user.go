package web

import (
	"net/http"
	"strings"

	"vetted/review"
)

type userForm struct {
	Name, Role, Error, Field string
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionManageUsers); !ok {
		return
	}
	s.renderUsers(w, r, http.StatusOK, userForm{Role: string(review.RoleReviewer)})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, f userForm) {
	us, err := s.svc.ListUsers(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, status, usersPage(s.page(r, "Users"), us, f))
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionManageUsers)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	f := userForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Role: r.PostForm.Get("role")}
	role, err := review.ParseRole(f.Role)
	if err == nil {
		_, err = s.svc.CreateUser(r.Context(), u, f.Name, role, r.PostForm.Get("password"))
	}
	if err != nil {
		if review.ErrorCode(err) != review.EINVALID {
			s.Error(w, r, err)
			return
		}
		f.Error, f.Field = review.ErrorMessage(err), review.ErrorField(err)
		s.renderUsers(w, r, http.StatusBadRequest, f)
		return
	}
	redirect(w, r, "/admin/users?msg=user-created")
}

// handleUpdateUser changes one user's role or disabled state; a change of
// either ends that user's sessions at once.
func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionManageUsers)
	if !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	var upd review.UserUpdate
	if v := r.PostForm.Get("role"); v != "" {
		role, err := review.ParseRole(v)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		upd.Role = &role
	}
	switch r.PostForm.Get("disabled") {
	case "":
	case "yes":
		t := true
		upd.Disabled = &t
	case "no":
		f := false
		upd.Disabled = &f
	default:
		s.Error(w, r, review.FieldErrorf("disabled", "Disabled must be yes or no."))
		return
	}
	if upd == (review.UserUpdate{}) {
		s.Error(w, r, review.Errorf(review.EINVALID, "Nothing to change: choose a role or enable/disable."))
		return
	}
	if _, err := s.svc.UpdateUser(r.Context(), u, id, upd); err != nil {
		s.Error(w, r, err)
		return
	}
	redirect(w, r, "/admin/users?msg=user-updated")
}
