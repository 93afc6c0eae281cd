package web

import (
	"context"
	"testing"
	"time"
)

// TestHashSlots: a sign-in waits for a free password check, and gives up
// when its request ends or hashWait passes, rather than queueing without
// bound (each check holds 19 MiB).
func TestHashSlots(t *testing.T) {
	s := &Server{hashing: make(chan struct{}, 1)}
	if !s.acquireHash(context.Background()) {
		t.Fatal("a free slot was refused")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if s.acquireHash(ctx) {
		t.Fatal("a second check ran while the only slot was taken")
	}
	s.releaseHash()
	if !s.acquireHash(context.Background()) {
		t.Fatal("a slot given back was refused")
	}
}
