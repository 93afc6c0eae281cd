-- Each edition's claims counted by the state of their latest revision and
-- by match outcome, with how many of them have an open flag: what the
-- report list shows of each edition, read as one row per edition instead
-- of counted over every appearance on every page.
--
-- The triggers below keep the counts in the transaction of every change
-- they depend on (an appearance added, moved or removed; a claim's latest
-- revision; a revision's state; a flag raised, resolved or deleted), so no
-- write path can forget them. store.VerifyRecords recounts and compares.
-- A migration that rebuilds appearances, claims, revisions or flags must
-- create their triggers again.
CREATE TABLE edition_counts (
	edition_id INTEGER PRIMARY KEY REFERENCES editions (id),
	claims     INTEGER NOT NULL, -- appearances in the edition
	flagged    INTEGER NOT NULL, -- of those claims, how many have an open flag
	-- by the state of the claim's latest revision (a claim without one yet,
	-- inside the transaction that makes it, counts in none)
	draft      INTEGER NOT NULL,
	pending    INTEGER NOT NULL,
	approved   INTEGER NOT NULL,
	rejected   INTEGER NOT NULL,
	-- by the appearance's match outcome
	original   INTEGER NOT NULL,
	unchanged  INTEGER NOT NULL,
	changed    INTEGER NOT NULL,
	missing    INTEGER NOT NULL
);

INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing)
SELECT a.edition_id, COUNT(*), SUM(EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = a.claim_id AND f.resolved_at = '')),
	CAST(TOTAL(r.state = 'draft') AS INTEGER), CAST(TOTAL(r.state = 'pending') AS INTEGER), CAST(TOTAL(r.state = 'approved') AS INTEGER), CAST(TOTAL(r.state = 'rejected') AS INTEGER),
	SUM(a.match = 'original'), SUM(a.match = 'unchanged'), SUM(a.match = 'changed'), SUM(a.match = 'missing')
FROM appearances a JOIN claims c ON c.id = a.claim_id LEFT JOIN revisions r ON r.id = c.latest_revision_id
GROUP BY a.edition_id;

CREATE TRIGGER appearances_count_insert AFTER INSERT ON appearances BEGIN
	INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing)
	SELECT NEW.edition_id, 1, EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = ''), (s.state = 'draft'), (s.state = 'pending'), (s.state = 'approved'), (s.state = 'rejected'), (NEW.match = 'original'), (NEW.match = 'unchanged'), (NEW.match = 'changed'), (NEW.match = 'missing')
	FROM (SELECT COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id), '') AS state) s WHERE true
	ON CONFLICT (edition_id) DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged, draft = draft + excluded.draft, pending = pending + excluded.pending, approved = approved + excluded.approved, rejected = rejected + excluded.rejected, original = original + excluded.original, unchanged = unchanged + excluded.unchanged, changed = changed + excluded.changed, missing = missing + excluded.missing;
END;

CREATE TRIGGER appearances_count_delete AFTER DELETE ON appearances BEGIN
	INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing)
	SELECT OLD.edition_id, -1, -EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = OLD.claim_id AND f.resolved_at = ''), -(s.state = 'draft'), -(s.state = 'pending'), -(s.state = 'approved'), -(s.state = 'rejected'), -(OLD.match = 'original'), -(OLD.match = 'unchanged'), -(OLD.match = 'changed'), -(OLD.match = 'missing')
	FROM (SELECT COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = OLD.claim_id), '') AS state) s WHERE true
	ON CONFLICT (edition_id) DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged, draft = draft + excluded.draft, pending = pending + excluded.pending, approved = approved + excluded.approved, rejected = rejected + excluded.rejected, original = original + excluded.original, unchanged = unchanged + excluded.unchanged, changed = changed + excluded.changed, missing = missing + excluded.missing;
END;

