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
}
