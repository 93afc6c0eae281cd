package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"vetted/review"
)

// ---- The report page: every indicator across editions ----

// scoreSeries is one indicator's scores across the Index's editions, laid
// out as a small SVG chart.
type scoreSeries struct {
	Indicator review.Indicator
	Points    []scorePoint
	Last      string // the newest score, "" when the newest edition does not score it
	Change    string // against the edition before, signed; "" when not scored in both
	Moved     bool   // moved by the queue's threshold or more
}

// scorePoint is one edition's score and where it sits on the chart.
type scorePoint struct {
	Edition string
	Score   review.Score
	X, Y    float64
}

// Chart geometry, in SVG units: scores 1 to 10 run bottom to top.
const (
	chartW, chartH = 120.0, 48.0
	chartPad       = 6.0
)

func chartY(s review.Score) float64 {
	return chartPad + (chartH-2*chartPad)*(1-float64(s-review.ScoreMin)/float64(review.ScoreMax-review.ScoreMin))
}

// polyline is the points attribute joining a series.
func (s scoreSeries) polyline() string {
	var b strings.Builder
	for i, p := range s.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", p.X, p.Y)
	}
	return b.String()
}

func (s scoreSeries) label() string {
	parts := make([]string, len(s.Points))
	for i, p := range s.Points {
		parts[i] = p.Edition + ": " + p.Score.String()
	}
	return s.Indicator.Name + " — " + strings.Join(parts, ", ")
}

// buildSeries lays out every indicator the table scores, each across all
// of the table's editions (an edition that does not score it leaves a gap
// in x, not a point).
func buildSeries(t review.ScoreTable, threshold review.Score) []scoreSeries {
	var out []scoreSeries
	n := len(t.Editions)
	for _, in := range t.Indicators() {
		s := scoreSeries{Indicator: in}
		for i, ed := range t.Editions {
			v, ok := t.Get(in.Name, ed)
			if !ok {
				continue
			}
			x := chartW / 2
			if n > 1 {
				x = chartPad + (chartW-2*chartPad)*float64(i)/float64(n-1)
			}
			s.Points = append(s.Points, scorePoint{Edition: ed, Score: v, X: x, Y: chartY(v)})
		}
		if n > 0 {
			last := t.Editions[n-1]
			if v, ok := t.Get(in.Name, last); ok {
				s.Last = v.String()
			}
			if d, ok := t.Change(in.Name, last); ok {
				s.Change = d.Signed()
				s.Moved = moved(d, threshold)
			}
		}
		out = append(out, s)
	}
	return out
}

// reportView is the report page.
type reportView struct {
	Report review.Report
	Scores review.ScoreTable
	Series []scoreSeries
	Checks []review.AverageCheck
	Form   scoresForm
	// Threshold is the move of score the queue acts on.
	Threshold review.Score
}

// mismatches counts the averages that do not add up.
func (v reportView) mismatches() int {
	n := 0
	for _, c := range v.Checks {
		if !c.OK() {
			n++
		}
	}
	return n
}

// scoresForm is the score-sheet import form as typed, with what was wrong.
type scoresForm struct {
	Report  string // the report page to come back to
	Edition string
	Replace bool
	Error   string
	Lines   review.LineErrors
	Field   string
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r, review.ActionRead); !ok {
		return
	}
	v, err := s.loadReportView(r, r.PathValue("slug"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, reportPage(s.page(r, v.Report.Title), v))
}

func (s *Server) loadReportView(r *http.Request, slug string) (reportView, error) {
	rep, err := s.svc.FindReport(r.Context(), slug)
	if err != nil {
		return reportView{}, err
	}
	vs, err := s.svc.ReportScores(r.Context(), slug)
	if err != nil {
		return reportView{}, err
	}
	t := review.NewScoreTable(vs)
	return reportView{Report: rep, Scores: t, Series: buildSeries(t, s.cfg.ScoreThreshold), Checks: t.Checks(), Form: scoresForm{Report: slug}, Threshold: s.cfg.ScoreThreshold}, nil
}

