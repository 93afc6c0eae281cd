-- Core schema: reports and editions, claims and their revisions, sources,
-- notes, flags, users, and the append-only hash-chained history.
-- Times are TEXT in review.TimeFormat (fixed-width UTC), so they sort as text.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('reviewer', 'editor', 'auditor', 'admin', 'system')),
	password_hash TEXT NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	created_at    TEXT NOT NULL
);

-- The actor of command-line changes made without --actor. It cannot sign in:
-- it is disabled and no password matches '!'.
INSERT INTO users (id, name, role, password_hash, disabled, created_at)
VALUES (1, 'system', 'system', '!', 1, '1970-01-01T00:00:00.000000Z');

CREATE TABLE reports (
	id         INTEGER PRIMARY KEY,
	slug       TEXT NOT NULL UNIQUE,
	title      TEXT NOT NULL,
	publisher  TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);

CREATE TABLE editions (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES reports (id),
	label       TEXT NOT NULL,
	published   TEXT NOT NULL DEFAULT '',
	sha256      TEXT NOT NULL,
	original    BLOB NOT NULL,
	text        TEXT NOT NULL,
	draft       INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
	-- Position among the report's editions, oldest 1 (review.Edition.Before);
	-- recomputed at each import.
	rank        INTEGER NOT NULL DEFAULT 0,
	imported_by INTEGER NOT NULL REFERENCES users (id),
	imported_at TEXT NOT NULL,
	UNIQUE (report_id, label)
);

CREATE TABLE sections (
	edition_id    INTEGER NOT NULL REFERENCES editions (id),
	ord           INTEGER NOT NULL,
	heading       TEXT NOT NULL,
	parent        TEXT NOT NULL DEFAULT '',
	heading_start INTEGER NOT NULL,
	start         INTEGER NOT NULL,
	"end"         INTEGER NOT NULL,
	PRIMARY KEY (edition_id, ord)
);

CREATE TABLE claims (
	id                  INTEGER PRIMARY KEY,
	report_id           INTEGER NOT NULL REFERENCES reports (id),
	current_revision_id INTEGER REFERENCES revisions (id),
	latest_revision_id  INTEGER REFERENCES revisions (id),
	retired_in          TEXT NOT NULL DEFAULT '',
	created_by          INTEGER NOT NULL REFERENCES users (id),
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL
);
CREATE INDEX claims_report ON claims (report_id);

CREATE TABLE revisions (
	id              INTEGER PRIMARY KEY,
	claim_id        INTEGER NOT NULL REFERENCES claims (id),
	base_id         INTEGER REFERENCES revisions (id),
	statement       TEXT NOT NULL,
	topic           TEXT NOT NULL DEFAULT '',
	confidence      TEXT NOT NULL CHECK (confidence IN ('unverified', 'low', 'moderate', 'high')),
	hedge           TEXT NOT NULL DEFAULT '',
	quote           TEXT NOT NULL DEFAULT '',
	quote_diff      TEXT NOT NULL DEFAULT '',
	edition_id      INTEGER REFERENCES editions (id),
	author_id       INTEGER NOT NULL REFERENCES users (id),
	created_at      TEXT NOT NULL,
	reason          TEXT NOT NULL DEFAULT '',
	state           TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'approved', 'rejected')),
	decided_by      INTEGER REFERENCES users (id),
	decided_at      TEXT NOT NULL DEFAULT '',
	decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX revisions_claim ON revisions (claim_id);
CREATE INDEX revisions_pending ON revisions (state, created_at) WHERE state = 'pending';

CREATE TABLE sources (
	id          INTEGER PRIMARY KEY,
	title       TEXT NOT NULL,
	publisher   TEXT NOT NULL DEFAULT '',
	url         TEXT NOT NULL DEFAULT '',
	published   TEXT NOT NULL DEFAULT '',
	accessed    TEXT NOT NULL DEFAULT '',
	reliability TEXT NOT NULL CHECK (reliability IN ('A', 'B', 'C', 'D', 'E', 'F')),
	created_by  INTEGER NOT NULL REFERENCES users (id),
	created_at  TEXT NOT NULL
);

