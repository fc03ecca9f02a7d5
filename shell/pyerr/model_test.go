package pyerr

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneErrorModel reads the module's source: no error type may tell the
// shell its Python class or hint through another method than Python (the
// PythonError, Hint and Explain methods of the old model are matched by
// nothing now, so such an error would lose its class or hint in silence).
func TestOneErrorModel(t *testing.T) {
	root := filepath.Join("..", "..")
	type key struct{ dir, typ string }
	methods := map[key]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
				continue
			}
			typ := fn.Recv.List[0].Type
			if star, ok := typ.(*ast.StarExpr); ok {
				typ = star.X
			}
			id, ok := typ.(*ast.Ident)
			if !ok {
				continue
			}
			k := key{filepath.Dir(path), id.Name}
			if methods[k] == nil {
				methods[k] = map[string]bool{}
			}
			methods[k][fn.Name.Name] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(methods) < 50 {
		t.Fatalf("found methods on %d types only: is %s the module's root?", len(methods), root)
	}
	for k, m := range methods {
		if !m["Error"] {
			continue
		}
		if m["PythonError"] {
			t.Errorf("%s: %s has PythonError; give it Python() pyerr.Exception instead", k.dir, k.typ)
		}
		if (m["Hint"] || m["Explain"]) && !m["Python"] {
			t.Errorf("%s: %s has a hint but no Python(): the shell reads hints only from pyerr.Exception", k.dir, k.typ)
		}
	}
}
