package review

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// MaxListFlags is how many of a claim's open flags a list of claims
// carries: a list shows that a claim is flagged and why, and the claim's own
// page shows every flag. Loading them all made a list's cost grow with
// every flag anyone raised.
const MaxListFlags = 3

// ClaimVersion names one state of a claim and of what its page shows
// beside it: the newest event about the claim, and the newest event about no
// claim (users, editions, sources). Every change writes an event in its own
// transaction, so while both numbers stay the same, nothing shown has
// changed. The zero value is no claim.
type ClaimVersion struct {
	Claim  int64 // newest event seq whose claim is this one
	Global int64 // newest event seq about no claim
}

// Claim is one statement a report makes, followed across its editions. Its
// content lives in revisions; the claim itself only holds identity.
type Claim struct {
	ID        int64     `json:"id"`
	ReportID  int64     `json:"-"`
	Report    string    `json:"report"`
	CurrentID int64     `json:"current,omitempty"` // approved revision, 0 until one is approved
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// Retired is set when an editor drops the claim in an edition; it is not
	// carried into later editions.
	RetiredIn string    `json:"retired_in,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// Assignee is the user the claim is assigned to, "" when none.
	Assignee string `json:"assignee,omitempty"`

	// Latest is the claim's newest revision whatever its state; Current the
	// approved one (zero when none).
	Latest  Revision `json:"latest"`
	Current Revision `json:"-"`
	// Anchor is the claim's appearance in the edition asked for.
	Anchor Appearance `json:"anchor"`
	// Flags are the claim's open flags, oldest first; in a list of claims
	// (ClaimService.FindClaims) only the newest MaxListFlags of them, and
	// from FindClaimShown only its window's. OpenFlags counts them all.
	Flags     []Flag `json:"flags"`
	OpenFlags int    `json:"open_flags"`

	// Filled in by FindClaim only. Notes are oldest first; AllFlags, every
	// flag open or resolved, by the time it was raised. FindClaimShown may
	// leave out the oldest notes and flags (ClaimWindow).
	Revisions   []Revision   `json:"revisions,omitempty"`
	Appearances []Appearance `json:"appearances,omitempty"`
	Notes       []Note       `json:"notes,omitempty"`
	AllFlags    []Flag       `json:"all_flags,omitempty"`
	// NotesTotal and ResolvedTotal count the claim's notes and resolved
	// flags, those left out included.
	NotesTotal    int `json:"-"`
	ResolvedTotal int `json:"-"`

	// Version is the state a list of claims (ClaimService.FindClaims and
	// the lists built on it) read the claim in: while it is the same, so is
	// everything a list of the same edition carries of the claim (Anchor
	// is the edition's, so a key must name the edition too), and a page may
	// keep what it rendered from it. Zero outside lists.
	Version ClaimVersion `json:"-"`
}

// ClaimWindow bounds what FindClaimShown reads of a claim's discussion:
// at most Notes of its newest notes, OpenFlags of its newest open flags and
// ResolvedFlags of its most recently resolved flags; 0 means all.
type ClaimWindow struct {
	Notes, OpenFlags, ResolvedFlags int
}

// ClaimPageWindow is what a claim's page shows until asked for all, about
// a screen of each: a claim discussed for years stays as quick to open as
// a new one.
var ClaimPageWindow = ClaimWindow{Notes: 30, OpenFlags: 20, ResolvedFlags: 10}

// Head is the revision new proposals must build on: the latest revision
// that is pending or approved, else 0.
func Head(revs []Revision) int64 {
	var head int64
	for _, r := range revs {
		if (r.State == StatePending || r.State == StateApproved) && r.ID > head {
			head = r.ID
		}
	}
	return head
}

// Appearance is where a claim's quote stands in one edition.
type Appearance struct {
	ClaimID    int64     `json:"claim"`
	Edition    string    `json:"edition"`
	Match      Outcome   `json:"match"`
	Similarity float64   `json:"similarity"`
	Anchor               // zero when missing
	Hedges     []string  `json:"hedges,omitempty"` // the report's hedge words in the anchored text
	Diff       []DiffOp  `json:"diff,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// NewClaim makes a claim on an edition's text, with its first revision.
type NewClaim struct {
	Report     string
	Edition    string // "" for the report's latest edition
	Quote      string
	Prefix     string
	Suffix     string
	Statement  string
	Topic      string
	Confidence Confidence
	Hedge      string
	Reason     string
	Evidence   []NewEvidence
	Draft      bool
	// ConfirmDuplicate saves the claim even when its quote overlaps the
	// quote of a claim already in the edition (CheckDuplicate).
	ConfirmDuplicate bool
}

// CheckDuplicate is the rule against two claims on one sentence by
// oversight: a new claim whose quote overlaps existing claims' quotes in
// the same edition (overlapping, by id) is refused with a DuplicateError
// unless the person confirmed it.
func CheckDuplicate(overlapping []int64, confirmed bool) error {
	if len(overlapping) == 0 || confirmed {
		return nil
	}
	return &DuplicateError{Claims: overlapping}
}

// DuplicateError names the claims whose quotes a new claim's quote
// overlaps; the web shows them, linked, with a way to confirm.
type DuplicateError struct {
	Claims []int64
}

func (e *DuplicateError) Error() string {
	return "vetted: conflict: the quote overlaps existing claims"
}

// Unwrap makes DuplicateError an ECONFLICT for ErrorCode.
func (e *DuplicateError) Unwrap() error {
	ids := make([]string, len(e.Claims))
	for i, id := range e.Claims {
		ids[i] = "#" + strconv.FormatInt(id, 10)
	}
	return &Error{Code: ECONFLICT, Field: "quote", Message: "This sentence is already covered by claim " + strings.Join(ids, ", ") +
		". Check it first; if yours says something else, confirm to save it as well."}
}

// Validate checks the fields a person typed; the quote is checked against
// the edition's text by the store.
func (n NewClaim) Validate() error {
	if err := checkText("quote", "The quote", n.Quote, MaxLongText, true); err != nil {
		return err
	}
	if err := checkText("prefix", "The prefix", n.Prefix, MaxShortText, false); err != nil {
		return err
	}
	if err := checkText("suffix", "The suffix", n.Suffix, MaxShortText, false); err != nil {
		return err
	}
	return n.revision().Validate()
}

func (n NewClaim) revision() NewRevision {
	ev := n.Evidence
	if ev == nil {
		ev = []NewEvidence{}
	}
	return NewRevision{Statement: n.Statement, Topic: n.Topic, Confidence: n.Confidence,
		Hedge: n.Hedge, Reason: n.Reason, Evidence: ev, Draft: n.Draft}
}

// FirstRevision is the revision a new claim starts with.
func (n NewClaim) FirstRevision() NewRevision { return n.revision() }

// ClaimFilter selects claims; zero fields do not filter.
type ClaimFilter struct {
	Report     string
	Edition    string // anchor shown for this edition (default: latest)
	Section    string
	Assignee   string // user name: claims assigned to them
	State      RevisionState
	Confidence Confidence
	Flagged    *bool
	Match      Outcome
	Query      string // full-text search over statements, quotes, notes, sources
	// Ranked orders a search's matches by how many pieces of what was said
	// about each claim mention its terms (then by id), for pages by
	// Offset; otherwise claims are in id order.
	Ranked bool
	IDs    []int64

	// Pagination: Offset for pages, or After (a claim id) for a cursor that
	// stays correct while claims are added.
	Offset int
	After  int64
	Limit  int
}

// ClaimPage is one page of the claims a ClaimFilter selects.
type ClaimPage struct {
	Claims []Claim
	Total  int // claims the filter selects, on every page
	// Partial: a search (Query) read only the newest SearchRows index
	// entries of a common term, so Total counts the claims found among
	// them, not every match. A search within one report reads them all.
	Partial bool
	// More: Total is a lower bound. A filter across every report whose
	// total no kept count holds (several conditions at once, say) is
	// counted only up to CountLimit claims past the page's end, so that its
	// cost does not grow with the data; more match. With a cursor (After)
	// the count starts at the first claim. One report's claims are always
	// counted exactly.
	More bool
}

// CountLimit is how many claims past a page's end a list counts when no
// kept count answers its filter (ClaimPage.More).
const CountLimit = 250

// ClaimService creates and reads claims.
type ClaimService interface {
	CreateClaim(ctx context.Context, by User, n NewClaim) (Claim, error)
	FindClaim(ctx context.Context, id int64) (Claim, error)
	// FindClaimShown is FindClaim bounded by w: the claim's page.
	FindClaimShown(ctx context.Context, id int64, w ClaimWindow) (Claim, error)
	// ClaimVersion reports the version of everything FindClaim returns, and
	// of what a claim's page shows beside it, for caches.
	ClaimVersion(ctx context.Context, id int64) (ClaimVersion, error)
	// FindClaimPage returns a page of the claims f selects, with the
	// total.
	FindClaimPage(ctx context.Context, f ClaimFilter) (ClaimPage, error)
	// EachClaim calls fn with every claim f selects, in full and in id
	// order, all as of one moment (f's paging is ignored). fn must not
	// read through the service itself: the moment is a read transaction
	// held until EachClaim returns, and nested reads could exhaust the
	// connections it shares.
	EachClaim(ctx context.Context, f ClaimFilter, fn func(Claim) error) error
}
