package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"vetted/review"
)

// ImportScores imports an edition's score sheet, all or nothing: a sheet
// with any bad row is refused with every bad row named, and nothing is
// written. The same file again changes nothing; another file for an
// edition already imported is refused unless Replace is set. Each report
// whose country the sheet scores then has its claims checked against the
// scores (queueScoreFlags), in the same transaction.
func (db *DB) ImportScores(ctx context.Context, by review.User, n review.NewScoreSheet) (review.ScoreImport, error) {
	if err := n.Validate(); err != nil {
		return review.ScoreImport{}, err
	}
	sheet, bad := review.ReadScoreSheet(n.Original)
	if bad != nil {
		return review.ScoreImport{}, bad
	}
	sum := sha256.Sum256(n.Original)
	res := review.ScoreImport{Edition: n.Edition, SHA256: hex.EncodeToString(sum[:]), Countries: len(sheet.Rows),
		Reports: []string{}, Mismatches: []review.AverageCheck{}}
	for _, r := range sheet.Rows {
		res.Scores += len(r.Scores)
		for _, c := range review.CheckAverages(r.Scores) {
			if !c.OK() {
				c.Country, c.Edition = r.Country, n.Edition
				res.Mismatches = append(res.Mismatches, c)
			}
		}
	}

	tx, err := db.begin(ctx)
	if err != nil {
		return review.ScoreImport{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionImportScores)
	if err != nil {
		return review.ScoreImport{}, err
	}
	var sheetID int64
	var oldSum string
	err = tx.QueryRowContext(ctx, "SELECT id, sha256 FROM score_sheets WHERE edition = ?", n.Edition).Scan(&sheetID, &oldSum)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return review.ScoreImport{}, fmt.Errorf("store: score sheet: %w", err)
	}
	switch {
	case exists && oldSum == res.SHA256:
		res.Unchanged = true
		return res, nil
	case exists && !n.Replace:
		return review.ScoreImport{}, &review.Error{Code: review.ECONFLICT, Field: "edition", Message: fmt.Sprintf(
			"The %s scores were already imported from a different file (SHA-256 %s…): to replace them, import again asking to replace (--replace).", n.Edition, oldSum[:12])}
	}
	var before map[string]any
	if exists {
		res.Replaced = true
		old, err := sheetScores(ctx, tx, sheetID)
		if err != nil {
			return review.ScoreImport{}, err
		}
		before = map[string]any{"edition": n.Edition, "sha256": oldSum, "scores": len(old)}
		if _, err := tx.ExecContext(ctx, "DELETE FROM scores WHERE sheet_id = ?", sheetID); err != nil {
			return review.ScoreImport{}, fmt.Errorf("store: replace scores: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE score_sheets SET sha256 = ?, countries = ?, imported_by = ?, imported_at = ? WHERE id = ?",
			res.SHA256, res.Countries, a.ID, review.FormatTime(tx.now), sheetID); err != nil {
			return review.ScoreImport{}, fmt.Errorf("store: replace scores: %w", err)
		}
		// What the new sheet changes, for the record.
		var changed []map[string]any
		for _, r := range sheet.Rows {
			for _, s := range r.Scores {
				k := r.Key + "\x00" + s.Indicator
				if o, ok := old[k]; !ok || o != s.Score {
					c := map[string]any{"country": r.Country, "indicator": s.Indicator, "to": s.Score}
					if ok {
						c["from"] = o
					}
					changed = append(changed, c)
				}
				delete(old, k)
			}
		}
		before["dropped"] = len(old)
		before["changed"] = changed
	} else {
		r, err := tx.ExecContext(ctx, "INSERT INTO score_sheets (edition, sha256, countries, imported_by, imported_at) VALUES (?, ?, ?, ?, ?)",
			n.Edition, res.SHA256, res.Countries, a.ID, review.FormatTime(tx.now))
		if err != nil {
			return review.ScoreImport{}, fmt.Errorf("store: insert score sheet: %w", FormatError(err))
		}
		sheetID, _ = r.LastInsertId()
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO scores (sheet_id, country, country_key, indicator, kind, score) VALUES (?, ?, ?, ?, ?, ?)")
	if err != nil {
		return review.ScoreImport{}, fmt.Errorf("store: insert scores: %w", err)
	}
	defer stmt.Close()
	keys := map[string]bool{}
	for _, r := range sheet.Rows {
		keys[r.Key] = true
		for _, s := range r.Scores {
			if _, err := stmt.ExecContext(context.WithoutCancel(ctx), sheetID, r.Country, r.Key, s.Indicator, s.Kind, int(s.Score)); err != nil {
				return review.ScoreImport{}, fmt.Errorf("store: insert scores: %w", FormatError(err))
			}
		}
	}
	reports, err := reportsWhere(ctx, tx, "", nil, "")
	if err != nil {
		return review.ScoreImport{}, err
	}
	var matched []review.Report
	for _, rep := range reports {
		if keys[rep.Slug] || keys[review.CountryKey(rep.Title)] {
			matched = append(matched, rep)
			res.Reports = append(res.Reports, rep.Slug)
		}
	}
	after := map[string]any{"edition": n.Edition, "sha256": res.SHA256, "bytes": len(n.Original), "countries": res.Countries,
		"scores": res.Scores, "reports": res.Reports, "mismatches": res.Mismatches}
	action := review.EventScoresImported
	if exists {
		action = review.EventScoresReplaced
	}
	if _, err := tx.record(ctx, a, change{action: action, entityType: "score_sheet", entityID: sheetID,
		before: nilIfEmpty(before), after: after}); err != nil {
		return review.ScoreImport{}, err
	}
	for _, rep := range matched {
		q, err := queueScoreFlags(ctx, tx, a, rep, db.ScoreThreshold)
		if err != nil {
			return review.ScoreImport{}, err
		}
		res.Queued += q
	}
	return res, tx.commit()
}

func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// sheetScores returns a sheet's scores by country key and indicator.
func sheetScores(ctx context.Context, q queryer, sheetID int64) (map[string]review.Score, error) {
	rows, err := q.QueryContext(ctx, "SELECT country_key, indicator, score FROM scores WHERE sheet_id = ?", sheetID)
	if err != nil {
		return nil, fmt.Errorf("store: scores: %w", err)
	}
	defer rows.Close()
	m := map[string]review.Score{}
	for rows.Next() {
		var key, ind string
		var s int
		if err := rows.Scan(&key, &ind, &s); err != nil {
			return nil, fmt.Errorf("store: scores: %w", err)
		}
		m[key+"\x00"+ind] = review.Score(s)
	}
	return m, rows.Err()
}

// ReportScores returns the scores of a report's country in every edition
// of the Index imported.
func (db *DB) ReportScores(ctx context.Context, slug string) ([]review.ScoreValue, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rep, err := findReport(ctx, tx, slug)
	if err != nil {
		return nil, err
	}
	return reportScores(ctx, tx, rep)
}

// reportScores reads the scores of the country a report is about: the one
// its slug names, else the one its title names.
func reportScores(ctx context.Context, q queryer, rep review.Report) ([]review.ScoreValue, error) {
	vs := []review.ScoreValue{}
	for _, key := range []string{rep.Slug, review.CountryKey(rep.Title)} {
		rows, err := q.QueryContext(ctx, `SELECT s.indicator, s.kind, sh.edition, s.score FROM scores s
			JOIN score_sheets sh ON sh.id = s.sheet_id WHERE s.country_key = ?`, key)
		if err != nil {
			return nil, fmt.Errorf("store: report scores: %w", err)
		}
		for rows.Next() {
			var v review.ScoreValue
			var kind string
			var s int
			if err := rows.Scan(&v.Indicator, &kind, &v.Edition, &s); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: report scores: %w", err)
			}
			v.Kind, v.Score = review.IndicatorKind(kind), review.Score(s)
			vs = append(vs, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: report scores: %w", err)
		}
		if len(vs) > 0 {
			break
		}
	}
	review.SortScores(vs)
	return vs, nil
}

// queueScoreFlags checks a report's claims against its country's scores:
// for each published edition scored in the Index, with the Index's edition
// before it scored too, each live claim whose topic names an indicator
// scored in both is flagged when review.ScoreFlag says the text and the
// score disagree. A disagreement already flagged (open or resolved) is not
// flagged again, so this runs after every import of a sheet or an edition.
// It returns how many flags it raised.
func queueScoreFlags(ctx context.Context, tx *Tx, a review.User, rep review.Report, threshold review.Score) (int, error) {
	vs, err := reportScores(ctx, tx, rep)
	if err != nil {
		return 0, err
	}
	tab := review.NewScoreTable(vs)
	if len(tab.Editions) < 2 {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT c.id, r.topic, ap.match, e.label FROM claims c
		JOIN revisions r ON r.id = c.latest_revision_id
		JOIN appearances ap ON ap.claim_id = c.id
		JOIN editions e ON e.id = ap.edition_id
		WHERE c.report_id = ? AND c.retired_in = '' AND e.draft = 0 AND r.topic != ''
		ORDER BY e.rank, c.id`, rep.ID)
	if err != nil {
		return 0, fmt.Errorf("store: score flags: %w", err)
	}
	var flags []review.NewFlag
	for rows.Next() {
		var id int64
		var topic, match, label string
		if err := rows.Scan(&id, &topic, &match, &label); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: score flags: %w", err)
		}
		in, ok := review.IndicatorOf(topic)
		if !ok {
			continue
		}
		prev, ok := tab.Previous(label)
		if !ok {
			continue
		}
		before, ok1 := tab.Get(in.Name, prev)
		after, ok2 := tab.Get(in.Name, label)
		if !ok1 || !ok2 {
			continue
		}
		if f, ok := review.ScoreFlag(id, in.Name, review.Outcome(match), prev, label, before, after, threshold); ok {
			flags = append(flags, f)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: score flags: %w", err)
	}
	raised := 0
	for _, f := range flags {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM flags WHERE claim_id = ? AND kind = ? AND subject = ?",
			f.ClaimID, f.Kind, f.Subject).Scan(&n); err != nil {
			return 0, fmt.Errorf("store: score flags: %w", err)
		}
		if n > 0 {
			continue
		}
		if _, err := insertFlag(ctx, tx, a, f, true); err != nil {
			return 0, err
		}
		raised++
	}
	return raised, nil
}
