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
	v.Stats = make(map[string]editionChart, len(stats))
	for _, st := range stats {
		v.Stats[st.Report+"\x00"+st.Edition] = newEditionChart(st)
	}
	s.render(w, r, http.StatusOK, homePage(s.page(r, "Reports"), v))
}

// homeView is one page of the reports, with their editions' statistics.
type homeView struct {
	Query   string
	Page    int
	Total   int // reports the query selects, on every page
	Reports []review.Report
	Stats   map[string]editionChart // by slug + "\x00" + label
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

// editionChart is what the report list shows of an edition's counts,
// laid out once.
type editionChart struct {
	review.EditionStats
	Bars  []bar  // by state, in stateOrder
	Label string // the chart's text for screen readers
}

// bar is one segment of an edition's stacked bar chart.
type bar struct {
	Label string
	Class string
	N     int
	X, W  string // percent of the chart's width, two decimals
}

// stateOrder is the order of a chart's segments.
var stateOrder = []review.RevisionState{review.StateApproved, review.StatePending, review.StateDraft, review.StateRejected}

// newEditionChart lays out an edition's claims by state as a stacked bar.
func newEditionChart(st review.EditionStats) editionChart {
	c := editionChart{EditionStats: st}
	label := strconv.Itoa(st.Claims) + " claims"
	x := 0.0
	for _, s := range stateOrder {
		n := st.ByState[s]
		if n == 0 || st.Claims == 0 {
			continue
		}
		wd := 100 * float64(n) / float64(st.Claims)
		c.Bars = append(c.Bars, bar{Label: string(s), Class: "st-" + string(s), N: n,
			X: strconv.FormatFloat(x, 'f', 2, 64), W: strconv.FormatFloat(wd, 'f', 2, 64)})
		label += ", " + strconv.Itoa(n) + " " + string(s)
		x += wd
	}
	c.Label = label
	return c
}
