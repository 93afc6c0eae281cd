package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"vetted/review"
)

// ListReports returns every report with its editions (without their text),
// oldest edition first.
func (db *DB) ListReports(ctx context.Context) ([]review.Report, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return reportsWhere(ctx, tx, "", nil, "")
}

// FindReports returns a page of the reports f selects, by title, each
// with its editions (without their text), and how many f selects in all:
// four statements whatever the number of reports, one (the history's head)
// for a page kept since.
//
// A page is kept while the history's head stands still: every change to a
// report, an edition or the counts of its claims writes an event. Callers
// must not change what they are given.
func (db *DB) FindReports(ctx context.Context, f review.ReportFilter) ([]review.Report, int, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	head, err := headSeq(ctx, tx)
	if err != nil {
		return nil, 0, fmt.Errorf("store: reports: %w", err)
	}
	key := review.ReportFilter{Query: strings.TrimSpace(f.Query), Offset: max(f.Offset, 0), Limit: f.PageSize()}
	if p, ok := db.reportPages.get(head, key); ok {
		return p.reports, p.total, nil
	}
	rs, total, err := findReports(ctx, tx, key)
	if err == nil {
		db.reportPages.put(head, key, reportPage{rs, total})
	}
	return rs, total, err
}

// reportPage is a page of the report list and how many reports its filter
// selects.
type reportPage struct {
	reports []review.Report
	total   int
}

func findReports(ctx context.Context, tx queryer, f review.ReportFilter) ([]review.Report, int, error) {
	where, args := "", []any(nil)
	if q := f.Query; q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%"
		where, args = ` WHERE title LIKE ? ESCAPE '\' OR slug LIKE ? ESCAPE '\'`, []any{like, like}
	}
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: reports: %w", err)
	}
	rs, err := reportsWhere(ctx, tx, where, args, fmt.Sprintf(" LIMIT %d OFFSET %d", f.PageSize(), max(f.Offset, 0)))
	return rs, total, err
}

// reportsWhere reads the reports a WHERE clause selects, by title, then
// all their editions, with their counts, in one more query.
func reportsWhere(ctx context.Context, q queryer, where string, args []any, limit string) ([]review.Report, error) {
	rows, err := q.QueryContext(ctx, "SELECT id, slug, title, publisher FROM reports"+where+" ORDER BY title, slug"+limit, args...)
	if err != nil {
		return nil, fmt.Errorf("store: reports: %w", err)
	}
	var rs []review.Report
	at := map[int64]int{}
	for rows.Next() {
		var r review.Report
		if err := rows.Scan(&r.ID, &r.Slug, &r.Title, &r.Publisher); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: reports: %w", err)
		}
		at[r.ID] = len(rs)
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(rs) == 0 {
		return rs, err
	}
	ids := make([]any, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	in := ""
	if where != "" || limit != "" {
		in = " WHERE e.report_id IN (" + placeholders(len(ids)) + ")"
	} else {
		ids = nil
	}
	erows, err := q.QueryContext(ctx, "SELECT "+editionCols+", "+editionCountCols+` FROM editions e JOIN users u ON u.id = e.imported_by
		LEFT JOIN edition_counts t ON t.edition_id = e.id`+in+" ORDER BY e.report_id, e.rank", ids...)
	if err != nil {
		return nil, fmt.Errorf("store: editions: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var c editionCount
		e, err := scanEdition(erows, c.dest()...)
		if err != nil {
			return nil, fmt.Errorf("store: editions: %w", err)
		}
		e.Stats = c.stats()
		r := &rs[at[e.ReportID]]
		e.ReportSlug = r.Slug
		r.Editions = append(r.Editions, e)
	}
	return rs, erows.Err()
}

// FindReport returns one report with its editions.
func (db *DB) FindReport(ctx context.Context, slug string) (review.Report, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return review.Report{}, err
	}
	defer tx.Rollback()
	r, err := findReport(ctx, tx, slug)
	if err != nil {
		return review.Report{}, err
	}
	r.Editions, err = listEditions(ctx, tx, r.ID, r.Slug)
	return r, err
}

func findReport(ctx context.Context, q queryer, slug string) (review.Report, error) {
	var r review.Report
	err := q.QueryRowContext(ctx, "SELECT id, slug, title, publisher FROM reports WHERE slug = ?", slug).
		Scan(&r.ID, &r.Slug, &r.Title, &r.Publisher)
	if errors.Is(err, sql.ErrNoRows) {
		return r, &review.Error{Code: review.ENOTFOUND, Field: "report", Message: fmt.Sprintf("Report %q does not exist.", slug)}
	} else if err != nil {
		return r, fmt.Errorf("store: report: %w", err)
	}
	return r, nil
}
