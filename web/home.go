package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vetted/review"
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	v := homeView{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	v.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	v.Page = max(1, min(v.Page, maxPage))
	f := review.ReportFilter{Query: v.Query, Offset: (v.Page - 1) * review.DefaultReportsPage}
	var err error
	if v.Reports, v.Total, err = s.svc.FindReports(r.Context(), f); err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Page > v.pages() {
		// Past the last page (an old link, a shorter search): show the last.
		v.Page = v.pages()
		f.Offset = (v.Page - 1) * review.DefaultReportsPage
		if v.Reports, v.Total, err = s.svc.FindReports(r.Context(), f); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	ids := make([]int64, len(v.Reports))
	for i, rep := range v.Reports {
		ids[i] = rep.ID
	}
	stats, err := s.svc.EditionStats(r.Context(), ids)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Stats = map[string]review.EditionStats{}
	for _, st := range stats {
		v.Stats[st.Report+"\x00"+st.Edition] = st
	}
	s.render(w, r, http.StatusOK, homePage(s.page(r, "Reports"), v))
}

// homeView is one page of the reports, with their editions' statistics.
type homeView struct {
	Query   string
	Page    int
	Total   int // reports the query selects, on every page
	Reports []review.Report
	Stats   map[string]review.EditionStats // by slug + "\x00" + label
}

// pages is how many pages the reports fill.
func (v homeView) pages() int {
	return max(1, (v.Total+review.DefaultReportsPage-1)/review.DefaultReportsPage)
}

// pageURL is the address of page n of the same query.
func (v homeView) pageURL(n int) string {
	q := url.Values{}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
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
