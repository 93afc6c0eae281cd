package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"vetted/review"
)

const sourceCols = "s.id, s.title, s.publisher, s.url, s.published, s.accessed, s.reliability, u.name, s.created_at, s.archive_url, s.link_status, s.link_detail, s.link_checked_at"

func scanSource(row interface{ Scan(...any) error }, extra ...any) (review.Source, error) {
	var s review.Source
	var created, status, detail, checked string
	err := row.Scan(append([]any{&s.ID, &s.Title, &s.Publisher, &s.URL, &s.Published, &s.Accessed, &s.Reliability, &s.CreatedBy, &created,
		&s.ArchiveURL, &status, &detail, &checked}, extra...)...)
	s.CreatedAt = parseTime(created)
	if status != "" {
		s.Link = review.LinkCheck{Status: review.LinkStatus(status), CheckedAt: parseTime(checked)}
		if s.Link.Status == review.LinkMoved {
			s.Link.Location = detail
		} else {
			s.Link.Detail = detail
		}
	}
	return s, err
}

func findSource(ctx context.Context, q queryer, id int64) (review.Source, error) {
	s, err := scanSource(q.QueryRowContext(ctx, "SELECT "+sourceCols+" FROM sources s JOIN users u ON u.id = s.created_by WHERE s.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, review.Errorf(review.ENOTFOUND, "Source %d does not exist.", id)
	} else if err != nil {
		return s, fmt.Errorf("store: source: %w", err)
	}
	return s, nil
}

// FindSource returns one source.
func (db *DB) FindSource(ctx context.Context, id int64) (review.Source, error) {
	return findSource(ctx, db.r, id)
}

// citingClaims lists the claims whose latest or current revision cites a
// source.
func citingClaims(ctx context.Context, q queryer, sourceID int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT c.id FROM claims c JOIN evidence e
		ON e.revision_id IN (c.latest_revision_id, c.current_revision_id) WHERE e.source_id = ? ORDER BY c.id`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("store: citing claims: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: citing claims: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// UpdateSource regrades a shared source or attaches an archived copy. The
// grade lives on the source, so the change reaches every claim citing it
// at once; the event records before and after and names those claims, and
// each claim's search index learns the reason.
func (db *DB) UpdateSource(ctx context.Context, by review.User, id int64, u review.SourceUpdate) (review.Source, error) {
	if err := u.Validate(); err != nil {
		return review.Source{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Source{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionGradeSource)
	if err != nil {
		return review.Source{}, err
	}
	before, err := findSource(ctx, tx, id)
	if err != nil {
		return review.Source{}, err
	}
	after := before
	if u.Reliability != nil {
		after.Reliability = *u.Reliability
	}
	if u.ArchiveURL != nil {
		after.ArchiveURL = *u.ArchiveURL
	}
	if after.Reliability == before.Reliability && after.ArchiveURL == before.ArchiveURL {
		return review.Source{}, review.Errorf(review.ECONFLICT, "Source %d already reads so; nothing changed.", id)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE sources SET reliability = ?, archive_url = ? WHERE id = ?", after.Reliability, after.ArchiveURL, id); err != nil {
		return review.Source{}, fmt.Errorf("store: update source: %w", FormatError(err))
	}
	claims, err := citingClaims(ctx, tx, id)
	if err != nil {
		return review.Source{}, err
	}
	action := review.EventSourceGraded
	if after.Reliability == before.Reliability {
		action = review.EventSourceArchived
	}
	if _, err := tx.record(ctx, a, change{action: action, entityType: "source", entityID: id, before: before,
		after: map[string]any{"source": after, "claims": claims}, reason: u.Reason}); err != nil {
		return review.Source{}, err
	}
	for _, c := range claims {
		if err := index(ctx, tx, c, u.Reason); err != nil {
			return review.Source{}, err
		}
	}
	return after, tx.commit()
}

// RecordLinkCheck keeps a link check's outcome on its source and records
// it as an event, whatever it was: the history shows when a source died.
func (db *DB) RecordLinkCheck(ctx context.Context, by review.User, c review.LinkCheck) (review.Source, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Source{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionCheckLinks)
	if err != nil {
		return review.Source{}, err
	}
	s, err := findSource(ctx, tx, c.SourceID)
	if err != nil {
		return review.Source{}, err
	}
	before := s.Link
	detail := c.Detail
	if c.Status == review.LinkMoved {
		detail = c.Location
	}
	if _, err := tx.ExecContext(ctx, "UPDATE sources SET link_status = ?, link_detail = ?, link_checked_at = ? WHERE id = ?",
		c.Status, detail, review.FormatTime(tx.now), s.ID); err != nil {
		return review.Source{}, fmt.Errorf("store: link check: %w", err)
	}
	c.CheckedAt = tx.now
	if _, err := tx.record(ctx, a, change{action: review.EventSourceChecked, entityType: "source", entityID: s.ID,
		before: nilIfZero(before), after: c}); err != nil {
		return review.Source{}, err
	}
	s.Link = c
	return s, tx.commit()
}

func nilIfZero(c review.LinkCheck) any {
	if c.Status == "" {
		return nil
	}
	return c
}

// citeSource returns the id of the source a new citation describes: an
// existing source that reads exactly the same (title, publisher, URL,
// dates and grade), so that a source cited by many claims is one record,
// graded once; else a new source.
func citeSource(ctx context.Context, tx *Tx, a review.User, n review.NewSource) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM sources WHERE title = ? AND publisher = ? AND url = ? AND published = ?
		AND accessed = ? AND reliability = ? ORDER BY id LIMIT 1`, n.Title, n.Publisher, n.URL, n.Published, n.Accessed, n.Reliability).Scan(&id)
	if err == nil {
		return id, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: find source: %w", err)
	}
	s, err := insertSource(ctx, tx, a, n)
	return s.ID, err
}

