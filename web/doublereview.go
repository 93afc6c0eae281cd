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
	if err != nil {
		// Refused at the form: the review names the claim whose page it is on.
		if d, err2 := s.svc.FindDoubleReview(r.Context(), id); err2 == nil {
			s.afterClaimChange(w, r, d.ClaimID, err, "", func(v *claimView, msg string) { v.DoubleErr = msg }, doubleReviewSection)
		} else {
			s.Error(w, r, err2)
		}
		return
	}
	s.afterClaimChange(w, r, d.ClaimID, nil, "graded", nil, doubleReviewSection)
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
