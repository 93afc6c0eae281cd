package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"vetted/review"
)

const userCols = "id, name, role, disabled, created_at"

func scanUser(row interface{ Scan(...any) error }) (review.User, error) {
	var u review.User
	var role, created string
	err := row.Scan(&u.ID, &u.Name, &role, &u.Disabled, &created)
	u.Role, u.CreatedAt = review.Role(role), parseTime(created)
	return u, err
}

func findUser(ctx context.Context, q queryer, where string, arg any) (review.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return review.User{}, review.Errorf(review.ENOTFOUND, "No such user.")
	} else if err != nil {
		return review.User{}, fmt.Errorf("store: user: %w", err)
	}
	return u, nil
}

// actor reloads the acting user inside the write transaction and checks
// that they may perform action, so a user disabled or demoted a moment ago
// cannot write with a stale copy.
func actor(ctx context.Context, tx *Tx, by review.User, action review.Action) (review.User, error) {
	if by.ID == review.System.ID {
		return review.System, review.Authorize(review.System, action)
	}
	u, err := findUser(ctx, tx, "id = ?", by.ID)
	if review.ErrorCode(err) == review.ENOTFOUND {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "You must be signed in as an active user.")
	} else if err != nil {
		return review.User{}, err
	}
	return u, review.Authorize(u, action)
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (review.User, error) {
	return findUser(ctx, db.r, "id = ?", id)
}

// FindUserByName returns one user, by name as typed: its canonical form
// (review.CanonicalUserName), else the name exactly as stored, for a user
// created before names were made canonical.
func (db *DB) FindUserByName(ctx context.Context, name string) (review.User, error) {
	u, err := findUser(ctx, db.r, "name = ?", review.LookupUserName(name))
	if review.ErrorCode(err) == review.ENOTFOUND && review.LookupUserName(name) != name {
		return findUser(ctx, db.r, "name = ?", name)
	}
	return u, err
}

// ListUsers returns every user but the system actor, by name.
func (db *DB) ListUsers(ctx context.Context) ([]review.User, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+userCols+" FROM users WHERE id != ? ORDER BY name", review.System.ID)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	var us []review.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// CreateUser adds a user with a hashed password. The name is stored in its
// canonical form (review.CanonicalUserName); a name whose confusable
// skeleton (review.UserNameSkeleton) is an existing user's is refused
// (EINVALID on field "name"), as is a name already taken.
func (db *DB) CreateUser(ctx context.Context, by review.User, name string, role review.Role, password string) (review.User, error) {
	name, err := review.CanonicalUserName(name)
	if err != nil {
		return review.User{}, err
	}
	if _, err := review.ParseRole(string(role)); err != nil {
		return review.User{}, err
	}
	if err := review.ValidatePassword(password); err != nil {
		return review.User{}, err
	}
	// Hash before the transaction: it is deliberately slow and must not hold
	// the writer.
	hash, err := review.HashPassword(password)
	if err != nil {
		return review.User{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.User{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionManageUsers)
	if err != nil {
		return review.User{}, err
	}
	if err := checkConfusable(ctx, tx, name); err != nil {
		return review.User{}, err
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
		name, role, hash, review.FormatTime(tx.now))
	if err != nil {
		if review.ErrorCode(FormatError(err)) == review.ECONFLICT {
			return review.User{}, review.FieldErrorf("name", "A user named %q already exists.", name)
		}
		return review.User{}, fmt.Errorf("store: create user: %w", err)
	}
	id, _ := res.LastInsertId()
	u := review.User{ID: id, Name: name, Role: role, CreatedAt: tx.now}
	if _, err := tx.record(ctx, a, change{action: review.EventUserCreated, entityType: "user", entityID: id, after: u}); err != nil {
		return review.User{}, err
	}
	return u, tx.commit()
}

// checkConfusable refuses canon when an existing user's name, other than
// canon itself (which the insert refuses as taken), has the same
// confusable skeleton. Users are few, so every name is compared.
func checkConfusable(ctx context.Context, tx *Tx, canon string) error {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM users")
	if err != nil {
		return fmt.Errorf("store: user names: %w", err)
	}
	defer rows.Close()
	skel := review.UserNameSkeleton(canon)
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return fmt.Errorf("store: user names: %w", err)
		}
		if other != canon && review.UserNameSkeleton(review.LookupUserName(other)) == skel {
			return review.FieldErrorf("name", "%q could be mistaken for the existing user %q (their letters look alike): choose a name that cannot.", canon, other)
		}
	}
	return rows.Err()
}

