package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"vetted/review"
	"vetted/review/anchor"
	"vetted/review/text"
)

const editionCols = "e.id, e.report_id, e.label, e.published, e.sha256, e.draft, u.name, e.imported_at"

func scanEdition(row interface{ Scan(...any) error }, extra ...any) (review.Edition, error) {
	var e review.Edition
	var imported string
	err := row.Scan(append([]any{&e.ID, &e.ReportID, &e.Label, &e.Published, &e.SHA256, &e.Draft, &e.ImportedBy, &imported}, extra...)...)
	e.ImportedAt = parseTime(imported)
	return e, err
}

func listEditions(ctx context.Context, q queryer, reportID int64, slug string) ([]review.Edition, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+editionCols+" FROM editions e JOIN users u ON u.id = e.imported_by WHERE e.report_id = ? ORDER BY e.rank", reportID)
	if err != nil {
		return nil, fmt.Errorf("store: editions: %w", err)
	}
	defer rows.Close()
	var es []review.Edition
	for rows.Next() {
		e, err := scanEdition(rows)
		if err != nil {
			return nil, fmt.Errorf("store: editions: %w", err)
		}
		e.ReportSlug = slug
		es = append(es, e)
	}
	return es, rows.Err()
}

// FindEdition returns an edition with its normalised document (not its
// original bytes); label "" means the report's latest edition.
func (db *DB) FindEdition(ctx context.Context, slug, label string) (review.Edition, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return review.Edition{}, err
	}
	defer tx.Rollback()
	return db.findEdition(ctx, tx, slug, label)
}

func (db *DB) findEdition(ctx context.Context, q queryer, slug, label string) (review.Edition, error) {
	r, err := findReport(ctx, q, slug)
	if err != nil {
		return review.Edition{}, err
	}
	cond, args := "e.label = ?", []any{r.ID, label}
	if label == "" {
		cond, args = "1", []any{r.ID}
	}
	e, err := scanEdition(q.QueryRowContext(ctx, "SELECT "+editionCols+` FROM editions e
		JOIN users u ON u.id = e.imported_by WHERE e.report_id = ? AND `+cond+" ORDER BY e.rank DESC LIMIT 1", args...))
	if errors.Is(err, sql.ErrNoRows) {
		if label == "" {
			return e, &review.Error{Code: review.ENOTFOUND, Field: "edition", Message: fmt.Sprintf("Report %q has no edition yet: import one first.", slug)}
		}
		return e, &review.Error{Code: review.ENOTFOUND, Field: "edition", Message: fmt.Sprintf("Report %q has no edition %q.", slug, label)}
	} else if err != nil {
		return e, fmt.Errorf("store: edition: %w", err)
	}
	e.ReportSlug = slug
	e.Doc, err = db.docs.get(ctx, q, e)
	return e, err
}

// docCache keeps editions' normalised documents: a claim page and the
// reader need one each time, and reading the text means walking the
// overflow pages of the original file stored before it. A document is
// keyed by its row, the file's digest and the import's time, which a
// replacing import (from any process) changes, so a kept one is never
// stale. The original bytes are never kept.
type docCache struct {
	mu    sync.Mutex
	docs  map[docKey]text.Document
	bytes int
}

type docKey struct {
	id            int64
	sha, imported string
}

// maxDocBytes bounds the text the cache holds; a report has a few
// editions of tens of KiB.
const maxDocBytes = 16 << 20

func (c *docCache) get(ctx context.Context, q queryer, e review.Edition) (text.Document, error) {
	key := docKey{e.ID, e.SHA256, review.FormatTime(e.ImportedAt)}
	c.mu.Lock()
	doc, ok := c.docs[key]
	c.mu.Unlock()
	if ok {
		doc.Sections = slices.Clone(doc.Sections) // callers may change theirs
		return doc, nil
	}
	if err := q.QueryRowContext(ctx, "SELECT text FROM editions WHERE id = ?", e.ID).Scan(&doc.Text); err != nil {
		return doc, fmt.Errorf("store: edition text: %w", err)
	}
	var err error
	if doc.Sections, err = loadSections(ctx, q, e.ID); err != nil {
		return doc, err
	}
	c.mu.Lock()
	if c.docs == nil || c.bytes+len(doc.Text) > maxDocBytes {
		c.docs, c.bytes = map[docKey]text.Document{}, 0
	}
	if _, had := c.docs[key]; !had {
		c.bytes += len(doc.Text)
	}
	c.docs[key] = text.Document{Text: doc.Text, Sections: slices.Clone(doc.Sections)}
	c.mu.Unlock()
	return doc, nil
}

