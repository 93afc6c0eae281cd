package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"vetted/review"
	"vetted/store"
)

// claimWithRevisions picks an approved demo claim and gives it n revisions
// in all, each proposed by one editor and approved by the other in turn,
// through the store's audited API.
func claimWithRevisions(ctx context.Context, db *store.DB, n int) (int64, error) {
	us, err := users(ctx, db, "eda", "ed")
	if err != nil {
		return 0, err
	}
	eds := [2]review.User{us["eda"], us["ed"]}
	cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Limit: 1000})
	if err != nil {
		return 0, err
	}
	var id int64
	for _, c := range cs {
		if c.CurrentID != 0 && c.Latest.ID == c.CurrentID {
			id = c.ID
			break
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("no approved demo claim to add revisions to")
	}
	for i := 0; ; i++ {
		c, err := db.FindClaim(ctx, id)
		if err != nil {
			return 0, err
		}
		if len(c.Revisions) >= n {
			return id, nil
		}
		author, approver := eds[i%2], eds[(i+1)%2]
		rev, err := db.ProposeRevision(ctx, author, review.NewRevision{ClaimID: id, BaseID: review.Head(c.Revisions),
			Statement: fmt.Sprintf("%s (benchmark wording %d)", c.Latest.Statement, i), Topic: c.Latest.Topic,
			Confidence: c.Latest.Confidence, Hedge: c.Latest.Hedge, Reason: fmt.Sprintf("Benchmark revision %d.", i)})
		if err != nil {
			return 0, fmt.Errorf("propose: %w", err)
		}
		if _, err := db.DecideRevision(ctx, approver, rev.ID, true, "Benchmark approval."); err != nil {
			return 0, fmt.Errorf("approve: %w", err)
		}
	}
}

// measureClaimPage measures GET /claims/ID, signed in, for a claim with
// s.Revisions revisions, against GET /trivial on the same server, with
// s.PageClients clients each sending requests back to back. The two sides
// alternate in three rounds, so drift in the machine falls on both.
func measureClaimPage(ctx context.Context, s sizes, tmpl, dir string) (section, error) {
	sec := section{Title: fmt.Sprintf("Claim page, signed in, %d revisions, %d clients", s.Revisions, s.PageClients)}
	db, err := openCopy(ctx, tmpl, dir, "page.db")
	if err != nil {
		return sec, err
	}
	defer db.Close()
	id, err := claimWithRevisions(ctx, db, s.Revisions)
	if err != nil {
		return sec, err
	}
	srv, err := startServer(db)
	if err != nil {
		return sec, err
	}
	defer srv.Close()
	tr := newTransport(s.PageClients)
	defer tr.CloseIdleConnections()
	clients := make([]*client, s.PageClients)
	for i := range clients {
		clients[i] = newClient(srv.URL, tr)
		if err := clients[i].login(ctx, "rey"); err != nil {
			return sec, err
		}
	}
	page := fmt.Sprintf("/claims/%d", id)
	var pageBytes atomic.Int64
	side := func(path string, d time.Duration) (n int64, bad int64, elapsed time.Duration) {
		var ok, fail atomic.Int64
		bufs := make([]bytes.Buffer, len(clients))
		elapsed = closedLoop(len(clients), d, func(i int) {
			st, err := clients[i].do(ctx, "GET", path, nil, &bufs[i])
			if err != nil || st != http.StatusOK {
				fail.Add(1)
				return
			}
			ok.Add(1)
			if path == page {
				pageBytes.Store(int64(bufs[i].Len()))
			}
		})
		return ok.Load(), fail.Load(), elapsed
	}
	// Warm up both paths: connections, the page cache, the runtime.
	side(page, s.PageDuration/5)
	side("/trivial", s.PageDuration/5)
	const rounds = 3
	var pageN, trivN, bad int64
	var pageT, trivT time.Duration
	for r := 0; r < rounds; r++ {
		n, b, t := side("/trivial", s.PageDuration/rounds)
		trivN, bad, trivT = trivN+n, bad+b, trivT+t
		n, b, t = side(page, s.PageDuration/rounds)
		pageN, bad, pageT = pageN+n, bad+b, pageT+t
	}
	if bad > 0 {
		return sec, fmt.Errorf("%d requests failed or were not 200", bad)
	}
	pageRate := float64(pageN) / pageT.Seconds()
	trivRate := float64(trivN) / trivT.Seconds()
	r := ratio(pageRate, trivRate)
	sec.add("claim page", pageRate, "req/s")
	sec.add("trivial handler (baseline)", trivRate, "req/s")
	sec.add("ratio claim page / trivial", r, "×")
	sec.add("claim page size", float64(pageBytes.Load())/1024, "KiB")
	sec.add("claim page mean latency", float64(s.PageClients)/pageRate*1000, "ms")
	sec.check("claim page / trivial handler", fmt.Sprintf("%.3f", r), "≥ 0.35", r >= 0.35)
	sec.note("GET %s as the reviewer rey (session cookie from POST /login), %d revisions; /trivial writes \"ok\" from a ServeMux mounted in front of the vetted handler, so it skips the middleware, session and database.", page, s.Revisions)
	sec.note("Clients and server share the machine's %d cores over loopback; each side ran %s in %d alternating rounds after a warm-up.", runtime.NumCPU(), s.PageDuration, rounds)
	return sec, nil
}
