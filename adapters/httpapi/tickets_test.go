package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/httpapi"
)

// TestAPI1_Unauthenticated: without the host's consent nothing answers but
// 401 — not a ticket, not the document, not even an unknown route.
func TestAPI1_Unauthenticated(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		for _, path := range []string{"/tickets", "/openapi.json", "/no/such/route"} {
			r := fx.do(t, "", "system", "GET", path, nil)
			assert.Equal(t, http.StatusUnauthorized, r.status, path)
			r.problem(t)
		}
	})
}

// TestAPI1_TicketFlow creates, reads, lists, updates, replies, solves and
// reads the comments and history of a ticket over HTTP.
func TestAPI1_TicketFlow(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Refund")
		assert.Equal(t, "new", tk.Status)
		assert.Equal(t, int64(1), tk.Number)

		r := fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var got ticket
		r.json(t, &got)
		assert.Equal(t, tk, got)

		r = fx.do(t, "a", fx.agent, "PATCH", "/tickets/"+tk.ID, map[string]any{"version": tk.Version, "priority": "high", "tags": []string{"VIP"}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &got)
		assert.Equal(t, "high", got.Priority)
		assert.Equal(t, []string{"vip"}, got.Tags)
		assert.Equal(t, "Refund", got.Title, "absent members keep their value")

		// TKT-8: a stale version is a conflict.
		r = fx.do(t, "a", fx.agent, "PATCH", "/tickets/"+tk.ID, map[string]any{"version": tk.Version, "title": "Stale"})
		assert.Equal(t, http.StatusConflict, r.status)
		assert.Contains(t, r.problem(t).Detail, "conflict: ")

		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/replies", map[string]any{"body": "Refunded", "status": "pending"})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		var c struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
			Body string `json:"body"`
		}
		r.json(t, &c)
		assert.Equal(t, "public", c.Kind)

		r = fx.do(t, "a", fx.agent, "PUT", "/tickets/"+tk.ID+"/status", map[string]any{"status": "open"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/solve", map[string]any{"internal": true})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &got)
		assert.Equal(t, "solved", got.Status)

		// TKT-2: an illegal move names the status.
		r = fx.do(t, "a", fx.agent, "PUT", "/tickets/"+tk.ID+"/status", map[string]any{"status": "pending"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		assert.Equal(t, []string{"status"}, problemFields(r.problem(t)))

		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID+"/comments", nil)
		require.Equal(t, http.StatusOK, r.status)
		var cs []map[string]any
		r.json(t, &cs)
		require.Len(t, cs, 1)
		assert.Equal(t, "Refunded", cs[0]["body"])

		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID+"/history", nil)
		require.Equal(t, http.StatusOK, r.status)
		var hist []struct{ Field, To string }
		r.json(t, &hist)
		fields := []string{}
		for _, h := range hist {
			fields = append(fields, h.Field)
		}
		assert.Contains(t, fields, "ticket")
		assert.Contains(t, fields, "priority")
		assert.Contains(t, fields, "status")
	})
}

// TestAPI1_ListPaging walks the ticket list page by page with the cursor
// and filters it by status.
func TestAPI1_ListPaging(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		for _, title := range []string{"one", "two", "three"} {
			fx.create(t, "a", title)
		}
		var titles []string
		path := "/tickets?limit=2"
		for pages := 0; pages < 5; pages++ {
			r := fx.do(t, "a", fx.agent, "GET", path, nil)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			var p struct {
				Tickets []ticket `json:"tickets"`
				Next    string   `json:"next"`
			}
			r.json(t, &p)
			for _, tk := range p.Tickets {
				titles = append(titles, tk.Title)
			}
			if p.Next == "" {
				break
			}
			path = "/tickets?limit=2&cursor=" + p.Next
		}
		assert.Equal(t, []string{"three", "two", "one"}, titles, "newest first, each once")

		r := fx.do(t, "a", fx.agent, "GET", "/tickets?status=solved", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `{"tickets":[]}`, string(r.body))

		r = fx.do(t, "a", fx.agent, "GET", "/tickets?status=lost&limit=9999", nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		p := r.problem(t)
		assert.ElementsMatch(t, []string{"statuses", "limit"}, problemFields(p))

		r = fx.do(t, "a", fx.agent, "GET", "/tickets?limit=ten", nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.Equal(t, []string{"limit"}, problemFields(r.problem(t)))
	})
}

// TestSTO3_IdempotencyKeyHeader: a creation retried with the same
// Idempotency-Key returns the first ticket.
func TestSTO3_IdempotencyKeyHeader(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		body := map[string]any{"title": "Once", "content": "x", "channel": "api"}
		var first, again ticket
		r := fx.do(t, "a", "system", "POST", "/tickets", body, "Idempotency-Key", "req-1")
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		r.json(t, &first)
		r = fx.do(t, "a", "system", "POST", "/tickets", body, "Idempotency-Key", "req-1")
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		r.json(t, &again)
		assert.Equal(t, first.ID, again.ID)
		r = fx.do(t, "a", "system", "GET", "/tickets", nil)
		assert.Equal(t, 1, strings.Count(string(r.body), `"title":"Once"`))
	})
}

