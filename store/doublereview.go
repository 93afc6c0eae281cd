package store

import (
	"context"
	"fmt"

	"vetted/review"
)

// RequestDoubleReview asks two reviewers for independent grades of a
// claim, with a review.requested event, and tells each of them.
func (db *DB) RequestDoubleReview(ctx context.Context, by review.User, claimID int64, nameA, nameB string) (review.DoubleReview, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return review.DoubleReview{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionAssignClaim)
	if err != nil {
		return review.DoubleReview{}, err
	}
	c, err := claimRow(ctx, tx, claimID)
	if err != nil {
		return review.DoubleReview{}, err
	}
	var rs [2]review.User
	for i, name := range []string{nameA, nameB} {
		field := []string{"reviewer_a", "reviewer_b"}[i]
		if name == "" {
			return review.DoubleReview{}, review.FieldErrorf(field, "Choose two reviewers.")
		}
		rs[i], err = findUser(ctx, tx, "name = ?", review.LookupUserName(name))
		if review.ErrorCode(err) == review.ENOTFOUND || rs[i].ID == review.System.ID {
			return review.DoubleReview{}, review.FieldErrorf(field, "There is no user %q.", name)
		} else if err != nil {
			return review.DoubleReview{}, err
		}
	}
	if err := review.CheckDoubleReviewers(rs[0], rs[1]); err != nil {
		return review.DoubleReview{}, err
	}
	var open int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM double_reviews WHERE claim_id = ? AND closed_at = ''", claimID).Scan(&open); err != nil {
		return review.DoubleReview{}, fmt.Errorf("store: double review: %w", err)
	}
	if open > 0 {
		return review.DoubleReview{}, review.Errorf(review.ECONFLICT, "Claim %d already waits for a double review: wait for both grades first.", claimID)
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO double_reviews (claim_id, requested_by, requested_at) VALUES (?, ?, ?)",
		claimID, a.ID, review.FormatTime(tx.now))
	if err != nil {
		return review.DoubleReview{}, fmt.Errorf("store: double review: %w", FormatError(err))
	}
	id, _ := res.LastInsertId()
	for _, u := range rs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO double_review_grades (review_id, reviewer_id) VALUES (?, ?)", id, u.ID); err != nil {
			return review.DoubleReview{}, fmt.Errorf("store: double review: %w", err)
		}
	}
	d, err := findDoubleReview(ctx, tx, id)
	if err != nil {
		return review.DoubleReview{}, err
	}
	e, err := tx.record(ctx, a, change{action: review.EventReviewRequested, entityType: "review", entityID: id, after: d,
		claimID: claimID, reportID: c.ReportID})
	if err != nil {
		return review.DoubleReview{}, err
	}
	if err := notify(ctx, tx, e, a, claimID, review.NotifyReview, "", rs[0].ID, rs[1].ID); err != nil {
		return review.DoubleReview{}, err
	}
	return d, tx.commit()
}

// GradeDoubleReview records one reviewer's grade with a review.graded
// event. The second grade closes the review; if the two differ, a
// disputed flag is raised on the claim in the same transaction, which puts
// the disagreement in the editors' queue.
func (db *DB) GradeDoubleReview(ctx context.Context, by review.User, id int64, conf review.Confidence, reason string) (review.DoubleReview, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return review.DoubleReview{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionProposeRev)
	if err != nil {
		return review.DoubleReview{}, err
	}
	d, err := findDoubleReview(ctx, tx, id)
	if err != nil {
		return review.DoubleReview{}, err
	}
	if err := review.CheckGrade(a, d, conf, reason); err != nil {
		return review.DoubleReview{}, err
	}
	c, err := claimRow(ctx, tx, d.ClaimID)
	if err != nil {
		return review.DoubleReview{}, err
	}
	now := review.FormatTime(tx.now)
	if _, err := tx.ExecContext(ctx, "UPDATE double_review_grades SET confidence = ?, reason = ?, graded_at = ? WHERE review_id = ? AND reviewer_id = ?",
		conf, reason, now, id, a.ID); err != nil {
		return review.DoubleReview{}, fmt.Errorf("store: grade: %w", err)
	}
	var left int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM double_review_grades WHERE review_id = ? AND confidence = ''", id).Scan(&left); err != nil {
		return review.DoubleReview{}, fmt.Errorf("store: grade: %w", err)
	}
	if left == 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE double_reviews SET closed_at = ? WHERE id = ?", now, id); err != nil {
			return review.DoubleReview{}, fmt.Errorf("store: grade: %w", err)
		}
	}
	if d, err = findDoubleReview(ctx, tx, id); err != nil {
		return review.DoubleReview{}, err
	}
	grade, _ := d.GradeOf(a.Name)
	after := map[string]any{"review": id, "claim": d.ClaimID, "grade": grade, "closed": d.Done()}
	if d.Done() {
		after["agree"] = d.Agree()
	}
	if _, err := tx.record(ctx, a, change{action: review.EventReviewGraded, entityType: "review", entityID: id, after: after,
		reason: reason, claimID: d.ClaimID, reportID: c.ReportID}); err != nil {
		return review.DoubleReview{}, err
	}
	if d.Done() && !d.Agree() {
		g0, g1 := d.Grades[0], d.Grades[1]
		why := fmt.Sprintf("Blind double review %d disagrees: %s graded %s (%s); %s graded %s (%s).",
			id, g0.Reviewer, g0.Confidence, review.Summarize(g0.Reason), g1.Reviewer, g1.Confidence, review.Summarize(g1.Reason))
		if _, err := insertFlag(ctx, tx, a, review.NewFlag{ClaimID: d.ClaimID, Kind: review.FlagDisputed, Reason: why}, true); err != nil {
			return review.DoubleReview{}, err
		}
	}
	return d, tx.commit()
}

