package store

import (
	"context"
	"slices"
	"testing"

	"vetted/review"
)

// TestSearchBounded: a word with more than review.SearchRows index entries
// is searched among its newest SearchRows only (unless the search is
// within one report), the page says it is partial, and ranked results put
// the claim mentioned most first.
func TestSearchBounded(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t)
	if p, err := db.FindClaimPage(ctx, review.ClaimFilter{Query: "caviar"}); err != nil || p.Partial || p.Total == 0 {
		t.Fatalf("caviar: %d found, partial %v, %v; want some, not partial", p.Total, p.Partial, err)
	}
	// Claim 11 is mentioned first; then the word fills the index past
	// SearchRows with mentions of claim 9; then claim 5 is mentioned 3
	// times and claim 2 once.
	tx, err := db.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO claim_search (body, claim_id) VALUES ('zebra', 11)"); err != nil {
		t.Fatal(err)
	}
	for range review.SearchRows {
		if _, err := tx.ExecContext(ctx, "INSERT INTO claim_search (body, claim_id) VALUES ('zebra', 9)"); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []int64{2, 5, 5, 5} {
		if _, err := tx.ExecContext(ctx, "INSERT INTO claim_search (body, claim_id) VALUES ('zebra crossing', ?)", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.commit(); err != nil {
		t.Fatal(err)
	}
	cs, total, err := db.FindClaims(ctx, review.ClaimFilter{Query: "zebra", Ranked: true})
	if err != nil {
		t.Fatal(err)
	}
	if total != 3 || len(cs) != 3 || cs[0].ID != 9 || cs[1].ID != 5 || cs[2].ID != 2 {
		t.Errorf("ranked zebra: total %d, %v; want claims 9, 5, 2 by mentions", total, ids(cs))
	}
	if p, err := db.FindClaimPage(ctx, review.ClaimFilter{Query: "zebra"}); err != nil || !p.Partial {
		t.Errorf("zebra: partial %v, %v; want partial", p.Partial, err)
	}
	if p, err := db.FindClaimPage(ctx, review.ClaimFilter{Query: "zebra", Report: "azerbaijan"}); err != nil || p.Partial {
		t.Errorf("zebra within the report: partial %v, %v; want every entry read", p.Partial, err)
	}
	// Unranked, by id; two terms must both find the claim.
	cs, _, err = db.FindClaims(ctx, review.ClaimFilter{Query: "zebra"})
	if err != nil || len(cs) != 3 || cs[0].ID != 2 {
		t.Errorf("unranked zebra: %v %v; want by id", ids(cs), err)
	}
	cs, total, err = db.FindClaims(ctx, review.ClaimFilter{Query: "zebra crossing", Ranked: true})
	if err != nil || total != 2 || len(cs) != 2 || cs[0].ID != 5 || cs[1].ID != 2 {
		t.Errorf("zebra crossing: total %d, %v, %v; want 5, 2", total, ids(cs), err)
	}
	// The search reads at most the newest SearchRows entries of zebra: the
	// claim mentioned before them is not found, but within its report it is.
	cs, _, _ = db.FindClaims(ctx, review.ClaimFilter{Query: "zebra", Limit: 500})
	for _, c := range cs {
		if c.ID == 11 {
			t.Error("a mention older than the newest SearchRows was found: the search is not bounded")
		}
	}
	cs, total, err = db.FindClaims(ctx, review.ClaimFilter{Query: "zebra", Report: "azerbaijan", Limit: 500})
	if err != nil || total != 4 || !slices.Contains(ids(cs), 11) {
		t.Errorf("zebra within the report: total %d, %v, %v; want every match, 11 among them", total, ids(cs), err)
	}
}

func ids(cs []review.Claim) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}
