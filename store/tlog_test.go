package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
	"vetted/store"
)

// independentTree builds the Merkle tree over hashes with tlog alone, in
// memory: what an outside verifier holding the whole history computes.
type independentTree []tlog.Hash

func (t independentTree) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = t[x]
	}
	return out, nil
}

func buildIndependent(tb testing.TB, eventHashes []string) independentTree {
	tb.Helper()
	var t independentTree
	for i, h := range eventHashes {
		hs, err := tlog.StoredHashes(int64(i), []byte(h), t)
		if err != nil {
			tb.Fatal(err)
		}
		t = append(t, hs...)
	}
	return t
}

func allEventHashes(tb testing.TB, db *TestDB) []string {
	tb.Helper()
	var hs []string
	if err := db.EachEvent(context.Background(), review.EventFilter{}, func(e review.Event) error {
		hs = append(hs, e.Hash)
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	return hs
}

// TestTree: the tree the store keeps is the one tlog builds from the
// events' hashes, and its proofs pass tlog's own checks.
func TestTree(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	hashes := allEventHashes(t, db)
	ind := buildIndependent(t, hashes)
	n := int64(len(hashes))
	th, err := db.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := tlog.TreeHash(n, ind)
	if th.Size != n || th.Hash != want {
		t.Fatalf("TreeHead = %d %v, want %d %v", th.Size, th.Hash, n, want)
	}
	t.Run("ProveTree", func(t *testing.T) {
		for _, old := range []int64{1, 2, 3, 7, 8, 9, n / 2, n - 1, n} {
			for _, m := range []int64{old, old + 1, n/2 + 1, n} {
				if m < old || m > n {
					continue
				}
				p, err := db.ProveTree(ctx, old, m)
				if err != nil {
					t.Fatalf("ProveTree(%d, %d): %v", old, m, err)
				}
				oh, _ := tlog.TreeHash(old, ind)
				mh, _ := tlog.TreeHash(m, ind)
				if err := tlog.CheckTree(p, m, mh, old, oh); err != nil {
					t.Errorf("CheckTree(%d -> %d): %v", old, m, err)
				}
			}
		}
	})
	t.Run("ProveRecord", func(t *testing.T) {
		for _, size := range []int64{1, 5, n} {
			for seq := int64(1); seq <= size; seq++ {
				p, err := db.ProveRecord(ctx, seq, size)
				if err != nil {
					t.Fatalf("ProveRecord(%d, %d): %v", seq, size, err)
				}
				sh, _ := tlog.TreeHash(size, ind)
				if err := tlog.CheckRecord(p, size, sh, seq-1, tlog.RecordHash([]byte(hashes[seq-1]))); err != nil {
					t.Errorf("CheckRecord(seq %d in %d): %v", seq, size, err)
				}
			}
		}
	})
	t.Run("ReadTile", func(t *testing.T) {
		for _, tile := range tlog.NewTiles(8, 0, n) {
			got, err := db.ReadTile(ctx, tile)
			if err != nil {
				t.Fatalf("%s: %v", tile.Path(), err)
			}
			want, _ := tlog.ReadTileData(tile, ind)
			if string(got) != string(want) {
				t.Errorf("%s differs", tile.Path())
			}
		}
		if _, err := db.ReadTile(ctx, tlog.Tile{H: 8, L: 0, N: 0, W: int(n) + 1}); review.ErrorCode(err) != review.ENOTFOUND {
			t.Errorf("a tile past the end: %v", err)
		}
		if _, err := db.ReadTile(ctx, tlog.Tile{H: 8, L: 1, N: 0, W: 256}); review.ErrorCode(err) != review.ENOTFOUND {
			t.Errorf("a level-1 tile of a small log: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range [][2]int64{{0, 1}, {-1, 3}, {5, 4}, {1, n + 1}} {
			if _, err := db.ProveTree(ctx, c[0], c[1]); review.ErrorCode(err) != review.EINVALID {
				t.Errorf("ProveTree(%d, %d): %v", c[0], c[1], err)
			}
		}
		for _, c := range [][2]int64{{0, 1}, {-1, 3}, {5, 4}, {1, n + 1}, {1, 0}} {
			if _, err := db.ProveRecord(ctx, c[0], c[1]); review.ErrorCode(err) != review.EINVALID {
				t.Errorf("ProveRecord(%d, %d): %v", c[0], c[1], err)
			}
		}
	})
	t.Run("Grows", func(t *testing.T) {
		// A change appends to the tree in its own transaction.
		if _, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: 1, Body: "One more."}); err != nil {
			t.Fatal(err)
		}
		hashes := allEventHashes(t, db)
		ind := buildIndependent(t, hashes)
		th, err := db.TreeHead(ctx)
		want, _ := tlog.TreeHash(int64(len(hashes)), ind)
		if err != nil || th.Size != n+1 || th.Hash != want {
			t.Errorf("after a note: %d %v, %v", th.Size, th.Hash, err)
		}
	})
}

// TestTreeCatchUp: a database made before the tree existed gets its tree
// at open, the same as if it had always had one.
func TestTreeCatchUp(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	want, err := db.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, db.Path)
	// Later migrations go back too: a database from before migration 9 has
	// none of them.
	if err := store.UndoMigrations(ctx, raw, 9); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := store.Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	got, err := db2.TreeHead(ctx)
	if err != nil || got != want {
		t.Errorf("after catching up: %+v, %v; want %+v", got, err, want)
	}
}

// TestTreeSeeded measures a tree head, proofs and a full chain check on a
// large history: 20,000 seeded events, or $VETTED_TREE_EVENTS (the figures
// in the commit log were taken with 1,000,000). Timing decides nothing.
func TestTreeSeeded(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds many events")
	}
	n := int64(20_000)
	if v, err := strconv.ParseInt(os.Getenv("VETTED_TREE_EVENTS"), 10, 64); err == nil && v > 1 {
		n = v
	}
	ctx := context.Background()
	db := MustOpenEmptyDB(t)
	start := time.Now()
	if err := db.SeedEvents(ctx, int(n)); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeding %d events with their tree hashes: %v", n, time.Since(start))
	start = time.Now()
	th, err := db.TreeHead(ctx)
	if err != nil || th.Size != n {
		t.Fatal(th, err)
	}
	t.Logf("tree head: %v", time.Since(start))
	start = time.Now()
	p, err := db.ProveTree(ctx, n/3, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("consistency proof %d -> %d (%d hashes): %v", n/3, n, len(p), time.Since(start))
	old, _ := db.TreeHash(ctx, n/3)
	if err := tlog.CheckTree(p, n, th.Hash, n/3, old); err != nil {
		t.Error(err)
	}
	start = time.Now()
	rp, err := db.ProveRecord(ctx, n/2, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("inclusion proof of %d in %d (%d hashes): %v", n/2, n, len(rp), time.Since(start))
	start = time.Now()
	if _, err := db.ReadTile(ctx, tlog.Tile{H: 8, L: 0, N: n / 512, W: 256}); err != nil {
		t.Error(err)
	}
	t.Logf("a full level-0 tile: %v", time.Since(start))
	start = time.Now()
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
	t.Logf("full chain and tree check: %v", time.Since(start))
}
