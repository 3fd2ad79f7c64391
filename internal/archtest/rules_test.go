package archtest

import (
	"bytes"
	"fmt"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rule ids.
//
// A rule id is one of the prefixes below, a hyphen and a number, with an
// optional sub-number: TKT-2, TRG-6.1. Code, errors and docs cite ids in
// that form; "CAT-1..7" and "TRG-6.1..6.5" cite a range (every id from the
// first to the last). Test names and subtest names cite them compact, with
// neither hyphen nor dot: TestTicket_TKT2_..., stale_version_TKT8, TRG61
// (TRG-6.1). A compact id counts only after a character that is not a
// letter or digit (start, "_", a quote ...), so "cat1" or "tkt2Legal" are
// no ids.
//
// A package doc DEFINES an id when the package comment (what go doc shows
// above the package's API) has the heading "# Rules" and, in that section
// (up to the next heading), a list item whose text begins with the id and
// a space:
//
//	// # Rules
//	//
//	//   - TKT-2 Statuses and moves: ...
//
// TestRuleIDsAreDefined fails for every id cited in a .go or .md file of the
// module that no package comment defines, naming where it is cited; so every
// id a user meets resolves with go doc.
const rulePrefixes = `SVC|TKT|CAT|FLD|TPL|MAIL|FWD|AGT|TRG|NTF|SMS|DRY|SEC|STO|API`

var (
	// citedID matches a cited id or range: prefix, number, optional
	// sub-number, optional "..last" (a number, with a sub-number when the
	// first has one).
	citedID = regexp.MustCompile(`\b(` + rulePrefixes + `)-([0-9]+)(?:\.([0-9]+))?(?:\.\.([0-9]+)(?:\.([0-9]+))?)?\b`)
	// compactID matches an id written without hyphen, as in test names.
	compactID = regexp.MustCompile(`(?:^|[^A-Za-z0-9])(` + rulePrefixes + `)([0-9]+)`)
	// definedID matches the start of a Rules list item that defines an id.
	definedID = regexp.MustCompile(`^((?:` + rulePrefixes + `)-[0-9]+(?:\.[0-9]+)?) `)
)

// moduleRoot returns the directory of the module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	require.NoError(t, err, "go list -m")
	return strings.TrimSpace(string(out))
}

// moduleFiles returns the module's files (paths relative to root, slash
// separated) whose name passes keep, leaving out .git and the testdata of
// tools (it is input, not the module's text).
func moduleFiles(t *testing.T, root string, keep func(name string) bool) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !keep(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	require.NoError(t, err)
	return files
}

// packageDoc is the package comment of one package directory.
type packageDoc struct {
	dir   string   // relative to the module root, slash separated
	name  string   // the package name
	files []string // the non-test files that carry a package comment
	text  string   // the comment's text, files in name order
}

// packageDocs returns the package comment of every package of the module.
func packageDocs(t *testing.T, root string) []packageDoc {
	t.Helper()
	byDir := map[string]*packageDoc{}
	for _, f := range moduleFiles(t, root, func(n string) bool {
		return strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go")
	}) {
		if slices.Contains(strings.Split(f, "/"), "testdata") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, f), nil, parser.PackageClauseOnly|parser.ParseComments)
		require.NoError(t, err)
		dir := filepath.ToSlash(filepath.Dir(f))
		pd := byDir[dir]
		if pd == nil {
			pd = &packageDoc{dir: dir, name: af.Name.Name}
			byDir[dir] = pd
		}
		if af.Doc != nil {
			pd.files = append(pd.files, filepath.Base(f))
			if pd.text != "" {
				pd.text += "\n"
			}
			pd.text += af.Doc.Text()
		}
	}
	var out []packageDoc
	for _, dir := range slices.Sorted(maps.Keys(byDir)) {
		out = append(out, *byDir[dir])
	}
	return out
}

// plain returns the text of a doc comment's inline elements.
func plain(ts []comment.Text) string {
	var b strings.Builder
	for _, t := range ts {
		switch t := t.(type) {
		case comment.Plain:
			b.WriteString(string(t))
		case comment.Italic:
			b.WriteString(string(t))
		case *comment.Link:
			b.WriteString(plain(t.Text))
		case *comment.DocLink:
			b.WriteString(plain(t.Text))
		}
	}
	return b.String()
}

