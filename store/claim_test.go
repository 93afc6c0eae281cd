package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"vetted/review"
	"vetted/store"
)

// allClaims reads every claim one by one with FindClaim, the reference the
// filters are checked against.
func allClaims(tb testing.TB, db *TestDB) []review.Claim {
	tb.Helper()
	var ids []int64
	rows, err := rawDB(tb, db.Path).Query("SELECT id FROM claims ORDER BY id")
	must(tb, err)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var cs []review.Claim
	for _, id := range ids {
		cs = append(cs, mustFindClaim(tb, db, id))
	}
	return cs
}

// claimText is everything said about a claim, for checking search.
func claimText(c review.Claim) string {
	var b strings.Builder
	for _, r := range c.Revisions {
		b.WriteString(" " + r.Statement + " " + r.Topic + " " + r.Hedge + " " + r.Reason + " " + r.Quote)
		for _, e := range r.Evidence {
			b.WriteString(" " + e.Source.Title + " " + e.Source.Publisher + " " + e.Excerpt)
		}
	}
	for _, a := range c.Appearances {
		b.WriteString(" " + a.Exact)
	}
	for _, n := range c.Notes {
		b.WriteString(" " + n.Body)
	}
	for _, f := range c.AllFlags {
		b.WriteString(" " + f.Reason + " " + f.Resolution)
	}
	return strings.ToLower(b.String())
}

