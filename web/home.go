package web

import (
	"net/http"

	"vetted/review"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	reports, err := s.svc.ListReports(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	stats, err := s.svc.EditionStats(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	byEdition := map[string]review.EditionStats{}
	for _, st := range stats {
		byEdition[st.Report+"\x00"+st.Edition] = st
	}
	s.render(w, r, http.StatusOK, homePage(s.page(r, "Reports"), reports, byEdition))
}

// bar is one segment of an edition's stacked bar chart.
type bar struct {
	Label string
	Class string
	N     int
	X, W  float64 // percent of the chart's width
}

// stateBars lays out an edition's claims by state as a stacked bar.
func stateBars(st review.EditionStats) []bar {
	order := []struct {
		s     review.RevisionState
		label string
	}{{review.StateApproved, "approved"}, {review.StatePending, "pending"}, {review.StateDraft, "draft"}, {review.StateRejected, "rejected"}}
	var bars []bar
	x := 0.0
	for _, o := range order {
		n := st.ByState[o.s]
		if n == 0 || st.Claims == 0 {
			continue
		}
		wd := 100 * float64(n) / float64(st.Claims)
		bars = append(bars, bar{Label: o.label, Class: "st-" + o.label, N: n, X: x, W: wd})
		x += wd
	}
	return bars
}
