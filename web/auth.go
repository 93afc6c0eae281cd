package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"vetted/review"
)

const (
	cookieName = "vetted_session"
	sidKey     = "sid"
)

// Throttling of failed sign-ins, counted over throttleWindow.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresName    = 5
	maxFailuresAddress = 20
)

// maxLoginBody bounds a sign-in form: a name, a password and a next path
// fit in far less, and nobody unsigned-in gets to send megabytes.
const maxLoginBody = 8 << 10

// hashWait is how long a sign-in waits for a free password check before
// the server answers 503: each check (argon2id) takes 19 MiB, and at most
// hashSlots run at once.
const hashWait = 2 * time.Second

// withSession puts the signed-in user, if any, in the request's context.
// A cookie that does not decode, or names an ended session, is treated as
// no session at all.
func (s *Server) withSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok, err := s.bearerUser(r)
		if err != nil {
			// A bad or revoked token: JSON on the API, a page elsewhere
			// (docs/API.md: export errors are HTML pages).
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.apiErr(w, r, err)
			} else {
				s.Error(w, r, err)
			}
			return
		}
		if !ok {
			u, ok = s.sessionUser(r)
		}
		if ok {
			if slot, _ := r.Context().Value(ctxUser{}).(*review.User); slot != nil {
				*slot = u
			} else {
				r = r.WithContext(context.WithValue(r.Context(), ctxUser{}, &u))
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) sessionUser(r *http.Request) (review.User, bool) {
	if _, err := r.Cookie(cookieName); err != nil {
		return review.User{}, false
	}
	sess, err := s.cookies.Get(r, cookieName)
	if err != nil {
		return review.User{}, false
	}
	sid, _ := sess.Values[sidKey].(string)
	if sid == "" {
		return review.User{}, false
	}
	u, err := s.svc.FindSession(r.Context(), sid, s.cfg.IdleTimeout, s.cfg.AbsoluteTimeout)
	if err != nil {
		if review.ErrorCode(err) == review.EINTERNAL {
			s.log.Error("session", "err", err)
		}
		return review.User{}, false
	}
	return u, true
}

// currentUser returns the signed-in user, or the zero User.
func currentUser(r *http.Request) review.User {
	if u, ok := r.Context().Value(ctxUser{}).(*review.User); ok && u != nil {
		return *u
	}
	return review.User{}
}

// authorize checks that the signed-in user may perform action. Someone not
// signed in is sent to the sign-in page (GET) or refused (other methods);
// a signed-in user without the role gets a 403 page naming the role needed.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, action review.Action) (review.User, bool) {
	u := currentUser(r)
	if u.ID == 0 {
		if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/api/") && !strings.HasPrefix(r.URL.Path, "/export/") {
			redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
		} else {
			if r.Method == http.MethodGet {
				w.Header().Set("WWW-Authenticate", wwwAuthenticate) // an export, which takes a token
			}
			s.renderError(w, r, http.StatusUnauthorized, "Sign in first: your session has ended or you are not signed in.")
		}
		return u, false
	}
	if err := review.Authorize(u, action); err != nil {
		s.Error(w, r, err)
		return u, false
	}
	return u, true
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	if currentUser(r).ID != 0 {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, loginPage(s.page(r, "Sign in"), loginForm{Next: safeNext(r.URL.Query().Get("next"))}))
}

