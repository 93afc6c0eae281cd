package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"vetted/review"
)

// CreateToken makes an API token for a user and returns it; only its hash
// is stored, so it is shown this once.
func (db *DB) CreateToken(ctx context.Context, by review.User, userID int64, label string) (review.Token, string, error) {
	if err := review.ValidateTokenLabel(label); err != nil {
		return review.Token{}, "", err
	}
	secret, err := newToken()
	if err != nil {
		return review.Token{}, "", err
	}
	secret = review.TokenPrefix + secret
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Token{}, "", err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionManageTokens)
	if err != nil {
		return review.Token{}, "", err
	}
	u, err := findUser(ctx, tx, "id = ?", userID)
	if err != nil {
		return review.Token{}, "", err
	}
	if u.ID == review.System.ID || u.Disabled {
		return review.Token{}, "", review.FieldErrorf("user", "A token can act only as an active user, not as %s.", u.Name)
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO api_tokens (user_id, label, hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
		u.ID, label, hashToken(secret), a.ID, review.FormatTime(tx.now))
	if err != nil {
		return review.Token{}, "", fmt.Errorf("store: create token: %w", err)
	}
	id, _ := res.LastInsertId()
	t := review.Token{ID: id, User: u.Name, Label: label, CreatedBy: a.Name, CreatedAt: tx.now}
	if _, err := tx.record(ctx, a, change{action: review.EventTokenCreated, entityType: "token", entityID: id, after: t}); err != nil {
		return review.Token{}, "", err
	}
	return t, secret, tx.commit()
}

// RevokeToken ends a token for good.
func (db *DB) RevokeToken(ctx context.Context, by review.User, id int64) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionManageTokens)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = ''", review.FormatTime(tx.now), id)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return review.Errorf(review.ENOTFOUND, "Token %d does not exist or is already revoked.", id)
	}
	if _, err := tx.record(ctx, a, change{action: review.EventTokenRevoked, entityType: "token", entityID: id}); err != nil {
		return err
	}
	return tx.commit()
}

// ListTokens lists every token, newest first, without secrets.
func (db *DB) ListTokens(ctx context.Context) ([]review.Token, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT t.id, u.name, t.label, c.name, t.created_at, t.revoked_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN users c ON c.id = t.created_by ORDER BY t.id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var ts []review.Token
	for rows.Next() {
		var t review.Token
		var created, revoked string
		if err := rows.Scan(&t.ID, &t.User, &t.Label, &t.CreatedBy, &created, &revoked); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.CreatedAt, t.RevokedAt = parseTime(created), parseTime(revoked)
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// UserByToken returns the enabled user a live token belongs to.
func (db *DB) UserByToken(ctx context.Context, secret string) (review.User, error) {
	var id int64
	err := db.r.QueryRowContext(ctx, "SELECT user_id FROM api_tokens WHERE hash = ? AND revoked_at = ''", hashToken(secret)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "The API token is not valid or was revoked.")
	} else if err != nil {
		return review.User{}, fmt.Errorf("store: token: %w", err)
	}
	u, err := findUser(ctx, db.r, "id = ?", id)
	if err != nil {
		return review.User{}, err
	}
	if u.Disabled {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "The API token's user is disabled.")
	}
	return u, nil
}

// RecordExport records that someone exported the history, and with what
// filter, before the export is streamed.
func (db *DB) RecordExport(ctx context.Context, by review.User, what, filter string) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionExportHistory)
	if err != nil {
		return err
	}
	if _, err := tx.record(ctx, a, change{action: review.EventHistoryExported, entityType: "export", entityID: 0,
		after: map[string]string{"what": what, "filter": filter}}); err != nil {
		return err
	}
	return tx.commit()
}
