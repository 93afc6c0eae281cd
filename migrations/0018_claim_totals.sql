-- Each claim's number of open flags, on its row, and the totals a list of
-- claims with at most one condition (flagged or not, a state, a
-- confidence) shows, kept by triggers in the transaction of every change
-- they follow. A list of flagged (or unflagged) claims then reads its page
-- in order from an index, and any of these lists its total from one row,
-- instead of reading every open flag or every matching claim.
-- store.CheckDerived checks both against a recount.
ALTER TABLE claims ADD COLUMN open_flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN flagged INTEGER GENERATED ALWAYS AS (open_flags > 0) VIRTUAL;
UPDATE claims SET open_flags = (SELECT COUNT(*) FROM flags WHERE claim_id = claims.id AND resolved_at = '');
CREATE INDEX claims_flagged ON claims (flagged);

-- name is 'claims', 'flagged', 'state:<state>' or 'confidence:<confidence>'.
CREATE TABLE claim_totals (
	name TEXT PRIMARY KEY,
	n    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO claim_totals (name, n) SELECT 'claims', COUNT(*) FROM claims;
INSERT INTO claim_totals (name, n) SELECT 'flagged', COUNT(*) FROM claims WHERE open_flags > 0;
INSERT INTO claim_totals (name, n) SELECT 'state:' || latest_state, COUNT(*) FROM claims GROUP BY latest_state;
INSERT INTO claim_totals (name, n) SELECT 'confidence:' || latest_confidence, COUNT(*) FROM claims GROUP BY latest_confidence;

CREATE TRIGGER flags_open_insert AFTER INSERT ON flags WHEN NEW.resolved_at = '' BEGIN
	UPDATE claims SET open_flags = open_flags + 1 WHERE id = NEW.claim_id;
END;

CREATE TRIGGER flags_open_update AFTER UPDATE OF resolved_at, claim_id ON flags
WHEN (OLD.resolved_at = '') IS NOT (NEW.resolved_at = '') OR OLD.claim_id IS NOT NEW.claim_id BEGIN
	UPDATE claims SET open_flags = open_flags - 1 WHERE id = OLD.claim_id AND OLD.resolved_at = '';
	UPDATE claims SET open_flags = open_flags + 1 WHERE id = NEW.claim_id AND NEW.resolved_at = '';
END;

CREATE TRIGGER flags_open_delete AFTER DELETE ON flags WHEN OLD.resolved_at = '' BEGIN
	UPDATE claims SET open_flags = open_flags - 1 WHERE id = OLD.claim_id;
END;

CREATE TRIGGER claims_totals_insert AFTER INSERT ON claims BEGIN
	INSERT INTO claim_totals (name, n) VALUES ('claims', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
	INSERT INTO claim_totals (name, n) VALUES ('state:' || NEW.latest_state, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
	INSERT INTO claim_totals (name, n) VALUES ('confidence:' || NEW.latest_confidence, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
	INSERT INTO claim_totals (name, n) VALUES ('flagged', NEW.open_flags > 0) ON CONFLICT (name) DO UPDATE SET n = n + (NEW.open_flags > 0);
END;

CREATE TRIGGER claims_totals_delete AFTER DELETE ON claims BEGIN
	UPDATE claim_totals SET n = n - 1 WHERE name IN ('claims', 'state:' || OLD.latest_state, 'confidence:' || OLD.latest_confidence);
	UPDATE claim_totals SET n = n - 1 WHERE name = 'flagged' AND OLD.open_flags > 0;
END;

CREATE TRIGGER claims_totals_state AFTER UPDATE OF latest_state ON claims
WHEN OLD.latest_state IS NOT NEW.latest_state BEGIN
	UPDATE claim_totals SET n = n - 1 WHERE name = 'state:' || OLD.latest_state;
	INSERT INTO claim_totals (name, n) VALUES ('state:' || NEW.latest_state, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER claims_totals_confidence AFTER UPDATE OF latest_confidence ON claims
WHEN OLD.latest_confidence IS NOT NEW.latest_confidence BEGIN
	UPDATE claim_totals SET n = n - 1 WHERE name = 'confidence:' || OLD.latest_confidence;
	INSERT INTO claim_totals (name, n) VALUES ('confidence:' || NEW.latest_confidence, 1) ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER claims_totals_flagged AFTER UPDATE OF open_flags ON claims
WHEN (OLD.open_flags > 0) IS NOT (NEW.open_flags > 0) BEGIN
	UPDATE claim_totals SET n = n + (CASE WHEN NEW.open_flags > 0 THEN 1 ELSE -1 END) WHERE name = 'flagged';
END;
