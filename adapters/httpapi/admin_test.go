package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idOf decodes the id of a created object, requiring status.
func idOf(t *testing.T, r reply, status int) string {
	t.Helper()
	require.Equal(t, status, r.status, "%s", r.body)
	var o struct {
		ID string `json:"id"`
	}
	r.json(t, &o)
	require.NotEmpty(t, o.ID)
	return o.ID
}

// TestAPI1_Categories creates, reads, renames, lists and deletes
// categories over HTTP (CAT rules stay in the helpdesk).
func TestAPI1_Categories(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		root := idOf(t, fx.do(t, "a", fx.admin, "POST", "/categories", map[string]any{"tree": "processing", "name": map[string]string{"en": "Billing", "ko": "결제"}}), http.StatusCreated)
		child := idOf(t, fx.do(t, "a", fx.admin, "POST", "/categories", map[string]any{"parent_id": root, "name": map[string]string{"en": "Refunds"}}), http.StatusCreated)
		r := fx.do(t, "a", fx.agent, "GET", "/categories?tree=processing", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var cats []struct {
			ID   string            `json:"id"`
			Name map[string]string `json:"name"`
		}
		r.json(t, &cats)
		require.Len(t, cats, 2)
		r = fx.do(t, "a", fx.admin, "PATCH", "/categories/"+child, map[string]any{"name": map[string]string{"en": "Refund requests"}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/categories/"+child, nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), "Refund requests")
		r = fx.do(t, "a", fx.admin, "POST", "/categories", map[string]any{"tree": "processing", "name": map[string]string{"fr": "Facture"}})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		assert.NotEmpty(t, problemFields(r.problem(t)))
		r = fx.do(t, "a", fx.agent, "DELETE", "/categories/"+root, nil)
		assert.Equal(t, http.StatusForbidden, r.status, "configuration is the admins' (AGT-3)")
		r = fx.do(t, "a", fx.admin, "DELETE", "/categories/"+root, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var del struct {
			Deleted []string `json:"deleted"`
		}
		r.json(t, &del)
		assert.ElementsMatch(t, []string{root, child}, del.Deleted)
		r = fx.do(t, "b", fx.adminB, "GET", "/categories/"+child, nil)
		assert.Equal(t, http.StatusNotFound, r.status, "SVC-1")
	})
}

// TestAPI1_TemplatesAndForbiddenWords: a template reply over HTTP, its
// preview, and a reply refused for a forbidden word with the hits in the
// problem (FWD-2).
func TestAPI1_TemplatesAndForbiddenWords(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Broken")
		tpl := idOf(t, fx.do(t, "a", fx.admin, "POST", "/templates", map[string]any{"title": "Thanks", "content": "Dear #{customerName}, fixed.", "code": "thx"}), http.StatusCreated)
		r := fx.do(t, "a", fx.agent, "GET", "/templates/"+tpl, nil)
		require.Equal(t, http.StatusOK, r.status)
		r = fx.do(t, "a", fx.admin, "POST", "/templates", map[string]any{"title": "Bad", "content": "#{nope}", "code": "bad"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		assert.Contains(t, problemFields(r.problem(t)), "content")

		r = fx.do(t, "a", fx.admin, "POST", "/forbidden-words", map[string]any{"words": []string{"stupid"}})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)

		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/template-replies/preview", map[string]any{"template_id": tpl, "additions": "Sorry."})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.JSONEq(t, `{"body":"Dear Yun, fixed.\n\nSorry."}`, string(r.body))

		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/replies/preview", map[string]any{"body": "a stupid bug"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		p := r.problem(t)
		require.Len(t, p.ForbiddenWords, 1)
		assert.Equal(t, "stupid", p.ForbiddenWords[0].Word)
		assert.Equal(t, 2, p.ForbiddenWords[0].Start)
		assert.Equal(t, "a stupid bug", p.ForbiddenText)
		assert.Equal(t, []string{"body"}, problemFields(p))

		// A template reply's hits are in the rendered text, which the
		// problem carries: the word sits after the template's text.
		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/template-replies/preview", map[string]any{"template_id": tpl, "additions": "A stupid bug."})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		p = r.problem(t)
		require.Len(t, p.ForbiddenWords, 1)
		assert.Equal(t, "Dear Yun, fixed.\n\nA stupid bug.", p.ForbiddenText)
		assert.Equal(t, "stupid", p.ForbiddenText[p.ForbiddenWords[0].Start:p.ForbiddenWords[0].End])

		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/replies", map[string]any{"body": "a stupid bug"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.Len(t, r.problem(t).ForbiddenWords, 1)

		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/template-replies", map[string]any{"template_id": tpl}, "Idempotency-Key", "k1")
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		first := idOf(t, r, http.StatusCreated)
		again := idOf(t, fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/template-replies", map[string]any{"template_id": tpl}, "Idempotency-Key", "k1"), http.StatusCreated)
		assert.Equal(t, first, again, "STO-3")
		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID+"/comments", nil)
		var cs []map[string]any
		r.json(t, &cs)
		assert.Len(t, cs, 1)
	})
}

// TestAPI1_Triggers: create, schema, reorder, deactivate and dry-run
// triggers over HTTP; agents may not see them.
func TestAPI1_Triggers(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Down")
		mk := func(name string) string {
			return idOf(t, fx.do(t, "a", fx.admin, "POST", "/triggers", map[string]any{"name": name,
				"all":     []map[string]any{{"target": "priority", "op": "is", "value": "urgent"}},
				"actions": []map[string]any{{"kind": "add_tags", "tags": []string{name}}}}), http.StatusCreated)
		}
		one, two := mk("one"), mk("two")
		r := fx.do(t, "a", fx.admin, "GET", "/trigger-schema", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), `"targets"`)
		var sch struct {
			Actions []struct {
				Kind       string   `json:"kind"`
				Recipients []string `json:"recipients"`
			} `json:"actions"`
		}
		r.json(t, &sch)
		kinds := map[string][]string{}
		for _, a := range sch.Actions {
			kinds[a.Kind] = a.Recipients
		}
		assert.Equal(t, []string{"assignee", "group"}, kinds["notify_browser"], "the schema lists every action kind (TRG-6, NTF-4)")
		r = fx.do(t, "a", fx.admin, "POST", "/triggers", map[string]any{"name": "tell the customer",
			"all":     []map[string]any{{"target": "priority", "op": "is", "value": "urgent"}},
			"actions": []map[string]any{{"kind": "notify_browser", "recipient": "customer", "body": map[string]string{"en": "b"}}}})
		require.Equal(t, http.StatusUnprocessableEntity, r.status, "%s", r.body)
		assert.ElementsMatch(t, []string{"actions[0].recipient", "actions[0].subject"}, problemFields(r.problem(t)))
		r = fx.do(t, "a", fx.admin, "PUT", "/trigger-order", map[string]any{"ids": []string{two, one}})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "GET", "/triggers", nil)
		var ts []struct {
			ID string `json:"id"`
		}
		r.json(t, &ts)
		require.Len(t, ts, 2)
		assert.Equal(t, []string{two, one}, []string{ts[0].ID, ts[1].ID})

		r = fx.do(t, "a", fx.admin, "POST", "/tickets/"+tk.ID+"/trigger-dry-run", map[string]any{"event": "updated", "change": map[string]any{"priority": "urgent"}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var rep struct {
			Triggers []struct {
				ID    string `json:"id"`
				Fired bool   `json:"fired"`
			} `json:"triggers"`
		}
		r.json(t, &rep)
		assert.Len(t, rep.Triggers, 2)

		r = fx.do(t, "a", fx.admin, "PUT", "/triggers/"+one+"/active", map[string]any{"active": false})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "POST", "/tickets/"+tk.ID+"/trigger-dry-run", map[string]any{"event": "nope"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.Equal(t, []string{"event"}, problemFields(r.problem(t)))
		r = fx.do(t, "a", fx.agent, "GET", "/triggers", nil)
		assert.Equal(t, http.StatusForbidden, r.status)
		r = fx.do(t, "a", fx.admin, "DELETE", "/triggers/"+two, nil)
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "an active trigger is deactivated first: %s", r.body)
		r = fx.do(t, "a", fx.admin, "DELETE", "/triggers/"+one, nil)
		assert.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "GET", "/triggers/"+one, nil)
		assert.Equal(t, http.StatusNotFound, r.status)
	})
}

