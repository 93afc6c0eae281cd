package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"vetted/review"
)

// TestGroupCommit writes from many goroutines at once, some of them writes
// that fail inside their transaction: every write that succeeded is kept,
// none that failed is, the history verifies, and commits were shared.
func TestGroupCommit(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	before := mustHead(t, db)
	const writers, each = 24, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				claim := int64(1 + (w+i)%5)
				if w%4 == 3 {
					claim = 999999 // fails after begin: the claim is looked up inside
				}
				_, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: claim, Body: fmt.Sprintf("group note %d/%d", w, i)})
				if claim == 999999 {
					if review.ErrorCode(err) != review.ENOTFOUND {
						errs <- fmt.Errorf("writer %d: a note on a missing claim: %v, want not found", w, err)
					}
				} else if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ok := writers / 4 * 3 * each
	after, err := db.VerifyChain(ctx)
	if err != nil {
		t.Fatalf("history after concurrent writes: %v", err)
	}
	if got := after.Seq - before.Seq; got != int64(ok) {
		t.Errorf("%d events written, want one per successful note, %d", got, ok)
	}
	var notes int
	for c := int64(1); c <= 5; c++ {
		cl, err := db.FindClaim(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range cl.Notes {
			var w, i int
			if _, err := fmt.Sscanf(n.Body, "group note %d/%d", &w, &i); err == nil {
				notes++
				if w%4 == 3 {
					t.Errorf("note %q from a failed write was kept", n.Body)
				}
			}
		}
	}
	if notes != ok {
		t.Errorf("%d notes kept, want %d", notes, ok)
	}
	if g := db.GroupsCommitted(); g >= int64(ok) {
		t.Errorf("%d commits for %d concurrent writes: no commit was shared", g, ok)
	} else {
		t.Logf("%d writes in %d commits", ok, g)
	}
}

// TestGroupConflictNamesCommittedRevision: when proposals on one claim race
// in one group, a loser's conflict names the winner's revision, which an
// earlier member of the same group wrote. By the time the loser's error is
// returned, that revision must be readable from the read pool (the web's
// conflict page reads it at once); a loser once returned before its group
// had committed.
func TestGroupConflictNamesCommittedRevision(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	const claim = 3
	for round := range 5 {
		c, err := db.FindClaim(ctx, claim)
		if err != nil {
			t.Fatal(err)
		}
		base := review.Head(c.Revisions)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := db.ProposeRevision(ctx, db.Reviewer, review.NewRevision{ClaimID: claim, BaseID: base,
					Statement: fmt.Sprintf("Round %d, writer %d.", round, i), Confidence: review.ConfidenceLow, Reason: "racing"})
				var ce *review.ConflictError
				if errors.As(err, &ce) {
					if _, err := db.FindRevision(ctx, ce.Head); err != nil {
						errs <- fmt.Errorf("the revision a conflict names, %d, is not readable yet: %v", ce.Head, err)
					}
				} else if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}
