package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"vetted/review"
)

const flagCols = `f.id, f.claim_id, f.kind, f.reason, ru.name, f.raised_at, COALESCE(su.name, ''), f.resolved_at, f.resolution`
const flagFrom = ` FROM flags f JOIN users ru ON ru.id = f.raised_by LEFT JOIN users su ON su.id = f.resolved_by`

func scanFlag(row interface{ Scan(...any) error }, extra ...any) (review.Flag, error) {
	var f review.Flag
	var kind, raised, resolved string
	err := row.Scan(append([]any{&f.ID, &f.ClaimID, &kind, &f.Reason, &f.RaisedBy, &raised, &f.ResolvedBy, &resolved, &f.Resolution}, extra...)...)
	f.Kind, f.RaisedAt, f.ResolvedAt = review.FlagKind(kind), parseTime(raised), parseTime(resolved)
	return f, err
}

func loadFlags(ctx context.Context, q queryer, where string, args ...any) ([]review.Flag, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+flagCols+flagFrom+" WHERE "+where+" ORDER BY f.raised_at, f.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: flags: %w", err)
	}
	defer rows.Close()
	var fs []review.Flag
	for rows.Next() {
		f, err := scanFlag(rows)
		if err != nil {
			return nil, fmt.Errorf("store: flags: %w", err)
		}
		fs = append(fs, f)
	}
	return fs, rows.Err()
}

