package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"vetted/review"
	"vetted/review/anchor"
)

// carrier follows claims into an edition being imported.
type carrier struct {
	tx      *Tx
	a       review.User
	ed      editionDoc
	index   *anchor.Index
	docs    editionCache                 // earlier editions, by report and label
	aligned map[string]*anchor.Alignment // earlier editions aligned with this one, by the same key
	// staleMonths: evidence older than this many months before the new
	// edition is marked for re-check; 0 means older than the edition the
	// claim is carried from.
	staleMonths int
}

// liveClaim is a claim to carry and the appearance it is carried from.
type liveClaim struct {
	claimRec
	from review.Appearance
}

// forward re-anchors every live claim of the report (not retired) in the
// new edition, from the latest edition it was found in: a claim missing in
// the edition before is looked for again, since a report may restore a
// passage it dropped.
func (c *carrier) forward(ctx context.Context) ([]review.ClaimOutcome, error) {
	live, err := c.live(ctx, "")
	if err != nil {
		return nil, err
	}
	return c.carryAll(ctx, live)
}

// live reads the report's live claims (not retired) that cond (SQL after
// AND, on claims c) selects, each with its appearance in the latest
// edition other than the one being imported that it was found in.
func (c *carrier) live(ctx context.Context, cond string, args ...any) ([]liveClaim, error) {
	if cond != "" {
		cond = " AND " + cond
	}
	rows, err := c.tx.QueryContext(ctx, `SELECT c.id, c.report_id, COALESCE(c.current_revision_id, 0), c.retired_in, `+appearanceCols+`
		FROM claims c
		JOIN appearances a ON a.claim_id = c.id AND a.edition_id = (
			SELECT a2.edition_id FROM appearances a2 JOIN editions e2 ON e2.id = a2.edition_id
			WHERE a2.claim_id = c.id AND a2.edition_id != ? AND a2.match != 'missing'
			ORDER BY e2.rank DESC LIMIT 1)
		JOIN editions e ON e.id = a.edition_id
		WHERE c.report_id = ? AND c.retired_in = ''`+cond+`
		ORDER BY c.id`, append([]any{c.ed.ID, c.ed.ReportID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: live claims: %w", err)
	}
	return scanLive(rows)
}

// replace re-anchors the claims that stood in a draft edition onto its
// replacement text, and looks again for those the draft was missing, from
// the edition each was last found in: the new text may hold them.
func (c *carrier) replace(ctx context.Context, old review.Edition) ([]review.ClaimOutcome, error) {
	rows, err := c.tx.QueryContext(ctx, `SELECT c.id, c.report_id, COALESCE(c.current_revision_id, 0), c.retired_in, `+appearanceCols+`
		FROM appearances a JOIN claims c ON c.id = a.claim_id JOIN editions e ON e.id = a.edition_id
		WHERE a.edition_id = ? AND a.match != 'missing' ORDER BY c.id`, old.ID)
	if err != nil {
		return nil, fmt.Errorf("store: draft claims: %w", err)
	}
	live, err := scanLive(rows)
	if err != nil {
		return nil, err
	}
	missing, err := c.live(ctx, "c.id IN (SELECT claim_id FROM appearances WHERE edition_id = ? AND match = 'missing')", old.ID)
	if err != nil {
		return nil, err
	}
	live = append(live, missing...)
	slices.SortFunc(live, func(a, b liveClaim) int { return cmp.Compare(a.ID, b.ID) })
	if _, err := c.tx.ExecContext(ctx, "DELETE FROM appearances WHERE edition_id = ?", old.ID); err != nil {
		return nil, fmt.Errorf("store: replace appearances: %w", err)
	}
	// The old text is the one the claims were anchored in.
	c.docs[old.ReportSlug+"\x00"+old.Label] = editionDoc{Edition: old, sentences: review.Sentences(old.Doc), loc: &editionLocator{}}
	delete(c.aligned, old.ReportSlug+"\x00"+old.Label)
	return c.carryAll(ctx, live)
}

// notFoundReason is the reason of the outdated flag an import raises for
// a claim it does not find in the edition.
func notFoundReason(label string) string { return fmt.Sprintf("Not found in edition %s.", label) }

// resolveNotFound resolves the claim's open flag saying it was not found
// in the edition being imported (raised by the draft this import
// replaces), and returns it; nil when there is none.
func (c *carrier) resolveNotFound(ctx context.Context, claimID int64) (*review.Flag, error) {
	var id int64
	err := c.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM flags
		WHERE claim_id = ? AND kind = 'outdated' AND resolved_at = '' AND reason = ?`, claimID, notFoundReason(c.ed.Label)).Scan(&id)
	if err != nil || id == 0 {
		return nil, err
	}
	if _, err := c.tx.ExecContext(ctx, "UPDATE flags SET resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
		c.a.ID, review.FormatTime(c.tx.now), fmt.Sprintf("Found in the text that replaced edition %s.", c.ed.Label), id); err != nil {
		return nil, fmt.Errorf("store: resolve outdated flag: %w", err)
	}
	f, err := findFlag(ctx, c.tx, id)
	return &f, err
}

// scanLive reads claim rows with the appearance each is carried from, and
// closes rows.
func scanLive(rows *sql.Rows) ([]liveClaim, error) {
	defer rows.Close()
	var live []liveClaim
	for rows.Next() {
		var lc liveClaim
		var s appearanceRow
		if err := rows.Scan(append([]any{&lc.ID, &lc.ReportID, &lc.CurrentID, &lc.RetiredIn}, s.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: claims to carry: %w", err)
		}
		var err error
		if lc.from, err = s.appearance(lc.ID); err != nil {
			return nil, fmt.Errorf("store: claims to carry: %w", err)
		}
		live = append(live, lc)
	}
	return live, rows.Err()
}

func (c *carrier) carryAll(ctx context.Context, live []liveClaim) ([]review.ClaimOutcome, error) {
	outs := make([]review.ClaimOutcome, 0, len(live))
	for _, lc := range live {
		o, err := c.carry(ctx, lc)
		if err != nil {
			return nil, fmt.Errorf("claim %d: %w", lc.ID, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// carry finds one claim in the new edition and triages the outcome: a
// changed quote gets a pending revision, a missing one an outdated flag,
// and a hedge that appeared or vanished a flag for editors to look at. The
// whole outcome is one event.
func (c *carrier) carry(ctx context.Context, lc liveClaim) (review.ClaimOutcome, error) {
	from, err := cachedEdition(ctx, c.tx, c.docs, c.ed.ReportSlug, lc.from.Edition)
	if err != nil {
		return review.ClaimOutcome{}, err
	}
	key := c.ed.ReportSlug + "\x00" + lc.from.Edition
	al, ok := c.aligned[key]
	if !ok {
		al = c.index.Align(from.Doc)
		c.aligned[key] = al
	}
	m := al.Reanchor(lc.from.Anchor)
	app := review.Appearance{ClaimID: lc.ID, Edition: c.ed.Label, Match: m.Outcome, Similarity: m.Similarity,
		Anchor: m.Anchor, Diff: m.Diff, CreatedAt: c.tx.now}
	if m.Outcome != review.OutcomeMissing {
		app.Hedges = review.HedgesAt(c.ed.sentences, m.Anchor.Start, m.Anchor.End)
	}
	if m.Outcome == review.OutcomeUnchanged && lc.from.Match == review.OutcomeOriginal && lc.from.Edition == c.ed.Label {
		app.Match = review.OutcomeOriginal // a replaced draft keeps the claims made on it
	}
	if err := insertAppearance(ctx, c.tx, c.ed.ID, app); err != nil {
		return review.ClaimOutcome{}, err
	}
	out := review.ClaimOutcome{ClaimID: lc.ID, Match: app.Match, Similarity: m.Similarity, Anchor: m.Anchor, Diff: m.Diff}
	after := map[string]any{"appearance": app, "from": map[string]any{"edition": lc.from.Edition, "start": lc.from.Start, "end": lc.from.End}}
	if m.Outcome != review.OutcomeMissing {
		// Found in a draft's replacement, a claim the draft was missing no
		// longer is: its flag saying so is resolved, in this event.
		f, err := c.resolveNotFound(ctx, lc.ID)
		if err != nil {
			return review.ClaimOutcome{}, err
		}
		if f != nil {
			after["resolved_flag"] = f
		}
	}
	var latest int64
	switch m.Outcome {
	case review.OutcomeChanged:
		rev, err := c.proposeQuote(ctx, lc, app)
		if err != nil {
			return review.ClaimOutcome{}, err
		}
		out.RevisionID, latest, after["revision"] = rev.ID, rev.ID, rev
	case review.OutcomeMissing:
		// A claim still missing keeps the outdated flag it has: one open
		// flag says it, however many editions it has been missing from.
		var open int64
		err := c.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM flags
			WHERE claim_id = ? AND kind = 'outdated' AND resolved_at = ''`, lc.ID).Scan(&open)
		if err != nil {
			return review.ClaimOutcome{}, fmt.Errorf("store: outdated flag: %w", err)
		}
		if open != 0 {
			out.FlagID, after["open_flag"] = open, open
			break
		}
		f, err := insertFlag(ctx, c.tx, c.a, review.NewFlag{ClaimID: lc.ID, Kind: review.FlagOutdated,
			Reason: notFoundReason(c.ed.Label)}, false)
		if err != nil {
			return review.ClaimOutcome{}, err
		}
		out.FlagID, after["flag"] = f.ID, f
	}
	if m.Outcome != review.OutcomeMissing && !slices.Equal(lc.from.Hedges, app.Hedges) {
		out.HedgeFrom, out.HedgeTo = lc.from.Hedges, app.Hedges
		n := review.NewFlag{ClaimID: lc.ID, Kind: review.FlagOther,
			Reason: hedgeChange(lc.from.Edition, c.ed.Label, lc.from.Hedges, app.Hedges)}
		if review.HedgeDropped(lc.from.Hedges, app.Hedges) {
			added, err := newEvidenceSince(ctx, c.tx, lc.ID, lc.from.CreatedAt)
			if err != nil {
				return review.ClaimOutcome{}, err
			}
			if added == 0 {
				n.Kind = review.FlagHedgeDropped
				n.Reason += fmt.Sprintf(" No new evidence was attached since edition %s: the claim grew more certain with nothing new behind it.", lc.from.Edition)
			}
		}
		f, err := insertFlag(ctx, c.tx, c.a, n, false)
		if err != nil {
			return review.ClaimOutcome{}, err
		}
		after["hedge_flag"] = f
		if out.FlagID == 0 {
			out.FlagID = f.ID
		}
	}
	if m.Outcome != review.OutcomeMissing && lc.from.Edition != c.ed.Label {
		f, err := c.markStale(ctx, lc, from.Published, latest)
		if err != nil {
			return review.ClaimOutcome{}, err
		}
		if f != nil {
			after["stale_flag"] = f
		}
	}
	if _, err := c.tx.record(ctx, c.a, change{action: review.EventClaimAnchored, entityType: "claim", entityID: lc.ID,
		after: after, claimID: lc.ID, reportID: lc.ReportID}); err != nil {
		return review.ClaimOutcome{}, err
	}
	if latest == 0 {
		return out, nil
	}
	return out, setLatestRevision(ctx, c.tx, lc.ID, latest)
}

