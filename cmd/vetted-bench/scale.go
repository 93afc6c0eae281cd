package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"vetted"
	"vetted/review"
	"vetted/store"
)

// scalePages are the pages the scale scenario times, each as the user who
// would open it. country-0000 is the first generated report.
var scalePages = []struct{ name, path, as string }{
	{"home", "/", "eda"},
	{"queue", "/queue", "eda"},
	{"claims list", "/claims", "eda"},
	{"claims list, page 3", "/claims?page=3", "eda"},
	{"flagged claims", "/claims?flagged=yes", "eda"},
	{"claims with no open flag", "/claims?flagged=no", "eda"},
	{"pending claims", "/claims?state=pending", "eda"},
	{"flagged claims of one edition", "/claims?edition=2023&flagged=yes", "eda"},
	{"pending claims with low confidence", "/claims?state=pending&confidence=low", "eda"},
	{"my work, of the claims' creator", "/my", "rey"},
	{"my work, of an editor", "/my", "ed"},
	{"search, common word", "/claims?q=trafficking", "eda"},
	{"history", "/history", "audrey"},
	{"history, one actor", "/history?actor=rey", "audrey"},
	{"reader, 2023", "/reports/" + store.ScaleReport(0) + "/editions/2023", "eda"},
	{"claim page", "/claims/{claim}", "eda"},
}

// scaleData builds (or reuses, from cacheDir) a database with the demo and
// n generated reports, and with its history padded to events.
func scaleData(ctx context.Context, cacheDir string, n, events int, logf func(string, ...any)) (string, error) {
	path := filepath.Join(cacheDir, fmt.Sprintf("vetted-scale-v2-%d-%s.db", n, countName(events)))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-lock"} {
		os.Remove(p)
	}
	db, err := store.Open(ctx, tmp)
	if err != nil {
		return "", err
	}
	start := time.Now()
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		db.Close()
		return "", err
	}
	if err := db.SeedScale(ctx, vetted.DemoEdition, vetted.DemoClaims, store.Scale{Reports: n, Events: events}); err != nil {
		db.Close()
		return "", err
	}
	logf("generated %d reports, %s events in %.1fs", n, countName(events), time.Since(start).Seconds())
	// Measure a server whose history check passes, as a real one's does.
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) > 0 {
		db.Close()
		return "", fmt.Errorf("the generated records are not what their history says: %v %v", ms, err)
	}
	if err := db.Close(); err != nil {
		return "", err
	}
	os.Remove(tmp + "-lock")
	return path, os.Rename(tmp, path)
}

// measureScale times every page of scalePages at each size of
// s.ScaleReports (generated reports beside the demo), the largest with its
// history padded to s.Events: the median of s.ScaleRequests requests from
// one signed-in editor, after one warm-up request. Each page's growth is
// its time at the largest size over its time at the smallest.
func measureScale(ctx context.Context, s sizes, cacheDir string, logf func(string, ...any)) (section, error) {
	sec := section{Title: "Pages as the data grows"}
	type row struct {
		claims int
		events int64
		times  []time.Duration
	}
	var rows []row
	for k, n := range s.ScaleReports {
		events := 0
		if k == len(s.ScaleReports)-1 {
			events = s.Events
		}
		path, err := scaleData(ctx, cacheDir, n, events, logf)
		if err != nil {
			return sec, err
		}
		db, err := store.Open(ctx, path)
		if err != nil {
			return sec, err
		}
		r, err := timePages(ctx, db, s.ScaleRequests)
		if err == nil {
			var claims int
			_, claims, err = db.FindClaims(ctx, review.ClaimFilter{Limit: 1})
			h, _ := db.Head(ctx)
			r.claims, r.events = claims, h.Seq
		}
		db.Close()
		if err != nil {
			return sec, err
		}
		rows = append(rows, row{r.claims, r.events, r.times})
	}
	first, last := rows[0], rows[len(rows)-1]
	for i, p := range scalePages {
		for _, r := range rows {
			sec.add(fmt.Sprintf("%s at %s claims, %s events", p.name, thousands(fmt.Sprint(r.claims)), thousands(fmt.Sprint(r.events))),
				float64(r.times[i].Microseconds())/1000, "ms")
		}
		growth := ratio(float64(last.times[i]), float64(first.times[i]))
		sec.add(p.name+": growth", growth, "×")
		ms := float64(last.times[i].Microseconds()) / 1000
		sec.check(p.name+" at the largest size", fmt.Sprintf("%.1f ms, %.1f×", ms, growth), "≤ 100 ms and ≤ 3×", ms <= 100 && growth <= 3)
	}
	sec.note("Each figure is the median wall time of %d requests from one signed-in user on loopback, in rounds over the pages after a warm-up round, once the server's history check after start has run; sizes are the demo plus %v generated reports (store.SeedScale: two editions and the demo's claims each; the largest with its history padded by notes).", s.ScaleRequests, s.ScaleReports)
	return sec, nil
}

type pageTimes struct {
	claims int
	events int64
	times  []time.Duration
}

func timePages(ctx context.Context, db *store.DB, requests int) (pageTimes, error) {
	var pt pageTimes
	srv, err := startServer(db)
	if err != nil {
		return pt, err
	}
	defer srv.Close()
	// As 'vetted serve' does after a start, and before the pages are
	// timed: the history check the history page builds on.
	if err := srv.App.CheckHistory(ctx); err != nil {
		return pt, fmt.Errorf("history check: %w", err)
	}
	tr := newTransport(1)
	defer tr.CloseIdleConnections()
	clients := map[string]*client{}
	for _, p := range scalePages {
		if clients[p.as] == nil {
			clients[p.as] = newClient(srv.URL, tr)
			if err := clients[p.as].login(ctx, p.as); err != nil {
				return pt, err
			}
		}
	}
	cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Report: store.ScaleReport(0), Limit: 1})
	if err != nil || len(cs) == 0 {
		return pt, fmt.Errorf("no claim in %s: %v", store.ScaleReport(0), err)
	}
	// The pages are requested in rounds, each page once a round (the
	// first round warms up), so that something else briefly taking the
	// machine slows one request of several pages rather than most of one
	// page's: a median of one page's requests in a row once measured the
	// reader ten times slower than the next run did.
	var buf bytes.Buffer
	ds := make([][]time.Duration, len(scalePages))
	for i := 0; i <= requests; i++ {
		for j, p := range scalePages {
			path := p.path
			if path == "/claims/{claim}" {
				path = fmt.Sprintf("/claims/%d", cs[0].ID)
			}
			start := time.Now()
			st, err := clients[p.as].do(ctx, "GET", path, nil, &buf)
			d := time.Since(start)
			if err != nil || st != http.StatusOK {
				return pt, fmt.Errorf("GET %s: %d %v", path, st, err)
			}
			if i > 0 {
				ds[j] = append(ds[j], d)
			}
		}
	}
	for _, d := range ds {
		slices.Sort(d)
		pt.times = append(pt.times, d[len(d)/2])
	}
	return pt, nil
}
