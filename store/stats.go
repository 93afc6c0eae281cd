package store

import (
	"context"
	"fmt"

	"vetted/review"
)

// EditionStats counts each edition's claims by the state of their latest
// revision and by match outcome, with their open flags.
func (db *DB) EditionStats(ctx context.Context, reports []int64) ([]review.EditionStats, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ids := make([]any, len(reports))
	for i, id := range reports {
		ids[i] = id
	}
	rows, err := tx.QueryContext(ctx, `SELECT rp.slug, e.label, r.state, a.match, COUNT(*),
		SUM(EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = c.id AND f.resolved_at = ''))
		FROM editions e JOIN reports rp ON rp.id = e.report_id
		JOIN appearances a ON a.edition_id = e.id
		JOIN claims c ON c.id = a.claim_id
		JOIN revisions r ON r.id = c.latest_revision_id
		WHERE e.report_id IN (`+placeholders(len(ids))+`)
		GROUP BY e.id, r.state, a.match ORDER BY rp.slug, e.rank`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: edition stats: %w", err)
	}
	defer rows.Close()
	var out []review.EditionStats
	at := map[string]int{}
	for rows.Next() {
		var slug, label, state, match string
		var n, flagged int
		if err := rows.Scan(&slug, &label, &state, &match, &n, &flagged); err != nil {
			return nil, fmt.Errorf("store: edition stats: %w", err)
		}
		key := slug + "\x00" + label
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, review.EditionStats{Report: slug, Edition: label,
				ByState: map[review.RevisionState]int{}, ByMatch: map[review.Outcome]int{}})
		}
		s := &out[i]
		s.Claims += n
		s.ByState[review.RevisionState(state)] += n
		s.ByMatch[review.Outcome(match)] += n
		s.Flagged += flagged
	}
	return out, rows.Err()
}
