package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"vetted/review"
)

// FindQueue returns a page of the review queue, oldest first, and how many
// items the filter selects in all. A page reads a bounded number of rows
// whatever the queue's size: each kind is read in index order from the
// cursor (revisions_pending, flags_open) for at most one page and one more,
// the two are merged, and the page's revisions, flags and claims are then
// read by id, a fixed number of statements in all. Errors: EINVALID for a
// bad filter.
func (db *DB) FindQueue(ctx context.Context, f review.QueueFilter) (review.QueuePage, error) {
	if err := f.Validate(); err != nil {
		return review.QueuePage{}, err
	}
	tx, err := db.read(ctx)
	if err != nil {
		return review.QueuePage{}, err
	}
	defer tx.Rollback()
	head, err := headSeq(ctx, tx)
	if err != nil {
		return review.QueuePage{}, fmt.Errorf("store: queue: %w", err)
	}
	n := f.PageSize()
	var page review.QueuePage
	var keys []queueKey
	for _, kind := range review.QueueKinds {
		if f.Kind != "" && f.Kind != kind {
			continue
		}
		q := queueQuery(kind, f)
		// The count reads every open item; it is kept while nothing is
		// written (headCache), as a team reads the queue page by page.
		count := "SELECT COUNT(*) " + q.from + q.where
		key := fmt.Sprint(count, q.args)
		total, ok := db.queueCounts.get(head, key)
		if !ok {
			if err := tx.QueryRowContext(ctx, count, q.args...).Scan(&total); err != nil {
				return review.QueuePage{}, fmt.Errorf("store: queue: count: %w", err)
			}
			db.queueCounts.put(head, key, total)
		}
		page.Total += total
		if total == 0 {
			continue
		}
		// Forward from After, or backward from Before (newest first, then
		// put back in order).
		cmpOp, dir, bound := ">", "", f.After
		if !f.Before.IsZero() {
			cmpOp, dir, bound = "<", " DESC", f.Before
		}
		at, atID := q.bound(bound)
		args := append(append([]any(nil), q.args...), at, atID, n+1)
		rows, err := tx.QueryContext(ctx, "SELECT "+q.id+", "+q.time+" "+q.from+q.where+
			" AND ("+q.time+", "+q.id+") "+cmpOp+" (?, ?) ORDER BY "+q.time+dir+", "+q.id+dir+" LIMIT ?", args...)
		if err != nil {
			return review.QueuePage{}, fmt.Errorf("store: queue: %w", err)
		}
		for rows.Next() {
			k := queueKey{kind: kind}
			var t string
			if err := rows.Scan(&k.id, &t); err != nil {
				rows.Close()
				return review.QueuePage{}, fmt.Errorf("store: queue: %w", err)
			}
			k.time = t
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return review.QueuePage{}, fmt.Errorf("store: queue: %w", err)
		}
	}
	order := func(a, b queueKey) int {
		return cmp.Or(strings.Compare(a.time, b.time), cmp.Compare(a.kind.Rank(), b.kind.Rank()), cmp.Compare(a.id, b.id))
	}
	backward := !f.Before.IsZero()
	if backward {
		slices.SortFunc(keys, func(a, b queueKey) int { return order(b, a) })
	} else {
		slices.SortFunc(keys, order)
	}
	more := len(keys) > n
	if more {
		keys = keys[:n]
	}
	if backward {
		slices.Reverse(keys)
	}
	if err := db.loadQueueItems(ctx, tx, keys, &page); err != nil {
		return review.QueuePage{}, err
	}
	if len(page.Items) > 0 {
		first, last := page.Items[0].Cursor(), page.Items[len(page.Items)-1].Cursor()
		switch {
		case backward:
			// Something lies after: at least the item the page ends before.
			page.Next = last
			if more {
				page.Prev = first
			}
		default:
			if more {
				page.Next = last
			}
			if !f.After.IsZero() {
				page.Prev = first
			}
		}
	}
	return page, nil
}

// queueKey is one queue item before it is loaded: TimeFormat strings sort
// as their times do.
type queueKey struct {
	kind review.QueueKind
	time string
	id   int64
}

// queueSQL is the query for one kind of queue item under a filter.
type queueSQL struct {
	kind     review.QueueKind
	id, time string // the item's id and time columns
	from     string
	where    string
	args     []any
}

