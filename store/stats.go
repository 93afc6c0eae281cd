package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"vetted/review"
)

// The columns of edition_counts (migration 13), in editionCount's order.
var (
	countedStates   = []review.RevisionState{review.StateDraft, review.StatePending, review.StateApproved, review.StateRejected}
	countedOutcomes = []review.Outcome{review.OutcomeOriginal, review.OutcomeUnchanged, review.OutcomeChanged, review.OutcomeMissing}
)

// editionCountCols are edition_counts' counts, as t; with a LEFT JOIN an
// edition without a row reads zeros.
const editionCountCols = "COALESCE(t.claims, 0), COALESCE(t.flagged, 0), COALESCE(t.draft, 0), COALESCE(t.pending, 0), COALESCE(t.approved, 0), COALESCE(t.rejected, 0), COALESCE(t.original, 0), COALESCE(t.unchanged, 0), COALESCE(t.changed, 0), COALESCE(t.missing, 0)"

// editionCount is one row of edition_counts.
type editionCount struct {
	claims, flagged int
	byState         [4]int // countedStates
	byMatch         [4]int // countedOutcomes
}

// stats is c as the web layer shows it.
func (c editionCount) stats() review.EditionStats {
	s := review.EditionStats{Claims: c.claims, Flagged: c.flagged,
		ByState: make(map[review.RevisionState]int, len(countedStates)), ByMatch: make(map[review.Outcome]int, len(countedOutcomes))}
	for i, st := range countedStates {
		if c.byState[i] > 0 {
			s.ByState[st] = c.byState[i]
		}
	}
	for i, o := range countedOutcomes {
		if c.byMatch[i] > 0 {
			s.ByMatch[o] = c.byMatch[i]
		}
	}
	return s
}

func (c *editionCount) dest() []any {
	return []any{&c.claims, &c.flagged, &c.byState[0], &c.byState[1], &c.byState[2], &c.byState[3],
		&c.byMatch[0], &c.byMatch[1], &c.byMatch[2], &c.byMatch[3]}
}

// editionRecount counts every edition's claims as edition_counts holds
// them, from the appearances, claims, revisions and flags themselves (as
// migration 13 first filled the table).
const editionRecount = `SELECT a.edition_id, COUNT(*),
	SUM(EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = a.claim_id AND f.resolved_at = '')),
	CAST(TOTAL(r.state = 'draft') AS INTEGER), CAST(TOTAL(r.state = 'pending') AS INTEGER), CAST(TOTAL(r.state = 'approved') AS INTEGER), CAST(TOTAL(r.state = 'rejected') AS INTEGER),
	SUM(a.match = 'original'), SUM(a.match = 'unchanged'), SUM(a.match = 'changed'), SUM(a.match = 'missing')
	FROM appearances a JOIN claims c ON c.id = a.claim_id LEFT JOIN revisions r ON r.id = c.latest_revision_id
	GROUP BY a.edition_id`

// checkEditionCounts compares edition_counts with a recount of the
// tables it summarizes: one mismatch per edition whose counts differ.
func checkEditionCounts(ctx context.Context, q queryer) ([]review.RecordMismatch, error) {
	read := func(query string) (map[int64]editionCount, error) {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("store: edition counts: %w", err)
		}
		defer rows.Close()
		m := map[int64]editionCount{}
		for rows.Next() {
			var id int64
			var c editionCount
			if err := rows.Scan(append([]any{&id}, c.dest()...)...); err != nil {
				return nil, fmt.Errorf("store: edition counts: %w", err)
			}
			if c != (editionCount{}) {
				m[id] = c
			}
		}
		return m, rows.Err()
	}
	stored, err := read("SELECT t.edition_id, " + editionCountCols + " FROM edition_counts t")
	if err != nil {
		return nil, err
	}
	recount, err := read(editionRecount)
	if err != nil {
		return nil, err
	}
	var ms []review.RecordMismatch
	for id, c := range recount {
		if s := stored[id]; s != c {
			ms = append(ms, review.RecordMismatch{Kind: "edition", ID: id, What: fmt.Sprintf("counts: the table says %s, the claims %s", s, c)})
		}
	}
	for id, s := range stored {
		if _, ok := recount[id]; !ok {
			ms = append(ms, review.RecordMismatch{Kind: "edition", ID: id, What: fmt.Sprintf("counts: the table says %s, the claims none", s)})
		}
	}
	slices.SortFunc(ms, func(a, b review.RecordMismatch) int { return cmp.Compare(a.ID, b.ID) })
	return ms, nil
}

