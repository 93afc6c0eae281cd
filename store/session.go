package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"vetted/review"
)

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("store: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateSession starts a server-side session for u and returns its secret
// id, which only the cookie holds.
func (db *DB) CreateSession(ctx context.Context, u review.User, address, userAgent string) (string, error) {
	id, err := newToken()
	if err != nil {
		return "", err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	now := review.FormatTime(tx.now)
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO sessions (id_hash, user_id, created_at, seen_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?)",
		hashToken(id), u.ID, now, now, address, userAgent); err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	return id, tx.commit()
}

// FindSession returns the enabled user of a live session. A session idle
// longer than idle, or older than absolute, is ended and refused.
func (db *DB) FindSession(ctx context.Context, id string, idle, absolute time.Duration) (review.User, error) {
	var created, seen string
	var u review.User
	var role, ucreated string
	err := db.r.QueryRowContext(ctx, `SELECT s.created_at, s.seen_at, u.id, u.name, u.role, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, hashToken(id)).
		Scan(&created, &seen, &u.ID, &u.Name, &role, &u.Disabled, &ucreated)
	if errors.Is(err, sql.ErrNoRows) {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "Your session has ended: sign in again.")
	} else if err != nil {
		return review.User{}, fmt.Errorf("store: session: %w", err)
	}
	u.Role, u.CreatedAt = review.Role(role), parseTime(ucreated)
	now := db.Now()
	if u.Disabled || now.Sub(parseTime(seen)) > idle || now.Sub(parseTime(created)) > absolute {
		_ = db.DeleteSession(ctx, id)
		return review.User{}, review.Errorf(review.EFORBIDDEN, "Your session has ended: sign in again.")
	}
	// Touch at most once a minute, so reads do not each take the writer.
	if now.Sub(parseTime(seen)) > time.Minute {
		if err := db.exec(ctx, "UPDATE sessions SET seen_at = ? WHERE id_hash = ?", review.FormatTime(now), hashToken(id)); err != nil {
			return review.User{}, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return u, nil
}

// EndSessions ends every session of user userID ("sign out everywhere"):
// by may end their own, an admin (ActionManageUsers) anyone's. It returns
// how many ended. Sessions are no record of the history, so no event is
// written.
func (db *DB) EndSessions(ctx context.Context, by review.User, userID int64) (int, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if by.ID != userID {
		if _, err := actor(ctx, tx, by, review.ActionManageUsers); err != nil {
			return 0, err
		}
	}
	if _, err := findUser(ctx, tx, "id = ?", userID); err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID)
	if err != nil {
		return 0, fmt.Errorf("store: end sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), tx.commit()
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.exec(ctx, "DELETE FROM sessions WHERE id_hash = ?", hashToken(id))
}

func endUserSessions(ctx context.Context, tx *Tx, userID int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("store: end sessions: %w", err)
	}
	return nil
}

// ReserveLogin takes a place for a sign-in attempt before its password is
// checked: in one write transaction it counts the failures recorded for the
// name and for the address since since and, below both limits, records the
// attempt as a failure, so that of any number of concurrent attempts at
// most maxName for one name and maxAddress for one address are ever
// checked. ok is false (nothing recorded) at a limit. A sign-in that
// succeeds takes its place back with ReleaseLogin. A name is counted in its
// canonical form ("Adam" is "adam"); names longer than 200 bytes are
// counted under their first 200.
func (db *DB) ReserveLogin(ctx context.Context, name, address string, since time.Time, maxName, maxAddress int) (id int64, ok bool, err error) {
	name = review.LookupUserName(name)
	if len(name) > 200 {
		name = name[:200]
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback()
	s := review.FormatTime(since)
	var byName, byAddress int
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM login_failures WHERE name = ? AND time >= ?),
		(SELECT COUNT(*) FROM login_failures WHERE address = ? AND time >= ?)`, name, s, address, s).Scan(&byName, &byAddress); err != nil {
		return 0, false, fmt.Errorf("store: sign-in failures: %w", err)
	}
	if byName >= maxName || byAddress >= maxAddress {
		return 0, false, nil
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO login_failures (name, address, time) VALUES (?, ?, ?)",
		name, address, review.FormatTime(tx.now))
	if err != nil {
		return 0, false, fmt.Errorf("store: reserve sign-in: %w", FormatError(err))
	}
	id, _ = res.LastInsertId()
	return id, true, tx.commit()
}

// ReleaseLogin takes back the place ReserveLogin took, for a sign-in that
// succeeded.
func (db *DB) ReleaseLogin(ctx context.Context, id int64) error {
	return db.exec(ctx, "DELETE FROM login_failures WHERE id = ?", id)
}
