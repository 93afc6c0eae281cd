package review

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Score is an Index score in hundredths of a point: 4.10 is 410. Sheets
// write raw spreadsheet values (4.0999999999999996); kept as a float, such a
// value would print and compare wrongly, so it is parsed exactly and
// rounded once, at the door.
type Score int

// ScoreMin and ScoreMax bound every score and average: the Index scores
// 1 to 10.
const (
	ScoreMin Score = 100
	ScoreMax Score = 1000
)

// String renders s with at most two decimals and no trailing zeros: 3,
// 1.5, 4.08, -1.5.
func (s Score) String() string {
	sign := ""
	if s < 0 {
		sign, s = "-", -s
	}
	str := strconv.Itoa(int(s)/100) + "." + fmt.Sprintf("%02d", int(s)%100)
	str = strings.TrimRight(strings.TrimRight(str, "0"), ".")
	return sign + str
}

// Signed renders a change of score with its sign: +1, -1.5, 0.
func (s Score) Signed() string {
	if s > 0 {
		return "+" + s.String()
	}
	return s.String()
}

// MarshalJSON writes s as a JSON number: 1.5, not 150.
func (s Score) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalJSON reads a JSON number written by MarshalJSON.
func (s *Score) UnmarshalJSON(b []byte) error {
	neg := bytes.HasPrefix(b, []byte("-"))
	v, err := ParseScore(string(bytes.TrimPrefix(b, []byte("-"))))
	if neg {
		v = -v
	}
	*s = v
	return err
}

var scoreRE = regexp.MustCompile(`^[0-9]{1,4}(?:\.[0-9]{1,30})?$`)

// ParseScore reads a decimal number into hundredths. Spreadsheet noise
// beyond the second decimal (4.0999999999999996, 8.1300000000000008) is
// rounded away; a value that really has more decimals (4.125) is refused,
// since rounding it would change what the sheet says.
func ParseScore(s string) (Score, error) {
	if !scoreRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not a number such as 4.5", clip(s, 40))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q is not a number such as 4.5", s)
	}
	h := new(big.Rat).Mul(r, big.NewRat(100, 1))
	// Round half up: floor(h + 1/2), h being positive.
	up := new(big.Rat).Add(h, big.NewRat(1, 2))
	n := new(big.Int).Quo(up.Num(), up.Denom())
	diff := new(big.Rat).Sub(h, new(big.Rat).SetInt(n))
	if diff.Abs(diff).Cmp(big.NewRat(1, 1_000_000)) > 0 {
		return 0, fmt.Errorf("%s has more than two decimals", s)
	}
	return Score(n.Int64()), nil
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// CountryKey is the form in which a sheet's country is matched to a
// report: its name folded to a slug, so "Congo, Dem. Rep." (2021) and
// "Congo, Dem, Rep," (2023) are one country, "Côte d'Ivoire" is
// cote-d-ivoire, and a report with slug azerbaijan (or titled Azerbaijan)
// is Azerbaijan.
func CountryKey(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return b.String()
}

// IndicatorScore is one indicator's score.
type IndicatorScore struct {
	Indicator string        `json:"indicator"`
	Kind      IndicatorKind `json:"kind"`
	Score     Score         `json:"score"`
}

// CountryScores is one row of a score sheet.
type CountryScores struct {
	Line    int              // in the sheet
	Country string           // as the sheet spells it
	Key     string           // CountryKey(Country)
	Scores  []IndicatorScore // in the sheet's column order
}

// ScoreSheet is a parsed score sheet: one row per country, one column per
// indicator.
type ScoreSheet struct {
	Columns []Indicator
	Rows    []CountryScores
}

// Limits on a score sheet: the Index scores 193 countries in ~30 KB.
const (
	MaxScoreSheetBytes = 4 << 20
	MaxScoreRows       = 1000
	// MaxSheetErrors bounds the errors reported: a sheet of the wrong kind
	// would otherwise list every cell.
	MaxSheetErrors = 50
)

