-- Indexes for every filter the history page and the API offer, so a page
-- of a rare actor's or action's events reads that page, not the history.
-- SQLite appends the rowid (seq) to each, so newest-first pages of one
-- actor, action or report walk the index in order.
CREATE INDEX IF NOT EXISTS events_actor ON events (actor);
CREATE INDEX IF NOT EXISTS events_action ON events (action);
CREATE INDEX IF NOT EXISTS events_report ON events (report_id) WHERE report_id IS NOT NULL;
