package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
	"vetted/store"
)

// The tests here check vetted's checkpoints and proofs with x/mod's note
// and tlog packages alone, as an auditor or witness would: nothing of
// vetted's own is trusted to read them.

// outsideTree is the tree an outsider builds from an export's event hashes.
type outsideTree []tlog.Hash

func (t outsideTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = t[x]
	}
	return out, nil
}

// exportHashes reads the event hashes of a JSONL export, in order.
func exportHashes(t *testing.T, export string) []string {
	t.Helper()
	var hs []string
	for _, line := range strings.Split(strings.TrimSpace(export), "\n") {
		var e struct {
			Seq  int64  `json:"seq"`
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e.Seq > 0 {
			hs = append(hs, e.Hash)
		}
	}
	return hs
}

func outsideRoot(t *testing.T, hashes []string, n int64) tlog.Hash {
	t.Helper()
	var tree outsideTree
	for i, h := range hashes[:n] {
		hs, err := tlog.StoredHashes(int64(i), []byte(h), tree)
		if err != nil {
			t.Fatal(err)
		}
		tree = append(tree, hs...)
	}
	root, err := tlog.TreeHash(n, tree)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// openNote checks a checkpoint with x/mod's note package and reads its
// three lines as the C2SP tlog-checkpoint spec defines them.
func openNote(t *testing.T, msg, pubFile string) (origin string, size int64, root tlog.Hash) {
	t.Helper()
	vkey, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		t.Fatalf("note.Open: %v\n%s", err, msg)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		t.Fatalf("checkpoint text %q", n.Text)
	}
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != 32 {
		t.Fatalf("root %q", lines[2])
	}
	return lines[0], size, tlog.Hash(h)
}

func addNote(t *testing.T, dbPath, body string) {
	t.Helper()
	db, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rey, _ := db.FindUserByName(context.Background(), "rey")
	if _, err := db.AddNote(context.Background(), rey, review.NewNote{ClaimID: 1, Body: body}); err != nil {
		t.Fatal(err)
	}
}

func TestTreeCheckpoint(t *testing.T) {
	dir := t.TempDir()
	dbPath := auditDemo(t)
	auditKeys(t, dir, "a", "b")
	keyA, pubA, pubB := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub"), filepath.Join(dir, "b.pub")
	code, cp, errOut := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
	if code != exitOK {
		t.Fatalf("checkpoint: exit %d: %s", code, errOut)
	}
	cpPath := auditWrite(t, filepath.Join(dir, "cp.note"), cp)
	_, export, _ := auditRun(t, "export", "--db", dbPath)
	exportPath := auditWrite(t, filepath.Join(dir, "history.jsonl"), export)
	hashes := exportHashes(t, export)

	t.Run("Independent", func(t *testing.T) {
		origin, size, root := openNote(t, cp, pubA)
		if origin != "vetted.example.org/a" || size != int64(len(hashes)) {
			t.Errorf("origin %q size %d, want %d events", origin, size, len(hashes))
		}
		if want := outsideRoot(t, hashes, size); root != want {
			t.Errorf("root %v, the export's events make %v", root, want)
		}
	})
	t.Run("Verify", func(t *testing.T) {
		code, out, errOut := auditRun(t, "verify", exportPath, "--checkpoint", cpPath, "--pubkey", pubA)
		if code != exitOK || !strings.Contains(out, "checkpoint OK: vetted.example.org/a tree size "+strconv.Itoa(len(hashes))) {
			t.Errorf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("Stdin", func(t *testing.T) {
		r := cli(t, export, "verify", "-", "--checkpoint", cpPath, "--pubkey", pubA)
		if r.code != exitOK || !strings.Contains(r.stdout, "standard input: OK") || !strings.Contains(r.stdout, "checkpoint OK") {
			t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if r := cli(t, export[:len(export)/2], "verify", "-"); r.code != exitFail {
			t.Errorf("half a file on stdin: exit %d", r.code)
		}
	})
	t.Run("OtherKey", func(t *testing.T) {
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", cpPath, "--pubkey", pubB)
		if code != exitFail || !strings.Contains(errOut, "REFUSED") || !strings.Contains(errOut, "not signed by the given key") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("TamperedNote", func(t *testing.T) {
		lines := strings.SplitN(cp, "\n", 3)
		bad := lines[0] + "\n" + strconv.Itoa(len(hashes)-1) + "\n" + lines[2]
		p := auditWrite(t, filepath.Join(dir, "bad.note"), bad)
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", p, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "changed after signing") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("Rewritten", func(t *testing.T) {
		p := auditWrite(t, filepath.Join(dir, "forged.jsonl"), auditForge(t, export, 5))
		code, _, errOut := auditRun(t, "verify", p, "--checkpoint", cpPath, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "[checkpoint-root]") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("OlderExport", func(t *testing.T) {
		addNote(t, dbPath, "Later.")
		_, newCP, _ := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
		p := auditWrite(t, filepath.Join(dir, "new.note"), newCP)
		code, _, errOut := auditRun(t, "verify", exportPath, "--checkpoint", p, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "[checkpoint-size]") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		// A newer export still holds the older checkpoint's tree.
		_, export2, _ := auditRun(t, "export", "--db", dbPath)
		e2 := auditWrite(t, filepath.Join(dir, "history2.jsonl"), export2)
		if code, out, errOut := auditRun(t, "verify", e2, "--checkpoint", cpPath, "--pubkey", pubA); code != exitOK {
			t.Errorf("exit %d: %s%s", code, out, errOut)
		}
	})
	t.Run("BadFiles", func(t *testing.T) {
		for name, tc := range map[string]struct{ key, pub, cp, want string }{
			"EmptyKey":     {key: "", want: "empty"},
			"GarbageKey":   {key: "hello\n", want: "PRIVATE+KEY+"},
			"PubAsKey":     {key: "@" + pubA, want: "verifier (public) key"},
			"KeyAsPub":     {pub: "@" + keyA, want: "private signer key"},
			"GarbagePub":   {pub: "x+y+z\n", want: "Not a valid verifier key"},
			"GarbageNote":  {cp: "not a note\n", want: "REFUSED"},
			"JSONAsNote":   {cp: `{"format":"vetted-checkpoint-v1"}`, want: "old JSON checkpoint"},
			"UnsignedNote": {cp: "vetted.example.org/a\n3\nAAAA\n", want: "REFUSED"},
		} {
			t.Run(name, func(t *testing.T) {
				file := func(v, def string) string {
					if strings.HasPrefix(v, "@") {
						return v[1:]
					}
					if v == "" && def != "" {
						return def
					}
					return auditWrite(t, filepath.Join(t.TempDir(), "f"), v)
				}
				var args []string
				if tc.pub == "" && tc.cp == "" {
					k := file(tc.key, "")
					os.Chmod(k, 0o600)
					args = []string{"checkpoint", "--db", dbPath, "--key", k}
				} else {
					args = []string{"verify", exportPath, "--checkpoint", file(tc.cp, cpPath), "--pubkey", file(tc.pub, pubA)}
				}
				code, _, errOut := auditRun(t, args...)
				if code != exitFail || !strings.Contains(errOut, tc.want) {
					t.Errorf("exit %d: %s", code, errOut)
				}
			})
		}
	})
}

func TestProof(t *testing.T) {
	dir := t.TempDir()
	dbPath := auditDemo(t)
	auditKeys(t, dir, "a")
	keyA, pubA := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub")
	_, cp1, _ := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
	addNote(t, dbPath, "Another.")
	addNote(t, dbPath, "And another.")
	_, cp2, _ := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
	_, n1, root1 := openNote(t, cp1, pubA)
	_, n2, root2 := openNote(t, cp2, pubA)
	_, export, _ := auditRun(t, "export", "--db", dbPath)
	hashes := exportHashes(t, export)

	readProof := func(t *testing.T, out string) []tlog.Hash {
		t.Helper()
		var hs []tlog.Hash
		for _, line := range strings.Fields(out) {
			b, err := base64.StdEncoding.DecodeString(line)
			if err != nil || len(b) != 32 {
				t.Fatalf("proof line %q", line)
			}
			hs = append(hs, tlog.Hash(b))
		}
		return hs
	}
	t.Run("Consistency", func(t *testing.T) {
		out := mustRun(t, "", "proof", "--db", dbPath, "--old", strconv.FormatInt(n1, 10), "--new", strconv.FormatInt(n2, 10))
		if err := tlog.CheckTree(readProof(t, out), n2, root2, n1, root1); err != nil {
			t.Errorf("tlog.CheckTree: %v\n%s", err, out)
		}
		// A proof between a rewritten past and the head fails.
		forged := exportHashes(t, auditForge(t, export, 3))
		if err := tlog.CheckTree(readProof(t, out), n2, root2, n1, outsideRoot(t, forged, n1)); err == nil {
			t.Error("a rewritten past passed the consistency proof")
		}
	})
	t.Run("Inclusion", func(t *testing.T) {
		for _, seq := range []int64{1, 2, n1, n2} {
			out := mustRun(t, "", "proof", "--db", dbPath, "--seq", strconv.FormatInt(seq, 10), "--size", strconv.FormatInt(n2, 10))
			if err := tlog.CheckRecord(readProof(t, out), n2, root2, seq-1, tlog.RecordHash([]byte(hashes[seq-1]))); err != nil {
				t.Errorf("tlog.CheckRecord(seq %d): %v", seq, err)
			}
		}
	})
	t.Run("Errors", func(t *testing.T) {
		n := strconv.FormatInt(n2, 10)
		for _, tc := range []struct {
			args []string
			code int
			want string
		}{
			{[]string{"--old", "5", "--new", "4"}, exitFail, "only grows"},
			{[]string{"--old", "0", "--new", "4"}, exitFail, "start at 1"},
			{[]string{"--old", "-3", "--new", "4"}, exitFail, "start at 1"},
			{[]string{"--old", "1", "--new", n + "0"}, exitFail, "no tree of size"},
			{[]string{"--seq", "5", "--size", "4"}, exitFail, "not in a tree of 4"},
			{[]string{"--seq", "0", "--size", "4"}, exitFail, "numbered from 1"},
			{[]string{"--seq", "1", "--size", n + "0"}, exitFail, "no tree of size"},
			{[]string{"--old", "x", "--new", "4"}, exitUsage, "invalid value"},
			{[]string{"--old", "1"}, exitUsage, "go together"},
			{[]string{"--seq", "1"}, exitUsage, "go together"},
			{[]string{"--old", "1", "--new", "2", "--seq", "1", "--size", "2"}, exitUsage, "not both"},
			{nil, exitUsage, "give --old"},
		} {
			r := cli(t, "", append([]string{"proof", "--db", dbPath}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("%v: exit %d, want %d with %q: %s", tc.args, r.code, tc.code, tc.want, r.stderr)
			}
		}
	})
}

// TestServeCheckpointFlags: a bad checkpoint key or interval stops serve
// before it listens.
func TestServeCheckpointFlags(t *testing.T) {
	dir := t.TempDir()
	auditKeys(t, dir, "a")
	db := filepath.Join(dir, "v.db")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--checkpoint-key", filepath.Join(dir, "a.pub")}, exitFail, "verifier (public) key"},
		{[]string{"--checkpoint-key", filepath.Join(dir, "none.key")}, exitFail, "Cannot read"},
		{[]string{"--checkpoint-key", filepath.Join(dir, "a.key"), "--checkpoint-interval", "0s"}, exitUsage, "must be positive"},
		{[]string{"--checkpoint-interval", "soon"}, exitUsage, "invalid value"},
		{[]string{"--history-check-interval", "-1s"}, exitUsage, "must be positive"},
		{[]string{"--full-history-check-every", "0s"}, exitUsage, "must be positive"},
		{[]string{"--max-active", "-2"}, exitUsage, "--max-active must be"},
		{[]string{"--max-active", "many"}, exitUsage, "invalid value"},
	} {
		r := cli(t, "", append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q: %s", tc.args, r.code, tc.code, tc.want, r.stderr)
		}
	}
}

// rawExec runs SQL on a database file as an outside program would.
func rawExec(t *testing.T, path string, qs ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range qs {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestVerifyDB: verify --db checks the chain, the tree, a checkpoint and
// the records against the history, and names what fails.
func TestVerifyDB(t *testing.T) {
	dir := t.TempDir()
	auditKeys(t, dir, "a")
	keyA, pubA := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub")
	t.Run("OK", func(t *testing.T) {
		dbPath := auditDemo(t)
		_, cp, _ := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
		cpPath := auditWrite(t, filepath.Join(t.TempDir(), "cp.note"), cp)
		code, out, errOut := auditRun(t, "verify", "--db", dbPath, "--checkpoint", cpPath, "--pubkey", pubA)
		if code != exitOK || !strings.Contains(out, "records OK") || !strings.Contains(out, "checkpoint OK") {
			t.Errorf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("RecordChanged", func(t *testing.T) {
		// The issue's own example: a statement changed in the file.
		dbPath := auditDemo(t)
		rawExec(t, dbPath, "UPDATE revisions SET statement = 'Something else' WHERE id = 1")
		code, _, errOut := auditRun(t, "verify", "--db", dbPath)
		if code != exitFail || !strings.Contains(errOut, "[records] claim 1: changed without an event") || !strings.Contains(errOut, "Something else") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("TruncatedAfterCheckpoint", func(t *testing.T) {
		dbPath := auditDemo(t)
		addNote(t, dbPath, "One.")
		addNote(t, dbPath, "Two.")
		_, cp, _ := auditRun(t, "checkpoint", "--db", dbPath, "--key", keyA)
		_, size, _ := openNote(t, cp, pubA)
		cpPath := auditWrite(t, filepath.Join(t.TempDir(), "cp.note"), cp)
		keep := size - 2
		rawExec(t, dbPath, "DROP TRIGGER events_no_delete", "DROP TRIGGER tlog_hashes_no_delete",
			"DELETE FROM events WHERE seq > "+strconv.FormatInt(keep, 10),
			"DELETE FROM tlog_hashes WHERE id >= "+strconv.FormatInt(tlog.StoredHashCount(keep), 10))
		code, _, errOut := auditRun(t, "verify", "--db", dbPath, "--checkpoint", cpPath, "--pubkey", pubA)
		if code != exitFail || !strings.Contains(errOut, "[checkpoint-size]") {
			t.Errorf("with the checkpoint: exit %d: %s", code, errOut)
		}
		// Without it, the notes left without their events still show.
		code, _, errOut = auditRun(t, "verify", "--db", dbPath)
		if code != exitFail || !strings.Contains(errOut, "notes: 3 in the tables, 1 in the history") {
			t.Errorf("without: exit %d: %s", code, errOut)
		}
	})
	t.Run("CutShortUnderVerifiedTree", func(t *testing.T) {
		// The server's history check recorded the tree it verified; events
		// cut from the end afterwards, with their tree hashes, leave a
		// chain and a tree that verify on their own.
		dbPath := auditDemo(t)
		addNote(t, dbPath, "One.")
		ctx := context.Background()
		db, err := store.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		th, err := db.TreeHead(ctx)
		if err == nil {
			err = db.RecordVerified(ctx, th)
		}
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if code, out, errOut := auditRun(t, "verify", "--db", dbPath); code != exitOK || !strings.Contains(out, "verified tree OK") {
			t.Fatalf("before: exit %d\n%s%s", code, out, errOut)
		}
		keep := th.Size - 1
		rawExec(t, dbPath, "DROP TRIGGER events_no_delete", "DROP TRIGGER tlog_hashes_no_delete",
			"DELETE FROM events WHERE seq > "+strconv.FormatInt(keep, 10),
			"DELETE FROM tlog_hashes WHERE id >= "+strconv.FormatInt(tlog.StoredHashCount(keep), 10))
		code, _, errOut := auditRun(t, "verify", "--db", dbPath)
		if code != exitFail || !strings.Contains(errOut, "[verified-tree]") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("TreeChanged", func(t *testing.T) {
		dbPath := auditDemo(t)
		rawExec(t, dbPath, "DROP TRIGGER tlog_hashes_no_update", "UPDATE tlog_hashes SET hash = zeroblob(32) WHERE id = 0")
		code, _, errOut := auditRun(t, "verify", "--db", dbPath)
		if code != exitFail || !strings.Contains(errOut, "[tree]") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("ErrUsage", func(t *testing.T) {
		for _, args := range [][]string{{"verify", "--db", "x.db", "file.jsonl"}, {"verify"}} {
			if code, _, _ := auditRun(t, args...); code != exitUsage {
				t.Errorf("%v: exit %d", args, code)
			}
		}
	})
}
