package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"vetted/review"
	"vetted/store"
)

// The seed: the demo text imported as edition 2021 of report "azerbaijan"
// by the system actor, and one or two users of each role.
const (
	seedReport  = "azerbaijan"
	seedEdition = "2021"
	seedText    = "../testdata/azerbaijan-2021.txt"
	seedClaims  = "../testdata/demo-claims.jsonl"
	seedPass    = "correct horse battery"
)

var seedUsers = []struct {
	name string
	role review.Role
}{
	{"rey", review.RoleReviewer},
	{"rosa", review.RoleReviewer},
	{"eda", review.RoleEditor},
	{"ed", review.RoleEditor},
	{"audrey", review.RoleAuditor},
	{"adam", review.RoleAdmin},
}

// clockStart is when every test database's clock starts; templates are
// built a day earlier, so their events come first.
var clockStart = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// stepClock returns a deterministic clock that moves one second per read,
// so that each transaction has its own time.
func stepClock(start time.Time) func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// TestDB is an open seeded database with its users.
type TestDB struct {
	*store.DB
	Reviewer, Reviewer2, Editor, Editor2, Auditor, Admin review.User
}

var templates struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if templates.dir != "" {
		os.RemoveAll(templates.dir)
	}
	os.Exit(code)
}

// template builds a database once per test binary with build, and returns
// its path. Hashing passwords with argon2id is slow on purpose, so tests
// copy a template rather than create their users each time.
func template(tb testing.TB, name string, build func(context.Context, *store.DB) error) string {
	tb.Helper()
	templates.Lock()
	defer templates.Unlock()
	if p, ok := templates.paths[name]; ok {
		return p
	}
	if templates.dir == "" {
		dir, err := os.MkdirTemp("", "vetted-store-test-")
		if err != nil {
			tb.Fatal(err)
		}
		templates.dir, templates.paths = dir, map[string]string{}
	}
	path := filepath.Join(templates.dir, name+".db")
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = stepClock(clockStart.Add(-24 * time.Hour))
	if err := build(ctx, db); err != nil {
		db.Close()
		tb.Fatalf("template %s: %v", name, err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	templates.paths[name] = path
	return path
}

func buildSeed(ctx context.Context, db *store.DB) error {
	for _, u := range seedUsers {
		if _, err := db.CreateUser(ctx, review.System, u.name, u.role, seedPass); err != nil {
			return err
		}
	}
	text, err := os.ReadFile(seedText)
	if err != nil {
		return err
	}
	_, err = db.ImportEdition(ctx, review.System, review.NewEdition{Report: seedReport, Title: "Global Organized Crime Index: Azerbaijan",
		Publisher: "GI-TOC", Label: seedEdition, Published: "2021-09-28", Original: text})
	return err
}

func buildDemo(ctx context.Context, db *store.DB) error {
	text, err := os.ReadFile(seedText)
	if err != nil {
		return err
	}
	claims, err := os.ReadFile(seedClaims)
	if err != nil {
		return err
	}
	loaded, err := db.LoadDemo(ctx, text, claims)
	if err == nil && !loaded {
		err = fmt.Errorf("LoadDemo into an empty database loaded nothing")
	}
	return err
}

// copyDB copies a closed database file (and its WAL, if any) to a new
// temporary directory and returns the copy's path.
func copyDB(tb testing.TB, src string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "vetted.db")
	for _, suffix := range []string{"", "-wal"} {
		in, err := os.Open(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		} else if err != nil {
			tb.Fatal(err)
		}
		out, err := os.Create(dst + suffix)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			tb.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// MustOpenDB opens a seeded database in a file of tb's temporary directory,
// with a deterministic clock, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *TestDB {
	tb.Helper()
	return mustOpenCopy(tb, template(tb, "seed", buildSeed))
}

// MustOpenDemoDB opens a database that LoadDemo filled.
func MustOpenDemoDB(tb testing.TB) *TestDB {
	tb.Helper()
	return mustOpenCopy(tb, template(tb, "demo", buildDemo))
}

// MustOpenEmptyDB opens a new database with no data but the migrations'.
func MustOpenEmptyDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "vetted.db"))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = stepClock(clockStart)
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

func mustOpenCopy(tb testing.TB, tmpl string) *TestDB {
	tb.Helper()
	db, err := store.Open(context.Background(), copyDB(tb, tmpl))
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = stepClock(clockStart)
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	t := &TestDB{DB: db}
	for _, u := range []struct {
		name string
		dst  *review.User
	}{{"rey", &t.Reviewer}, {"rosa", &t.Reviewer2}, {"eda", &t.Editor}, {"ed", &t.Editor2},
		{"audrey", &t.Auditor}, {"adam", &t.Admin}} {
		found, err := db.FindUserByName(context.Background(), u.name)
		if review.ErrorCode(err) == review.ENOTFOUND {
			continue // the demo has no second reviewer
		} else if err != nil {
			tb.Fatal(err)
		}
		*u.dst = found
	}
	return t
}

