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
	return &countingConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), counter: c.counter}, nil
}

func (c readConnector) Driver() driver.Driver { return &sqlite3.SQLiteDriver{} }

// countingConn is a go-sqlite3 connection whose queries are counted.
type countingConn struct {
	*sqlite3.SQLiteConn
	counter *readCounter
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.counter.statements.Add(1)
	if fn := c.counter.trace.Load(); fn != nil {
		(*fn)(query)
	}
	rows, err := c.SQLiteConn.QueryContext(caller(ctx), query, args)
	if err != nil {
		return nil, err
	}
	return &countingRows{Rows: rows, counter: c.counter}, nil
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.counter.statements.Add(1)
	return c.SQLiteConn.ExecContext(caller(ctx), query, args)
}

// countingRows counts the rows a query returns.
type countingRows struct {
	driver.Rows
	counter *readCounter
}

func (r *countingRows) Next(dest []driver.Value) error {
	err := r.Rows.Next(dest)
	if err == nil {
		r.counter.rows.Add(1)
	}
	return err
}
