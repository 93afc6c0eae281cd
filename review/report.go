package review

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"vetted/review/text"
)

// Report is a publication that comes out in editions.
type Report struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Publisher string    `json:"publisher"`
	Editions  []Edition `json:"editions,omitempty"`
}

// ReportFilter selects reports for a list.
type ReportFilter struct {
	// Query keeps reports whose title or slug contains it, ignoring case
	// (ASCII letters only, as SQLite's LIKE does).
	Query  string
	Offset int // reports to skip
	Limit  int // at most MaxReportsPage; 0 for DefaultReportsPage
}

// Report list page sizes.
const (
	DefaultReportsPage = 20
	MaxReportsPage     = 200
)

// PageSize is f.Limit bounded to 1..MaxReportsPage, DefaultReportsPage
// for 0.
func (f ReportFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return DefaultReportsPage
	case f.Limit > MaxReportsPage:
		return MaxReportsPage
	}
	return f.Limit
}

// Edition is one imported version of a report's text.
type Edition struct {
	ID         int64         `json:"id"`
	ReportID   int64         `json:"report_id"`
	ReportSlug string        `json:"report"`
	Label      string        `json:"label"`
	Published  string        `json:"published,omitempty"` // YYYY-MM-DD, or "" when unknown
	SHA256     string        `json:"sha256"`              // of Original
	Original   []byte        `json:"-"`                   // set on import only; reads leave it nil
	Doc        text.Document `json:"-"`
	Draft      bool          `json:"draft"`
	ImportedBy string        `json:"imported_by"`
	ImportedAt time.Time     `json:"imported_at"`
	// Stats counts the edition's claims; report listings (FindReports,
	// ListReports) fill it, other reads leave it zero.
	Stats EditionStats `json:"-"`
}

// Before reports whether e precedes o: by publication date, then by label
// (the Index's editions are labelled by year). An edition without a date
// comes before every dated one, so the order is total and the newest
// edition does not depend on the order of imports.
func (e Edition) Before(o Edition) bool {
	if e.Published != o.Published {
		return e.Published < o.Published
	}
	if e.Label != o.Label {
		return e.Label < o.Label
	}
	return e.ID < o.ID
}

