package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"vetted/review"
)

// The Merkle tree over the history (review/tlog.go) keeps tlog's stored
// hashes in tlog_hashes, appended with each event in its transaction, so a
// tree head, a proof or a tile reads O(log n) rows however long the
// history grows.

// hashReader reads stored hashes through q: a tlog.HashReader.
func hashReader(ctx context.Context, q queryer) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		// Read in chunks well under SQLite's limit on parameters.
		for start := 0; start < len(indexes); start += 500 {
			chunk := indexes[start:min(len(indexes), start+500)]
			args := make([]any, len(chunk))
			pos := make(map[int64][]int, len(chunk))
			for i, x := range chunk {
				args[i] = x
				pos[x] = append(pos[x], start+i)
			}
			rows, err := q.QueryContext(ctx, "SELECT id, hash FROM tlog_hashes WHERE id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", args...)
			if err != nil {
				return nil, fmt.Errorf("store: tree hashes: %w", err)
			}
			found := 0
			for rows.Next() {
				var id int64
				var h []byte
				if err := rows.Scan(&id, &h); err != nil {
					rows.Close()
					return nil, fmt.Errorf("store: tree hashes: %w", err)
				}
				if len(h) != tlog.HashSize {
					rows.Close()
					return nil, fmt.Errorf("store: tree hash %d is %d bytes", id, len(h))
				}
				for _, i := range pos[id] {
					out[i] = tlog.Hash(h)
					found++
				}
			}
			if err := rows.Close(); err != nil {
				return nil, fmt.Errorf("store: tree hashes: %w", err)
			}
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("store: tree hashes: %w", err)
			}
			if found != len(chunk) {
				return nil, review.Errorf(review.EINTERNAL, "The history's tree hashes are incomplete: %d of %d asked for are missing.", len(chunk)-found, len(chunk))
			}
		}
		return out, nil
	}
}

type execQueryer interface {
	queryer
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// appendLeaf stores the tree hashes that event seq (record seq-1) adds.
func appendLeaf(ctx context.Context, q execQueryer, seq int64, eventHash string) error {
	n := seq - 1
	hs, err := tlog.StoredHashes(n, review.LeafData(eventHash), hashReader(ctx, q))
	if err != nil {
		return fmt.Errorf("store: tree hashes for seq %d: %w", seq, err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i, h := range hs {
		if _, err := q.ExecContext(ctx, "INSERT INTO tlog_hashes (id, hash) VALUES (?, ?)", base+int64(i), h[:]); err != nil {
			return fmt.Errorf("store: tree hashes for seq %d: %w", seq, err)
		}
	}
	return nil
}

// treeSizes returns how many events there are and for how many records
// tree hashes are stored.
func treeSizes(ctx context.Context, q queryer) (events, leaves int64, err error) {
	var stored int64
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(seq), 0) FROM events").Scan(&events); err != nil {
		return 0, 0, fmt.Errorf("store: tree size: %w", err)
	}
	if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(id) + 1, 0) FROM tlog_hashes").Scan(&stored); err != nil {
		return 0, 0, fmt.Errorf("store: tree size: %w", err)
	}
	// The records covered: the n whose stored hash count is exactly what
	// is stored (StoredHashCount grows with n).
	n := int64(sort.Search(int(events)+1, func(n int) bool { return tlog.StoredHashCount(int64(n)) >= stored }))
	if tlog.StoredHashCount(n) != stored {
		return events, 0, review.Errorf(review.EINTERNAL, "The history's tree hashes end part-way through a record (%d hashes stored): they were changed outside vetted.", stored)
	}
	return events, n, nil
}

// catchUpTree stores the tree hashes of events that have none: every event
// of a database made before the tree existed (migration 9), once.
func (db *DB) catchUpTree(ctx context.Context) error {
	events, leaves, err := treeSizes(ctx, db.r)
	if err != nil || leaves >= events {
		return err
	}
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: tree: %w", FormatError(err))
	}
	defer tx.Rollback()
	if events, leaves, err = treeSizes(ctx, tx); err != nil || leaves >= events {
		return err // another process caught up first
	}
	rows, err := tx.QueryContext(ctx, "SELECT seq, hash FROM events WHERE seq > ? ORDER BY seq", leaves)
	if err != nil {
		return fmt.Errorf("store: tree: %w", err)
	}
	type leaf struct {
		seq  int64
		hash string
	}
	var pending []leaf
	for rows.Next() {
		var l leaf
		if err := rows.Scan(&l.seq, &l.hash); err != nil {
			rows.Close()
			return fmt.Errorf("store: tree: %w", err)
		}
		pending = append(pending, l)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: tree: %w", err)
	}
	for _, l := range pending {
		if l.seq != leaves+1 {
			return review.Errorf(review.EINTERNAL, "The history has no event %d: it cannot be made a tree.", leaves+1)
		}
		if err := appendLeaf(ctx, tx, l.seq, l.hash); err != nil {
			return err
		}
		leaves++
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: tree: commit: %w", FormatError(err))
	}
	return nil
}

