-- A user's own work (the /my page and the navigation's count) lists their
-- pending revisions and the open flags on the claims they created, oldest
-- first. Each list is read in order from an index of its own, instead of
-- every pending revision of anyone, or every claim the user created with
-- its flags sorted afterwards: a flag carries its claim's creator (which
-- never changes), set by a trigger as the flag is inserted;
-- store.CheckDerived checks it.
CREATE INDEX revisions_pending_author_time ON revisions (author_id, created_at, id) WHERE state = 'pending';
DROP INDEX revisions_pending_author;

ALTER TABLE flags ADD COLUMN claim_created_by INTEGER NOT NULL DEFAULT 0;
UPDATE flags SET claim_created_by = (SELECT created_by FROM claims WHERE id = flags.claim_id);
CREATE INDEX flags_open_creator ON flags (claim_created_by, raised_at, id) WHERE resolved_at = '';

CREATE TRIGGER flags_claim_creator AFTER INSERT ON flags BEGIN
	UPDATE flags SET claim_created_by = (SELECT created_by FROM claims WHERE id = NEW.claim_id) WHERE id = NEW.id;
END;

CREATE TRIGGER flags_claim_creator_moved AFTER UPDATE OF claim_id ON flags
WHEN OLD.claim_id IS NOT NEW.claim_id BEGIN
	UPDATE flags SET claim_created_by = (SELECT created_by FROM claims WHERE id = NEW.claim_id) WHERE id = NEW.id;
END;
