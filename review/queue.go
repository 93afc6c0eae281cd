package review

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// QueueKind is what waits in the review queue.
type QueueKind string

const (
	QueueRevision QueueKind = "revision" // a pending revision
	QueueFlag     QueueKind = "flag"     // an open flag
)

// QueueKinds lists the kinds in queue order: at the same time, a revision
// comes before a flag (a claims import writes both at once).
var QueueKinds = []QueueKind{QueueRevision, QueueFlag}

// Rank is k's place in QueueKinds.
func (k QueueKind) Rank() int {
	if k == QueueFlag {
		return 1
	}
	return 0
}

// QueueCursor is a position in the queue, which is ordered oldest first by
// (Time, Kind.Rank, ID): a page starts after its cursor (keyset paging), so
// a page costs the same wherever it is and an item decided meanwhile does
// not shift the next page.
type QueueCursor struct {
	Time time.Time
	Kind QueueKind
	ID   int64
}

// IsZero reports whether c is the start of the queue.
func (c QueueCursor) IsZero() bool { return c.ID == 0 }

// String encodes c for a URL: "TIME~KIND~ID", TIME in TimeFormat.
func (c QueueCursor) String() string {
	if c.IsZero() {
		return ""
	}
	return FormatTime(c.Time) + "~" + string(c.Kind) + "~" + strconv.FormatInt(c.ID, 10)
}

// ParseQueueCursor reads what QueueCursor.String wrote; "" is the start.
// Errors: EINVALID.
func ParseQueueCursor(s string) (QueueCursor, error) {
	if s == "" {
		return QueueCursor{}, nil
	}
	bad := FieldErrorf("after", "The queue position %q is not one this server gave: start from the first page.", s)
	parts := strings.Split(s, "~")
	if len(parts) != 3 {
		return QueueCursor{}, bad
	}
	t, err := time.Parse(TimeFormat, parts[0])
	if err != nil {
		return QueueCursor{}, bad
	}
	kind := QueueKind(parts[1])
	if kind != QueueRevision && kind != QueueFlag {
		return QueueCursor{}, bad
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return QueueCursor{}, bad
	}
	return QueueCursor{Time: t, Kind: kind, ID: id}, nil
}

// QueueFilter selects a page of the queue. Empty fields do not filter.
type QueueFilter struct {
	Kind    QueueKind
	Report  string // slug
	Edition string // label: claims that appear in that edition of their report
	Section string // heading, with Edition: claims in that section
	Author  string // user name: who proposed the revision or raised the flag
	// Assignee is a user name: items on claims assigned to them.
	Assignee string
	After    QueueCursor // the page starts after this item
	Before   QueueCursor // or ends before this one (a previous page)
	Limit    int         // at most MaxQueuePage; 0 for DefaultQueuePage
}

// Queue page sizes, in items.
const (
	DefaultQueuePage = 50
	MaxQueuePage     = 200
)

// PageSize is f.Limit bounded to 1..MaxQueuePage, DefaultQueuePage for 0.
func (f QueueFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return DefaultQueuePage
	case f.Limit > MaxQueuePage:
		return MaxQueuePage
	}
	return f.Limit
}

// Validate checks the filter's fields. Errors: EINVALID.
func (f QueueFilter) Validate() error {
	if f.Kind != "" && f.Kind != QueueRevision && f.Kind != QueueFlag {
		return FieldErrorf("kind", "The kind %q is not one of: revision, flag.", f.Kind)
	}
	if !f.After.IsZero() && !f.Before.IsZero() {
		return FieldErrorf("before", "A queue page starts after an item or ends before one, not both.")
	}
	if f.Section != "" && f.Edition == "" {
		return FieldErrorf("section", "Choose an edition to filter by section.")
	}
	return nil
}

// QueueItem is one thing that waits for an editor: a pending revision (with
// the revision it builds on, for its diff) or an open flag, with its claim
// as listed (its latest revision and appearance, newest open flags).
type QueueItem struct {
	Kind     QueueKind
	Revision *Revision // for QueueRevision
	Base     *Revision // the revision a pending one builds on, if any
	Flag     *Flag     // for QueueFlag
	Claim    Claim
}

// Cursor is the item's position in the queue.
func (it QueueItem) Cursor() QueueCursor {
	if it.Revision != nil {
		return QueueCursor{Time: it.Revision.CreatedAt, Kind: QueueRevision, ID: it.Revision.ID}
	}
	return QueueCursor{Time: it.Flag.RaisedAt, Kind: QueueFlag, ID: it.Flag.ID}
}

// QueuePage is one page of the queue.
type QueuePage struct {
	Items []QueueItem
	// Total counts every item the filter selects, on every page.
	Total int
	// Next is where the next page starts; zero on the last page. Prev is
	// where the previous page ends (QueueFilter.Before); zero on the first.
	Next, Prev QueueCursor
}

// String describes f for a page heading ("flags in azerbaijan 2023").
func (f QueueFilter) String() string {
	var parts []string
	switch f.Kind {
	case QueueRevision:
		parts = append(parts, "revisions")
	case QueueFlag:
		parts = append(parts, "flags")
	}
	if f.Report != "" {
		parts = append(parts, "in "+f.Report)
	}
	if f.Edition != "" {
		parts = append(parts, f.Edition)
	}
	if f.Section != "" {
		parts = append(parts, fmt.Sprintf("section %q", f.Section))
	}
	if f.Author != "" {
		parts = append(parts, "by "+f.Author)
	}
	if f.Assignee != "" {
		parts = append(parts, "assigned to "+f.Assignee)
	}
	return strings.Join(parts, " ")
}
