package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestReadStatementCache: the read pool's connections keep prepared
// statements by SQL, and a query nested inside the rows of the same SQL
// (the cached statement busy) prepares its own and still answers right;
// past maxCachedStmts distinct statements the cache starts again, and
// every query still answers.
func TestReadStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.r.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = "SELECT value FROM json_each(?)"
	outer, err := tx.QueryContext(ctx, q, "[1,2,3]")
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for outer.Next() {
		var v int
		if err := outer.Scan(&v); err != nil {
			t.Fatal(err)
		}
		// The same SQL while outer still reads its statement.
		var sum int
		if err := tx.QueryRowContext(ctx, "SELECT SUM(value) FROM json_each(?)", fmt.Sprintf("[%d,%d]", v, v)).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.QueryContext(ctx, q, fmt.Sprintf("[%d]", v*10))
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			var w int
			if err := inner.Scan(&w); err != nil {
				t.Fatal(err)
			}
			got = append(got, v, w, sum)
		}
		inner.Close()
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 10, 2, 2, 20, 4, 3, 30, 6}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("nested queries: %v, want %v", got, want)
	}
	// The statement is free again once its rows are closed.
	var n int
	if err := tx.QueryRowContext(ctx, q, "[7]").Scan(&n); err != nil || n != 7 {
		t.Errorf("after the rows closed: %d, %v", n, err)
	}
	for i := range 2*maxCachedStmts + 10 {
		var v int
		if err := tx.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&v); err != nil || v != i {
			t.Fatalf("statement %d: %d, %v", i, v, err)
		}
	}
	var size int
	if err := tx.QueryRowContext(ctx, q, "[1]").Scan(&size); err != nil {
		t.Fatal(err)
	}
	tx.Rollback()
	conn.Raw(func(dc any) error {
		c, ok := dc.(*countingConn)
		if !ok || len(c.stmts) == 0 || len(c.stmts) > maxCachedStmts {
			t.Errorf("the connection (%T) caches %d statements, want 1 to %d", dc, len(c.stmts), maxCachedStmts)
		}
		return nil
	})
}
