package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"vetted/review"
)

const revisionCols = `r.id, r.claim_id, COALESCE(r.base_id, 0), r.statement, r.topic, r.confidence, r.hedge, r.quote, r.quote_diff,
	COALESCE((SELECT label FROM editions WHERE id = r.edition_id), ''), r.author_id, au.name, r.created_at, r.reason, r.state,
	COALESCE(du.name, ''), r.decided_at, r.decision_reason`

const revisionFrom = ` FROM revisions r JOIN users au ON au.id = r.author_id LEFT JOIN users du ON du.id = r.decided_by`

func scanRevision(row interface{ Scan(...any) error }) (review.Revision, error) {
	var s revisionScanner
	if err := row.Scan(s.dest()...); err != nil {
		return review.Revision{}, err
	}
	return s.revision()
}

func findRevision(ctx context.Context, q queryer, id int64) (review.Revision, error) {
	r, err := scanRevision(q.QueryRowContext(ctx, "SELECT "+revisionCols+revisionFrom+" WHERE r.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return review.Revision{}, review.Errorf(review.ENOTFOUND, "Revision %d does not exist.", id)
	} else if err != nil {
		return review.Revision{}, fmt.Errorf("store: revision: %w", err)
	}
	if r.Evidence, err = loadEvidence(ctx, q, r.ID); err != nil {
		return review.Revision{}, err
	}
	return r, nil
}

// loadRevisions returns a claim's revisions, oldest first, with evidence.
func loadRevisions(ctx context.Context, q queryer, claimID int64) ([]review.Revision, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+revisionCols+revisionFrom+" WHERE r.claim_id = ? ORDER BY r.id", claimID)
	if err != nil {
		return nil, fmt.Errorf("store: revisions: %w", err)
	}
	var revs []review.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: revisions: %w", err)
		}
		revs = append(revs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ev, err := evidenceWhere(ctx, q, "e.revision_id IN (SELECT id FROM revisions WHERE claim_id = ?)", claimID)
	if err != nil {
		return nil, err
	}
	for i := range revs {
		revs[i].Evidence = nonNil(ev[revs[i].ID])
	}
	return revs, nil
}

// FindRevision returns one revision with its evidence.
func (db *DB) FindRevision(ctx context.Context, id int64) (review.Revision, error) {
	return findRevision(ctx, db.r, id)
}

