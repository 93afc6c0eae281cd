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

// TestSearchPages: a search's pages, by number (ranked) or by cursor (by
// id), together hold each match once, every page says the same total, and
// the rest of the filter narrows the matches.
func TestSearchPages(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	all, total, err := db.FindClaims(ctx, review.ClaimFilter{Query: "trafficking", Limit: 500})
	if err != nil || total < 8 || len(all) != total {
		t.Fatalf("trafficking: %d of %d, %v; want a few pages of 3", len(all), total, err)
	}
	want := map[int64]bool{}
	for _, c := range all {
		want[c.ID] = true
	}
	walk := func(name string, next func(page []review.Claim, f *review.ClaimFilter)) {
		t.Helper()
		f := review.ClaimFilter{Query: "trafficking", Limit: 3, Ranked: name == "ranked"}
		seen := map[int64]bool{}
		for range 100 {
			cs, n, err := db.FindClaims(ctx, f)
			if err != nil || n != total {
				t.Fatalf("%s: page total %d, %v; want %d", name, n, err, total)
			}
			for _, c := range cs {
				if seen[c.ID] || !want[c.ID] {
					t.Errorf("%s: claim %d repeated or not a match", name, c.ID)
				}
				seen[c.ID] = true
			}
			if len(cs) < f.Limit {
				break
			}
			next(cs, &f)
		}
		if len(seen) != total {
			t.Errorf("%s: the pages hold %d claims, the search %d", name, len(seen), total)
		}
	}
	walk("ranked", func(_ []review.Claim, f *review.ClaimFilter) { f.Offset += f.Limit })
	walk("cursor", func(page []review.Claim, f *review.ClaimFilter) { f.After = page[len(page)-1].ID })
	approved, n, err := db.FindClaims(ctx, review.ClaimFilter{Query: "trafficking", State: review.StateApproved, Limit: 500})
	if err != nil || n == 0 || n >= total || len(approved) != n {
		t.Errorf("trafficking, approved: %d of %d, %v", n, total, err)
	}
	for _, c := range approved {
		if c.Latest.State != review.StateApproved || !want[c.ID] {
			t.Errorf("claim %d: %s, a match %v", c.ID, c.Latest.State, want[c.ID])
		}
	}
	if cs, n, err := db.FindClaims(ctx, review.ClaimFilter{Query: "trafficking", Offset: 10 * total}); err != nil || n != total || len(cs) != 0 {
		t.Errorf("past the last page: %d claims, total %d, %v", len(cs), n, err)
	}
}
