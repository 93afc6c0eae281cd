package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"vetted/review"
)

// The read-only JSON API. Clients authenticate with the session cookie or
// with "Authorization: Bearer TOKEN" (tokens are made by an admin). Errors
// are {"error": {"code", "message"}}.

// apiMaxLimit bounds a page of the API.
const apiMaxLimit = 200

type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	var b apiErrorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func (s *Server) apiErr(w http.ResponseWriter, r *http.Request, err error) {
	code := review.ErrorCode(err)
	if code == review.EINTERNAL {
		s.log.Error("api", "path", r.URL.Path, "err", err)
	}
	if code == review.EUNAVAILABLE {
		w.Header().Set("Retry-After", "5")
	}
	s.apiError(w, r, statusOf[code], code, review.ErrorMessage(err))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// apiUser authenticates an API request by its session or bearer token and
// checks action.
func (s *Server) apiUser(w http.ResponseWriter, r *http.Request, action review.Action) (review.User, bool) {
	u := currentUser(r)
	if u.ID == 0 {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
		s.apiError(w, r, http.StatusUnauthorized, "unauthorized", "Sign in, or send an API token as Authorization: Bearer TOKEN.")
		return u, false
	}
	if err := review.Authorize(u, action); err != nil {
		s.apiErr(w, r, err)
		return u, false
	}
	return u, true
}

// tokenPath reports whether an API token is read on a GET to path: the
// API, the exports, and an edition's text (the source of every annotation
// in the Web Annotation export, which a tool holding a token fetches).
func tokenPath(path string) bool {
	if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/export/") {
		return true
	}
	// /reports/{slug}/editions/{label}/text
	parts := strings.Split(path, "/")
	return len(parts) == 6 && parts[0] == "" && parts[1] == "reports" && parts[3] == "editions" && parts[5] == "text"
}

// wwwAuthenticate is the challenge of a 401 on the paths that take a
// token: RFC 7235 3.1 requires one, RFC 6750 3 gives its form.
const wwwAuthenticate = `Bearer realm="vetted"`

// bearerUser resolves "Authorization: Bearer" on GET requests to the
// paths tokenPath names; elsewhere a token is ignored, so it never
// authorises a state change.
func (s *Server) bearerUser(r *http.Request) (review.User, bool, error) {
	h := r.Header.Get("Authorization")
	if h == "" || r.Method != http.MethodGet || !tokenPath(r.URL.Path) {
		return review.User{}, false, nil
	}
	tok, ok := bearerToken(h)
	if !ok {
		return review.User{}, false, review.Errorf(review.EFORBIDDEN, "Send the token as Authorization: Bearer TOKEN.")
	}
	u, err := s.svc.UserByToken(r.Context(), tok)
	if err != nil {
		return review.User{}, false, err
	}
	return u, true, nil
}

// bearerToken reads the token of an Authorization header in the Bearer
// scheme. The scheme's name is case-insensitive (RFC 7235 2.1: "bearer",
// "BEARER") and one or more spaces follow it (RFC 7235 2.1, RFC 6750
// 2.1); the token is the rest, without surrounding spaces.
func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.Trim(tok, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.Contains(tok, " ") {
		return "", false
	}
	return tok, true
}

type apiClaims struct {
	Claims []review.Claim `json:"claims"`
	Total  int            `json:"total"`
	// Partial is true when a search (q=) looked at only the first
	// review.SearchRows index entries of a common word: Total then counts
	// the claims found there, not every match.
	Partial bool `json:"partial,omitempty"`
	// More is true when Total is a lower bound: a filter no kept count
	// answers is counted only up to review.CountLimit claims.
	More bool `json:"more,omitempty"`
	// Next is the cursor of the following page ("" on the last): pass it as
	// after=. Claims are ordered by id, so walking the pages while claims
	// are added neither repeats nor skips one.
	Next string `json:"next"`
}

func apiLimit(r *http.Request, def int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > apiMaxLimit {
		return 0, review.FieldErrorf("limit", "limit must be a number from 1 to %d.", apiMaxLimit)
	}
	return n, nil
}

func (s *Server) handleAPIClaims(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiUser(w, r, review.ActionRead); !ok {
		return
	}
	q := readClaimsQuery(r.URL.Query())
	f, err := q.filter()
	if err != nil {
		s.apiErr(w, r, err)
		return
	}
	f.Offset, f.Ranked = 0, false
	if f.Limit, err = apiLimit(r, 50); err != nil {
		s.apiErr(w, r, err)
		return
	}
	if a := r.URL.Query().Get("after"); a != "" {
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil || f.After < 0 {
			s.apiErr(w, r, review.FieldErrorf("after", "after must be the cursor of a previous page."))
			return
		}
	}
	p, err := s.svc.FindClaimPage(r.Context(), f)
	if err != nil {
		s.apiErr(w, r, err)
		return
	}
	out := apiClaims{Claims: p.Claims, Total: p.Total, Partial: p.Partial, More: p.More}
	if out.Claims == nil {
		out.Claims = []review.Claim{}
	}
	if len(p.Claims) == f.Limit {
		out.Next = strconv.FormatInt(p.Claims[len(p.Claims)-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIClaim(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiUser(w, r, review.ActionRead); !ok {
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.apiErr(w, r, err)
		return
	}
	c, err := s.svc.FindClaim(r.Context(), id)
	if err != nil {
		s.apiErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

type apiHistory struct {
	Events []review.Event `json:"events"`
	Next   string         `json:"next"` // the seq to pass as after=, "" at the head
}

func (s *Server) handleAPIHistory(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiUser(w, r, review.ActionReadHistory); !ok {
		return
	}
	var f review.EventFilter
	var err error
	if a := r.URL.Query().Get("after"); a != "" {
		if f.After, err = strconv.ParseInt(a, 10, 64); err != nil || f.After < 0 {
			s.apiErr(w, r, review.FieldErrorf("after", "after must be a sequence number."))
			return
		}
	}
	if f.Limit, err = apiLimit(r, 100); err != nil {
		s.apiErr(w, r, err)
		return
	}
	out := apiHistory{Events: []review.Event{}}
	if err := s.svc.EachEvent(r.Context(), f, func(e review.Event) error {
		out.Events = append(out.Events, e)
		return nil
	}); err != nil {
		s.apiErr(w, r, err)
		return
	}
	if len(out.Events) == f.Limit {
		out.Next = strconv.FormatInt(out.Events[len(out.Events)-1].Seq, 10)
	}
	writeJSON(w, http.StatusOK, out)
}
