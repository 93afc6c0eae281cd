package review

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// Source is a document that supports or contradicts claims. Reliability is
// the Admiralty grade of the source itself: A completely reliable … E
// unreliable, F cannot be judged.
type Source struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Publisher   string    `json:"publisher,omitempty"`
	URL         string    `json:"url,omitempty"`
	Published   string    `json:"published,omitempty"` // YYYY-MM-DD
	Accessed    string    `json:"accessed,omitempty"`  // YYYY-MM-DD
	Reliability string    `json:"reliability"`         // A–F
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	// ArchiveURL is an archived copy of the source (the Wayback Machine's,
	// say), for when its own address dies.
	ArchiveURL string `json:"archive_url,omitempty"`
	// Link is the link checker's last outcome for URL; zero if never checked.
	Link LinkCheck `json:"link,omitzero"`
}

// LinkStatus is what the link checker found at a source's URL.
type LinkStatus string

const (
	LinkOK           LinkStatus = "ok"           // 2xx
	LinkMoved        LinkStatus = "moved"        // a redirect: Location says where
	LinkDead         LinkStatus = "dead"         // 404 or 410
	LinkTimeout      LinkStatus = "timeout"      // no answer in time
	LinkUnresolvable LinkStatus = "unresolvable" // the name no longer resolves
	LinkRefused      LinkStatus = "refused"      // a private, loopback or link-local address, not fetched
	LinkError        LinkStatus = "error"        // any other answer or failure
)

// Bad reports whether the status means the source needs looking at.
func (s LinkStatus) Bad() bool { return s != "" && s != LinkOK }

// LinkCheck is one check of a source's URL.
type LinkCheck struct {
	SourceID  int64      `json:"source,omitempty"`
	URL       string     `json:"url,omitempty"`
	Status    LinkStatus `json:"status,omitempty"`
	Code      int        `json:"code,omitempty"`     // the HTTP status, when there was an answer
	Location  string     `json:"location,omitempty"` // where a moved source now is
	Detail    string     `json:"detail,omitempty"`
	CheckedAt time.Time  `json:"checked_at,omitzero"`
}

// Kept is the part of c a source keeps: its status and time, and the new
// address of a moved source or the detail of any other outcome.
func (c LinkCheck) Kept() LinkCheck {
	k := LinkCheck{Status: c.Status, CheckedAt: c.CheckedAt}
	if c.Status == LinkMoved {
		k.Location = c.Location
	} else {
		k.Detail = c.Detail
	}
	return k
}

// SourceUpdate changes a shared source: a new grade reaches every claim
// citing it. Nil fields are left as they are.
type SourceUpdate struct {
	Reliability *string
	ArchiveURL  *string
	Reason      string
}

// Validate checks the update's fields.
func (u SourceUpdate) Validate() error {
	if u.Reliability != nil && (len(*u.Reliability) != 1 || !strings.Contains("ABCDEF", *u.Reliability)) {
		return FieldErrorf("reliability", "Reliability %q is not an Admiralty grade: use A (completely reliable) to E (unreliable), or F (cannot be judged).", *u.Reliability)
	}
	if u.ArchiveURL != nil && *u.ArchiveURL != "" {
		a, err := url.Parse(*u.ArchiveURL)
		if err != nil || (a.Scheme != "http" && a.Scheme != "https") || a.Host == "" || len(*u.ArchiveURL) > 2000 {
			return FieldErrorf("archive_url", "The archived copy's URL must be an http or https address.")
		}
	}
	if u.Reliability == nil && u.ArchiveURL == nil {
		return FieldErrorf("reliability", "Nothing to change: give a new grade or an archived copy's URL.")
	}
	return checkText("reason", "The reason", u.Reason, MaxLongText, true)
}

// Stance is whether evidence supports or contradicts the claim.
type Stance string

const (
	StanceSupports    Stance = "supports"
	StanceContradicts Stance = "contradicts"
)

// Evidence links a revision to a source. Credibility is the Admiralty grade
// of the information itself: 1 confirmed … 5 improbable, 6 cannot be judged.
type Evidence struct {
	ID          int64  `json:"id"`
	RevisionID  int64  `json:"revision"`
	Source      Source `json:"source"`
	Credibility int    `json:"credibility"`
	Excerpt     string `json:"excerpt,omitempty"`
	Stance      Stance `json:"stance"`
}

