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
	kind       TEXT NOT NULL CHECK (kind IN ('mention', 'reply', 'decision', 'flag', 'assignment', 'review')),
	actor      TEXT NOT NULL,
	summary    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	read_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at = '';

-- Blind double review: an editor asks two reviewers for independent grades
-- of a claim. Each request and grade is an event (review.requested,
-- review.graded); these rows are what the pages read. A claim has at most
-- one open request.
CREATE TABLE double_reviews (
	id           INTEGER PRIMARY KEY,
	claim_id     INTEGER NOT NULL REFERENCES claims (id),
	requested_by INTEGER NOT NULL REFERENCES users (id),
	requested_at TEXT NOT NULL,
	closed_at    TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX double_reviews_open ON double_reviews (claim_id) WHERE closed_at = '';

CREATE TABLE double_review_grades (
	review_id   INTEGER NOT NULL REFERENCES double_reviews (id),
	reviewer_id INTEGER NOT NULL REFERENCES users (id),
	confidence  TEXT NOT NULL DEFAULT '' CHECK (confidence IN ('', 'unverified', 'low', 'moderate', 'high')),
	reason      TEXT NOT NULL DEFAULT '',
	graded_at   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (review_id, reviewer_id)
);
CREATE INDEX double_review_grades_reviewer ON double_review_grades (reviewer_id, graded_at);

-- Every page counts the signed-in user's work (store.CountNav): their
-- pending revisions and the open flags on claims they made, by index.
CREATE INDEX revisions_pending_author ON revisions (author_id) WHERE state = 'pending';
CREATE INDEX claims_created_by ON claims (created_by);