// readTree runs fn in one read transaction with the number of events, after
// checking that the tree covers them all.
func (db *DB) readTree(ctx context.Context, fn func(q queryer, size int64) error) error {
	tx, err := db.read(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	events, leaves, err := treeSizes(ctx, tx)
	if err != nil {
		return err
	}
	if leaves != events {
		return review.Errorf(review.EINTERNAL, "The history has %d events but tree hashes for %d: they were changed outside vetted.", events, leaves)
	}
	return fn(tx, events)
}

// TreeHead returns the tree over every event.
func (db *DB) TreeHead(ctx context.Context) (review.TreeHead, error) {
	var th review.TreeHead
	err := db.readTree(ctx, func(q queryer, size int64) error {
		th.Size = size
		if size == 0 {
			return nil
		}
		var err error
		th.Hash, err = tlog.TreeHash(size, hashReader(ctx, q))
		return err
	})
	return th, err
}

// TreeHash returns the root of the tree over the first n events.
func (db *DB) TreeHash(ctx context.Context, n int64) (tlog.Hash, error) {
	var h tlog.Hash
	err := db.readTree(ctx, func(q queryer, size int64) error {
		if n < 1 || n > size {
			return review.Errorf(review.EINVALID, "The history has %d events: there is no tree of size %d.", size, n)
		}
		var err error
		h, err = tlog.TreeHash(n, hashReader(ctx, q))
		return err
	})
	return h, err
}

// ProveTree returns the proof that the tree of size n extends the tree of
// size old.
func (db *DB) ProveTree(ctx context.Context, old, n int64) (tlog.TreeProof, error) {
	var p tlog.TreeProof
	err := db.readTree(ctx, func(q queryer, size int64) error {
		if err := review.CheckTreeSizes(old, n, size); err != nil {
			return err
		}
		var err error
		p, err = tlog.ProveTree(n, old, hashReader(ctx, q))
		return err
	})
	return p, err
}

// ProveRecord returns the proof that event seq is in the tree of size n.
func (db *DB) ProveRecord(ctx context.Context, seq, n int64) (tlog.RecordProof, error) {
	var p tlog.RecordProof
	err := db.readTree(ctx, func(q queryer, size int64) error {
		if err := review.CheckRecordSizes(seq, n, size); err != nil {
			return err
		}
		var err error
		p, err = tlog.ProveRecord(n, seq-1, hashReader(ctx, q))
		return err
	})
	return p, err
}

// TileHeight is the height of the hash tiles served (C2SP tlog-tiles: 8,
// so 256 hashes a tile).
const TileHeight = 8

// ReadTile returns a hash tile's data; ENOTFOUND for a tile (or a partial
// width) the tree has not reached.
func (db *DB) ReadTile(ctx context.Context, t tlog.Tile) ([]byte, error) {
	var data []byte
	err := db.readTree(ctx, func(q queryer, size int64) error {
		if t.L < 0 || t.L > 5 || t.H != TileHeight || t.W < 1 || t.W > 1<<t.H || t.N < 0 {
			return review.Errorf(review.ENOTFOUND, "No such tile.")
		}
		// A level-L hash covers this many records; the tile's last hash
		// needs the records up to need. N is bounded first, so nothing
		// overflows however large a number the path holds.
		per := int64(1) << (t.H * t.L)
		if t.N > size/per>>t.H+1 {
			return review.Errorf(review.ENOTFOUND, "The log has not reached that tile yet.")
		}
		if need := (t.N<<t.H + int64(t.W)) * per; need > size {
			return review.Errorf(review.ENOTFOUND, "The log has not reached that tile yet.")
		}
		var err error
		data, err = tlog.ReadTileData(t, hashReader(ctx, q))
		return err
	})
	if err != nil {
		return nil, err
	}
	return data, nil
}
