package review

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/secure/precis"
)

// User is a person who signs in. Names are unique and never reused, so the
// history can name actors by name.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

// System is the actor of changes made by the command line without --actor.
// Its row (id 1) is created by the first migration and cannot sign in.
var System = User{ID: 1, Name: "system", Role: RoleSystem}

// MinPasswordLen is the shortest password accepted (NIST SP 800-63B).
const MinPasswordLen = 8

// CanonicalUserName returns name as vetted stores and compares user names:
// through the PRECIS UsernameCaseMapped profile (RFC 8265 §3.3: full-width
// characters mapped to their narrow forms, lower case, NFC), then checked
// by ValidateUserName. "Adam" and "ＡＤＡＭ" are "adam". Errors: EINVALID,
// on field "name".
func CanonicalUserName(name string) (string, error) {
	if len(name) > 4*64 {
		return "", FieldErrorf("name", "A user name has at most 64 characters.")
	}
	canon, err := precis.UsernameCaseMapped.String(name)
	if err != nil {
		if name == "" {
			return "", FieldErrorf("name", "A user name is required.")
		}
		return "", FieldErrorf("name", "A user name may hold only letters, digits, '.', '-' and '_', with no spaces or symbols.")
	}
	if err := ValidateUserName(canon); err != nil {
		return "", err
	}
	return canon, nil
}

// LookupUserName is the form of a typed name to look a user up by: its
// canonical form, or the name as typed when it has none (no user can have
// such a name, so the lookup finds nothing).
func LookupUserName(name string) string {
	if canon, err := CanonicalUserName(name); err == nil {
		return canon
	}
	return name
}

// UserNameSkeleton returns the confusable skeleton of a canonical user name
// (Unicode Technical Standard #39, §4 "Confusable Detection"): two names
// with the same skeleton can be mistaken for each other, as "adam" with a
// Latin a and "аdam" with a Cyrillic one, or "rn" and "m".
func UserNameSkeleton(canon string) string {
	return confusables.Skeleton(canon)
}

// ValidateUserName accepts 1–64 letters, digits, '.', '-' and '_'.
func ValidateUserName(name string) error {
	if name == "" {
		return FieldErrorf("name", "A user name is required.")
	}
	if utf8.RuneCountInString(name) > 64 {
		return FieldErrorf("name", "A user name has at most 64 characters.")
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-", r) {
			return FieldErrorf("name", "A user name may hold only letters, digits, '.', '-' and '_'.")
		}
	}
	return nil
}

// ValidatePassword enforces length only, as NIST advises against
// composition rules.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return FieldErrorf("password", "A password needs at least %d characters.", MinPasswordLen)
	}
	if len(pw) > 1024 {
		return FieldErrorf("password", "A password has at most 1024 bytes.")
	}
	return nil
}

// UserUpdate changes a user; nil fields stay as they are.
type UserUpdate struct {
	Role     *Role
	Disabled *bool
	Password *string
}

// UserService manages users. Every change ends the user's sessions when it
// changes what they may do.
type UserService interface {
	CreateUser(ctx context.Context, by User, name string, role Role, password string) (User, error)
	UpdateUser(ctx context.Context, by User, id int64, upd UserUpdate) (User, error)
	FindUserByID(ctx context.Context, id int64) (User, error)
	FindUserByName(ctx context.Context, name string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	// Authenticate returns the enabled user with that name and password, or
	// EFORBIDDEN with the same message whether or not the user exists.
	Authenticate(ctx context.Context, name, password string) (User, error)
}
