package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"vetted/review"
)

// EditionStats counts each edition of the given reports' claims by the
// state of their latest revision and by match outcome, with their open
// flags: one statement, one row per edition, summing the few rows
// edition_counts keeps per edition, however many claims the editions hold.
func (db *DB) EditionStats(ctx context.Context, reports []int64) ([]review.EditionStats, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	args := make([]any, 0, len(review.States)+len(review.Outcomes)+len(reports))
	var cols strings.Builder
	for _, st := range review.States {
		cols.WriteString(", COALESCE(SUM(ec.claims) FILTER (WHERE ec.state = ?), 0)")
		args = append(args, st)
	}
	for _, o := range review.Outcomes {
		cols.WriteString(", COALESCE(SUM(ec.claims) FILTER (WHERE ec.match = ?), 0)")
		args = append(args, o)
	}
	for _, id := range reports {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT rp.slug, e.label, SUM(ec.claims), SUM(ec.flagged)`+cols.String()+`
		FROM editions e JOIN reports rp ON rp.id = e.report_id
		JOIN edition_counts ec ON ec.edition_id = e.id
		WHERE e.report_id IN (`+placeholders(len(reports))+`) AND ec.state <> ''
		GROUP BY e.id HAVING SUM(ec.claims) > 0 ORDER BY rp.slug, e.rank`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: edition stats: %w", err)
	}
	defer rows.Close()
	var out []review.EditionStats
	for rows.Next() {
		s := review.EditionStats{ByState: map[review.RevisionState]int{}, ByMatch: map[review.Outcome]int{}}
		byState := make([]int, len(review.States))
		byMatch := make([]int, len(review.Outcomes))
		dest := []any{&s.Report, &s.Edition, &s.Claims, &s.Flagged}
		for i := range byState {
			dest = append(dest, &byState[i])
		}
		for i := range byMatch {
			dest = append(dest, &byMatch[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: edition stats: %w", err)
		}
		for i, n := range byState {
			if n > 0 {
				s.ByState[review.States[i]] = n
			}
		}
		for i, n := range byMatch {
			if n > 0 {
				s.ByMatch[review.Outcomes[i]] = n
			}
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// editionRecount counts every edition's claims as edition_counts holds
// them, from the appearances, claims, revisions and flags themselves (as
// migration 13 first filled the table).
const editionRecount = `SELECT a.edition_id, COALESCE(r.state, ''), a.match, COUNT(*),
	SUM(EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = a.claim_id AND f.resolved_at = ''))
	FROM appearances a JOIN claims c ON c.id = a.claim_id LEFT JOIN revisions r ON r.id = c.latest_revision_id
	GROUP BY 1, 2, 3`

// checkEditionCounts compares edition_counts with a recount of the
// tables it summarizes: one mismatch per edition whose counts differ.
func checkEditionCounts(ctx context.Context, q queryer) ([]review.RecordMismatch, error) {
	type key struct {
		edition      int64
		state, match string
	}
	type tally struct{ claims, flagged int }
	read := func(query string) (map[key]tally, error) {
		rows, err := q.QueryContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("store: edition counts: %w", err)
		}
		defer rows.Close()
		m := map[key]tally{}
		for rows.Next() {
			var k key
			var t tally
			if err := rows.Scan(&k.edition, &k.state, &k.match, &t.claims, &t.flagged); err != nil {
				return nil, fmt.Errorf("store: edition counts: %w", err)
			}
			if t != (tally{}) {
				m[k] = t
			}
		}
		return m, rows.Err()
	}
	stored, err := read("SELECT edition_id, state, match, claims, flagged FROM edition_counts")
	if err != nil {
		return nil, err
	}
	recount, err := read(editionRecount)
	if err != nil {
		return nil, err
	}
	bad := map[int64]string{}
	for k, t := range recount {
		if s := stored[k]; s != t {
			bad[k.edition] = fmt.Sprintf("counts %s/%s claims: %d (%d flagged), recounted %d (%d flagged)", k.state, k.match, s.claims, s.flagged, t.claims, t.flagged)
		}
	}
	for k, s := range stored {
		if _, ok := recount[k]; !ok {
			bad[k.edition] = fmt.Sprintf("counts %s/%s claims: %d (%d flagged), recounted none", k.state, k.match, s.claims, s.flagged)
		}
	}
	var ms []review.RecordMismatch
	for id, what := range bad {
		ms = append(ms, review.RecordMismatch{Kind: "edition", ID: id, What: what})
	}
	slices.SortFunc(ms, func(a, b review.RecordMismatch) int { return cmp.Compare(a.ID, b.ID) })
	return ms, nil
}
