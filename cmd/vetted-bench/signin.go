package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// signinMemoryTarget is issue 13's bound on the server's peak resident set
// under 32 concurrent anonymous sign-ins.
const signinMemoryTarget = 300 << 20

// measureSignin measures the server's peak resident set (the kernel's
// VmHWM, which counts SQLite's C memory and every argon2id buffer) while
// s.SigninClients anonymous clients sign in at once with wrong passwords,
// s.SigninRounds times over, each request from an address and for a name
// of its own (through a trusted proxy's X-Forwarded-For), so the sign-in
// throttle turns none away and each costs a password hash: only the cap on
// hashes in flight bounds memory. Then the same clients send 4 MB bodies.
// The baseline is the idle server's resident set just before.
func measureSignin(ctx context.Context, s sizes, tmpl, dir string) (section, error) {
	sec := section{Title: fmt.Sprintf("Memory under %d concurrent anonymous sign-ins", s.SigninClients)}
	db, err := openCopy(ctx, tmpl, dir, "signin.db")
	if err != nil {
		return sec, err
	}
	defer db.Close()
	srv, err := startServer(db, netip.MustParsePrefix("127.0.0.1/32"))
	if err != nil {
		return sec, err
	}
	defer srv.Close()
	tr := newTransport(s.SigninClients)
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	debug.FreeOSMemory()
	rss := peakRSS()
	base := rss()
	if base == 0 {
		sec.note("This kernel does not let a process reset its peak resident set (/proc/self/clear_refs): no figures.")
		return sec, nil
	}
	var mu sync.Mutex
	statuses := map[int]int{}
	var n int
	send := func(body io.Reader, ctype string, i int) {
		req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/login", body)
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		res, err := hc.Do(req)
		st := 0
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			st = res.StatusCode
		}
		mu.Lock()
		statuses[st]++
		mu.Unlock()
	}
	round := func(make func(i int) (io.Reader, string)) time.Duration {
		start := time.Now()
		for range s.SigninRounds {
			var wg sync.WaitGroup
			for range s.SigninClients {
				n++
				i := n
				body, ctype := make(i)
				wg.Add(1)
				go func() { defer wg.Done(); send(body, ctype, i) }()
			}
			wg.Wait()
		}
		return time.Since(start)
	}
	wrong := func(i int) (io.Reader, string) {
		form := url.Values{"username": {fmt.Sprintf("nobody-%d", i)}, "password": {"wrong password, long enough"}}
		return strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	took := round(wrong)
	signinPeak := rss()
	big := bytes.Repeat([]byte("x"), 4<<20)
	huge := func(i int) (io.Reader, string) {
		// One shared 4 MB slice, which bytes.Reader writes without a copy
		// (a strings.Reader would copy it to bytes for each request).
		return io.MultiReader(strings.NewReader(fmt.Sprintf("username=nobody-%d&password=", i)), bytes.NewReader(big)), "application/x-www-form-urlencoded"
	}
	debug.FreeOSMemory()
	rss = peakRSS()
	round(huge)
	bigPeak := rss()

	sec.add("idle server, resident", float64(base)/(1<<20), "MiB")
	sec.add("peak, wrong passwords", float64(signinPeak)/(1<<20), "MiB")
	sec.add("peak, with 4 MB bodies", float64(bigPeak)/(1<<20), "MiB")
	sec.add("sign-ins answered", float64(n), "")
	sec.add("wall time of the wrong-password rounds", took.Seconds(), "s")
	peak := max(signinPeak, bigPeak)
	sec.check("peak resident set", fmt.Sprintf("%.0f MiB", float64(peak)/(1<<20)), "< 300 MiB", peak < signinMemoryTarget)
	var st []string
	for code, k := range statuses {
		st = append(st, fmt.Sprintf("%d × %d", k, code))
	}
	sec.note("Answers: %s (401: wrong password; 503: no hash slot within 2 s; 413: body over the sign-in limit).", strings.Join(st, ", "))
	sec.note("Each argon2id hash takes 19 MiB; the server checks at most max(2, GOMAXPROCS) at once and reads at most 8 KiB of a sign-in body. The figures are this whole process's (the bench client runs in it too).")
	return sec, nil
}
