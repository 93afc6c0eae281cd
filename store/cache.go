package store

import (
	"context"
	"slices"
	"sync"

	"vetted/review"
)

// versionCache keeps claims as they were read, each under the
// review.ClaimVersion it was read at in the same read transaction. Every
// change writes an event in its own transaction, from whichever process
// makes it, so the version moves with every change to what a kept claim
// holds: a claim kept under the version a reader sees now is never stale.
//
// It holds at most max entries; when full it forgets a quarter of them,
// chosen by map order (at random).
type versionCache[K comparable] struct {
	mu  sync.Mutex
	max int
	m   map[K]keptClaim
}

type keptClaim struct {
	v review.ClaimVersion
	c review.Claim
}

func (k *versionCache[K]) get(key K, v review.ClaimVersion) (review.Claim, bool) {
	k.mu.Lock()
	kept, ok := k.m[key]
	k.mu.Unlock()
	if !ok || kept.v != v {
		return review.Claim{}, false
	}
	return shareClaim(kept.c), true
}

// kept returns what is kept under key whatever its version, with that
// version: what a change can be applied to.
func (k *versionCache[K]) kept(key K) (review.ClaimVersion, review.Claim, bool) {
	k.mu.Lock()
	kept, ok := k.m[key]
	k.mu.Unlock()
	if !ok {
		return review.ClaimVersion{}, review.Claim{}, false
	}
	return kept.v, shareClaim(kept.c), true
}

func (k *versionCache[K]) put(key K, v review.ClaimVersion, c review.Claim) {
	c = shareClaim(c)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = make(map[K]keptClaim)
	}
	if _, ok := k.m[key]; !ok && len(k.m) >= k.max {
		n := len(k.m) / 4
		for old := range k.m {
			if n--; n < 0 {
				break
			}
			delete(k.m, old)
		}
	}
	k.m[key] = keptClaim{v, c}
}

// shareClaim copies c's lists, so that a caller appending to or reordering
// its copy cannot change what others are given. The records in them are
// values; only their own lists (a revision's evidence) stay shared, and
// nothing changes those.
func shareClaim(c review.Claim) review.Claim {
	c.Flags = slices.Clone(c.Flags)
	c.Revisions = slices.Clone(c.Revisions)
	c.Appearances = slices.Clone(c.Appearances)
	c.Notes = slices.Clone(c.Notes)
	c.AllFlags = slices.Clone(c.AllFlags)
	return c
}

// headCache keeps values read at one head of the history (the newest
// event's seq, read in the same transaction as the values), for what
// changes only with a write: every write appends an event in its own
// transaction, so while the head stands still the values do too. A value
// read at another head is never served; the first read at a new head
// drops the rest. It holds at most max values.
type headCache[K comparable, V any] struct {
	mu   sync.Mutex
	max  int
	head int64
	m    map[K]V
}

func (c *headCache[K, V]) get(head int64, key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head {
		var zero V
		return zero, false
	}
	v, ok := c.m[key]
	return v, ok
}

func (c *headCache[K, V]) put(head int64, key K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head || c.m == nil {
		if head < c.head {
			return // read in an older snapshot than what is kept
		}
		c.head, c.m = head, make(map[K]V)
	}
	if len(c.m) < c.max {
		c.m[key] = v
	}
}

// headSeq is the history's head as q sees it: 0 for none.
func headSeq(ctx context.Context, q queryer) (int64, error) {
	var head int64
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&head)
	return head, err
}
