package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"vetted/review"
)

// Assign sets the assignee of one claim, or of every claim that appears in
// a section of an edition, writing a claim.assigned event and telling the
// assignee for each claim whose assignee changes.
func (db *DB) Assign(ctx context.Context, by review.User, n review.NewAssignment) (int, error) {
	if err := n.Validate(); err != nil {
		return 0, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionAssignClaim)
	if err != nil {
		return 0, err
	}
	var to review.User
	if n.Assignee != "" {
		to, err = findUser(ctx, tx, "name = ?", review.LookupUserName(n.Assignee))
		if review.ErrorCode(err) == review.ENOTFOUND || to.ID == review.System.ID {
			return 0, review.FieldErrorf("assignee", "There is no user %q.", n.Assignee)
		} else if err != nil {
			return 0, err
		}
		if err := review.CheckAssignee(to); err != nil {
			return 0, err
		}
	}
	ids := []int64{n.ClaimID}
	if n.ClaimID == 0 {
		if ids, err = sectionClaims(ctx, tx, n.Report, n.Edition, n.Section); err != nil {
			return 0, err
		}
	}
	changed := 0
	for _, id := range ids {
		ok, err := assign(ctx, tx, a, id, to)
		if err != nil {
			return 0, err
		}
		if ok {
			changed++
		}
	}
	return changed, tx.commit()
}

// sectionClaims lists the claims that appear in a section of an edition.
func sectionClaims(ctx context.Context, tx *Tx, report, edition, section string) ([]int64, error) {
	var editionID int64
	err := tx.QueryRowContext(ctx, `SELECT e.id FROM editions e JOIN reports r ON r.id = e.report_id
		WHERE r.slug = ? AND e.label = ?`, report, edition).Scan(&editionID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, review.Errorf(review.ENOTFOUND, "There is no edition %s of %q.", edition, report)
	} else if err != nil {
		return nil, fmt.Errorf("store: assign: %w", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM sections WHERE edition_id = ? AND heading = ?", editionID, section).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: assign: %w", err)
	}
	if n == 0 {
		return nil, review.FieldErrorf("section", "The %s edition has no section %q.", edition, section)
	}
	ids, err := int64s(ctx, tx, "SELECT claim_id FROM appearances WHERE edition_id = ? AND section = ? ORDER BY claim_id", editionID, section)
	if err != nil {
		return nil, fmt.Errorf("store: assign: %w", err)
	}
	return ids, nil
}

// assign gives claim id to user to (nobody when to is zero) and reports
// whether that changed anything.
func assign(ctx context.Context, tx *Tx, a review.User, id int64, to review.User) (bool, error) {
	c, err := claimRow(ctx, tx, id)
	if err != nil {
		return false, err
	}
	var was int64
	var wasName string
	err = tx.QueryRowContext(ctx, "SELECT s.user_id, u.name FROM assignments s JOIN users u ON u.id = s.user_id WHERE s.claim_id = ?", id).Scan(&was, &wasName)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("store: assign: %w", err)
	}
	if was == to.ID {
		return false, nil
	}
	if to.ID == 0 {
		_, err = tx.ExecContext(ctx, "DELETE FROM assignments WHERE claim_id = ?", id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO assignments (claim_id, user_id, assigned_by, assigned_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (claim_id) DO UPDATE SET user_id = excluded.user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
			id, to.ID, a.ID, review.FormatTime(tx.now))
	}
	if err != nil {
		return false, fmt.Errorf("store: assign: %w", err)
	}
	var before any
	if was != 0 {
		before = review.Assignment{ClaimID: id, Assignee: wasName}
	}
	e, err := tx.record(ctx, a, change{action: review.EventClaimAssigned, entityType: "claim", entityID: id,
		before: before, after: review.Assignment{ClaimID: id, Assignee: to.Name}, claimID: id, reportID: c.ReportID})
	if err != nil {
		return false, err
	}
	if to.ID != 0 {
		if err := notify(ctx, tx, e, a, id, review.NotifyAssignment, "", to.ID); err != nil {
			return false, err
		}
	}
	return true, nil
}

