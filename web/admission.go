package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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
//   - the answer is kept in memory until the handler returns and sent after
//     the slot is given back; an answer larger than admittedBuffer, or one
//     the handler flushes (a stream), gives the slot back and goes on
//     unbuffered.
//
// A request that waits longer than Config.AdmissionWait is answered 503
// with Retry-After; one whose client leaves stops waiting.

// admittedBody is the largest request body read before a request queues:
// every form but an upload.
const admittedBody = 64 << 10

// admittedBuffer is the largest answer kept until the handler returns; a
// reader page of 3,000 claims is about 1 MiB.
const admittedBuffer = 2 << 20

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
		switch read, err := readBodyFirst(r); {
		case err != nil:
			// The body stopped arriving, and the server ended the request:
			// its handler answers 408 (or 413), and needs its context to.
			h.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
			return
		case !read:
			h.ServeHTTP(w, r)
			return
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
		defer aw.finish()
		h.ServeHTTP(aw, r)
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
// rest); so is one that failed, with its error after the bytes read.
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
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), errorReader{err}), body}
		return false, err
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

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// admittedWriter keeps an admitted request's answer until the handler
// returns (finish), then gives the slot back and sends it. An answer past
// admittedBuffer, or a Flush, gives the slot back at once and sends the
// rest as it comes.
type admittedWriter struct {
	w       http.ResponseWriter
	release func()
	once    sync.Once
	status  int
	buf     bytes.Buffer
	direct  bool // the slot is given back; writes go to w
}

func (a *admittedWriter) Header() http.Header { return a.w.Header() }

func (a *admittedWriter) WriteHeader(code int) {
	if a.direct {
		a.w.WriteHeader(code)
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		a.w.WriteHeader(code) // informational answers go out as they come
		return
	}
	if a.status == 0 {
		a.status = code
	}
}

func (a *admittedWriter) Write(b []byte) (int, error) {
	if a.direct {
		return a.w.Write(b)
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if a.buf.Len()+len(b) <= admittedBuffer {
		return a.buf.Write(b)
	}
	if err := a.goDirect(); err != nil {
		return 0, err
	}
	return a.w.Write(b)
}

// Flush sends what is kept and everything after it as it comes: a handler
// that flushes is streaming.
func (a *admittedWriter) Flush() {
	if err := a.goDirect(); err == nil {
		if f, ok := a.w.(http.Flusher); ok {
			f.Flush()
		}
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (a *admittedWriter) Unwrap() http.ResponseWriter { return a.w }

// goDirect gives the slot back and sends what is kept.
func (a *admittedWriter) goDirect() error {
	if a.direct {
		return nil
	}
	a.direct = true
	a.once.Do(a.release)
	if a.status == 0 {
		return nil
	}
	a.w.WriteHeader(a.status)
	if a.buf.Len() == 0 {
		return nil
	}
	_, err := a.w.Write(a.buf.Bytes())
	a.buf = bytes.Buffer{}
	return err
}

// finish runs when the handler returns, or panics: the slot is given back
// before the kept answer is sent, so a slow reader holds no slot.
func (a *admittedWriter) finish() {
	a.once.Do(a.release)
	if p := recover(); p != nil {
		panic(p) // withLog answers it; nothing kept is sent
	}
	if a.direct {
		return
	}
	h := a.w.Header()
	if a.buf.Len() > 0 && h.Get("Content-Length") == "" && h.Get("Transfer-Encoding") == "" {
		h.Set("Content-Length", strconv.Itoa(a.buf.Len()))
	}
	a.goDirect() // an error is the client gone: there is no one to tell
}
