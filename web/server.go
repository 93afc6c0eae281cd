// Package web is the only package that speaks HTTP: routes, handlers,
// middleware, templ components and the embedded static files. It reaches
// the data only through review.Services.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"golang.org/x/mod/sumdb/note"

	"vetted/review"
)

// Config is how the server is set up.
type Config struct {
	// SessionKeys are gorilla/securecookie key pairs (hash key, block key,
	// …): the first pair signs new cookies, the others still decode old
	// ones, so keys rotate without signing everyone out.
	SessionKeys [][]byte
	// SecureCookies marks cookies Secure and sends HSTS: set it behind TLS.
	SecureCookies bool
	// IdleTimeout and AbsoluteTimeout end sessions; zero means 30 minutes
	// and 12 hours.
	IdleTimeout, AbsoluteTimeout time.Duration
	// Organisation names who runs this vetted, for exports.
	Organisation string
	// OrganisationURL is the organisation's web address, the url of the
	// ClaimReview author; default: the base URL.
	OrganisationURL string
	// BaseURL is the public address of this vetted (https://vetted.example.org),
	// for ids in JSON-LD exports; default: the request's host.
	BaseURL string
	// TrustedProxies are the reverse proxies (a bare address is a /32 or
	// /128) whose X-Forwarded-For names the client: the sign-in throttle
	// and the request log then count the client, not the proxy. A request
	// from any other address is taken at its connecting address and its
	// X-Forwarded-For ignored, since a client can write that header itself.
	TrustedProxies []netip.Prefix
	// ScoreThreshold is how far a score must move between editions to be
	// marked as moved (and its unchanged claims queued, which the store
	// does); zero means review.DefaultScoreThreshold.
	ScoreThreshold review.Score
	// CheckpointSigner, when set, signs the C2SP checkpoints the server
	// publishes at /checkpoint (RunCheckpoints).
	CheckpointSigner note.Signer
	Logger           *slog.Logger
	// FullHistoryCheckEvery is how often the background history check
	// (RunHistoryChecks) checks the whole history and the records against
	// it (0: every 24 hours, and always first); the checks between go on
	// from the last event verified.
	FullHistoryCheckEvery time.Duration
	// MaxActive is how many requests compute their answers at once, the
	// rest waiting their turn in arrival order (admission.go): 0 means one
	// more than GOMAXPROCS, a negative number no limit.
	MaxActive int
	// AdmissionWait is the longest a request waits for its turn before it
	// is answered 503 (0: DefaultAdmissionWait).
	AdmissionWait time.Duration
	// Now is the clock, for tests.
	Now func() time.Time
}

// Server serves the vetted web app.
type Server struct {
	svc       review.Services
	cfg       Config
	cookies   *sessions.CookieStore
	fragments *fragmentCache
	log       *slog.Logger
	handler   http.Handler
	chain     chainCheck
	publish   publisher
	integrity integrity
	pages     *pageCache
	exports   chan struct{} // slots for running exports (maxExports)
	// cop is the cross-origin protection of every state change; the
	// history exports, which record who took them, ask it too.
	cop     *http.CrossOriginProtection
	hashing chan struct{} // slots for password checks (hashSlots)
	admit   *admission    // nil: no limit (admission.go)
	// sentences keeps editions' sentences for the reader (edition.go).
	sentences sentenceCache
}

// hashSlots is how many password checks (argon2id, 19 MiB each) run at
// once: as many as there are CPUs to run them, at least two and at most
// eight, so that their memory stays under 160 MiB on any machine.
var hashSlots = min(8, max(2, runtime.GOMAXPROCS(0)))

