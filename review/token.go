package review

import (
	"context"
	"time"
)

// TokenPrefix marks vetted API tokens, so a leaked one is recognisable.
const TokenPrefix = "vt_"

// Token is a per-user API token (its secret is never stored).
type Token struct {
	ID        int64     `json:"id"`
	User      string    `json:"user"`
	Label     string    `json:"label"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// ValidateTokenLabel checks a token's label.
func ValidateTokenLabel(label string) error {
	return checkText("label", "The token's label", label, MaxShortText, true)
}

// TokenService manages API tokens and exports' own events.
type TokenService interface {
	CreateToken(ctx context.Context, by User, userID int64, label string) (Token, string, error)
	RevokeToken(ctx context.Context, by User, id int64) error
	ListTokens(ctx context.Context) ([]Token, error)
	UserByToken(ctx context.Context, secret string) (User, error)
	RecordExport(ctx context.Context, by User, what, filter string) error
}