// NewEdition is a request to import an edition's text.
type NewEdition struct {
	Report    string // slug; created if new
	Title     string // report title; required when the report is new
	Publisher string
	Label     string
	Published string // YYYY-MM-DD or ""
	Original  []byte
	Draft     bool // a draft edition may be replaced
	Replace   bool // replace the draft edition of the same label
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
var labelRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// MaxEditionBytes bounds an imported text: the Index's profiles are ~15 KB.
const MaxEditionBytes = 4 << 20

// ImportAction is what importing a file under an edition's label does.
type ImportAction int

const (
	ImportNew          ImportAction = iota // a label the report does not have yet
	ImportUnchanged                        // the same bytes again: nothing changes
	ImportPublishDraft                     // the draft's own bytes, asked to replace it as final: publish it
	ImportReplaceDraft                     // other bytes for a draft, asked to replace it
)

// DecideImport is the rule for importing n, whose bytes have SHA-256
// digest (hex), when the report already has an edition under n's label
// (old, nil when it has none): the same bytes change nothing (or publish
// the draft they are, when asked to replace it with a final edition); other
// bytes may replace only a draft, and only when asked. Errors: ECONFLICT on
// field "edition", saying what to do instead.
func DecideImport(old *Edition, digest string, n NewEdition) (ImportAction, error) {
	switch {
	case old == nil:
		return ImportNew, nil
	case old.SHA256 == digest && old.Draft && n.Replace && !n.Draft:
		return ImportPublishDraft, nil
	case old.SHA256 == digest:
		return ImportUnchanged, nil
	case old.Draft && n.Replace:
		return ImportReplaceDraft, nil
	}
	msg := fmt.Sprintf("Edition %s of %s was already imported from a different file (SHA-256 %s…).", n.Label, n.Report, old.SHA256[:min(12, len(old.SHA256))])
	if old.Draft {
		msg += " It is a draft, so it can be replaced: import it again asking to replace it (--replace, or \"Replace the draft\" in the form)."
	} else {
		msg += " It is published and cannot be replaced: import the new text under a new edition label."
	}
	return 0, &Error{Code: ECONFLICT, Field: "edition", Message: msg}
}

// Validate checks a NewEdition before anything is written.
func (n NewEdition) Validate() error {
	if !slugRE.MatchString(n.Report) || len(n.Report) > 64 {
		return FieldErrorf("report", "Report %q is not a slug: use lower-case letters, digits and single hyphens.", n.Report)
	}
	if !labelRE.MatchString(n.Label) {
		return FieldErrorf("edition", "Edition label %q is not valid: use up to 32 letters, digits, '.', '-' or '_', such as 2023.", n.Label)
	}
	if n.Published != "" {
		if _, err := time.Parse(time.DateOnly, n.Published); err != nil {
			return FieldErrorf("published", "Publication date %q is not a date: use YYYY-MM-DD.", n.Published)
		}
	}
	if len(n.Original) == 0 {
		return FieldErrorf("file", "The edition's file is empty.")
	}
	if len(n.Original) > MaxEditionBytes {
		return FieldErrorf("file", "The edition's file is larger than %d MiB.", MaxEditionBytes>>20)
	}
	if !utf8.Valid(n.Original) {
		return FieldErrorf("file", "The edition's file is not UTF-8 text; convert it first (a PDF is imported through pdftotext).")
	}
	if strings.TrimSpace(string(n.Original)) == "" {
		return FieldErrorf("file", "The edition's file holds no text.")
	}
	if utf8.RuneCountInString(n.Title) > 300 || utf8.RuneCountInString(n.Publisher) > 300 {
		return FieldErrorf("title", "Title and publisher have at most 300 characters.")
	}
	return nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Edition   Edition `json:"edition"`
	Unchanged bool    `json:"unchanged"` // the same file was already imported: nothing was written
	Replaced  bool    `json:"replaced"`
	// PublishedDraft: the same file was imported again without Draft, so
	// the draft edition became final and nothing else changed.
	PublishedDraft bool            `json:"published_draft"`
	Outcomes       []ClaimOutcome  `json:"outcomes"`
	Counts         map[Outcome]int `json:"counts"`
	// NewMaterial is text of the new edition that no claim covers.
	NewMaterial []Sentence `json:"new_material"`
	// Outline is the edition's headings as the import found them, so that
	// an editor sees at once what was taken for a heading.
	Outline []text.Section `json:"outline"`
	// ScoreFlags counts the claims queued because the Index's scores and
	// the text disagree between this edition and the one before.
	ScoreFlags int `json:"score_flags"`
}

// ClaimOutcome is what became of one claim in an imported edition.
type ClaimOutcome struct {
	ClaimID    int64    `json:"claim"`
	Match      Outcome  `json:"match"`
	Similarity float64  `json:"similarity"`
	Anchor     Anchor   `json:"anchor"`
	Diff       []DiffOp `json:"diff,omitempty"`
	RevisionID int64    `json:"revision,omitempty"` // proposed for a changed claim
	FlagID     int64    `json:"flag,omitempty"`     // raised for a missing claim
	HedgeFrom  []string `json:"hedge_from,omitempty"`
	HedgeTo    []string `json:"hedge_to,omitempty"`
}

// ReportService imports and reads reports and editions.
type ReportService interface {
	ImportEdition(ctx context.Context, by User, n NewEdition) (ImportResult, error)
	// ListReports returns every report with its editions, by title.
	ListReports(ctx context.Context) ([]Report, error)
	// FindReports returns a page of the reports f selects, by title, with
	// their editions, and how many it selects in all.
	FindReports(ctx context.Context, f ReportFilter) ([]Report, int, error)
	FindReport(ctx context.Context, slug string) (Report, error)
	FindEdition(ctx context.Context, slug, label string) (Edition, error)
	// PublishEdition makes a draft edition final without changing its text
	// or its claims: it can no longer be replaced. Publishing needs the
	// right to import editions, since it settles what an import left open.
	// ECONFLICT when the edition is already published.
	PublishEdition(ctx context.Context, by User, slug, label string) (Edition, error)
}
