package web

import (
	"context"
	"errors"
	"net/http"
	"os"

	"vetted/review"
)

// statusOf maps review's error codes onto HTTP statuses, in one place.
var statusOf = map[string]int{
	review.EINVALID:     http.StatusBadRequest,
	review.ENOTFOUND:    http.StatusNotFound,
	review.EFORBIDDEN:   http.StatusForbidden,
	review.ECONFLICT:    http.StatusConflict,
	review.EINTERNAL:    http.StatusInternalServerError,
	review.EUNAVAILABLE: http.StatusServiceUnavailable,
}

// Error answers with the page (or fragment) for err. Internal errors are
// logged and shown without detail.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "The request is larger than this server accepts.")
		return
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The server cancelled the request when the read timed out; the
		// answer is still written.
		s.renderError(w, r.WithContext(context.WithoutCancel(r.Context())), http.StatusRequestTimeout, bodyTimeoutMessage)
		return
	}
	code := review.ErrorCode(err)
	if err == nil {
		code = review.EINTERNAL // a caller's bug; never a blank status
	}
	status := statusOf[code]
	if code == review.EUNAVAILABLE {
		w.Header().Set("Retry-After", "5")
	}
	if code == review.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.renderError(w, r, status, review.ErrorMessage(err))
}

// bodyTimeoutMessage answers a request whose body stopped arriving before
// the server's read timeout.
const bodyTimeoutMessage = "The request's body stopped arriving before it was complete, so nothing was saved. Send it again."

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if isHTMX(r) {
		// htmx swaps only 2xx by default; the app's script shows this text
		// in the page's message area instead.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(msg))
		return
	}
	s.render(w, r, status, errorPage(s.page(r, http.StatusText(status)), status, msg, r.Method == http.MethodPost))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "There is no page at this address.")
}