// String shows the counts for a mismatch.
func (c editionCount) String() string {
	return fmt.Sprintf("%d claims (%d flagged; by state %v, by match %v)", c.claims, c.flagged, c.byState, c.byMatch)
}

// claimTotalsRecount is claim_totals (migration 18) counted again from the
// claims and their open flags.
const claimTotalsRecount = `SELECT 'claims', COUNT(*) FROM claims
	UNION ALL SELECT 'flagged', COUNT(*) FROM claims c WHERE EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = c.id AND f.resolved_at = '')
	UNION ALL SELECT 'state:' || latest_state, COUNT(*) FROM claims GROUP BY latest_state
	UNION ALL SELECT 'confidence:' || latest_confidence, COUNT(*) FROM claims GROUP BY latest_confidence`

// openFlagsRecount sets each claim's open_flags (migration 18) from its
// flags.
const openFlagsRecount = `UPDATE claims SET open_flags = (SELECT COUNT(*) FROM flags f WHERE f.claim_id = claims.id AND f.resolved_at = '')`

// checkClaimTotals compares each claim's open_flags and claim_totals with
// a recount: one mismatch per claim whose count differs, and one per
// total.
func checkClaimTotals(ctx context.Context, q queryer) ([]review.RecordMismatch, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, open_flags, n FROM (SELECT c.id, c.open_flags,
		(SELECT COUNT(*) FROM flags f WHERE f.claim_id = c.id AND f.resolved_at = '') AS n FROM claims c)
		WHERE open_flags != n ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: open flags: %w", err)
	}
	var ms []review.RecordMismatch
	for rows.Next() {
		var id, stored, n int64
		if err := rows.Scan(&id, &stored, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: open flags: %w", err)
		}
		ms = append(ms, review.RecordMismatch{Kind: "claim", ID: id,
			What: fmt.Sprintf("open flags: the claim's row says %d, its flags %d", stored, n)})
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("store: open flags: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: open flags: %w", err)
	}
	read := func(query string) (map[string]int64, error) {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("store: claim totals: %w", err)
		}
		defer rows.Close()
		m := map[string]int64{}
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				return nil, fmt.Errorf("store: claim totals: %w", err)
			}
			if n != 0 {
				m[name] = n
			}
		}
		return m, rows.Err()
	}
	stored, err := read("SELECT name, n FROM claim_totals")
	if err != nil {
		return nil, err
	}
	recount, err := read(claimTotalsRecount)
	if err != nil {
		return nil, err
	}
	var names []string
	for name := range recount {
		names = append(names, name)
	}
	for name := range stored {
		if _, ok := recount[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if stored[name] != recount[name] {
			ms = append(ms, review.RecordMismatch{Kind: "claim totals",
				What: fmt.Sprintf("%s: the table says %d, the claims %d", name, stored[name], recount[name])})
		}
	}
	return ms, nil
}

// checkFlagCreators compares each flag's copy of its claim's creator
// (migration 19) with the claim's: one mismatch per flag that differs.
func checkFlagCreators(ctx context.Context, q queryer) ([]review.RecordMismatch, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.id, f.claim_created_by, c.created_by FROM flags f JOIN claims c ON c.id = f.claim_id
		WHERE f.claim_created_by != c.created_by ORDER BY f.id`)
	if err != nil {
		return nil, fmt.Errorf("store: flag creators: %w", err)
	}
	defer rows.Close()
	var ms []review.RecordMismatch
	for rows.Next() {
		var id, stored, creator int64
		if err := rows.Scan(&id, &stored, &creator); err != nil {
			return nil, fmt.Errorf("store: flag creators: %w", err)
		}
		ms = append(ms, review.RecordMismatch{Kind: "flag", ID: id,
			What: fmt.Sprintf("claim's creator: the flag's row says user %d, the claim user %d", stored, creator)})
	}
	return ms, rows.Err()
}

// flagCreatorsRecount sets each flag's copy of its claim's creator.
const flagCreatorsRecount = `UPDATE flags SET claim_created_by = (SELECT created_by FROM claims WHERE id = flags.claim_id)`
