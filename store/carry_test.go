package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"vetted"

	"vetted/review"
)

// edition2023 builds a next edition from the seed: one sentence reworded a
// little, one deleted, one hedge dropped, lines re-wrapped, and a new
// market section the old edition did not have.
func edition2023(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile(seedText)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	for _, r := range []struct{ old, new string }{
		{"hosts a large illicit caviar trade", "hosts a significant illicit caviar trade"},
		{"cases, exploited sexually and through forced labour. Filipino \nwomen are reportedly vulnerable to domestic servitude.",
			"cases, exploited sexually and through forced labour."},
		{"Corrupt officials \nallegedly influence", "Corrupt officials \ninfluence"},
		{"Human smuggling dynamics in Azerbaijan are such that the \ncountry", "Human smuggling dynamics in Azerbaijan\nare such that the country"},
		{"CRIMINAL ACTORS\n", "CYBER-DEPENDENT CRIMES\nRansomware groups increasingly target Azerbaijani companies. Phishing \ncampaigns are common.\n\nCRIMINAL ACTORS\n"},
	} {
		if !strings.Contains(s, r.old) {
			tb.Fatalf("seed text lacks %q", r.old)
		}
		s = strings.Replace(s, r.old, r.new, 1)
	}
	return []byte(s)
}