// markStale flags a carried claim whose evidence is older than the
// cutoff (review.StaleCutoff), once per edition; the flag lists the
// sources to re-check. rev is the revision the import just proposed, 0
// for none (the claim's latest revision is read then).
func (c *carrier) markStale(ctx context.Context, lc liveClaim, prevPublished string, rev int64) (*review.Flag, error) {
	cutoff := review.StaleCutoff(prevPublished, c.ed.Published, c.staleMonths, c.tx.now)
	if cutoff == "" {
		return nil, nil
	}
	if rev == 0 {
		if err := c.tx.QueryRowContext(ctx, "SELECT latest_revision_id FROM claims WHERE id = ?", lc.ID).Scan(&rev); err != nil {
			return nil, fmt.Errorf("store: latest revision: %w", err)
		}
	}
	ev, err := loadEvidence(ctx, c.tx, rev)
	if err != nil {
		return nil, err
	}
	stale := review.StaleEvidence(ev, cutoff)
	if len(stale) == 0 {
		return nil, nil
	}
	subject := c.ed.Label
	var n int
	if err := c.tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM flags WHERE claim_id = ? AND kind = ? AND subject = ?",
		lc.ID, review.FlagStaleEvidence, subject).Scan(&n); err != nil || n > 0 {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Carried into edition %s with evidence dated before %s: ", c.ed.Label, cutoff)
	for i, e := range stale {
		if i > 0 {
			b.WriteString("; ")
		}
		d := e.Source.Published
		if d == "" {
			d = e.Source.Accessed
		}
		fmt.Fprintf(&b, "%q (%s)", e.Source.Title, d)
	}
	b.WriteString(". Re-check that it still holds.")
	f, err := insertFlag(ctx, c.tx, c.a, review.NewFlag{ClaimID: lc.ID, Kind: review.FlagStaleEvidence, Reason: b.String(), Subject: subject}, false)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// newEvidenceSince counts the sources cited by the claim's revisions
// (rejected ones aside) written after since that no revision written
// before it cited: new evidence, as against evidence carried forward.
func newEvidenceSince(ctx context.Context, tx *Tx, claimID int64, since time.Time) (int, error) {
	t := review.FormatTime(since)
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ev.source_id) FROM evidence ev
		JOIN revisions r ON r.id = ev.revision_id
		WHERE r.claim_id = ? AND r.created_at > ? AND r.state != 'rejected'
		AND ev.source_id NOT IN (SELECT ev2.source_id FROM evidence ev2 JOIN revisions r2 ON r2.id = ev2.revision_id
			WHERE r2.claim_id = ? AND r2.created_at <= ?)`, claimID, t, claimID, t).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: new evidence: %w", err)
	}
	return n, nil
}

// proposeQuote proposes, in the importer's name, a revision that carries
// the claim's new wording; four-eyes keeps the importer from approving it.
func (c *carrier) proposeQuote(ctx context.Context, lc liveClaim, app review.Appearance) (review.Revision, error) {
	head, err := claimHead(ctx, c.tx, lc.ID)
	if err != nil {
		return review.Revision{}, err
	}
	var base review.Revision
	if head != 0 {
		if base, err = findRevision(ctx, c.tx, head); err != nil {
			return review.Revision{}, err
		}
	} else {
		// Every revision was rejected: start from the latest wording.
		var latest int64
		if err := c.tx.QueryRowContext(ctx, "SELECT latest_revision_id FROM claims WHERE id = ?", lc.ID).Scan(&latest); err != nil {
			return review.Revision{}, fmt.Errorf("store: latest revision: %w", err)
		}
		if base, err = findRevision(ctx, c.tx, latest); err != nil {
			return review.Revision{}, err
		}
	}
	hedge := base.Hedge
	if !slices.Equal(lc.from.Hedges, app.Hedges) {
		hedge = strings.Join(app.Hedges, ", ")
	}
	n := review.NewRevision{ClaimID: lc.ID, BaseID: head, Statement: base.Statement, Topic: base.Topic,
		Confidence: base.Confidence, Hedge: hedge,
		Reason: fmt.Sprintf("The quote changed in edition %s (similarity %.2f): check that the statement still holds.", app.Edition, app.Similarity)}
	if head == 0 {
		n.Evidence = []review.NewEvidence{}
	}
	return insertRevision(ctx, c.tx, c.a, lc.ID, n, review.StatePending,
		revisionExtra{quote: app.Exact, diff: app.Diff, editionID: c.ed.ID})
}

func hedgeChange(from, to string, was, is []string) string {
	words := func(hs []string) string {
		if len(hs) == 0 {
			return "no hedge (asserted)"
		}
		return `"` + strings.Join(hs, `", "`) + `"`
	}
	return fmt.Sprintf("The report's hedging changed: %s in edition %s, %s in edition %s.", words(was), from, words(is), to)
}

// NewMaterial lists the sentences of an edition that no claim's appearance
// in it covers, for reviewers to claim.
func (db *DB) NewMaterial(ctx context.Context, slug, label string) ([]review.Sentence, error) {
	tx, err := db.read(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ed, err := db.findEdition(ctx, tx, slug, label)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT start, "end" FROM appearances WHERE edition_id = ? AND match != 'missing'`, ed.ID)
	if err != nil {
		return nil, fmt.Errorf("store: new material: %w", err)
	}
	defer rows.Close()
	var spans [][2]int
	for rows.Next() {
		var s [2]int
		if err := rows.Scan(&s[0], &s[1]); err != nil {
			return nil, fmt.Errorf("store: new material: %w", err)
		}
		spans = append(spans, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return review.Uncovered(review.Sentences(ed.Doc), spans), nil
}
