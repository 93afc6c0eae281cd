package review

import "context"

// An editor hands a claim to a reviewer (or another editor) by assigning
// it: a claim has at most one assignee at a time, and every assignment,
// reassignment and unassignment is a claim.assigned event, so who was
// asked to look at what is part of the record.

// Assignment is a change of a claim's assignee, as its event records it.
type Assignment struct {
	ClaimID  int64  `json:"claim"`
	Assignee string `json:"assignee"` // "" when unassigned
}

// NewAssignment asks to assign claims to a user by name, "" to unassign:
// one claim (ClaimID), or every claim that appears in a section of an
// edition (Report, Edition, Section).
type NewAssignment struct {
	ClaimID  int64
	Report   string
	Edition  string
	Section  string
	Assignee string
}

// Validate checks the request's shape; the store checks the assignee.
func (n NewAssignment) Validate() error {
	if n.ClaimID == 0 && (n.Report == "" || n.Edition == "" || n.Section == "") {
		return FieldErrorf("section", "Choose a claim, or a report, edition and section, to assign.")
	}
	if n.ClaimID != 0 && n.Section != "" {
		return FieldErrorf("section", "Assign one claim or one section, not both.")
	}
	return checkText("assignee", "The assignee", n.Assignee, MaxShortText, false)
}

// CheckAssignee is the rule for who may be assigned claims: an enabled
// user whose role reviews (reviewers and editors). Errors: EINVALID on
// field "assignee".
func CheckAssignee(u User) error {
	switch {
	case u.Disabled:
		return FieldErrorf("assignee", "%s is disabled and cannot be assigned claims.", u.Name)
	case !Can(u.Role, ActionProposeRev):
		return FieldErrorf("assignee", "%s is %s: only reviewers and editors can be assigned claims.", u.Name, article(u.Role))
	}
	return nil
}

// AssignmentService assigns claims and lists a user's own work.
type AssignmentService interface {
	// Assign sets the assignee of one claim or of a section's claims and
	// returns how many claims changed (claims already assigned so are left
	// as they are, with no event). Errors: EFORBIDDEN unless by may assign,
	// EINVALID for an unknown, disabled or non-reviewing assignee,
	// ENOTFOUND for an unknown claim or section.
	Assign(ctx context.Context, by User, n NewAssignment) (int, error)
	// FindWork lists u's own work: the claims assigned to u, u's pending
	// revisions and the open flags on claims u created.
	FindWork(ctx context.Context, u User) (Work, error)
	// CountNav counts what the navigation shows u: open work items and
	// unread notifications.
	CountNav(ctx context.Context, u User) (NavCounts, error)
}

// Work is what one user has to do.
type Work struct {
	Assigned []Claim     // claims assigned to the user, newest assignment first
	Pending  []QueueItem // the user's own pending revisions, oldest first
	Flags    []QueueItem // open flags on claims the user created, oldest first
	// Reviews are the open double reviews waiting for the user's grade.
	Reviews []DoubleReview
	// Truncated is set when a list was cut at MaxWorkItems.
	Truncated bool
}

// MaxWorkItems bounds each list of Work: about a screen each, so a user
// with hundreds of open items opens their page as fast as one with a few
// (the page says the lists were cut, and the queue has the rest).
const MaxWorkItems = 50

// Count is the number of items of w.
func (w Work) Count() int { return len(w.Assigned) + len(w.Pending) + len(w.Flags) + len(w.Reviews) }

// NavCounts are the numbers in the navigation, each counted up to
// MaxNavCount+1: a number past MaxNavCount shows as "99+", so counting
// costs no more for a user with thousands of open items than for one with
// a hundred (the work page lists them).
type NavCounts struct {
	Work   int // claims assigned, pending revisions, flags on own claims, grades to give
	Unread int // unread notifications
}

// MaxNavCount is the largest number the navigation shows exactly.
const MaxNavCount = 99