// Grade is the Admiralty code of the evidence, such as "B2".
func (e Evidence) Grade() string {
	return e.Source.Reliability + string(rune('0'+e.Credibility))
}

// NewSource describes a source to record.
type NewSource struct {
	Title       string
	Publisher   string
	URL         string
	Published   string
	Accessed    string
	Reliability string
}

// NewEvidence cites an existing source (SourceID) or a new one (Source).
type NewEvidence struct {
	SourceID    int64
	Source      NewSource
	Credibility int
	Excerpt     string
	Stance      Stance
}

// Validate checks a new source.
func (n NewSource) Validate() error {
	if err := checkText("source_title", "The source's title", n.Title, MaxShortText, true); err != nil {
		return err
	}
	if err := checkText("source_publisher", "The source's publisher", n.Publisher, MaxShortText, false); err != nil {
		return err
	}
	if n.URL != "" {
		u, err := url.Parse(n.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(n.URL) > 2000 {
			return FieldErrorf("source_url", "The source's URL must be an http or https address.")
		}
	}
	for _, d := range []struct{ field, label, v string }{
		{"source_published", "publication date", n.Published},
		{"source_accessed", "accessed date", n.Accessed},
	} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return FieldErrorf(d.field, "The source's %s %q is not a date: use YYYY-MM-DD.", d.label, d.v)
		}
	}
	if len(n.Reliability) != 1 || !strings.Contains("ABCDEF", n.Reliability) {
		return FieldErrorf("reliability", "Reliability %q is not an Admiralty grade: use A (completely reliable) to E (unreliable), or F (cannot be judged).", n.Reliability)
	}
	return nil
}

// Validate checks new evidence.
func (n NewEvidence) Validate() error {
	if n.SourceID == 0 {
		if err := n.Source.Validate(); err != nil {
			return err
		}
	} else if n.SourceID < 0 {
		return FieldErrorf("source", "Unknown source.")
	}
	if n.Credibility < 1 || n.Credibility > 6 {
		return FieldErrorf("credibility", "Credibility %d is not an Admiralty grade: use 1 (confirmed) to 5 (improbable), or 6 (cannot be judged).", n.Credibility)
	}
	if n.Stance != StanceSupports && n.Stance != StanceContradicts {
		return FieldErrorf("stance", "Stance %q: use supports or contradicts.", n.Stance)
	}
	return checkText("excerpt", "The excerpt", n.Excerpt, MaxLongText, false)
}

// SourceService records and lists sources.
type SourceService interface {
	CreateSource(ctx context.Context, by User, n NewSource) (Source, error)
	ListSources(ctx context.Context) ([]Source, error)
	FindSource(ctx context.Context, id int64) (Source, error)
	// UpdateSource regrades a source or attaches an archived copy; the
	// event names every claim citing the source.
	UpdateSource(ctx context.Context, by User, id int64, u SourceUpdate) (Source, error)
	// RecordLinkCheck keeps a check's outcome on its source, as an event.
	RecordLinkCheck(ctx context.Context, by User, c LinkCheck) (Source, error)
}

// StaleCutoff is the date before which a carried claim's evidence wants
// re-checking: the publication of the edition it is carried from, or, when
// months is set, that many months before the new edition's publication
// (today's date when it has none). "" means no cutoff (no date known).
func StaleCutoff(prevPublished, newPublished string, months int, today time.Time) string {
	if months <= 0 {
		return prevPublished
	}
	t, err := time.Parse(time.DateOnly, newPublished)
	if err != nil {
		t = today
	}
	return t.AddDate(0, -months, 0).Format(time.DateOnly)
}

// StaleEvidence returns the evidence whose source is dated (published,
// else accessed) before cutoff; undated sources cannot be judged and are
// left out.
func StaleEvidence(ev []Evidence, cutoff string) []Evidence {
	if cutoff == "" {
		return nil
	}
	var out []Evidence
	for _, e := range ev {
		d := e.Source.Published
		if d == "" {
			d = e.Source.Accessed
		}
		if d != "" && d < cutoff {
			out = append(out, e)
		}
	}
	return out
}