// loadClaimFlags returns a claim's flags by the time they were raised,
// with how many are open and how many resolved: with open > 0 only the
// newest open of its open flags, with resolved > 0 only the resolved most
// recently.
func loadClaimFlags(ctx context.Context, q queryer, claimID int64, open, resolved int) ([]review.Flag, int, int, error) {
	var fs []review.Flag
	var err error
	if open <= 0 && resolved <= 0 {
		fs, err = loadFlags(ctx, q, "f.claim_id = ?", claimID)
	} else {
		// LIMIT -1 is no limit.
		fs, err = loadFlags(ctx, q, `f.id IN (SELECT id FROM flags WHERE claim_id = ?1 AND resolved_at = ''
				ORDER BY raised_at DESC, id DESC LIMIT ?2)
			OR f.id IN (SELECT id FROM flags WHERE claim_id = ?1 AND resolved_at != ''
				ORDER BY resolved_at DESC, id DESC LIMIT ?3)`, claimID, cmp.Or(max(open, 0), -1), cmp.Or(max(resolved, 0), -1))
	}
	if err != nil {
		return nil, 0, 0, err
	}
	nOpen, nResolved := 0, 0
	for _, f := range fs {
		if f.Open() {
			nOpen++
		} else {
			nResolved++
		}
	}
	// A window that was filled may have left some out: count them.
	if (open > 0 && nOpen == open) || (resolved > 0 && nResolved == resolved) {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE resolved_at = ''), COUNT(*) FILTER (WHERE resolved_at != '')
			FROM flags WHERE claim_id = ?`, claimID).Scan(&nOpen, &nResolved); err != nil {
			return nil, 0, 0, fmt.Errorf("store: flags: %w", err)
		}
	}
	return fs, nOpen, nResolved, nil
}

// FindFlag returns one flag.
func (db *DB) FindFlag(ctx context.Context, id int64) (review.Flag, error) {
	return findFlag(ctx, db.r, id)
}

func findFlag(ctx context.Context, q queryer, id int64) (review.Flag, error) {
	f, err := scanFlag(q.QueryRowContext(ctx, "SELECT "+flagCols+flagFrom+" WHERE f.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return review.Flag{}, review.Errorf(review.ENOTFOUND, "Flag %d does not exist.", id)
	} else if err != nil {
		return review.Flag{}, fmt.Errorf("store: flag: %w", err)
	}
	return f, nil
}

// RaiseFlag flags a claim.
func (db *DB) RaiseFlag(ctx context.Context, by review.User, n review.NewFlag) (review.Flag, error) {
	if err := n.Validate(); err != nil {
		return review.Flag{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Flag{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionRaiseFlag)
	if err != nil {
		return review.Flag{}, err
	}
	f, err := insertFlag(ctx, tx, a, n, true)
	if err != nil {
		return review.Flag{}, err
	}
	return f, tx.commit()
}

// insertFlag writes a flag, and its event when withEvent (an import folds
// the flag into the claim's outcome event instead).
func insertFlag(ctx context.Context, tx *Tx, a review.User, n review.NewFlag, withEvent bool) (review.Flag, error) {
	c, err := claimRow(ctx, tx, n.ClaimID)
	if err != nil {
		return review.Flag{}, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO flags (claim_id, kind, reason, raised_by, raised_at, subject) VALUES (?, ?, ?, ?, ?, ?)",
		n.ClaimID, n.Kind, n.Reason, a.ID, review.FormatTime(tx.now), n.Subject)
	if err != nil {
		return review.Flag{}, fmt.Errorf("store: insert flag: %w", FormatError(err))
	}
	id, _ := res.LastInsertId()
	f := review.Flag{ID: id, ClaimID: n.ClaimID, Kind: n.Kind, Reason: n.Reason, RaisedBy: a.Name, RaisedAt: tx.now}
	if withEvent {
		e, err := tx.record(ctx, a, change{action: review.EventFlagRaised, entityType: "flag", entityID: id, after: f,
			reason: n.Reason, claimID: c.ID, reportID: c.ReportID})
		if err != nil {
			return review.Flag{}, err
		}
		var creator int64
		if err := tx.QueryRowContext(ctx, "SELECT created_by FROM claims WHERE id = ?", c.ID).Scan(&creator); err != nil {
			return review.Flag{}, fmt.Errorf("store: notify flag: %w", err)
		}
		if err := notify(ctx, tx, e, a, c.ID, review.NotifyFlag, string(f.Kind)+": "+f.Reason, creator); err != nil {
			return review.Flag{}, err
		}
	}
	if err := index(ctx, tx, c.ID, f.Reason); err != nil {
		return review.Flag{}, err
	}
	return f, nil
}

// ResolveFlag resolves an open flag. An outdated flag may also retire the
// claim from later editions or re-anchor it by hand to a chosen span.
func (db *DB) ResolveFlag(ctx context.Context, by review.User, n review.FlagResolution) (review.Flag, error) {
	if err := n.Validate(); err != nil {
		return review.Flag{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Flag{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionResolveFlag)
	if err != nil {
		return review.Flag{}, err
	}
	f, err := findFlag(ctx, tx, n.FlagID)
	if err != nil {
		return review.Flag{}, err
	}
	if (n.Retire || n.Reanchor != nil) && f.Kind != review.FlagOutdated {
		return review.Flag{}, review.FieldErrorf("action", "Only an outdated flag (a claim missing from an edition) retires or re-anchors its claim; resolve this %s flag as it is.", f.Kind)
	}
	if n.Reanchor != nil {
		if err := review.Authorize(a, review.ActionReanchorClaim); err != nil {
			return review.Flag{}, err
		}
	}
	if !f.Open() {
		return review.Flag{}, review.Errorf(review.ECONFLICT, "Flag %d was already resolved by %s.", f.ID, f.ResolvedBy)
	}
	c, err := claimRow(ctx, tx, f.ClaimID)
	if err != nil {
		return review.Flag{}, err
	}
	before := f
	f.ResolvedBy, f.ResolvedAt, f.Resolution = a.Name, tx.now, n.Resolution
	if _, err := tx.ExecContext(ctx, "UPDATE flags SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
		a.ID, review.FormatTime(tx.now), n.Resolution, f.ID); err != nil {
		return review.Flag{}, fmt.Errorf("store: resolve flag: %w", err)
	}
	if err := index(ctx, tx, c.ID, n.Resolution); err != nil {
		return review.Flag{}, err
	}
	after := map[string]any{"flag": f}
	switch {
	case n.Retire:
		label, err := latestAppearanceEdition(ctx, tx, c.ID)
		if err != nil {
			return review.Flag{}, err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE claims SET retired_in = ? WHERE id = ?", label, c.ID); err != nil {
			return review.Flag{}, fmt.Errorf("store: retire: %w", err)
		}
		after["retired_in"] = label
	case n.Reanchor != nil:
		app, err := reanchorByHand(ctx, tx, c, *n.Reanchor)
		if err != nil {
			return review.Flag{}, err
		}
		after["appearance"] = app
	}
	if _, err := tx.record(ctx, a, change{action: review.EventFlagResolved, entityType: "flag", entityID: f.ID,
		before: before, after: after, reason: n.Resolution, claimID: c.ID, reportID: c.ReportID}); err != nil {
		return review.Flag{}, err
	}
	return f, tx.commit()
}
