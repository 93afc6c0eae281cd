package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"vetted/review"
)

// The operations of the mixed load, with their weights out of 100: reads
// are most of a research team's traffic, and every write kind is there.
var mixedOps = []struct {
	kind   string
	weight int
}{
	{"claim page", 40},
	{"search", 15},
	{"reader page", 10},
	{"note", 15},
	{"flag", 10},
	{"revision", 10},
}

// searchQueries are what the search clients type, some phrases and
// prefixes among them.
var searchQueries = []string{"trafficking", "mafia", "corruption", "heroin", "arms", "Baku", `"human trafficking"`,
	"money laundering", "cyber*", "police", "Iran", "smuggling"}

// What a client reads off a claim page: the base of a new revision, the
// revisions it may decide and the flags it may resolve. The page is read
// with bytes.Index rather than regular expressions, so the load generator,
// which shares the machine with the server, takes little of its CPU.
var (
	baseField   = [2]string{`name="base" value="`, `"`}
	approveForm = [2]string{`action="/revisions/`, `/approve"`}
	resolveForm = [2]string{`action="/flags/`, `/resolve"`}
)

// opStats is what one client saw.
type opStats struct {
	lat       map[string][]time.Duration
	errors    map[string]int // kind: status or transport error
	conflicts int            // 409 on a revision or a flag resolution: someone got there first
	locked    int            // unwanted answers mentioning "database is locked"
	writes    int            // acknowledged (303)
	firstErr  []string
}

func (s *opStats) fail(kind, what string) {
	s.errors[kind+": "+what]++
	if len(s.firstErr) < 3 {
		s.firstErr = append(s.firstErr, kind+": "+what)
	}
}

// mixedClient is one user agent of the mixed load. A reviewer writes notes,
// raises flags and proposes revisions; an editor, as in the editor's day,
// decides the pending revisions and resolves the open flags its last view
// of a claim showed (proposing and raising when there are none), so the
// queue does not grow without end.
type mixedClient struct {
	*client
	editor bool
	rng    *rand.Rand
	bases  map[int64]int64   // claim → the base its page last showed
	decide map[int64][]int64 // claim → revisions its page offered to decide
	solve  map[int64][]int64 // claim → flags its page offered to resolve
	stats  opStats
	buf    bytes.Buffer
	id     int
	seq    int
}

// ids returns the numbers in b written between f's prefix and suffix.
func ids(f [2]string, b []byte) []int64 {
	var out []int64
	prefix, suffix := []byte(f[0]), []byte(f[1])
	for {
		i := bytes.Index(b, prefix)
		if i < 0 {
			return out
		}
		b = b[i+len(prefix):]
		n := 0
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			n++
		}
		if n > 0 && bytes.HasPrefix(b[n:], suffix) {
			if v, err := strconv.ParseInt(string(b[:n]), 10, 64); err == nil {
				out = append(out, v)
			}
		}
		b = b[n:]
	}
}