func TestImportNextEdition(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	before, _, err := db.FindClaims(ctx, review.ClaimFilter{Report: seedReport, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	head := mustHead(t, db)

	res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
		Published: "2023-09-26", Original: edition2023(t)})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("EveryClaimOneOutcome", func(t *testing.T) {
		if got, want := len(res.Outcomes), len(before); got != want {
			t.Fatalf("%d outcomes for %d live claims", got, want)
		}
		seen := map[int64]bool{}
		for _, o := range res.Outcomes {
			if seen[o.ClaimID] {
				t.Errorf("claim %d has two outcomes", o.ClaimID)
			}
			seen[o.ClaimID] = true
		}
		// One event per claim outcome plus one for the edition.
		if got, want := mustHead(t, db).Seq-head.Seq, int64(len(before)+1); got != want {
			t.Errorf("import wrote %d events, want %d", got, want)
		}
	})

	outcome := map[int64]review.ClaimOutcome{}
	for _, o := range res.Outcomes {
		outcome[o.ClaimID] = o
	}
	t.Run("Outcomes", func(t *testing.T) {
		for _, tc := range []struct {
			claim int64
			want  review.Outcome
		}{
			{1, review.OutcomeUnchanged}, // Cigánska mafia, untouched
			{5, review.OutcomeMissing},   // Filipino women: deleted
			{12, review.OutcomeChanged},  // caviar: "large" → "significant"
			{29, review.OutcomeChanged},  // "allegedly" dropped
		} {
			if got := outcome[tc.claim].Match; got != tc.want {
				t.Errorf("claim %d: %s, want %s", tc.claim, got, tc.want)
			}
		}
		if got := res.Counts[review.OutcomeMissing]; got != 1 {
			t.Errorf("%d missing, want 1", got)
		}
	})

	t.Run("UnchangedAtOwnOffsets", func(t *testing.T) {
		ed, err := db.FindEdition(ctx, seedReport, "2023")
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Outcomes {
			if o.Match == review.OutcomeMissing {
				continue
			}
			if got := ed.Doc.Text[o.Anchor.Start:o.Anchor.End]; got != o.Anchor.Exact {
				t.Errorf("claim %d: text at its offsets is %q, anchor says %q", o.ClaimID, got, o.Anchor.Exact)
			}
			sec, _ := ed.Doc.SectionAt(o.Anchor.Start)
			if sec.Heading != o.Anchor.Section {
				t.Errorf("claim %d: section %q, text says %q", o.ClaimID, o.Anchor.Section, sec.Heading)
			}
		}
	})

	t.Run("ChangedGetsPendingRevisionByImporter", func(t *testing.T) {
		o := outcome[12]
		if o.RevisionID == 0 {
			t.Fatal("no revision proposed for the changed caviar claim")
		}
		rev, err := db.FindRevision(ctx, o.RevisionID)
		if err != nil {
			t.Fatal(err)
		}
		if rev.State != review.StatePending || rev.Author != db.Editor.Name || !strings.Contains(rev.Quote, "significant") {
			t.Errorf("revision = %s by %s quoting %q", rev.State, rev.Author, rev.Quote)
		}
		var del, ins bool
		for _, op := range rev.QuoteDiff {
			del = del || (op.Op == "-" && strings.Contains(op.Text, "large"))
			ins = ins || (op.Op == "+" && strings.Contains(op.Text, "significant"))
		}
		if !del || !ins {
			t.Errorf("quote diff %+v lacks -large +significant", rev.QuoteDiff)
		}
		// The wording is the report's, so four-eyes does not hold it to the
		// importer (TestImporterDecidesImportRevision); here it builds on a
		// revision not yet approved, which is the only reason it waits.
		if _, err := db.DecideRevision(ctx, db.Editor, rev.ID, true, ""); review.ErrorCode(err) != review.ECONFLICT {
			t.Errorf("importer approving on an unapproved base: %v, want a conflict, not forbidden", err)
		}
	})

	t.Run("MissingIsFlaggedOutdated", func(t *testing.T) {
		c, err := db.FindClaim(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, f := range c.Flags {
			found = found || (f.Kind == review.FlagOutdated && strings.Contains(f.Reason, "2023"))
		}
		if !found {
			t.Errorf("open flags %+v lack an outdated flag naming 2023", c.Flags)
		}
	})

	t.Run("HedgeChangeFlagged", func(t *testing.T) {
		o := outcome[29]
		if len(o.HedgeFrom) == 0 || len(o.HedgeTo) != 0 {
			t.Errorf("hedge from %v to %v, want allegedly → none", o.HedgeFrom, o.HedgeTo)
		}
	})

	t.Run("NewMaterial", func(t *testing.T) {
		var ransom bool
		for _, s := range res.NewMaterial {
			ransom = ransom || strings.Contains(s.Text, "Ransomware")
		}
		if !ransom {
			t.Error("the new cyber section is not listed as new material")
		}
	})

	t.Run("ListShowsOutcomes", func(t *testing.T) {
		cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Report: seedReport, Edition: "2023", Match: review.OutcomeChanged, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != res.Counts[review.OutcomeChanged] {
			t.Errorf("%d changed claims listed, import counted %d", len(cs), res.Counts[review.OutcomeChanged])
		}
	})

	t.Run("ReimportChangesNothing", func(t *testing.T) {
		h := mustHead(t, db)
		again, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
			Published: "2023-09-26", Original: edition2023(t)})
		if err != nil {
			t.Fatal(err)
		}
		if !again.Unchanged || mustHead(t, db) != h {
			t.Errorf("re-import: unchanged=%v, head moved from %d to %d", again.Unchanged, h.Seq, mustHead(t, db).Seq)
		}
	})

	t.Run("MissingSearchedAgain", func(t *testing.T) {
		// The deleted sentence comes back in 2025: the claim missing in
		// 2023 is found again, carried from 2021.
		res25, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2025",
			Published: "2025-09-30", Original: mustRead(t, seedText)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res25.Outcomes) != len(before) {
			t.Errorf("%d outcomes in 2025, want one per live claim, %d", len(res25.Outcomes), len(before))
		}
		for _, o := range res25.Outcomes {
			if o.ClaimID == 5 && o.Match != review.OutcomeUnchanged {
				t.Errorf("claim 5, missing in 2023, restored in 2025: outcome %s, want unchanged", o.Match)
			}
		}
	})
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestMissingClaimIsLookedForAgain: a claim missing in one edition is
// looked for in the next, from the last edition it was found in; while it
// stays missing it keeps one open outdated flag.
func TestMissingClaimIsLookedForAgain(t *testing.T) {
	ctx := context.Background()
	const filipino = 5 // deleted from edition2023
	seed, err := os.ReadFile(seedText)
	if err != nil {
		t.Fatal(err)
	}
	outcomeOf := func(t *testing.T, res review.ImportResult, claim int64) review.ClaimOutcome {
		t.Helper()
		for _, o := range res.Outcomes {
			if o.ClaimID == claim {
				return o
			}
		}
		t.Fatalf("no outcome for claim %d", claim)
		return review.ClaimOutcome{}
	}
	openOutdated := func(t *testing.T, db *TestDB) int {
		t.Helper()
		c, err := db.FindClaim(ctx, filipino)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range c.Flags {
			if f.Kind == review.FlagOutdated {
				n++
			}
		}
		return n
	}
	for _, tc := range []struct {
		name  string
		text  []byte
		match review.Outcome
	}{
		{"Restored", seed, review.OutcomeUnchanged},
		{"StillMissing", edition2023(t), review.OutcomeMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := MustOpenDemoDB(t)
			res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
				Published: "2023-09-26", Original: edition2023(t)})
			if err != nil {
				t.Fatal(err)
			}
			if o := outcomeOf(t, res, filipino); o.Match != review.OutcomeMissing {
				t.Fatalf("claim %d in 2023: %s, want missing", filipino, o.Match)
			}
			res, err = db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2025",
				Published: "2025-09-30", Original: tc.text})
			if err != nil {
				t.Fatal(err)
			}
			o := outcomeOf(t, res, filipino)
			if o.Match != tc.match {
				t.Errorf("claim %d in 2025: %s, want %s", filipino, o.Match, tc.match)
			}
			c, err := db.FindClaim(ctx, filipino)
			if err != nil {
				t.Fatal(err)
			}
			if a := c.Anchor; a.Edition != "2025" || a.Match != tc.match {
				t.Errorf("latest appearance %s %s, want 2025 %s", a.Edition, a.Match, tc.match)
			}
			if n := openOutdated(t, db); n != 1 {
				t.Errorf("%d open outdated flags, want the one from 2023 (resolving it stays the editor's call)", n)
			}
		})
	}
}

