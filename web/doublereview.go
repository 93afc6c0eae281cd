package web

import (
	"fmt"
	"net/http"
	"strings"

	"vetted/review"
)

// handleRequestDoubleReview asks two reviewers (reviewer_a, reviewer_b)
// for blind grades of a claim; editors only.
func (s *Server) handleRequestDoubleReview(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionAssignClaim)
	if !ok {
		return
	}
	_, err := s.svc.RequestDoubleReview(r.Context(), u, id,
		strings.TrimSpace(r.PostForm.Get("reviewer_a")), strings.TrimSpace(r.PostForm.Get("reviewer_b")))
	if review.ErrorCode(err) == review.ECONFLICT {
		// An open review already: the reason belongs at the form too.
		err = review.FieldErrorf("reviewer_a", "%s", review.ErrorMessage(err))
	}
	s.afterClaimChange(w, r, id, err, "double-review-requested", func(v *claimView, msg string) { v.DoubleErr = msg }, doubleReviewSection)
}

// handleGrade records the signed-in reviewer's blind grade.
func (s *Server) handleGrade(w http.ResponseWriter, r *http.Request) {
	u, id, ok := s.recordForm(w, r, review.ActionProposeRev)
	if !ok {
		return
	}
	d, err := s.svc.GradeDoubleReview(r.Context(), u, id, review.Confidence(strings.TrimSpace(r.PostForm.Get("confidence"))),
		strings.TrimSpace(r.PostForm.Get("reason")))
	if err != nil && review.ErrorCode(err) != review.EINVALID {
		s.Error(w, r, err)
		return
	}
	claimID := d.ClaimID
	if claimID == 0 {
		// Refused: the review names its claim, for the form's page.
		if ds, ferr := s.reviewByID(r, id); ferr == nil {
			claimID = ds.ClaimID
		} else {
			s.Error(w, r, ferr)
			return
		}
	}
	s.afterClaimChange(w, r, claimID, err, "graded", func(v *claimView, msg string) { v.DoubleErr = msg }, doubleReviewSection)
}

// reviewByID finds a double review through the signed-in user's work or,
// failing that, as not found.
func (s *Server) reviewByID(r *http.Request, id int64) (review.DoubleReview, error) {
	work, err := s.svc.FindWork(r.Context(), currentUser(r))
	if err != nil {
		return review.DoubleReview{}, err
	}
	for _, d := range work.Reviews {
		if d.ID == id {
			return d, nil
		}
	}
	return review.DoubleReview{}, review.Errorf(review.ENOTFOUND, "There is no double review %d waiting for your grade.", id)
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	as, err := s.svc.FindAgreements(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, agreementPage(s.page(r, "Reviewer agreement"), as))
}

func kappa(k float64) string { return fmt.Sprintf("%.2f", k) }
