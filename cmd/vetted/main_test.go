package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const (
	seedText   = "../../testdata/azerbaijan-2021.txt"
	seedClaims = "../../testdata/demo-claims.jsonl"
)

type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command line in-process.
func cli(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustRun(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	r := cli(tb, stdin, args...)
	if r.code != exitOK {
		tb.Fatalf("vetted %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// setup makes a database with an editor and a reviewer, the seed edition
// and the demo claims, through the command line itself.
func setup(tb testing.TB) string {
	tb.Helper()
	db := filepath.Join(tb.TempDir(), "vetted.db")
	mustRun(tb, "", "migrate", "--db", db)
	mustRun(tb, "eda-password\n", "user", "add", "--db", db, "--name", "eda", "--role", "editor", "--password-stdin")
	mustRun(tb, "rey-password\n", "user", "add", "--db", db, "--name", "rey", "--role", "reviewer", "--password-stdin")
	mustRun(tb, "", "import", "--db", db, "--report", "azerbaijan", "--edition", "2021", "--title", "GOCI Azerbaijan",
		"--published", "2021-09-28", "--actor", "eda", seedText)
	mustRun(tb, "", "claims", "import", "--db", db, "--actor", "rey", seedClaims)
	return db
}

func headSeq(tb testing.TB, db string) int64 {
	tb.Helper()
	var h struct {
		Seq  int64  `json:"seq"`
		Hash string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(mustRun(tb, "", "head", "--db", db, "--json")), &h); err != nil {
		tb.Fatal(err)
	}
	return h.Seq
}

func demoLines(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(seedClaims)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestCommands(t *testing.T) {
	db := setup(t)
	dir := filepath.Dir(db)
	nClaims := len(demoLines(t))

	t.Run("migrate", func(t *testing.T) {
		out := mustRun(t, "", "migrate", "--db", db)
		if !regexp.MustCompile(`schema version \d+`).MatchString(out) {
			t.Errorf("migrate printed %q", out)
		}
	})
	t.Run("user", func(t *testing.T) {
		out := mustRun(t, "", "user", "list", "--db", db)
		if !regexp.MustCompile(`(?m)^eda\s+editor\s+active`).MatchString(out) || !regexp.MustCompile(`(?m)^rey\s+reviewer\s+active`).MatchString(out) {
			t.Errorf("user list:\n%s", out)
		}
		if strings.Contains(out, "system") {
			t.Errorf("user list shows the system actor:\n%s", out)
		}
		mustRun(t, "audit-password\n", "user", "add", "--db", db, "--name", "aud", "--role", "auditor", "--password-stdin")
	})
	t.Run("user set", func(t *testing.T) {
		mustRun(t, "a-long-password\n", "user", "add", "--db", db, "--name", "tmp", "--role", "reviewer", "--password-stdin")
		mustRun(t, "", "user", "set", "--db", db, "--name", "tmp", "--role", "editor", "--disabled=true")
		out := mustRun(t, "", "user", "list", "--db", db)
		if !regexp.MustCompile(`(?m)^tmp\s+editor\s+disabled`).MatchString(out) {
			t.Errorf("user list after set:\n%s", out)
		}
		mustRun(t, "new-long-password\n", "user", "set", "--db", db, "--name", "tmp", "--password-stdin")
	})
	t.Run("import again", func(t *testing.T) {
		seq := headSeq(t, db)
		out := mustRun(t, "", "import", "--db", db, "--report", "azerbaijan", "--edition", "2021", seedText)
		if !strings.Contains(out, "nothing changed") || headSeq(t, db) != seq {
			t.Errorf("re-import: %q", out)
		}
	})
	t.Run("claims list --json", func(t *testing.T) {
		out := mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan", "--json")
		var cs []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &cs); err != nil {
			t.Fatal(err)
		}
		if len(cs) != nClaims {
			t.Fatalf("%d claims listed, want %d", len(cs), nClaims)
		}
		for _, k := range []string{"id", "revision", "state", "statement", "confidence", "flags", "anchor"} {
			if _, ok := cs[0][k]; !ok {
				t.Errorf("claim has no %q: %s", k, out[:min(400, len(out))])
			}
		}
		var full []struct {
			ID         int64  `json:"id"`
			Revision   int64  `json:"revision"`
			State      string `json:"state"`
			Statement  string `json:"statement"`
			Confidence string `json:"confidence"`
			Flags      []struct {
				Kind   string `json:"kind"`
				Reason string `json:"reason"`
			} `json:"flags"`
			Anchor map[string]any `json:"anchor"`
		}
		if err := json.Unmarshal([]byte(out), &full); err != nil {
			t.Fatal(err)
		}
		c := full[0]
		if c.ID != 1 || c.Revision == 0 || c.State != "pending" || c.Statement != "Cigánska mafia exists" || c.Confidence != "unverified" {
			t.Errorf("first claim %+v", c)
		}
		if len(c.Flags) != 1 || c.Flags[0].Kind != "unverified" || !strings.Contains(c.Flags[0].Reason, "further research is needed") {
			t.Errorf("flags %+v", c.Flags)
		}
		for _, k := range []string{"edition", "match", "start", "end", "exact", "section", "similarity"} {
			if _, ok := c.Anchor[k]; !ok {
				t.Errorf("anchor has no %q: %v", k, c.Anchor)
			}
		}
		if c.Anchor["edition"] != "2021" || c.Anchor["match"] != "original" || c.Anchor["section"] != "CRIMINAL ACTORS" ||
			c.Anchor["similarity"] != 1.0 || c.Anchor["end"].(float64) <= c.Anchor["start"].(float64) ||
			!strings.HasPrefix(c.Anchor["exact"].(string), "Limited information points towards") {
			t.Errorf("anchor %v", c.Anchor)
		}
		// With --edition the same anchors are shown.
		out2 := mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan", "--edition", "2021", "--json")
		if out2 != out {
			t.Error("--edition 2021 lists something else than the default latest edition")
		}
		// Without --json, a table.
		if tbl := mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan"); strings.Count(tbl, "\n") != nClaims+1 {
			t.Errorf("table has %d lines", strings.Count(tbl, "\n"))
		}
	})
	t.Run("claims show", func(t *testing.T) {
		var c struct {
			ID    int64 `json:"id"`
			Notes []any `json:"notes"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "", "claims", "show", "--db", db, "1")), &c); err != nil {
			t.Fatal(err)
		}
		if c.ID != 1 || len(c.Notes) != 1 {
			t.Errorf("claim %+v", c)
		}
	})
	jsonl := filepath.Join(dir, "history.jsonl")
	t.Run("export jsonl and verify", func(t *testing.T) {
		out := mustRun(t, "", "export", "--db", db, "--format", "jsonl")
		if err := os.WriteFile(jsonl, []byte(out), 0o600); err != nil {
			t.Fatal(err)
		}
		seq := headSeq(t, db)
		v := mustRun(t, "", "verify", jsonl)
		if !strings.Contains(v, "OK, "+strconv.FormatInt(seq, 10)+" events") {
			t.Errorf("verify: %q, want %d events", v, seq)
		}
	})
	t.Run("export filtered", func(t *testing.T) {
		out := mustRun(t, "", "export", "--db", db, "--since", "2000-01-01T00:00:00Z", "--until", "2999-01-01T00:00:00Z")
		f := filepath.Join(dir, "filtered.jsonl")
		os.WriteFile(f, []byte(out), 0o600)
		if v := mustRun(t, "", "verify", f); !strings.Contains(v, "every event from seq 1 is accounted for") {
			t.Errorf("verify filtered: %q", v)
		}
	})
	t.Run("export csv", func(t *testing.T) {
		out := mustRun(t, "", "export", "--db", db, "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(recs)) != headSeq(t, db)+1 || recs[0][0] != "seq" || recs[1][0] != "1" {
			t.Errorf("%d records, header %v", len(recs), recs[0])
		}
	})
	t.Run("head", func(t *testing.T) {
		out := mustRun(t, "", "head", "--db", db)
		if !regexp.MustCompile(`^seq \d+\nhash [0-9a-f]{64}\ntime \S+\n$`).MatchString(out) {
			t.Errorf("head: %q", out)
		}
	})
	t.Run("backup", func(t *testing.T) {
		out := filepath.Join(dir, "backup.db")
		mustRun(t, "", "backup", "--db", db, out)
		if headSeq(t, out) != headSeq(t, db) {
			t.Error("backup has another head")
		}
		if r := cli(t, "", "backup", "--db", db, out); r.code != exitFail || !strings.Contains(r.stderr, "already exists") {
			t.Errorf("backup over a file: %+v", r)
		}
	})
	t.Run("verify tampered", func(t *testing.T) {
		b, err := os.ReadFile(jsonl)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		lines[4] = strings.Replace(lines[4], `"actor":"`, `"actor":"x`, 1)
		bad := filepath.Join(dir, "tampered.jsonl")
		os.WriteFile(bad, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
		r := cli(t, "", "verify", bad)
		if r.code != exitFail || !strings.Contains(r.stderr, "line 5 (seq 4)") {
			t.Errorf("verify tampered: exit %d, stderr %q; want 1 naming line 5 (seq 4)", r.code, r.stderr)
		}
		lines = strings.Split(strings.TrimSpace(string(b)), "\n")
		dropped := append(append([]string{}, lines[:3]...), lines[4:]...)
		os.WriteFile(bad, []byte(strings.Join(dropped, "\n")+"\n"), 0o600)
		if r := cli(t, "", "verify", bad); r.code != exitFail || !strings.Contains(r.stderr, "line 4 (seq 4)") {
			t.Errorf("verify dropped line: exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("help", func(t *testing.T) {
		if r := cli(t, "", "help"); r.code != exitOK || !strings.Contains(r.stdout, "verify") {
			t.Errorf("help: %+v", r)
		}
		for _, c := range []string{"migrate", "import", "export", "verify", "backup", "head"} {
			if r := cli(t, "", c, "-h"); r.code != exitOK || !strings.Contains(r.stderr, "Usage: vetted "+c) {
				t.Errorf("%s -h: %+v", c, r)
			}
		}
	})
}

func TestCommandErrors(t *testing.T) {
	db := setup(t)
	dir := filepath.Dir(db)
	notes := filepath.Join(dir, "missing.txt")
	badClaims := filepath.Join(dir, "bad.jsonl")
	lines := demoLines(t)
	mixed := append(append(append([]string{}, lines[:4]...), `{"report":"azerbaijan","quote":"no such words here","statement":"s"}`, "not json"), lines[4:]...)
	if err := os.WriteFile(badClaims, []byte(strings.Join(mixed, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		want  []string // in stderr
	}{
		{"NoCommand", "", nil, exitUsage, []string{"Usage"}},
		{"UnknownCommand", "", []string{"frobnicate"}, exitUsage, []string{`unknown command "frobnicate"`}},
		{"UnknownFlag", "", []string{"import", "--db", db, "--bogus", seedText}, exitUsage, []string{"-bogus"}},
		{"UnknownSubcommand", "", []string{"user", "remove"}, exitUsage, []string{`"remove"`}},
		{"MissingReport", "", []string{"import", "--db", db, "--edition", "2022", seedText}, exitUsage, []string{"--report"}},
		{"MissingFile", "", []string{"import", "--db", db, "--report", "azerbaijan", "--edition", "2022"}, exitUsage, []string{"missing argument"}},
		{"MissingName", "pw-long-enough", []string{"user", "add", "--db", db, "--role", "editor", "--password-stdin"}, exitUsage, []string{"--name"}},
		{"BadRole", "pw-long-enough", []string{"user", "add", "--db", db, "--name", "x", "--role", "root", "--password-stdin"}, exitUsage, []string{"--role", "root"}},
		{"SystemRole", "pw-long-enough", []string{"user", "add", "--db", db, "--name", "x", "--role", "system", "--password-stdin"}, exitUsage, []string{"--role"}},
		{"NoPasswordStdin", "", []string{"user", "add", "--db", db, "--name", "x", "--role", "editor"}, exitUsage, []string{"--password-stdin"}},
		{"ShortPassword", "short\n", []string{"user", "add", "--db", db, "--name", "x", "--role", "editor", "--password-stdin"}, exitFail, []string{"at least 8 characters"}},
		{"DuplicateUser", "long-enough\n", []string{"user", "add", "--db", db, "--name", "eda", "--role", "editor", "--password-stdin"}, exitFail, []string{"already exists"}},
		{"DuplicateUserOtherCase", "long-enough\n", []string{"user", "add", "--db", db, "--name", "EDA", "--role", "editor", "--password-stdin"}, exitFail, []string{"already exists"}},
		{"ConfusableUser", "long-enough\n", []string{"user", "add", "--db", db, "--name", "\u0435da", "--role", "admin", "--password-stdin"}, exitFail, []string{`mistaken for the existing user "eda"`}},
		{"BadDisabled", "", []string{"user", "set", "--db", db, "--name", "rey", "--disabled=maybe"}, exitUsage, []string{"--disabled"}},
		{"UnknownActor", "", []string{"claims", "import", "--db", db, "--actor", "nobody", seedClaims}, exitFail, []string{"nobody"}},
		{"BadPublished", "", []string{"import", "--db", db, "--report", "azerbaijan", "--edition", "2022", "--published", "28/09/2022", seedText}, exitUsage, []string{"--published", "28/09/2022"}},
		{"BadSince", "", []string{"export", "--db", db, "--since", "yesterday"}, exitUsage, []string{"--since", "yesterday"}},
		{"BadUntil", "", []string{"export", "--db", db, "--until", "2026-13-01"}, exitUsage, []string{"--until"}},
		{"BadFormat", "", []string{"export", "--db", db, "--format", "xml"}, exitUsage, []string{"--format", "xml"}},
		{"NonexistentFile", "", []string{"import", "--db", db, "--report", "azerbaijan", "--edition", "2022", notes}, exitFail, []string{notes}},
		{"DirectoryAsFile", "", []string{"import", "--db", db, "--report", "azerbaijan", "--edition", "2022", dir}, exitFail, []string{"folder"}},
		{"ClaimsNonexistentFile", "", []string{"claims", "import", "--db", db, "--actor", "rey", notes}, exitFail, []string{notes}},
		{"ClaimsDirectory", "", []string{"claims", "import", "--db", db, "--actor", "rey", dir}, exitFail, []string{dir}},
		{"ClaimsBadLines", "", []string{"claims", "import", "--db", db, "--actor", "rey", badClaims}, exitFail, []string{"line 5:", "line 6:", "nothing imported"}},
		{"ClaimsBadLinesAsEditor", "", []string{"claims", "import", "--db", db, "--actor", "eda", badClaims}, exitFail, []string{"line 5:"}},
		{"DifferentFileSameEdition", "", []string{"import", "--db", db, "--report", "azerbaijan", "--edition", "2021", seedClaims}, exitFail, []string{"already imported from a different file"}},
		{"VerifyNonexistent", "", []string{"verify", notes}, exitFail, []string{notes}},
		{"VerifyDirectory", "", []string{"verify", dir}, exitFail, nil},
		{"VerifyNotExport", "", []string{"verify", seedText}, exitFail, []string{"line 1"}},
		{"ShowBadID", "", []string{"claims", "show", "--db", db, "abc"}, exitUsage, []string{`"abc"`}},
		{"ShowMissing", "", []string{"claims", "show", "--db", db, "9999"}, exitFail, []string{"9999"}},
		{"ListUnknownReport", "", []string{"claims", "list", "--db", db, "--report", "atlantis"}, exitFail, []string{"atlantis"}},
		{"DBFolderMissing", "", []string{"migrate", "--db", filepath.Join(dir, "nope", "x.db")}, exitFail, []string{"does not exist"}},
		{"ExtraArgument", "", []string{"head", "--db", db, "extra"}, exitUsage, []string{`"extra"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq := headSeq(t, db)
			users := mustRun(t, "", "user", "list", "--db", db)
			r := cli(t, tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not contain %q", r.stderr, w)
				}
			}
			if r.code != exitOK && r.stdout != "" && tt.name != "NoCommand" {
				t.Errorf("a failed command printed to stdout: %q", r.stdout)
			}
			// Nothing half-written.
			if headSeq(t, db) != seq {
				t.Error("the history moved")
			}
			if mustRun(t, "", "user", "list", "--db", db) != users {
				t.Error("users changed")
			}
		})
	}
	t.Run("ClaimsBadLinesWroteNothing", func(t *testing.T) {
		out := mustRun(t, "", "claims", "list", "--db", db, "--report", "azerbaijan", "--json")
		var cs []any
		json.Unmarshal([]byte(out), &cs)
		if len(cs) != len(lines) {
			t.Errorf("%d claims, want the %d imported by setup", len(cs), len(lines))
		}
	})
	t.Run("NoDBCreatedByUsageError", func(t *testing.T) {
		p := filepath.Join(dir, "fresh.db")
		cli(t, "", "export", "--db", p, "--format", "xml")
		if _, err := os.Stat(p); err == nil {
			t.Error("a usage error created the database")
		}
	})
}

// TestClaimsImportInputs: a claims file with bytes that are not UTF-8 or a
// field given twice is refused whole, naming the line, as the web refuses
// such input.
func TestClaimsImportInputs(t *testing.T) {
	db := setup(t)
	dir := t.TempDir()
	for _, tt := range []struct{ name, content, want string }{
		{"NotUTF8", `{"report":"azerbaijan","edition":"2021","quote":"Cig` + "\xe1" + `nska mafia","statement":"s"}` + "\n", "line 1: not UTF-8 text"},
		{"DuplicateKey", `{"report":"azerbaijan","edition":"2021","quote":"Cigánska mafia","statement":"s"}` + "\n" +
			`{"report":"azerbaijan","edition":"2021","quote":"Cigánska mafia","statement":"s","statement":"t"}` + "\n", `line 2: the field "statement" is given twice`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, tt.name+".jsonl")
			if err := os.WriteFile(f, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			before := headSeq(t, db)
			r := cli(t, "", "claims", "import", "--db", db, "--actor", "rey", f)
			if r.code != exitFail || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d naming %q", r.code, r.stderr, exitFail, tt.want)
			}
			if after := headSeq(t, db); after != before {
				t.Errorf("history moved from %d to %d", before, after)
			}
		})
	}
}