const doubleReviewCols = `SELECT d.id, d.claim_id, u.name, d.requested_at, d.closed_at FROM double_reviews d JOIN users u ON u.id = d.requested_by `

func findDoubleReview(ctx context.Context, q queryer, id int64) (review.DoubleReview, error) {
	ds, err := loadDoubleReviews(ctx, q, "WHERE d.id = ?", id)
	if err != nil {
		return review.DoubleReview{}, err
	}
	if len(ds) == 0 {
		return review.DoubleReview{}, review.Errorf(review.ENOTFOUND, "There is no double review %d.", id)
	}
	return ds[0], nil
}

// loadDoubleReviews reads the double reviews where selects, newest first,
// with their grades (grades by reviewer name).
func loadDoubleReviews(ctx context.Context, q queryer, where string, args ...any) ([]review.DoubleReview, error) {
	rows, err := q.QueryContext(ctx, doubleReviewCols+where+" ORDER BY d.id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("store: double reviews: %w", err)
	}
	var ds []review.DoubleReview
	at := map[int64]int{}
	for rows.Next() {
		var d review.DoubleReview
		var req, closed string
		if err := rows.Scan(&d.ID, &d.ClaimID, &d.RequestedBy, &req, &closed); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: double reviews: %w", err)
		}
		d.RequestedAt, d.ClosedAt = parseTime(req), parseTime(closed)
		d.Grades = []review.Grade{}
		at[d.ID] = len(ds)
		ds = append(ds, d)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("store: double reviews: %w", err)
	}
	if len(ds) == 0 {
		return ds, nil
	}
	ids := make([]any, 0, len(ds))
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	grows, err := q.QueryContext(ctx, `SELECT g.review_id, u.name, g.confidence, g.reason, g.graded_at FROM double_review_grades g
		JOIN users u ON u.id = g.reviewer_id WHERE g.review_id IN (`+placeholders(len(ids))+`) ORDER BY g.review_id, u.name`, ids...)
	if err != nil {
		return nil, fmt.Errorf("store: grades: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var id int64
		var g review.Grade
		var graded string
		if err := grows.Scan(&id, &g.Reviewer, &g.Confidence, &g.Reason, &graded); err != nil {
			return nil, fmt.Errorf("store: grades: %w", err)
		}
		g.GradedAt = parseTime(graded)
		ds[at[id]].Grades = append(ds[at[id]].Grades, g)
	}
	return ds, grows.Err()
}

// FindDoubleReview returns one double review.
func (db *DB) FindDoubleReview(ctx context.Context, id int64) (review.DoubleReview, error) {
	return findDoubleReview(ctx, db.r, id)
}

// FindDoubleReviews lists a claim's double reviews, newest first.
func (db *DB) FindDoubleReviews(ctx context.Context, claimID int64) ([]review.DoubleReview, error) {
	return loadDoubleReviews(ctx, db.r, "WHERE d.claim_id = ?", claimID)
}

// FindAgreements computes every reviewer pair's agreement over the closed
// double reviews.
func (db *DB) FindAgreements(ctx context.Context) ([]review.PairAgreement, error) {
	ds, err := loadDoubleReviews(ctx, db.r, "WHERE d.closed_at != ''")
	if err != nil {
		return nil, err
	}
	return review.Agreements(ds), nil
}

// openReviewsFor lists the open double reviews waiting for u's grade.
func openReviewsFor(ctx context.Context, q queryer, u review.User) ([]review.DoubleReview, error) {
	return loadDoubleReviews(ctx, q, `WHERE d.closed_at = '' AND d.id IN (SELECT review_id FROM double_review_grades
		WHERE reviewer_id = ? AND confidence = '' ORDER BY review_id LIMIT ?)`, u.ID, review.MaxWorkItems)
}
