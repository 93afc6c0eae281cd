package web

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"vetted"

	"vetted/review"
	"vetted/store"
)

// admissionServer serves h behind the server's logging and admission,
// with n slots and the given wait, over a real (empty) database. Requests
// are signed in as rey unless they carry the header X-Signed-Out.
func admissionServer(t *testing.T, n int, wait time.Duration, h http.Handler) *httptest.Server {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "vetted.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(db, Config{SessionKeys: [][]byte{make([]byte, 64), make([]byte, 32)}, MaxActive: n, AdmissionWait: wait,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// Every request is rey's, unless it says X-Signed-Out.
	signedIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Signed-Out") == "" {
			r = r.WithContext(context.WithValue(r.Context(), ctxUser{}, &review.User{ID: 2, Name: "rey", Role: review.RoleReviewer}))
		}
		s.withAdmission(h).ServeHTTP(w, r)
	})
	ts := httptest.NewServer(s.withLog(s.withHeaders(signedIn)))
	t.Cleanup(ts.Close)
	return ts
}

// rawRequest opens a connection and sends req as is, reading nothing.
func rawRequest(t *testing.T, ts *httptest.Server, req string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	return c
}

// getWithin GETs u and fails the test unless it is answered want within d.
func getWithin(t *testing.T, u string, want int, d time.Duration) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", u, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", u, res.StatusCode, want)
	}
	return res
}

// TestAdmissionOrder: with one slot, never more than one handler runs, and
// requests are let in in the order they arrived.
func TestAdmissionOrder(t *testing.T) {
	var running, most atomic.Int32
	var mu sync.Mutex
	var order []string
	gate := make(chan struct{})
	ts := admissionServer(t, 1, time.Minute, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := running.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		mu.Lock()
		order = append(order, r.URL.Query().Get("n"))
		mu.Unlock()
		if r.URL.Query().Get("hold") != "" {
			<-gate
		}
		// The turn ends at the answer's first byte: the next handler may
		// start while this one is still writing, so it stops counting
		// itself first.
		running.Add(-1)
		fmt.Fprint(w, "ok")
	}))
	// One request holds the slot; eight more queue one after another.
	var wg sync.WaitGroup
	get := func(q string) {
		defer wg.Done()
		getWithin(t, ts.URL+"/?"+q, 200, 10*time.Second)
	}
	wg.Add(1)
	go get("n=a&hold=1")
	waitFor(t, func() bool { return running.Load() == 1 })
	for i := range 8 {
		wg.Add(1)
		go get(fmt.Sprintf("n=%d", i))
		time.Sleep(20 * time.Millisecond) // each is queued before the next comes
	}
	close(gate)
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d handlers ran at once, want 1", most.Load())
	}
	if got := strings.Join(order[1:], ""); got != "01234567" {
		t.Errorf("queued requests were let in in the order %s, want 01234567", got)
	}
}

// TestAdmissionSlowClients: a client that sends its body slowly, or does
// not read its answer, holds no slot.
func TestAdmissionSlowClients(t *testing.T) {
	page := strings.Repeat("a claim and its quote ", 50000) // 1.1 MB: more than a socket buffer holds
	ts := admissionServer(t, 1, 2*time.Second, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			r.ParseForm()
		}
		io.WriteString(w, page)
	}))

	t.Run("a body that does not come", func(t *testing.T) {
		for _, who := range []string{"", "X-Signed-Out: 1\r\n"} {
			rawRequest(t, ts, "POST / HTTP/1.1\r\nHost: x\r\n"+who+"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nbody=ten")
		}
		time.Sleep(50 * time.Millisecond)
		getWithin(t, ts.URL+"/", 200, 5*time.Second)
	})
	t.Run("an answer nobody reads", func(t *testing.T) {
		for range 3 {
			rawRequest(t, ts, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		}
		time.Sleep(50 * time.Millisecond)
		getWithin(t, ts.URL+"/", 200, 5*time.Second)
	})
}

// TestAdmissionBusy: a request that waits longer than the admission wait
// is answered 503 with Retry-After and a sentence; one whose client leaves
// gives its place up.
func TestAdmissionBusy(t *testing.T) {
	gate := make(chan struct{})
	var served atomic.Int32
	ts := admissionServer(t, 1, 100*time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		if r.URL.Path == "/hold" {
			<-gate
		}
		fmt.Fprint(w, "ok")
	}))
	done := make(chan struct{})
	go func() {
		defer close(done)
		getWithin(t, ts.URL+"/hold", 200, 10*time.Second)
	}()
	waitFor(t, func() bool { return served.Load() == 1 })
	// What takes turns of its own does not wait for these.
	for _, u := range []string{"/healthz", "/static/app.css", "/export/history.jsonl"} {
		getWithin(t, ts.URL+u, 200, 5*time.Second)
	}
	if res, err := http.PostForm(ts.URL+"/login", url.Values{"name": {"rey"}}); err != nil || res.StatusCode != 200 {
		t.Fatalf("a sign-in waited for a turn: %v %v", res, err)
	}
	served.Add(-4)
	res, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(body), "try again in a moment") {
		t.Errorf("a request past the wait: %d, Retry-After %q, %q", res.StatusCode, res.Header.Get("Retry-After"), firstLine(string(body)))
	}
	close(gate)
	<-done
	getWithin(t, ts.URL+"/", 200, 5*time.Second)
	if served.Load() != 2 {
		t.Errorf("%d requests reached the handler, want 2 (the one refused must not)", served.Load())
	}
}

