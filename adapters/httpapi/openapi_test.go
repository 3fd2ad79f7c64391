package httpapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/httpapi"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
)

// document is the part of the OpenAPI document the tests read.
type document struct {
	OpenAPI string                          `json:"openapi"`
	Paths   map[string]map[string]operation `json:"paths"`
}

type operation struct {
	OperationID string `json:"operationId"`
	RequestBody *struct {
		Content map[string]struct {
			Example json.RawMessage `json:"example"`
		} `json:"content"`
	} `json:"requestBody"`
}

func readDocument(t *testing.T) (document, []byte) {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	var d document
	require.NoError(t, json.Unmarshal(raw, &d))
	return d, raw
}

// TestAPI1_OpenAPIMatchesRoutes: every route the handler serves is in the
// document, and every operation of the document is routed.
func TestAPI1_OpenAPIMatchesRoutes(t *testing.T) {
	d, _ := readDocument(t)
	assert.Equal(t, "3.1.0", d.OpenAPI)
	desk, err := helpdesk.New(helpdesk.Config{Store: memory.New()})
	require.NoError(t, err)
	var routed, documented []string
	for _, r := range httpapi.New(desk, httpapi.Options{}).Routes() {
		routed = append(routed, r.Method+" "+r.Path)
	}
	ids := map[string]bool{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			assert.False(t, ids[op.OperationID], "operationId %s twice", op.OperationID)
			ids[op.OperationID] = true
		}
	}
	slices.Sort(routed)
	slices.Sort(documented)
	assert.Equal(t, routed, documented)
	assert.Len(t, slices.Compact(slices.Clone(routed)), len(routed), "no route twice")
}

// TestAPI1_OpenAPIRefsResolve: every $ref of the document names one of its
// components.
func TestAPI1_OpenAPIRefsResolve(t *testing.T) {
	_, raw := readDocument(t)
	var d struct {
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllSubmatch(raw, -1)
	require.NotEmpty(t, refs)
	for _, m := range refs {
		_, ok := d.Components[string(m[1])][string(m[2])]
		assert.True(t, ok, "%s/%s", m[1], m[2])
	}
}

// TestAPI1_OpenAPIExamplesDecode sends every request example of the
// document to its route: each is a body the handler takes (no 400 for an
// unknown member or a wrong type), whatever the helpdesk then says of the
// ids in it.
func TestAPI1_OpenAPIExamplesDecode(t *testing.T) {
	d, _ := readDocument(t)
	fx := newFixture(t, memory.New())
	params := regexp.MustCompile(`\{\w+\}`)
	n := 0
	for path, ops := range d.Paths {
		for method, op := range ops {
			if op.RequestBody == nil {
				continue
			}
			ex := op.RequestBody.Content["application/json"].Example
			require.NotEmpty(t, ex, "%s %s has no example", method, path)
			r := fx.do(t, "a", fx.admin, strings.ToUpper(method), params.ReplaceAllString(path, "x1"), string(ex))
			assert.NotContains(t, []int{http.StatusBadRequest, http.StatusRequestEntityTooLarge}, r.status, "%s %s: %s", method, path, r.body)
			n++
		}
	}
	assert.GreaterOrEqual(t, n, 30)
}

// TestAPI1_OpenAPIServed: GET /openapi.json serves the document.
func TestAPI1_OpenAPIServed(t *testing.T) {
	_, raw := readDocument(t)
	fx := newFixture(t, memory.New())
	r := fx.do(t, "a", fx.agent, "GET", "/openapi.json", nil)
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	assert.Equal(t, raw, r.body)
}