// rules returns the ids a package comment defines (see the top of this
// file), whether it has a Rules section at all, and the Rules list items
// that begin with no id.
func rules(doc string) (ids []string, hasSection bool, stray []string) {
	var p comment.Parser
	in := false
	for _, b := range p.Parse(doc).Content {
		switch b := b.(type) {
		case *comment.Heading:
			in = plain(b.Text) == "Rules"
			hasSection = hasSection || in
		case *comment.List:
			if !in {
				continue
			}
			for _, it := range b.Items {
				var text string
				if len(it.Content) > 0 {
					if para, ok := it.Content[0].(*comment.Paragraph); ok {
						text = plain(para.Text)
					}
				}
				if m := definedID.FindStringSubmatch(text); m != nil {
					ids = append(ids, m[1])
				} else {
					stray = append(stray, text)
				}
			}
		}
	}
	return ids, hasSection, stray
}

// needsRules reports whether the package in dir must state its rules: every
// package but the internal ones (internal/..., adapters/internal/...) and
// the examples.
func needsRules(dir string) bool {
	return dir != "internal" && !strings.HasPrefix(dir, "internal/") && !strings.HasPrefix(dir, "adapters/internal/") &&
		dir != "examples" && !strings.HasPrefix(dir, "examples/")
}

func TestPackageDocsStateTheirRules(t *testing.T) {
	root := moduleRoot(t)
	docs := packageDocs(t, root)
	require.NotEmpty(t, docs)
	seen := 0
	for _, pd := range docs {
		if !needsRules(pd.dir) {
			continue
		}
		seen++
		t.Run(pd.dir, func(t *testing.T) {
			assert.Equal(t, []string{"doc.go"}, pd.files,
				"package %s: the package comment belongs in doc.go, and only there", pd.dir)
			ids, has, stray := rules(pd.text)
			assert.True(t, has, "package %s: the package comment has no \"# Rules\" section", pd.dir)
			assert.NotEmpty(t, ids, "package %s: the Rules section defines no rule id", pd.dir)
			assert.Empty(t, stray, "package %s: Rules list items must begin with a rule id and a space", pd.dir)
			dup := map[string]bool{}
			for _, id := range ids {
				assert.False(t, dup[id], "package %s defines %s twice", pd.dir, id)
				dup[id] = true
			}
		})
	}
	assert.Greater(t, seen, 10, "the packages that must state their rules were found")
}

// cited is one id cited somewhere.
type cited struct {
	id    string   // canonical: TKT-2, TRG-6.1
	alts  []string // other readings of a compact id (TRG61: TRG-6.1)
	where string   // file:line
}

// citations returns the ids cited in src (file name for messages).
func citations(name string, src []byte) []cited {
	var out []cited
	for i, line := range bytes.Split(src, []byte("\n")) {
		where := name + ":" + strconv.Itoa(i+1)
		for _, m := range citedID.FindAllSubmatch(line, -1) {
			pfx, first, sub, last, lastSub := string(m[1]), string(m[2]), string(m[3]), string(m[4]), string(m[5])
			id := func(n, s string) string {
				if s == "" {
					return pfx + "-" + n
				}
				return pfx + "-" + n + "." + s
			}
			out = append(out, cited{id: id(first, sub), where: where})
			if last == "" {
				continue
			}
			out = append(out, cited{id: id(last, lastSub), where: where})
			// The ids between: TRG-1..8, or TRG-6.1..6.5.
			a, b := first, last
			if sub != "" && lastSub != "" && first == last {
				a, b = sub, lastSub
			} else if sub != "" || lastSub != "" {
				continue
			}
			lo, _ := strconv.Atoi(a)
			hi, _ := strconv.Atoi(b)
			for n := lo + 1; n < hi && n-lo < 100; n++ {
				if sub != "" {
					out = append(out, cited{id: id(first, strconv.Itoa(n)), where: where})
				} else {
					out = append(out, cited{id: id(strconv.Itoa(n), ""), where: where})
				}
			}
		}
		for _, m := range compactID.FindAllSubmatch(line, -1) {
			pfx, digits := string(m[1]), string(m[2])
			c := cited{id: pfx + "-" + digits, where: where + " (as " + pfx + digits + ")"}
			for k := 1; k < len(digits); k++ {
				c.alts = append(c.alts, pfx+"-"+digits[:k]+"."+digits[k:])
			}
			out = append(out, c)
		}
	}
	return out
}

