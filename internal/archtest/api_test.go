package archtest

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listed is one package of the module as go list reports it.
type listed struct {
	path, name, dir, export string
}

// listModule returns every package of the module with the export data of
// it and its dependencies (go list -export builds them).
func listModule(t *testing.T) (pkgs []listed, exports map[string]string) {
	t.Helper()
	const format = `{{.ImportPath}}	{{.Name}}	{{.Dir}}	{{.Export}}	{{.Module}}`
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", format, module+"/...").Output()
	require.NoError(t, err, "go list -export")
	exports = map[string]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		require.Len(t, f, 5, "go list line %q", line)
		exports[f[0]] = f[3]
		if f[4] == module {
			pkgs = append(pkgs, listed{path: f[0], name: f[1], dir: f[2], export: f[3]})
		}
	}
	return pkgs, exports
}

// internalPath reports whether path is an internal package (of any module).
func internalPath(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/") || strings.HasPrefix(path, "internal/")
}

// public are the module's packages a user imports: not internal, not main.
func public(pkgs []listed) []listed {
	var out []listed
	for _, p := range pkgs {
		if !internalPath(p.path) && p.name != "main" {
			out = append(out, p)
		}
	}
	return out
}

// apiWalker collects every place where the exported API of one package
// mentions a type of an internal package.
type apiWalker struct {
	pkg  *types.Package
	seen map[*types.Named]bool // unexported types walked already
	bad  []string
}

func (w *apiWalker) report(where string, obj types.Object) {
	w.bad = append(w.bad, fmt.Sprintf("%s.%s mentions %s.%s", w.pkg.Name(), where, obj.Pkg().Path(), obj.Name()))
}

// typ walks t as seen from the exported declaration where.
func (w *apiWalker) typ(where string, t types.Type) {
	switch t := t.(type) {
	case *types.Alias:
		if o := t.Obj(); o.Pkg() != nil && internalPath(o.Pkg().Path()) {
			w.report(where, o)
			return
		}
		for a := range t.TypeArgs().Types() {
			w.typ(where, a)
		}
		w.typ(where, types.Unalias(t))
	case *types.Named:
		o := t.Obj()
		for a := range t.TypeArgs().Types() {
			w.typ(where, a)
		}
		switch {
		case o.Pkg() == nil: // error, comparable
		case internalPath(o.Pkg().Path()):
			w.report(where, o)
		case o.Pkg() == w.pkg && !o.Exported() && !w.seen[t.Origin()]:
			// An unexported type reached through the API: its exported
			// surface is the API too.
			w.seen[t.Origin()] = true
			w.named(where, t)
		}
	case *types.Pointer:
		w.typ(where, t.Elem())
	case *types.Slice:
		w.typ(where, t.Elem())
	case *types.Array:
		w.typ(where, t.Elem())
	case *types.Chan:
		w.typ(where, t.Elem())
	case *types.Map:
		w.typ(where, t.Key())
		w.typ(where, t.Elem())
	case *types.Signature:
		for tp := range t.TypeParams().TypeParams() {
			w.typ(where, tp.Constraint())
		}
		for v := range t.Params().Variables() {
			w.typ(where, v.Type())
		}
		for v := range t.Results().Variables() {
			w.typ(where, v.Type())
		}
	case *types.Struct:
		for f := range t.Fields() {
			if f.Exported() || f.Embedded() {
				w.typ(where+"."+f.Name(), f.Type())
			}
		}
	case *types.Interface:
		for m := range t.ExplicitMethods() {
			if m.Exported() {
				w.typ(where+"."+m.Name(), m.Type())
			}
		}
		for e := range t.EmbeddedTypes() {
			w.typ(where, e)
		}
	case *types.Union:
		for term := range t.Terms() {
			w.typ(where, term.Type())
		}
	case *types.TypeParam:
		w.typ(where, t.Constraint())
	}
}

// named walks a defined type of the package: its underlying type and its
// exported methods.
func (w *apiWalker) named(where string, t *types.Named) {
	for tp := range t.TypeParams().TypeParams() {
		w.typ(where, tp.Constraint())
	}
	w.typ(where, t.Underlying())
	for m := range t.Methods() {
		if m.Exported() {
			w.typ(where+"."+m.Name(), m.Type())
		}
	}
}