CREATE TABLE evidence (
	id          INTEGER PRIMARY KEY,
	revision_id INTEGER NOT NULL REFERENCES revisions (id),
	source_id   INTEGER NOT NULL REFERENCES sources (id),
	credibility INTEGER NOT NULL CHECK (credibility BETWEEN 1 AND 6),
	excerpt     TEXT NOT NULL DEFAULT '',
	stance      TEXT NOT NULL CHECK (stance IN ('supports', 'contradicts'))
);
CREATE INDEX evidence_revision ON evidence (revision_id);
CREATE INDEX evidence_source ON evidence (source_id);

CREATE TABLE notes (
	id         INTEGER PRIMARY KEY,
	claim_id   INTEGER NOT NULL REFERENCES claims (id),
	parent_id  INTEGER REFERENCES notes (id),
	author_id  INTEGER NOT NULL REFERENCES users (id),
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX notes_claim ON notes (claim_id);

CREATE TABLE flags (
	id          INTEGER PRIMARY KEY,
	claim_id    INTEGER NOT NULL REFERENCES claims (id),
	kind        TEXT NOT NULL CHECK (kind IN ('unverified', 'disputed', 'outdated', 'other')),
	reason      TEXT NOT NULL,
	raised_by   INTEGER NOT NULL REFERENCES users (id),
	raised_at   TEXT NOT NULL,
	resolved_by INTEGER REFERENCES users (id),
	resolved_at TEXT NOT NULL DEFAULT '',
	resolution  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX flags_claim ON flags (claim_id);
CREATE INDEX flags_open ON flags (raised_at) WHERE resolved_at = '';

-- One row per claim per edition: where its quote stands in that edition.
CREATE TABLE appearances (
	claim_id   INTEGER NOT NULL REFERENCES claims (id),
	edition_id INTEGER NOT NULL REFERENCES editions (id),
	match      TEXT NOT NULL CHECK (match IN ('original', 'unchanged', 'changed', 'missing')),
	similarity REAL NOT NULL,
	exact      TEXT NOT NULL,
	prefix     TEXT NOT NULL,
	suffix     TEXT NOT NULL,
	start      INTEGER NOT NULL,
	"end"      INTEGER NOT NULL,
	section    TEXT NOT NULL,
	hedges     TEXT NOT NULL DEFAULT '[]',
	diff       TEXT NOT NULL DEFAULT '[]',
	created_at TEXT NOT NULL,
	PRIMARY KEY (claim_id, edition_id)
);
CREATE INDEX appearances_edition ON appearances (edition_id);

-- Full-text search over everything said about a claim: one row per piece
-- of text (a statement, a quote, a note, a flag, a source), added in the
-- same transaction as the change that says it. Text is never edited, so
-- rows are only ever inserted; a search intersects the claims each term
-- finds.
CREATE VIRTUAL TABLE claim_search USING fts4 (body, claim_id, notindexed=claim_id, tokenize=unicode61);

-- The history. seq and hash are the chain; claim_id and report_id are
-- unhashed indexes for filtering.
CREATE TABLE events (
	seq         INTEGER PRIMARY KEY,
	time        TEXT NOT NULL,
	actor       TEXT NOT NULL,
	actor_role  TEXT NOT NULL,
	action      TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity_id   TEXT NOT NULL,
	before      TEXT NOT NULL,
	after       TEXT NOT NULL,
	reason      TEXT NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL,
	claim_id    INTEGER,
	report_id   INTEGER
);
CREATE INDEX events_time ON events (time);
CREATE INDEX events_claim ON events (claim_id) WHERE claim_id IS NOT NULL;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

-- Web sessions live server-side: the cookie holds only the id, so logout,
-- a role change or disabling a user ends a session at once. The id is
-- stored as its SHA-256, so a copy of the database opens no session.
CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL,
	address    TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Failed sign-ins, for throttling per account and per address and for the
-- record.
CREATE TABLE login_failures (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	address TEXT NOT NULL,
	time    TEXT NOT NULL
);
CREATE INDEX login_failures_name ON login_failures (name, time);
CREATE INDEX login_failures_address ON login_failures (address, time);

-- API tokens: shown once, stored as SHA-256, revocable.
CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	label      TEXT NOT NULL,
	hash       TEXT NOT NULL UNIQUE,
	created_by INTEGER NOT NULL REFERENCES users (id),
	created_at TEXT NOT NULL,
	revoked_at TEXT NOT NULL DEFAULT ''
);