func findIDs(tb testing.TB, db *TestDB, f review.ClaimFilter) ([]int64, int) {
	tb.Helper()
	f.Limit = 500
	cs, total, err := db.FindClaims(context.Background(), f)
	if err != nil {
		tb.Fatalf("FindClaims(%+v): %v", f, err)
	}
	ids := []int64{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids, total
}

func TestFindClaims(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	reviewer, err := db.FindUserByName(ctx, "rey")
	must(t, err)
	// A claim that says nothing of caviar but whose note does, and one
	// whose new source does.
	byNote := mustCreateClaim(t, db, reviewer, quoteArms, "Arms trafficking is limited")
	_, err = db.AddNote(ctx, reviewer, review.NewNote{ClaimID: byNote.ID, Body: "Compare with the CAVIAR smuggling routes."})
	must(t, err)
	bySource, err := db.CreateClaim(ctx, reviewer, review.NewClaim{Report: seedReport, Quote: "Filipino women are reportedly vulnerable to domestic servitude.",
		Statement: "Filipino women face domestic servitude", ConfirmDuplicate: true, Confidence: review.ConfidenceLow,
		Evidence: []review.NewEvidence{{Source: review.NewSource{Title: "Sturgeon and caviar trade survey", Reliability: "C"}, Credibility: 4, Stance: review.StanceContradicts}}})
	must(t, err)

	all := allClaims(t, db)
	if len(all) < 30 {
		t.Fatalf("%d claims", len(all))
	}
	yes, no := true, false
	word := func(w string) func(review.Claim) bool {
		re := regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(w))
		return func(c review.Claim) bool { return re.MatchString(claimText(c)) }
	}
	tests := []struct {
		name   string
		filter review.ClaimFilter
		want   func(review.Claim) bool
	}{
		{"All", review.ClaimFilter{}, func(review.Claim) bool { return true }},
		{"Report", review.ClaimFilter{Report: seedReport}, func(review.Claim) bool { return true }},
		{"NoSuchReport", review.ClaimFilter{Report: "atlantis"}, func(review.Claim) bool { return false }},
		{"Edition", review.ClaimFilter{Report: seedReport, Edition: seedEdition}, func(review.Claim) bool { return true }},
		{"StatePending", review.ClaimFilter{State: review.StatePending}, func(c review.Claim) bool { return c.Latest.State == review.StatePending }},
		{"StateApproved", review.ClaimFilter{State: review.StateApproved}, func(c review.Claim) bool { return c.Latest.State == review.StateApproved }},
		{"ConfidenceUnverified", review.ClaimFilter{Confidence: review.ConfidenceUnverified}, func(c review.Claim) bool { return c.Latest.Confidence == review.ConfidenceUnverified }},
		{"ConfidenceHigh", review.ClaimFilter{Confidence: review.ConfidenceHigh}, func(c review.Claim) bool { return c.Latest.Confidence == review.ConfidenceHigh }},
		{"Flagged", review.ClaimFilter{Flagged: &yes}, func(c review.Claim) bool { return len(c.Flags) > 0 }},
		{"NotFlagged", review.ClaimFilter{Flagged: &no}, func(c review.Claim) bool { return len(c.Flags) == 0 }},
		{"SectionDrugs", review.ClaimFilter{Section: "DRUGS"}, func(c review.Claim) bool { return c.Anchor.Section == "DRUGS" }},
		{"SectionNested", review.ClaimFilter{Section: "LEADERSHIP AND GOVERNANCE"}, func(c review.Claim) bool { return c.Anchor.Section == "LEADERSHIP AND GOVERNANCE" }},
		{"QueryCaviar", review.ClaimFilter{Query: "caviar"}, word("caviar")},
		{"QueryCaseAndPrefix", review.ClaimFilter{Query: "CAVI"}, word("cavi")},
		{"QueryPhrase", review.ClaimFilter{Query: `"forced labour"`}, word("forced labour")},
		{"QueryTwoWords", review.ClaimFilter{Query: "heroin caviar"}, func(c review.Claim) bool { return word("heroin")(c) && word("caviar")(c) }},
		{"QueryAccent", review.ClaimFilter{Query: "Cigánska"}, word("cigánska")},
		{"QueryAndFlagged", review.ClaimFilter{Query: "mafia", Flagged: &yes}, func(c review.Claim) bool { return word("mafia")(c) && len(c.Flags) > 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := []int64{}
			for _, c := range all {
				if tt.want(c) {
					want = append(want, c.ID)
				}
			}
			got, total := findIDs(t, db, tt.filter)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("got %v (total %d), want %v", got, total, want)
			}
		})
	}
	t.Run("QueryFindsNoteAndSource", func(t *testing.T) {
		got, _ := findIDs(t, db, review.ClaimFilter{Query: "caviar"})
		if !slices.Contains(got, byNote.ID) || !slices.Contains(got, bySource.ID) {
			t.Errorf("caviar search %v misses the claim with the note (%d) or the source (%d)", got, byNote.ID, bySource.ID)
		}
		if len(got) < 5 {
			t.Errorf("caviar search found only %v", got)
		}
	})
	t.Run("Paging", func(t *testing.T) {
		var seen []int64
		for after := int64(0); ; {
			cs, total, err := db.FindClaims(ctx, review.ClaimFilter{After: after, Limit: 7})
			must(t, err)
			if total != len(all) {
				t.Fatalf("total %d, want %d", total, len(all))
			}
			for _, c := range cs {
				seen = append(seen, c.ID)
				after = c.ID
			}
			if len(cs) < 7 {
				break
			}
		}
		var offs []int64
		for off := 0; off < len(all); off += 9 {
			cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Offset: off, Limit: 9})
			must(t, err)
			for _, c := range cs {
				offs = append(offs, c.ID)
			}
		}
		var want []int64
		for _, c := range all {
			want = append(want, c.ID)
		}
		if !slices.Equal(seen, want) || !slices.Equal(offs, want) {
			t.Errorf("paging by cursor %v, by offset %v, want %v", seen, offs, want)
		}
	})
	t.Run("OpenFlagsListed", func(t *testing.T) {
		cs, _, err := db.FindClaims(ctx, review.ClaimFilter{Query: "Cigánska mafia exists"})
		must(t, err)
		found := false
		for _, c := range cs {
			if c.Latest.Statement == "Cigánska mafia exists" {
				found = true
				if len(c.Flags) != 1 || c.Flags[0].Kind != review.FlagUnverified {
					t.Errorf("flags %+v", c.Flags)
				}
			}
		}
		if !found {
			t.Error("the Cigánska mafia claim was not found")
		}
	})
	hostile := []string{`"`, `""`, "*", "AND OR NOT", "NOT caviar", "caviar OR", "(caviar", "caviar)", `"caviar`,
		"caviar NEAR trade", "NEAR/2", "body:caviar", "docid:1", "^caviar", "-caviar", "caviar*", "*caviar",
		"", " ", "!!!", strings.Repeat("caviar ", 17), "caviar\xff", "\x00", "ǅ ﬁ İ", "'; DROP TABLE claims; --",
		"MATCH", "c:*", `a"b"c"d`, "\u0301", "٣", "東京"}
	for _, q := range hostile {
		t.Run("Hostile/"+q, func(t *testing.T) {
			_, _, err := db.FindClaims(ctx, review.ClaimFilter{Query: q})
			if err != nil && review.ErrorCode(err) != review.EINVALID {
				t.Errorf("FindClaims(%q): %v, want a result or EINVALID", q, err)
			}
		})
	}
}

