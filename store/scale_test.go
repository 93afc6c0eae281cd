package store_test

import (
	"context"
	"os"
	"testing"

	"vetted/store"
)

// TestSeedScale: generated data, padded history included, is what its
// history says, as a real team's would be.
func TestSeedScale(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	text, err := os.ReadFile(seedText)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := os.ReadFile(seedClaims)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SeedScale(ctx, text, claims, store.Scale{Reports: 2, Events: 3000}); err != nil {
		t.Fatal(err)
	}
	if h, _ := db.Head(ctx); h.Seq != 3000 {
		t.Errorf("head seq %d, want the history padded to 3000", h.Seq)
	}
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
		t.Errorf("records: %v %v", ms, err)
	}
	if ms, err := db.CheckDerived(ctx); err != nil || len(ms) != 0 {
		t.Errorf("counts: %v %v", ms, err)
	}
}
