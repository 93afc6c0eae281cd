package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"vetted/review"
)

// searchHits is what a search's terms found: for each claim that every
// term found, how many index entries (statements, quotes, notes, sources)
// mention any of the terms, its rank.
type searchHits struct {
	entries map[int64]int
	// partial: a term had more than review.SearchRows entries, and only
	// its newest SearchRows were read.
	partial bool
}

// searchHits is findSearchHits, kept while nothing is written (headCache):
// every change to the full-text index is made with an event, in the same
// transaction. A team searching between edits reads each term's document
// list once. Callers must not change the hits' entries.
func (db *DB) searchHits(ctx context.Context, tx queryer, query, report string) (searchHits, error) {
	head, err := headSeq(ctx, tx)
	if err != nil {
		return searchHits{}, fmt.Errorf("store: search: %w", err)
	}
	key := searchKey{query, report}
	if h, ok := db.searches.get(head, key); ok {
		return h, nil
	}
	h, err := findSearchHits(ctx, tx, query, report)
	if err != nil {
		return searchHits{}, err
	}
	db.searches.put(head, key, h)
	return h, nil
}

type searchKey struct{ query, report string }

// findSearchHits reads each term's index entries once. Across the whole
// record a term reads at most its newest review.SearchRows+1 entries (the
// last only to tell that there are more), so a common word costs the same
// however many claims mention it; within one report (a slug) it reads the
// report's entries, all of them: bounding would drop its matches behind
// other reports'. The full-text index still reads each term's whole list
// of documents (FTS4 has no early stop), a cost that grows with the word's
// frequency but not with the claims' rows.
func findSearchHits(ctx context.Context, tx queryer, query, report string) (searchHits, error) {
	terms, err := review.SearchTerms(query)
	if err != nil {
		return searchHits{}, err
	}
	h := searchHits{entries: map[int64]int{}}
	found := map[int64]int{} // how many terms found each claim so far
	for i, t := range terms {
		if err := h.add(ctx, tx, i, t, report, found); err != nil {
			return searchHits{}, err
		}
	}
	for id := range h.entries {
		if found[id] < len(terms) {
			delete(h.entries, id)
		}
	}
	return h, nil
}

// add reads term number i's entries into h: a claim that an earlier term
// did not find is passed over, since it cannot match every term.
func (h *searchHits) add(ctx context.Context, tx queryer, i int, term, report string, found map[int64]int) error {
	var query string
	args := []any{term}
	if report == "" {
		query = "SELECT CAST(claim_id AS INTEGER) FROM claim_search WHERE body MATCH ? ORDER BY docid DESC LIMIT ?"
		args = append(args, review.SearchRows+1)
	} else {
		// CROSS JOIN keeps the match outside: the other order runs the
		// full-text query again for every claim of the report.
		query = `SELECT c.id FROM claim_search s CROSS JOIN claims c ON c.id = CAST(s.claim_id AS INTEGER)
			WHERE s.body MATCH ? AND c.report_id = (SELECT id FROM reports WHERE slug = ?)`
		args = append(args, report)
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: search: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for n := 1; rows.Next(); n++ {
		if report == "" && n > review.SearchRows {
			h.partial = true
			break
		}
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("store: search: %w", err)
		}
		if found[id] < i {
			continue
		}
		h.entries[id]++
		if !seen[id] {
			seen[id] = true
			found[id]++
		}
	}
	return rows.Err()
}

// searchClaims answers a filter with a Query: the terms' hits
// (findSearchHits), then which of those claims the rest of the filter
// selects, if it selects by anything, in one statement reading only their
// ids, then the page's claims in full. The total is exact for what the hits hold; Partial says
// when they hold only part of what matches.
func (db *DB) searchClaims(ctx context.Context, tx queryer, f review.ClaimFilter) (review.ClaimPage, error) {
	h, err := db.searchHits(ctx, tx, f.Query, f.Report)
	if err != nil || len(h.entries) == 0 {
		return review.ClaimPage{Partial: h.partial}, err
	}
	rest := f
	rest.Query = ""
	q, err := newClaimQuery(rest)
	if err != nil {
		return review.ClaimPage{}, err
	}
	ids := make([]int64, 0, len(h.entries))
	for id := range h.entries {
		ids = append(ids, id)
	}
	// With nothing else to select by, every hit is an answer: an index
	// entry is written with its claim, and claims are never deleted.
	if q.where != "" {
		list, err := json.Marshal(ids)
		if err != nil {
			return review.ClaimPage{}, err
		}
		from, args := q.from()
		ids, err = int64s(ctx, tx, "SELECT c.id"+from+andWhere(q.where, "c.id IN (SELECT value FROM json_each(?))"),
			append(append(args, q.args...), string(list))...)
		if err != nil {
			return review.ClaimPage{}, fmt.Errorf("store: search: %w", err)
		}
	}
	// A cursor pages by id; pages by number, ranked, by rank then id.
	if f.Ranked && f.After == 0 {
		slices.SortFunc(ids, func(a, b int64) int {
			return cmp.Or(cmp.Compare(h.entries[b], h.entries[a]), cmp.Compare(a, b))
		})
	} else {
		slices.Sort(ids)
	}
	page := review.ClaimPage{Total: len(ids), Partial: h.partial}
	if f.After != 0 {
		at, found := slices.BinarySearch(ids, f.After)
		if found {
			at++
		}
		ids = ids[at:]
	} else {
		ids = ids[min(max(f.Offset, 0), len(ids)):]
	}
	ids = ids[:min(len(ids), pageLimit(f.Limit))]
	if len(ids) == 0 {
		return page, nil
	}
	// A limit past the ids: a page with room to spare is not counted again.
	full, err := db.findClaims(ctx, tx, review.ClaimFilter{IDs: ids, Edition: f.Edition, Limit: len(ids) + 1})
	if err != nil {
		return review.ClaimPage{}, err
	}
	byID := make(map[int64]review.Claim, len(full.Claims))
	for _, c := range full.Claims {
		byID[c.ID] = c
	}
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			page.Claims = append(page.Claims, c)
		}
	}
	return page, nil
}
