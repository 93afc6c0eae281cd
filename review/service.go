package review

import (
	"context"
	"time"
)

// SessionService keeps server-side web sessions and failed sign-ins.
type SessionService interface {
	// CreateSession returns a new secret session id for u.
	CreateSession(ctx context.Context, u User, address, userAgent string) (string, error)
	// FindSession returns the user of a live session, ending it when idle or
	// too old.
	FindSession(ctx context.Context, id string, idle, absolute time.Duration) (User, error)
	DeleteSession(ctx context.Context, id string) error
	// EndSessions ends every session of a user: by's own, or anyone's for
	// an admin; it returns how many ended.
	EndSessions(ctx context.Context, by User, userID int64) (int, error)
	// ReserveLogin records a sign-in attempt as a failure before its
	// password is checked, unless the name or the address already has
	// maxName or maxAddress failures since since (ok false); ReleaseLogin
	// takes it back when the sign-in succeeds.
	ReserveLogin(ctx context.Context, name, address string, since time.Time, maxName, maxAddress int) (id int64, ok bool, err error)
	ReleaseLogin(ctx context.Context, id int64) error
}

// QueueService lists what waits for an editor.
type QueueService interface {
	// FindQueue returns a page of pending revisions and open flags,
	// oldest first, and how many the filter selects in all.
	FindQueue(ctx context.Context, f QueueFilter) (QueuePage, error)
	FindFlag(ctx context.Context, id int64) (Flag, error)
}

// EditionStats counts an edition's claims for overviews.
type EditionStats struct {
	Claims  int                   `json:"claims"`
	ByState map[RevisionState]int `json:"by_state"`
	ByMatch map[Outcome]int       `json:"by_match"`
	Flagged int                   `json:"flagged"` // claims with an open flag
}

// EditionService reads what editions hold beyond their text.
type EditionService interface {
	// NewMaterial lists the sentences of an edition no claim covers.
	NewMaterial(ctx context.Context, slug, label string) ([]Sentence, error)
}

// Services is everything the web layer needs; store.DB implements it.
type Services interface {
	UserService
	ReportService
	EditionService
	ClaimService
	RevisionService
	NoteService
	FlagService
	SourceService
	QueueService
	HistoryService
	LogService
	SessionService
	TokenService
	ScoreService
	AssignmentService
	NotificationService
	DoubleReviewService
	// ClaimAsOf rebuilds a claim as it stood at t from the history alone.
	ClaimAsOf(ctx context.Context, id int64, t time.Time) (ClaimState, error)
	// Health reports whether the database can be read and written: nil, or
	// an EUNAVAILABLE error whose message says why and what to do.
	Health(ctx context.Context) error
	// Fault returns what stops the database taking changes now, as found
	// so far (a file removed or replaced, damage, the last write's fault of
	// the disk), or nil. It reads nothing: pages call it on every request.
	Fault() error
	CountEvents(ctx context.Context, f EventFilter) (int64, error)
}