// New builds a server over svc.
func New(svc review.Services, cfg Config) (*Server, error) {
	if len(cfg.SessionKeys) == 0 || len(cfg.SessionKeys)%2 != 0 {
		return nil, errors.New("web: session keys come in pairs (hash key, block key)")
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 12 * time.Hour
	}
	if cfg.ScoreThreshold == 0 {
		cfg.ScoreThreshold = review.DefaultScoreThreshold
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.FullHistoryCheckEvery <= 0 {
		cfg.FullHistoryCheckEvery = 24 * time.Hour
	}
	if cfg.Organisation == "" {
		cfg.Organisation = "vetted"
	}
	// A copy, so normalising does not write to the caller's slice.
	cfg.TrustedProxies = slices.Clone(cfg.TrustedProxies)
	for i, p := range cfg.TrustedProxies {
		if !p.IsValid() {
			return nil, fmt.Errorf("web: trusted proxy %d (%v) is not a valid prefix", i, p)
		}
		// Addresses are unmapped before the check, and an IPv4-mapped
		// prefix contains no unmapped address: make it the IPv4 prefix.
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		cfg.TrustedProxies[i] = p.Masked()
	}
	cs := cookieStore(cfg)
	s := &Server{svc: svc, cfg: cfg, cookies: cs, log: cfg.Logger, pages: newPageCache(32 << 20), fragments: newFragmentCache(16 << 20),
		exports: make(chan struct{}, maxExports), hashing: make(chan struct{}, hashSlots)}
	if cfg.MaxActive == 0 {
		cfg.MaxActive = runtime.GOMAXPROCS(0) + 1
	}
	if cfg.AdmissionWait <= 0 {
		cfg.AdmissionWait = DefaultAdmissionWait
	}
	if cfg.MaxActive > 0 {
		s.admit = newAdmission(cfg.MaxActive, cfg.AdmissionWait)
	}
	s.cfg = cfg
	s.publish.signer, s.publish.kick = cfg.CheckpointSigner, make(chan struct{}, 1)
	s.integrity.life, s.integrity.stopLife = context.WithCancel(context.Background())
	s.handler = s.middleware(s.routes())
	return s, nil
}

// cookieStore is the session cookie's codec: it holds only the session id.
func cookieStore(cfg Config) *sessions.CookieStore {
	cs := sessions.NewCookieStore(cfg.SessionKeys...)
	// MaxAge on the store, not only on Options: it also bounds what the
	// securecookie codecs accept.
	cs.MaxAge(int(cfg.AbsoluteTimeout / time.Second))
	for _, c := range cs.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.SetSerializer(sidSerializer{})
		}
	}
	cs.Options.Path = "/"
	cs.Options.HttpOnly = true
	cs.Options.Secure = cfg.SecureCookies
	cs.Options.SameSite = http.SameSiteLaxMode
	return cs
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// MaxBody bounds every request body; imports are the largest.
const MaxBody = review.MaxEditionBytes + 64<<10

// middleware wraps the routes, outermost first: logging and panic
// recovery, security headers with a fresh CSP nonce, the body limit,
// cross-origin protection for every state change, the session, and
// admission (admission.go).
func (s *Server) middleware(h http.Handler) http.Handler {
	h = s.withIntegrity(h)
	h = s.withAdmission(h)
	h = s.withSession(h)
	s.cop = http.NewCrossOriginProtection()
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "This request came from another site, so it was refused. Go back to vetted and try again from its own page.")
	}))
	h = s.cop.Handler(h)
	h = s.withHeaders(h)
	return s.withLog(h)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withLog writes one structured line per request and turns a panic into a
// 500 that is logged with its stack.
func (s *Server) withLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		// withSession fills this slot, so the log line can name the user.
		who := new(review.User)
		r = r.WithContext(context.WithValue(r.Context(), ctxUser{}, who))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "Internal error.", http.StatusInternalServerError)
				}
			}
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
				"ms", float64(time.Since(start).Microseconds())/1000, "user", who.Name, "addr", s.clientAddr(r))
		}()
		h.ServeHTTP(sw, r)
	})
}

// withHeaders sets the security headers, with a per-request nonce in the
// Content-Security-Policy that the layout puts on its script tags.
func (s *Server) withHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := newNonce()
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self'; img-src 'self' data:; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if s.cfg.SecureCookies {
			hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		}
		h.ServeHTTP(w, r.WithContext(templ.WithNonce(r.Context(), nonce)))
	})
}

func newNonce() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// render writes a component into a buffer first, so an error never sends
// half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := c.Render(r.Context(), buf); err != nil {
		s.log.Error("render", "path", r.URL.Path, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	writeHTMLHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderBuffers are the buffers pages and kept fragments are rendered
// into before they are sent or kept: a page is tens of kilobytes, and
// growing a new buffer to that size for every page was a quarter of the
// reader's allocations and a fifth of the mixed load's.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxKeptRenderBuffer is the largest buffer put back in renderBuffers: a
// rare huge page does not keep its memory.
const maxKeptRenderBuffer = 1 << 20

func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > maxKeptRenderBuffer {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// isHTMX reports whether htmx made the request, so a handler answers with a
// fragment instead of a page or a redirect.
func isHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true"
}

// redirect sends the browser to url after a POST (303 See Other).
func redirect(w http.ResponseWriter, r *http.Request, url string) {
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site. Browsers drop tabs
// and newlines from a URL and read a backslash as "/", so "/\t/evil.example"
// would leave the site: any control character or backslash is refused.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	return next
}

// ctxUser keys the signed-in user in a request's context.
type ctxUser struct{}
