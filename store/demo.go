package store

import (
	"bytes"
	"context"
	"fmt"

	"vetted/review"
)

// DemoUser is a demo account; the README lists them.
type DemoUser struct {
	Name     string
	Role     review.Role
	Password string
}

// DemoUsers has one user per role, and a second editor so that four-eyes
// can be tried.
var DemoUsers = []DemoUser{
	{"rey", review.RoleReviewer, "rey-demo-pass"},
	{"eda", review.RoleEditor, "eda-demo-pass"},
	{"ed", review.RoleEditor, "ed-demo-pass"},
	{"audrey", review.RoleAuditor, "audrey-demo-pass"},
	{"adam", review.RoleAdmin, "adam-demo-pass"},
}

// LoadDemo fills an empty database with the demo: its users, the seed
// report's edition imported by an editor, the claims file proposed by the
// reviewer, and about half the claims approved by an editor. A database
// that already holds a report is left alone (loaded is false).
func (db *DB) LoadDemo(ctx context.Context, edition, claims []byte) (loaded bool, err error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports").Scan(&n); err != nil {
		return false, fmt.Errorf("store: demo: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	users := map[review.Role]review.User{}
	for _, du := range DemoUsers {
		u, err := db.FindUserByName(ctx, du.Name)
		if review.ErrorCode(err) == review.ENOTFOUND {
			u, err = db.CreateUser(ctx, review.System, du.Name, du.Role, du.Password)
		}
		if err != nil {
			return false, fmt.Errorf("demo user %s: %w", du.Name, err)
		}
		if _, ok := users[du.Role]; !ok {
			users[du.Role] = u
		}
	}
	if _, err := db.ImportEdition(ctx, users[review.RoleEditor], review.NewEdition{
		Report: "azerbaijan", Title: "Global Organized Crime Index: Azerbaijan",
		Publisher: "Global Initiative Against Transnational Organized Crime",
		Label:     "2021", Published: "2021-09-28", Original: edition,
	}); err != nil {
		return false, fmt.Errorf("demo edition: %w", err)
	}
	lines, bad := review.ReadClaimFile(bytes.NewReader(claims))
	ids, err := db.ImportClaims(ctx, users[review.RoleReviewer], lines, bad)
	if err != nil {
		return false, fmt.Errorf("demo claims: %w", err)
	}
	for i, id := range ids {
		if i%2 == 1 {
			continue
		}
		c, err := db.FindClaim(ctx, id)
		if err != nil {
			return false, err
		}
		if len(c.Flags) > 0 {
			continue // flagged claims wait for an editor in the demo
		}
		if _, err := db.DecideRevision(ctx, users[review.RoleEditor], c.Latest.ID, true, "Matches the report's text; source graded."); err != nil {
			return false, fmt.Errorf("demo approve: %w", err)
		}
	}
	return true, nil
}