// TestImporterDecidesImportRevision: the editor who imported an edition
// may decide the import's "quote changed" revisions (the wording is the
// report's), and still not a revision of their own.
func TestImporterDecidesImportRevision(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2023",
		Published: "2023-09-26", Original: edition2023(t)})
	if err != nil {
		t.Fatal(err)
	}
	approved, rejected := false, false
	for _, o := range res.Outcomes {
		if o.RevisionID == 0 || (approved && rejected) {
			continue
		}
		rev, err := db.FindRevision(ctx, o.RevisionID)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Author != db.Editor.Name || !rev.ProposedByImport() {
			t.Fatalf("revision %d by %s, proposed by import %v", rev.ID, rev.Author, rev.ProposedByImport())
		}
		c := mustFindClaim(t, db, o.ClaimID)
		if !approved && rev.BaseID == c.CurrentID {
			if _, err := db.DecideRevision(ctx, db.Editor, rev.ID, true, ""); err != nil {
				t.Errorf("the importer approving the import's revision %d: %v", rev.ID, err)
			}
			approved = true
		} else if !rejected {
			if _, err := db.DecideRevision(ctx, db.Editor, rev.ID, false, "The statement no longer holds."); err != nil {
				t.Errorf("the importer rejecting the import's revision %d: %v", rev.ID, err)
			}
			rejected = true
		}
	}
	if !approved || !rejected {
		t.Fatalf("approved %v, rejected %v: the import proposed too few revisions to try", approved, rejected)
	}
	// eda's own revision: four eyes still hold.
	c := mustFindClaim(t, db, 3)
	own := mustPropose(t, db, db.Editor, c.ID, review.Head(c.Revisions), "eda's own words")
	for _, approve := range []bool{true, false} {
		if _, err := db.DecideRevision(ctx, db.Editor, own.ID, approve, "mine"); review.ErrorCode(err) != review.EFORBIDDEN {
			t.Errorf("eda deciding her own revision (approve %v): %v, want EFORBIDDEN", approve, err)
		}
	}
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
		t.Errorf("VerifyRecords: %v %v", ms, err)
	}
}

// TestReplacedDraftLooksAgainForMissingClaims: a claim the draft edition
// was missing is looked for again in the text that replaces the draft (it
// used to be dropped from the edition altogether), and found when the new
// text restores its passage.
func TestReplacedDraftLooksAgainForMissingClaims(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	sentence := "Filipino \nwomen are reportedly vulnerable to domestic servitude."
	dropped := strings.Replace(string(vetted.DemoEdition), sentence, "", 1)
	res, err := db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2025", Published: "2025-10-01",
		Original: []byte(dropped), Draft: true})
	must(t, err)
	var missing int64
	for _, o := range res.Outcomes {
		if o.Match == review.OutcomeMissing {
			missing = o.ClaimID
		}
	}
	if missing == 0 {
		t.Fatal("no claim is missing from the draft without the sentence")
	}
	res, err = db.ImportEdition(ctx, db.Editor, review.NewEdition{Report: seedReport, Label: "2025", Published: "2025-10-01",
		Original: vetted.DemoEdition, Draft: true, Replace: true})
	must(t, err)
	found := false
	for _, o := range res.Outcomes {
		if o.ClaimID == missing {
			found = true
			if o.Match != review.OutcomeUnchanged {
				t.Errorf("the restored claim %d: %s, want unchanged", missing, o.Match)
			}
		}
	}
	if !found {
		t.Errorf("the claim missing from the draft (%d) was not looked for in its replacement: %d outcomes", missing, len(res.Outcomes))
	}
	c := mustFindClaim(t, db, missing)
	if c.Anchor.Edition != "2025" {
		t.Errorf("the restored claim's latest appearance is in %q, want 2025", c.Anchor.Edition)
	}
	// Its flag saying the draft did not have it is resolved, by the import.
	for _, f := range c.AllFlags {
		if strings.Contains(f.Reason, "Not found in edition 2025") && (f.ResolvedAt.IsZero() || !strings.Contains(f.Resolution, "replaced edition 2025")) {
			t.Errorf("the draft's flag is still open or unexplained: %+v", f)
		}
	}
	raised := false
	for _, f := range c.AllFlags {
		raised = raised || strings.Contains(f.Reason, "Not found in edition 2025")
	}
	if !raised {
		t.Error("the draft raised no flag for the missing claim: the test proves nothing")
	}
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
		t.Errorf("VerifyRecords: %v %v", ms, err)
	}
}
