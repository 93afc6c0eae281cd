-- REPLACE (INSERT OR REPLACE, REPLACE INTO, or a REPLACE conflict clause)
-- deletes the row it collides with without firing DELETE triggers, as
-- recursive_triggers is off, so 0001's triggers let it overwrite an event.
-- Refuse any insert that collides with an existing event before the
-- conflict is resolved. seq is the only key: hash is not unique-indexed,
-- as the chain itself makes each hash unique.
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq)
BEGIN
	SELECT RAISE(ABORT, 'events are append-only: REPLACE refused');
END;