// TestAdmissionAnswers: what goes through admission arrives as the handler
// wrote it (status, headers, body); a handler that has started its answer
// holds no turn while it sends the rest; one that panics is answered 500
// and gives its turn back.
func TestAdmissionAnswers(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	second := make(chan struct{})
	ts := admissionServer(t, 1, 5*time.Second, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/claims/3?msg=note-added", http.StatusSeeOther)
		case "/missing":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "no such claim")
		case "/big":
			io.WriteString(w, big[:1000])
			<-second // the slot is free: another request runs before this one ends
			io.WriteString(w, big[1000:])
		case "/second":
			close(second)
			io.WriteString(w, "second")
		case "/panic":
			panic("a bug")
		}
	}))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(ts.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/claims/3?msg=note-added" {
		t.Errorf("redirect: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, err = client.Get(ts.URL + "/missing")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 404 || string(body) != "no such claim" || res.ContentLength != int64(len(body)) {
		t.Errorf("404: %d, %q, Content-Length %d", res.StatusCode, body, res.ContentLength)
	}

	done := make(chan string, 1)
	go func() {
		res, err := client.Get(ts.URL + "/big")
		if err != nil {
			done <- err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		done <- fmt.Sprintf("%d bytes", len(b))
	}()
	getWithin(t, ts.URL+"/second", 200, 5*time.Second)
	if got, want := <-done, fmt.Sprintf("%d bytes", len(big)); got != want {
		t.Errorf("a large answer: %s, want %s", got, want)
	}

	c := rawRequest(t, ts, "GET /panic HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err = http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	if res.StatusCode != 500 {
		t.Errorf("a handler that panicked: %d, %q", res.StatusCode, firstLine(string(body)))
	}
	getWithin(t, ts.URL+"/missing", 404, 5*time.Second) // the panic gave its slot back
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 5*time.Second {
			t.Fatal("timed out waiting")
		}
	}
}

// firstLine is s up to its first line break, for messages.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// TestAdmissionCutBodies: a body cut off before its end is answered at
// once, without running the handler; a GET's body, read or not, does not
// let it skip the line.
func TestAdmissionCutBodies(t *testing.T) {
	var served atomic.Int32
	ts := admissionServer(t, 1, 100*time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		fmt.Fprint(w, "ok")
	}))
	c := rawRequest(t, ts, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nbody")
	c.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusBadRequest || served.Load() != 0 {
		t.Errorf("a body cut off: %d, the handler ran %d times; want 400 and never", res.StatusCode, served.Load())
	}

	gate := make(chan struct{})
	hold := admissionServer(t, 1, 100*time.Millisecond, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			<-gate
		}
		fmt.Fprint(w, "ok")
	}))
	defer close(gate)
	go http.Get(hold.URL + "/hold")
	time.Sleep(50 * time.Millisecond)
	body := strings.Repeat("x", 2*admittedBody)
	req, _ := http.NewRequest("GET", hold.URL+"/", strings.NewReader(body))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a GET with a large body while every turn is taken: %d, want 503", res.StatusCode)
	}
}

// TestAdmissionWriterWait: a write waiting for the database's write lock
// (here another program's) gives its turn back, so pages go on meanwhile.
func TestAdmissionWriterWait(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vetted.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		t.Fatal(err)
	}
	db.WriteWait = 3 * time.Second
	s, err := New(db, Config{SessionKeys: [][]byte{make([]byte, 64), make([]byte, 32)}, MaxActive: 2,
		AdmissionWait: 10 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	var password string
	for _, u := range store.DemoUsers {
		if u.Name == "rey" {
			password = u.Password
		}
	}
	if res, err := c.PostForm(ts.URL+"/login", url.Values{"username": {"rey"}, "password": {password}}); err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v, %v", res, err)
	}
	// Another program holds the write lock.
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 2 { // as many writes as there are turns
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.PostForm(fmt.Sprintf("%s/claims/%d/notes", ts.URL, i+1), url.Values{"body": {"Written once the lock is free."}})
			if err == nil {
				res.Body.Close()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond) // both writes are waiting for the lock
	start := time.Now()
	res, err := c.Get(ts.URL + "/claims/7")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || time.Since(start) > time.Second {
		t.Errorf("a page while writes wait for the lock: %d after %v, want 200 at once", res.StatusCode, time.Since(start))
	}
	conn.ExecContext(ctx, "ROLLBACK")
	conn.Close()
	wg.Wait()
}
