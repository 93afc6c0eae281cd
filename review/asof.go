package review

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ClaimState is a claim as it stood at a time, rebuilt from the history
// alone: the embedded Claim is filled in as FindClaim fills it (revisions,
// latest and approved revision, appearances, notes, flags), so the page
// that shows a claim can show it as of a date.
type ClaimState struct {
	Claim
	AsOf time.Time `json:"as_of"`
	// Seq is the last event replayed: the state is exactly what the history
	// up to and including it says.
	Seq int64 `json:"seq"`
}

// ClaimAsOf rebuilds claim id as it stood at t from events (the history,
// oldest first; events about other claims or other things are skipped, so
// a whole export will do). Only events whose time is at or before t are
// applied. Each event's hash is recomputed, so a state is never built from
// an event that was changed. A claim not yet created at t is ENOTFOUND.
func ClaimAsOf(id int64, events []Event, t time.Time) (ClaimState, error) {
	r := NewClaimReplay(id, t)
	for _, e := range events {
		if err := r.Add(e); err != nil {
			return ClaimState{}, err
		}
	}
	return r.State()
}

// ClaimReplay rebuilds one claim from its events one at a time, for
// streaming them from a store or a file.
type ClaimReplay struct {
	id    int64
	until string // FormatTime(t): event times compare as text
	st    ClaimState
	made  bool
}

// NewClaimReplay starts rebuilding claim id as of t.
func NewClaimReplay(id int64, t time.Time) *ClaimReplay {
	return &ClaimReplay{id: id, until: FormatTime(t), st: ClaimState{AsOf: t.UTC()}}
}

// The after documents of the actions that change a claim, as store writes
// them.
type (
	claimCreatedAfter struct {
		Claim struct {
			ID     int64  `json:"id"`
			Report string `json:"report"`
		} `json:"claim"`
		Revision   *Revision   `json:"revision"`
		Appearance *Appearance `json:"appearance"`
	}
	claimAnchoredAfter struct {
		Appearance *Appearance `json:"appearance"`
		Revision   *Revision   `json:"revision"`
		Flag       *Flag       `json:"flag"`
		HedgeFlag  *Flag       `json:"hedge_flag"`
		StaleFlag  *Flag       `json:"stale_flag"`
		// ResolvedFlag is the claim's "not found" flag, resolved when a
		// draft's replacement has the claim again.
		ResolvedFlag *Flag `json:"resolved_flag"`
	}
	flagResolvedAfter struct {
		Flag       *Flag       `json:"flag"`
		RetiredIn  string      `json:"retired_in"`
		Appearance *Appearance `json:"appearance"`
	}
)

