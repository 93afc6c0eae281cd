package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"vetted/review"
	"vetted/review/anchor"
)

// claimRec is a claim's own row.
type claimRec struct {
	ID, ReportID, CurrentID int64
	RetiredIn               string
}

func claimRow(ctx context.Context, q queryer, id int64) (claimRec, error) {
	var c claimRec
	err := q.QueryRowContext(ctx, "SELECT id, report_id, COALESCE(current_revision_id, 0), retired_in FROM claims WHERE id = ?", id).
		Scan(&c.ID, &c.ReportID, &c.CurrentID, &c.RetiredIn)
	if errors.Is(err, sql.ErrNoRows) {
		return c, review.Errorf(review.ENOTFOUND, "Claim %d does not exist.", id)
	} else if err != nil {
		return c, fmt.Errorf("store: claim: %w", err)
	}
	return c, nil
}

// setLatestRevision records in tx that rev is the claim's newest revision.
// Nothing else about a claim's row changes after it is made: its
// updated_at is the time of the newest event about it (claimSelect), so a
// note or a flag, which writes an event anyway, rewrites no claim row.
func setLatestRevision(ctx context.Context, tx *Tx, id, rev int64) error {
	if _, err := tx.ExecContext(ctx, "UPDATE claims SET latest_revision_id = ? WHERE id = ?", rev, id); err != nil {
		return fmt.Errorf("store: latest revision: %w", err)
	}
	return nil
}

// index adds text said about a claim to the full-text search, in the
// transaction that says it.
func index(ctx context.Context, tx *Tx, claimID int64, texts ...string) error {
	body := strings.TrimSpace(strings.Join(texts, " "))
	if body == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO claim_search (body, claim_id) VALUES (?, ?)", body, claimID); err != nil {
		return fmt.Errorf("store: index: %w", err)
	}
	return nil
}

// CreateClaim anchors a quote in an edition and makes a claim on it with
// its first revision, pending review.
func (db *DB) CreateClaim(ctx context.Context, by review.User, n review.NewClaim) (review.Claim, error) {
	if err := n.Validate(); err != nil {
		return review.Claim{}, err
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return review.Claim{}, err
	}
	defer tx.Rollback()
	a, err := actor(ctx, tx, by, review.ActionCreateClaim)
	if err != nil {
		return review.Claim{}, err
	}
	id, err := createClaim(ctx, tx, a, n, nil, true)
	if err != nil {
		return review.Claim{}, err
	}
	if err := tx.commit(); err != nil {
		return review.Claim{}, err
	}
	return db.FindClaim(ctx, id)
}

// editionCache keeps documents loaded in one transaction, for imports of
// many claims.
type editionCache map[string]editionDoc

type editionDoc struct {
	review.Edition
	sentences []review.Sentence
	loc       *editionLocator // made on first use, shared by the cache's copies
}

// editionLocator holds an edition's quote locator once one is needed: an
// import of many claims on a large edition folds its text once, not once a
// claim.
type editionLocator struct{ l *anchor.Locator }

// locator returns the edition's quote locator, making it on first use. The
// cache it comes from belongs to one transaction, so no lock is needed.
func (d editionDoc) locator() *anchor.Locator {
	if d.loc.l == nil {
		d.loc.l = anchor.NewLocator(d.Doc)
	}
	return d.loc.l
}

// createClaim makes a claim in tx. With checkDuplicate, a quote that
// overlaps another claim's in the edition is refused unless the person
// confirmed it (review.CheckDuplicate); a claims file is checked line by
// line by its own rules instead.
func createClaim(ctx context.Context, tx *Tx, a review.User, n review.NewClaim, cache editionCache, checkDuplicate bool) (int64, error) {
	ed, err := cachedEdition(ctx, tx, cache, n.Report, n.Edition)
	if err != nil {
		return 0, err
	}
	anc, err := ed.locator().Locate(n.Quote, n.Prefix, n.Suffix)
	if err != nil {
		return 0, err
	}
	if checkDuplicate {
		ids, err := int64s(ctx, tx, `SELECT a.claim_id FROM appearances a JOIN claims c ON c.id = a.claim_id
			WHERE a.edition_id = ? AND a.match != 'missing' AND a.start < ? AND a."end" > ? AND c.retired_in = ''
			ORDER BY a.claim_id LIMIT 10`, ed.ID, anc.End, anc.Start)
		if err != nil {
			return 0, fmt.Errorf("store: duplicate check: %w", err)
		}
		if err := review.CheckDuplicate(ids, n.ConfirmDuplicate); err != nil {
			return 0, err
		}
	}
	now := review.FormatTime(tx.now)
	res, err := tx.ExecContext(ctx, "INSERT INTO claims (report_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?)",
		ed.ReportID, a.ID, now, now)
	if err != nil {
		return 0, fmt.Errorf("store: insert claim: %w", err)
	}
	id, _ := res.LastInsertId()
	state := review.StatePending
	if n.Draft {
		state = review.StateDraft
	}
	rev, err := insertRevision(ctx, tx, a, id, n.FirstRevision(), state, revisionExtra{})
	if err != nil {
		return 0, err
	}
	app := review.Appearance{ClaimID: id, Edition: ed.Label, Match: review.OutcomeOriginal, Similarity: 1,
		Anchor: anc, Hedges: review.HedgesAt(ed.sentences, anc.Start, anc.End), CreatedAt: tx.now}
	if err := insertAppearance(ctx, tx, ed.ID, app); err != nil {
		return 0, err
	}
	after := map[string]any{"claim": map[string]any{"id": id, "report": ed.ReportSlug}, "revision": rev, "appearance": app}
	if _, err := tx.record(ctx, a, change{action: review.EventClaimCreated, entityType: "claim", entityID: id, after: after,
		reason: n.Reason, claimID: id, reportID: ed.ReportID}); err != nil {
		return 0, err
	}
	return id, setLatestRevision(ctx, tx, id, rev.ID)
}

