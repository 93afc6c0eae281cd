package main

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

// TestAssignmentsVerify: assignments, reassignments and the notes and
// decisions that notify are all in the history, so verify --db finds the
// records as the history says.
func TestAssignmentsVerify(t *testing.T) {
	path := setup(t)
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	eda, err := db.FindUserByName(ctx, "eda")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []review.NewAssignment{
		{ClaimID: 1, Assignee: "rey"},
		{ClaimID: 2, Assignee: "rey"},
		{ClaimID: 1, Assignee: "eda"},
		{ClaimID: 2},
	} {
		if _, err := db.Assign(ctx, eda, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddNote(ctx, eda, review.NewNote{ClaimID: 1, Body: "@rey look"}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "", "verify", "--db", path); !strings.Contains(out, "records OK") {
		t.Errorf("verify --db after assignments: %s", out)
	}
	hist := mustRun(t, "", "export", "--db", path, "--format", "jsonl")
	if got := strings.Count(hist, `"action":"claim.assigned"`); got != 4 {
		t.Errorf("%d claim.assigned events, want 4", got)
	}
}
