-- One row that /healthz rewrites when no other write has shown for a while
-- that the database can be written. It is not a record: no event describes it.
CREATE TABLE health_probe (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	at TEXT NOT NULL
);
