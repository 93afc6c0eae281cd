-- The history as a transparency log: the stored hashes of the Merkle tree
-- whose record i is event seq i+1 (golang.org/x/mod/sumdb/tlog's layout:
-- id is tlog.StoredHashIndex, hash its 32 bytes). They are written in the
-- same transaction as their event, so a tree head or a proof reads
-- O(log n) rows. Like the events, they are append-only. A database from
-- before this migration is filled in by the store at open.
CREATE TABLE tlog_hashes (
	id   INTEGER PRIMARY KEY,
	hash BLOB NOT NULL CHECK (length(hash) = 32)
);

CREATE TRIGGER tlog_hashes_no_update BEFORE UPDATE ON tlog_hashes
BEGIN
	SELECT RAISE(ABORT, 'tlog hashes are append-only: UPDATE refused');
END;

CREATE TRIGGER tlog_hashes_no_delete BEFORE DELETE ON tlog_hashes
BEGIN
	SELECT RAISE(ABORT, 'tlog hashes are append-only: DELETE refused');
END;

CREATE TRIGGER tlog_hashes_no_replace BEFORE INSERT ON tlog_hashes
WHEN EXISTS (SELECT 1 FROM tlog_hashes WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'tlog hashes are append-only: REPLACE refused');
END;