// TestAPI1_AgentsGroupsForward: an admin makes a group, puts the agent in
// it, and a ticket is forwarded to it; the outbox is readable.
func TestAPI1_AgentsGroupsForward(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		g := idOf(t, fx.do(t, "a", fx.admin, "POST", "/groups", map[string]any{"name": "Billing", "strategy": "fixed", "fixed_agent_id": fx.agent}), http.StatusCreated)
		r := fx.do(t, "a", fx.admin, "PUT", "/groups/"+g+"/members/"+fx.agent, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/groups/"+g+"/members", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), fx.agent)

		tk := fx.create(t, "a", "Invoice")
		r = fx.do(t, "a", fx.admin, "POST", "/tickets/"+tk.ID+"/forward", map[string]any{"group_id": g})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var got struct {
			GroupID    string `json:"group_id"`
			AssigneeID string `json:"assignee_id"`
		}
		r.json(t, &got)
		assert.Equal(t, g, got.GroupID)
		assert.Equal(t, fx.agent, got.AssigneeID)
		r = fx.do(t, "a", fx.admin, "POST", "/tickets/"+tk.ID+"/forward", map[string]any{})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.Equal(t, []string{"agent_id"}, problemFields(r.problem(t)))

		r = fx.do(t, "a", fx.agent, "GET", "/agents", nil)
		require.Equal(t, http.StatusOK, r.status)
		var as []map[string]any
		r.json(t, &as)
		assert.Len(t, as, 3)
		id := idOf(t, fx.do(t, "a", fx.admin, "POST", "/agents", map[string]any{"name": "Min", "email": "min@a.example"}), http.StatusCreated)
		r = fx.do(t, "a", fx.admin, "PATCH", "/agents/"+id, map[string]any{"version": 1, "active": false})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)

		r = fx.do(t, "a", fx.admin, "GET", "/outbox", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), `"messages":[`)
		r = fx.do(t, "a", fx.admin, "GET", "/outbox/counts", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	})
}

// TestAPI1_FieldsAndLayouts creates a field and puts it in the agent
// layout.
func TestAPI1_FieldsAndLayouts(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		r := fx.do(t, "a", fx.admin, "POST", "/fields", map[string]any{"key": "order_no", "kind": "agent", "type": "text", "label": map[string]string{"en": "Order"}})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/fields/order_no", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "PATCH", "/fields/order_no", map[string]any{"required": true})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "PUT", "/field-layouts/agent", map[string]any{"ids": []string{"order_no"}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/field-layouts/agent", nil)
		require.Equal(t, http.StatusOK, r.status)
		assert.Contains(t, string(r.body), "order_no")
		r = fx.do(t, "a", fx.admin, "POST", "/fields", map[string]any{"key": "Bad Key", "kind": "nope"})
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		assert.GreaterOrEqual(t, len(problemFields(r.problem(t))), 2)
		r = fx.do(t, "a", fx.admin, "DELETE", "/fields/order_no", nil)
		assert.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	})
}
