-- The tree the server's background history check last verified: its size
-- (seq, the number of events, so the last event verified) and its RFC 6962
-- root (hash, 32 bytes, as golang.org/x/mod/sumdb/tlog computes it). The
-- server writes it after each check that passes and reads it at start, so
-- a history rewritten or cut short while the server was stopped fails the
-- first check after start ([verified-tree]) instead of becoming the new
-- baseline. One row; it only grows. It is not a record: no event describes
-- it, and someone who can rewrite the file can rewrite it too (checkpoints
-- that witnesses hold are the defence against that).
CREATE TABLE history_verified (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	seq         INTEGER NOT NULL CHECK (seq > 0),
	hash        BLOB NOT NULL CHECK (length(hash) = 32),
	verified_at TEXT NOT NULL
);