// TestSVC1_TenantIsolation: service b's admin cannot see or touch service
// a's ticket over HTTP; its id answers 404 like an unknown one.
func TestSVC1_TenantIsolation(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Secret")
		for _, c := range []struct{ method, path string }{
			{"GET", "/tickets/" + tk.ID}, {"GET", "/tickets/" + tk.ID + "/history"},
			{"POST", "/tickets/" + tk.ID + "/replies"}, {"PUT", "/tickets/" + tk.ID + "/status"},
		} {
			var body any
			if c.method != "GET" {
				body = map[string]any{"body": "mine now", "status": "open"}
				if strings.HasSuffix(c.path, "status") {
					body = map[string]any{"status": "open"}
				}
			}
			r := fx.do(t, "b", fx.adminB, c.method, c.path, body)
			assert.Equal(t, http.StatusNotFound, r.status, "%s %s: %s", c.method, c.path, r.body)
			r.problem(t)
		}
		r := fx.do(t, "b", fx.adminB, "GET", "/tickets", nil)
		assert.JSONEq(t, `{"tickets":[]}`, string(r.body))
		// An agent of a acting in b is nobody there.
		r = fx.do(t, "b", fx.agent, "GET", "/tickets", nil)
		assert.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.status, "%s", r.body)
	})
}

// TestSVC3_PermissionDenied: an agent without the ticket permission gets
// 403 and changes nothing; an agent may not change the configuration.
func TestSVC3_PermissionDenied(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Hands off")
		r := fx.do(t, "a", fx.noTicket, "GET", "/tickets/"+tk.ID, nil)
		assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
		assert.Contains(t, r.problem(t).Detail, "forbidden: ")
		r = fx.do(t, "a", fx.noTicket, "POST", "/tickets/"+tk.ID+"/replies", map[string]any{"body": "hi"})
		assert.Equal(t, http.StatusForbidden, r.status)
		r = fx.do(t, "a", fx.agent, "POST", "/groups", map[string]any{"name": "Mine"})
		assert.Equal(t, http.StatusForbidden, r.status)
		r = fx.do(t, "a", fx.agent, "GET", "/history/export", nil)
		assert.Equal(t, http.StatusForbidden, r.status, "export needs its permission (AGT-4)")
		r.problem(t)
		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID+"/comments", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.JSONEq(t, `[]`, string(r.body), "the refused reply stored nothing")
	})
}

// TestAPI1_ProblemFields: bad input answers 422 naming every bad field.
func TestAPI1_ProblemFields(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		r := fx.do(t, "a", "system", "POST", "/tickets", map[string]any{"title": "", "content": "", "channel": "pigeon", "priority": "meh"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		p := r.problem(t)
		assert.Equal(t, "urn:deskkit:problem:invalid", p.Type)
		assert.Subset(t, problemFields(p), []string{"title", "content", "channel", "priority"})
		assert.True(t, strings.HasPrefix(p.Detail, "invalid: "), p.Detail)
	})
}

// TestAPI1_BodyRefusals: malformed JSON, unknown members, trailing data
// and an empty body are 400; a body over the limit is 413.
func TestAPI1_BodyRefusals(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		for name, body := range map[string]string{
			"malformed": `{"title":`,
			"unknown":   `{"title":"x","content":"y","colour":"red"}`,
			"trailing":  `{"title":"x","content":"y"} {}`,
			"empty":     ``,
			"array":     `[1,2]`,
		} {
			r := fx.do(t, "a", "system", "POST", "/tickets", body)
			assert.Equal(t, http.StatusBadRequest, r.status, "%s: %s", name, r.body)
			r.problem(t)
		}
		big, _ := json.Marshal(map[string]any{"title": "x", "content": strings.Repeat("y", 5<<10)})
		r := fx.do(t, "a", "system", "POST", "/tickets", string(big))
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.status, "%s", r.body)
		r.problem(t)
		r = fx.do(t, "a", "system", "GET", "/tickets", nil)
		assert.JSONEq(t, `{"tickets":[]}`, string(r.body), "no refused body created a ticket")
	})
}

// TestAPI1_NotFound: an unknown ticket and an unknown route answer 404
// problems.
func TestAPI1_NotFound(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		r := fx.do(t, "a", fx.agent, "GET", "/tickets/0192f3a4-0000-7000-8000-000000000000", nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Contains(t, r.problem(t).Detail, "not found: ")
		r = fx.do(t, "a", fx.agent, "GET", "/nothing/here", nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		r.problem(t)
		r = fx.do(t, "a", fx.agent, "DELETE", "/tickets", nil)
		assert.Equal(t, http.StatusMethodNotAllowed, r.status, "a method the path does not take")
		assert.Equal(t, "GET, POST", r.header.Get("Allow"))
		r.problem(t)
	})
}

// TestAPI1_ExportHistory streams a ticket's history as CSV and JSON lines.
func TestAPI1_ExportHistory(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Exported")
		r := fx.do(t, "a", fx.admin, "GET", "/history/export?format=csv&ticket_id="+tk.ID, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Equal(t, "text/csv", r.header.Get("Content-Type"))
		lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
		assert.Equal(t, "id,ticket_id,at,actor_kind,actor_id,event,field,from,to", strings.TrimSpace(lines[0]))
		assert.Len(t, lines, 2)

		r = fx.do(t, "a", fx.admin, "GET", "/history/export?ticket_id="+tk.ID, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "application/jsonl", r.header.Get("Content-Type"))
		var row struct {
			TicketID string `json:"ticket_id"`
			Field    string `json:"field"`
		}
		require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(r.body))), &row))
		assert.Equal(t, tk.ID, row.TicketID)

		r = fx.do(t, "a", fx.admin, "GET", "/history/export?format=xml&since=yesterday", nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.ElementsMatch(t, []string{"format", "since"}, problemFields(r.problem(t)))
	})
}

// problemFields lists the fields a problem names.
func problemFields(p httpapi.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}