func loadSections(ctx context.Context, q queryer, editionID int64) ([]text.Section, error) {
	rows, err := q.QueryContext(ctx, `SELECT heading, parent, level, heading_start, start, "end" FROM sections WHERE edition_id = ? ORDER BY ord`, editionID)
	if err != nil {
		return nil, fmt.Errorf("store: sections: %w", err)
	}
	defer rows.Close()
	var ss []text.Section
	for rows.Next() {
		var s text.Section
		if err := rows.Scan(&s.Heading, &s.Parent, &s.Level, &s.HeadingStart, &s.Start, &s.End); err != nil {
			return nil, fmt.Errorf("store: sections: %w", err)
		}
		ss = append(ss, s)
	}
	return ss, rows.Err()
}

func insertSections(ctx context.Context, tx *Tx, editionID int64, ss []text.Section) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM sections WHERE edition_id = ?", editionID); err != nil {
		return fmt.Errorf("store: sections: %w", err)
	}
	for i, s := range ss {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sections (edition_id, ord, heading, parent, level, heading_start, start, "end")
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, editionID, i, s.Heading, s.Parent, s.Level, s.HeadingStart, s.Start, s.End); err != nil {
			return fmt.Errorf("store: sections: %w", err)
		}
	}
	return nil
}

// ImportEdition imports an edition's text. Importing the same bytes again
// changes nothing; different bytes under an existing label are refused
// unless that edition is a draft and Replace is set. When the edition is
// the report's newest, every live claim is re-anchored in it in the same
// transaction: each ends with exactly one outcome and one event.
func (db *DB) ImportEdition(ctx context.Context, by review.User, n review.NewEdition) (review.ImportResult, error) {
	if err := n.Validate(); err != nil {
		return review.ImportResult{}, err
	}
	sum := sha256.Sum256(n.Original)
	digest := hex.EncodeToString(sum[:])
	// Normalising and re-anchoring are CPU work; the document is built
	// before the writer is taken.
	doc := text.Normalize(string(n.Original))
	tx, err := db.begin(ctx)
	if err != nil {
		return review.ImportResult{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionImportEdition)
	if err != nil {
		return review.ImportResult{}, err
	}
	rep, err := findReport(ctx, tx, n.Report)
	reportCreated := false
	if review.ErrorCode(err) == review.ENOTFOUND {
		if strings.TrimSpace(n.Title) == "" {
			return review.ImportResult{}, review.FieldErrorf("title", "Report %q is new: give its title (--title).", n.Report)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO reports (slug, title, publisher, created_at) VALUES (?, ?, ?, ?)",
			n.Report, n.Title, n.Publisher, review.FormatTime(tx.now))
		if err != nil {
			return review.ImportResult{}, fmt.Errorf("store: insert report: %w", err)
		}
		rep = review.Report{Slug: n.Report, Title: n.Title, Publisher: n.Publisher}
		rep.ID, _ = res.LastInsertId()
		reportCreated = true
	} else if err != nil {
		return review.ImportResult{}, err
	}

	old, err := db.findEdition(ctx, tx, n.Report, n.Label)
	exists := err == nil
	if err != nil && review.ErrorCode(err) != review.ENOTFOUND {
		return review.ImportResult{}, err
	}
	var prev *review.Edition
	if exists {
		prev = &old
	}
	action, err := review.DecideImport(prev, digest, n)
	switch {
	case err != nil:
		return review.ImportResult{}, err
	case action == review.ImportUnchanged:
		return review.ImportResult{Edition: old, Unchanged: true, Counts: map[review.Outcome]int{}}, nil
	case action == review.ImportPublishDraft:
		ed, err := publishDraft(ctx, tx, a, rep, old)
		if err != nil {
			return review.ImportResult{}, err
		}
		flagged, err := queueScoreFlags(ctx, tx, a, rep, db.ScoreThreshold)
		if err != nil {
			return review.ImportResult{}, err
		}
		return review.ImportResult{Edition: ed, Counts: map[review.Outcome]int{}, PublishedDraft: true, ScoreFlags: flagged}, tx.commit()
	}

	ed := review.Edition{ReportID: rep.ID, ReportSlug: rep.Slug, Label: n.Label, Published: n.Published, SHA256: digest,
		Original: n.Original, Doc: doc, Draft: n.Draft, ImportedBy: a.Name, ImportedAt: tx.now}
	if exists {
		ed.ID = old.ID
		if _, err := tx.ExecContext(ctx, `UPDATE editions SET published = ?, sha256 = ?, original = ?, text = ?, draft = ?,
			imported_by = ?, imported_at = ? WHERE id = ?`, n.Published, digest, n.Original, doc.Text, boolInt(n.Draft),
			a.ID, review.FormatTime(tx.now), ed.ID); err != nil {
			return review.ImportResult{}, fmt.Errorf("store: replace edition: %w", err)
		}
	} else {
		res, err := tx.ExecContext(ctx, `INSERT INTO editions (report_id, label, published, sha256, original, text, draft,
			imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, rep.ID, n.Label, n.Published, digest,
			n.Original, doc.Text, boolInt(n.Draft), a.ID, review.FormatTime(tx.now))
		if err != nil {
			return review.ImportResult{}, fmt.Errorf("store: insert edition: %w", FormatError(err))
		}
		ed.ID, _ = res.LastInsertId()
	}
	if err := insertSections(ctx, tx, ed.ID, doc.Sections); err != nil {
		return review.ImportResult{}, err
	}
	newest, err := rankEditions(ctx, tx, rep.ID, ed.ID)
	if err != nil {
		return review.ImportResult{}, err
	}

	result := review.ImportResult{Edition: ed, Replaced: exists, Counts: map[review.Outcome]int{}, Outline: doc.Sections}
	carry := carrier{tx: tx, a: a, ed: editionDoc{Edition: ed, sentences: review.Sentences(doc), loc: &editionLocator{}},
		index: anchor.NewIndex(doc), docs: editionCache{}, aligned: map[string]*anchor.Alignment{}, staleMonths: db.StaleEvidenceMonths}
	switch {
	case exists:
		result.Outcomes, err = carry.replace(ctx, old)
	case newest:
		result.Outcomes, err = carry.forward(ctx)
	}
	if err != nil {
		return review.ImportResult{}, err
	}
	spans := make([][2]int, 0, len(result.Outcomes))
	for _, o := range result.Outcomes {
		result.Counts[o.Match]++
		if o.Match != review.OutcomeMissing {
			spans = append(spans, [2]int{o.Anchor.Start, o.Anchor.End})
		}
	}
	result.NewMaterial = review.Uncovered(carry.ed.sentences, spans)

	after := map[string]any{"report": rep.Slug, "label": ed.Label, "published": ed.Published, "sha256": digest,
		"bytes": len(n.Original), "sections": len(doc.Sections), "draft": ed.Draft, "outcomes": result.Counts,
		"new_material_sentences": len(result.NewMaterial)}
	if reportCreated {
		after["report_created"] = map[string]string{"title": rep.Title, "publisher": rep.Publisher}
	}
	event := review.EventEditionImported
	if exists {
		event = review.EventEditionReplaced
	}
	if _, err := tx.record(ctx, a, change{action: event, entityType: "edition", entityID: ed.ID, after: after, reportID: rep.ID}); err != nil {
		return review.ImportResult{}, err
	}
	if !ed.Draft {
		if result.ScoreFlags, err = queueScoreFlags(ctx, tx, a, rep, db.ScoreThreshold); err != nil {
			return review.ImportResult{}, err
		}
	}
	return result, tx.commit()
}

// rankEditions orders a report's editions and reports whether id is now the
// newest.
func rankEditions(ctx context.Context, tx *Tx, reportID, id int64) (bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, label, published FROM editions WHERE report_id = ?", reportID)
	if err != nil {
		return false, fmt.Errorf("store: rank editions: %w", err)
	}
	var es []review.Edition
	for rows.Next() {
		var e review.Edition
		if err := rows.Scan(&e.ID, &e.Label, &e.Published); err != nil {
			rows.Close()
			return false, fmt.Errorf("store: rank editions: %w", err)
		}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	slices.SortFunc(es, func(a, b review.Edition) int {
		if a.Before(b) {
			return -1
		}
		return 1
	})
	for i, e := range es {
		if _, err := tx.ExecContext(ctx, "UPDATE editions SET rank = ? WHERE id = ?", i+1, e.ID); err != nil {
			return false, fmt.Errorf("store: rank editions: %w", err)
		}
	}
	return es[len(es)-1].ID == id, nil
}

// EditionOriginal returns the bytes an edition was imported from, exactly.
func (db *DB) EditionOriginal(ctx context.Context, slug, label string) ([]byte, error) {
	ed, err := db.findEdition(ctx, db.r, slug, label)
	if err != nil {
		return nil, err
	}
	var b []byte
	if err := db.r.QueryRowContext(ctx, "SELECT original FROM editions WHERE id = ?", ed.ID).Scan(&b); err != nil {
		return nil, fmt.Errorf("store: edition original: %w", err)
	}
	return b, nil
}

// PublishEdition makes a draft edition final, as importing its file again
// without Draft does: the text, the sections and the claims stay as they
// are, and one edition.published event records it.
func (db *DB) PublishEdition(ctx context.Context, by review.User, slug, label string) (review.Edition, error) {
	if label == "" {
		// FindEdition reads "" as the newest edition; publishing must
		// name the one the user looked at.
		return review.Edition{}, review.FieldErrorf("edition", "Name the edition to publish.")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Edition{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionPublishEdition)
	if err != nil {
		return review.Edition{}, err
	}
	rep, err := findReport(ctx, tx, slug)
	if err != nil {
		return review.Edition{}, err
	}
	ed, err := db.findEdition(ctx, tx, slug, label)
	if err != nil {
		return review.Edition{}, err
	}
	if !ed.Draft {
		return review.Edition{}, &review.Error{Code: review.ECONFLICT, Field: "edition",
			Message: fmt.Sprintf("Edition %s of %s is already published; nothing changed.", label, slug)}
	}
	if ed, err = publishDraft(ctx, tx, a, rep, ed); err != nil {
		return review.Edition{}, err
	}
	if _, err := queueScoreFlags(ctx, tx, a, rep, db.ScoreThreshold); err != nil {
		return review.Edition{}, err
	}
	return ed, tx.commit()
}

// publishDraft makes a draft edition final without changing its text, in
// tx: for PublishEdition, and for an import of the draft's own file with
// Replace and without Draft. The caller commits.
func publishDraft(ctx context.Context, tx *Tx, a review.User, rep review.Report, ed review.Edition) (review.Edition, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE editions SET draft = 0 WHERE id = ?", ed.ID); err != nil {
		return ed, fmt.Errorf("store: publish edition: %w", err)
	}
	before := map[string]any{"report": rep.Slug, "label": ed.Label, "sha256": ed.SHA256, "draft": true}
	after := map[string]any{"report": rep.Slug, "label": ed.Label, "sha256": ed.SHA256, "draft": false}
	if _, err := tx.record(ctx, a, change{action: review.EventEditionPublished, entityType: "edition", entityID: ed.ID,
		before: before, after: after, reportID: rep.ID}); err != nil {
		return ed, err
	}
	ed.Draft = false
	return ed, nil
}
