package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSources: the link checker from the command line refuses a local
// address by default and, allowed, finds it dead; a regrade reaches every
// claim citing the source and is in the history.
func TestSources(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	defer dead.Close()
	db := setup(t)
	// One more claim, citing a page on the local server.
	line := demoLines(t)[1]
	line = strings.Replace(line, "https://ocindex.net/country/azerbaijan", dead.URL+"/profile", 1)
	line = strings.Replace(line, "Global Organized Crime Index 2021: Azerbaijan", "A local copy of the profile", 1)
	line = strings.Replace(line, `"Human trafficking in Azerbaijan generally takes the form of sexual exploitation and forced labour."`,
		`"Both male and female victims are trafficked domestically and abroad, usually to Russia, Turkey and the UAE."`, 1)
	f := filepath.Join(t.TempDir(), "one.jsonl")
	if err := os.WriteFile(f, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "", "claims", "import", "--db", db, "--actor", "rey", f)

	var ss []struct {
		ID   int64  `json:"id"`
		URL  string `json:"url"`
		Link struct {
			Status string `json:"status"`
		} `json:"link"`
		Reliability string `json:"reliability"`
	}
	list := func(args ...string) {
		t.Helper()
		ss = nil
		if err := json.Unmarshal([]byte(mustRun(t, "", append([]string{"sources", "list", "--db", db, "--json"}, args...)...)), &ss); err != nil {
			t.Fatal(err)
		}
	}
	list()
	var id int64
	for _, s := range ss {
		if strings.HasPrefix(s.URL, dead.URL) {
			id = s.ID
		}
	}
	if id == 0 {
		t.Fatal("the local source was not recorded")
	}
	ids := []string{"--id", itoa64(id)}
	out := mustRun(t, "", append([]string{"sources", "check", "--db", db, "--timeout", "2s"}, ids...)...)
	if !strings.Contains(out, "refused") {
		t.Errorf("a local address checked without --allow-private:\n%s", out)
	}
	out = mustRun(t, "", append([]string{"sources", "check", "--db", db, "--allow-private", "--actor", "eda"}, ids...)...)
	if !strings.Contains(out, "dead") {
		t.Errorf("the dead local page:\n%s", out)
	}
	list("--bad")
	if len(ss) != 1 || ss[0].Link.Status != "dead" {
		t.Errorf("sources list --bad: %+v", ss)
	}
	seq := headSeq(t, db)
	mustRun(t, "", append([]string{"sources", "grade", "--db", db, "--reliability", "E", "--reason", "A mirror of unknown provenance.", "--actor", "eda"}, ids...)...)
	if headSeq(t, db) != seq+1 {
		t.Error("a regrade is not one event")
	}
	hist := mustRun(t, "", "export", "--db", db, "--format", "jsonl")
	if !strings.Contains(hist, `"action":"source.graded"`) || strings.Count(hist, `"action":"source.checked"`) != 2 {
		t.Errorf("history lacks the regrade or the two checks")
	}
	if r := cli(t, "", append([]string{"sources", "grade", "--db", db, "--reliability", "E", "--reason", "again", "--actor", "rey"}, ids...)...); r.code != exitFail {
		t.Errorf("a reviewer regrades: exit %d", r.code)
	}
	// Everything this wrote is in the history: the records check agrees.
	if out := mustRun(t, "", "verify", "--db", db); !strings.Contains(out, "records OK") {
		t.Errorf("verify --db after the test: %s", out)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
