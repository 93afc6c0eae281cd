-- Each claim's latest revision's state and confidence, on the claim's row
-- and indexed, so that a list filtered by them reads the matching claims
-- in order (and counts them from the index) instead of looking up every
-- claim's latest revision. Triggers keep them in the transaction that
-- changes the latest revision or decides it; store.VerifyRecords checks
-- them against the revisions.
ALTER TABLE claims ADD COLUMN latest_state TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN latest_confidence TEXT NOT NULL DEFAULT '';

UPDATE claims SET
	latest_state = COALESCE((SELECT state FROM revisions WHERE id = claims.latest_revision_id), ''),
	latest_confidence = COALESCE((SELECT confidence FROM revisions WHERE id = claims.latest_revision_id), '');

CREATE INDEX claims_latest_state ON claims (latest_state);
CREATE INDEX claims_latest_confidence ON claims (latest_confidence);

CREATE TRIGGER claims_latest_revision AFTER UPDATE OF latest_revision_id ON claims
WHEN OLD.latest_revision_id IS NOT NEW.latest_revision_id BEGIN
	UPDATE claims SET
		latest_state = COALESCE((SELECT state FROM revisions WHERE id = NEW.latest_revision_id), ''),
		latest_confidence = COALESCE((SELECT confidence FROM revisions WHERE id = NEW.latest_revision_id), '')
	WHERE id = NEW.id;
END;

CREATE TRIGGER revisions_latest_state AFTER UPDATE OF state ON revisions
WHEN OLD.state IS NOT NEW.state BEGIN
	UPDATE claims SET latest_state = NEW.state WHERE id = NEW.claim_id AND latest_revision_id = NEW.id;
END;

CREATE TRIGGER revisions_latest_confidence AFTER UPDATE OF confidence ON revisions
WHEN OLD.confidence IS NOT NEW.confidence BEGIN
	UPDATE claims SET latest_confidence = NEW.confidence WHERE id = NEW.claim_id AND latest_revision_id = NEW.id;
END;