// headerName reads a column name as the sheets write it: "Criminality avg,"
// (2023) and "Criminality" (2021) are the same column.
func headerName(h string) string {
	h = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(h), ","))
	if low := strings.ToLower(h); strings.HasSuffix(low, " avg") {
		h = strings.TrimSpace(h[:len(h)-len(" avg")])
	}
	return h
}

// ReadScoreSheet reads a score sheet (CSV, UTF-8, with or without a byte
// order mark, LF or CRLF) and checks every row. It returns every bad row
// with its line and, where it is one cell, its column; a sheet with any is
// to be imported not at all. Columns Continent and Region are read and
// ignored; Country is required; every other column must be an indicator or
// an average of the Index, each at most once. Every cell holds a score from
// 1 to 10.
func ReadScoreSheet(b []byte) (ScoreSheet, LineErrors) {
	var errs LineErrors
	if len(b) > MaxScoreSheetBytes {
		return ScoreSheet{}, LineErrors{{Line: 1, Reason: fmt.Sprintf("the sheet is larger than %d MiB; a score sheet is about 30 KB", MaxScoreSheetBytes>>20)}}
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	for i, line := range bytes.Split(b, []byte("\n")) {
		if !utf8.Valid(line) {
			errs = append(errs, LineError{Line: i + 1, Reason: "not UTF-8 text: save the sheet as UTF-8 CSV"})
		}
	}
	if len(errs) > 0 {
		return ScoreSheet{}, errs
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return ScoreSheet{}, LineErrors{{Line: 1, Reason: "the sheet is empty"}}
	}
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return ScoreSheet{}, LineErrors{csvError(err, 1)}
	}
	var sheet ScoreSheet
	countryCol := -1
	cols := make([]int, len(header)) // index into sheet.Columns, or -1
	seen := map[string]bool{}
	for i, raw := range header {
		cols[i] = -1
		name := headerName(raw)
		low := strings.ToLower(name)
		if seen[low] {
			errs = append(errs, LineError{Line: 1, Column: name, Reason: "the column is given twice"})
			continue
		}
		seen[low] = true
		switch low {
		case "country":
			countryCol = i
			continue
		case "continent", "region":
			continue
		case "":
			errs = append(errs, LineError{Line: 1, Reason: fmt.Sprintf("column %d has no name", i+1)})
			continue
		}
		in, ok := FindIndicator(name)
		if !ok {
			errs = append(errs, LineError{Line: 1, Column: clip(name, 60), Reason: "not an indicator or average of the Index (see docs/SCORES.md for the names)"})
			continue
		}
		cols[i] = len(sheet.Columns)
		sheet.Columns = append(sheet.Columns, in)
	}
	if countryCol < 0 {
		errs = append(errs, LineError{Line: 1, Reason: "the header has no Country column"})
	}
	if len(sheet.Columns) == 0 && len(errs) == 0 {
		errs = append(errs, LineError{Line: 1, Reason: "the header names no indicator"})
	}
	if len(errs) > 0 {
		return ScoreSheet{}, errs
	}
	lines := map[string]int{}
	for len(errs) < MaxSheetErrors {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, csvError(err, line))
			break
		}
		if len(sheet.Rows)+len(errs) >= MaxScoreRows {
			errs = append(errs, LineError{Line: line, Reason: fmt.Sprintf("more than %d rows: a score sheet has one row per country", MaxScoreRows)})
			break
		}
		if len(rec) != len(header) {
			errs = append(errs, LineError{Line: line, Reason: fmt.Sprintf("%d cells, but the header names %d columns", len(rec), len(header))})
			continue
		}
		row := CountryScores{Line: line, Country: strings.TrimSpace(rec[countryCol])}
		row.Key = CountryKey(row.Country)
		bad := false
		if row.Key == "" {
			errs = append(errs, LineError{Line: line, Column: "Country", Reason: "no country named"})
			bad = true
		} else if first, dup := lines[row.Key]; dup {
			errs = append(errs, LineError{Line: line, Column: "Country", Reason: fmt.Sprintf("%s is already on line %d", clip(row.Country, 60), first)})
			bad = true
		} else {
			lines[row.Key] = line
		}
		for i, cell := range rec {
			if cols[i] < 0 {
				continue
			}
			in := sheet.Columns[cols[i]]
			cell = strings.TrimSpace(cell)
			if cell == "" {
				errs = append(errs, LineError{Line: line, Column: in.Name, Reason: "no score"})
				bad = true
				continue
			}
			s, err := ParseScore(cell)
			if err == nil && (s < ScoreMin || s > ScoreMax) {
				err = fmt.Errorf("%s is outside the Index's 1 to 10", s)
			}
			if err != nil {
				errs = append(errs, LineError{Line: line, Column: in.Name, Reason: err.Error()})
				bad = true
				continue
			}
			row.Scores = append(row.Scores, IndicatorScore{Indicator: in.Name, Kind: in.Kind, Score: s})
		}
		if !bad {
			sheet.Rows = append(sheet.Rows, row)
		}
	}
	if len(errs) >= MaxSheetErrors {
		line, _ := cr.FieldPos(0)
		errs = append(errs, LineError{Line: line, Reason: fmt.Sprintf("%d errors: the rest of the sheet was not checked", len(errs))})
	}
	if len(sheet.Rows) == 0 && len(errs) == 0 {
		errs = append(errs, LineError{Line: 2, Reason: "the sheet holds no countries"})
	}
	if len(errs) > 0 {
		return ScoreSheet{}, errs
	}
	return sheet, nil
}

