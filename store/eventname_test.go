package store_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vetted/review"
)

// TestEventNamesListed: every event name the store writes is in
// review.EventNames, which the replay and the history filter use too.
// The source is read for every name the store can write (each one a
// review.Event constant, never a string literal), and a database that ran
// a mix of changes is read for every name it did write.
func TestEventNamesListed(t *testing.T) {
	listed := map[string]bool{}
	for _, n := range review.EventNames {
		if listed[string(n)] {
			t.Errorf("%s is listed twice", n)
		}
		listed[string(n)] = true
	}
	// The constants of review/eventname.go, by name.
	fset := token.NewFileSet()
	rf, err := parser.ParseFile(fset, "../review/eventname.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	ast.Inspect(rf, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				consts[vs.Names[0].Name] = v
			}
		}
		return true
	})
	for name, v := range consts {
		if !listed[v] {
			t.Errorf("review.%s (%q) is not in review.EventNames", name, v)
		}
	}
	files, _ := filepath.Glob("*.go")
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "review" && strings.HasPrefix(n.Sel.Name, "Event") {
					if v, ok := consts[n.Sel.Name]; ok {
						used++
						if !listed[v] {
							t.Errorf("%s writes review.%s, which is not listed", fset.Position(n.Pos()), n.Sel.Name)
						}
					}
				}
			case *ast.KeyValueExpr:
				// change{action: "…"} would compile (an untyped constant):
				// refuse it here.
				if k, ok := n.Key.(*ast.Ident); ok && k.Name == "action" {
					if _, lit := n.Value.(*ast.BasicLit); lit {
						t.Errorf("%s: an event action written as a literal; use a review.Event constant", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
	if used < 15 {
		t.Errorf("found only %d uses of review.Event constants in the store: has the code's form changed?", used)
	}

	// What a database actually holds.
	ctx := context.Background()
	db := MustOpenDB(t)
	mixedWorkload(t, db)
	tok, _, err := db.CreateToken(ctx, db.Admin, db.Auditor.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, db.Admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordExport(ctx, db.Auditor, "history.jsonl", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.EachEvent(ctx, review.EventFilter{}, func(e review.Event) error {
		if !listed[e.Action] {
			t.Errorf("seq %d: action %q is not in review.EventNames", e.Seq, e.Action)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
