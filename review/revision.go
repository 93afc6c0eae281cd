package review

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Confidence is how well the team has verified a claim, ordered.
type Confidence string

const (
	ConfidenceUnverified Confidence = "unverified"
	ConfidenceLow        Confidence = "low"
	ConfidenceModerate   Confidence = "moderate"
	ConfidenceHigh       Confidence = "high"
)

// Confidences lists the levels from least to most verified.
var Confidences = []Confidence{ConfidenceUnverified, ConfidenceLow, ConfidenceModerate, ConfidenceHigh}

// Rank orders confidences: 0 for unverified up to 3 for high, -1 if unknown.
func (c Confidence) Rank() int {
	for i, x := range Confidences {
		if x == c {
			return i
		}
	}
	return -1
}

// ParseConfidence validates a confidence; "" means unverified.
func ParseConfidence(s string) (Confidence, error) {
	if s == "" {
		return ConfidenceUnverified, nil
	}
	c := Confidence(s)
	if c.Rank() < 0 {
		return "", FieldErrorf("confidence", "Unknown confidence %q: use unverified, low, moderate or high.", s)
	}
	return c, nil
}

// SuggestConfidence is the highest confidence the report's own wording
// supports: a hedged sentence is at most unverified when the report says it
// lacks information, else low.
func SuggestConfidence(hedges []string) (Confidence, bool) {
	if len(hedges) == 0 {
		return "", false
	}
	for _, h := range hedges {
		switch h {
		case "limited information", "little information", "little evidence", "further research is needed", "allegedly", "supposedly", "unconfirmed":
			return ConfidenceUnverified, true
		}
	}
	return ConfidenceLow, true
}

// RevisionState is where a revision stands in review.
type RevisionState string

const (
	StateDraft    RevisionState = "draft"
	StatePending  RevisionState = "pending"
	StateApproved RevisionState = "approved"
	StateRejected RevisionState = "rejected"
)

// States lists revision states in workflow order.
var States = []RevisionState{StateDraft, StatePending, StateApproved, StateRejected}

// ParseState validates a revision state name.
func ParseState(s string) (RevisionState, error) {
	for _, st := range States {
		if string(st) == s {
			return st, nil
		}
	}
	return "", FieldErrorf("state", "Unknown state %q: use draft, pending, approved or rejected.", s)
}

// transitions is the revision state machine: drafts are submitted, pending
// revisions are decided, decisions are final.
var transitions = map[RevisionState][]RevisionState{
	StateDraft:   {StatePending},
	StatePending: {StateApproved, StateRejected},
}

// CanTransition reports whether a revision may move from one state to another.
func CanTransition(from, to RevisionState) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Revision is one proposed wording of a claim. Revisions are never edited:
// only their state moves, once.
type Revision struct {
	ID         int64      `json:"id"`
	ClaimID    int64      `json:"claim"`
	BaseID     int64      `json:"base,omitempty"` // 0 for a claim's first revision
	Statement  string     `json:"statement"`
	Topic      string     `json:"topic,omitempty"`
	Confidence Confidence `json:"confidence"`
	Hedge      string     `json:"hedge,omitempty"` // the report's own hedge words, e.g. "allegedly"
	// Quote and QuoteDiff are set on revisions proposed by an import for a
	// claim whose quote changed: the new wording and its word diff.
	Quote          string        `json:"quote,omitempty"`
	QuoteDiff      []DiffOp      `json:"quote_diff,omitempty"`
	Edition        string        `json:"edition,omitempty"`
	Evidence       []Evidence    `json:"evidence"`
	AuthorID       int64         `json:"-"`
	Author         string        `json:"author"`
	CreatedAt      time.Time     `json:"created_at"`
	Reason         string        `json:"reason,omitempty"`
	State          RevisionState `json:"state"`
	DecidedBy      string        `json:"decided_by,omitempty"`
	DecidedAt      time.Time     `json:"decided_at,omitzero"`
	DecisionReason string        `json:"decision_reason,omitempty"`
}

// NewRevision proposes a new wording of a claim.
type NewRevision struct {
	ClaimID    int64
	BaseID     int64 // the revision the author started from
	Statement  string
	Topic      string
	Confidence Confidence
	Hedge      string
	Reason     string
	// Evidence replaces the base's evidence when non-nil; nil keeps it.
	Evidence []NewEvidence
	// AddEvidence is cited on top of the base's evidence (when Evidence is
	// nil), copied inside the write so it is the base's, whatever changed.
	AddEvidence []NewEvidence
	Draft       bool
}

