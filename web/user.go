package web

import (
	"net/http"
	"strconv"
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
	s.renderUsersWith(w, r, status, f, nil)
}

func (s *Server) renderUsersWith(w http.ResponseWriter, r *http.Request, status int, f userForm, nt *newToken) {
	us, err := s.svc.ListUsers(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	ts, err := s.svc.ListTokens(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, status, usersPage(s.page(r, "Users"), us, ts, f, nt))
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
	u, id, ok := s.recordForm(w, r, review.ActionManageUsers)
	if !ok {
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

// handleEndSessions signs a user out everywhere, for an admin: a lost
// laptop, a password that got out.
func (s *Server) handleEndSessions(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionManageUsers)
	if !ok {
		return
	}
	if _, err := s.svc.EndSessions(r.Context(), u, id); err != nil {
		s.Error(w, r, err)
		return
	}
	if id == u.ID {
		s.clearCookie(w, r)
		redirect(w, r, "/login?msg=signed-out-everywhere")
		return
	}
	redirect(w, r, "/admin/users?msg=sessions-ended")
}

// handleCreateToken makes an API token and shows its secret this once.
func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionManageTokens)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
	if err != nil || id <= 0 {
		s.Error(w, r, review.FieldErrorf("user", "Choose the user the token acts as."))
		return
	}
	t, secret, err := s.svc.CreateToken(r.Context(), u, id, strings.TrimSpace(r.PostForm.Get("label")))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.renderUsersWith(w, r, http.StatusOK, userForm{Role: string(review.RoleReviewer)}, &newToken{Token: t, Secret: secret})
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionManageTokens)
	if !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.svc.RevokeToken(r.Context(), u, id); err != nil {
		s.Error(w, r, err)
		return
	}
	redirect(w, r, "/admin/users?msg=token-revoked")
}

// newToken is a token just made, with the secret shown once.
type newToken struct {
	Token  review.Token
	Secret string
}
