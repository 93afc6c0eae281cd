package review

import (
	"context"
	"time"
)

// FlagKind says why a claim is flagged.
type FlagKind string

const (
	FlagUnverified FlagKind = "unverified"
	FlagDisputed   FlagKind = "disputed"
	FlagOutdated   FlagKind = "outdated"
	FlagOther      FlagKind = "other"
)

// Flags vetted raises itself when a new edition's score for an indicator
// and the claims linked to it disagree; people resolve them like any flag.
const (
	FlagScoreMoved FlagKind = "score-moved" // the score moved, the text did not
	FlagScoreFlat  FlagKind = "score-flat"  // the text changed, the score did not
	// FlagHedgeDropped: the quote was hedged in the edition before and is
	// asserted in the new one, with no new evidence attached in between.
	FlagHedgeDropped FlagKind = "hedge-dropped"
	// FlagStaleEvidence: a claim carried into a new edition cites evidence
	// older than the edition before it; its sources want re-checking.
	FlagStaleEvidence FlagKind = "stale-evidence"
)

// Label is how a flag kind reads in a list.
func (k FlagKind) Label() string {
	switch k {
	case FlagScoreMoved:
		return "score moved, text unchanged"
	case FlagScoreFlat:
		return "text changed, score flat"
	case FlagHedgeDropped:
		return "hedge dropped"
	case FlagStaleEvidence:
		return "evidence to re-check"
	}
	return string(k)
}

// FlagKinds lists flag kinds in the order forms offer them.
var FlagKinds = []FlagKind{FlagUnverified, FlagDisputed, FlagOutdated, FlagOther}

// ParseFlagKind validates a flag kind.
func ParseFlagKind(s string) (FlagKind, error) {
	for _, k := range FlagKinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", FieldErrorf("kind", "Unknown flag kind %q: use unverified, disputed, outdated or other.", s)
}

// Flag marks a claim as needing attention until an editor resolves it.
type Flag struct {
	ID         int64     `json:"id"`
	ClaimID    int64     `json:"claim"`
	Kind       FlagKind  `json:"kind"`
	Reason     string    `json:"reason"`
	RaisedBy   string    `json:"raised_by"`
	RaisedAt   time.Time `json:"raised_at"`
	ResolvedBy string    `json:"resolved_by,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Resolution string    `json:"resolution,omitempty"`
}

// Open reports whether the flag still needs resolving.
func (f Flag) Open() bool { return f.ResolvedAt.IsZero() }

// NewFlag raises a flag.
type NewFlag struct {
	ClaimID int64
	Kind    FlagKind
	Reason  string
	// Subject names what a flag vetted raised itself is about (the edition
	// and indicator of a score mismatch), so it is raised once; "" for
	// flags people raise.
	Subject string
}

// Validate checks the flag's fields.
func (n NewFlag) Validate() error {
	if _, err := ParseFlagKind(string(n.Kind)); err != nil {
		return err
	}
	return checkText("reason", "The reason", n.Reason, MaxLongText, true)
}

// FlagResolution resolves a flag. For an outdated flag raised by an import,
// Retire drops the claim from later editions, and Reanchor (an edition label
// and a span of its text) anchors it by hand instead.
type FlagResolution struct {
	FlagID     int64
	Resolution string
	Retire     bool
	Reanchor   *Span
}

// Span is a chosen stretch of an edition's normalised text.
type Span struct {
	Edition    string
	Start, End int
}

// Validate checks the resolution's fields.
func (n FlagResolution) Validate() error {
	if n.Retire && n.Reanchor != nil {
		return FieldErrorf("resolution", "Either retire the claim or re-anchor it, not both.")
	}
	return checkText("resolution", "The resolution", n.Resolution, MaxLongText, true)
}

// FlagService raises and resolves flags.
type FlagService interface {
	RaiseFlag(ctx context.Context, by User, n NewFlag) (Flag, error)
	ResolveFlag(ctx context.Context, by User, n FlagResolution) (Flag, error)
}
