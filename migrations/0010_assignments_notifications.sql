-- Who each claim is assigned to: at most one user at a time. Every change
-- writes a claim.assigned event in the same transaction, and the records
-- check replays those events against this table.
CREATE TABLE assignments (
	claim_id    INTEGER PRIMARY KEY REFERENCES claims (id),
	user_id     INTEGER NOT NULL REFERENCES users (id),
	assigned_by INTEGER NOT NULL REFERENCES users (id),
	assigned_at TEXT NOT NULL
);
CREATE INDEX assignments_user ON assignments (user_id, assigned_at);

-- Each user's inbox. Notifications are derived from the events that cause
-- them (event_seq) and written in the same transaction; they are not
-- records: marking one read writes no event.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	claim_id   INTEGER NOT NULL REFERENCES claims (id),
	event_seq  INTEGER NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('mention', 'reply', 'decision', 'flag', 'assignment')),
	actor      TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	read_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at = '';
