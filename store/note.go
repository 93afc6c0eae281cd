package store

import (
	"context"
	"fmt"
	"slices"

	"vetted/review"
)

// AddNote adds a note, or a reply when ParentID names a note on the same
// claim.
func (db *DB) AddNote(ctx context.Context, by review.User, n review.NewNote) (review.Note, error) {
	if err := n.Validate(); err != nil {
		return review.Note{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Note{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionAddNote)
	if err != nil {
		return review.Note{}, err
	}
	note, err := insertNote(ctx, tx, a, n)
	if err != nil {
		return review.Note{}, err
	}
	return note, tx.commit()
}

func insertNote(ctx context.Context, tx *Tx, a review.User, n review.NewNote) (review.Note, error) {
	c, err := claimRow(ctx, tx, n.ClaimID)
	if err != nil {
		return review.Note{}, err
	}
	if n.ParentID != 0 {
		var onClaim int64
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM notes WHERE id = ? AND claim_id = ?", n.ParentID, n.ClaimID).Scan(&onClaim)
		if err != nil {
			return review.Note{}, fmt.Errorf("store: note parent: %w", err)
		}
		if onClaim == 0 {
			return review.Note{}, review.FieldErrorf("parent", "Note %d is not a note on claim %d.", n.ParentID, n.ClaimID)
		}
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO notes (claim_id, parent_id, author_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
		n.ClaimID, nullID(n.ParentID), a.ID, n.Body, review.FormatTime(tx.now))
	if err != nil {
		return review.Note{}, fmt.Errorf("store: insert note: %w", err)
	}
	id, _ := res.LastInsertId()
	note := review.Note{ID: id, ClaimID: n.ClaimID, ParentID: n.ParentID, Author: a.Name, Body: n.Body, CreatedAt: tx.now}
	e, err := tx.record(ctx, a, change{action: review.EventNoteAdded, entityType: "note", entityID: id, after: note,
		claimID: c.ID, reportID: c.ReportID})
	if err != nil {
		return review.Note{}, err
	}
	if err := notifyNote(ctx, tx, e, a, note); err != nil {
		return review.Note{}, err
	}
	if err := index(ctx, tx, c.ID, note.Body); err != nil {
		return review.Note{}, err
	}
	return note, nil
}

// loadNotes returns a claim's notes, oldest first, and how many it has:
// with limit > 0 only the newest limit of them.
func loadNotes(ctx context.Context, q queryer, claimID int64, limit int) ([]review.Note, int, error) {
	query := `SELECT n.id, n.claim_id, COALESCE(n.parent_id, 0), u.name, n.body, n.created_at
		FROM notes n JOIN users u ON u.id = n.author_id WHERE n.claim_id = ? ORDER BY n.id`
	args := []any{claimID}
	if limit > 0 {
		query += " DESC LIMIT ?"
		args = append(args, limit)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: notes: %w", err)
	}
	defer rows.Close()
	var ns []review.Note
	for rows.Next() {
		var n review.Note
		var created string
		if err := rows.Scan(&n.ID, &n.ClaimID, &n.ParentID, &n.Author, &n.Body, &created); err != nil {
			return nil, 0, fmt.Errorf("store: notes: %w", err)
		}
		n.CreatedAt = parseTime(created)
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: notes: %w", err)
	}
	if limit > 0 {
		slices.Reverse(ns) // read newest first
	}
	if limit <= 0 || len(ns) < limit {
		return ns, len(ns), nil
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM notes WHERE claim_id = ?", claimID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: notes: %w", err)
	}
	return ns, total, nil
}