func csvError(err error, line int) LineError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// A stray quote is found where the field it opened ends, often
		// many lines later: name the line where the row starts.
		reason := "not CSV: " + pe.Err.Error()
		if pe.Line != pe.StartLine {
			reason += fmt.Sprintf(" (a quote opened on this line is still open on line %d)", pe.Line)
		}
		return LineError{Line: pe.StartLine, Reason: reason}
	}
	return LineError{Line: line, Reason: err.Error()}
}

// AverageCheck compares one of a sheet's averages with the same average
// recomputed from the sheet's indicator scores.
type AverageCheck struct {
	Country  string `json:"country,omitempty"`
	Edition  string `json:"edition,omitempty"`
	Average  string `json:"average"`
	Sheet    Score  `json:"sheet"`
	Computed Score  `json:"computed"`
}

// OK reports whether the sheet's average is what its indicators give.
func (c AverageCheck) OK() bool { return c.Sheet == c.Computed }

// roundDiv divides num by den, rounding half up (both positive).
func roundDiv(num, den int) Score { return Score((2*num + den) / (2 * den)) }

// CheckAverages recomputes the averages a row gives from its indicators
// (criminal markets: the mean of the markets; criminal actors: of the actor
// types; criminality: the mean of those two means; resilience: of the
// resilience indicators; each rounded half up to hundredths once, at the
// end) and compares them with the row's own. An average whose inputs are
// not in the row is not checked.
func CheckAverages(scores []IndicatorScore) []AverageCheck {
	sum, n := map[IndicatorKind]int{}, map[IndicatorKind]int{}
	given := map[string]Score{}
	for _, s := range scores {
		if s.Kind == KindAverage {
			given[s.Indicator] = s.Score
			continue
		}
		sum[s.Kind] += int(s.Score)
		n[s.Kind]++
	}
	computed := map[string]Score{}
	if n[KindMarket] > 0 {
		computed["Criminal markets"] = roundDiv(sum[KindMarket], n[KindMarket])
	}
	if n[KindActor] > 0 {
		computed["Criminal actors"] = roundDiv(sum[KindActor], n[KindActor])
	}
	if n[KindMarket] > 0 && n[KindActor] > 0 {
		// (sm/nm + sa/na) / 2, exactly.
		computed["Criminality"] = roundDiv(sum[KindMarket]*n[KindActor]+sum[KindActor]*n[KindMarket], 2*n[KindMarket]*n[KindActor])
	}
	if n[KindResilience] > 0 {
		computed["Resilience"] = roundDiv(sum[KindResilience], n[KindResilience])
	}
	var out []AverageCheck
	for _, av := range Averages {
		g, ok1 := given[av.Name]
		c, ok2 := computed[av.Name]
		if ok1 && ok2 {
			out = append(out, AverageCheck{Average: av.Name, Sheet: g, Computed: c})
		}
	}
	return out
}

