package review

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Notifications tell a user what others did that concerns them. They are
// derived from events (each names the event that caused it) and are not
// records: the history check does not compare them and marking one read
// writes no event.

// NotificationKind is why a user is told.
type NotificationKind string

const (
	NotifyMention    NotificationKind = "mention"    // @name in a note
	NotifyReply      NotificationKind = "reply"      // a reply to the user's note
	NotifyDecision   NotificationKind = "decision"   // the user's revision approved or rejected
	NotifyFlag       NotificationKind = "flag"       // a flag raised on a claim the user created
	NotifyAssignment NotificationKind = "assignment" // a claim assigned to the user
	NotifyReview     NotificationKind = "review"     // a blind double review asks the user for a grade
)

// Notification is one item of a user's inbox.
type Notification struct {
	ID        int64            `json:"id"`
	ClaimID   int64            `json:"claim"`
	Seq       int64            `json:"seq"` // the event that caused it
	Kind      NotificationKind `json:"kind"`
	Actor     string           `json:"actor"`
	Summary   string           `json:"summary"`
	CreatedAt time.Time        `json:"created_at"`
	Read      bool             `json:"read"`
}

// Text says what happened, in a sentence.
func (n Notification) Text() string {
	switch n.Kind {
	case NotifyMention:
		return fmt.Sprintf("%s mentioned you in a note on claim %d", n.Actor, n.ClaimID)
	case NotifyReply:
		return fmt.Sprintf("%s replied to your note on claim %d", n.Actor, n.ClaimID)
	case NotifyDecision:
		return fmt.Sprintf("%s decided your revision of claim %d", n.Actor, n.ClaimID)
	case NotifyFlag:
		return fmt.Sprintf("%s flagged your claim %d", n.Actor, n.ClaimID)
	case NotifyAssignment:
		return fmt.Sprintf("%s assigned claim %d to you", n.Actor, n.ClaimID)
	case NotifyReview:
		return fmt.Sprintf("%s asks for your independent grade of claim %d", n.Actor, n.ClaimID)
	}
	return fmt.Sprintf("%s changed claim %d", n.Actor, n.ClaimID)
}

// MaxMentions bounds the users one note can notify by name.
const MaxMentions = 20

// mentionPattern is "@name" at the start of the text or after a character
// that cannot be part of an address or a name (so "a@b.org" mentions no
// one).
var mentionPattern = regexp.MustCompile(`(?:^|[^\p{L}\p{N}._@-])@([\p{L}\p{N}][\p{L}\p{N}._-]*)`)

// Mentions lists the users a text names with @name, in lookup form
// (LookupUserName), each once, at most MaxMentions. A name's trailing dots
// are the sentence's, not the name's.
func Mentions(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range mentionPattern.FindAllStringSubmatch(text, -1) {
		name := LookupUserName(strings.TrimRight(m[1], ".-_"))
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
		if len(out) == MaxMentions {
			break
		}
	}
	return out
}

// Summarize cuts a text to a line for a notification.
func Summarize(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 140 {
		return string(r[:139]) + "…"
	}
	return s
}

// NotificationService keeps users' inboxes.
type NotificationService interface {
	// FindNotifications lists u's notifications, newest first, at most
	// limit (unread only when unread is set).
	FindNotifications(ctx context.Context, u User, unread bool, limit int) ([]Notification, error)
	// MarkRead marks one of u's notifications read, or all of them for id
	// 0. Errors: ENOTFOUND for a notification that is not u's.
	MarkRead(ctx context.Context, u User, id int64) error
}
