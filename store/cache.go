package store

import (
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
