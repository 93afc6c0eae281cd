package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"vetted/review"

	"github.com/mattn/go-sqlite3"
)

// A group closes after maxGroup transactions have joined it (committed or
// not) or once it has been open maxGroupAge, so the first of a long run of
// writers does not wait for all of them, and another process waiting for
// the write lock gets its turn.
const (
	maxGroup    = 64
	maxGroupAge = 25 * time.Millisecond
)

// writer commits write transactions in groups. Each runs alone on the
// writer connection, in the order begin was called, inside a savepoint of
// one SQLite transaction that the group shares. When a transaction commits
// and others are queued, the next one continues the group; when none is
// queued (or the group is full), the group is committed, with one fsync for
// all of its members. commit returns only once that commit is durable, so a
// write acknowledged to a user is never lost, and a member that fails is
// rolled back to its savepoint without touching the others. Under load this
// turns many fsyncs into one; alone, a write commits at once.
//
// Only the goroutine holding the writer touches the open group; the writer
// passes between goroutines through a FIFO queue (database/sql would hand a
// freed connection to a random waiter, which made the slowest writes wait
// many times longer than the median). A write's whole wait, in the queue
// and then for another program's lock, is bounded by DB.WriteWait.
type writer struct {
	mu    sync.Mutex
	busy  bool            // a goroutine holds the writer
	queue []chan struct{} // begin calls waiting for it, oldest first

	group  *group // the open group; only the holder touches it
	groups int64  // groups committed, for tests

	// committed is told each group's outcome (nil once it commits), for
	// the database's health.
	committed func(error)
}

// group is one SQLite transaction shared by the write transactions that
// ran in it.
type group struct {
	conn   *sql.Conn
	opened time.Time
	joined int           // members that began in it
	n      int           // members released into it
	done   chan struct{} // closed once the group is committed or rolled back
	err    error         // the group's outcome, for every member
	bad    error         // set when a member could not be undone: roll back
}

// full reports whether g should take no more members.
func (g *group) full() bool {
	return g.bad != nil || g.joined >= maxGroup || time.Since(g.opened) >= maxGroupAge
}

// Tx is one write transaction, with the one timestamp all its rows share.
type Tx struct {
	db   *DB
	g    *group
	now  time.Time
	done bool
	lost error // SQLite ended the shared transaction under this member
}

// begin starts a write transaction once the writers queued before it have
// run. Its whole wait, for the writers queued before it and then for
// another program's write lock, ends after db.WriteWait or when ctx ends,
// whichever is first: a write never waits longer because others queued
// before it.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	// The wait for the writer (behind other writes, or another program's
	// lock) can be long: the request's turn to compute is given back.
	review.Waiting(ctx)
	if err := db.checkFiles(); err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, db.WriteWait, errWaited)
	defer cancel()
	if err := db.writer.acquire(ctx); err != nil {
		return nil, fmt.Errorf("store: begin: %w", waitError(ctx, err))
	}
	g := db.writer.group
	if g != nil && !inTransaction(g.conn) {
		// SQLite rolled the transaction back on its own (disk full, I/O
		// error): the group cannot commit, and a savepoint now would start
		// a transaction of its own.
		g.bad = errors.New("the transaction was rolled back by SQLite")
		db.writer.group = nil
		db.writer.finish(g)
		g = nil
	}
	if g == nil {
		var err error
		if g, err = db.openGroup(ctx); err != nil {
			db.writer.handOff()
			return nil, fmt.Errorf("store: begin: %w", FormatError(waitError(ctx, err)))
		}
		db.writer.group = g
	}
	g.joined++
	if _, err := g.conn.ExecContext(context.Background(), "SAVEPOINT member"); err != nil {
		g.bad = err
		db.writer.handOff()
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	return &Tx{db: db, g: g, now: db.Now().UTC().Truncate(time.Microsecond)}, nil
}

// openGroup takes SQLite's write lock for a new group. The writer's busy
// timeout is short (writerBusyTimeout); while another program holds the
// lock, openGroup tries again until ctx ends, so a cancelled request stops
// waiting at once and none waits past its own deadline.
func (db *DB) openGroup(ctx context.Context) (*group, error) {
	conn, err := db.w.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	for {
		_, err = conn.ExecContext(context.Background(), "BEGIN IMMEDIATE")
		if err == nil {
			return &group{conn: conn, opened: time.Now(), done: make(chan struct{})}, nil
		}
		if !isBusy(err) || ctx.Err() != nil {
			conn.Close()
			return nil, err
		}
	}
}

// errWaited ends a write's wait for the writer after DB.WriteWait.
var errWaited = errors.New("store: waited too long for the writer")

// waitError names why a write's wait for the writer ended: its own bound
// (the database is busy: EUNAVAILABLE) or the caller's context.
func waitError(ctx context.Context, err error) error {
	switch {
	case context.Cause(ctx) == errWaited:
		return busyError
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return err
}

// isBusy reports whether err is SQLite's "database is locked" (another
// connection holds the lock it needs).
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked)
}

