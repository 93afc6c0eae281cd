package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"vetted/review"
)

// VerifyRecords replays the history into the records it describes and
// compares them with the tables, all from one read snapshot: a row
// changed, added or removed without its event is named. What the tables
// derive from the records is CheckDerived's to check. The chain itself
// is VerifyChain's to check.
func (db *DB) VerifyRecords(ctx context.Context) ([]review.RecordMismatch, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	replay := review.NewRecordsReplay()
	rows, err := tx.QueryContext(ctx, `SELECT seq, time, actor, actor_role, action, entity_type, entity_id, before, after, reason, prev_hash, hash
		FROM events ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: records: %w", err)
	}
	for rows.Next() {
		var e review.Event
		if err := rows.Scan(&e.Seq, &e.Time, &e.Actor, &e.ActorRole, &e.Action, &e.EntityType, &e.EntityID,
			&e.Before, &e.After, &e.Reason, &e.PrevHash, &e.Hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: records: %w", err)
		}
		if err := replay.Add(e); err != nil {
			rows.Close()
			return nil, err
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: records: %w", err)
	}
	s, err := storedRecords(ctx, tx)
	if err != nil {
		return nil, err
	}
	return replay.Compare(s)
}

// CheckDerived compares what the tables keep derived from the records
// (edition_counts, the claims' copies of their latest revision's state
// and confidence, their open flags, claim_totals and the flags' copies of
// their claim's creator) with a recount: a mismatch is a cache gone wrong (a bug,
// or a hand edit), not a record changed, and RebuildDerived repairs it.
func (db *DB) CheckDerived(ctx context.Context) ([]review.RecordMismatch, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	counts, err := checkEditionCounts(ctx, tx)
	if err != nil {
		return nil, err
	}
	latest, err := checkLatestColumns(ctx, tx)
	if err != nil {
		return nil, err
	}
	totals, err := checkClaimTotals(ctx, tx)
	if err != nil {
		return nil, err
	}
	creators, err := checkFlagCreators(ctx, tx)
	return append(append(append(counts, latest...), totals...), creators...), err
}

// RebuildDerived recomputes what CheckDerived checks from the records, in
// one write transaction. It writes no event: nothing it changes is a
// record.
func (db *DB) RebuildDerived(ctx context.Context) error {
	return db.exec(ctx, `DELETE FROM edition_counts;
		INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing) `+editionRecount+`;
		UPDATE claims SET
			latest_state = COALESCE((SELECT state FROM revisions WHERE id = claims.latest_revision_id), ''),
			latest_confidence = COALESCE((SELECT confidence FROM revisions WHERE id = claims.latest_revision_id), '');
		`+openFlagsRecount+`;
		DELETE FROM claim_totals;
		INSERT INTO claim_totals (name, n) `+claimTotalsRecount+`;
		`+flagCreatorsRecount)
}

// checkLatestColumns compares each claim's latest_state and
// latest_confidence (migration 16) with its latest revision's.
func checkLatestColumns(ctx context.Context, q queryer) ([]review.RecordMismatch, error) {
	rows, err := q.QueryContext(ctx, `SELECT c.id, c.latest_state, c.latest_confidence, COALESCE(r.state, ''), COALESCE(r.confidence, '')
		FROM claims c LEFT JOIN revisions r ON r.id = c.latest_revision_id
		WHERE c.latest_state IS NOT COALESCE(r.state, '') OR c.latest_confidence IS NOT COALESCE(r.confidence, '')
		ORDER BY c.id`)
	if err != nil {
		return nil, fmt.Errorf("store: latest columns: %w", err)
	}
	defer rows.Close()
	var ms []review.RecordMismatch
	for rows.Next() {
		var id int64
		var state, conf, rstate, rconf string
		if err := rows.Scan(&id, &state, &conf, &rstate, &rconf); err != nil {
			return nil, fmt.Errorf("store: latest columns: %w", err)
		}
		ms = append(ms, review.RecordMismatch{Kind: "claim", ID: id,
			What: fmt.Sprintf("latest state and confidence: the claim's row says %s/%s, its latest revision %s/%s", state, conf, rstate, rconf)})
	}
	return ms, rows.Err()
}

// storedRecords reads what the tables hold, uncached.
func storedRecords(ctx context.Context, q queryer) (review.StoredRecords, error) {
	s := review.StoredRecords{Claims: map[int64]review.Claim{}, Users: map[int64]review.User{},
		Sources: map[int64]review.Source{}, Editions: map[int64]review.EditionRecord{}, OriginalSHA256: map[int64]string{}}
	fail := func(err error) (review.StoredRecords, error) {
		return review.StoredRecords{}, fmt.Errorf("store: records: %w", err)
	}
	ids, err := int64s(ctx, q, "SELECT id FROM claims ORDER BY id")
	if err != nil {
		return fail(err)
	}
	for _, id := range ids {
		c, err := findClaim(ctx, q, id)
		if review.ErrorCode(err) == review.ENOTFOUND {
			c = review.Claim{ID: id} // a row FindClaim cannot read: no revision
		} else if err != nil {
			return fail(err)
		}
		s.Claims[id] = c
	}
	rows, err := q.QueryContext(ctx, "SELECT "+userCols+" FROM users WHERE id != ?", review.System.ID)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return fail(err)
		}
		s.Users[u.ID] = u
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	rows, err = q.QueryContext(ctx, "SELECT "+sourceCols+" FROM sources s JOIN users u ON u.id = s.created_by")
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			rows.Close()
			return fail(err)
		}
		s.Sources[src.ID] = src
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	rows, err = q.QueryContext(ctx, `SELECT e.id, r.slug, e.label, e.published, e.sha256, e.draft, e.original
		FROM editions e JOIN reports r ON r.id = e.report_id`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var id int64
		var ed review.EditionRecord
		var original []byte
		if err := rows.Scan(&id, &ed.Report, &ed.Label, &ed.Published, &ed.SHA256, &ed.Draft, &original); err != nil {
			rows.Close()
			return fail(err)
		}
		sum := sha256.Sum256(original)
		s.Editions[id], s.OriginalSHA256[id] = ed, hex.EncodeToString(sum[:])
	}
	if err := rows.Close(); err != nil {
		return fail(err)
	}
	return s, nil
}

func int64s(ctx context.Context, q queryer, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