// UpdateUser changes a user's role, disabled state or password, one event
// per change. A role change or disabling ends the user's sessions.
func (db *DB) UpdateUser(ctx context.Context, by review.User, id int64, upd review.UserUpdate) (review.User, error) {
	if upd.Role != nil {
		if _, err := review.ParseRole(string(*upd.Role)); err != nil {
			return review.User{}, err
		}
	}
	var hash string
	if upd.Password != nil {
		if err := review.ValidatePassword(*upd.Password); err != nil {
			return review.User{}, err
		}
		var err error
		if hash, err = review.HashPassword(*upd.Password); err != nil {
			return review.User{}, err
		}
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.User{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionManageUsers)
	if err != nil {
		return review.User{}, err
	}
	if id == review.System.ID {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "The system actor cannot be changed.")
	}
	u, err := findUser(ctx, tx, "id = ?", id)
	if err != nil {
		return review.User{}, err
	}
	endSessions := false
	if upd.Role != nil && *upd.Role != u.Role {
		if a.ID == u.ID {
			return review.User{}, review.FieldErrorf("role", "You cannot change your own role; ask another admin.")
		}
		before := u
		u.Role = *upd.Role
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = ? WHERE id = ?", u.Role, id); err != nil {
			return review.User{}, fmt.Errorf("store: update user: %w", err)
		}
		if _, err := tx.record(ctx, a, change{action: review.EventUserRoleChanged, entityType: "user", entityID: id, before: before, after: u}); err != nil {
			return review.User{}, err
		}
		endSessions = true
	}
	if upd.Disabled != nil && *upd.Disabled != u.Disabled {
		if a.ID == u.ID {
			return review.User{}, review.FieldErrorf("disabled", "You cannot disable yourself; ask another admin.")
		}
		before := u
		u.Disabled = *upd.Disabled
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled = ? WHERE id = ?", boolInt(u.Disabled), id); err != nil {
			return review.User{}, fmt.Errorf("store: update user: %w", err)
		}
		action := review.EventUserEnabled
		if u.Disabled {
			action, endSessions = review.EventUserDisabled, true
		}
		if _, err := tx.record(ctx, a, change{action: action, entityType: "user", entityID: id, before: before, after: u}); err != nil {
			return review.User{}, err
		}
	}
	if upd.Password != nil {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, id); err != nil {
			return review.User{}, fmt.Errorf("store: update user: %w", err)
		}
		if _, err := tx.record(ctx, a, change{action: review.EventUserPasswordChanged, entityType: "user", entityID: id}); err != nil {
			return review.User{}, err
		}
		endSessions = true
	}
	if endSessions {
		if err := endUserSessions(ctx, tx, id); err != nil {
			return review.User{}, err
		}
	}
	return u, tx.commit()
}

// Authenticate checks a name and password. Unknown users, disabled users and
// wrong passwords get the same error and take the same time.
func (db *DB) Authenticate(ctx context.Context, name, password string) (review.User, error) {
	var hash string
	u, err := scanUserHash(db.r.QueryRowContext(ctx, "SELECT "+userCols+", password_hash FROM users WHERE name IN (?, ?) ORDER BY name = ? DESC LIMIT 1",
		review.LookupUserName(name), name, review.LookupUserName(name)), &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return review.User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	ok := review.CheckPasswordOrDummy(hash, password)
	if !ok || u.Disabled || u.ID == review.System.ID {
		return review.User{}, review.Errorf(review.EFORBIDDEN, "Wrong user name or password.")
	}
	return u, nil
}

func scanUserHash(row *sql.Row, hash *string) (review.User, error) {
	var u review.User
	var role, created string
	err := row.Scan(&u.ID, &u.Name, &role, &u.Disabled, &created, hash)
	u.Role, u.CreatedAt = review.Role(role), parseTime(created)
	return u, err
}