// ProposeRevision adds a revision to a claim. It must name the claim's head
// as its base: if the claim has moved on, nothing is written and the
// conflict says so.
func (db *DB) ProposeRevision(ctx context.Context, by review.User, n review.NewRevision) (review.Revision, error) {
	if err := n.Validate(); err != nil {
		return review.Revision{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Revision{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionProposeRev)
	if err != nil {
		return review.Revision{}, err
	}
	c, err := claimRow(ctx, tx, n.ClaimID)
	if err != nil {
		return review.Revision{}, err
	}
	head, err := claimHead(ctx, tx, c.ID)
	if err != nil {
		return review.Revision{}, err
	}
	if err := review.CheckBase(head, n.BaseID); err != nil {
		return review.Revision{}, err
	}
	state := review.StatePending
	if n.Draft {
		state = review.StateDraft
	}
	rev, err := insertRevision(ctx, tx, a, c.ID, n, state, revisionExtra{})
	if err != nil {
		return review.Revision{}, err
	}
	if _, err := tx.record(ctx, a, change{action: review.EventRevisionProposed, entityType: "revision", entityID: rev.ID,
		after: rev, reason: n.Reason, claimID: c.ID, reportID: c.ReportID}); err != nil {
		return review.Revision{}, err
	}
	// A draft is its author's until submitted: the claim is not shown as it.
	if !n.Draft {
		if err := setLatestRevision(ctx, tx, c.ID, rev.ID); err != nil {
			return review.Revision{}, err
		}
	}
	return rev, tx.commit()
}

// revisionExtra carries what only an import sets on a revision.
type revisionExtra struct {
	quote     string
	diff      []review.DiffOp
	editionID int64
}

// insertRevision writes a revision and its evidence. Evidence nil copies
// the base revision's evidence; new sources named inline are created.
func insertRevision(ctx context.Context, tx *Tx, a review.User, claimID int64, n review.NewRevision, state review.RevisionState, x revisionExtra) (review.Revision, error) {
	diff := ""
	if x.diff != nil {
		b, err := json.Marshal(x.diff)
		if err != nil {
			return review.Revision{}, err
		}
		diff = string(b)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO revisions (claim_id, base_id, statement, topic, confidence, hedge,
		quote, quote_diff, edition_id, author_id, created_at, reason, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		claimID, nullID(n.BaseID), n.Statement, n.Topic, n.Confidence, n.Hedge, x.quote, diff, nullID(x.editionID),
		a.ID, review.FormatTime(tx.now), n.Reason, state)
	if err != nil {
		return review.Revision{}, fmt.Errorf("store: insert revision: %w", FormatError(err))
	}
	id, _ := res.LastInsertId()
	if n.Evidence == nil && n.BaseID != 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence (revision_id, source_id, credibility, excerpt, stance)
			SELECT ?, source_id, credibility, excerpt, stance FROM evidence WHERE revision_id = ? ORDER BY id`, id, n.BaseID); err != nil {
			return review.Revision{}, fmt.Errorf("store: copy evidence: %w", err)
		}
	}
	added := n.Evidence
	if added == nil {
		added = n.AddEvidence
	}
	for _, e := range added {
		sid := e.SourceID
		if sid == 0 {
			s, err := citeSource(ctx, tx, a, e.Source)
			if err != nil {
				return review.Revision{}, err
			}
			sid = s
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO evidence (revision_id, source_id, credibility, excerpt, stance) VALUES (?, ?, ?, ?, ?)",
			id, sid, e.Credibility, e.Excerpt, e.Stance); err != nil {
			if review.ErrorCode(FormatError(err)) == review.ENOTFOUND {
				return review.Revision{}, review.FieldErrorf("source", "Source %d does not exist.", sid)
			}
			return review.Revision{}, fmt.Errorf("store: insert evidence: %w", err)
		}
	}
	rev, err := findRevision(ctx, tx, id)
	if err != nil {
		return review.Revision{}, err
	}
	texts := []string{rev.Statement, rev.Topic, rev.Hedge, rev.Reason, rev.Quote}
	for _, e := range added { // inherited evidence is indexed already
		texts = append(texts, e.Source.Title, e.Source.Publisher, e.Excerpt)
	}
	return rev, index(ctx, tx, claimID, texts...)
}

// claimHead is the id of the revision new proposals must build on.
func claimHead(ctx context.Context, q queryer, claimID int64) (int64, error) {
	var head int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM revisions
		WHERE claim_id = ? AND state IN ('pending', 'approved')`, claimID).Scan(&head)
	if err != nil {
		return 0, fmt.Errorf("store: claim head: %w", err)
	}
	return head, nil
}

// SubmitRevision moves the author's own draft to pending; the lost-update
// rule is checked again, as the claim may have moved on since the draft.
func (db *DB) SubmitRevision(ctx context.Context, by review.User, id int64) (review.Revision, error) {
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Revision{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionProposeRev)
	if err != nil {
		return review.Revision{}, err
	}
	rev, err := findRevision(ctx, tx, id)
	if err != nil {
		return review.Revision{}, err
	}
	if rev.AuthorID != a.ID {
		return review.Revision{}, review.Errorf(review.EFORBIDDEN, "Only the author of a draft can submit it.")
	}
	if !review.CanTransition(rev.State, review.StatePending) {
		return review.Revision{}, review.Errorf(review.ECONFLICT, "Revision %d is %s, not a draft.", id, rev.State)
	}
	head, err := claimHead(ctx, tx, rev.ClaimID)
	if err != nil {
		return review.Revision{}, err
	}
	if err := review.CheckBase(head, rev.BaseID); err != nil {
		return review.Revision{}, err
	}
	before := rev
	rev.State = review.StatePending
	if _, err := tx.ExecContext(ctx, "UPDATE revisions SET state = 'pending' WHERE id = ?", id); err != nil {
		return review.Revision{}, fmt.Errorf("store: submit: %w", err)
	}
	c, err := claimRow(ctx, tx, rev.ClaimID)
	if err != nil {
		return review.Revision{}, err
	}
	if _, err := tx.record(ctx, a, change{action: review.EventRevisionSubmitted, entityType: "revision", entityID: id,
		before: before, after: rev, claimID: c.ID, reportID: c.ReportID}); err != nil {
		return review.Revision{}, err
	}
	if err := setLatestRevision(ctx, tx, c.ID, id); err != nil {
		return review.Revision{}, err
	}
	return rev, tx.commit()
}

// DecideRevision approves or rejects a pending revision under the four-eyes
// rule. Approving makes it the claim's current revision.
func (db *DB) DecideRevision(ctx context.Context, by review.User, id int64, approve bool, reason string) (review.Revision, error) {
	if err := review.CheckDecisionReason(approve, reason); err != nil {
		return review.Revision{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Revision{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionDecideRev)
	if err != nil {
		return review.Revision{}, err
	}
	rev, err := findRevision(ctx, tx, id)
	if err != nil {
		return review.Revision{}, err
	}
	c, err := claimRow(ctx, tx, rev.ClaimID)
	if err != nil {
		return review.Revision{}, err
	}
	if err := review.CheckDecision(a, rev, c.CurrentID, approve); err != nil {
		return review.Revision{}, err
	}
	before := rev
	rev.State, rev.DecidedBy, rev.DecidedAt, rev.DecisionReason = review.StateRejected, a.Name, tx.now, reason
	action := review.EventRevisionRejected
	if approve {
		rev.State, action = review.StateApproved, review.EventRevisionApproved
	}
	if _, err := tx.ExecContext(ctx, "UPDATE revisions SET state = ?, decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ?",
		rev.State, a.ID, review.FormatTime(tx.now), reason, id); err != nil {
		return review.Revision{}, fmt.Errorf("store: decide: %w", err)
	}
	if approve {
		if _, err := tx.ExecContext(ctx, "UPDATE claims SET current_revision_id = ? WHERE id = ?", id, c.ID); err != nil {
			return review.Revision{}, fmt.Errorf("store: decide: %w", err)
		}
	}
	e, err := tx.record(ctx, a, change{action: action, entityType: "revision", entityID: id,
		before: before, after: rev, reason: reason, claimID: c.ID, reportID: c.ReportID})
	if err != nil {
		return review.Revision{}, err
	}
	summary := string(rev.State)
	if reason != "" {
		summary += ": " + reason
	}
	if err := notify(ctx, tx, e, a, c.ID, review.NotifyDecision, summary, rev.AuthorID); err != nil {
		return review.Revision{}, err
	}
	return rev, tx.commit()
}