func FuzzFindClaimsQuery(f *testing.F) {
	db := MustOpenDemoDB(f)
	for _, s := range []string{"caviar", `"forced labour"`, "NEAR", "x:y", `"`, "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		_, _, err := db.FindClaims(context.Background(), review.ClaimFilter{Query: q})
		if err != nil && review.ErrorCode(err) != review.EINVALID {
			t.Fatalf("FindClaims(%q): %v", q, err)
		}
	})
}

// TestClaimVersion checks what page caches rely on: the version moves with
// every change to the claim and with every change about no claim, and not
// with changes to other claims.
func TestClaimVersion(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	version := func(id int64) review.ClaimVersion {
		t.Helper()
		v, err := db.ClaimVersion(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v1, other := version(1), version(2)
	if v1.Claim == 0 || v1.Global == 0 {
		t.Fatalf("version of a demo claim %+v: want both halves set", v1)
	}
	if got := version(99999); got.Claim != 0 {
		t.Errorf("version of a missing claim %+v, want no claim half", got)
	}

	note, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: 1, Body: "A note."})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := db.FindClaim(ctx, 1); err != nil || !c.UpdatedAt.Equal(note.CreatedAt) {
		t.Errorf("claim updated at %v after a note written at %v (%v)", c.UpdatedAt, note.CreatedAt, err)
	}
	v2 := version(1)
	if v2.Claim <= v1.Claim || v2.Global != v1.Global {
		t.Errorf("after a note on the claim: %+v → %+v, want the claim half to move alone", v1, v2)
	}
	if got := version(2); got != other {
		t.Errorf("a note on claim 1 moved claim 2's version: %+v → %+v", other, got)
	}

	if _, err := db.CreateSource(ctx, db.Reviewer, review.NewSource{Title: "A court record", Reliability: "B"}); err != nil {
		t.Fatal(err)
	}
	if v3 := version(1); v3.Global <= v2.Global || v3.Claim != v2.Claim {
		t.Errorf("after a change about no claim: %+v → %+v, want the global half to move alone", v2, v3)
	}
}

