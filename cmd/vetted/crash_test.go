package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vetted/review"
	"vetted/store"
)

// TestCrashSafety runs the real `vetted serve` binary, has clients write
// notes, flags and revisions, SIGKILLs the server in the middle of the load
// and restarts it on the same database, three times over. Then every write
// the server acknowledged (303) must be there, nothing half-written may be
// visible (each note, flag and revision with its history event and the
// other way round, each claim's latest revision present), and the exported
// history must verify.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "vetted")
	start := time.Now()
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built the binary in %.1fs", time.Since(start).Seconds())
	dbPath := filepath.Join(dir, "vetted.db")
	keys := filepath.Join(dir, "keys")
	acks := &crashAcks{}

	var clients []*crashClient
	var claims []int64
	for round := 1; round <= 3; round++ {
		srv := crashStart(t, bin, dbPath, keys, round)
		if round == 1 {
			// Sessions live in the database and the keys in their file, so
			// these sign-ins outlast every restart.
			for i := 0; i < 8; i++ {
				c := &crashClient{id: i, base: srv.url, hc: crashHTTP()}
				c.login(t, []string{"rey", "eda", "ed"}[i%3])
				clients = append(clients, c)
			}
			claims = clients[0].claimIDs(t)
		}
		for _, c := range clients {
			c.base = srv.url
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.write(ctx, claims, acks, round)
			}()
		}
		// Kill after 300 ms of load, and not before this round's first
		// acknowledged write, so that each kill lands among writes.
		before := acks.count()
		time.Sleep(300 * time.Millisecond)
		for wait := time.Now().Add(5 * time.Second); acks.count() == before && time.Now().Before(wait); {
			time.Sleep(10 * time.Millisecond)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		cancel()
		wg.Wait()
		t.Logf("round %d: killed at %.1fs with %d writes acknowledged so far", round, time.Since(start).Seconds(), acks.count())
	}
	if acks.count() == 0 {
		t.Fatal("no write was acknowledged before the kills: the test proved nothing")
	}

	// Restart once more: the server must come up on what the last kill left,
	// and show an acknowledged write; then stop it cleanly.
	srv := crashStart(t, bin, dbPath, keys, 4)
	if n := len(acks.notes); n > 0 {
		last := acks.notes[n-1]
		if page := clients[0].get(t, srv.url, fmt.Sprintf("/claims/%d", last.claim)); !strings.Contains(page, last.text) {
			t.Errorf("after the restart the claim %d page does not show acknowledged note %q", last.claim, last.text)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Errorf("server did not stop cleanly on SIGTERM: %v\n%s", err, srv.log())
	}

	crashCheckStore(t, dbPath, claims, acks)

	export := filepath.Join(dir, "history.jsonl")
	out, err := exec.Command(bin, "export", "--db", dbPath, "--format", "jsonl").Output()
	if err != nil {
		t.Fatalf("vetted export: %v", err)
	}
	if err := os.WriteFile(export, out, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "verify", export).CombinedOutput(); err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("vetted verify: %v\n%s", err, out)
	}
}

// crashServer is one run of the binary.
type crashServer struct {
	cmd     *exec.Cmd
	url     string
	logPath string
}

func (s *crashServer) log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// crashStart starts `vetted serve --demo` on a free loopback port and waits
// for /healthz.
func crashStart(t *testing.T, bin, dbPath, keys string, round int) *crashServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logPath := filepath.Join(filepath.Dir(dbPath), fmt.Sprintf("serve-%d.log", round))
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", "--db", dbPath, "--addr", addr, "--demo", "--session-key-file", keys)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &crashServer{cmd: cmd, url: "http://" + addr, logPath: logPath}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("round %d: server did not become healthy: %v\n%s", round, err, s.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func crashHTTP() *http.Client {
	return &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// crashAck is one write the server acknowledged.
type crashAck struct {
	claim int64
	text  string // the note's body, the flag's reason, the revision's statement
}

type crashAcks struct {
	mu                     sync.Mutex
	notes, flags, revision []crashAck
}

func (a *crashAcks) add(kind string, ack crashAck) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch kind {
	case "note":
		a.notes = append(a.notes, ack)
	case "flag":
		a.flags = append(a.flags, ack)
	default:
		a.revision = append(a.revision, ack)
	}
}

func (a *crashAcks) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.notes) + len(a.flags) + len(a.revision)
}

// crashClient is one signed-in user writing.
type crashClient struct {
	id     int
	base   string
	hc     *http.Client
	cookie string
}

func (c *crashClient) login(t *testing.T, name string) {
	t.Helper()
	var pw string
	for _, u := range store.DemoUsers {
		if u.Name == name {
			pw = u.Password
		}
	}
	res, err := c.hc.PostForm(c.base+"/login", url.Values{"username": {name}, "password": {pw}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d", name, res.StatusCode)
	}
	for _, ck := range res.Cookies() {
		c.cookie = ck.Name + "=" + ck.Value
	}
}

func (c *crashClient) do(ctx context.Context, method, path string, form url.Values) (int, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return 0, "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Cookie", c.cookie)
	res, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

func (c *crashClient) get(t *testing.T, base, path string) string {
	t.Helper()
	c.base = base
	st, body, err := c.do(context.Background(), "GET", path, nil)
	if err != nil || st != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, st, err)
	}
	return body
}