// commit makes tx part of its group and returns once the group is durable:
// an error means nothing tx wrote was kept.
func (tx *Tx) commit() error {
	if tx.done {
		return errors.New("store: commit: the transaction has ended")
	}
	tx.done = true
	g := tx.g
	_, err := g.conn.ExecContext(context.Background(), "RELEASE member")
	if err == nil && !inTransaction(g.conn) {
		err = errors.New("the transaction was rolled back by SQLite")
		g.bad = err
	}
	if err != nil {
		tx.undo()
		tx.db.writer.handOff()
		<-g.done
		return fmt.Errorf("store: commit: %w", FormatError(err))
	}
	g.n++
	tx.db.writer.handOff()
	<-g.done
	if g.err != nil {
		return fmt.Errorf("store: commit: %w", FormatError(g.err))
	}
	return nil
}

// Rollback ends tx without writing; after commit it does nothing. It too
// returns only once the group has ended: what tx read may have been written
// by an earlier member (a conflict names the revision that got there
// first), and the caller may go on to read it from the read pool.
func (tx *Tx) Rollback() error {
	if tx.done {
		return nil
	}
	tx.done = true
	err := tx.undo()
	tx.db.writer.handOff()
	<-tx.g.done
	return err
}

// undo rolls tx back to its savepoint. When that fails, the group cannot be
// trusted and will be rolled back whole.
func (tx *Tx) undo() error {
	ctx := context.Background()
	_, err := tx.g.conn.ExecContext(ctx, "ROLLBACK TO member")
	if err == nil {
		_, err = tx.g.conn.ExecContext(ctx, "RELEASE member")
	}
	if err != nil && tx.g.bad == nil {
		tx.g.bad = err
	}
	return err
}

// exec runs one statement as a write transaction of its own.
func (db *DB) exec(ctx context.Context, query string, args ...any) error {
	tx, err := db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: %w", FormatError(err))
	}
	return tx.commit()
}

// Statements run without the caller's cancellation: SQLite answers an
// interrupted write inside a transaction by rolling back the whole
// transaction, which here would be every member of the group. After a
// failed write, a transaction SQLite ended on its own (disk full, I/O
// error) takes no more statements: they would each commit alone.

func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx.lost != nil {
		return nil, tx.lost
	}
	res, err := tx.g.conn.ExecContext(context.WithoutCancel(ctx), query, args...)
	if err != nil {
		tx.db.noteWrite(err)
	}
	if err != nil && !inTransaction(tx.g.conn) {
		tx.lost = fmt.Errorf("store: the transaction was rolled back by SQLite: %w", err)
		tx.g.bad = tx.lost
	}
	return res, err
}

func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.g.conn.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.g.conn.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

func (tx *Tx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return tx.g.conn.PrepareContext(context.WithoutCancel(ctx), query)
}

// acquire waits for the writer, first come, first served.
func (w *writer) acquire(ctx context.Context) error {
	w.mu.Lock()
	if !w.busy {
		w.busy = true
		w.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	w.queue = append(w.queue, turn)
	w.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
		w.mu.Lock()
		if i := slices.Index(w.queue, turn); i >= 0 {
			w.queue = slices.Delete(w.queue, i, i+1)
			w.mu.Unlock()
			return ctx.Err()
		}
		w.mu.Unlock()
		// The writer was handed over as we gave up: pass it on.
		w.handOff()
		return ctx.Err()
	}
}

// handOff gives up the writer: to the next queued begin, which continues
// the open group, or, when none waits or the group is full (or doomed),
// after committing (or rolling back) the group.
func (w *writer) handOff() {
	for {
		w.mu.Lock()
		g := w.group
		if len(w.queue) > 0 && (g == nil || !g.full()) {
			next := w.queue[0]
			w.queue = w.queue[1:]
			w.mu.Unlock()
			close(next)
			return
		}
		if g == nil {
			w.busy = false
			w.mu.Unlock()
			return
		}
		w.mu.Unlock()
		w.group = nil
		w.finish(g)
	}
}

// finish commits g, or rolls it back when it is bad or empty, and lets its
// members know.
func (w *writer) finish(g *group) {
	ctx := context.Background()
	switch {
	case g.bad != nil:
		_, _ = g.conn.ExecContext(ctx, "ROLLBACK")
		g.err = g.bad
	case g.n == 0:
		_, g.err = g.conn.ExecContext(ctx, "ROLLBACK")
	default:
		if _, g.err = g.conn.ExecContext(ctx, "COMMIT"); g.err != nil {
			_, _ = g.conn.ExecContext(ctx, "ROLLBACK")
		} else {
			w.mu.Lock()
			w.groups++
			w.mu.Unlock()
		}
	}
	if (g.n > 0 || g.err != nil) && w.committed != nil {
		w.committed(g.err)
	}
	g.conn.Close()
	close(g.done)
}

// inTransaction reports whether conn is inside a transaction.
func inTransaction(conn *sql.Conn) bool {
	in := false
	_ = conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			in = !c.AutoCommit()
		}
		return nil
	})
	return in
}