CREATE TRIGGER appearances_count_update AFTER UPDATE OF claim_id, edition_id, match ON appearances BEGIN
	INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing)
	SELECT OLD.edition_id, -1, -EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = OLD.claim_id AND f.resolved_at = ''), -(s.state = 'draft'), -(s.state = 'pending'), -(s.state = 'approved'), -(s.state = 'rejected'), -(OLD.match = 'original'), -(OLD.match = 'unchanged'), -(OLD.match = 'changed'), -(OLD.match = 'missing')
	FROM (SELECT COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = OLD.claim_id), '') AS state) s WHERE true
	ON CONFLICT (edition_id) DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged, draft = draft + excluded.draft, pending = pending + excluded.pending, approved = approved + excluded.approved, rejected = rejected + excluded.rejected, original = original + excluded.original, unchanged = unchanged + excluded.unchanged, changed = changed + excluded.changed, missing = missing + excluded.missing;
	INSERT INTO edition_counts (edition_id, claims, flagged, draft, pending, approved, rejected, original, unchanged, changed, missing)
	SELECT NEW.edition_id, 1, EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = ''), (s.state = 'draft'), (s.state = 'pending'), (s.state = 'approved'), (s.state = 'rejected'), (NEW.match = 'original'), (NEW.match = 'unchanged'), (NEW.match = 'changed'), (NEW.match = 'missing')
	FROM (SELECT COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id), '') AS state) s WHERE true
	ON CONFLICT (edition_id) DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged, draft = draft + excluded.draft, pending = pending + excluded.pending, approved = approved + excluded.approved, rejected = rejected + excluded.rejected, original = original + excluded.original, unchanged = unchanged + excluded.unchanged, changed = changed + excluded.changed, missing = missing + excluded.missing;
END;

-- A claim's appearances move from the old latest revision's state to the
-- new one's.
CREATE TRIGGER claims_count_latest AFTER UPDATE OF latest_revision_id ON claims
WHEN OLD.latest_revision_id IS NOT NEW.latest_revision_id BEGIN
	UPDATE edition_counts SET draft = draft - (COALESCE((SELECT state FROM revisions WHERE id = OLD.latest_revision_id), '') = 'draft') + (COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), '') = 'draft'), pending = pending - (COALESCE((SELECT state FROM revisions WHERE id = OLD.latest_revision_id), '') = 'pending') + (COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), '') = 'pending'), approved = approved - (COALESCE((SELECT state FROM revisions WHERE id = OLD.latest_revision_id), '') = 'approved') + (COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), '') = 'approved'), rejected = rejected - (COALESCE((SELECT state FROM revisions WHERE id = OLD.latest_revision_id), '') = 'rejected') + (COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), '') = 'rejected')
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.id);
END;

-- A decision on a claim's latest revision moves its appearances too.
CREATE TRIGGER revisions_count_state AFTER UPDATE OF state ON revisions
WHEN OLD.state IS NOT NEW.state
	AND EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id AND latest_revision_id = NEW.id) BEGIN
	UPDATE edition_counts SET draft = draft - (OLD.state = 'draft') + (NEW.state = 'draft'), pending = pending - (OLD.state = 'pending') + (NEW.state = 'pending'), approved = approved - (OLD.state = 'approved') + (NEW.state = 'approved'), rejected = rejected - (OLD.state = 'rejected') + (NEW.state = 'rejected')
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.claim_id);
END;

-- A claim counts as flagged once, however many flags are open on it: only
-- its first open flag and the resolution of its last change the counts.
CREATE TRIGGER flags_count_insert AFTER INSERT ON flags
WHEN NEW.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '' AND id <> NEW.id) BEGIN
	UPDATE edition_counts SET flagged = flagged + 1
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_resolve AFTER UPDATE OF resolved_at ON flags
WHEN OLD.resolved_at = '' AND NEW.resolved_at <> ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '') BEGIN
	UPDATE edition_counts SET flagged = flagged - 1
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_reopen AFTER UPDATE OF resolved_at ON flags
WHEN OLD.resolved_at <> '' AND NEW.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '' AND id <> NEW.id) BEGIN
	UPDATE edition_counts SET flagged = flagged + 1
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_delete AFTER DELETE ON flags
WHEN OLD.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = OLD.claim_id AND resolved_at = '') BEGIN
	UPDATE edition_counts SET flagged = flagged - 1
	WHERE edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = OLD.claim_id);
END;