// claimIDs lists the demo claims through the JSON API.
func (c *crashClient) claimIDs(t *testing.T) []int64 {
	t.Helper()
	var page struct {
		Claims []struct {
			ID int64 `json:"id"`
		} `json:"claims"`
	}
	if err := json.Unmarshal([]byte(c.get(t, c.base, "/api/claims?limit=200")), &page); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, cl := range page.Claims {
		ids = append(ids, cl.ID)
	}
	if len(ids) == 0 {
		t.Fatal("the demo has no claims")
	}
	return ids
}

var crashBase = regexp.MustCompile(`name="base" value="(\d+)"`)

// write posts notes, flags and revisions with unique texts until ctx ends
// or the server dies, recording each write acknowledged with a 303.
func (c *crashClient) write(ctx context.Context, claims []int64, acks *crashAcks, round int) {
	rng := rand.New(rand.NewPCG(uint64(c.id), uint64(round)))
	for n := 0; ctx.Err() == nil; n++ {
		claim := claims[rng.IntN(len(claims))]
		tag := fmt.Sprintf("crash r%d c%d n%d", round, c.id, n)
		var kind string
		var form url.Values
		switch n % 3 {
		case 0:
			kind, form = "note", url.Values{"body": {"Note " + tag}}
		case 1:
			kind, form = "flag", url.Values{"kind": {"other"}, "reason": {"Flag " + tag}}
		default:
			st, page, err := c.do(ctx, "GET", fmt.Sprintf("/claims/%d", claim), nil)
			if err != nil {
				return // the server is gone
			}
			m := crashBase.FindStringSubmatch(page)
			if st != http.StatusOK || m == nil {
				continue
			}
			kind, form = "revision", url.Values{"base": {m[1]}, "statement": {"Statement " + tag}, "confidence": {"low"},
				"reason": {"Crash test."}}
		}
		st, _, err := c.do(ctx, "POST", fmt.Sprintf("/claims/%d/%ss", claim, kind), form)
		if err != nil {
			return
		}
		if st == http.StatusSeeOther {
			text := form.Get("body") + form.Get("reason")
			if kind == "revision" {
				text = form.Get("statement")
			}
			acks.add(kind, crashAck{claim: claim, text: text})
		}
	}
}

// crashCheckStore opens the database the server left and checks every
// acknowledged write and that nothing is half-written.
func crashCheckStore(t *testing.T, dbPath string, claimIDs []int64, acks *crashAcks) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Fatalf("stored history does not verify: %v", err)
	}
	events := map[string]map[string]bool{} // action → entity ids
	if err := db.EachEvent(ctx, review.EventFilter{}, func(e review.Event) error {
		if events[e.Action] == nil {
			events[e.Action] = map[string]bool{}
		}
		events[e.Action][e.EntityID] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	notes, flags, statements := map[string]bool{}, map[string]bool{}, map[string]bool{}
	nNotes, nFlags := 0, 0
	for _, cid := range claimIDs {
		c, err := db.FindClaim(ctx, cid)
		if err != nil {
			t.Fatalf("claim %d: %v", cid, err)
		}
		revs := map[int64]review.Revision{}
		unproposed := 0
		for _, r := range c.Revisions {
			revs[r.ID] = r
			statements[r.Statement] = true
			if !events["revision.proposed"][id(r.ID)] {
				unproposed++
			}
		}
		if unproposed != 1 {
			t.Errorf("claim %d: %d revisions without a revision.proposed event, want 1 (its first)", cid, unproposed)
		}
		if _, ok := revs[c.Latest.ID]; !ok || c.Latest.ID == 0 {
			t.Errorf("claim %d: latest revision %d is not among its revisions", cid, c.Latest.ID)
		}
		if c.CurrentID != 0 && revs[c.CurrentID].State != review.StateApproved {
			t.Errorf("claim %d: current revision %d is not an approved revision of it", cid, c.CurrentID)
		}
		for _, n := range c.Notes {
			notes[n.Body] = true
			nNotes++
			if !events["note.added"][id(n.ID)] {
				t.Errorf("note %d on claim %d has no note.added event", n.ID, cid)
			}
		}
		for _, f := range c.AllFlags {
			flags[f.Reason] = true
			nFlags++
			if !events["flag.raised"][id(f.ID)] {
				t.Errorf("flag %d on claim %d has no flag.raised event", f.ID, cid)
			}
		}
	}
	// And the other way round: no event for a row that is not there.
	if got := len(events["note.added"]); got != nNotes {
		t.Errorf("%d note.added events, %d notes", got, nNotes)
	}
	if got := len(events["flag.raised"]); got != nFlags {
		t.Errorf("%d flag.raised events, %d flags", got, nFlags)
	}
	for rid := range events["revision.proposed"] {
		n, _ := strconv.ParseInt(rid, 10, 64)
		if _, err := db.FindRevision(ctx, n); err != nil {
			t.Errorf("revision.proposed event for revision %s, which cannot be read: %v", rid, err)
		}
	}
	missing := 0
	check := func(kind string, list []crashAck, have map[string]bool) {
		for _, a := range list {
			if !have[a.text] {
				missing++
				if missing <= 5 {
					t.Errorf("acknowledged %s %q on claim %d is missing", kind, a.text, a.claim)
				}
			}
		}
	}
	check("note", acks.notes, notes)
	check("flag", acks.flags, flags)
	check("revision", acks.revision, statements)
	if missing > 0 {
		t.Errorf("%d acknowledged writes missing in all", missing)
	}
	t.Logf("checked %d acknowledged notes, %d flags, %d revisions; %d notes and %d flags in all",
		len(acks.notes), len(acks.flags), len(acks.revision), nNotes, nFlags)
}
