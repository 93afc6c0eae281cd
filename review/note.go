package review

import (
	"context"
	"time"
)

// Note is a reviewer's remark on a claim; ParentID threads replies.
type Note struct {
	ID        int64     `json:"id"`
	ClaimID   int64     `json:"claim"`
	ParentID  int64     `json:"parent,omitempty"`
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// NewNote is a note to add.
type NewNote struct {
	ClaimID  int64
	ParentID int64
	Body     string
}

// Validate checks the note's text.
func (n NewNote) Validate() error {
	return checkText("body", "The note", n.Body, MaxLongText, true)
}

// NoteService adds notes.
type NoteService interface {
	AddNote(ctx context.Context, by User, n NewNote) (Note, error)
}
