-- The Index's score sheets, one per edition of the Index, and their scores.
-- A score belongs to a country, not to a report: a report is matched to its
-- country when read (its slug, or its title folded the same way, equals
-- country_key), so a sheet imported before the report is picked up when the
-- report is created. Scores are hundredths of a point (410 is 4.10): the
-- sheets' raw values are rounded once, at import, and never drift.
CREATE TABLE score_sheets (
	id          INTEGER PRIMARY KEY,
	edition     TEXT NOT NULL UNIQUE,
	sha256      TEXT NOT NULL,
	countries   INTEGER NOT NULL,
	imported_by INTEGER NOT NULL REFERENCES users (id),
	imported_at TEXT NOT NULL
);

CREATE TABLE scores (
	sheet_id    INTEGER NOT NULL REFERENCES score_sheets (id),
	country     TEXT NOT NULL,
	country_key TEXT NOT NULL,
	indicator   TEXT NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('market', 'actor', 'resilience', 'average')),
	score       INTEGER NOT NULL CHECK (score BETWEEN 100 AND 1000),
	PRIMARY KEY (sheet_id, country_key, indicator)
);
CREATE INDEX scores_country ON scores (country_key);

-- Flags raised by vetted itself when a score and the text disagree across
-- editions ('score-moved': the score moved, the text did not; 'score-flat':
-- the text changed, the score did not), and when a new edition drops the
-- hedge of a claim's quote with no new evidence behind it
-- ('hedge-dropped'), or carries a claim whose evidence is older than the
-- edition before ('stale-evidence'). subject names what the flag is
-- about (edition and indicator), so the same disagreement is never queued
-- twice. SQLite cannot change a CHECK in place: the table is rebuilt, and
-- nothing refers to it.
CREATE TABLE flags_new (
	id          INTEGER PRIMARY KEY,
	claim_id    INTEGER NOT NULL REFERENCES claims (id),
	kind        TEXT NOT NULL CHECK (kind IN ('unverified', 'disputed', 'outdated', 'other', 'score-moved', 'score-flat', 'hedge-dropped', 'stale-evidence')),
	reason      TEXT NOT NULL,
	raised_by   INTEGER NOT NULL REFERENCES users (id),
	raised_at   TEXT NOT NULL,
	resolved_by INTEGER REFERENCES users (id),
	resolved_at TEXT NOT NULL DEFAULT '',
	resolution  TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT ''
);
INSERT INTO flags_new (id, claim_id, kind, reason, raised_by, raised_at, resolved_by, resolved_at, resolution)
	SELECT id, claim_id, kind, reason, raised_by, raised_at, resolved_by, resolved_at, resolution FROM flags;
DROP TABLE flags;
ALTER TABLE flags_new RENAME TO flags;
CREATE INDEX flags_claim ON flags (claim_id);
CREATE INDEX flags_open ON flags (raised_at) WHERE resolved_at = '';
CREATE INDEX flags_open_claim ON flags (claim_id, raised_at) WHERE resolved_at = '';
CREATE INDEX flags_subject ON flags (claim_id, kind, subject) WHERE subject != '';

-- Sources are shared records: graded once, for every claim citing them.
-- The link checker keeps each source's last outcome here (every check is
-- also an event), and an archived copy's address may be attached.
ALTER TABLE sources ADD COLUMN archive_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN link_status TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN link_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN link_checked_at TEXT NOT NULL DEFAULT '';
-- A new citation that reads exactly like an existing source cites it
-- (store.citeSource); this index finds it.
CREATE INDEX sources_title ON sources (title, url);