// FindWork lists u's assigned claims, pending revisions and the open flags
// on claims u created, from one read snapshot.
func (db *DB) FindWork(ctx context.Context, u review.User) (review.Work, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return review.Work{}, err
	}
	defer tx.Rollback()
	var w review.Work
	ids, err := int64s(ctx, tx, "SELECT claim_id FROM assignments WHERE user_id = ? ORDER BY assigned_at DESC, claim_id LIMIT ?", u.ID, review.MaxWorkItems+1)
	if err != nil {
		return review.Work{}, fmt.Errorf("store: work: %w", err)
	}
	if len(ids) > review.MaxWorkItems {
		ids, w.Truncated = ids[:review.MaxWorkItems], true
	}
	if len(ids) > 0 {
		cs, err := db.findClaims(ctx, tx, review.ClaimFilter{IDs: ids, Limit: MaxClaimsPage})
		if err != nil {
			return review.Work{}, err
		}
		at := map[int64]review.Claim{}
		for _, c := range cs.Claims {
			at[c.ID] = c
		}
		for _, id := range ids {
			if c, ok := at[id]; ok {
				w.Assigned = append(w.Assigned, c)
			}
		}
	}
	for _, part := range []struct {
		kind  review.QueueKind
		query string
		into  *[]review.QueueItem
	}{
		{review.QueueRevision, "SELECT id, created_at FROM revisions WHERE state = 'pending' AND author_id = ? ORDER BY created_at, id LIMIT ?", &w.Pending},
		{review.QueueFlag, `SELECT id, raised_at FROM flags
			WHERE resolved_at = '' AND claim_created_by = ? ORDER BY raised_at, id LIMIT ?`, &w.Flags},
	} {
		rows, err := tx.QueryContext(ctx, part.query, u.ID, review.MaxWorkItems+1)
		if err != nil {
			return review.Work{}, fmt.Errorf("store: work: %w", err)
		}
		var keys []queueKey
		for rows.Next() {
			k := queueKey{kind: part.kind}
			if err := rows.Scan(&k.id, &k.time); err != nil {
				rows.Close()
				return review.Work{}, fmt.Errorf("store: work: %w", err)
			}
			keys = append(keys, k)
		}
		if err := rows.Close(); err != nil {
			return review.Work{}, fmt.Errorf("store: work: %w", err)
		}
		if len(keys) > review.MaxWorkItems {
			keys, w.Truncated = keys[:review.MaxWorkItems], true
		}
		var page review.QueuePage
		if err := db.loadQueueItems(ctx, tx, keys, &page); err != nil {
			return review.Work{}, err
		}
		*part.into = page.Items
	}
	if w.Reviews, err = openReviewsFor(ctx, tx, u); err != nil {
		return review.Work{}, err
	}
	return w, nil
}

// CountNav counts u's work items and unread notifications in one
// statement, for the navigation of every page.
func (db *DB) CountNav(ctx context.Context, u review.User) (review.NavCounts, error) {
	// Every change the counts follow writes an event, but marking
	// notifications read: while the history's head and the read marks'
	// generation stand still, the counts do too. Read the head first, so
	// counts kept under it are never older than it.
	head, err := db.Head(ctx)
	if err != nil {
		return review.NavCounts{}, err
	}
	gen := db.nav.generation()
	if n, ok := db.nav.get(u.ID, head.Seq, gen); ok {
		return n, nil
	}
	// Each part stops at the first row past review.MaxNavCount.
	var n review.NavCounts
	err = db.r.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM assignments WHERE user_id = ?1 LIMIT ?2))
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM revisions WHERE state = 'pending' AND author_id = ?1 LIMIT ?2))
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM flags WHERE resolved_at = '' AND claim_created_by = ?1 LIMIT ?2))
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM double_review_grades WHERE reviewer_id = ?1 AND confidence = '' LIMIT ?2)),
		(SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = ?1 AND read_at = '' LIMIT ?2))`,
		u.ID, review.MaxNavCount+1).Scan(&n.Work, &n.Unread)
	if err != nil {
		return review.NavCounts{}, fmt.Errorf("store: counts: %w", err)
	}
	n.Work = min(n.Work, review.MaxNavCount+1)
	db.nav.put(u.ID, head.Seq, gen, n)
	return n, nil
}

// navCache keeps each user's navigation counts with the history's head
// and the read marks' generation they were counted at; the counts of a
// prolific user cost as much as their open items, and every page shows
// them.
type navCache struct {
	mu  sync.Mutex
	gen int64
	m   map[int64]navEntry
}

type navEntry struct {
	seq, gen int64
	n        review.NavCounts
}

func (c *navCache) generation() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// changed says notifications were marked read.
func (c *navCache) changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
}

func (c *navCache) get(user, seq, gen int64) (review.NavCounts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[user]
	return e.n, ok && e.seq == seq && e.gen == gen
}

func (c *navCache) put(user, seq, gen int64, n review.NavCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]navEntry{}
	}
	c.m[user] = navEntry{seq: seq, gen: gen, n: n}
}
