// Package archtest checks the module's architecture: domain packages never
// import a driver, an adapter or net/http (arch_test.go); every package
// states its rules in its doc, every rule id the code cites is defined there,
// and nothing points outside the repository (rules_test.go).
package archtest

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/deskkit/deskkit"

// forbiddenExact are packages no domain package may depend on
// (database/sql/driver, an interface package used by uuid, is fine).
var forbiddenExact = []string{"database/sql"}

// forbidden are import-path prefixes no domain package may depend on.
var forbidden = []string{
	"net/http",
	"github.com/uptrace/bun",
	"github.com/jackc/pgx",
	"modernc.org/sqlite",
	"github.com/emersion/",
	module + "/adapters/",
	module + "/examples/",
}

// notDomain are the module's packages that are allowed to use drivers.
var notDomain = []string{module + "/adapters", module + "/examples", module + "/internal/pgtest", module + "/internal/archtest"}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	require.NoError(t, err, "go list %v", args)
	return strings.Fields(string(out))
}

func TestDomainPackagesHaveNoDrivers(t *testing.T) {
	var domain []string
	for _, p := range goList(t, module+"/...") {
		isDomain := true
		for _, nd := range notDomain {
			if p == nd || strings.HasPrefix(p, nd+"/") {
				isDomain = false
			}
		}
		if isDomain {
			domain = append(domain, p)
		}
	}
	require.Contains(t, domain, module+"/helpdesk")
	require.Contains(t, domain, module+"/helpdesk/ticket")
	require.Contains(t, domain, module+"/trigger")
	for _, p := range domain {
		for _, dep := range goList(t, "-deps", p) {
			for _, f := range forbidden {
				assert.False(t, strings.HasPrefix(dep, f), "%s depends on %s", p, dep)
			}
			for _, f := range forbiddenExact {
				assert.NotEqual(t, f, dep, "%s depends on %s", p, dep)
			}
		}
	}
}
