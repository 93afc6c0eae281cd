package web_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
	"vetted/store"
	"vetted/web"
)

// witness follows a log from outside with x/mod's note and tlog and plain
// HTTP, as a witness anywhere would: it keeps the last checkpoint it
// accepted and accepts a new one only with a consistency proof that it
// computes itself from the published hash tiles.
type witness struct {
	base string
	v    note.Verifier
	tree tlog.Tree
}

func (w *witness) get(path string) ([]byte, int, error) {
	res, err := http.Get(w.base + path)
	if err != nil {
		return nil, 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, res.StatusCode, err
}

// checkpoint fetches and checks the published checkpoint.
func (w *witness) checkpoint() (tlog.Tree, error) {
	msg, status, err := w.get("/checkpoint")
	if err != nil || status != 200 {
		return tlog.Tree{}, fmt.Errorf("GET /checkpoint: %d %v", status, err)
	}
	n, err := note.Open(msg, note.VerifierList(w.v))
	if err != nil {
		return tlog.Tree{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != w.v.Name() {
		return tlog.Tree{}, fmt.Errorf("checkpoint text %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return tlog.Tree{}, err
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != tlog.HashSize {
		return tlog.Tree{}, fmt.Errorf("root %q", lines[2])
	}
	return tlog.Tree{N: size, Hash: tlog.Hash(h)}, nil
}

// Height, ReadTiles and SaveTiles make the witness a tlog.TileReader over
// the C2SP tile paths (x/mod's paths without the height).
func (w *witness) Height() int { return 8 }

func (w *witness) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	var out [][]byte
	for _, t := range tiles {
		path := "/tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		b, status, err := w.get(path)
		if err != nil || status != 200 {
			return nil, fmt.Errorf("GET %s: %d %v", path, status, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func (w *witness) SaveTiles([]tlog.Tile, [][]byte) {}

// update accepts the published checkpoint if it extends the last one.
func (w *witness) update() (tlog.Tree, error) {
	tree, err := w.checkpoint()
	if err != nil {
		return tlog.Tree{}, err
	}
	if w.tree.N == 0 {
		w.tree = tree
		return tree, nil
	}
	if tree.N < w.tree.N {
		return tlog.Tree{}, fmt.Errorf("the log shrank from %d to %d", w.tree.N, tree.N)
	}
	// TileHashReader checks every tile it reads against tree's root.
	proof, err := tlog.ProveTree(tree.N, w.tree.N, tlog.TileHashReader(tree, w))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("reading the tiles: %w", err)
	}
	if err := tlog.CheckTree(proof, tree.N, tree.Hash, w.tree.N, w.tree.Hash); err != nil {
		return tlog.Tree{}, fmt.Errorf("consistency from %d to %d: %w", w.tree.N, tree.N, err)
	}
	w.tree = tree
	return tree, nil
}

// signingServer serves db with a checkpoint key.
func signingServer(t *testing.T, db *store.DB, signer note.Signer) (*httptest.Server, *web.Server) {
	t.Helper()
	keys := [][]byte{make([]byte, 64), make([]byte, 32)}
	for _, k := range keys {
		rand.Read(k)
	}
	srv, err := web.New(db, web.Config{SessionKeys: keys, Logger: discardLogger(), CheckpointSigner: signer})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs, srv
}

// rewritePast changes the actor of event seq in the database file and
// recomputes every hash after it and the whole tree, as someone with the
// file and no scruples would: the history verifies on its own again.
func rewritePast(t *testing.T, path string, seq int64) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{"DROP TRIGGER events_no_update", "DROP TRIGGER tlog_hashes_no_delete", "DELETE FROM tlog_hashes"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := raw.Query(`SELECT seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash
		FROM events WHERE seq >= ? ORDER BY seq`, seq)
	if err != nil {
		t.Fatal(err)
	}
	var es []review.Event
	for rows.Next() {
		var e review.Event
		if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.ActorRole, &e.Action, &e.EntityType, &e.EntityID,
			&e.Before, &e.After, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	rows.Close()
	prev := es[0].PrevHash
	for _, e := range es {
		if e.Seq == seq {
			e.Actor = "mallory"
		}
		e.PrevHash = prev
		e.Hash = review.ComputeHash(e)
		if _, err := raw.Exec("UPDATE events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", e.Actor, e.PrevHash, e.Hash, e.Seq); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
	raw.Close()
	// Opening the store rebuilds the tree from the rewritten events.
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// TestWitness: a witness follows the published checkpoints and tiles as
// the log grows, and detects a past rewritten under a new server signing
// with the same key; the server that signed the old past refuses to sign
// the rewritten one and says so on /healthz.
func TestWitness(t *testing.T) {
	ctx := context.Background()
	ts := MustServer(t)
	skey, vkey, err := note.GenerateKey(rand.Reader, "vetted.test/history")
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	hs, srv := signingServer(t, ts.DB, signer)
	w := &witness{base: hs.URL, v: verifier}
	if err := srv.PublishCheckpoint(ctx); err != nil {
		t.Fatal(err)
	}
	first, err := w.update()
	if err != nil {
		t.Fatal(err)
	}
	rey, _ := ts.DB.FindUserByName(ctx, "rey")
	// Grow the log across a tile boundary (256 records), checking at each
	// checkpoint.
	for round := 0; round < 3; round++ {
		for i := 0; i < 100; i++ {
			if _, err := ts.DB.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: fmt.Sprintf("Note %d.%d", round, i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := srv.PublishCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		tree, err := w.update()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if tree.N != first.N+int64(100*(round+1)) {
			t.Errorf("round %d: tree size %d", round, tree.N)
		}
	}
	t.Run("EntriesNotServed", func(t *testing.T) {
		for _, p := range []string{"/tile/entries/000", "/tile/data/000", "/tile/0/x999/999", "/tile/9/000", "/tile/0/abc",
			"/tile/0/x999/x999/x999/x999/x999/x999/x999/000", "/tile/-1/000", "/tile/0/000.p/0", "/tile/0/000.p/256", "/tile/5/000", "/tile/6/000"} {
			if _, status, _ := w.get(p); status != 404 {
				t.Errorf("%s: %d, want 404", p, status)
			}
		}
	})
	t.Run("RewrittenPast", func(t *testing.T) {
		rewritePast(t, ts.DB.Path, 5)
		// The server that signed the old past will not sign the new one.
		if err := srv.PublishCheckpoint(ctx); err == nil || !strings.Contains(err.Error(), "[checkpoint-consistency]") {
			t.Errorf("the running server signed a rewritten past: %v", err)
		}
		if status, body := Get(t, http.DefaultClient, hs.URL+"/healthz"); status != 503 || !strings.Contains(body, "history check failed") {
			t.Errorf("/healthz: %d %q", status, body)
		}
		db2, err := store.Open(ctx, ts.DB.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		// A new server started on the file refuses too: it starts from the
		// tree the old one recorded as verified.
		if _, restarted := signingServer(t, db2, signer); restarted.PublishCheckpoint(ctx) == nil || restarted.Broken() == "" ||
			!strings.Contains(restarted.Broken(), "[verified-tree]") {
			t.Errorf("a restarted server signed a past rewritten under the recorded tree: %q", restarted.Broken())
		}
		// Whoever rewrote the file removes that record as well; a new
		// server with the same key then signs the rewritten past, and the
		// witness, holding the old checkpoint, refuses.
		rawExec(t, ts.DB.Path, "DELETE FROM history_verified")
		hs2, srv2 := signingServer(t, db2, signer)
		rey2, _ := db2.FindUserByName(ctx, "rey")
		db2.AddNote(ctx, rey2, review.NewNote{ClaimID: 1, Body: "After the rewrite."})
		if err := srv2.PublishCheckpoint(ctx); err != nil {
			t.Fatal(err)
		}
		w.base = hs2.URL
		if _, err := w.update(); err == nil {
			t.Error("the witness accepted a checkpoint over a rewritten past")
		} else {
			t.Logf("witness: %v", err)
		}
	})
}

// TestRunCheckpoints: the server signs at start and again after the log
// grows, on its interval.
func TestRunCheckpoints(t *testing.T) {
	ts := MustServer(t)
	skey, vkey, _ := note.GenerateKey(rand.Reader, "vetted.test/run")
	signer, _ := note.NewSigner(skey)
	verifier, _ := note.NewVerifier(vkey)
	hs, srv := signingServer(t, ts.DB, signer)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.RunCheckpoints(ctx, 20*time.Millisecond)
	w := &witness{base: hs.URL, v: verifier}
	waitFor := func(ok func(tlog.Tree) bool) tlog.Tree {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			tree, err := w.checkpoint()
			if err == nil && ok(tree) {
				return tree
			}
			if time.Now().After(deadline) {
				t.Fatalf("no such checkpoint: %v %v", tree, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	first := waitFor(func(tlog.Tree) bool { return true })
	rey, _ := ts.DB.FindUserByName(ctx, "rey")
	if _, err := ts.DB.AddNote(ctx, rey, review.NewNote{ClaimID: 1, Body: "More."}); err != nil {
		t.Fatal(err)
	}
	waitFor(func(tree tlog.Tree) bool { return tree.N == first.N+1 })
	t.Run("NoKey", func(t *testing.T) {
		if status, _ := Get(t, http.DefaultClient, ts.URL+"/checkpoint"); status != 404 {
			t.Errorf("/checkpoint without a key: %d, want 404", status)
		}
	})
}

// rawExec runs statements on the database file behind the store's back.
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
