-- Each edition's claims counted by the state of their latest revision and
-- by match outcome, with how many of them have an open flag: what the
-- report list shows of each edition, read in a few rows per edition
-- instead of counted over every appearance on every page.
--
-- The triggers below keep the counts in the transaction of every change
-- they depend on (an appearance added, moved or removed; a claim's latest
-- revision; a revision's state; a flag raised, resolved or deleted), so no
-- write path can forget them. store.VerifyRecords recounts and compares.
-- A migration that rebuilds appearances, claims, revisions or flags must
-- create their triggers again.
CREATE TABLE edition_counts (
	edition_id INTEGER NOT NULL REFERENCES editions (id),
	state      TEXT NOT NULL, -- of the claim's latest revision; '' before it has one
	match      TEXT NOT NULL,
	claims     INTEGER NOT NULL,
	flagged    INTEGER NOT NULL, -- of those claims, how many have an open flag
	PRIMARY KEY (edition_id, state, match)
) WITHOUT ROWID;

INSERT INTO edition_counts (edition_id, state, match, claims, flagged)
SELECT a.edition_id, COALESCE(r.state, ''), a.match, COUNT(*),
	SUM(EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = a.claim_id AND f.resolved_at = ''))
FROM appearances a JOIN claims c ON c.id = a.claim_id LEFT JOIN revisions r ON r.id = c.latest_revision_id
GROUP BY 1, 2, 3;

CREATE TRIGGER appearances_count_insert AFTER INSERT ON appearances BEGIN
	INSERT INTO edition_counts (edition_id, state, match, claims, flagged)
	SELECT NEW.edition_id, COALESCE(r.state, ''), NEW.match, 1,
		EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = '')
	FROM claims c LEFT JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id
	ON CONFLICT DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged;
END;

CREATE TRIGGER appearances_count_delete AFTER DELETE ON appearances BEGIN
	UPDATE edition_counts SET claims = claims - 1,
		flagged = flagged - EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = OLD.claim_id AND f.resolved_at = '')
	WHERE edition_id = OLD.edition_id AND match = OLD.match AND state = (
		SELECT COALESCE(r.state, '') FROM claims c LEFT JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = OLD.claim_id);
	DELETE FROM edition_counts WHERE edition_id = OLD.edition_id AND claims = 0;
END;

CREATE TRIGGER appearances_count_update AFTER UPDATE OF claim_id, edition_id, match ON appearances BEGIN
	UPDATE edition_counts SET claims = claims - 1,
		flagged = flagged - EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = OLD.claim_id AND f.resolved_at = '')
	WHERE edition_id = OLD.edition_id AND match = OLD.match AND state = (
		SELECT COALESCE(r.state, '') FROM claims c LEFT JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = OLD.claim_id);
	DELETE FROM edition_counts WHERE edition_id = OLD.edition_id AND claims = 0;
	INSERT INTO edition_counts (edition_id, state, match, claims, flagged)
	SELECT NEW.edition_id, COALESCE(r.state, ''), NEW.match, 1,
		EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = '')
	FROM claims c LEFT JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id
	ON CONFLICT DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged;
END;

-- A claim's appearances move from the old latest revision's state to the
-- new one's.
CREATE TRIGGER claims_count_latest AFTER UPDATE OF latest_revision_id ON claims
WHEN OLD.latest_revision_id IS NOT NEW.latest_revision_id BEGIN
	UPDATE edition_counts SET claims = claims - 1,
		flagged = flagged - EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.id AND f.resolved_at = '')
	WHERE state = COALESCE((SELECT state FROM revisions WHERE id = OLD.latest_revision_id), '')
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = NEW.id);
	DELETE FROM edition_counts WHERE claims = 0
		AND edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.id);
	INSERT INTO edition_counts (edition_id, state, match, claims, flagged)
	SELECT a.edition_id, COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), ''), a.match, 1,
		EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.id AND f.resolved_at = '')
	FROM appearances a WHERE a.claim_id = NEW.id
	ON CONFLICT DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged;
END;

-- A decision on a claim's latest revision moves its appearances too.
CREATE TRIGGER revisions_count_state AFTER UPDATE OF state ON revisions
WHEN OLD.state IS NOT NEW.state
	AND EXISTS (SELECT 1 FROM claims WHERE id = NEW.claim_id AND latest_revision_id = NEW.id) BEGIN
	UPDATE edition_counts SET claims = claims - 1,
		flagged = flagged - EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = '')
	WHERE state = OLD.state
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = NEW.claim_id);
	DELETE FROM edition_counts WHERE claims = 0
		AND edition_id IN (SELECT edition_id FROM appearances WHERE claim_id = NEW.claim_id);
	INSERT INTO edition_counts (edition_id, state, match, claims, flagged)
	SELECT a.edition_id, NEW.state, a.match, 1,
		EXISTS (SELECT 1 FROM flags f WHERE f.claim_id = NEW.claim_id AND f.resolved_at = '')
	FROM appearances a WHERE a.claim_id = NEW.claim_id
	ON CONFLICT DO UPDATE SET claims = claims + excluded.claims, flagged = flagged + excluded.flagged;
END;

-- A claim counts as flagged once, however many flags are open on it: only
-- its first open flag and the resolution of its last change the counts.
CREATE TRIGGER flags_count_insert AFTER INSERT ON flags
WHEN NEW.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '' AND id <> NEW.id) BEGIN
	UPDATE edition_counts SET flagged = flagged + 1
	WHERE state = COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id), '')
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_resolve AFTER UPDATE OF resolved_at ON flags
WHEN OLD.resolved_at = '' AND NEW.resolved_at <> ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '') BEGIN
	UPDATE edition_counts SET flagged = flagged - 1
	WHERE state = COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id), '')
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_reopen AFTER UPDATE OF resolved_at ON flags
WHEN OLD.resolved_at <> '' AND NEW.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = NEW.claim_id AND resolved_at = '' AND id <> NEW.id) BEGIN
	UPDATE edition_counts SET flagged = flagged + 1
	WHERE state = COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = NEW.claim_id), '')
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = NEW.claim_id);
END;

CREATE TRIGGER flags_count_delete AFTER DELETE ON flags
WHEN OLD.resolved_at = ''
	AND NOT EXISTS (SELECT 1 FROM flags WHERE claim_id = OLD.claim_id AND resolved_at = '') BEGIN
	UPDATE edition_counts SET flagged = flagged - 1
	WHERE state = COALESCE((SELECT r.state FROM claims c JOIN revisions r ON r.id = c.latest_revision_id WHERE c.id = OLD.claim_id), '')
		AND (edition_id, match) IN (SELECT edition_id, match FROM appearances WHERE claim_id = OLD.claim_id);
END;
