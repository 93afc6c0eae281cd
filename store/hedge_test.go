package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

// TestHedgeDropped: claim 29's quote says officials "allegedly" influence
// the democratic process; the 2023 edition asserts it. With no new evidence
// since 2021 the claim gets a hedge-dropped flag; with a new source cited in
// between, the hedge change is flagged for a look but not as dropped.
func TestHedgeDropped(t *testing.T) {
	ctx := context.Background()
	kinds := func(t *testing.T, db *TestDB, id int64) map[review.FlagKind]review.Flag {
		t.Helper()
		c, err := db.FindClaim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		m := map[review.FlagKind]review.Flag{}
		for _, f := range c.AllFlags {
			m[f.Kind] = f
		}
		return m
	}
	importNext := func(t *testing.T, db *TestDB) {
		t.Helper()
		if _, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
			Published: "2023-09-26", Original: edition2023(t)}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("OK", func(t *testing.T) {
		db := MustOpenDemoDB(t)
		importNext(t, db)
		f, ok := kinds(t, db, 29)[review.FlagHedgeDropped]
		if !ok {
			t.Fatalf("claim 29 has no hedge-dropped flag: %v", kinds(t, db, 29))
		}
		if want := `"allegedly" in edition 2021, no hedge (asserted) in edition 2023. No new evidence was attached since edition 2021`; !strings.Contains(f.Reason, want) {
			t.Errorf("reason %q lacks %q", f.Reason, want)
		}
		// A claim whose hedge held is not flagged.
		if _, ok := kinds(t, db, 1)[review.FlagHedgeDropped]; ok {
			t.Error("claim 1 (still hedged) flagged hedge-dropped")
		}
	})
	t.Run("NewEvidence", func(t *testing.T) {
		db := MustOpenDemoDB(t)
		c, err := db.FindClaim(ctx, 29)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ProposeRevision(ctx, db.Reviewer, review.NewRevision{ClaimID: 29, BaseID: review.Head(c.Revisions),
			Statement: c.Latest.Statement, Topic: c.Latest.Topic, Confidence: c.Latest.Confidence, Reason: "A second source.",
			AddEvidence: []review.NewEvidence{{Source: review.NewSource{Title: "OSCE election observation report", Reliability: "B"},
				Credibility: 2, Stance: review.StanceSupports}}}); err != nil {
			t.Fatal(err)
		}
		importNext(t, db)
		ks := kinds(t, db, 29)
		if _, ok := ks[review.FlagHedgeDropped]; ok {
			t.Error("hedge-dropped flag despite new evidence")
		}
		if f, ok := ks[review.FlagOther]; !ok || !strings.Contains(f.Reason, "hedging changed") {
			t.Errorf("the hedge change is not flagged for a look: %v", ks)
		}
	})
}

// TestStaleEvidence: carried into 2023, a claim citing a source older than
// the 2021 edition is marked for re-check, naming the source; one citing
// only the 2021 profile is not; with a setting of 12 months, evidence from
// before 2022-09-26 is stale too.
func TestStaleEvidence(t *testing.T) {
	ctx := context.Background()
	staleFlag := func(t *testing.T, db *TestDB, id int64) (review.Flag, bool) {
		t.Helper()
		c, err := db.FindClaim(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range c.AllFlags {
			if f.Kind == review.FlagStaleEvidence {
				return f, true
			}
		}
		return review.Flag{}, false
	}
	for _, tc := range []struct {
		name       string
		months     int
		claim1     bool
		cutoffText string
	}{{"OK", 0, false, "dated before 2021-09-28"}, {"Months", 12, true, "dated before 2022-09-26"}} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpenDemoDB(t)
			db.StaleEvidenceMonths = tc.months
			head := mustHead(t, db)
			res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
				Published: "2023-09-26", Original: edition2023(t)})
			if err != nil {
				t.Fatal(err)
			}
			f, ok := staleFlag(t, db, 3)
			if !ok || !strings.Contains(f.Reason, tc.cutoffText) || !strings.Contains(f.Reason, "(2015-07-27)") {
				t.Errorf("claim 3: stale flag %v %q", ok, f.Reason)
			}
			if _, ok := staleFlag(t, db, 1); ok != tc.claim1 {
				t.Errorf("claim 1 (2021 profile only) stale: %v, want %v", ok, tc.claim1)
			}
			// Folded into each claim's one outcome event.
			if got, want := mustHead(t, db).Seq-head.Seq, int64(len(res.Outcomes)+1); got != want {
				t.Errorf("import wrote %d events, want %d", got, want)
			}
		})
	}
}