// TestFindClaimsListsNewestOpenFlags: a list carries a claim's newest open
// flags, at most review.MaxListFlags, and counts them all; resolved flags
// are neither shown nor counted.
func TestFindClaimsListsNewestOpenFlags(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	const claim = 5
	base, err := db.FindClaim(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	var raised []review.Flag
	for i := range 6 {
		f, err := db.RaiseFlag(ctx, db.Reviewer, review.NewFlag{ClaimID: claim, Kind: review.FlagDisputed, Reason: fmt.Sprintf("reason %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		raised = append(raised, f)
	}
	// Resolve the newest: the list then shows the three before it.
	if _, err := db.ResolveFlag(ctx, db.Editor, review.FlagResolution{FlagID: raised[5].ID, Resolution: "Settled."}); err != nil {
		t.Fatal(err)
	}
	cs, _, err := db.FindClaims(ctx, review.ClaimFilter{IDs: []int64{claim, claim + 1}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]review.Claim{}
	for _, c := range cs {
		got[c.ID] = c
	}
	c := got[claim]
	if want := base.OpenFlags + 5; c.OpenFlags != want {
		t.Errorf("open flags counted %d, want %d", c.OpenFlags, want)
	}
	var reasons []string
	for _, f := range c.Flags {
		reasons = append(reasons, f.Reason)
	}
	if want := []string{"reason 2", "reason 3", "reason 4"}; !slices.Equal(reasons, want) {
		t.Errorf("listed flags %q, want the newest open ones oldest first, %q", reasons, want)
	}
	full, err := db.FindClaim(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Flags) != c.OpenFlags || full.OpenFlags != c.OpenFlags {
		t.Errorf("the claim itself has %d open flags (counted %d), the list counted %d", len(full.Flags), full.OpenFlags, c.OpenFlags)
	}
	if other := got[claim+1]; other.Flags == nil || other.OpenFlags != len(other.Flags) {
		t.Errorf("a claim without new flags: %d listed, %d counted", len(other.Flags), other.OpenFlags)
	}
}

// TestEachClaimIsOneSnapshot: an export reads every claim as of one moment;
// a note written while it runs is not half in it.
func TestEachClaimIsOneSnapshot(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	cs, total, err := db.FindClaims(ctx, review.ClaimFilter{Limit: store.MaxClaimsPage})
	if err != nil {
		t.Fatal(err)
	}
	last := cs[len(cs)-1].ID
	const text = "Written while the export ran."
	seen := 0
	err = db.EachClaim(ctx, review.ClaimFilter{}, func(c review.Claim) error {
		seen++
		if seen == 1 {
			if _, err := db.AddNote(ctx, db.Reviewer, review.NewNote{ClaimID: last, Body: text}); err != nil {
				return err
			}
		}
		if c.ID == last {
			for _, n := range c.Notes {
				if n.Body == text {
					t.Error("the export saw a note written after it started")
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != total {
		t.Errorf("EachClaim gave %d claims, want %d", seen, total)
	}
	c, err := db.FindClaim(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	if c.Notes[len(c.Notes)-1].Body != text {
		t.Error("the note written during the export is missing afterwards")
	}
}

// TestFindClaimsTotal: the total counts every match whatever the page,
// whether it is counted or read off a first page with room to spare.
func TestFindClaimsTotal(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	_, all, err := db.FindClaims(ctx, review.ClaimFilter{Limit: store.MaxClaimsPage})
	if err != nil {
		t.Fatal(err)
	}
	_, caviar, err := db.FindClaims(ctx, review.ClaimFilter{Query: "caviar", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if all < 50 || caviar < 2 {
		t.Fatalf("demo totals %d and %d: too few for this test", all, caviar)
	}
	for _, tc := range []struct {
		name string
		f    review.ClaimFilter
		want int
	}{
		{"FullPage", review.ClaimFilter{Limit: 10}, all},
		{"PageWithRoom", review.ClaimFilter{Limit: all + 1}, all},
		{"Offset", review.ClaimFilter{Limit: 10, Offset: 20}, all},
		{"PastTheEnd", review.ClaimFilter{Limit: 10, Offset: all + 5}, all},
		{"After", review.ClaimFilter{Limit: all + 1, After: 3}, all},
		{"SearchWithRoom", review.ClaimFilter{Query: "caviar", Limit: 50}, caviar},
		{"SearchFullPage", review.ClaimFilter{Query: "caviar", Limit: caviar}, caviar},
		{"NoMatch", review.ClaimFilter{Query: "zzzzqqq", Limit: 50}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := db.FindClaims(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("total %d, want %d", got, tc.want)
			}
		})
	}
}

// TestFindClaimKept: a claim read again unchanged comes from the cache, a
// change from another connection shows at once, and what a caller does to
// its copy does not reach the next caller.
func TestFindClaimKept(t *testing.T) {
	db := MustOpenDemoDB(t)
	ctx := context.Background()
	first, err := db.FindClaim(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	first.Notes = append(first.Notes[:0], review.Note{Body: "scribbled over"})
	if len(first.Revisions) > 0 {
		first.Revisions[0].Statement = "scribbled over"
	}
	again, err := db.FindClaim(ctx, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range again.Notes {
		if n.Body == "scribbled over" {
			t.Error("a caller's change to its notes reached the next caller")
		}
	}
	if len(again.Revisions) > 0 && again.Revisions[0].Statement == "scribbled over" {
		t.Error("a caller's change to its revisions reached the next caller")
	}

	other, err := store.Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	rey, err := other.FindUserByName(ctx, "rey")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		body := fmt.Sprintf("From the other connection, %d.", i)
		if _, err := other.AddNote(ctx, rey, review.NewNote{ClaimID: 4, Body: body}); err != nil {
			t.Fatal(err)
		}
		c, err := db.FindClaim(ctx, 4)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Notes[len(c.Notes)-1].Body; got != body {
			t.Fatalf("round %d: newest note %q, want %q written by another connection", i, got, body)
		}
	}
}

// TestDuplicateClaim: a claim on a sentence another claim covers in the
// same edition is refused, naming it, until confirmed; a claim elsewhere
// is not.
func TestDuplicateClaim(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	first := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
	head := mustHead(t, db)
	n := newClaim("illicit caviar trade", "caviar again")
	n.ConfirmDuplicate = false
	_, err := db.CreateClaim(ctx, db.Reviewer2, n)
	var de *review.DuplicateError
	if !errors.As(err, &de) || len(de.Claims) != 1 || de.Claims[0] != first.ID || review.ErrorCode(err) != review.ECONFLICT {
		t.Fatalf("overlapping claim: %v, want a DuplicateError naming claim %d", err, first.ID)
	}
	if !strings.Contains(review.ErrorMessage(err), fmt.Sprintf("#%d", first.ID)) {
		t.Errorf("message %q does not name the claim", review.ErrorMessage(err))
	}
	if mustHead(t, db) != head {
		t.Error("a refused duplicate wrote an event")
	}
	n.ConfirmDuplicate = true
	if _, err := db.CreateClaim(ctx, db.Reviewer2, n); err != nil {
		t.Errorf("confirmed duplicate: %v", err)
	}
	other := newClaim(quoteCannabis, "cannabis")
	other.ConfirmDuplicate = false
	if _, err := db.CreateClaim(ctx, db.Reviewer2, other); err != nil {
		t.Errorf("a claim on another sentence: %v", err)
	}
}

// TestCountsStopAtTheLimit: a list whose filter no kept count answers (two
// conditions at once) counts only CountLimit claims past its page and says
// there are more; one condition alone is counted exactly whatever
// the limit.
func TestCountsStopAtTheLimit(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	no := false
	two := review.ClaimFilter{State: review.StatePending, Flagged: &no}
	all, err := db.FindClaimPage(ctx, func(f review.ClaimFilter) review.ClaimFilter { f.Limit = store.MaxClaimsPage; return f }(two))
	if err != nil {
		t.Fatal(err)
	}
	if all.More || all.Total != len(all.Claims) || all.Total < 8 {
		t.Fatalf("the demo's pending claims with no open flag: %d listed, total %d, more %v; want at least 8, counted exactly",
			len(all.Claims), all.Total, all.More)
	}
	db.CountLimit = 3
	for _, c := range []struct {
		offset    int
		wantTotal int
		wantMore  bool
	}{
		{0, 5, true}, // the page's 2 and 3 more
		{2, 7, true},
		{all.Total - 4, all.Total, false}, // the count reaches the end
	} {
		f := two
		f.Limit, f.Offset = 2, c.offset
		p, err := db.FindClaimPage(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != c.wantTotal || p.More != c.wantMore || len(p.Claims) != 2 {
			t.Errorf("offset %d: %d listed, total %d, more %v; want 2 listed, total %d, more %v",
				c.offset, len(p.Claims), p.Total, p.More, c.wantTotal, c.wantMore)
		}
	}
	one, err := db.FindClaimPage(ctx, review.ClaimFilter{State: review.StatePending, Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if one.More || one.Total <= 3 {
		t.Errorf("one condition: total %d, more %v; want the exact count, over the limit of 3", one.Total, one.More)
	}
}

// TestOneReportCountedExactly: a list within one report counts every
// claim it selects, whatever the limit: its cost is bounded by the report.
func TestOneReportCountedExactly(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDemoDB(t)
	db.CountLimit = 1
	no := false
	f := review.ClaimFilter{Report: "azerbaijan", State: review.StatePending, Flagged: &no, Limit: 2}
	p, err := db.FindClaimPage(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	f.Limit = store.MaxClaimsPage
	all, err := db.FindClaimPage(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if p.More || p.Total != len(all.Claims) || p.Total <= 3 {
		t.Errorf("one report's pending claims with no open flag: total %d, more %v; want %d exactly", p.Total, p.More, len(all.Claims))
	}
}