func insertSource(ctx context.Context, tx *Tx, a review.User, n review.NewSource) (review.Source, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO sources (title, publisher, url, published, accessed, reliability, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.Title, n.Publisher, n.URL, n.Published, n.Accessed, n.Reliability, a.ID, review.FormatTime(tx.now))
	if err != nil {
		return review.Source{}, fmt.Errorf("store: insert source: %w", FormatError(err))
	}
	id, _ := res.LastInsertId()
	return review.Source{ID: id, Title: n.Title, Publisher: n.Publisher, URL: n.URL, Published: n.Published,
		Accessed: n.Accessed, Reliability: n.Reliability, CreatedBy: a.Name, CreatedAt: tx.now}, nil
}

// CreateSource records a source on its own, for citing later.
func (db *DB) CreateSource(ctx context.Context, by review.User, n review.NewSource) (review.Source, error) {
	if err := n.Validate(); err != nil {
		return review.Source{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Source{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionAddSource)
	if err != nil {
		return review.Source{}, err
	}
	s, err := insertSource(ctx, tx, a, n)
	if err != nil {
		return review.Source{}, err
	}
	if _, err := tx.record(ctx, a, change{action: review.EventSourceAdded, entityType: "source", entityID: s.ID, after: s}); err != nil {
		return review.Source{}, err
	}
	return s, tx.commit()
}

// ListSources returns every source, by title.
func (db *DB) ListSources(ctx context.Context) ([]review.Source, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+sourceCols+" FROM sources s JOIN users u ON u.id = s.created_by ORDER BY s.title, s.id")
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	var ss []review.Source
	for rows.Next() {
		s, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		ss = append(ss, s)
	}
	return ss, rows.Err()
}

func loadEvidence(ctx context.Context, q queryer, revisionID int64) ([]review.Evidence, error) {
	m, err := evidenceWhere(ctx, q, "e.revision_id = ?", revisionID)
	if err != nil {
		return nil, err
	}
	return nonNil(m[revisionID]), nil
}

// evidenceWhere loads the evidence rows cond selects, by revision, in one
// query (a claim page would otherwise ask once per revision).
func evidenceWhere(ctx context.Context, q queryer, cond string, args ...any) (map[int64][]review.Evidence, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+sourceCols+`, e.id, e.revision_id, e.credibility, e.excerpt, e.stance
		FROM evidence e JOIN sources s ON s.id = e.source_id JOIN users u ON u.id = s.created_by
		WHERE `+cond+" ORDER BY e.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: evidence: %w", err)
	}
	defer rows.Close()
	m := map[int64][]review.Evidence{}
	for rows.Next() {
		var e review.Evidence
		var stance string
		s, err := scanSource(rows, &e.ID, &e.RevisionID, &e.Credibility, &e.Excerpt, &stance)
		if err != nil {
			return nil, fmt.Errorf("store: evidence: %w", err)
		}
		e.Source, e.Stance = s, review.Stance(stance)
		m[e.RevisionID] = append(m[e.RevisionID], e)
	}
	return m, rows.Err()
}
