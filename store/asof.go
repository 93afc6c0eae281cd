package store

import (
	"context"
	"time"

	"vetted/review"
)

// ClaimAsOf rebuilds claim id as it stood at t from its history events
// alone, not from the current tables, so it answers "what did we say on
// that date" even about revisions since rejected or flags since resolved.
func (db *DB) ClaimAsOf(ctx context.Context, id int64, t time.Time) (review.ClaimState, error) {
	r := review.NewClaimReplay(id, t)
	// Until is exclusive and event times have microsecond precision: one
	// microsecond past t includes every event at t.
	until := t.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	if err := db.EachEvent(ctx, review.EventFilter{Claim: id, Until: until}, r.Add); err != nil {
		return review.ClaimState{}, err
	}
	return r.State()
}

var _ review.AsOfService = (*DB)(nil)
