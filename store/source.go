package store

import (
	"context"
	"fmt"

	"vetted/review"
)

const sourceCols = "s.id, s.title, s.publisher, s.url, s.published, s.accessed, s.reliability, u.name, s.created_at"

func scanSource(row interface{ Scan(...any) error }, extra ...any) (review.Source, error) {
	var s review.Source
	var created string
	err := row.Scan(append([]any{&s.ID, &s.Title, &s.Publisher, &s.URL, &s.Published, &s.Accessed, &s.Reliability, &s.CreatedBy, &created}, extra...)...)
	s.CreatedAt = parseTime(created)
	return s, err
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
