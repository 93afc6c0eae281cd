package store_test

import (
	"context"
	"testing"

	"vetted/review"
)

// TestSearchAcrossPieces: every term must match something said about the
// claim, but not all in the same piece of text.
func TestSearchAcrossPieces(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, "Azerbaijan hosts a large illicit caviar trade.", "Caviar is trafficked")
	if _, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: c.ID, Body: "Ask the sturgeon hatcheries in Neftchala"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		want int
	}{
		{"caviar", 1},                // the statement and the quote
		{"neftchala", 1},             // the note
		{"caviar neftchala", 1},      // statement and note together
		{"stur", 1},                  // a prefix
		{`"sturgeon hatcheries"`, 1}, // a phrase within the note
		{`"hatcheries sturgeon"`, 0}, // not that phrase
		{"caviar beluga", 0},         // every term must match
	} {
		t.Run(tc.q, func(t *testing.T) {
			_, n, err := db.FindClaims(ctx, review.ClaimFilter{Query: tc.q})
			if err != nil || n != tc.want {
				t.Errorf("FindClaims(%q) = %d, %v; want %d", tc.q, n, err, tc.want)
			}
		})
	}
}
