package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/browser"
	"github.com/deskkit/deskkit/adapters/httpapi"
	"github.com/deskkit/deskkit/adapters/memory"
)

// TestAPI1_SettingsAndRecipients: the settings round-trip with their
// version, recipients are admins' only.
func TestAPI1_SettingsAndRecipients(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		r := fx.do(t, "a", fx.agent, "GET", "/settings", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var cfg struct {
			Version  int64          `json:"version"`
			Settings map[string]any `json:"settings"`
		}
		r.json(t, &cfg)
		r = fx.do(t, "a", fx.admin, "PUT", "/settings", map[string]any{"version": cfg.Version,
			"settings": map[string]any{"name": "A Support", "languages": []string{"en", "ko"}, "channels": map[string]any{"ticket": true}}})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), `"A Support"`)
		r = fx.do(t, "a", fx.admin, "PUT", "/settings", map[string]any{"version": cfg.Version, "settings": map[string]any{"name": "Stale", "languages": []string{"en"}}})
		assert.Equal(t, http.StatusConflict, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "PUT", "/settings", map[string]any{"version": cfg.Version + 1, "settings": map[string]any{"name": "x", "langs": []string{"en"}}})
		assert.Equal(t, http.StatusBadRequest, r.status, "an unknown member of a library type is refused too")

		id := idOf(t, fx.do(t, "a", fx.admin, "POST", "/recipients", map[string]any{"name": "On call", "email": "oncall@a.example"}), http.StatusCreated)
		r = fx.do(t, "a", fx.admin, "PUT", "/recipients/"+id, map[string]any{"name": "On call", "email": "oncall2@a.example"})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/recipients", nil)
		assert.Equal(t, http.StatusForbidden, r.status, "recipients are the admins' (SVC-3)")
		r = fx.do(t, "b", fx.adminB, "DELETE", "/recipients/"+id, nil)
		assert.Equal(t, http.StatusNotFound, r.status, "SVC-1")
		r = fx.do(t, "a", fx.admin, "DELETE", "/recipients/"+id, nil)
		assert.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
	})
}

// TestAPI1_MoreRoutes: ticket by number, category path, move and order,
// template links and search, forbidden-word update, login log and menu
// access.
func TestAPI1_MoreRoutes(t *testing.T) {
	eachStore(t, func(t *testing.T, fx *fixture) {
		tk := fx.create(t, "a", "Numbered")
		r := fx.do(t, "a", fx.agent, "GET", "/ticket-numbers/1", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var got ticket
		r.json(t, &got)
		assert.Equal(t, tk.ID, got.ID)
		r = fx.do(t, "a", fx.agent, "GET", "/ticket-numbers/one", nil)
		assert.Equal(t, http.StatusNotFound, r.status)
		r.problem(t)

		mk := func(parent, name string) string {
			return idOf(t, fx.do(t, "a", fx.admin, "POST", "/categories", map[string]any{"tree": "processing", "parent_id": parent, "name": map[string]string{"en": name}}), http.StatusCreated)
		}
		a, b := mk("", "A"), mk("", "B")
		c := mk(a, "C")
		r = fx.do(t, "a", fx.agent, "GET", "/categories/"+c+"/path", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var path []struct {
			ID string `json:"id"`
		}
		r.json(t, &path)
		require.Len(t, path, 2)
		assert.Equal(t, a, path[0].ID)
		r = fx.do(t, "a", fx.admin, "PUT", "/categories/"+c+"/parent", map[string]any{"parent_id": b})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "PUT", "/category-order", map[string]any{"tree": "processing", "ids": []string{b, a}})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.admin, "PUT", "/category-order", map[string]any{"tree": "processing", "ids": []string{b}})
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "every child once")

		tpl := idOf(t, fx.do(t, "a", fx.admin, "POST", "/templates", map[string]any{"title": "Refund steps", "content": "Step 1", "code": "refund"}), http.StatusCreated)
		r = fx.do(t, "a", fx.admin, "PUT", "/templates/"+tpl+"/categories/"+c, nil)
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/template-search?code_prefix=ref&category_id="+c, nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), tpl)
		r = fx.do(t, "a", fx.agent, "PATCH", "/tickets/"+tk.ID, map[string]any{"version": tk.Version, "processing_category_id": c})
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r = fx.do(t, "a", fx.agent, "GET", "/tickets/"+tk.ID+"/templates", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.Contains(t, string(r.body), tpl)
		r = fx.do(t, "a", fx.admin, "DELETE", "/templates/"+tpl+"/categories/"+c, nil)
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)

		r = fx.do(t, "a", fx.admin, "POST", "/forbidden-words", map[string]any{"words": []string{"dumb"}})
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		var words []struct {
			ID string `json:"id"`
		}
		r.json(t, &words)
		require.Len(t, words, 1)
		r = fx.do(t, "a", fx.admin, "PUT", "/forbidden-words/"+words[0].ID, map[string]any{"word": "dumber"})
		require.Equal(t, http.StatusNoContent, r.status, "%s", r.body)

		r = fx.do(t, "a", fx.admin, "GET", "/login-log?since=2020-01-01T00:00:00Z", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		assert.JSONEq(t, `{"events":[]}`, string(r.body))
		r = fx.do(t, "a", fx.agent, "GET", "/login-log", nil)
		assert.Equal(t, http.StatusForbidden, r.status, "the login log needs its permission (AGT-7)")
		r = fx.do(t, "a", fx.admin, "GET", "/menu-access", nil)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		for _, p := range []string{"/sms", "/dooray"} {
			r = fx.do(t, "a", fx.admin, "GET", p, nil)
			assert.Equal(t, http.StatusOK, r.status, "%s: %s", p, r.body)
		}
		r = fx.do(t, "a", fx.admin, "GET", "/tickets/"+tk.ID+"/dooray", nil)
		assert.Equal(t, http.StatusNotFound, r.status, "never transferred: %s", r.body)

		// Customer replies are the system's only (SVC-3).
		r = fx.do(t, "a", fx.agent, "POST", "/tickets/"+tk.ID+"/customer-replies", map[string]any{"body": "me again"})
		assert.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
		r = fx.do(t, "a", "system", "POST", "/tickets/"+tk.ID+"/customer-replies", map[string]any{"body": "me again"}, "Idempotency-Key", "mail-1")
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		r.json(t, &got)
		assert.Equal(t, tk.ID, got.ID)
	})
}

// TestAPI1_NotificationsMount: GET /notifications reaches the mounted
// browser hub after the handler's own authentication; without a hub it is
// a 404 problem.
func TestAPI1_NotificationsMount(t *testing.T) {
	hub := browser.New(browser.Options{Authenticate: func(r *http.Request) (string, string, error) {
		return r.Header.Get("X-Service"), r.Header.Get("X-Agent"), nil
	}})
	fx := newFixture(t, memory.New(), func(o *httpapi.Options) { o.Notifications = hub })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", fx.srv.URL+"/notifications", nil)
	require.NoError(t, err)
	req.Header.Set("X-Service", "a")
	req.Header.Set("X-Agent", fx.agent)
	res, err := fx.srv.Client().Do(req)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	cancel()
	_ = res.Body.Close()

	r := fx.do(t, "", fx.agent, "GET", "/notifications", nil)
	assert.Equal(t, http.StatusUnauthorized, r.status, "the handler authenticates before the hub")

	plain := newFixture(t, memory.New())
	r = plain.do(t, "a", plain.agent, "GET", "/notifications", nil)
	assert.Equal(t, http.StatusNotFound, r.status)
	r.problem(t)
}