func queueQuery(kind review.QueueKind, f review.QueueFilter) queueSQL {
	q := queueSQL{kind: kind}
	var who, claim string
	switch kind {
	case review.QueueRevision:
		q.id, q.time, who, claim = "r.id", "r.created_at", "r.author_id", "r.claim_id"
		q.from, q.where = "FROM revisions r", " WHERE r.state = 'pending'"
		if f.Report != "" || f.Edition != "" {
			q.from += " JOIN claims c ON c.id = r.claim_id"
		}
	case review.QueueFlag:
		q.id, q.time, who, claim = "f.id", "f.raised_at", "f.raised_by", "f.claim_id"
		q.from, q.where = "FROM flags f", " WHERE f.resolved_at = ''"
		if f.Report != "" || f.Edition != "" {
			q.from += " JOIN claims c ON c.id = f.claim_id"
		}
	}
	if f.Report != "" {
		q.where += " AND c.report_id = (SELECT id FROM reports WHERE slug = ?)"
		q.args = append(q.args, f.Report)
	}
	if f.Edition != "" {
		q.where += ` AND EXISTS (SELECT 1 FROM appearances a JOIN editions e ON e.id = a.edition_id
			WHERE a.claim_id = c.id AND e.report_id = c.report_id AND e.label = ?`
		q.args = append(q.args, f.Edition)
		if f.Section != "" {
			q.where += " AND a.section = ?"
			q.args = append(q.args, f.Section)
		}
		q.where += ")"
	}
	if f.Author != "" {
		q.where += " AND " + who + " = (SELECT id FROM users WHERE name = ?)"
		q.args = append(q.args, review.LookupUserName(f.Author))
	}
	if f.Assignee != "" {
		q.where += " AND " + claim + " IN (SELECT claim_id FROM assignments WHERE user_id = (SELECT id FROM users WHERE name = ?))"
		q.args = append(q.args, review.LookupUserName(f.Assignee))
	}
	return q
}

// bound gives the (time, id) that this kind's items are compared with for
// a page to start after c (>) or end before it (<), in the queue's order by
// (time, kind rank, id): at c's time, every item of a kind that sorts
// after c's is after c (id 0: all pass >, none pass <), every item of a
// kind that sorts before it is before c (the largest id: the reverse).
func (q queueSQL) bound(c review.QueueCursor) (string, int64) {
	if c.IsZero() {
		return "", 0
	}
	t := review.FormatTime(c.Time)
	switch {
	case q.kind == c.Kind:
		return t, c.ID
	case q.kind.Rank() > c.Kind.Rank():
		return t, 0
	}
	return t, math.MaxInt64
}

// loadQueueItems reads the items keys name, in their order, with their
// claims and the revisions pending ones build on, into page.
func (db *DB) loadQueueItems(ctx context.Context, q queryer, keys []queueKey, page *review.QueuePage) error {
	var revIDs, flagIDs []any
	for _, k := range keys {
		if k.kind == review.QueueRevision {
			revIDs = append(revIDs, k.id)
		} else {
			flagIDs = append(flagIDs, k.id)
		}
	}
	revs, err := revisionsByID(ctx, q, revIDs)
	if err != nil {
		return err
	}
	var baseIDs []any
	for _, r := range revs {
		if r.BaseID != 0 {
			baseIDs = append(baseIDs, r.BaseID)
		}
	}
	bases, err := revisionsByID(ctx, q, baseIDs)
	if err != nil {
		return err
	}
	flags := map[int64]review.Flag{}
	if len(flagIDs) > 0 {
		fs, err := loadFlags(ctx, q, "f.id IN ("+placeholders(len(flagIDs))+")", flagIDs...)
		if err != nil {
			return err
		}
		for _, fl := range fs {
			flags[fl.ID] = fl
		}
	}
	claimIDs := map[int64]bool{}
	for _, r := range revs {
		claimIDs[r.ClaimID] = true
	}
	for _, fl := range flags {
		claimIDs[fl.ClaimID] = true
	}
	claims := map[int64]review.Claim{}
	if len(claimIDs) > 0 {
		cf := review.ClaimFilter{Limit: MaxClaimsPage}
		for id := range claimIDs {
			cf.IDs = append(cf.IDs, id)
		}
		cs, err := db.findClaims(ctx, q, cf)
		if err != nil {
			return err
		}
		for _, c := range cs.Claims {
			claims[c.ID] = c
		}
	}
	for _, k := range keys {
		it := review.QueueItem{Kind: k.kind}
		if k.kind == review.QueueRevision {
			r, ok := revs[k.id]
			if !ok {
				continue
			}
			it.Revision = &r
			if b, ok := bases[r.BaseID]; ok {
				it.Base = &b
			}
			it.Claim = claims[r.ClaimID]
		} else {
			fl, ok := flags[k.id]
			if !ok {
				continue
			}
			it.Flag = &fl
			it.Claim = claims[fl.ClaimID]
		}
		page.Items = append(page.Items, it)
	}
	return nil
}

// revisionsByID reads the revisions with the given ids, by id.
func revisionsByID(ctx context.Context, q queryer, ids []any) (map[int64]review.Revision, error) {
	m := map[int64]review.Revision{}
	if len(ids) == 0 {
		return m, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+revisionCols+revisionFrom+" WHERE r.id IN ("+placeholders(len(ids))+")", ids...)
	if err != nil {
		return nil, fmt.Errorf("store: revisions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("store: revisions: %w", err)
		}
		m[r.ID] = r
	}
	return m, rows.Err()
}