// Add applies the next event if it is about the claim and not after t.
func (r *ClaimReplay) Add(e Event) error {
	if e.Time > r.until {
		return nil
	}
	fail := func(format string, args ...any) error {
		return Errorf(EINTERNAL, "Event %d (%s) cannot be replayed: %s", e.Seq, e.Action, fmt.Sprintf(format, args...))
	}
	if ComputeHash(e) != e.Hash {
		return fail("its hash does not match its fields")
	}
	decode := func(v any) error {
		if err := json.Unmarshal([]byte(e.After), v); err != nil {
			return fail("its after document is not what this vetted expects: %v", err)
		}
		return nil
	}
	ours := func(claim int64) bool { return claim == r.id }
	var applied bool
	switch e.Action {
	case string(EventClaimCreated):
		var a claimCreatedAfter
		if err := decode(&a); err != nil {
			return err
		}
		if !ours(a.Claim.ID) {
			return nil
		}
		if r.made {
			return fail("claim %d was already created", r.id)
		}
		if a.Revision == nil || a.Appearance == nil {
			return fail("no revision or appearance")
		}
		r.made = true
		at, _ := time.Parse(TimeFormat, e.Time)
		c := &r.st.Claim
		c.ID, c.Report, c.CreatedBy, c.CreatedAt = r.id, a.Claim.Report, e.Actor, at
		c.Revisions = []Revision{}
		c.Appearances = []Appearance{}
		c.Notes = []Note{}
		c.AllFlags = []Flag{}
		r.revision(*a.Revision, true)
		r.appearance(*a.Appearance)
		applied = true
	case string(EventRevisionProposed), string(EventRevisionSubmitted), string(EventRevisionApproved), string(EventRevisionRejected):
		var rev Revision
		if err := decode(&rev); err != nil {
			return err
		}
		if !ours(rev.ClaimID) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		// As the store keeps it: a proposal becomes the claim's latest
		// wording unless it is a draft, which becomes it when submitted,
		// whatever newer revisions were rejected meanwhile; a decision
		// changes the revision's state only.
		latest := e.Action == string(EventRevisionSubmitted) ||
			e.Action == string(EventRevisionProposed) && rev.State != StateDraft
		r.revision(rev, latest)
		applied = true
	case string(EventNoteAdded):
		var n Note
		if err := decode(&n); err != nil {
			return err
		}
		if !ours(n.ClaimID) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		r.st.Notes = append(r.st.Notes, n)
		applied = true
	case string(EventFlagRaised):
		var f Flag
		if err := decode(&f); err != nil {
			return err
		}
		if !ours(f.ClaimID) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		r.flag(f)
		applied = true
	case string(EventFlagResolved):
		var a flagResolvedAfter
		if err := decode(&a); err != nil {
			return err
		}
		if a.Flag == nil {
			return fail("no flag")
		}
		if !ours(a.Flag.ClaimID) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		r.flag(*a.Flag)
		if a.RetiredIn != "" {
			r.st.RetiredIn = a.RetiredIn
		}
		if a.Appearance != nil {
			r.appearance(*a.Appearance)
		}
		applied = true
	case string(EventClaimAnchored):
		if e.EntityID != strconv.FormatInt(r.id, 10) {
			return nil
		}
		var a claimAnchoredAfter
		if err := decode(&a); err != nil {
			return err
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		if a.Appearance == nil {
			return fail("no appearance")
		}
		r.appearance(*a.Appearance)
		for _, f := range []*Flag{a.Flag, a.HedgeFlag, a.StaleFlag, a.ResolvedFlag} {
			if f != nil {
				r.flag(*f)
			}
		}
		if a.Revision != nil {
			r.revision(*a.Revision, true)
		}
		applied = true
	case string(EventReviewRequested), string(EventReviewGraded):
		// A double review is kept beside the claim, not in it; its events
		// are still the claim's newest news (its updated time).
		var a struct {
			Claim int64 `json:"claim"`
		}
		if err := decode(&a); err != nil {
			return err
		}
		if !ours(a.Claim) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		applied = true
	case string(EventClaimAssigned):
		var a Assignment
		if err := decode(&a); err != nil {
			return err
		}
		if !ours(a.ClaimID) {
			return nil
		}
		if !r.made {
			return fail("the claim was not created before it")
		}
		r.st.Assignee = a.Assignee
		applied = true
	default:
		// An action this vetted does not know, on this claim, would leave
		// the state silently wrong: refuse instead.
		if e.EntityType == "claim" && e.EntityID == strconv.FormatInt(r.id, 10) {
			return fail("unknown action on a claim")
		}
	}
	if applied {
		r.st.Seq = e.Seq
		r.st.UpdatedAt, _ = time.Parse(TimeFormat, e.Time)
	}
	return nil
}

// revision records a revision or its new state; latest says the event made
// it the claim's latest wording.
func (r *ClaimReplay) revision(rev Revision, latest bool) {
	c := &r.st.Claim
	replaced := false
	for i := range c.Revisions {
		if c.Revisions[i].ID == rev.ID {
			c.Revisions[i], replaced = rev, true
		}
	}
	if !replaced {
		c.Revisions = append(c.Revisions, rev)
	}
	if latest || rev.ID == c.Latest.ID {
		c.Latest = rev
	}
	if rev.State == StateApproved {
		c.CurrentID, c.Current = rev.ID, rev
	}
}

// appearance records the claim's appearance in an edition, replacing an
// earlier one in the same edition (a re-anchoring or a replaced draft).
// Editions keep the order in which the claim first appeared in them, which
// is their publication order: claims are carried only into the newest
// edition.
func (r *ClaimReplay) appearance(app Appearance) {
	c := &r.st.Claim
	for i := range c.Appearances {
		if c.Appearances[i].Edition == app.Edition {
			c.Appearances[i] = app
			return
		}
	}
	c.Appearances = append(c.Appearances, app)
}

// flag records a flag or its resolution.
func (r *ClaimReplay) flag(f Flag) {
	c := &r.st.Claim
	for i := range c.AllFlags {
		if c.AllFlags[i].ID == f.ID {
			c.AllFlags[i] = f
			return
		}
	}
	c.AllFlags = append(c.AllFlags, f)
}

// State returns the claim as rebuilt, or ENOTFOUND if it did not exist yet.
func (r *ClaimReplay) State() (ClaimState, error) {
	if !r.made {
		return ClaimState{}, Errorf(ENOTFOUND, "Claim %d did not exist at %s.", r.id, r.st.AsOf.Format(time.RFC3339))
	}
	st := r.st
	c := &st.Claim
	c.Revisions = append([]Revision(nil), c.Revisions...)
	c.Appearances = append([]Appearance(nil), c.Appearances...)
	c.Notes = append([]Note{}, c.Notes...)
	c.AllFlags = append([]Flag{}, c.AllFlags...)
	c.Flags = []Flag{}
	for _, f := range c.AllFlags {
		if f.Open() {
			c.Flags = append(c.Flags, f)
		}
	}
	c.OpenFlags = len(c.Flags)
	if n := len(c.Appearances); n > 0 {
		c.Anchor = c.Appearances[n-1]
	}
	return st, nil
}

// AsOfService rebuilds claims from the history.
type AsOfService interface {
	// ClaimAsOf returns claim id as it stood at t; ENOTFOUND if it did not
	// exist yet.
	ClaimAsOf(ctx context.Context, id int64, t time.Time) (ClaimState, error)
}