// step performs one weighted-random operation.
func (m *mixedClient) step(ctx context.Context, claims []int64) {
	pick := m.rng.IntN(100)
	kind := mixedOps[len(mixedOps)-1].kind
	for _, op := range mixedOps {
		if pick < op.weight {
			kind = op.kind
			break
		}
		pick -= op.weight
	}
	claim := claims[m.rng.IntN(len(claims))]
	m.seq++
	tag := fmt.Sprintf("c%d-%d", m.id, m.seq)
	var method, path string
	var form url.Values
	want := http.StatusOK
	switch kind {
	case "claim page":
		method, path = "GET", fmt.Sprintf("/claims/%d", claim)
	case "search":
		method, path = "GET", "/claims?q="+url.QueryEscape(searchQueries[m.rng.IntN(len(searchQueries))])
	case "reader page":
		method, path = "GET", "/reports/azerbaijan/editions/2021"
	case "note":
		method, path, want = "POST", fmt.Sprintf("/claims/%d/notes", claim), http.StatusSeeOther
		form = url.Values{"body": {"Load-test note " + tag + ": checked against the source."}}
	case "flag":
		if fs := m.solve[claim]; m.editor && len(fs) > 0 {
			kind, method, path, want = "flag resolve", "POST", fmt.Sprintf("/flags/%d/resolve", fs[0]), http.StatusSeeOther
			form = url.Values{"resolution": {"Load-test resolution " + tag + ": a second source agrees."}}
			m.solve[claim] = fs[1:]
			break
		}
		method, path, want = "POST", fmt.Sprintf("/claims/%d/flags", claim), http.StatusSeeOther
		form = url.Values{"kind": {"other"}, "reason": {"Load-test flag " + tag + ": the date needs a second source."}}
	case "revision":
		if rs := m.decide[claim]; m.editor && len(rs) > 0 {
			verdict := "approve"
			if m.rng.IntN(3) == 0 {
				verdict = "reject"
			}
			kind, method, path, want = "revision "+verdict, "POST", fmt.Sprintf("/revisions/%d/%s", rs[0], verdict), http.StatusSeeOther
			form = url.Values{"reason": {"Load-test decision " + tag + "."}}
			m.decide[claim] = rs[1:]
			break
		}
		base, ok := m.bases[claim]
		if !ok {
			// Read the claim first, as a user would, to learn its base.
			kind, method, path = "claim page", "GET", fmt.Sprintf("/claims/%d", claim)
			break
		}
		method, path, want = "POST", fmt.Sprintf("/claims/%d/revisions", claim), http.StatusSeeOther
		form = url.Values{"base": {strconv.FormatInt(base, 10)}, "statement": {"Load-test wording " + tag},
			"confidence": {"low"}, "reason": {"Reworded under load (" + tag + ")."}}
	}
	start := time.Now()
	st, err := m.do(ctx, method, path, form, &m.buf)
	lat := time.Since(start)
	if ctx.Err() != nil {
		return
	}
	m.stats.lat[kind] = append(m.stats.lat[kind], lat)
	// Only an answer other than the one wanted is an error page that can
	// say so (the server's log is watched as well); scanning every page
	// read took a fortieth of the machine's CPU from the server.
	if st != want && bytes.Contains(m.buf.Bytes(), []byte("database is locked")) {
		m.stats.locked++
	}
	switch {
	case err != nil:
		m.stats.fail(kind, "transport: "+err.Error())
	case st == http.StatusConflict && kind != "note" && kind != "flag":
		// Someone got there first: another proposal on the same base, or
		// another editor deciding or resolving the same item.
		m.stats.conflicts++
		delete(m.bases, claim)
	case st != want:
		m.stats.fail(kind, "status "+strconv.Itoa(st))
	case method == "POST":
		m.stats.writes++
		if kind == "revision" {
			delete(m.bases, claim) // the claim moved on: our own revision is its head
		}
	case kind == "claim page":
		if bs := ids(baseField, m.buf.Bytes()); len(bs) > 0 {
			m.bases[claim] = bs[0]
		}
		if m.editor {
			m.decide[claim] = ids(approveForm, m.buf.Bytes())
			m.solve[claim] = ids(resolveForm, m.buf.Bytes())
		}
	}
}