// handleLogin signs a user in. Each attempt takes its place in the
// throttle (per account and per address) before its password is checked,
// so concurrent guesses cannot pass the limit; password checks run a few
// at a time. The message is the same whether or not the account exists.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLoginBody)
	if err := r.ParseForm(); err != nil {
		status, f := http.StatusBadRequest, loginForm{Next: "/", Error: "The sign-in form was malformed. Reload the page and sign in again."}
		if _, big := errors.AsType[*http.MaxBytesError](err); big {
			status, f.Error = http.StatusRequestEntityTooLarge, "The sign-in form was too large. Reload the page and sign in again."
		} else if errors.Is(err, os.ErrDeadlineExceeded) {
			status, f.Error = http.StatusRequestTimeout, bodyTimeoutMessage
			r = r.WithContext(context.WithoutCancel(r.Context())) // cancelled when the read timed out
		}
		s.render(w, r, status, loginPage(s.page(r, "Sign in"), f))
		return
	}
	f := loginForm{Username: strings.TrimSpace(r.PostForm.Get("username")), Next: safeNext(r.PostForm.Get("next"))}
	if len(f.Username) > 200 {
		f.Username = f.Username[:200] // names are at most 64 characters; failures are counted under this
	}
	password := r.PostForm.Get("password")
	ctx, addr := r.Context(), s.clientAddr(r)
	place, ok, err := s.svc.ReserveLogin(ctx, f.Username, addr, s.cfg.Now().Add(-throttleWindow), maxFailuresName, maxFailuresAddress)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !ok {
		w.Header().Set("Retry-After", "900")
		f.Error = "Too many failed sign-ins. Wait 15 minutes and try again, or ask an admin."
		s.render(w, r, http.StatusTooManyRequests, loginPage(s.page(r, "Sign in"), f))
		return
	}
	if !s.acquireHash(ctx) {
		// Busy is no failure of the user's: give the place back.
		if err := s.svc.ReleaseLogin(context.WithoutCancel(ctx), place); err != nil {
			s.log.Error("release sign-in place", "err", err)
		}
		w.Header().Set("Retry-After", "5")
		f.Error = "The server is busy checking other sign-ins. Try again in a few seconds."
		s.render(w, r, http.StatusServiceUnavailable, loginPage(s.page(r, "Sign in"), f))
		return
	}
	u, err := s.svc.Authenticate(ctx, f.Username, password)
	s.releaseHash()
	if err != nil {
		if review.ErrorCode(err) != review.EFORBIDDEN {
			s.Error(w, r, err)
			return
		}
		s.log.Warn("login failed", "name", f.Username, "addr", addr)
		f.Error = "Wrong user name or password."
		s.render(w, r, http.StatusUnauthorized, loginPage(s.page(r, "Sign in"), f))
		return
	}
	if err := s.svc.ReleaseLogin(ctx, place); err != nil {
		s.Error(w, r, err)
		return
	}
	// A new session id at every sign-in: any id planted before is useless,
	// and a session this browser already had ends.
	if old, err := s.cookies.Get(r, cookieName); err == nil {
		if sid, _ := old.Values[sidKey].(string); sid != "" {
			if err := s.svc.DeleteSession(ctx, sid); err != nil {
				s.Error(w, r, err)
				return
			}
		}
	}
	sid, err := s.svc.CreateSession(ctx, u, addr, r.UserAgent())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	sess, _ := s.cookies.New(r, cookieName)
	sess.Values[sidKey] = sid
	if err := sess.Save(r, w); err != nil {
		s.Error(w, r, err)
		return
	}
	redirect(w, r, f.Next)
}

// acquireHash waits up to hashWait (or the request's end) for one of the
// server's password-check slots.
func (s *Server) acquireHash(ctx context.Context) bool {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case s.hashing <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (s *Server) releaseHash() { <-s.hashing }

// handleLogoutEverywhere ends every session of the signed-in user (other
// browsers, other devices, a session left open somewhere) and clears this
// browser's cookie.
func (s *Server) handleLogoutEverywhere(w http.ResponseWriter, r *http.Request) {
	u := currentUser(r)
	if u.ID == 0 {
		s.renderError(w, r, http.StatusUnauthorized, "Sign in first: your session has ended or you are not signed in.")
		return
	}
	if _, err := s.svc.EndSessions(r.Context(), u, u.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	s.clearCookie(w, r)
	redirect(w, r, "/login?msg=signed-out-everywhere")
}

// clearCookie empties and expires this browser's session cookie.
func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.cookies.Get(r, cookieName); err == nil {
		sess.Options.MaxAge = -1
		sess.Values = map[any]any{}
		_ = sess.Save(r, w)
	}
}

// handleLogout ends the session server-side and clears the cookie.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.cookies.Get(r, cookieName); err == nil {
		if sid, _ := sess.Values[sidKey].(string); sid != "" {
			if err := s.svc.DeleteSession(r.Context(), sid); err != nil {
				s.Error(w, r, err)
				return
			}
		}
	}
	s.clearCookie(w, r)
	redirect(w, r, "/login?msg=signed-out")
}

type loginForm struct {
	Username string
	Next     string
	Error    string
}