func cachedEdition(ctx context.Context, tx *Tx, cache editionCache, slug, label string) (editionDoc, error) {
	key := slug + "\x00" + label
	if ed, ok := cache[key]; ok {
		return ed, nil
	}
	ed, err := tx.db.findEdition(ctx, tx, slug, label)
	if err != nil {
		return editionDoc{}, err
	}
	d := editionDoc{Edition: ed, sentences: review.Sentences(ed.Doc), loc: &editionLocator{}}
	if cache != nil {
		cache[key] = d
	}
	return d, nil
}

func insertAppearance(ctx context.Context, tx *Tx, editionID int64, app review.Appearance) error {
	hedges, err := json.Marshal(nonNil(app.Hedges))
	if err != nil {
		return err
	}
	diff, err := json.Marshal(nonNil(app.Diff))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO appearances (claim_id, edition_id, match, similarity, exact, prefix, suffix,
		start, "end", section, hedges, diff, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		app.ClaimID, editionID, app.Match, app.Similarity, app.Exact, app.Prefix, app.Suffix, app.Start, app.End,
		app.Section, string(hedges), string(diff), review.FormatTime(tx.now))
	if err != nil {
		return fmt.Errorf("store: insert appearance: %w", FormatError(err))
	}
	if app.Match == review.OutcomeOriginal || app.Match == review.OutcomeChanged {
		return index(ctx, tx, app.ClaimID, app.Exact)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const appearanceCols = `e.label, a.match, a.similarity, a.exact, a.prefix, a.suffix, a.start, a."end",
	a.section, a.hedges, a.diff, a.created_at`

// loadAppearances returns a claim's appearances, oldest edition first.
func loadAppearances(ctx context.Context, q queryer, claimID int64) ([]review.Appearance, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+appearanceCols+` FROM appearances a JOIN editions e ON e.id = a.edition_id
		WHERE a.claim_id = ? ORDER BY e.rank`, claimID)
	if err != nil {
		return nil, fmt.Errorf("store: appearances: %w", err)
	}
	defer rows.Close()
	var apps []review.Appearance
	for rows.Next() {
		var s appearanceRow
		if err := rows.Scan(s.dest()...); err != nil {
			return nil, fmt.Errorf("store: appearances: %w", err)
		}
		app, err := s.appearance(claimID)
		if err != nil {
			return nil, fmt.Errorf("store: appearances: %w", err)
		}
		apps = append(apps, app)
	}
	return apps, rows.Err()
}

func latestAppearanceEdition(ctx context.Context, q queryer, claimID int64) (string, error) {
	var label string
	err := q.QueryRowContext(ctx, `SELECT e.label FROM appearances a JOIN editions e ON e.id = a.edition_id
		WHERE a.claim_id = ? ORDER BY e.rank DESC LIMIT 1`, claimID).Scan(&label)
	if err != nil {
		return "", fmt.Errorf("store: latest appearance: %w", err)
	}
	return label, nil
}

// reanchorByHand replaces a claim's appearance in an edition with a span an
// editor chose.
func reanchorByHand(ctx context.Context, tx *Tx, c claimRec, sp review.Span) (review.Appearance, error) {
	var slug string
	if err := tx.QueryRowContext(ctx, "SELECT slug FROM reports WHERE id = ?", c.ReportID).Scan(&slug); err != nil {
		return review.Appearance{}, fmt.Errorf("store: reanchor: %w", err)
	}
	ed, err := cachedEdition(ctx, tx, nil, slug, sp.Edition)
	if err != nil {
		return review.Appearance{}, err
	}
	anc, err := anchor.At(ed.Doc, sp.Start, sp.End)
	if err != nil {
		return review.Appearance{}, err
	}
	apps, err := loadAppearances(ctx, tx, c.ID)
	if err != nil {
		return review.Appearance{}, err
	}
	var prev review.Appearance
	for _, app := range apps {
		if app.Match != review.OutcomeMissing && app.Edition != sp.Edition {
			prev = app
		}
	}
	diff := review.WordDiff(prev.Exact, anc.Exact)
	app := review.Appearance{ClaimID: c.ID, Edition: ed.Label, Match: review.OutcomeChanged,
		Similarity: review.DiffSimilarity(diff), Anchor: anc, Diff: diff,
		Hedges: review.HedgesAt(ed.sentences, anc.Start, anc.End), CreatedAt: tx.now}
	if _, err := tx.ExecContext(ctx, "DELETE FROM appearances WHERE claim_id = ? AND edition_id = ?", c.ID, ed.ID); err != nil {
		return review.Appearance{}, fmt.Errorf("store: reanchor: %w", err)
	}
	return app, insertAppearance(ctx, tx, ed.ID, app)
}

// claimSelect reads a claim with its latest revision and one appearance;
// the appearance's edition is chosen by the caller's join condition. A
// claim's updated_at is the time of the newest event about it; the column
// of that name keeps only the creation time, as a fallback.
const claimSelect = `SELECT c.id, c.report_id, rp.slug, COALESCE(c.current_revision_id, 0), c.retired_in, cu.name,
	c.created_at, COALESCE((SELECT ev.time FROM events ev WHERE ev.claim_id = c.id ORDER BY ev.seq DESC LIMIT 1), c.updated_at),
	COALESCE((SELECT asu.name FROM assignments asg JOIN users asu ON asu.id = asg.user_id WHERE asg.claim_id = c.id), ''),
	` + revisionCols + `,
	COALESCE(e.label, ''), COALESCE(a.match, ''), COALESCE(a.similarity, 0), COALESCE(a.exact, ''), COALESCE(a.prefix, ''),
	COALESCE(a.suffix, ''), COALESCE(a.start, 0), COALESCE(a."end", 0), COALESCE(a.section, ''), COALESCE(a.hedges, '[]'),
	COALESCE(a.diff, '[]'), COALESCE(a.created_at, '')
	FROM claims c
	JOIN reports rp ON rp.id = c.report_id
	JOIN users cu ON cu.id = c.created_by
	JOIN revisions r ON r.id = c.latest_revision_id
	JOIN users au ON au.id = r.author_id
	LEFT JOIN users du ON du.id = r.decided_by `

// latestAppearanceJoin picks the claim's appearance in its latest edition.
const latestAppearanceJoin = `LEFT JOIN appearances a ON a.claim_id = c.id AND a.edition_id = (
		SELECT a2.edition_id FROM appearances a2 JOIN editions e2 ON e2.id = a2.edition_id
		WHERE a2.claim_id = c.id ORDER BY e2.rank DESC LIMIT 1)
	LEFT JOIN editions e ON e.id = a.edition_id `

func scanClaim(row interface{ Scan(...any) error }) (review.Claim, error) {
	var c review.Claim
	var created, updated string
	var appRow appearanceRow
	dest := []any{&c.ID, &c.ReportID, &c.Report, &c.CurrentID, &c.RetiredIn, &c.CreatedBy, &created, &updated, &c.Assignee}
	rev := revisionScanner{}
	dest = append(dest, rev.dest()...)
	dest = append(dest, appRow.dest()...)
	if err := row.Scan(dest...); err != nil {
		return c, err
	}
	var err error
	if c.Latest, err = rev.revision(); err != nil {
		return c, err
	}
	if c.Anchor, err = appRow.appearance(c.ID); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = parseTime(created), parseTime(updated)
	return c, nil
}

// ClaimVersion returns the claim's review.ClaimVersion; both halves come
// from indexes, so it costs a fraction of FindClaim.
func (db *DB) ClaimVersion(ctx context.Context, id int64) (review.ClaimVersion, error) {
	return claimVersion(ctx, db.r, id)
}

func claimVersion(ctx context.Context, q queryer, id int64) (review.ClaimVersion, error) {
	var v review.ClaimVersion
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT MAX(seq) FROM events WHERE claim_id = ?), 0),
		COALESCE((SELECT MAX(seq) FROM events WHERE claim_id IS NULL), 0)`, id).Scan(&v.Claim, &v.Global)
	if err != nil {
		return review.ClaimVersion{}, fmt.Errorf("store: claim version: %w", err)
	}
	return v, nil
}

// FindClaim returns a claim with everything about it: revisions,
// appearances in every edition, notes and flags.
func (db *DB) FindClaim(ctx context.Context, id int64) (review.Claim, error) {
	return db.FindClaimShown(ctx, id, review.ClaimWindow{})
}

// FindClaimShown is FindClaim with at most w's newest notes and resolved
// flags (review.ClaimWindow); NotesTotal and ResolvedTotal count them all.
func (db *DB) FindClaimShown(ctx context.Context, id int64, w review.ClaimWindow) (review.Claim, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return review.Claim{}, err
	}
	defer tx.Rollback()
	v, err := claimVersion(ctx, tx, id)
	if err != nil {
		return review.Claim{}, err
	}
	key := claimKey{id, w}
	if c, ok := db.claims.get(key, v); ok {
		return c, nil
	}
	c, ok, err := db.claimSince(ctx, tx, key, v)
	if err != nil {
		return review.Claim{}, err
	}
	if !ok {
		if c, err = findClaimShown(ctx, tx, id, w); err != nil {
			return review.Claim{}, err
		}
	}
	db.claims.put(key, v, c)
	return c, nil
}

// setClaimFlags reads c's flags within w: AllFlags, the open ones of them
// (Flags), and the counts of all (OpenFlags, ResolvedTotal).
func setClaimFlags(ctx context.Context, q queryer, c *review.Claim, w review.ClaimWindow) error {
	var err error
	if c.AllFlags, c.OpenFlags, c.ResolvedTotal, err = loadClaimFlags(ctx, q, c.ID, w.OpenFlags, w.ResolvedFlags); err != nil {
		return err
	}
	c.Flags = []review.Flag{}
	for _, f := range c.AllFlags {
		if f.Open() {
			c.Flags = append(c.Flags, f)
		}
	}
	return nil
}

// maxCatchUp is the most events claimSince applies to a kept claim; past
// it the claim is read again.
const maxCatchUp = 16

// claimSince brings a claim kept at an older version up to v when every
// event since is a note added, a flag raised or a flag resolved with
// nothing else changed: it reads again only the notes or the flags, not the
// claim, its revisions and appearances. It reports false, having read
// nothing it returns, when anything else happened (a revision, an import,
// a flag resolution that retired or re-anchored the claim, an event about
// no claim) or nothing is kept: the caller reads the claim in full.
// TestClaimsFollowEveryChange holds it to a full read.
func (db *DB) claimSince(ctx context.Context, tx queryer, key claimKey, v review.ClaimVersion) (review.Claim, bool, error) {
	was, c, ok := db.claims.kept(key)
	if !ok || was.Global != v.Global || was.Claim == 0 || was.Claim >= v.Claim {
		return review.Claim{}, false, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT action, after, time FROM events
		WHERE claim_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?`, key.id, was.Claim, v.Claim, maxCatchUp+1)
	if err != nil {
		return review.Claim{}, false, fmt.Errorf("store: claim: %w", err)
	}
	var notes, flags bool
	var n int
	var last string
	for rows.Next() {
		var action, after string
		if err := rows.Scan(&action, &after, &last); err != nil {
			rows.Close()
			return review.Claim{}, false, fmt.Errorf("store: claim: %w", err)
		}
		n++
		switch review.EventName(action) {
		case review.EventNoteAdded:
			notes = true
		case review.EventFlagRaised:
			flags = true
		case review.EventFlagResolved:
			// A resolution that retires or re-anchors the claim says so
			// beside the flag.
			var parts map[string]json.RawMessage
			if json.Unmarshal([]byte(after), &parts) != nil || len(parts) != 1 || parts["flag"] == nil {
				rows.Close()
				return review.Claim{}, false, nil
			}
			flags = true
		default:
			rows.Close()
			return review.Claim{}, false, nil
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return review.Claim{}, false, fmt.Errorf("store: claim: %w", err)
	}
	if n == 0 || n > maxCatchUp {
		return review.Claim{}, false, nil
	}
	if notes {
		if c.Notes, c.NotesTotal, err = loadNotes(ctx, tx, key.id, key.w.Notes); err != nil {
			return review.Claim{}, false, err
		}
	}
	if flags {
		if err := setClaimFlags(ctx, tx, &c, key.w); err != nil {
			return review.Claim{}, false, err
		}
	}
	c.UpdatedAt = parseTime(last) // the newest event about the claim (claimSelect)
	return c, true, nil
}