// measureMixed runs s.MixedClients clients, signed in as the reviewer and
// the two editors, each sending a weighted mix of reads and writes back to
// back (no think time) for s.MixedDuration against a real server on a
// loopback port.
func measureMixed(ctx context.Context, s sizes, tmpl, dir string) (section, error) {
	sec := section{Title: fmt.Sprintf("Mixed load, %d clients, %s", s.MixedClients, s.MixedDuration)}
	db, err := openCopy(ctx, tmpl, dir, "mixed.db")
	if err != nil {
		return sec, err
	}
	defer db.Close()
	cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Limit: 1000})
	if err != nil {
		return sec, err
	}
	var claims []int64
	for _, c := range cs {
		claims = append(claims, c.ID)
	}
	if len(claims) == 0 {
		return sec, fmt.Errorf("no demo claims")
	}
	before, err := db.Head(ctx)
	if err != nil {
		return sec, err
	}
	srv, err := startServer(db)
	if err != nil {
		return sec, err
	}
	defer srv.Close()
	tr := newTransport(s.MixedClients)
	defer tr.CloseIdleConnections()
	names := []string{"rey", "eda", "ed"}
	clients := make([]*mixedClient, s.MixedClients)
	for i := range clients {
		c := newClient(srv.URL, tr)
		if err := c.login(ctx, names[i%len(names)]); err != nil {
			return sec, err
		}
		clients[i] = &mixedClient{client: c, editor: names[i%len(names)] != "rey", rng: rand.New(rand.NewPCG(uint64(i), 42)),
			bases: map[int64]int64{}, decide: map[int64][]int64{}, solve: map[int64][]int64{}, id: i,
			stats: opStats{lat: map[string][]time.Duration{}, errors: map[string]int{}}}
	}
	runCtx, cancel := context.WithTimeout(ctx, s.MixedDuration+30*time.Second)
	defer cancel()
	elapsed := closedLoop(len(clients), s.MixedDuration, func(i int) { clients[i].step(runCtx, claims) })

	// Gather.
	all := opStats{lat: map[string][]time.Duration{}, errors: map[string]int{}}
	var every []time.Duration
	for _, c := range clients {
		for k, l := range c.stats.lat {
			all.lat[k] = append(all.lat[k], l...)
			every = append(every, l...)
		}
		for k, n := range c.stats.errors {
			all.errors[k] += n
		}
		all.conflicts += c.stats.conflicts
		all.locked += c.stats.locked
		all.writes += c.stats.writes
		if len(all.firstErr) < 3 {
			all.firstErr = append(all.firstErr, c.stats.firstErr...)
		}
	}
	errCount := 0
	for _, n := range all.errors {
		errCount += n
	}
	locked := all.locked + int(srv.Log.locked.Load())
	p50, p99 := percentile(every, 0.50), percentile(every, 0.99)
	rate := float64(len(every)) / elapsed.Seconds()
	sec.add("requests", float64(len(every)), "")
	sec.add("throughput", rate, "req/s")
	sec.add("latency p50", ms(p50), "ms")
	sec.add("latency p99", ms(p99), "ms")
	sec.add("latency max", ms(percentile(every, 1)), "ms")
	sec.add("errors (5xx, transport, unexpected status)", float64(errCount), "")
	sec.add("server log errors", float64(srv.Log.errors.Load()), "")
	sec.add(`"database is locked" (responses and log)`, float64(locked), "")
	sec.add("writes acknowledged (303)", float64(all.writes), "")
	sec.add("conflicts (409, expected)", float64(all.conflicts), "")
	kinds := make([]string, 0, len(all.lat))
	for k := range all.lat {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		l := all.lat[k]
		sec.add(fmt.Sprintf("%s: %d requests, p50", k, len(l)), ms(percentile(l, 0.5)), "ms")
		sec.add(fmt.Sprintf("%s: p99", k), ms(percentile(l, 0.99)), "ms")
	}
	sec.check("mixed load p99 latency", fmt.Sprintf("%.1f ms", ms(p99)), "< 50 ms", p99 < 50*time.Millisecond)
	sec.check("mixed load errors", strconv.Itoa(errCount), "0", errCount == 0)
	sec.check(`mixed load "database is locked"`, strconv.Itoa(locked), "0", locked == 0)
	after, err := db.VerifyChain(ctx)
	if err != nil {
		return sec, fmt.Errorf("history after the mixed load: %w", err)
	}
	// The records must be what the history says: the server's background
	// check would otherwise stop every write.
	ms, err := db.VerifyRecords(ctx)
	if err != nil {
		return sec, fmt.Errorf("records after the mixed load: %w", err)
	}
	if len(ms) > 0 {
		return sec, fmt.Errorf("records after the mixed load differ from the history: %v", ms)
	}
	sec.note("Clients sign in as rey (reviewer), eda and ed (editors) in turn and send requests back to back, no think time: a closed loop, so latency ≈ clients ÷ throughput once the server is saturated (Little's law).")
	sec.note("Mix: %s. Reviewers' writes are notes, new flags and proposed revisions. Editors, as in the editor's day, decide the revisions (two approvals to one rejection) and resolve the flags that their last view of the claim offered, and propose or raise when it offered none, so the queue stays the size a team keeps it.", mixDescription())
	sec.note("A revision is proposed on the base its claim page last showed. A 409 is someone else getting there first (a proposal on the same base, or another editor deciding or resolving the same item): the lost-update rule working, counted apart from errors.")
	sec.note("History grew from seq %d to %d during the run and verified afterwards, with the records replayed from it and compared with the tables.", before.Seq, after.Seq)
	if errCount > 0 {
		var ks []string
		for k, n := range all.errors {
			ks = append(ks, fmt.Sprintf("%s ×%d", k, n))
		}
		sort.Strings(ks)
		sec.note("Errors: %s.", strings.Join(ks, "; "))
	}
	srv.Log.mu.Lock()
	for _, l := range srv.Log.first {
		sec.note("Server log: `%s`", l)
	}
	srv.Log.mu.Unlock()
	return sec, nil
}

func mixDescription() string {
	var parts []string
	for _, op := range mixedOps {
		parts = append(parts, fmt.Sprintf("%d%% %s", op.weight, op.kind))
	}
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentile returns the q-quantile (nearest rank) of ds, sorting it.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(q*float64(len(ds))+0.5) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}