// NewScoreSheet is a request to import an edition's score sheet.
type NewScoreSheet struct {
	Edition  string // the Index's edition, e.g. 2023
	Original []byte // the CSV file
	Replace  bool   // replace a sheet already imported for the edition
}

// Validate checks the request before the sheet is read.
func (n NewScoreSheet) Validate() error {
	if !labelRE.MatchString(n.Edition) {
		return FieldErrorf("edition", "Edition label %q is not valid: use up to 32 letters, digits, '.', '-' or '_', such as 2023.", n.Edition)
	}
	if len(n.Original) == 0 {
		return FieldErrorf("file", "The score sheet is empty.")
	}
	if len(n.Original) > MaxScoreSheetBytes {
		return FieldErrorf("file", "The score sheet is larger than %d MiB.", MaxScoreSheetBytes>>20)
	}
	return nil
}

// ScoreImport is what importing a score sheet did.
type ScoreImport struct {
	Edition   string `json:"edition"`
	SHA256    string `json:"sha256"`
	Countries int    `json:"countries"`
	Scores    int    `json:"scores"`
	// Reports are the slugs of the reports whose country the sheet scores;
	// the other countries are kept for reports created later.
	Reports   []string `json:"reports"`
	Unchanged bool     `json:"unchanged,omitempty"` // the same file was imported before
	Replaced  bool     `json:"replaced,omitempty"`
	// Mismatches are the sheet's averages that its indicators do not give.
	Mismatches []AverageCheck `json:"mismatches"`
	// Queued counts the claims flagged because a score and the text
	// disagree (see ScoreFlag).
	Queued int `json:"queued"`
}

// ScoreValue is one indicator's score for a report's country in one
// edition of the Index.
type ScoreValue struct {
	Indicator string        `json:"indicator"`
	Kind      IndicatorKind `json:"kind"`
	Edition   string        `json:"edition"`
	Score     Score         `json:"score"`
}

// ScoreService imports score sheets and reads a report's scores.
type ScoreService interface {
	ImportScores(ctx context.Context, by User, n NewScoreSheet) (ScoreImport, error)
	// ReportScores returns the scores of a report's country in every
	// edition of the Index imported, oldest edition first, indicators in
	// the sheets' order.
	ReportScores(ctx context.Context, slug string) ([]ScoreValue, error)
}

// SortScores orders scores by edition (oldest first), then averages,
// markets, actor types and resilience in the sheets' order.
func SortScores(vs []ScoreValue) {
	slices.SortStableFunc(vs, func(a, b ScoreValue) int {
		if c := strings.Compare(a.Edition, b.Edition); c != 0 {
			return c
		}
		return indicatorRank(a.Indicator) - indicatorRank(b.Indicator)
	})
}

// ScoreTable holds a report's scores for looking up by indicator and
// edition.
type ScoreTable struct {
	Editions []string // oldest first
	names    []string // indicators, in the sheets' order
	scores   map[string]map[string]Score
}

