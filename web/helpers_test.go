package web_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"vetted"
	"vetted/store"
	"vetted/web"
)

// testServer is a real server over a real SQLite file loaded with the demo.
type testServer struct {
	*httptest.Server
	DB  *store.DB
	App *web.Server
}

// MustServer starts a server on a fresh demo database.
func MustServer(tb testing.TB) *testServer {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		tb.Fatal(err)
	}
	return serverOver(tb, db)
}

// serverOver starts a server over db.
func serverOver(tb testing.TB, db *store.DB) *testServer {
	tb.Helper()
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	for _, k := range keys {
		if _, err := rand.Read(k); err != nil {
			tb.Fatal(err)
		}
	}
	ts := &testServer{DB: db}
	srv, err := web.New(db, web.Config{SessionKeys: keys, Logger: discardLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	ts.Server, ts.App = httptest.NewServer(srv), srv
	tb.Cleanup(ts.Close)
	return ts
}

// Client returns an HTTP client with its own cookie jar that does not
// follow redirects, so tests see each 303.
func (ts *testServer) Client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// demoPasswords are the demo users' passwords (store.DemoUsers).
func demoPassword(name string) string {
	for _, u := range store.DemoUsers {
		if u.Name == name {
			return u.Password
		}
	}
	return ""
}

// Login signs a demo user in and returns their client.
func (ts *testServer) Login(tb testing.TB, name string) *http.Client {
	tb.Helper()
	c := ts.Client()
	res, err := c.PostForm(ts.URL+"/login", url.Values{"username": {name}, "password": {demoPassword(name)}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("login %s: status %d, want 303", name, res.StatusCode)
	}
	return c
}

// Get fetches a path and returns status and body.
func Get(tb testing.TB, c *http.Client, u string) (int, string) {
	tb.Helper()
	res, err := c.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Post submits a form and returns status, Location and body.
func Post(tb testing.TB, c *http.Client, u string, form url.Values) (int, string, string) {
	tb.Helper()
	res, err := c.Post(u, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