func TestCitations(t *testing.T) {
	ids := func(src string) []string {
		var out []string
		for _, c := range citations("x", []byte(src)) {
			out = append(out, strings.Join(append([]string{c.id}, c.alts...), "|"))
		}
		return out
	}
	assert.Equal(t, []string{"TKT-2", "TRG-6.1"}, ids("moves (TKT-2), assign (TRG-6.1)."))
	assert.Equal(t, []string{"CAT-1", "CAT-4", "CAT-2", "CAT-3"}, ids("trees (CAT-1..4)"))
	assert.Equal(t, []string{"TRG-6.1", "TRG-6.3", "TRG-6.2"}, ids("TRG-6.1..6.3"))
	// TRG61 reads as rule 61 or rule 6.1 of TRG: the expected string is
	// split so that this file does not cite the first itself.
	assert.Equal(t, []string{"TKT-2", "TKT-8", "TRG-" + "61|TRG-6.1"}, ids(`TestTicket_TKT2_Moves "stale_version_TKT8" x_TRG61`))
	assert.Empty(t, ids("cat1 tkt2Legal XTKT-2 TKT-X SPEC-1"))
}

func TestRuleIDsAreDefined(t *testing.T) {
	root := moduleRoot(t)
	defined := map[string][]string{} // id → the packages that define it
	for _, pd := range packageDocs(t, root) {
		ids, _, _ := rules(pd.text)
		for _, id := range ids {
			defined[id] = append(defined[id], pd.dir)
		}
	}
	require.Contains(t, defined, "TKT-2", "the ticket package defines the status machine")

	undefined := map[string][]string{} // id → where cited
	for _, f := range moduleFiles(t, root, func(n string) bool {
		return strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".md") || strings.HasSuffix(n, ".sql")
	}) {
		src, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, c := range citations(f, src) {
			ok := len(defined[c.id]) > 0
			for _, a := range c.alts {
				ok = ok || len(defined[a]) > 0
			}
			if !ok {
				undefined[c.id] = append(undefined[c.id], c.where)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(undefined)) {
		where := undefined[id]
		if len(where) > 5 {
			where = append(where[:5:5], fmt.Sprintf("and %d more", len(where)-5))
		}
		t.Errorf("%s is cited but no package doc defines it (a \"# Rules\" list item starting %q): %s",
			id, id+" ", strings.Join(where, ", "))
	}
}

// outside are the references that point out of the repository: the
// product's spec and design notes live beside the module, not in it, so the
// module restates its rules in the package docs instead. They are built by
// concatenation so that this file does not match itself.
var outside = []string{
	".." + "/shared",
	"/work" + "/shared",
	"SPEC" + ".md",
	"DESIGN" + ".md",
}

func TestNothingPointsOutsideTheRepository(t *testing.T) {
	root := moduleRoot(t)
	files := moduleFiles(t, root, func(string) bool { return true })
	require.Contains(t, files, "README.md")
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		if bytes.IndexByte(src, 0) >= 0 {
			continue // binary
		}
		for i, line := range bytes.Split(src, []byte("\n")) {
			for _, o := range outside {
				if bytes.Contains(line, []byte(o)) {
					t.Errorf("%s:%d refers to %q, outside the repository: restate what is needed in a package doc", f, i+1, o)
				}
			}
		}
	}
}

// mdLink matches the target of a Markdown link or image: ](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

func TestReadmeLinksStayInTheRepository(t *testing.T) {
	root := moduleRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	links := 0
	for _, m := range mdLink.FindAllSubmatch(src, -1) {
		target := string(m[1])
		if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") ||
			strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "#") {
			continue
		}
		links++
		target, _, _ = strings.Cut(target, "#")
		p := filepath.Clean(filepath.FromSlash(target))
		if filepath.IsAbs(p) || p == ".." || strings.HasPrefix(p, ".."+string(filepath.Separator)) {
			t.Errorf("README.md links %q, outside the repository", m[1])
			continue
		}
		_, err := os.Stat(filepath.Join(root, p))
		assert.NoError(t, err, "README.md links %q, which does not exist", m[1])
	}
	assert.NotZero(t, links, "README.md links the packages")
}