// Limits on free text, so a form cannot store megabytes in one field.
const (
	MaxStatement = 2000
	MaxShortText = 300
	MaxLongText  = 10000
)

func checkText(field, label, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(field, "%s is required.", label)
	}
	if utf8.RuneCountInString(s) > max {
		return FieldErrorf(field, "%s has at most %d characters.", label, max)
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return FieldErrorf(field, "%s holds characters that are not text.", label)
	}
	return nil
}

// Validate checks the fields a person typed.
func (n NewRevision) Validate() error {
	if err := checkText("statement", "The statement", n.Statement, MaxStatement, true); err != nil {
		return err
	}
	if err := checkText("topic", "The topic", n.Topic, MaxShortText, false); err != nil {
		return err
	}
	if n.Confidence.Rank() < 0 {
		return FieldErrorf("confidence", "Unknown confidence %q: use unverified, low, moderate or high.", n.Confidence)
	}
	if err := checkText("hedge", "The hedge", n.Hedge, MaxShortText, false); err != nil {
		return err
	}
	if err := checkText("reason", "The reason", n.Reason, MaxLongText, false); err != nil {
		return err
	}
	for _, e := range append(n.Evidence, n.AddEvidence...) {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// CheckBase is the lost-update rule: a revision must be based on the
// claim's head (its latest revision that is not rejected or a draft). head
// is that revision's id, 0 when the claim has none.
func CheckBase(head, base int64) error {
	if base != head {
		return &ConflictError{Base: base, Head: head}
	}
	return nil
}

// ConflictError says the claim has moved on since the author started; the
// web shows both versions from it.
type ConflictError struct {
	Base, Head int64
}

func (e *ConflictError) Error() string {
	return "vetted: conflict: claim has moved on"
}

// Unwrap makes ConflictError an ECONFLICT for ErrorCode.
func (e *ConflictError) Unwrap() error {
	return Errorf(ECONFLICT, "This claim has changed since you started (you edited revision %d; the latest is %d). Your text is kept below: start again from the latest revision.", e.Base, e.Head)
}

// CheckDecision applies the rules for approving or rejecting rev: the
// decider's role, four-eyes, the state machine, and for approval that the
// revision builds on the claim's current approved revision (current, 0 for
// none), so approving never discards an approved change.
func CheckDecision(by User, rev Revision, current int64, approve bool) error {
	if err := Authorize(by, ActionDecideRev); err != nil {
		return err
	}
	if !FourEyes(by, rev) {
		return Errorf(EFORBIDDEN, "You wrote revision %d, so someone else must approve or reject it.", rev.ID)
	}
	to := StateRejected
	if approve {
		to = StateApproved
	}
	if !CanTransition(rev.State, to) {
		return Errorf(ECONFLICT, "Revision %d is %s, so it can no longer be %s.", rev.ID, rev.State, to)
	}
	if approve && rev.BaseID != current {
		return Errorf(ECONFLICT, "Revision %d was written from revision %d, but the claim's approved revision is now %d: reject it, or decide the revision it builds on first.", rev.ID, rev.BaseID, current)
	}
	return nil
}

// ProposedByImport reports whether an edition import wrote rev, for a
// claim whose quote changed in the new edition: such a revision carries the
// report's new wording (Quote), which no person can set. Its author is the
// editor who imported the edition, on whose behalf the import wrote it.
func (r Revision) ProposedByImport() bool { return r.Quote != "" }

// FourEyes is the four-eyes rule: nobody decides a revision they wrote.
// A revision an import proposed is the report's wording, not its
// importer's, so any editor may decide it, the importer included: a team
// with one editor can follow its report from edition to edition.
func FourEyes(by User, rev Revision) bool {
	return rev.AuthorID != by.ID || rev.ProposedByImport()
}

// CheckDecisionReason checks the reason given for approving or rejecting a
// revision: a rejection needs one, so that its author can act on it, and
// like any text it goes into the history, so it must be text.
func CheckDecisionReason(approve bool, reason string) error {
	if !approve && strings.TrimSpace(reason) == "" {
		return FieldErrorf("reason", "Say why the revision is rejected, so its author can act on it.")
	}
	return checkText("reason", "The reason", reason, MaxLongText, false)
}

// RevisionService proposes and decides revisions.
type RevisionService interface {
	ProposeRevision(ctx context.Context, by User, n NewRevision) (Revision, error)
	SubmitRevision(ctx context.Context, by User, id int64) (Revision, error)
	DecideRevision(ctx context.Context, by User, id int64, approve bool, reason string) (Revision, error)
	FindRevision(ctx context.Context, id int64) (Revision, error)
}
