package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
		{"search, common word", "/claims?q=the", "eda", 0},
		{"claims of one state", "/claims?state=approved", "eda", 0},
		{"flagged claims", "/claims?flagged=yes", "eda", 0},
		{"claims with no open flag", "/claims?flagged=no", "eda", 0},
		{"flagged claims of one edition", "/claims?edition=2023&flagged=yes", "eda", 0},
		{"my work, of the claims' creator", "/my", "rey", 0},
		{"my work, of an editor", "/my", "ed", 0},
		{"history", "/history", "audrey", 2 * 20},
		{"history, one actor", "/history?actor=rey", "audrey", 2 * 20},
		{"reader", "/reports/" + store.ScaleReport(0) + "/editions/2023", "eda", 0},
	}
	plans := map[string]map[string]bool{} // page → its statements, at the larger size
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
			qs := map[string]bool{}
			var mu sync.Mutex
			ts.DB.TraceReads(func(q string) { mu.Lock(); qs[q] = true; mu.Unlock() })
			Get(t, c, ts.URL+p.path)
			ts.DB.TraceReads(nil)
			out[p.name] = ts.DB.ReadStats().Sub(before)
			plans[p.name] = qs
		}
		if n == 63 {
			checkPlans(t, ts.DB.Path, plans)
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

// scanned is a query plan step that reads a whole table or index: SQLite's
// "SCAN t" (with or without an index to read it in order), as opposed to
// "SEARCH t USING ..." which seeks.
var scanned = regexp.MustCompile(`\bSCAN (\w+)`)

// bigTables grow with the data; a scan of one of them grows too.
var bigTables = map[string]bool{"reports": true, "rp": true, "editions": true, "e": true, "claims": true, "c": true, "revisions": true, "r": true, "appearances": true, "a": true,
	"events": true, "flags": true, "f": true, "notes": true, "evidence": true, "claim_search": true, "tlog_hashes": true}

// topLevel is q without what its parentheses hold (subqueries, argument
// lists), so that its own clauses can be told from theirs.
func topLevel(q string) string {
	var b strings.Builder
	depth := 0
	for _, r := range q {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// checkPlans fails a page whose statements scan a table that grows with
// the data, but for counts (a list's total counts what its filter selects,
// an index's worth of entries by nature) and for a scan in the order the
// statement asks for with a LIMIT and no condition of its own, which stops
// after the page (a list's newest or first rows); a scan that filters as it
// goes may read the whole table to fill a page. The full-text index's MATCH shows as a scan of
// its virtual table's index: it is a lookup.
func checkPlans(t *testing.T, path string, plans map[string]map[string]bool) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for page, qs := range plans {
		for q := range qs {
			if strings.HasPrefix(strings.TrimSpace(q), "SELECT COUNT(*)") {
				continue
			}
			args := make([]any, strings.Count(q, "?"))
			rows, err := raw.Query("EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				t.Errorf("%s: EXPLAIN %s: %v", page, q, err)
				continue
			}
			var steps []string
			sorts := false // the statement's own ORDER BY needs a sort
			for rows.Next() {
				var id, parent, notused int
				var detail string
				if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
					t.Fatal(err)
				}
				steps = append(steps, detail)
				sorts = sorts || parent == 0 && strings.HasPrefix(detail, "USE TEMP B-TREE FOR ORDER BY")
			}
			rows.Close()
			plan := strings.Join(steps, "; ")
			top := topLevel(q)
			stopsEarly := strings.Contains(top, " LIMIT ") && !strings.Contains(top, " WHERE ") && !sorts
			for _, d := range steps {
				if m := scanned.FindStringSubmatch(d); m != nil && bigTables[m[1]] && !strings.Contains(d, "VIRTUAL TABLE INDEX") && !stopsEarly {
					t.Errorf("%s scans %s: %s\n  in %s", page, m[1], plan, strings.Join(strings.Fields(q), " "))
				}
			}
		}
	}
}