// claimKey names a claim as FindClaimShown reads it.
type claimKey struct {
	id int64
	w  review.ClaimWindow
}

// EachClaim calls fn with every claim f selects, in id order, each read in
// full as FindClaim reads it, all from one read transaction: an export is
// one consistent state of the record even while others write. f's paging
// fields are ignored.
func (db *DB) EachClaim(ctx context.Context, f review.ClaimFilter, fn func(review.Claim) error) error {
	tx, err := db.read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	f.Offset, f.After, f.Limit = 0, 0, MaxClaimsPage
	for {
		list, err := db.findClaims(ctx, tx, f)
		if err != nil {
			return err
		}
		for _, c := range list.Claims {
			full, err := findClaim(ctx, tx, c.ID)
			if err != nil {
				return err
			}
			if err := fn(full); err != nil {
				return err
			}
			f.After = c.ID
		}
		if len(list.Claims) < f.Limit {
			return nil
		}
	}
}

func findClaim(ctx context.Context, tx queryer, id int64) (review.Claim, error) {
	return findClaimShown(ctx, tx, id, review.ClaimWindow{})
}

func findClaimShown(ctx context.Context, tx queryer, id int64, w review.ClaimWindow) (review.Claim, error) {
	c, err := scanClaim(tx.QueryRowContext(ctx, claimSelect+latestAppearanceJoin+"WHERE c.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return review.Claim{}, review.Errorf(review.ENOTFOUND, "Claim %d does not exist.", id)
	} else if err != nil {
		return review.Claim{}, fmt.Errorf("store: claim: %w", err)
	}
	if c.Revisions, err = loadRevisions(ctx, tx, id); err != nil {
		return review.Claim{}, err
	}
	for _, r := range c.Revisions {
		if r.ID == c.Latest.ID {
			c.Latest = r
		}
		if r.ID == c.CurrentID {
			c.Current = r
		}
	}
	if c.Appearances, err = loadAppearances(ctx, tx, id); err != nil {
		return review.Claim{}, err
	}
	if c.Notes, c.NotesTotal, err = loadNotes(ctx, tx, id, w.Notes); err != nil {
		return review.Claim{}, err
	}
	if err := setClaimFlags(ctx, tx, &c, w); err != nil {
		return review.Claim{}, err
	}
	return c, nil
}

// listFlags gives each claim of a list its newest open flags, at most
// review.MaxListFlags, and their count, both from an index of open flags by
// claim (migration 0004): a claim with hundreds of open flags costs a list
// no more than one with three. (Joining flags on the newest ids directly
// made SQLite far slower than asking per claim, as here.)
func listFlags(ctx context.Context, q queryer, cs []review.Claim, at map[int64]int, ids []any) error {
	rows, err := q.QueryContext(ctx, `SELECT c.id,
			(SELECT COUNT(*) FROM flags x WHERE x.claim_id = c.id AND x.resolved_at = ''),
			COALESCE((SELECT group_concat(id) FROM (SELECT x.id FROM flags x WHERE x.claim_id = c.id AND x.resolved_at = ''
				ORDER BY x.raised_at DESC, x.id DESC LIMIT `+strconv.Itoa(review.MaxListFlags)+`)), '')
		FROM claims c WHERE c.id IN (`+placeholders(len(ids))+")", ids...)
	if err != nil {
		return fmt.Errorf("store: flags: %w", err)
	}
	var newest []any
	for rows.Next() {
		var id int64
		var n int
		var list string
		if err := rows.Scan(&id, &n, &list); err != nil {
			rows.Close()
			return fmt.Errorf("store: flags: %w", err)
		}
		cs[at[id]].OpenFlags = n
		for f := range strings.SplitSeq(list, ",") {
			if id, err := strconv.ParseInt(f, 10, 64); err == nil {
				newest = append(newest, id)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(newest) == 0 {
		return err
	}
	flags, err := loadFlags(ctx, q, "f.id IN ("+placeholders(len(newest))+")", newest...)
	if err != nil {
		return err
	}
	for _, f := range flags {
		c := &cs[at[f.ClaimID]]
		c.Flags = append(c.Flags, f)
	}
	return nil
}

// MaxClaimsPage is the largest page FindClaims returns.
const MaxClaimsPage = 500

// pageLimit is the size of a page asked for as limit: 50 by default, at
// most MaxClaimsPage.
func pageLimit(limit int) int {
	switch {
	case limit <= 0:
		return 50
	case limit > MaxClaimsPage:
		return MaxClaimsPage
	}
	return limit
}

// FindClaims returns a page of the claims f selects and how many it
// selects in all: FindClaimPage without the page's Partial.
func (db *DB) FindClaims(ctx context.Context, f review.ClaimFilter) ([]review.Claim, int, error) {
	p, err := db.FindClaimPage(ctx, f)
	return p.Claims, p.Total, err
}

// FindClaimPage returns a page of the claims f selects, in id order (a
// ranked search: by rank), with how many it selects in all and whether a
// search looked at only part of what matches.
func (db *DB) FindClaimPage(ctx context.Context, f review.ClaimFilter) (review.ClaimPage, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return review.ClaimPage{}, err
	}
	defer tx.Rollback()
	return db.findClaims(ctx, tx, f)
}

func (db *DB) findClaims(ctx context.Context, tx queryer, f review.ClaimFilter) (review.ClaimPage, error) {
	if f.Query != "" {
		return db.searchClaims(ctx, tx, f)
	}
	q, err := newClaimQuery(f)
	if err != nil {
		return review.ClaimPage{}, err
	}
	limit := pageLimit(f.Limit)
	page, pargs := q.where, append([]any(nil), q.args...)
	if f.After != 0 {
		page = andWhere(page, "c.id > ?")
		pargs = append(pargs, f.After)
	}
	order := " ORDER BY c.id"
	if f.After == 0 {
		order += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
	} else {
		order += fmt.Sprintf(" LIMIT %d", limit)
	}
	// The page's ids, each with the newest event about it: its version.
	from, args := q.from()
	rows, err := tx.QueryContext(ctx, "SELECT c.id, COALESCE((SELECT MAX(seq) FROM events ev WHERE ev.claim_id = c.id), 0)"+
		from+page+order, append(args, pargs...)...)
	if err != nil {
		return review.ClaimPage{}, fmt.Errorf("store: claims: %w", err)
	}
	var ids []int64
	var versions []int64
	for rows.Next() {
		var id, v int64
		if err := rows.Scan(&id, &v); err != nil {
			rows.Close()
			return review.ClaimPage{}, fmt.Errorf("store: claims: %w", err)
		}
		ids, versions = append(ids, id), append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return review.ClaimPage{}, fmt.Errorf("store: claims: %w", err)
	}
	// A first page with room to spare holds every match: counting them
	// again would repeat the whole query (the reader's claims).
	total, more := len(ids), false
	if f.After != 0 || f.Offset > 0 || len(ids) == limit {
		// One report's list is counted exactly: its cost is bounded by
		// the report's claims, not the whole Index.
		countLimit := max(f.Offset, 0) + limit + db.CountLimit
		if f.Report != "" {
			countLimit = 0
		}
		if total, more, err = q.count(ctx, tx, countLimit); err != nil {
			return review.ClaimPage{}, err
		}
	}
	cs, err := db.listRows(ctx, tx, q, f.Edition, ids, versions)
	if err != nil {
		return review.ClaimPage{}, err
	}
	return review.ClaimPage{Claims: cs, Total: total, More: more}, nil
}

// rowKey names a claim as a list shows it: with its appearance in the
// edition labelled edition, or in its latest edition when edition is "".
type rowKey struct {
	id      int64
	edition string
}

// listRows returns the claims ids names as a list shows them (the claim,
// its latest revision, the appearance q joins, its newest open flags),
// in the order of ids. versions[i] is the newest event seq about ids[i],
// read in tx: a row kept under the same version (and the same newest event
// about no claim) is taken as kept, so a list reads from SQLite only the
// claims changed since it was last shown.
func (db *DB) listRows(ctx context.Context, tx queryer, q claimQuery, edition string, ids, versions []int64) ([]review.Claim, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var global int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events WHERE claim_id IS NULL").Scan(&global); err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	cs := make([]review.Claim, len(ids))
	at := map[int64]int{}
	var missing []any
	for i, id := range ids {
		c, ok := db.rows.get(rowKey{id, edition}, review.ClaimVersion{Claim: versions[i], Global: global})
		if ok {
			cs[i] = c
			cs[i].Version = review.ClaimVersion{Claim: versions[i], Global: global}
			continue
		}
		at[id] = i
		missing = append(missing, id)
	}
	if len(missing) == 0 {
		return cs, nil
	}
	rows, err := tx.QueryContext(ctx, claimSelect+q.join+"WHERE c.id IN ("+placeholders(len(missing))+")",
		append(append([]any(nil), q.joinArgs...), missing...)...)
	if err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	for rows.Next() {
		c, err := scanClaim(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claims: %w", err)
		}
		c.Flags = []review.Flag{}
		cs[at[c.ID]] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	if err := listFlags(ctx, tx, cs, at, missing); err != nil {
		return nil, err
	}
	for _, id := range missing {
		if i := at[id.(int64)]; cs[i].ID != 0 {
			cs[i].Version = review.ClaimVersion{Claim: versions[i], Global: global}
			db.rows.put(rowKey{ids[i], edition}, cs[i].Version, cs[i])
		}
	}
	// A claim the ids named but the rows' joins left out is not listed.
	return slices.DeleteFunc(cs, func(c review.Claim) bool { return c.ID == 0 }), nil
}

// claimQuery is a claims filter as SQL: the appearance join the list
// shows (the claim's latest, or the asked edition's), and the conditions.
// The count joins only what the conditions need, so counting every claim
// does not work out each one's latest appearance.
type claimQuery struct {
	join     string // the appearance join, after claimSelect's FROM
	joinArgs []any
	where    string // " WHERE ...", or ""
	args     []any
	// needAppearance: the conditions refer to the appearance (a) besides
	// the claim (c).
	needAppearance bool
	// counted, when set, counts what q selects from edition_counts instead
	// (countFromEditions): an edition's claims, of a report or of every report,
	// with at most a state, a match or "flagged".
	counted     string
	countedArgs []any
}

// newClaimQuery turns every condition of f but its Query (searchClaims's)
// into SQL.
func newClaimQuery(f review.ClaimFilter) (claimQuery, error) {
	q := claimQuery{join: latestAppearanceJoin}
	if f.Edition != "" {
		q.join = `LEFT JOIN appearances a ON a.claim_id = c.id AND a.edition_id = (
			SELECT id FROM editions WHERE report_id = c.report_id AND label = ?)
			LEFT JOIN editions e ON e.id = a.edition_id `
		q.joinArgs = []any{f.Edition}
	}
	var conds []string
	cond := func(c string, args ...any) {
		conds, q.args = append(conds, c), append(q.args, args...)
	}
	if f.Report != "" {
		cond("c.report_id = (SELECT id FROM reports WHERE slug = ?)", f.Report)
	}
	if f.Edition != "" {
		cond("a.claim_id IS NOT NULL")
		q.needAppearance = true
	}
	if f.Section != "" {
		cond("a.section = ?", f.Section)
		q.needAppearance = true
	}
	if f.Assignee != "" {
		cond("c.id IN (SELECT claim_id FROM assignments WHERE user_id = (SELECT id FROM users WHERE name = ?))", review.LookupUserName(f.Assignee))
	}
	if f.State != "" {
		cond("c.latest_state = ?", f.State)
	}
	if f.Confidence != "" {
		cond("c.latest_confidence = ?", f.Confidence)
	}
	if f.Match != "" {
		cond("a.match = ?", f.Match)
		q.needAppearance = true
	}
	if f.Flagged != nil {
		// flagged is open_flags > 0, kept by triggers (migration 18) and
		// indexed: a page of either kind is read in order from the index.
		cond("c.flagged = ?", boolInt(*f.Flagged))
	}
	q.counted, q.countedArgs = countFromEditions(f)
	if q.counted == "" {
		q.counted, q.countedArgs = countFromTotals(f)
	}
	if len(f.IDs) > 0 {
		args := make([]any, len(f.IDs))
		for i, id := range f.IDs {
			args[i] = id
		}
		cond("c.id IN ("+placeholders(len(f.IDs))+")", args...)
	}
	if len(conds) > 0 {
		q.where = " WHERE " + strings.Join(conds, " AND ")
	}
	return q, nil
}

// from is the FROM clause (and its arguments) the conditions of q need:
// the claims, with the appearance when they refer to it, so counting every
// claim does not work out each one's latest appearance.
func (q claimQuery) from() (string, []any) {
	from := " FROM claims c"
	if q.needAppearance {
		return from + " " + q.join, q.joinArgs
	}
	return from, nil
}

// countFromEditions is the statement that counts what f selects from
// edition_counts, when f selects an edition's claims (of one report or
// of all) and at most one state, match or flagged: one row per edition
// instead of one per claim. A claim appears in an edition at most once,
// so the edition's counts are its claims'. "" when f asks for more.
func countFromEditions(f review.ClaimFilter) (string, []any) {
	if f.Edition == "" || f.Section != "" || f.Assignee != "" || f.Confidence != "" || f.Query != "" || len(f.IDs) > 0 ||
		(f.Flagged != nil && !*f.Flagged) {
		return "", nil
	}
	col, n := "t.claims", 0
	if f.State != "" {
		i := slices.Index(countedStates, f.State)
		if i < 0 {
			return "", nil
		}
		col, n = "t."+string(countedStates[i]), n+1
	}
	if f.Match != "" {
		i := slices.Index(countedOutcomes, f.Match)
		if i < 0 {
			return "", nil
		}
		col, n = "t."+string(countedOutcomes[i]), n+1
	}
	if f.Flagged != nil {
		col, n = "t.flagged", n+1
	}
	if n > 1 {
		return "", nil
	}
	q, args := "SELECT COALESCE(SUM("+col+"), 0) FROM editions e JOIN edition_counts t ON t.edition_id = e.id WHERE e.label = ?", []any{f.Edition}
	if f.Report != "" {
		q, args = q+" AND e.report_id = (SELECT id FROM reports WHERE slug = ?)", append(args, f.Report)
	}
	return q, args
}

// countFromTotals is the statement that reads what f selects from
// claim_totals (migration 18), when f selects every claim or those with
// one state, one confidence, or an open flag or none: "" when f asks for
// anything else.
func countFromTotals(f review.ClaimFilter) (string, []any) {
	if f.Report != "" || f.Edition != "" || f.Section != "" || f.Assignee != "" || f.Match != "" || f.Query != "" || len(f.IDs) > 0 {
		return "", nil
	}
	const total = "COALESCE((SELECT n FROM claim_totals WHERE name = ?), 0)"
	switch {
	case f.State == "" && f.Confidence == "" && f.Flagged == nil:
		return "SELECT " + total, []any{"claims"}
	case f.State != "" && f.Confidence == "" && f.Flagged == nil:
		return "SELECT " + total, []any{"state:" + string(f.State)}
	case f.State == "" && f.Confidence != "" && f.Flagged == nil:
		return "SELECT " + total, []any{"confidence:" + string(f.Confidence)}
	case f.State == "" && f.Confidence == "" && *f.Flagged:
		return "SELECT " + total, []any{"flagged"}
	case f.State == "" && f.Confidence == "":
		return "SELECT " + total + " - " + total, []any{"claims", "flagged"}
	}
	return "", nil
}

// count counts the claims q selects: from a kept count when one holds
// them, else at most limit of them (0: all), more reporting that there are
// others.
func (q claimQuery) count(ctx context.Context, tx queryer, limit int) (n int, more bool, err error) {
	if q.counted != "" {
		if err := tx.QueryRowContext(ctx, q.counted, q.countedArgs...).Scan(&n); err != nil {
			return 0, false, fmt.Errorf("store: count claims: %w", err)
		}
		return n, false, nil
	}
	from, args := q.from()
	query, args := "SELECT COUNT(*)"+from+q.where, append(args, q.args...)
	if limit > 0 {
		query, args = "SELECT COUNT(*) FROM (SELECT 1"+from+q.where+" LIMIT ?)", append(args, limit+1)
	}
	if err := tx.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("store: count claims: %w", err)
	}
	if limit > 0 && n > limit {
		return limit, true, nil
	}
	return n, false, nil
}

// andWhere adds cond to a WHERE clause, which may be empty.
func andWhere(where, cond string) string {
	if where == "" {
		return " WHERE " + cond
	}
	return where + " AND " + cond
}

// revisionScanner and appearanceRow let one row scan into a claim's parts.
type revisionScanner struct {
	r                                   review.Revision
	conf, state, created, decided, diff string
}

func (s *revisionScanner) dest() []any {
	r := &s.r
	return []any{&r.ID, &r.ClaimID, &r.BaseID, &r.Statement, &r.Topic, &s.conf, &r.Hedge, &r.Quote, &s.diff,
		&r.Edition, &r.AuthorID, &r.Author, &s.created, &r.Reason, &s.state, &r.DecidedBy, &s.decided, &r.DecisionReason}
}

func (s *revisionScanner) revision() (review.Revision, error) {
	r := s.r
	r.Confidence, r.State = review.Confidence(s.conf), review.RevisionState(s.state)
	r.CreatedAt, r.DecidedAt = parseTime(s.created), parseTime(s.decided)
	if s.diff != "" {
		if err := json.Unmarshal([]byte(s.diff), &r.QuoteDiff); err != nil {
			return r, err
		}
	}
	return r, nil
}

type appearanceRow struct {
	app                          review.Appearance
	match, hedges, diff, created string
}

func (s *appearanceRow) dest() []any {
	a := &s.app
	return []any{&a.Edition, &s.match, &a.Similarity, &a.Exact, &a.Prefix, &a.Suffix, &a.Start, &a.End, &a.Section,
		&s.hedges, &s.diff, &s.created}
}

func (s *appearanceRow) appearance(claimID int64) (review.Appearance, error) {
	a := s.app
	if a.Edition == "" {
		return review.Appearance{}, nil
	}
	a.ClaimID, a.Match, a.CreatedAt = claimID, review.Outcome(s.match), parseTime(s.created)
	if err := json.Unmarshal([]byte(s.hedges), &a.Hedges); err != nil {
		return a, err
	}
	if err := json.Unmarshal([]byte(s.diff), &a.Diff); err != nil {
		return a, err
	}
	if len(a.Hedges) == 0 {
		a.Hedges = nil
	}
	if len(a.Diff) == 0 {
		a.Diff = nil
	}
	return a, nil
}
