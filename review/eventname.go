package review

// EventName is what an event's action says happened. The store writes
// only these, the replay reads them, and the history page offers them as
// its filter: one list, so the three cannot drift apart.
type EventName string

// The events vetted records.
const (
	EventClaimCreated        EventName = "claim.created"
	EventClaimAnchored       EventName = "claim.anchored"
	EventClaimAssigned       EventName = "claim.assigned"
	EventReviewRequested     EventName = "review.requested"
	EventReviewGraded        EventName = "review.graded"
	EventRevisionProposed    EventName = "revision.proposed"
	EventRevisionSubmitted   EventName = "revision.submitted"
	EventRevisionApproved    EventName = "revision.approved"
	EventRevisionRejected    EventName = "revision.rejected"
	EventNoteAdded           EventName = "note.added"
	EventFlagRaised          EventName = "flag.raised"
	EventFlagResolved        EventName = "flag.resolved"
	EventSourceAdded         EventName = "source.added"
	EventSourceGraded        EventName = "source.graded"
	EventSourceArchived      EventName = "source.archived"
	EventSourceChecked       EventName = "source.checked"
	EventScoresImported      EventName = "scores.imported"
	EventScoresReplaced      EventName = "scores.replaced"
	EventEditionImported     EventName = "edition.imported"
	EventEditionReplaced     EventName = "edition.replaced"
	EventEditionPublished    EventName = "edition.published"
	EventUserCreated         EventName = "user.created"
	EventUserRoleChanged     EventName = "user.role_changed"
	EventUserDisabled        EventName = "user.disabled"
	EventUserEnabled         EventName = "user.enabled"
	EventUserPasswordChanged EventName = "user.password_changed"
	EventTokenCreated        EventName = "token.created"
	EventTokenRevoked        EventName = "token.revoked"
	EventHistoryExported     EventName = "history.exported"
)

// EventNames lists every event name, in the order the history filter
// offers them.
var EventNames = []EventName{
	EventClaimCreated, EventClaimAnchored, EventClaimAssigned, EventReviewRequested, EventReviewGraded, EventRevisionProposed, EventRevisionSubmitted,
	EventRevisionApproved, EventRevisionRejected, EventNoteAdded, EventFlagRaised, EventFlagResolved,
	EventSourceAdded, EventSourceGraded, EventSourceArchived, EventSourceChecked,
	EventScoresImported, EventScoresReplaced, EventEditionImported, EventEditionReplaced, EventEditionPublished,
	EventUserCreated, EventUserRoleChanged, EventUserDisabled, EventUserEnabled, EventUserPasswordChanged,
	EventTokenCreated, EventTokenRevoked, EventHistoryExported,
}
