package helpdesk

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// callNamers are the helpers that take the name of the Session area method
// a call is made for (its second argument), which a refusal names.
var callNamers = map[string]bool{"run": true, "runRetry": true, "triggerWrite": true, "moveTrigger": true, "reply": true, "preview": true, "writeConfig": true}

// TestRun_SVC3_CallNameIsTheMethod: every method of a Session area passes
// its own name, "Area.Method", to run (or a helper that passes it on), so
// "forbidden: Groups.Create ..." never names another call; an unexported
// helper passes on the name it was given.
func TestRun_SVC3_CallNameIsTheMethod(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || !callNamers[sel.Sel.Name] || len(call.Args) < 2 {
					return true
				}
				at := fset.Position(call.Pos())
				switch arg := call.Args[1].(type) {
				case *ast.BasicLit:
					got, err := strconv.Unquote(arg.Value)
					require.NoError(t, err)
					if fd.Name.IsExported() {
						want := fd.Name.Name
						if recv, ok := fd.Recv.List[0].Type.(*ast.Ident); ok { // an area: (h Tickets)
							want = recv.Name + "." + want
						}
						assert.Equal(t, want, got, "%s: %s calls %s for another method", at, want, sel.Sel.Name)
					} else {
						// closeDue runs for Tickets.CloseSolved, its only caller.
						assert.Equal(t, map[string]string{"closeDue": "Tickets.CloseSolved"}[fd.Name.Name], got, "%s", at)
					}
				case *ast.Ident:
					assert.False(t, fd.Name.IsExported(), "%s: %s passes on a name; it should give its own", at, fd.Name.Name)
					assert.Equal(t, "call", arg.Name, "%s: the name a helper was given", at)
				default:
					assert.Fail(t, "the call name is not a literal", "%s", at)
				}
				checked++
				return true
			})
		}
	}
	assert.Greater(t, checked, 80, "every run call was found")
}
