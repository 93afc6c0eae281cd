package review

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// Blind double review: an editor asks two reviewers to grade a claim's
// confidence independently. Neither sees the other's grade until both are
// in; then the page shows whether they agree, and a disagreement is raised
// as a disputed flag, which puts it in the editors' queue. Agreement per
// pair of reviewers over many claims is Cohen's kappa.

// DoubleReview is one request for two independent grades of a claim.
type DoubleReview struct {
	ID          int64     `json:"id"`
	ClaimID     int64     `json:"claim"`
	RequestedBy string    `json:"requested_by"`
	RequestedAt time.Time `json:"requested_at"`
	Grades      []Grade   `json:"grades"` // one per reviewer, by name
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Grade is one reviewer's independent grade; Confidence is "" until given.
type Grade struct {
	Reviewer   string     `json:"reviewer"`
	Confidence Confidence `json:"confidence,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	GradedAt   time.Time  `json:"graded_at,omitzero"`
}

// Graded reports whether the reviewer has graded.
func (g Grade) Graded() bool { return g.Confidence != "" }

// Done reports whether both grades are in.
func (d DoubleReview) Done() bool { return !d.ClosedAt.IsZero() }

// Agree reports whether two grades are in and they are the same.
func (d DoubleReview) Agree() bool {
	return d.Done() && len(d.Grades) == 2 && d.Grades[0].Confidence == d.Grades[1].Confidence
}

// GradeOf is name's grade, if name is one of the reviewers.
func (d DoubleReview) GradeOf(name string) (Grade, bool) {
	for _, g := range d.Grades {
		if g.Reviewer == name {
			return g, true
		}
	}
	return Grade{}, false
}

// SeenBy is d as u may see it: while the review is open, every grade but
// u's own is hidden (whether it is in shows; what it says does not), so the
// two grades stay independent. Once both are in, all is shown.
func (d DoubleReview) SeenBy(u User) DoubleReview {
	if d.Done() {
		return d
	}
	d.Grades = slices.Clone(d.Grades)
	for i, g := range d.Grades {
		if g.Reviewer != u.Name {
			d.Grades[i].Confidence, d.Grades[i].Reason = hiddenGrade(g), ""
		}
	}
	return d
}

// hiddenGrade stands for a grade that is in but not shown.
func hiddenGrade(g Grade) Confidence {
	if g.Graded() {
		return "hidden"
	}
	return ""
}

// CheckDoubleReviewers is the rule for whom a double review asks: two
// different users who may be assigned claims. Errors: EINVALID.
func CheckDoubleReviewers(a, b User) error {
	if a.ID == b.ID {
		return FieldErrorf("reviewer_b", "Choose two different reviewers: the point is two independent grades.")
	}
	for i, u := range []User{a, b} {
		if err := CheckAssignee(u); err != nil {
			return FieldErrorf([]string{"reviewer_a", "reviewer_b"}[i], "%s", ErrorMessage(err))
		}
	}
	return nil
}

// CheckGrade is the rule for grading: only an asked reviewer grades, once,
// while the review is open, with a reason. Errors: EFORBIDDEN, ECONFLICT,
// EINVALID.
func CheckGrade(by User, d DoubleReview, c Confidence, reason string) error {
	g, ok := d.GradeOf(by.Name)
	switch {
	case !ok:
		return Errorf(EFORBIDDEN, "Double review %d did not ask you for a grade.", d.ID)
	case d.Done():
		return Errorf(ECONFLICT, "Double review %d is closed: both grades are in.", d.ID)
	case g.Graded():
		return Errorf(ECONFLICT, "You have graded claim %d already in this review.", d.ClaimID)
	}
	if _, err := ParseConfidence(string(c)); err != nil {
		return err
	}
	if err := checkText("reason", "The reason", reason, MaxLongText, true); err != nil {
		return err
	}
	return nil
}

// PairAgreement is how two reviewers agree over the claims both graded in
// closed double reviews: the share of equal grades and Cohen's kappa.
type PairAgreement struct {
	A, B   string // reviewer names, A < B
	Claims int
	Agreed int
	Kappa  float64 // NaN-free: 1 when both always gave one same grade
}

// Agreements computes each reviewer pair's agreement over closed reviews,
// by pair name.
func Agreements(reviews []DoubleReview) []PairAgreement {
	type pair struct{ a, b string }
	grades := map[pair][][2]Confidence{}
	for _, d := range reviews {
		if !d.Done() || len(d.Grades) != 2 {
			continue
		}
		g0, g1 := d.Grades[0], d.Grades[1]
		if g0.Reviewer > g1.Reviewer {
			g0, g1 = g1, g0
		}
		k := pair{g0.Reviewer, g1.Reviewer}
		grades[k] = append(grades[k], [2]Confidence{g0.Confidence, g1.Confidence})
	}
	var out []PairAgreement
	for k, gs := range grades {
		pa := PairAgreement{A: k.a, B: k.b, Claims: len(gs)}
		for _, g := range gs {
			if g[0] == g[1] {
				pa.Agreed++
			}
		}
		pa.Kappa = CohensKappa(gs)
		out = append(out, pa)
	}
	slices.SortFunc(out, func(x, y PairAgreement) int { return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B)) })
	return out
}

// CohensKappa is Cohen's kappa of two raters' grades over the four
// confidence levels: (po - pe) / (1 - pe), po the observed agreement, pe
// the agreement expected by chance from each rater's own distribution.
// When pe is 1 (both raters always gave the same single grade) it is 1.
func CohensKappa(grades [][2]Confidence) float64 {
	n := float64(len(grades))
	if n == 0 {
		return 0
	}
	var po float64
	a, b := map[Confidence]float64{}, map[Confidence]float64{}
	for _, g := range grades {
		if g[0] == g[1] {
			po++
		}
		a[g[0]]++
		b[g[1]]++
	}
	po /= n
	var pe float64
	for _, c := range Confidences {
		pe += (a[c] / n) * (b[c] / n)
	}
	if pe == 1 {
		return 1
	}
	return (po - pe) / (1 - pe)
}

// DoubleReviewService asks for and records blind double reviews.
type DoubleReviewService interface {
	// RequestDoubleReview asks two reviewers (by name) to grade a claim.
	// Errors: EFORBIDDEN unless by may assign claims, EINVALID for bad
	// reviewers, ECONFLICT when the claim has an open double review.
	RequestDoubleReview(ctx context.Context, by User, claimID int64, a, b string) (DoubleReview, error)
	// GradeDoubleReview records by's grade; the second grade closes the
	// review and a disagreement raises a disputed flag.
	GradeDoubleReview(ctx context.Context, by User, id int64, c Confidence, reason string) (DoubleReview, error)
	// FindDoubleReview returns one double review, unblinded. Errors:
	// ENOTFOUND.
	FindDoubleReview(ctx context.Context, id int64) (DoubleReview, error)
	// FindDoubleReviews lists a claim's double reviews, newest first,
	// unblinded: callers show them through SeenBy.
	FindDoubleReviews(ctx context.Context, claimID int64) ([]DoubleReview, error)
	// FindAgreements is every reviewer pair's agreement.
	FindAgreements(ctx context.Context) ([]PairAgreement, error)
}
