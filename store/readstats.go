package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// ReadStats counts what the read pool has done since the database was
// opened: SQL statements run and rows they returned to Go. Tests compare
// the counts a page costs at two sizes of data, to check that the page's
// reads do not grow with the data.
type ReadStats struct {
	Statements int64
	Rows       int64
}

// Sub is s − t, what was read between two readings.
func (s ReadStats) Sub(t ReadStats) ReadStats {
	return ReadStats{Statements: s.Statements - t.Statements, Rows: s.Rows - t.Rows}
}

// ReadStats returns the read pool's counts so far.
func (db *DB) ReadStats() ReadStats {
	return ReadStats{Statements: db.reads.statements.Load(), Rows: db.reads.rows.Load()}
}

// readCounter is what the read pool's connections add to.
type readCounter struct {
	statements, rows atomic.Int64
	trace            atomic.Pointer[func(query string)]
}

// TraceReads calls fn with the SQL of every statement the read pool runs
// from now on (nil stops it), for tests that look at the query plans a
// page uses.
func (db *DB) TraceReads(fn func(query string)) {
	if fn == nil {
		db.reads.trace.Store(nil)
		return
	}
	db.reads.trace.Store(&fn)
}

// readConnector opens the read pool's connections through go-sqlite3 and
// counts their queries and rows.
type readConnector struct {
	dsn     string
	counter *readCounter
}

func (c readConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite3.SQLiteDriver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), counter: c.counter, stmts: map[string]*cachedStmt{}}, nil
}

func (c readConnector) Driver() driver.Driver { return &sqlite3.SQLiteDriver{} }

// maxCachedStmts bounds each read connection's prepared statements: a
// page runs a few dozen distinct statements, and the pool's few
// connections serve every page. Past it the cache starts again.
const maxCachedStmts = 256

// countingConn is a go-sqlite3 connection whose queries are counted, and
// which keeps each query's prepared statement for the next time the same
// SQL runs: go-sqlite3 prepares every query afresh, which cost a page's
// small queries about as much as running them. database/sql uses a
// connection from one goroutine at a time, so the cache needs no lock.
type countingConn struct {
	*sqlite3.SQLiteConn
	counter *readCounter
	stmts   map[string]*cachedStmt // by SQL text
}

// cachedStmt is a prepared statement and whether rows still read it (a
// query nested in another's rows with the same SQL prepares its own).
type cachedStmt struct {
	stmt driver.StmtQueryContext
	busy bool
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.counter.statements.Add(1)
	if fn := c.counter.trace.Load(); fn != nil {
		(*fn)(query)
	}
	cs, err := c.prepared(query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		rows, err := c.SQLiteConn.QueryContext(ctx, query, args)
		if err != nil {
			return nil, err
		}
		return &countingRows{Rows: rows, counter: c.counter}, nil
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &countingRows{Rows: rows, counter: c.counter, stmt: cs}, nil
}

// prepared returns query's cached statement, preparing it the first time;
// nil when the cached one is in use.
func (c *countingConn) prepared(query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	if len(c.stmts) >= maxCachedStmts {
		c.dropStmts()
	}
	st, err := c.SQLiteConn.Prepare(query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{stmt: st.(driver.StmtQueryContext)}
	c.stmts[query] = cs
	return cs, nil
}

// dropStmts closes the cached statements no rows are reading.
func (c *countingConn) dropStmts() {
	for q, cs := range c.stmts {
		if !cs.busy {
			cs.stmt.(driver.Stmt).Close()
			delete(c.stmts, q)
		}
	}
}

// Close closes the cached statements, then the connection.
func (c *countingConn) Close() error {
	for _, cs := range c.stmts {
		cs.stmt.(driver.Stmt).Close()
	}
	c.stmts = nil
	return c.SQLiteConn.Close()
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.counter.statements.Add(1)
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

// countingRows counts the rows a query returns, and frees its cached
// statement when closed.
type countingRows struct {
	driver.Rows
	counter *readCounter
	stmt    *cachedStmt // nil for a statement of its own
}

func (r *countingRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == nil {
		r.counter.rows.Add(1)
	}
	return err
}

func (r *countingRows) Close() error {
	err := r.Rows.Close()
	if r.stmt != nil {
		r.stmt.busy = false
		r.stmt = nil
	}
	return err
}