// rawDB opens a second, plain connection pool on the database file, as an
// outside program would.
func rawDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { raw.Close() })
	return raw
}

// tables are the tables whose rows a change writes.
var tables = []string{"users", "reports", "editions", "sections", "claims", "revisions", "sources", "evidence",
	"notes", "flags", "appearances", "events", "tlog_hashes"}

// snapshot counts the rows of every table, and sums a digest of each
// table's content, so that an update is seen as well as an insert.
func snapshot(tb testing.TB, db *TestDB) map[string]string {
	tb.Helper()
	raw := rawDB(tb, db.Path)
	m := map[string]string{}
	for _, tbl := range tables {
		var n int
		if err := raw.QueryRow("SELECT COUNT(*) FROM " + tbl).Scan(&n); err != nil {
			tb.Fatal(err)
		}
		rows, err := raw.Query("SELECT * FROM " + tbl + " ORDER BY rowid")
		if tbl == "sections" {
			rows, err = raw.Query("SELECT * FROM sections ORDER BY edition_id, ord")
		}
		if err != nil {
			tb.Fatal(err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", vals)
		}
		rows.Close()
		m[tbl] = fmt.Sprintf("%d rows, %x", n, hashString(b.String()))
	}
	return m
}

func hashString(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func assertUnchanged(tb testing.TB, before, after map[string]string) {
	tb.Helper()
	for _, tbl := range tables {
		if before[tbl] != after[tbl] {
			tb.Errorf("table %s changed: %s, then %s", tbl, before[tbl], after[tbl])
		}
	}
}

func mustHead(tb testing.TB, db *TestDB) review.ChainHead {
	tb.Helper()
	h, err := db.Head(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

// events returns the events after seq, oldest first.
func eventsAfter(tb testing.TB, db *TestDB, seq int64) []review.Event {
	tb.Helper()
	var es []review.Event
	if err := db.EachEvent(context.Background(), review.EventFilter{After: seq}, func(e review.Event) error {
		es = append(es, e)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return es
}

// quotes from the seed text, each occurring once.
const (
	quoteCaviar   = "Azerbaijan hosts a large illicit caviar trade."
	quoteCannabis = "Cannabis is grown locally to supply the domestic demand, but the drug has been exported abroad as well."
	quoteHeroin   = "Azerbaijan appears to be the main transit point for heroin and opium trafficked from Iran and Afghanistan to Russia and the EU."
	quoteArms     = "Although arms trafficking is reportedly extremely limited in Azerbaijan, increased legal arms imports to both countries could possibly nurture an illicit market."
)

// newClaim is a claim on quote; tests make several claims on one sentence
// on purpose, so the duplicate warning is confirmed (TestDuplicateClaim
// tries it).
func newClaim(quote, statement string) review.NewClaim {
	return review.NewClaim{Report: seedReport, Edition: seedEdition, Quote: quote, Statement: statement, ConfirmDuplicate: true,
		Confidence: review.ConfidenceLow, Evidence: []review.NewEvidence{{
			Source:      review.NewSource{Title: "GOCI 2021: Azerbaijan", Publisher: "GI-TOC", URL: "https://ocindex.net/country/azerbaijan", Reliability: "B"},
			Credibility: 3, Stance: review.StanceSupports,
		}}}
}

func mustCreateClaim(tb testing.TB, db *TestDB, by review.User, quote, statement string) review.Claim {
	tb.Helper()
	c, err := db.CreateClaim(context.Background(), by, newClaim(quote, statement))
	if err != nil {
		tb.Fatalf("CreateClaim(%q): %v", quote, err)
	}
	return c
}

func mustPropose(tb testing.TB, db *TestDB, by review.User, claim, base int64, statement string) review.Revision {
	tb.Helper()
	r, err := db.ProposeRevision(context.Background(), by, review.NewRevision{ClaimID: claim, BaseID: base,
		Statement: statement, Confidence: review.ConfidenceModerate, Reason: "reworded"})
	if err != nil {
		tb.Fatalf("ProposeRevision(base %d): %v", base, err)
	}
	return r
}

func mustDecide(tb testing.TB, db *TestDB, by review.User, rev int64, approve bool) review.Revision {
	tb.Helper()
	r, err := db.DecideRevision(context.Background(), by, rev, approve, "checked against the report")
	if err != nil {
		tb.Fatalf("DecideRevision(%d, %v): %v", rev, approve, err)
	}
	return r
}

func mustFindClaim(tb testing.TB, db *TestDB, id int64) review.Claim {
	tb.Helper()
	c, err := db.FindClaim(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
