-- An edition's file and extracted text move to their own table. Kept in
-- editions, before draft, rank and the import columns, they put every
-- read of those columns behind the text's overflow pages (about 25 KB, six
-- pages, per edition): the rank of each listed claim's latest edition cost
-- more than the rest of its row.
CREATE TABLE edition_texts (
	edition_id INTEGER PRIMARY KEY REFERENCES editions (id),
	original   BLOB NOT NULL, -- the file as imported (review.Edition.SHA256 is its digest)
	text       TEXT NOT NULL  -- its normalised text, which anchors' offsets index
);

INSERT INTO edition_texts (edition_id, original, text) SELECT id, original, text FROM editions;

ALTER TABLE editions DROP COLUMN original;
ALTER TABLE editions DROP COLUMN text;
