package store_test

import (
	"context"
	"strings"
	"testing"

	"vetted/review"
)

func TestDoubleReview(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	c := mustCreateClaim(t, db, db.Reviewer, quoteCaviar, "caviar")
	d, err := db.RequestDoubleReview(ctx, db.Editor, c.ID, "rey", "rosa")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Grades) != 2 || d.Done() {
		t.Fatalf("new double review %+v", d)
	}
	if _, err := db.RequestDoubleReview(ctx, db.Editor, c.ID, "rey", "ed"); review.ErrorCode(err) != review.ECONFLICT {
		t.Errorf("a second open request: %v, want ECONFLICT", err)
	}
	for _, tc := range []struct {
		name string
		by   review.User
		a, b string
		code string
	}{
		{"Reviewer", db.Reviewer, "rey", "rosa", review.EFORBIDDEN},
		{"Same", db.Editor, "rey", "Rey", review.EINVALID},
		{"Unknown", db.Editor, "rey", "nobody", review.EINVALID},
		{"Auditor", db.Editor, "rey", "audrey", review.EINVALID},
		{"Missing", db.Editor, "rey", "", review.EINVALID},
	} {
		if _, err := db.RequestDoubleReview(ctx, tc.by, c.ID, tc.a, tc.b); review.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	w, err := db.FindWork(ctx, db.Reviewer)
	if err != nil || len(w.Reviews) != 1 || w.Reviews[0].ID != d.ID {
		t.Errorf("rey's work %+v, %v", w.Reviews, err)
	}
	if _, err := db.GradeDoubleReview(ctx, db.Editor2, d.ID, review.ConfidenceLow, "x"); review.ErrorCode(err) != review.EFORBIDDEN {
		t.Errorf("ed grading unasked: %v", err)
	}
	d, err = db.GradeDoubleReview(ctx, db.Reviewer, d.ID, review.ConfidenceLow, "hedged")
	if err != nil || d.Done() {
		t.Fatalf("first grade: %+v, %v", d, err)
	}
	if _, err := db.GradeDoubleReview(ctx, db.Reviewer, d.ID, review.ConfidenceHigh, "again"); review.ErrorCode(err) != review.ECONFLICT {
		t.Errorf("grading twice: %v", err)
	}
	flagsBefore := len(mustFindClaim(t, db, c.ID).Flags)
	d, err = db.GradeDoubleReview(ctx, db.Reviewer2, d.ID, review.ConfidenceHigh, "well sourced")
	if err != nil || !d.Done() || d.Agree() {
		t.Fatalf("second grade: %+v, %v", d, err)
	}
	fs := mustFindClaim(t, db, c.ID).Flags
	if len(fs) != flagsBefore+1 || fs[len(fs)-1].Kind != review.FlagDisputed || !strings.Contains(fs[len(fs)-1].Reason, "disagrees") {
		t.Errorf("no disputed flag after a disagreement: %+v", fs)
	}
	// An agreeing review raises nothing.
	d2, err := db.RequestDoubleReview(ctx, db.Editor, c.ID, "rey", "rosa")
	if err != nil {
		t.Fatal(err)
	}
	db.GradeDoubleReview(ctx, db.Reviewer, d2.ID, review.ConfidenceLow, "a")
	if d2, err = db.GradeDoubleReview(ctx, db.Reviewer2, d2.ID, review.ConfidenceLow, "b"); err != nil || !d2.Agree() {
		t.Fatalf("agreeing review: %+v %v", d2, err)
	}
	if got := len(mustFindClaim(t, db, c.ID).Flags); got != flagsBefore+1 {
		t.Errorf("an agreeing review raised a flag: %d flags", got)
	}
	as, err := db.FindAgreements(ctx)
	if err != nil || len(as) != 1 || as[0].Claims != 2 || as[0].Agreed != 1 {
		t.Errorf("agreements %+v, %v", as, err)
	}
	if ms, err := db.VerifyRecords(ctx); err != nil || len(ms) != 0 {
		t.Errorf("VerifyRecords: %v %v", ms, err)
	}
	if _, err := db.VerifyChain(ctx); err != nil {
		t.Error(err)
	}
}
