package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
	"vetted/review"
)

// Admission: at most a few requests compute their answers at once, taken
// in the order they arrived.
//
// Under a load the machine cannot keep up with, Go runs every request's
// goroutine at once and hands the CPU out in no particular order: some
// requests finish at once and others wait several rounds, so the slowest
// percent take two and a half times the median. Taking requests in arrival
// order, a few at a time (one more than there are CPUs, so one can wait on
// the disk while the others compute), keeps the work the same and makes
// the waits even; the mixed load of make bench measured it (PERFORMANCE.md).
//
// A slot covers computing an answer, never moving bytes over the network,
// so a slow or hostile client cannot hold one:
//   - a small request body (a form) is read before the request queues; a
//     large one (an upload) or one that keeps coming is read by the
//     handler without a slot, as is everything after it;
//   - the slot is given back when the handler starts its answer: handlers
//     compute an answer before they send it, so sending it, however
//     slowly it is read, holds no slot (a stream goes on without one).
//
// A request gives its turn back while it waits for something other than
// the CPU (review.Waiting: the writer, a lock, a background check). A
// request that waits longer than Config.AdmissionWait for its turn is
// answered 503 with Retry-After; one whose client leaves stops waiting.

// admittedBody is the largest request body read before a request queues:
// every form but an upload.
const admittedBody = 64 << 10

// DefaultAdmissionWait is Config.AdmissionWait unless set.
const DefaultAdmissionWait = 10 * time.Second

// admission is a first-come-first-served semaphore: a buffered channel,
// whose blocked senders Go wakes in the order they blocked.
type admission struct {
	slots chan struct{}
	wait  time.Duration
}

func newAdmission(n int, wait time.Duration) *admission {
	return &admission{slots: make(chan struct{}, n), wait: wait}
}

// acquire waits for a slot, at most a.wait. It returns false when the wait
// ran out or ctx ended.
func (a *admission) acquire(ctx context.Context) bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (a *admission) release() { <-a.slots }

// withAdmission runs h under admission, except for the health check and
// static files, which must answer at once whatever the load, and for what
// takes turns of its own: sign-ins (hashSlots) and exports (maxExports).
// Otherwise a flood of sign-ins, each waiting for a password check, would
// hold every turn. It runs after the session is read: a form sent by
// someone not signed in is refused by its handler before its body is read,
// as it was before admission.
func (s *Server) withAdmission(h http.Handler) http.Handler {
	if s.admit == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ownTurns(r) || (hasBody(r) && currentUser(r).ID == 0) {
			h.ServeHTTP(w, r)
			return
		}
		// A GET or HEAD takes its turn whatever body it has: its handler
		// never reads one.
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			switch read, err := readBodyFirst(r); {
			case err != nil:
				// The body stopped arriving or was cut off: nothing is
				// computed for it. A read timeout is 408 (Error says nothing
				// was saved), a body over the limit 413.
				var mbe *http.MaxBytesError
				if errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &mbe) {
					s.Error(w, r, err)
				} else {
					s.renderError(w, r.WithContext(context.WithoutCancel(r.Context())), http.StatusBadRequest,
						"The request's body could not be read, so nothing was saved: send it again.")
				}
				return
			case !read:
				h.ServeHTTP(w, r) // an upload, read by its handler without a turn
				return
			}
		}
		if !s.admit.acquire(r.Context()) {
			if r.Context().Err() != nil {
				return // the client left
			}
			w.Header().Set("Retry-After", "1")
			s.renderError(w, r, http.StatusServiceUnavailable, "vetted is busy with other requests: try again in a moment.")
			return
		}
		aw := &admittedWriter{w: w, release: s.admit.release}
		defer aw.done()
		h.ServeHTTP(aw, r.WithContext(review.WithTurn(r.Context(), aw.done)))
	})
}

// ownTurns reports whether r never waits for admission.
func ownTurns(r *http.Request) bool {
	p := r.URL.Path
	return p == "/healthz" || p == "/login" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/export/")
}

func hasBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// readBodyFirst reads r's body into memory when it is at most admittedBody
// bytes, and reports whether it did (or there is none). A larger body is
// left for the handler to read as it came (the bytes read so far, then the
// rest). A read that fails returns its error, for the caller to answer.
func readBodyFirst(r *http.Request) (bool, error) {
	if !hasBody(r) {
		return true, nil
	}
	if r.ContentLength > admittedBody {
		return false, nil
	}
	body := r.Body
	buf, err := io.ReadAll(io.LimitReader(body, admittedBody+1))
	switch {
	case err != nil:
		return false, err // the caller answers it; nothing reads the body again
	case len(buf) > admittedBody:
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), body), body}
		return false, nil
	}
	r.Body = readCloser{bytes.NewReader(buf), body}
	return true, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// admittedWriter gives the request's turn back when the handler starts
// its answer (the first WriteHeader, Write or Flush) or returns, whichever
// is first. Handlers compute an answer before they send it (render
// writes a page into a buffer first), so the turn covers the computing
// and nothing is copied: sending happens after it.
type admittedWriter struct {
	w       http.ResponseWriter
	release func()
	once    sync.Once
}

func (a *admittedWriter) Header() http.Header { return a.w.Header() }

func (a *admittedWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		a.done() // an informational answer (103) comes before the computing ends
	}
	a.w.WriteHeader(code)
}

func (a *admittedWriter) Write(b []byte) (int, error) {
	a.done()
	return a.w.Write(b)
}

func (a *admittedWriter) Flush() {
	a.done()
	if f, ok := a.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (a *admittedWriter) Unwrap() http.ResponseWriter { return a.w }

// done gives the turn back, once.
func (a *admittedWriter) done() { a.once.Do(a.release) }
