package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted"
	"vetted/review"
)

// TestEditionStatsFollowEveryChange: the report list's counts (kept by the
// edition_counts triggers) follow each kind of change they depend on, and
// after every step agree with a recount of the tables.
func TestEditionStatsFollowEveryChange(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	stats := func(t *testing.T) map[string]review.EditionStats {
		t.Helper()
		rs, err := db.ListReports(ctx)
		must(t, err)
		m := map[string]review.EditionStats{}
		for _, r := range rs {
			if r.Slug != seedReport {
				continue
			}
			for _, e := range r.Editions {
				m[e.Label] = e.Stats
			}
		}
		return m
	}
	recounted := func(t *testing.T, step string) {
		t.Helper()
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Fatalf("after %s: %v %v", step, ms, err)
		}
		if ms, err := db.CheckDerived(ctx); err != nil || len(ms) != 0 {
			t.Fatalf("after %s, the counts: %v %v", step, ms, err)
		}
	}
	recounted(t, "loading the demo")
	c := mustFindClaim(t, db, 3)
	edition := c.Anchor.Edition
	before := stats(t)[edition]
	if before.Claims == 0 || before.ByState[c.Latest.State] == 0 {
		t.Fatalf("demo edition %s counts nothing: %+v", edition, before)
	}

	t.Run("Flags", func(t *testing.T) {
		start := stats(t)[edition].Flagged
		var ids []int64
		for i := range 2 {
			f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: c.ID, Kind: review.FlagDisputed, Reason: "Not in the source."})
			must(t, err)
			ids = append(ids, f.ID)
			if got := stats(t)[edition].Flagged; got != start+1 {
				t.Errorf("after %d open flags on one claim: %d flagged, want %d (a claim counts once)", i+1, got, start+1)
			}
			recounted(t, "raising a flag")
		}
		for i, id := range ids {
			_, err := db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: id, Resolution: "Checked."})
			must(t, err)
			want := start + 1
			if i == len(ids)-1 {
				want = start
			}
			if got := stats(t)[edition].Flagged; got != want {
				t.Errorf("after resolving %d of %d flags: %d flagged, want %d", i+1, len(ids), got, want)
			}
			recounted(t, "resolving a flag")
		}
	})

	t.Run("Revisions", func(t *testing.T) {
		c := mustFindClaim(t, db, c.ID)
		from := c.Latest.State
		start := stats(t)[edition]
		r := mustPropose(t, db, db.Reviewer, c.ID, review.Head(c.Revisions), c.Latest.Statement+" (reworded)")
		st := stats(t)[edition]
		if st.ByState[review.StatePending] != start.ByState[review.StatePending]+1 || st.Claims != start.Claims ||
			(from != review.StatePending && st.ByState[from] != start.ByState[from]-1) {
			t.Errorf("a proposal on a %s claim: %v, was %v", from, st.ByState, start.ByState)
		}
		recounted(t, "a proposal")
		mustDecide(t, db, db.Editor, r.ID, true)
		if st := stats(t)[edition]; st.ByState[review.StateApproved] != start.ByState[review.StateApproved]+btoi(from != review.StateApproved) {
			t.Errorf("an approval: %v, was %v", st.ByState, start.ByState)
		}
		recounted(t, "an approval")
		r = mustPropose(t, db, db.Reviewer, c.ID, r.ID, c.Latest.Statement+" (again)")
		mustDecide(t, db, db.Editor, r.ID, false)
		recounted(t, "a rejection")
	})

	t.Run("Editions", func(t *testing.T) {
		reworded := "Women from the Philippines face a documented risk of domestic servitude."
		text := strings.Replace(string(vetted.DemoEdition), "Filipino \nwomen are reportedly vulnerable to domestic servitude.", reworded, 1)
		res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: c.Report, Label: "2025", Published: "2025-10-01", Original: []byte(text), Draft: true})
		must(t, err)
		recounted(t, "importing a draft edition")
		first := len(res.Outcomes)
		if st := stats(t)["2025"]; st.Claims != len(res.Outcomes) {
			t.Errorf("the new edition counts %d claims, its import had %d outcomes", st.Claims, len(res.Outcomes))
		}
		res, err = db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: c.Report, Label: "2025", Published: "2025-10-01", Original: []byte(text + "\nAn added paragraph.\n"), Draft: true, Replace: true})
		must(t, err)
		recounted(t, "replacing the draft")
		if st := stats(t)["2025"]; len(res.Outcomes) != first || st.Claims != first {
			t.Errorf("the replaced draft: %d outcomes, %d claims counted; the draft had %d", len(res.Outcomes), st.Claims, first)
		}
		var flag int64
		for _, o := range res.Outcomes {
			if o.Match == review.OutcomeMissing {
				if fs := mustFindClaim(t, db, o.ClaimID).Flags; len(fs) > 0 {
					flag = fs[0].ID
				}
			}
		}
		if flag == 0 {
			t.Fatal("the reworded sentence's claim is not missing, or has no open flag")
		}
		ed, err := db.FindEdition(ctx, c.Report, "2025")
		must(t, err)
		start := strings.Index(ed.Doc.Text, reworded)
		_, err = db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: flag, Resolution: "Reworded.",
			Reanchor: &review.Span{Edition: "2025", Start: start, End: start + len(reworded)}})
		must(t, err)
		recounted(t, "re-anchoring a claim by hand")
		if st := stats(t)["2025"]; st.ByMatch[review.OutcomeMissing] != 0 || st.ByMatch[review.OutcomeChanged] == 0 {
			t.Errorf("after re-anchoring the missing claim: %v", st.ByMatch)
		}
	})

	t.Run("Tampered", func(t *testing.T) {
		raw := rawDB(t, db.Path)
		for _, q := range []string{
			"UPDATE edition_counts SET claims = claims + 1 WHERE edition_id = (SELECT MIN(edition_id) FROM edition_counts)",
			"UPDATE claims SET latest_state = 'draft' WHERE id = (SELECT MIN(id) FROM claims WHERE latest_state <> 'draft')",
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := db.CheckDerived(ctx)
		if err != nil || len(ms) != 2 || !strings.Contains(ms[0].What, "counts: the table says") || !strings.Contains(ms[1].What, "latest state") {
			t.Fatalf("derived data changed by hand: %v %v, want the edition's counts and the claim's state", ms, err)
		}
		if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
			t.Errorf("the records are not what changed: %v %v", ms, err)
		}
		must(t, db.RebuildDerived(ctx))
		if ms, err := db.CheckDerived(ctx); err != nil || len(ms) != 0 {
			t.Errorf("after RebuildDerived: %v %v", ms, err)
		}
	})

	t.Run("Tampered totals", func(t *testing.T) {
		raw := rawDB(t, db.Path)
		for _, q := range []string{
			"UPDATE claim_totals SET n = n + 5 WHERE name = 'claims'",
			"UPDATE claims SET open_flags = 7 WHERE id = (SELECT MIN(id) FROM claims WHERE open_flags = 0)",
			"UPDATE flags SET claim_created_by = 999 WHERE id = (SELECT MIN(id) FROM flags)",
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := db.CheckDerived(ctx)
		var what []string
		for _, m := range ms {
			what = append(what, m.What)
		}
		all := strings.Join(what, "\n")
		for _, want := range []string{"open flags: the claim's row says 7, its flags 0", "claims: the table says", "flagged: the table says",
			"claim's creator: the flag's row says user 999"} {
			if err != nil || !strings.Contains(all, want) {
				t.Errorf("derived totals changed by hand: %q %v, want %q among them", what, err, want)
			}
		}
		must(t, db.RebuildDerived(ctx))
		if ms, err := db.CheckDerived(ctx); err != nil || len(ms) != 0 {
			t.Errorf("after RebuildDerived: %v %v", ms, err)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestEditionFilterCounts: a claims list of one edition counts its total
// from edition_counts (alone, within a report, with a state, a match or
// flagged), and the total is the number of claims the list holds.
func TestEditionFilterCounts(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	text := strings.Replace(string(vetted.DemoEdition), "Filipino \nwomen are reportedly vulnerable to domestic servitude.", "", 1)
	text = strings.Replace(text, "large illicit caviar trade", "significant illicit caviar trade", 1)
	if _, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2025", Published: "2025-10-01", Original: []byte(text)}); err != nil {
		t.Fatal(err)
	}
	yes := true
	for _, f := range []review.ClaimFilter{
		{Edition: "2025"},
		{Edition: "2021"},
		{Edition: "2025", Report: seedReport},
		{Edition: "2025", Report: "no-such-report"},
		{Edition: "2025", State: review.StatePending},
		{Edition: "2025", State: review.StateApproved},
		{Edition: "2025", Match: review.OutcomeMissing},
		{Edition: "2025", Match: review.OutcomeChanged},
		{Edition: "2025", Flagged: &yes},
		{Edition: "2025", State: review.StatePending, Match: review.OutcomeUnchanged}, // counted claim by claim
		{Edition: "2099"},
	} {
		all, n, err := db.FindClaims(ctx, review.ClaimFilter{Report: f.Report, Edition: f.Edition, State: f.State, Match: f.Match, Flagged: f.Flagged, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		_, total, err := db.FindClaims(ctx, review.ClaimFilter{Report: f.Report, Edition: f.Edition, State: f.State, Match: f.Match, Flagged: f.Flagged, Limit: 1})
		if err != nil || total != len(all) || n != len(all) {
			t.Errorf("%+v: total %d (page of 1), %d (page of all), %v; the list holds %d", f, total, n, err, len(all))
		}
	}
}
