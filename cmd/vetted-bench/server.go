package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"vetted"
	"vetted/review"
	"vetted/store"
	"vetted/web"
)

// demoTemplate loads the demo once into dir/demo.db; each measurement
// starts from a copy, so none sees another's writes.
func demoTemplate(ctx context.Context, dir string) (string, error) {
	path := filepath.Join(dir, "demo.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		return "", err
	}
	return path, nil
}

// openCopy opens a fresh copy of the demo template as dir/name.
func openCopy(ctx context.Context, tmpl, dir, name string) (*store.DB, error) {
	src, err := store.Open(ctx, tmpl)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, name)
	err = src.Backup(ctx, path)
	src.Close()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, path)
}

// demoPassword is a demo user's password.
func demoPassword(name string) string {
	for _, u := range store.DemoUsers {
		if u.Name == name {
			return u.Password
		}
	}
	return ""
}

// logWatch is the server's log: it counts error lines and any mention of
// "database is locked", and keeps the first few error lines.
type logWatch struct {
	mu     sync.Mutex
	locked atomic.Int64
	errors atomic.Int64
	first  []string
}

func (l *logWatch) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("database is locked")) {
		l.locked.Add(1)
	}
	if bytes.Contains(p, []byte("level=ERROR")) {
		l.errors.Add(1)
		l.mu.Lock()
		if len(l.first) < 3 {
			l.first = append(l.first, strings.TrimSpace(string(p)))
		}
		l.mu.Unlock()
	}
	return len(p), nil
}

// benchServer is a real vetted server on a loopback port, with a trivial
// handler mounted beside it at /trivial as the baseline.
type benchServer struct {
	URL  string
	Log  *logWatch
	App  *web.Server
	hs   *http.Server
	done chan error
}

// trivial is the baseline handler: no session, no database, no template.
func trivial(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok"))
}

// startServer serves db the way `vetted serve` does: the same web.New, the
// same http.Server timeouts, one structured log line per request (here
// into a logWatch rather than stderr). Requests from the trusted proxies
// name their client in X-Forwarded-For.
func startServer(db *store.DB, trusted ...netip.Prefix) (*benchServer, error) {
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	for _, k := range keys {
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
	}
	lw := &logWatch{}
	log := slog.New(slog.NewTextHandler(lw, nil))
	srv, err := web.New(db, web.Config{SessionKeys: keys, Logger: log, TrustedProxies: trusted})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/trivial", trivial)
	mux.Handle("/", srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	s := &benchServer{URL: "http://" + ln.Addr().String(), Log: lw, App: srv, hs: hs, done: make(chan error, 1)}
	go func() { s.done <- hs.Serve(ln) }()
	return s, nil
}

func (s *benchServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.hs.Shutdown(ctx)
	<-s.done
	s.App.Close()
	return err
}

// newTransport keeps one idle connection per client, so that no request
// pays for a new TCP connection.
func newTransport(clients int) *http.Transport {
	return &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute,
		DisableCompression: true, DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
}

// client is one signed-in user agent: its own session cookie, no redirects
// followed, so each POST's 303 is seen.
type client struct {
	base   string
	hc     *http.Client
	cookie string
	user   string
}

func newClient(base string, tr http.RoundTripper) *client {
	return &client{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in as a demo user and keeps the session cookie.
func (c *client) login(ctx context.Context, name string) error {
	form := url.Values{"username": {name}, "password": {demoPassword(name)}}
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("login %s: status %d, want 303", name, res.StatusCode)
	}
	var parts []string
	for _, ck := range res.Cookies() {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		return fmt.Errorf("login %s: no session cookie", name)
	}
	c.cookie, c.user = strings.Join(parts, "; "), name
	return nil
}

// do sends one request and reads the whole response.
func (c *client) do(ctx context.Context, method, path string, form url.Values, buf *bytes.Buffer) (int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", c.cookie)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(res.Body); err != nil {
		return res.StatusCode, err
	}
	return res.StatusCode, nil
}

// users returns the demo users by name.
func users(ctx context.Context, db *store.DB, names ...string) (map[string]review.User, error) {
	m := map[string]review.User{}
	for _, n := range names {
		u, err := db.FindUserByName(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", n, err)
		}
		m[n] = u
	}
	return m, nil
}

// closedLoop runs clients goroutines, each calling fn back to back until d
// has passed, and returns how long they really ran.
func closedLoop(clients int, d time.Duration, fn func(client int)) time.Duration {
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				fn(i)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}
