package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"vetted"
	"vetted/review"
	"vetted/store"
)

// auditRun runs the CLI in-process and returns its exit code and output.
func auditRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// auditDemo makes a demo database with a fixed clock and returns its path.
func auditDemo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vetted.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { now = now.Add(time.Second); return now }
	if _, err := db.LoadDemo(context.Background(), vetted.DemoEdition, vetted.DemoClaims); err != nil {
		t.Fatal(err)
	}
	return path
}

func auditWrite(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestKeygen(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "audit")
	code, out, errOut := auditRun(t, "keygen", "--out", prefix, "--name", "vetted.example.org/history")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st, err := os.Stat(prefix + ".key")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("private key: %v, %v", st, err)
	}
	priv, _ := os.ReadFile(prefix + ".key")
	pub, _ := os.ReadFile(prefix + ".pub")
	// The files are x/mod's note keys, read here by x/mod itself.
	s, err := note.NewSigner(strings.TrimSuffix(string(priv), "\n"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(strings.TrimSuffix(string(pub), "\n"))
	if err != nil || v.Name() != "vetted.example.org/history" || v.KeyHash() != s.KeyHash() {
		t.Fatalf("the verifier key is not the signer's: %v", err)
	}
	if !strings.Contains(out, strings.TrimSpace(string(pub))) {
		t.Errorf("output %q lacks the verifier key", out)
	}
	t.Run("ErrExists", func(t *testing.T) {
		os.Remove(prefix + ".pub")
		code, _, errOut := auditRun(t, "keygen", "--out", prefix, "--name", "x.example/log")
		if code != exitFail || !strings.Contains(errOut, "already exists") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		if again, _ := os.ReadFile(prefix + ".key"); !bytes.Equal(again, priv) {
			t.Error("the private key was overwritten")
		}
		if _, err := os.Stat(prefix + ".pub"); err == nil {
			t.Error("a public key was written beside the old private key")
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"keygen"},
			{"keygen", "--out", prefix + "2"},
			{"keygen", "--out", prefix + "2", "--name", "has space"},
			{"keygen", "--out", prefix + "2", "--name", "a+b"},
		} {
			if code, _, _ := auditRun(t, args...); code != exitUsage {
				t.Errorf("%v: exit %d", args, code)
			}
		}
	})
}

// auditKeys makes checkpoint key pairs named after names in dir.
func auditKeys(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, k := range names {
		if code, _, errOut := auditRun(t, "keygen", "--out", filepath.Join(dir, k), "--name", "vetted.example.org/"+k); code != exitOK {
			t.Fatal(errOut)
		}
	}
}

