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
	// A blind double review that ends in disagreement raises a flag too.
	if _, err := db.CreateUser(ctx, review.System, "ed", review.RoleEditor, "ed-password"); err != nil {
		t.Fatal(err)
	}
	d, err := db.RequestDoubleReview(ctx, eda, 3, "rey", "ed")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]review.Confidence{"rey": review.ConfidenceLow, "ed": review.ConfidenceHigh} {
		u, err := db.FindUserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.GradeDoubleReview(ctx, u, d.ID, c, "graded"); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "", "verify", "--db", path); !strings.Contains(out, "records OK") {
		t.Errorf("verify --db after assignments and a double review: %s", out)
	}
	hist := mustRun(t, "", "export", "--db", path, "--format", "jsonl")
	if got := strings.Count(hist, `"action":"claim.assigned"`); got != 4 {
		t.Errorf("%d claim.assigned events, want 4", got)
	}
}
