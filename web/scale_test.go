package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"vetted"
	"vetted/store"
)

// scaleServer starts a server over the demo and n generated reports
// (store.SeedScale), with the whole history checked once, as the
// background check does after start.
func scaleServer(tb testing.TB, n int) *testServer {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "vetted.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.LoadDemo(ctx, vetted.DemoEdition, vetted.DemoClaims); err != nil {
		tb.Fatal(err)
	}
	if err := db.SeedScale(ctx, vetted.DemoEdition, vetted.DemoClaims, store.Scale{Reports: n}); err != nil {
		tb.Fatal(err)
	}
	ts := serverOver(tb, db)
	if err := ts.App.CheckHistory(ctx); err != nil {
		tb.Fatal(err)
	}
	return ts
}

// TestPagesReadsDoNotGrow: each listed page reads the same number of SQL
// statements and rows with the demo and 21 generated reports as with 63
// (1,400 and 4,000 claims; queues, lists and history three times as long):
// what a page reads is bounded by what it shows, not by the data. Each
// page is read once first, so that caches are as warm at both sizes.
func TestPagesReadsDoNotGrow(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 84 reports")
	}
	// The history pages check the Merkle tree the server verified: that
	// reads one stored hash per complete subtree, O(log n) rows, which
	// differ with the tree's size (slack).
	pages := []struct {
		name, path, as string
		slack          int64
	}{
		{"home", "/", "eda", 0},
		{"queue", "/queue", "eda", 0},
		{"claims list", "/claims", "eda", 0},
		{"claims list, page 3", "/claims?page=3", "eda", 0},
		{"search, common word", "/claims?q=trafficking", "eda", 0},
		{"history", "/history", "audrey", 2 * 20},
		{"history, one actor", "/history?actor=rey", "audrey", 2 * 20},
		{"reader", "/reports/" + store.ScaleReport(0) + "/editions/2023", "eda", 0},
	}
	read := func(n int) map[string]store.ReadStats {
		ts := scaleServer(t, n)
		clients := map[string]*http.Client{}
		out := map[string]store.ReadStats{}
		for _, p := range pages {
			c := clients[p.as]
			if c == nil {
				c = ts.Login(t, p.as)
				clients[p.as] = c
			}
			if st, _ := Get(t, c, ts.URL+p.path); st != 200 {
				t.Fatalf("%s at %d reports: %d", p.path, n, st)
			}
			before := ts.DB.ReadStats()
			Get(t, c, ts.URL+p.path)
			out[p.name] = ts.DB.ReadStats().Sub(before)
		}
		return out
	}
	small, large := read(21), read(63)
	for _, p := range pages {
		s, l := small[p.name], large[p.name]
		if s.Statements != l.Statements || max(s.Rows-l.Rows, l.Rows-s.Rows) > p.slack {
			t.Errorf("%s read %+v at 21 reports and %+v at 63", p.name, small[p.name], large[p.name])
		}
	}
	if os.Getenv("VETTED_SHOW_READS") != "" {
		for _, p := range pages {
			t.Logf("%-22s %+v", p.name, small[p.name])
		}
	}
}