// TestLegacyCheckpoint: checkpoints in the old JSON format, signed before
// checkpoints became tree notes, still verify against exports.
func TestLegacyCheckpoint(t *testing.T) {
	dir := t.TempDir()
	dbPath := auditDemo(t)
	pub, priv, err := review.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubA := auditWrite(t, filepath.Join(dir, "a.pub"), string(review.MarshalPublicKey(pub)))
	pub2, _, _ := review.GenerateKey(rand.Reader)
	pubB := auditWrite(t, filepath.Join(dir, "b.pub"), string(review.MarshalPublicKey(pub2)))
	sign := func() string {
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		head, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		cp, err := review.Sign(head, priv, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return string(review.MarshalCheckpoint(cp))
	}
	cpJSON := sign()
	cp, err := review.ParseCheckpoint([]byte(cpJSON))
	if err != nil {
		t.Fatal(err)
	}
	cpPath := auditWrite(t, filepath.Join(dir, "cp.json"), cpJSON)
	_, export, _ := auditRun(t, "export", "--db", dbPath, "--format", "jsonl")
	exportPath := auditWrite(t, filepath.Join(dir, "history.jsonl"), export)

	t.Run("OK", func(t *testing.T) {
		// Flags after the file, as the synopsis shows them, and before it.
		for _, args := range [][]string{
			{"verify", exportPath, "--checkpoint", cpPath, "--pubkey", pubA},
			{"verify", "--checkpoint", cpPath, "--pubkey", pubA, exportPath},
		} {
			code, out, errOut := auditRun(t, args...)
			if code != exitOK || !strings.Contains(out, "checkpoint OK: seq "+auditItoa(cp.Seq)) || !strings.Contains(out, "every event before it") {
				t.Errorf("%v: exit %d\n%s%s", args, code, out, errOut)
			}
		}
	})
	t.Run("OtherKey", func(t *testing.T) {
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", cpPath, "--pubkey", pubB)
		if code != exitFail || !strings.Contains(errOut, "signed with key "+cp.KeyID) {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("TamperedCheckpoint", func(t *testing.T) {
		bad := strings.Replace(cpJSON, `"seq": `+auditItoa(cp.Seq), `"seq": `+auditItoa(cp.Seq-1), 1)
		p := auditWrite(t, filepath.Join(dir, "bad.json"), bad)
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", p, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "REFUSED") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("Rewritten", func(t *testing.T) {
		forged := auditForge(t, export, 5)
		p := auditWrite(t, filepath.Join(dir, "forged.jsonl"), forged)
		code, _, errOut := auditRun(t, "verify", p, "--checkpoint", cpPath, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "rewritten") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("OlderExport", func(t *testing.T) {
		db, err := store.Open(context.Background(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		rey, _ := db.FindUserByName(context.Background(), "rey")
		if _, err := db.AddNote(context.Background(), rey, review.NewNote{ClaimID: 1, Body: "Later."}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		p := auditWrite(t, filepath.Join(dir, "new.json"), sign())
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", p, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "older than the checkpoint") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("CannotSign", func(t *testing.T) {
		// The old private key format no longer signs: it says what to do.
		p := auditWrite(t, filepath.Join(dir, "old.key"), string(review.MarshalPrivateKey(priv)))
		os.Chmod(p, 0o600)
		code, _, errOut := auditRun(t, "checkpoint", "--db", dbPath, "--key", p)
		if code != exitFail || !strings.Contains(errOut, "keygen --out PREFIX --name ORIGIN") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

// auditForge changes the actor of event seq and recomputes every hash
// from there on, trailer included: a consistent rewrite.
func auditForge(t *testing.T, export string, seq int64) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(export, "\n"), "\n")
	var prev string
	var last review.Event
	for i := 1; i < len(lines)-1; i++ {
		var e review.Event
		if err := json.Unmarshal([]byte(lines[i]), &e); err != nil {
			t.Fatal(err)
		}
		if e.Seq == seq {
			e.Actor = "mallory"
		}
		if e.Seq > seq {
			e.PrevHash = prev
		}
		if e.Seq >= seq {
			e.Hash = review.ComputeHash(e)
			b, _ := json.Marshal(e)
			lines[i] = string(b)
		}
		prev, last = e.Hash, e
	}
	sum := sha256.Sum256([]byte(strings.Join(lines[:len(lines)-1], "\n") + "\n"))
	b, _ := json.Marshal(map[string]review.Trailer{"trailer": {Events: int64(len(lines) - 2), HeadSeq: last.Seq, HeadHash: last.Hash,
		Digest: hex.EncodeToString(sum[:])}})
	lines[len(lines)-1] = string(b)
	return strings.Join(lines, "\n") + "\n"
}

func auditItoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestVerifyBroken: every kind of damage fails and names the line.
func TestVerifyBroken(t *testing.T) {
	dir := t.TempDir()
	_, export, _ := auditRun(t, "export", "--db", auditDemo(t))
	lines := strings.SplitAfter(export, "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	join := func(ls ...string) string { return strings.Join(ls, "") }
	cases := map[string]struct {
		data string
		line string
	}{
		"ByteChanged":  {join(append(append([]string{}, lines[:3]...), append([]string{strings.Replace(lines[3], `"actor":"`, `"actor":"x`, 1)}, lines[4:]...)...)...), "line 4"},
		"LineDropped":  {join(append(append([]string{}, lines[:3]...), lines[4:]...)...), "line 4"},
		"LinesSwapped": {join(append(append(append([]string{}, lines[:3]...), lines[4], lines[3]), lines[5:]...)...), "line 4"},
		"Truncated":    {join(lines[:len(lines)-1]...), "truncated"},
		"CutMidLine":   {join(lines[:5]...) + lines[5][:20], "line 6"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := auditWrite(t, filepath.Join(dir, name+".jsonl"), tc.data)
			code, _, errOut := auditRun(t, "verify", p)
			if code != exitFail || !strings.Contains(errOut, "FAILED at") || !strings.Contains(errOut, tc.line) {
				t.Errorf("exit %d: %s", code, errOut)
			}
			if py := auditPythonVerify(t, p); py.ran && py.ok {
				t.Errorf("the documented Python verifier accepted it:\n%s", py.out)
			}
		})
	}
	t.Run("Python", func(t *testing.T) {
		p := auditWrite(t, filepath.Join(dir, "good.jsonl"), export)
		_, out, _ := auditRun(t, "verify", p)
		py := auditPythonVerify(t, p)
		if !py.ran {
			t.Skip("python3 is not installed")
		}
		head := regexp.MustCompile(`OK, \d+ events, head seq \d+ hash [0-9a-f]{64}`).FindString(out)
		if !py.ok || head == "" || !strings.Contains(py.out, head) {
			t.Errorf("vetted verify says %q; the Python verifier says %q", out, py.out)
		}
		_, filtered, _ := auditRun(t, "export", "--db", auditDemo(t), "--since", "2026-01-02T09:00:05Z")
		p = auditWrite(t, filepath.Join(dir, "filtered.jsonl"), filtered)
		_, out, _ = auditRun(t, "verify", p)
		py = auditPythonVerify(t, p)
		head = regexp.MustCompile(`OK, \d+ events, head seq \d+ hash [0-9a-f]{64}`).FindString(out)
		if !py.ok || head == "" || !strings.Contains(py.out, head) || !strings.Contains(py.out, "left out by the filter") {
			t.Errorf("filtered: vetted verify says %q; the Python verifier says %q", out, py.out)
		}
	})
}

// auditPython is the interpreter's own path: a version manager's shim in front
// of it takes seconds to start.
var auditPython = sync.OnceValue(func() string {
	py, err := exec.LookPath("python3")
	if err != nil {
		return ""
	}
	out, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})

type auditPyResult struct {
	ran, ok bool
	out     string
}

// auditPythonVerify runs the verifier script published in docs/HISTORY.md.
func auditPythonVerify(t *testing.T, path string) auditPyResult {
	t.Helper()
	py := auditPython()
	if py == "" {
		return auditPyResult{}
	}
	doc, err := os.ReadFile("../../docs/HISTORY.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```python\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/HISTORY.md has no python block")
	}
	script := filepath.Join(t.TempDir(), "verify_history.py")
	auditWrite(t, script, string(m[1]))
	out, err := exec.Command(py, script, path).CombinedOutput()
	return auditPyResult{ran: true, ok: err == nil, out: string(out)}
}

func TestExportClaims(t *testing.T) {
	dbPath := auditDemo(t)
	t.Run("CSV", func(t *testing.T) {
		code, out, errOut := auditRun(t, "export", "claims", "--db", dbPath, "--format", "csv", "--report", "azerbaijan")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) < 10 || rows[0][0] != "id" {
			t.Errorf("%d rows, %v", len(rows), err)
		}
	})
	for _, format := range []string{"annotation", "claimreview"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := auditRun(t, "export", "claims", "--db", dbPath, "--format", format,
				"--base-url", "https://vetted.example.org", "--org", "Desk")
			if code != exitOK || !json.Valid([]byte(out)) {
				t.Errorf("exit %d: %s", code, errOut)
			}
		})
	}
	t.Run("OrgURL", func(t *testing.T) {
		code, out, errOut := auditRun(t, "export", "claims", "--db", dbPath, "--format", "claimreview",
			"--base-url", "https://vetted.example.org", "--org", "Desk", "--org-url", "https://desk.example.org/")
		if code != exitOK || !strings.Contains(out, `"url": "https://desk.example.org/"`) {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("HistoryStillExports", func(t *testing.T) {
		code, out, _ := auditRun(t, "export", "--db", dbPath, "--format", "csv")
		if code != exitOK || !strings.HasPrefix(out, "seq,time,actor") {
			t.Errorf("exit %d: %.80s", code, out)
		}
	})
	for name, tc := range map[string]struct {
		args []string
		code int
	}{
		"NoBase":        {[]string{"--format", "annotation"}, exitUsage},
		"NoOrg":         {[]string{"--format", "claimreview", "--base-url", "https://x.example"}, exitUsage},
		"BadFormat":     {[]string{"--format", "xml"}, exitUsage},
		"BadBase":       {[]string{"--format", "annotation", "--base-url", "ftp://x"}, exitFail},
		"BadOrgURL":     {[]string{"--format", "claimreview", "--base-url", "https://x.example", "--org", "Desk", "--org-url", "desk.example"}, exitFail},
		"UnknownReport": {[]string{"--report", "nowhere"}, exitFail},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := auditRun(t, append([]string{"export", "claims", "--db", dbPath}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, errOut)
			}
		})
	}
}

func TestClaimsShowAsOf(t *testing.T) {
	dbPath := auditDemo(t)
	t.Run("OK", func(t *testing.T) {
		code, out, errOut := auditRun(t, "claims", "show", "--db", dbPath, "1", "--as-of", "2026-06-01T00:00:00Z")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var st struct {
			ID     int64                      `json:"id"`
			AsOf   time.Time                  `json:"as_of"`
			Latest struct{ Statement string } `json:"latest"`
			Notes  []review.Note              `json:"notes"`
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		if st.ID != 1 || st.Latest.Statement != "Cigánska mafia exists" || len(st.Notes) != 1 || st.AsOf.IsZero() {
			t.Errorf("got %+v", st)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		code, _, errOut := auditRun(t, "claims", "show", "--db", dbPath, "--as-of", "2025-01-01T00:00:00Z", "1")
		if code != exitFail || !strings.Contains(errOut, "did not exist") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		code, _, _ := auditRun(t, "claims", "show", "--db", dbPath, "1", "--as-of", "yesterday")
		if code != exitUsage {
			t.Errorf("exit %d", code)
		}
	})
}

// TestDocVerifierAgrees: the verifier script in docs/HISTORY.md and vetted
// verify give the same verdict on the same untouched and tampered files.
func TestDocVerifierAgrees(t *testing.T) {
	if auditPython() == "" {
		t.Skip("python3 is not installed")
	}
	dir := t.TempDir()
	dbPath := auditDemo(t)
	_, whole, _ := auditRun(t, "export", "--db", dbPath)
	_, filtered, _ := auditRun(t, "export", "--db", dbPath, "--since", "2026-01-02T09:00:05Z", "--until", "2026-01-02T09:00:40Z")
	lines := func(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }
	join := func(ls []string) string { return strings.Join(ls, "\n") + "\n" }
	with := func(s string, i int, f func(string) string) string {
		ls := lines(s)
		if i < 0 {
			i += len(ls)
		}
		ls[i] = f(ls[i])
		return join(ls)
	}
	drop := func(s string, i int) string {
		ls := lines(s)
		return join(append(ls[:i:i], ls[i+1:]...))
	}
	cases := []struct {
		name string
		data string
		ok   bool
	}{
		{"Whole", whole, true},
		{"Filtered", filtered, true},
		{"NoFinalNewline", strings.TrimSuffix(whole, "\n"), false},
		{"CRLF", strings.ReplaceAll(whole, "\n", "\r\n"), false},
		{"DuplicateKey", with(whole, 3, func(l string) string { return strings.TrimSuffix(l, "}") + `,"actor":"x"}` }), false},
		{"Reserialised", with(whole, 3, func(l string) string { return strings.Replace(l, `","`, `", "`, 1) }), false},
		{"KeysReordered", with(whole, 0, func(string) string { return `{"header":{"filtered":false,"format":"vetted-history-v2"}}` }), false},
		{"ExtraHeaderField", with(whole, 0, func(string) string { return `{"header":{"format":"vetted-history-v2","filtered":false,"x":1}}` }), false},
		{"RelabelledFiltered", with(whole, 0, func(string) string {
			return `{"header":{"format":"vetted-history-v2","filtered":true,"filter":"actor=eda"}}`
		}), false},
		{"FilteredLineDropped", drop(filtered, 3), false},
		{"FilteredOmittedDropped", drop(filtered, 1), false},
		{"FilteredLinesSwapped", func() string { ls := lines(filtered); ls[2], ls[3] = ls[3], ls[2]; return join(ls) }(), false},
		{"CountsEdited", with(filtered, -1, func(l string) string { return strings.Replace(l, `"events":`, `"events":1`, 1) }), false},
		{"FilterEdited", with(filtered, 0, func(l string) string { return strings.Replace(l, "09:00:05", "09:00:06", 1) }), false},
		{"Truncated", join(lines(whole)[:len(lines(whole))-1]), false},
		{"ValueChanged", with(whole, 5, func(l string) string { return strings.Replace(l, `"actor":"`, `"actor":"x`, 1) }), false},
		{"NumberAsFloat", with(whole, 1, func(l string) string { return strings.Replace(l, `{"seq":1,`, `{"seq":1.0,`, 1) }), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := auditWrite(t, filepath.Join(dir, tc.name+".jsonl"), tc.data)
			code, out, errOut := auditRun(t, "verify", p)
			py := auditPythonVerify(t, p)
			if (code == exitOK) != tc.ok || py.ok != tc.ok {
				t.Errorf("want ok=%v: vetted verify exit %d %s%s; the doc's script ok=%v %s", tc.ok, code, out, errOut, py.ok, py.out)
			}
			if !tc.ok && !regexp.MustCompile(`\[[a-z-0-9]+\]`).MatchString(errOut) {
				t.Errorf("vetted verify names no check: %s", errOut)
			}
		})
	}
}

// TestHistoryCSVValues: history.csv holds the JSONL's values exactly, read
// by Python's csv module, once the documented formula guard (a leading '
// added to a cell that begins with = + - @ tab CR or ') is removed: line
// breaks inside a value are kept as written, and the hashes recompute.
func TestHistoryCSVValues(t *testing.T) {
	py := auditPython()
	if py == "" {
		t.Skip("python3 is not installed")
	}
	dbPath := auditDemo(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	rey, _ := db.FindUserByName(ctx, "rey")
	for id, reason := range map[int64]string{
		1: "=1+1 a formula\r\nthen a CRLF, a lone \r and\na newline",
		2: "'starts with a quote, \"and has quotes\", and commas",
		3: "-3 points\ttab",
	} {
		c, err := db.FindClaim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ProposeRevision(ctx, rey, review.NewRevision{ClaimID: id, BaseID: c.Latest.ID,
			Statement: c.Latest.Statement + " (again)", Confidence: review.ConfidenceLow, Reason: reason}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, jsonl, _ := auditRun(t, "export", "--db", dbPath)
	_, csvText, _ := auditRun(t, "export", "--db", dbPath, "--format", "csv")
	dir := t.TempDir()
	csvPath := auditWrite(t, filepath.Join(dir, "history.csv"), csvText)
	script := auditWrite(t, filepath.Join(dir, "read.py"), `import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
# The documented guard: a cell that begins with ' had one added.
print(json.dumps([[c[1:] if c.startswith("'") else c for c in r] for r in rows]))
`)
	out, err := exec.Command(py, script, csvPath).Output()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatal(err)
	}
	var events []review.Event
	for _, line := range strings.Split(strings.TrimSpace(jsonl), "\n") {
		var e review.Event
		if json.Unmarshal([]byte(line), &e) == nil && e.Seq > 0 {
			events = append(events, e)
		}
	}
	if len(rows) != len(events)+1 || strings.Join(rows[0], ",") != strings.Join(review.EventCSVHeader, ",") {
		t.Fatalf("%d CSV rows for %d events; header %v", len(rows), len(events), rows[0])
	}
	tricky := 0
	for i, e := range events {
		r := rows[i+1]
		seq, _ := strconv.ParseInt(r[0], 10, 64)
		got := review.Event{Seq: seq, Time: r[1], Actor: r[2], ActorRole: r[3], Action: r[4], EntityType: r[5], EntityID: r[6],
			Before: r[7], After: r[8], Reason: r[9], PrevHash: r[10], Hash: r[11]}
		if got != e {
			t.Errorf("seq %d: the CSV says %+v\nthe JSONL %+v", e.Seq, got, e)
		}
		if review.ComputeHash(got) != e.Hash {
			t.Errorf("seq %d: the hash does not recompute from the CSV", e.Seq)
		}
		if strings.ContainsAny(e.Reason, "\r\n'=") {
			tricky++
		}
	}
	if tricky < 2 {
		t.Errorf("only %d tricky reasons reached the export", tricky)
	}
}
