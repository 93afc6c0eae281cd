-- rebuilds tables
-- The editions table again, with the edition's file and text as its last
-- columns: before draft, rank and the import columns, they put every read
-- of those behind the text's overflow pages (about 25 KB, six pages, per
-- edition), and the rank of each listed claim's latest edition cost more
-- than the rest of its row. SQLite reads a row's columns in order, so
-- columns after the large ones are the ones to avoid.
CREATE TABLE editions_new (
	id          INTEGER PRIMARY KEY,
	report_id   INTEGER NOT NULL REFERENCES reports (id),
	label       TEXT NOT NULL,
	published   TEXT NOT NULL DEFAULT '',
	sha256      TEXT NOT NULL,
	draft       INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1)),
	-- Position among the report's editions, oldest 1 (review.Edition.Before);
	-- recomputed at each import.
	rank        INTEGER NOT NULL DEFAULT 0,
	imported_by INTEGER NOT NULL REFERENCES users (id),
	imported_at TEXT NOT NULL,
	original    BLOB NOT NULL, -- the file as imported (sha256 is its digest)
	text        TEXT NOT NULL, -- its normalised text, which anchors' offsets index
	UNIQUE (report_id, label)
);

INSERT INTO editions_new (id, report_id, label, published, sha256, draft, rank, imported_by, imported_at, original, text)
SELECT id, report_id, label, published, sha256, draft, rank, imported_by, imported_at, original, text FROM editions;

DROP TABLE editions;
ALTER TABLE editions_new RENAME TO editions;
