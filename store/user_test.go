package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

// TestUserNames: names are stored canonical (RFC 8265's
// UsernameCaseMapped), found and signed in with as typed in any case or
// width, and a name that looks like an existing one is refused.
func TestUserNames(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	u, err := db.CreateUser(ctx, db.Admin, "Ｍaria", review.RoleReviewer, seedPass)
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "maria" {
		t.Errorf("stored name %q, want maria", u.Name)
	}
	for _, typed := range []string{"maria", "MARIA", "ｍａｒｉａ"} {
		if found, err := db.FindUserByName(ctx, typed); err != nil || found.ID != u.ID {
			t.Errorf("FindUserByName(%q) = %v, %v; want maria", typed, found.Name, err)
		}
		if _, err := db.Authenticate(ctx, typed, seedPass); err != nil {
			t.Errorf("sign in as %q: %v", typed, err)
		}
	}
	for _, tc := range []struct{ name, code, want string }{
		{"\u0430dam", review.EINVALID, `existing user "adam"`}, // Cyrillic а, beside the admin
		{"\u0430d\u0430m", review.EINVALID, `existing user "adam"`},
		{"adarn", review.EINVALID, `existing user "adam"`},
		{"r\u0435y", review.EINVALID, `existing user "rey"`},
		{"\u0455ystem", review.EINVALID, `existing user "system"`},
		{"ADAM", review.EINVALID, "already exists"},
		{"Ｍaria", review.EINVALID, "already exists"},
		{"a b", review.EINVALID, "only letters"},
	} {
		before, _ := db.ListUsers(ctx)
		_, err := db.CreateUser(ctx, db.Admin, tc.name, review.RoleAdmin, seedPass)
		if review.ErrorCode(err) != tc.code || !strings.Contains(review.ErrorMessage(err), tc.want) {
			t.Errorf("CreateUser(%q): %v, want %s with %q", tc.name, err, tc.code, tc.want)
		}
		if after, _ := db.ListUsers(ctx); len(after) != len(before) {
			t.Errorf("CreateUser(%q) refused but a user was added", tc.name)
		}
	}
}