// handleImportScores imports a score sheet from the report page's form. A
// refused sheet comes back on the page with every bad row listed; nothing
// was written.
func (s *Server) handleImportScores(w http.ResponseWriter, r *http.Request) {
	u, ok := s.authorize(w, r, review.ActionImportScores)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		s.Error(w, r, err)
		return
	}
	f := scoresForm{Report: r.PostForm.Get("report"), Edition: strings.TrimSpace(r.PostForm.Get("edition")),
		Replace: r.PostForm.Get("replace") == "yes"}
	fail := func(status int, err error) {
		v, lerr := s.loadReportView(r, f.Report)
		if lerr != nil {
			s.Error(w, r, lerr)
			return
		}
		f.Error, f.Field = review.ErrorMessage(err), review.ErrorField(err)
		if errors.As(err, &f.Lines) {
			f.Error = fmt.Sprintf("%d bad line(s) in the sheet: nothing was imported.", len(f.Lines))
		}
		v.Form = f
		s.render(w, r, status, reportPage(s.page(r, v.Report.Title), v))
	}
	if _, err := s.svc.FindReport(r.Context(), f.Report); err != nil {
		s.Error(w, r, err)
		return
	}
	data, err := readSheetUpload(r)
	if err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	res, err := s.svc.ImportScores(r.Context(), u, review.NewScoreSheet{Edition: f.Edition, Original: data, Replace: f.Replace})
	switch code := review.ErrorCode(err); {
	case err == nil:
	case code == review.EINVALID:
		fail(http.StatusBadRequest, err)
		return
	case code == review.ECONFLICT:
		fail(http.StatusConflict, err)
		return
	default:
		s.Error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, scoresImportedPage(s.page(r, "Scores "+res.Edition+" imported"), f.Report, res))
}

// readSheetUpload reads the form's score sheet; the sheet's own checks
// are review.ReadScoreSheet's.
func readSheetUpload(r *http.Request) ([]byte, error) {
	f, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, review.FieldErrorf("file", "Choose the score sheet (CSV) to import.")
	} else if err != nil {
		return nil, review.FieldErrorf("file", "The file could not be read: %v. Choose it again.", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, review.MaxScoreSheetBytes+1))
	if err != nil {
		return nil, review.FieldErrorf("file", "The file could not be read: %v. Choose it again.", err)
	}
	if len(b) > review.MaxScoreSheetBytes {
		return nil, review.FieldErrorf("file", "The file is larger than %d MiB: a score sheet is about 30 KB.", review.MaxScoreSheetBytes>>20)
	}
	return b, nil
}

// ---- Scores beside the words ----

// indicatorScores is one indicator's score in each edition, with its
// change from the edition before, for the claim page and the reader.
type indicatorScores struct {
	Name   string
	Scores []editionScore
}

type editionScore struct {
	Edition string
	Score   string
	Change  string // signed; "" for the first edition scored
	Moved   bool
}

// moved reports whether a change of score is one the queue marks.
func moved(d, threshold review.Score) bool { return d >= threshold || -d >= threshold }

func scoresOf(t review.ScoreTable, indicator string, threshold review.Score) indicatorScores {
	is := indicatorScores{Name: indicator}
	for _, ed := range t.Editions {
		v, ok := t.Get(indicator, ed)
		if !ok {
			continue
		}
		e := editionScore{Edition: ed, Score: v.String()}
		if d, ok := t.Change(indicator, ed); ok {
			e.Change = d.Signed()
			e.Moved = moved(d, threshold)
		}
		is.Scores = append(is.Scores, e)
	}
	return is
}

// sectionScores gives each reader section whose heading is one of the
// Index's groups (PEOPLE, DRUGS, …) its indicators' scores in every
// edition of the Index, the one read among them.
func sectionScores(secs []readerSection, t review.ScoreTable, threshold review.Score) {
	for i := range secs {
		for _, in := range review.IndicatorsIn(secs[i].Heading) {
			if is := scoresOf(t, in.Name, threshold); len(is.Scores) > 0 {
				secs[i].Scores = append(secs[i].Scores, is)
			}
		}
		sectionScores(secs[i].Children, t, threshold)
	}
}

// sectionAttrs gives a reader section whose heading is one of the Index's
// groups its indicators, for reader.js.
func sectionAttrs(heading string) templ.Attributes {
	if j := indicatorsJSON(heading); j != "" {
		return templ.Attributes{"data-indicators": j}
	}
	return templ.Attributes{}
}

// indicatorsJSON is the indicators a reader section's heading groups, with
// the words that suggest each, for reader.js to suggest a selection's
// topic as review.SuggestIndicator does; "" for a heading that is no
// group. heading "" gives every indicator, for text under no group.
func indicatorsJSON(heading string) string {
	ins := review.Indicators
	if heading != "" {
		if ins = review.IndicatorsIn(heading); len(ins) == 0 {
			return ""
		}
	}
	type hint struct {
		Name  string   `json:"name"`
		Words []string `json:"words"`
	}
	hs := make([]hint, len(ins))
	for i, in := range ins {
		hs[i] = hint{in.Name, in.Words}
	}
	b, _ := json.Marshal(hs)
	return string(b)
}
