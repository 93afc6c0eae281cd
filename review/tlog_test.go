package review

import (
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestTreeBuilder: Add, AddStored and the two in turn build the same tree,
// and its root is the one tlog computes from every stored hash, at every
// size.
func TestTreeBuilder(t *testing.T) {
	var add, stored, mixed TreeBuilder
	var all []tlog.Hash // every stored hash, as tlog keeps them
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = all[x]
		}
		return out, nil
	})
	for n := int64(1); n <= 130; n++ {
		h := fmt.Sprintf("%064x", n*7919)
		if err := add.Add(h); err != nil {
			t.Fatal(err)
		}
		hs, err := stored.AddStored(h)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, hs...)
		if n%3 == 0 {
			err = mixed.Add(h)
		} else {
			_, err = mixed.AddStored(h)
		}
		if err != nil {
			t.Fatal(err)
		}
		want, err := tlog.TreeHash(n, reader)
		if err != nil {
			t.Fatal(err)
		}
		r1, err1 := add.Root()
		r2, err2 := stored.Root()
		r3, err3 := mixed.Root()
		if err1 != nil || err2 != nil || err3 != nil || r1 != want || r2 != want || r3 != want ||
			add.Size() != n || stored.Size() != n || mixed.Size() != n {
			t.Fatalf("size %d: Add root %v (%v), AddStored %v (%v), mixed %v (%v), tlog %v", n, r1, err1, r2, err2, r3, err3, want)
		}
		// Started at this size from the stored hashes, a builder has the
		// same root, and the next record stores what tlog would.
		at, err := NewTreeBuilderAt(n, reader)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := at.Root(); err != nil || r != want || at.Size() != n {
			t.Fatalf("size %d: NewTreeBuilderAt root %v (%v), tlog %v", n, r, err, want)
		}
		next := fmt.Sprintf("%064x", (n+1)*7919)
		got, err := at.AddStored(next)
		if err != nil {
			t.Fatal(err)
		}
		wantNext, err := tlog.StoredHashes(n, LeafData(next), reader)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(wantNext) {
			t.Fatalf("size %d: the next record from NewTreeBuilderAt stores %v, tlog %v (%v)", n, got, wantNext, err)
		}
	}
}
