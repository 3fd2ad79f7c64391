package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	readmeBlock  = regexp.MustCompile("(?s)```go\n(.*?)```")
	compiledCode = regexp.MustCompile(`(?s)// readme:begin\n(.*?)\n[ \t]*// readme:end`)
)

// TestReadmeCodeCompiles: every Go block of README.md is, line for line,
// a region of readme_code_test.go, which the compiler checks (and whose
// conformance test runs): the README's code cannot go stale. Tabs there
// are four spaces in the README, and the region's own indentation is
// dropped.
func TestReadmeCodeCompiles(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	src, err := os.ReadFile("readme_code_test.go")
	require.NoError(t, err)
	blocks := readmeBlock.FindAllStringSubmatch(string(readme), -1)
	regions := compiledCode.FindAllStringSubmatch(string(src), -1)
	require.Len(t, regions, len(blocks), "README.md has %d Go blocks, readme_code_test.go %d regions", len(blocks), len(regions))
	for i, b := range blocks {
		assert.Equal(t, untab(regions[i][1]), strings.Trim(b[1], "\n"), "README Go block %d differs from region %d of readme_code_test.go", i+1, i+1)
	}
}

// untab drops the region's common indentation and writes the rest of each
// line's leading tabs as four spaces each.
func untab(region string) string {
	lines := strings.Split(region, "\n")
	common := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if n := len(l) - len(strings.TrimLeft(l, "\t")); common < 0 || n < common {
			common = n
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			lines[i] = ""
			continue
		}
		l = l[common:]
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		lines[i] = strings.Repeat("    ", n) + l[n:]
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}
