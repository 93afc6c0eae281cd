package store

import (
	"context"
	"fmt"
	"slices"

	"vetted/review"
)

// notify writes a notification of kind for each of users (by id) in tx, the
// transaction of the event e that causes it. The actor is never told of
// their own change, nor is the system user; a user named twice is told
// once.
func notify(ctx context.Context, tx *Tx, e review.Event, a review.User, claimID int64, kind review.NotificationKind, summary string, users ...int64) error {
	var done []int64
	for _, u := range users {
		if u == 0 || u == a.ID || u == review.System.ID || slices.Contains(done, u) {
			continue
		}
		done = append(done, u)
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (user_id, claim_id, event_seq, kind, actor, summary, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u, claimID, e.Seq, kind, a.Name, review.Summarize(summary), e.Time); err != nil {
			return fmt.Errorf("store: notify: %w", err)
		}
	}
	return nil
}

// notifyNote tells the author of the note n replies to, and the users it
// mentions by @name (enabled ones that exist). The parent's author, if
// mentioned too, is told once, of the reply.
func notifyNote(ctx context.Context, tx *Tx, e review.Event, a review.User, n review.Note) error {
	var parent int64
	if n.ParentID != 0 {
		if err := tx.QueryRowContext(ctx, "SELECT author_id FROM notes WHERE id = ?", n.ParentID).Scan(&parent); err != nil {
			return fmt.Errorf("store: notify reply: %w", err)
		}
		if err := notify(ctx, tx, e, a, n.ClaimID, review.NotifyReply, n.Body, parent); err != nil {
			return err
		}
	}
	names := review.Mentions(n.Body)
	if len(names) == 0 {
		return nil
	}
	args := make([]any, len(names))
	for i, name := range names {
		args[i] = name
	}
	ids, err := int64s(ctx, tx, "SELECT id FROM users WHERE disabled = 0 AND name IN ("+placeholders(len(names))+")", args...)
	if err != nil {
		return fmt.Errorf("store: mentions: %w", err)
	}
	ids = slices.DeleteFunc(ids, func(id int64) bool { return id == parent })
	return notify(ctx, tx, e, a, n.ClaimID, review.NotifyMention, n.Body, ids...)
}

// FindNotifications lists u's notifications, newest first.
func (db *DB) FindNotifications(ctx context.Context, u review.User, unread bool, limit int) ([]review.Notification, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	q := `SELECT id, claim_id, event_seq, kind, actor, summary, created_at, read_at != '' FROM notifications WHERE user_id = ?`
	if unread {
		q += " AND read_at = ''"
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY id DESC LIMIT ?", u.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	ns := []review.Notification{}
	for rows.Next() {
		var n review.Notification
		var created string
		if err := rows.Scan(&n.ID, &n.ClaimID, &n.Seq, &n.Kind, &n.Actor, &n.Summary, &created, &n.Read); err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		n.CreatedAt = parseTime(created)
		ns = append(ns, n)
	}
	return ns, rows.Err()
}

// MarkRead marks one of u's notifications read, or all for id 0. Only u's
// own: another user's notification is ENOTFOUND, as if it did not exist.
func (db *DB) MarkRead(ctx context.Context, u review.User, id int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, u, review.ActionRead)
	if err != nil {
		return err
	}
	q, args := "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at = ''", []any{review.FormatTime(tx.now), a.ID}
	if id != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM notifications WHERE id = ? AND user_id = ?", id, a.ID).Scan(&n); err != nil {
			return fmt.Errorf("store: mark read: %w", err)
		}
		if n == 0 {
			return review.Errorf(review.ENOTFOUND, "You have no notification %d.", id)
		}
		q, args = q+" AND id = ?", append(args, id)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	if err := tx.commit(); err != nil {
		return err
	}
	db.nav.changed() // marking read writes no event: the counts must know
	return nil
}
