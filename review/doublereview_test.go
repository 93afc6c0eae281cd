package review

import (
	"math"
	"testing"
	"time"
)

func TestCohensKappa(t *testing.T) {
	// Wikipedia's example: 20 both yes, 15 both no, 5 yes/no, 10 no/yes:
	// po 0.7, pe 0.5, kappa 0.4.
	var gs [][2]Confidence
	add := func(n int, a, b Confidence) {
		for range n {
			gs = append(gs, [2]Confidence{a, b})
		}
	}
	add(20, ConfidenceHigh, ConfidenceHigh)
	add(15, ConfidenceLow, ConfidenceLow)
	add(5, ConfidenceHigh, ConfidenceLow)
	add(10, ConfidenceLow, ConfidenceHigh)
	if k := CohensKappa(gs); math.Abs(k-0.4) > 1e-9 {
		t.Errorf("kappa %v, want 0.4", k)
	}
	if k := CohensKappa([][2]Confidence{{ConfidenceLow, ConfidenceLow}, {ConfidenceLow, ConfidenceLow}}); k != 1 {
		t.Errorf("always the same one grade: kappa %v, want 1", k)
	}
	if k := CohensKappa([][2]Confidence{{ConfidenceLow, ConfidenceHigh}, {ConfidenceHigh, ConfidenceLow}}); k >= 0 {
		t.Errorf("always disagreeing: kappa %v, want below 0", k)
	}
	if k := CohensKappa(nil); k != 0 {
		t.Errorf("no grades: %v", k)
	}
}

func TestDoubleReviewBlind(t *testing.T) {
	rey, ed := User{ID: 2, Name: "rey", Role: RoleReviewer}, User{ID: 4, Name: "ed", Role: RoleEditor}
	d := DoubleReview{ID: 1, ClaimID: 7, Grades: []Grade{
		{Reviewer: "ed", Confidence: ConfidenceHigh, Reason: "sources agree", GradedAt: time.Now()},
		{Reviewer: "rey"},
	}}
	seen := d.SeenBy(rey)
	if g, _ := seen.GradeOf("ed"); g.Confidence == ConfidenceHigh || g.Reason != "" || !g.Graded() {
		t.Errorf("rey sees ed's open grade: %+v", g)
	}
	if g, _ := d.GradeOf("ed"); g.Confidence != ConfidenceHigh {
		t.Error("SeenBy changed the review it was given")
	}
	if g, _ := d.SeenBy(ed).GradeOf("ed"); g.Confidence != ConfidenceHigh {
		t.Error("ed does not see her own grade")
	}
	if err := CheckGrade(ed, d, ConfidenceLow, "again"); ErrorCode(err) != ECONFLICT {
		t.Errorf("grading twice: %v", err)
	}
	if err := CheckGrade(User{ID: 9, Name: "eda"}, d, ConfidenceLow, "x"); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("grading unasked: %v", err)
	}
	if err := CheckGrade(rey, d, ConfidenceLow, ""); ErrorCode(err) != EINVALID {
		t.Errorf("grading without a reason: %v", err)
	}
	if err := CheckGrade(rey, d, "certain", "x"); ErrorCode(err) != EINVALID {
		t.Errorf("grading with no confidence level: %v", err)
	}
	if err := CheckGrade(rey, d, ConfidenceLow, "the report hedges"); err != nil {
		t.Errorf("rey's grade: %v", err)
	}
	d.Grades[1].Confidence, d.ClosedAt = ConfidenceLow, time.Now()
	if d.Agree() {
		t.Error("high and low agree")
	}
	if g, _ := d.SeenBy(rey).GradeOf("ed"); g.Confidence != ConfidenceHigh {
		t.Error("a closed review still hides grades")
	}
	if err := CheckDoubleReviewers(rey, rey); ErrorCode(err) != EINVALID {
		t.Errorf("one reviewer twice: %v", err)
	}
	if err := CheckDoubleReviewers(rey, User{ID: 5, Name: "audrey", Role: RoleAuditor}); ErrorCode(err) != EINVALID {
		t.Errorf("an auditor: %v", err)
	}
	as := Agreements([]DoubleReview{d, {ClosedAt: time.Now(), Grades: []Grade{{Reviewer: "rey", Confidence: ConfidenceLow}, {Reviewer: "ed", Confidence: ConfidenceLow}}}})
	if len(as) != 1 || as[0].A != "ed" || as[0].B != "rey" || as[0].Claims != 2 || as[0].Agreed != 1 {
		t.Errorf("agreements %+v", as)
	}
}
