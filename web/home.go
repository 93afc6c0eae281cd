package web

import (
	"net/http"

	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"

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
	p := s.page(r, "Reports")
	canImport := p.can(review.ActionImportEdition)
	v.Rows = func(rep review.Report) templ.Component {
		return s.fragments.component(reportRowsKey(canImport, rep), reportRows(canImport, rep))
	}
	s.render(w, r, http.StatusOK, homePage(p, v))
}

// homeView is one page of the reports, with their editions' statistics.
type homeView struct {
	Query   string
	Page    int
	Total   int // reports the query selects, on every page
	Reports []review.Report
	Rows    func(review.Report) templ.Component
}

// reportRowsKey is everything reportRows shows of a report, as the key of
// its rendered rows in the fragment cache.
func reportRowsKey(canImport bool, rep review.Report) string {
	b := make([]byte, 0, 256)
	b = append(b, "report-rows\x00"...)
	b = strconv.AppendBool(b, canImport)
	for _, f := range []string{rep.Slug, rep.Title, rep.Publisher} {
		b = strconv.AppendQuote(b, f)
	}
	for _, ed := range rep.Editions {
		b = strconv.AppendQuote(b, ed.Label)
		b = strconv.AppendQuote(b, ed.Published)
		b = strconv.AppendBool(b, ed.Draft)
		st := ed.Stats
		b = strconv.AppendInt(b, int64(st.Claims), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(st.Flagged), 10)
		for _, s := range review.States {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(st.ByState[s]), 10)
		}
		for _, o := range review.Outcomes {
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(st.ByMatch[o]), 10)
		}
	}
	return string(b)
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

// editionChart is an edition's claims by state as a stacked bar.
type editionChart struct {
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
	var c editionChart
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
