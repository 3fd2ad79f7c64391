package archtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// toolModules are development tools that must never enter go.mod: a tool
// line or a requirement there puts the tool and its dependencies in the
// module graph of every program that imports Deskkit. .ci/run runs them by
// version (go run tool@version) instead.
var toolModules = []string{"honnef.co/go/tools", "golang.org/x/tools", "golang.org/x/vuln"}

// TestModuleGraph_NoTools: go.mod has no tool directive and requires no
// development tool.
func TestModuleGraph_NoTools(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	require.NoError(t, err)
	for i, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] == "tool" {
			t.Errorf("go.mod:%d has a tool directive %q: run the tool from .ci/run by version", i+1, line)
		}
		for _, m := range toolModules {
			for _, w := range f {
				if w == m || strings.HasPrefix(w, m+"/") {
					t.Errorf("go.mod:%d names the development tool %s", i+1, w)
				}
			}
		}
	}
}
