package store

import (
	"context"
	"slices"

	"vetted/review"
)

// ImportClaims creates the claims of a parsed claims file, with their notes
// and flags, all in one transaction: if any line fails against the database
// (unknown report, quote not found or ambiguous), nothing is written and
// every failing line is reported, together with the lines the parser
// already refused (bad), in line order.
func (db *DB) ImportClaims(ctx context.Context, by review.User, lines []review.ParsedClaim, bad review.LineErrors) ([]int64, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionCreateClaim)
	if err != nil {
		return nil, err
	}
	var ids []int64
	cache := editionCache{}
	for _, l := range lines {
		id, err := createClaim(ctx, tx, a, l.Claim, cache, false)
		if err == nil && l.Note != "" {
			_, err = insertNote(ctx, tx, a, review.NewNote{ClaimID: id, Body: l.Note})
		}
		if err == nil && l.Flag != nil {
			f := *l.Flag
			f.ClaimID = id
			if err = review.Authorize(a, review.ActionRaiseFlag); err == nil {
				_, err = insertFlag(ctx, tx, a, f, true)
			}
		}
		switch code := review.ErrorCode(err); code {
		case "":
			ids = append(ids, id)
		case review.EINVALID, review.ENOTFOUND, review.ECONFLICT:
			bad = append(bad, review.LineError{Line: l.Line, Reason: review.ErrorMessage(err)})
		default:
			return nil, err
		}
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(x, y review.LineError) int { return x.Line - y.Line })
		return nil, bad
	}
	return ids, tx.commit()
}