// internalMentions returns each exported declaration of pkg that mentions a
// type of an internal package.
func internalMentions(pkg *types.Package) []string {
	w := &apiWalker{pkg: pkg, seen: map[*types.Named]bool{}}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.TypeName:
			if a, ok := obj.Type().(*types.Alias); ok {
				w.typ(name, a)
			} else if n, ok := obj.Type().(*types.Named); ok {
				w.named(name, n)
			}
		default:
			w.typ(name, obj.Type())
		}
	}
	slices.Sort(w.bad)
	return slices.Compact(w.bad)
}

// TestExportedAPIHasNoInternalTypes: a user can only name what the exported
// API shows, so no exported function, method, field, variable, constant or
// type of a public package may mention a type of an internal package (a
// user could neither declare such a value nor read its doc).
func TestExportedAPIHasNoInternalTypes(t *testing.T) {
	pkgs, exports := listModule(t)
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	})
	checked := 0
	for _, p := range public(pkgs) {
		tp, err := imp.Import(p.path)
		require.NoError(t, err, "import %s", p.path)
		checked++
		for _, m := range internalMentions(tp) {
			assert.Fail(t, "internal type in the exported API", "%s (%s)", m, p.path)
		}
	}
	require.Greater(t, checked, 10, "the public packages were found")
}

// TestExamplesImportNoInternalPackage: an Example is code a user copies, so
// no file holding an Example imports an internal package.
func TestExamplesImportNoInternalPackage(t *testing.T) {
	pkgs, _ := listModule(t)
	examples := 0
	for _, p := range public(pkgs) {
		files, err := filepath.Glob(filepath.Join(p.dir, "*_test.go"))
		require.NoError(t, err)
		for _, name := range files {
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
			require.NoError(t, err)
			if !hasExample(f) {
				continue
			}
			examples++
			for _, imp := range f.Imports {
				path, err := strconv.Unquote(imp.Path.Value)
				require.NoError(t, err)
				assert.False(t, internalPath(path), "%s: an Example file imports %s", name, path)
			}
		}
	}
	require.Greater(t, examples, 5, "the Example files were found")
}

// hasExample reports whether f declares an Example function.
func hasExample(f *ast.File) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Example") {
			return true
		}
	}
	return false
}

// TestInternalMentions proves the walker of TestExportedAPIHasNoInternalTypes
// on a made-up module: every way an exported declaration can show an
// internal type is reported, and the unexported parts of the API are not.
func TestInternalMentions(t *testing.T) {
	fset := token.NewFileSet()
	check := func(path, src string, imp types.Importer) *types.Package {
		f, err := parser.ParseFile(fset, path+".go", src, 0)
		require.NoError(t, err)
		p, err := (&types.Config{Importer: imp}).Check(path, fset, []*ast.File{f}, nil)
		require.NoError(t, err)
		return p
	}
	in := check("example.com/m/internal/x", `package x
type C struct{}
type I interface{ M() }
`, nil)
	pub := check("example.com/m/pub", `package pub
import "example.com/m/internal/x"
func Param(c *x.C) {}
func Result() []x.C { return nil }
func Clean(s string) error { return nil }
func private(c *x.C) {}
type S struct {
	Field map[string]x.C
	field x.C
	x.I
}
type Alias = x.C
type T int
func (T) Method(f func(x.C)) {}
func (T) method(x.C) {}
type hidden struct{ Leak x.C; quiet x.C }
func Hidden() hidden { return hidden{} }
type Iface interface{ Do() chan x.C }
type G[P interface{ *x.C }] struct{}
var V x.I
`, importerFunc(func(string) (*types.Package, error) { return in, nil }))
	assert.Equal(t, []string{
		"pub.Alias mentions example.com/m/internal/x.C",
		"pub.G mentions example.com/m/internal/x.C",
		"pub.Hidden.Leak mentions example.com/m/internal/x.C",
		"pub.Iface.Do mentions example.com/m/internal/x.C",
		"pub.Param mentions example.com/m/internal/x.C",
		"pub.Result mentions example.com/m/internal/x.C",
		"pub.S.Field mentions example.com/m/internal/x.C",
		"pub.S.I mentions example.com/m/internal/x.I",
		"pub.T.Method mentions example.com/m/internal/x.C",
		"pub.V mentions example.com/m/internal/x.I",
	}, internalMentions(pub))
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