// NewScoreTable indexes a report's scores.
func NewScoreTable(vs []ScoreValue) ScoreTable {
	t := ScoreTable{scores: map[string]map[string]Score{}}
	for _, v := range vs {
		if !slices.Contains(t.Editions, v.Edition) {
			t.Editions = append(t.Editions, v.Edition)
		}
		if t.scores[v.Indicator] == nil {
			t.scores[v.Indicator] = map[string]Score{}
			t.names = append(t.names, v.Indicator)
		}
		t.scores[v.Indicator][v.Edition] = v.Score
	}
	slices.Sort(t.Editions)
	slices.SortStableFunc(t.names, func(a, b string) int { return indicatorRank(a) - indicatorRank(b) })
	return t
}

// Empty reports whether the table holds no score.
func (t ScoreTable) Empty() bool { return len(t.names) == 0 }

// Get returns an indicator's score in an edition.
func (t ScoreTable) Get(indicator, edition string) (Score, bool) {
	s, ok := t.scores[indicator][edition]
	return s, ok
}

// Previous returns the edition before the given one among the table's.
func (t ScoreTable) Previous(edition string) (string, bool) {
	i := slices.Index(t.Editions, edition)
	if i <= 0 {
		return "", false
	}
	return t.Editions[i-1], true
}

// Change returns how an indicator's score moved from the previous edition
// to the given one; ok is false unless it is scored in both.
func (t ScoreTable) Change(indicator, edition string) (Score, bool) {
	prev, ok := t.Previous(edition)
	if !ok {
		return 0, false
	}
	a, ok1 := t.Get(indicator, prev)
	b, ok2 := t.Get(indicator, edition)
	if !ok1 || !ok2 {
		return 0, false
	}
	return b - a, true
}

// Indicators returns the indicators (and averages) the table scores, in
// the sheets' order.
func (t ScoreTable) Indicators() []Indicator {
	var out []Indicator
	for _, n := range t.names {
		if in, ok := FindIndicator(n); ok {
			out = append(out, in)
		}
	}
	return out
}

// Checks recomputes each edition's averages from its indicators.
func (t ScoreTable) Checks() []AverageCheck {
	var out []AverageCheck
	for _, ed := range t.Editions {
		var row []IndicatorScore
		for _, in := range t.Indicators() {
			if s, ok := t.Get(in.Name, ed); ok {
				row = append(row, IndicatorScore{Indicator: in.Name, Kind: in.Kind, Score: s})
			}
		}
		for _, c := range CheckAverages(row) {
			c.Edition = ed
			out = append(out, c)
		}
	}
	return out
}

// DefaultScoreThreshold is how far an indicator's score must move between
// editions, with its claims' text unchanged, for the claims to be queued.
const DefaultScoreThreshold Score = 100

// ScoreFlag decides whether a claim linked to an indicator goes in the
// queue, given how its quote fared in edition ed (match) and the
// indicator's score in the edition before (prev) and in ed: when the score
// moved by at least threshold while the quote is unchanged ("score moved,
// text unchanged"), or when the quote changed or went missing while the
// score stayed the same ("text changed, score flat"). The flag's reason
// carries both numbers; its subject makes it once per edition and
// indicator.
func ScoreFlag(claimID int64, indicator string, match Outcome, prev, ed string, before, after, threshold Score) (NewFlag, bool) {
	delta := after - before
	f := NewFlag{ClaimID: claimID, Subject: ed + "/" + indicator}
	switch {
	case match == OutcomeUnchanged && threshold > 0 && (delta >= threshold || -delta >= threshold):
		f.Kind = FlagScoreMoved
		f.Reason = fmt.Sprintf("%s scored %s in %s and %s in %s (%s), but the quote is unchanged in %s.",
			indicator, before, prev, after, ed, delta.Signed(), ed)
	case (match == OutcomeChanged || match == OutcomeMissing) && delta == 0:
		f.Kind = FlagScoreFlat
		what := "changed"
		if match == OutcomeMissing {
			what = "missing"
		}
		f.Reason = fmt.Sprintf("%s scored %s in both %s and %s, but the quote is %s in %s.", indicator, after, prev, ed, what, ed)
	default:
		return NewFlag{}, false
	}
	return f, true
}
