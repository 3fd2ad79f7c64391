package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
)

// docURL is the URL the OpenAPI document is compiled under.
const docURL = "file:///openapi.json"

// freeForm are the 2xx JSON responses whose body is free-form on purpose,
// each with why; every other one has a typed schema
// (TestAPI1_OpenAPIResponsesTyped).
var freeForm = map[string]string{
	// The OpenAPI document itself: its shape is the OpenAPI 3.1
	// meta-schema's, which this document does not restate.
	"GET /openapi.json 200": "the OpenAPI document",
}

// responseKey names a documented response: "GET /tickets/{id} 200".
func responseKey(method, path, status string) string {
	return strings.ToUpper(method) + " " + path + " " + status
}

// jsonResponses returns every 2xx application/json response of the
// document, by responseKey, with the JSON pointer of its schema.
func jsonResponses(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	var d struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	esc := strings.NewReplacer("~", "~0", "/", "~1")
	out := map[string]string{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			for status, res := range op.Responses {
				if _, ok := res.Content["application/json"]; ok && strings.HasPrefix(status, "2") {
					out[responseKey(method, path, status)] = "#/paths/" + esc.Replace(path) + "/" + method + "/responses/" + status +
						"/content/application~1json/schema"
				}
			}
		}
	}
	return out
}

// strict returns the document with "unevaluatedProperties": false added
// to every schema that lists properties, so that a response member the
// document does not name fails validation: the document stays open to
// new members for its readers, the test holds it to the exact shape of
// the Go types.
func strict(t *testing.T, raw []byte) any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if _, ok := v["properties"].(map[string]any); ok {
				if _, set := v["additionalProperties"]; !set {
					v["unevaluatedProperties"] = false
				}
			}
			for k, x := range v {
				if k != "example" {
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return doc
}

// validator checks response bodies against the document's schemas.
type validator struct {
	c       *jsonschema.Compiler
	schemas map[string]string // responseKey: schema pointer
	covered map[string]bool   // responseKey: validated once
}

func newValidator(t *testing.T) *validator {
	_, raw := readDocument(t)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	require.NoError(t, c.AddResource(docURL, strict(t, raw)))
	return &validator{c: c, schemas: jsonResponses(t, raw), covered: map[string]bool{}}
}

// check validates r, the answer to method on the route path (as in the
// document), against the schema the document gives its status.
func (v *validator) check(t *testing.T, method, path string, r reply) {
	t.Helper()
	key := responseKey(method, path, strconv.Itoa(r.status))
	ptr, ok := v.schemas[key]
	require.True(t, ok, "%s is not a documented JSON response: %s", key, r.body)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"), key)
	sch, err := v.c.Compile(docURL + ptr)
	require.NoError(t, err, key)
	body, err := jsonschema.UnmarshalJSON(bytes.NewReader(r.body))
	require.NoError(t, err, "%s: %s", key, r.body)
	if err := sch.Validate(body); err != nil {
		t.Errorf("%s: the body does not match the documented schema: %v\nbody: %s", key, err, r.body)
	}
	v.covered[key] = true
}

// TestAPI1_OpenAPIResponsesTyped: every 2xx JSON response of the document
// has a typed schema: no bare {}, no object without properties, no array
// without items, following $refs; freeForm lists the exceptions.
func TestAPI1_OpenAPIResponsesTyped(t *testing.T) {
	_, raw := readDocument(t)
	var doc any
	require.NoError(t, json.Unmarshal(raw, &doc))
	schemas := doc.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
	pointer := func(ptr string) any {
		var v any = doc
		for _, p := range strings.Split(strings.TrimPrefix(ptr, "#/"), "/") {
			p = strings.NewReplacer("~1", "/", "~0", "~").Replace(p)
			v = v.(map[string]any)[p]
		}
		return v
	}
	var check func(where string, s any, seen map[string]bool)
	check = func(where string, s any, seen map[string]bool) {
		m, ok := s.(map[string]any)
		if !assert.True(t, ok, "%s: a schema is an object", where) {
			return
		}
		if r, ok := m["$ref"].(string); ok {
			name := strings.TrimPrefix(r, "#/components/schemas/")
			if !seen[name] {
				seen[name] = true
				check(name, schemas[name], seen)
			}
			return
		}
		for _, k := range []string{"anyOf", "oneOf", "allOf"} {
			if subs, ok := m[k].([]any); ok {
				for i, sub := range subs {
					check(where+"/"+k+"/"+strconv.Itoa(i), sub, seen)
				}
				return
			}
		}
		if _, ok := m["enum"]; ok {
			return
		}
		if _, ok := m["const"]; ok {
			return
		}
		types := map[string]bool{}
		switch ty := m["type"].(type) {
		case string:
			types[ty] = true
		case []any:
			for _, x := range ty {
				types[x.(string)] = true
			}
		default:
			t.Errorf("%s: untyped schema %v", where, m)
			return
		}
		if types["object"] {
			props, hasProps := m["properties"].(map[string]any)
			add, hasAdd := m["additionalProperties"].(map[string]any)
			assert.True(t, hasProps || hasAdd, "%s: an object without properties", where)
			for name, p := range props {
				check(where+"."+name, p, seen)
			}
			if hasAdd {
				check(where+".*", add, seen)
			}
		}
		if types["array"] {
			items, ok := m["items"]
			if assert.True(t, ok, "%s: an array without items", where) {
				check(where+"[]", items, seen)
			}
		}
	}
	responses := jsonResponses(t, raw)
	require.NotEmpty(t, responses)
	for key, ptr := range responses {
		if _, ok := freeForm[key]; ok {
			continue
		}
		check(key, pointer(ptr), map[string]bool{})
	}
}

// peers are the NHN Cloud SMS and Dooray! APIs the desk's ports call, as
// httptest servers answering the calls the routes make.
type peers struct{ sms, dooray *httptest.Server }

const okHeader = `"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"}`

func newPeers(t *testing.T) peers {
	sms := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "GET /sms/v3.0/appKeys/APPKEY/sendNos", r.Method+" "+r.URL.Path)
		assert.Equal(t, "SECRET", r.Header.Get("X-Secret-Key"))
		_, _ = io.WriteString(w, `{`+okHeader+`,"body":{"pageNum":1,"pageSize":100,"totalCount":1,"data":[{"sendNo":"0212345678","useYn":"Y","blockYn":"N"}]}}`)
	}))
	t.Cleanup(sms.Close)
	dry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "dooray-api TENANT", r.Header.Get("Authorization"))
		switch r.Method + " " + r.URL.Path {
		case "GET /common/v1/members": // nobody has the agent's or the registrant's address
			_, _ = io.WriteString(w, `{`+okHeader+`,"result":[]}`)
		case "POST /project/v1/projects/1001/posts":
			_, _ = io.WriteString(w, `{`+okHeader+`,"result":{"id":"4001"}}`)
		default:
			t.Errorf("unexpected Dooray! call %s %s", r.Method, r.URL)
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(dry.Close)
	return peers{sms: sms, dooray: dry}
}

// TestAPI1_OpenAPIResponsesValidate drives a representative call of every
// route that answers a JSON 2xx body against a seeded desk, on every
// store, and validates each body against the schema the document gives
// that route and status (API-1). A member the document does not name, a
// wrong type, a missing required member or a value outside an enum fails;
// secrets must read back masked (SEC-1). Every documented 2xx JSON
// response must have been validated at least once.
func TestAPI1_OpenAPIResponsesValidate(t *testing.T) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			p := newPeers(t)
			fx := newFixtureConfig(t, helpdesk.Config{Store: st.open(t),
				SMSNumbers:  nhnsms.New(nhnsms.Options{BaseURL: p.sms.URL}),
				DoorayTasks: dooray.Tasks{Client: dooray.NewClient(dooray.ClientOptions{BaseURL: p.dooray.URL})}})
			v := newValidator(t)
			driveEveryRoute(t, fx, v)
			var missing []string
			for key := range v.schemas {
				if !v.covered[key] {
					missing = append(missing, key)
				}
			}
			slices.Sort(missing)
			assert.Empty(t, missing, "documented 2xx JSON responses no call validated")
		})
	}
}

// driveEveryRoute calls every route with a JSON 2xx answer, as the admin
// unless said, and validates each answer.
func driveEveryRoute(t *testing.T, fx *fixture, v *validator) {
	ctx := context.Background()
	// call sends the request to path (route's parameters filled in),
	// requires status and validates the body against the document's
	// schema for route.
	call := func(as, method, route, path string, body any, status int, hdr ...string) reply {
		t.Helper()
		r := fx.do(t, "a", as, method, path, body, hdr...)
		require.Equal(t, status, r.status, "%s %s: %s", method, path, r.body)
		v.check(t, method, route, r)
		return r
	}
	id := func(r reply) string {
		t.Helper()
		var o struct {
			ID string `json:"id"`
		}
		r.json(t, &o)
		require.NotEmpty(t, o.ID, "%s", r.body)
		return o.ID
	}
	admin := fx.admin

	call(fx.agent, "GET", "/openapi.json", "/openapi.json", nil, 200)

	// Settings, SMS and Dooray!: secrets read back masked (SEC-1).
	r := call(fx.agent, "GET", "/settings", "/settings", nil, 200)
	var cfg struct {
		Version int64 `json:"version"`
	}
	r.json(t, &cfg)
	call(admin, "PUT", "/settings", "/settings", map[string]any{"version": cfg.Version, "settings": map[string]any{
		"name": "A Support", "languages": []string{"en", "ko"}, "default_language": "en",
		"channels": map[string]any{"ticket": true, "phone": true}, "sms_enabled": true,
		"tickets":                  map[string]any{"group_at_creation": true, "close_after": int64(72 * time.Hour)},
		"internal_resolution_text": map[string]string{"en": "Solved internally"},
		"mail": map[string]any{"from_name": "A", "from_address": "help@a.example",
			"resolve": map[string]any{"enabled": true, "subject": map[string]string{"en": "Solved"}, "body": map[string]string{"en": "Done: #{content}"}}},
		"surge": map[string]any{"enabled": true, "window": int64(time.Hour), "threshold": 5, "cooldown": int64(time.Hour),
			"weekdays": []bool{false, true, true, true, true, true, false}, "agent_ids": []string{admin},
			"templates": map[string]any{"email": map[string]any{"subject": map[string]string{"en": "Surge"}, "body": map[string]string{"en": "#{count} new"}}}},
	}}, 200)
	call(admin, "PUT", "/sms", "/sms", map[string]any{"app_key": "APPKEY", "secret_key": "SECRET", "sender_numbers": []string{"0212345678"}}, 200)
	r = call(admin, "GET", "/sms", "/sms", nil, 200)
	assert.NotContains(t, string(r.body), "SECRET", "SEC-1")
	call(admin, "PUT", "/dooray", "/dooray", map[string]any{"active": true, "org_name": "acme", "org_id": "9", "token": "TENANT",
		"projects": []map[string]any{{"name": "Support", "id": "1001", "registrant": "lead@acme.example"}}}, 200)
	r = call(admin, "POST", "/dooray/hook-token", "/dooray/hook-token", nil, 200)
	var hook struct {
		Token string `json:"token"`
	}
	r.json(t, &hook)
	r = call(fx.agent, "GET", "/dooray/projects", "/dooray/projects", nil, 200)
	assert.JSONEq(t, `[{"name":"Support","id":"1001","registrant":"lead@acme.example"}]`, string(r.body), "an agent picks the project (DRY-2)")
	r = call(admin, "GET", "/dooray", "/dooray", nil, 200)
	assert.NotContains(t, string(r.body), "TENANT", "SEC-1")
	assert.NotContains(t, string(r.body), hook.Token, "SEC-1")
	r = call(fx.agent, "GET", "/settings", "/settings", nil, 200)
	assert.Contains(t, string(r.body), `"sms":{`, "the SMS settings are in the record, masked")

	// Categories.
	billing := id(call(admin, "POST", "/categories", "/categories", map[string]any{"tree": "processing", "name": map[string]string{"en": "Billing", "ko": "결제"}}, 201))
	shipping := id(call(admin, "POST", "/categories", "/categories", map[string]any{"tree": "processing", "name": map[string]string{"en": "Shipping"}}, 201))
	refunds := id(call(admin, "POST", "/categories", "/categories", map[string]any{"parent_id": billing, "name": map[string]string{"en": "Refunds"}}, 201))
	intake := id(call(admin, "POST", "/categories", "/categories", map[string]any{"tree": "intake", "name": map[string]string{"en": "Orders"}}, 201))
	call(fx.agent, "GET", "/categories", "/categories?tree=processing", nil, 200)
	call(fx.agent, "GET", "/categories/{id}", "/categories/"+refunds, nil, 200)
	call(admin, "PATCH", "/categories/{id}", "/categories/"+refunds, map[string]any{"name": map[string]string{"en": "Refund requests"}}, 200)
	returns := id(call(admin, "POST", "/categories", "/categories", map[string]any{"parent_id": intake, "name": map[string]string{"en": "Returns"}}, 201))
	call(admin, "PATCH", "/categories/{id}", "/categories/"+returns, map[string]any{"enabled": false}, 200)
	call(fx.agent, "GET", "/categories/{id}/path", "/categories/"+refunds+"/path", nil, 200)
	call(admin, "PUT", "/categories/{id}/parent", "/categories/"+refunds+"/parent", map[string]any{"parent_id": shipping}, 200)

	// Fields and layouts (the list has the system fields too).
	call(admin, "POST", "/fields", "/fields", map[string]any{"key": "order_no", "kind": "agent", "type": "text", "label": map[string]string{"en": "Order"}}, 201)
	call(admin, "POST", "/fields", "/fields", map[string]any{"key": "size", "kind": "customer", "type": "select", "required": false,
		"label": map[string]string{"en": "Size"}, "help_text": map[string]string{"en": "Pick one"},
		"options": []map[string]any{{"value": "s", "label": map[string]string{"en": "Small"}}, {"value": "l"}}}, 201)
	call(fx.agent, "GET", "/fields", "/fields", nil, 200)
	call(fx.agent, "GET", "/fields/{key}", "/fields/size", nil, 200)
	call(admin, "PATCH", "/fields/{key}", "/fields/order_no", map[string]any{"required": true}, 200)
	call(admin, "PUT", "/field-layouts/agent", "/field-layouts/agent", map[string]any{"ids": []string{"order_no"}}, 200)
	call(fx.agent, "GET", "/field-layouts/agent", "/field-layouts/agent", nil, 200)
	call(fx.agent, "GET", "/field-layouts/customer/{category_id}", "/field-layouts/customer/"+intake, nil, 200)
	call(admin, "PUT", "/field-layouts/customer/{category_id}", "/field-layouts/customer/"+intake, map[string]any{"ids": []string{"size"}}, 200)

	// Templates and forbidden words.
	tpl := id(call(admin, "POST", "/templates", "/templates", map[string]any{"title": "Thanks", "content": "Dear #{customerName}, done.", "code": "thx",
		"category_ids": []string{billing}}, 201))
	call(admin, "PUT", "/templates/{id}", "/templates/"+tpl, map[string]any{"title": "Thanks!", "content": "Dear #{customerName}, done.", "code": "thx",
		"category_ids": []string{billing}}, 200)
	call(fx.agent, "GET", "/templates", "/templates", nil, 200)
	call(fx.agent, "GET", "/templates/{id}", "/templates/"+tpl, nil, 200)
	call(fx.agent, "GET", "/template-search", "/template-search?code_prefix=th", nil, 200)
	call(admin, "POST", "/forbidden-words", "/forbidden-words", map[string]any{"words": []string{"stupid", "dumb"}}, 201)
	call(fx.agent, "GET", "/forbidden-words", "/forbidden-words", nil, 200)

	// Agents, groups and members.
	minID := id(call(admin, "POST", "/agents", "/agents", map[string]any{"account": "min", "name": "Min", "email": "min@a.example", "role": "agent",
		"permissions": map[string]bool{"ticket": true, "view_logs": true}, "cti_id": "c-7", "extension": "207"}, 201))
	call(fx.agent, "GET", "/agents", "/agents", nil, 200)
	call(fx.agent, "GET", "/agents/{id}", "/agents/"+minID, nil, 200)
	call(admin, "PATCH", "/agents/{id}", "/agents/"+minID, map[string]any{"version": 1, "role": "admin"}, 200)
	call(admin, "PUT", "/agents/{id}/toggles", "/agents/"+minID+"/toggles", map[string]any{"ticket_assignment": true, "assignment_control": true}, 200)
	group := id(call(admin, "POST", "/groups", "/groups", map[string]any{"name": "Billing", "strategy": "round_robin"}, 201))
	call(admin, "PUT", "/groups/{id}", "/groups/"+group, map[string]any{"name": "Billing", "strategy": "fixed", "fixed_agent_id": fx.agent}, 200)
	call(fx.agent, "GET", "/groups", "/groups", nil, 200)
	call(admin, "PUT", "/groups/{id}/members/{agent_id}", "/groups/"+group+"/members/"+fx.agent, nil, 200)
	call(fx.agent, "GET", "/groups/{id}/members", "/groups/"+group+"/members", nil, 200)

	// Recipients: the hook URL reads back masked (SEC-1).
	rcp := id(call(admin, "POST", "/recipients", "/recipients", map[string]any{"name": "On call", "email": "oncall@a.example",
		"dooray_hook_url": "https://hook.dooray.com/services/1/2/SECRETHOOK"}, 201))
	call(admin, "PUT", "/recipients/{id}", "/recipients/"+rcp, map[string]any{"name": "On call", "phone": "01012345678",
		"dooray_hook_url": "https://hook.dooray.com/" + "********"}, 200)
	r = call(admin, "GET", "/recipients", "/recipients", nil, 200)
	assert.NotContains(t, string(r.body), "SECRETHOOK", "SEC-1")

	// Triggers: hook and callback URLs read back masked (SEC-1).
	trg := map[string]any{"name": "Urgent", "description": "urgent tickets",
		"all": []map[string]any{{"target": "event", "op": "is", "value": "created"}},
		"any": []map[string]any{{"target": "priority", "op": "in", "value": []string{"high", "urgent"}}, {"target": "tags", "op": "contains", "value": []string{"vip"}}},
		"actions": []map[string]any{
			{"kind": "add_tags", "tags": []string{"hot"}},
			{"kind": "set_field", "field": "agent_fields.order_no", "value": "A-1"},
			{"kind": "assign_fixed", "group_id": group, "agent_id": fx.agent},
			{"kind": "notify", "recipient": "assignee", "subject": map[string]string{"en": "#{title}"}, "body": map[string]string{"en": "New: #{title}"}},
			{"kind": "dooray", "url": "https://hook.dooray.com/services/1/2/TRIGGERHOOK", "body": map[string]string{"en": "#{title}"}},
			{"kind": "callback", "url": "https://cb.example/deskkit?sig=CALLBACKSECRET"},
		}}
	trigger := id(call(admin, "POST", "/triggers", "/triggers", trg, 201))
	trg["name"] = "Urgent!"
	call(admin, "PUT", "/triggers/{id}", "/triggers/"+trigger, trg, 200)
	call(admin, "GET", "/triggers", "/triggers", nil, 200)
	r = call(admin, "GET", "/triggers/{id}", "/triggers/"+trigger, nil, 200)
	assert.NotContains(t, string(r.body), "TRIGGERHOOK", "SEC-1")
	call(admin, "GET", "/trigger-schema", "/trigger-schema", nil, 200)

	// Tickets and their work.
	tk := id(call("system", "POST", "/tickets", "/tickets", map[string]any{"title": "Refund", "content": "Order 42", "channel": "api",
		"priority": "high", "language": "en", "intake_category_id": intake, "tags": []string{"vip"},
		"requester":       map[string]string{"name": "Yun", "email": "yun@example.com", "phone": "01011112222"},
		"customer_fields": map[string]any{"size": "s"}}, 201, "Idempotency-Key", "create-1"))
	call(fx.agent, "GET", "/tickets", "/tickets?limit=10", nil, 200)
	r = call(fx.agent, "GET", "/tickets/{id}", "/tickets/"+tk, nil, 200)
	var got ticket
	r.json(t, &got)
	call(fx.agent, "GET", "/ticket-numbers/{number}", "/ticket-numbers/"+strconv.Itoa(int(got.Number)), nil, 200)
	call(fx.agent, "PATCH", "/tickets/{id}", "/tickets/"+tk, map[string]any{"version": got.Version, "processing_category_id": billing,
		"agent_fields": map[string]any{"order_no": "A-2"}}, 200)
	call(admin, "POST", "/tickets/{id}/trigger-dry-run", "/tickets/"+tk+"/trigger-dry-run", map[string]any{"event": "created"}, 200)
	r = call(admin, "POST", "/tickets/{id}/trigger-dry-run", "/tickets/"+tk+"/trigger-dry-run", map[string]any{"event": "updated", "change": map[string]any{"priority": "urgent"}}, 200)
	assert.NotContains(t, string(r.body), "TRIGGERHOOK", "SEC-1")
	assert.NotContains(t, string(r.body), "CALLBACKSECRET", "SEC-1")
	call(fx.agent, "GET", "/tickets/{id}/templates", "/tickets/"+tk+"/templates", nil, 200)
	call(fx.agent, "POST", "/tickets/{id}/replies/preview", "/tickets/"+tk+"/replies/preview", map[string]any{"body": "On it."}, 200)
	call(fx.agent, "POST", "/tickets/{id}/replies", "/tickets/"+tk+"/replies", map[string]any{"body": "On it.", "status": "pending"}, 201, "Idempotency-Key", "reply-1")
	call(fx.agent, "POST", "/tickets/{id}/template-replies/preview", "/tickets/"+tk+"/template-replies/preview", map[string]any{"template_id": tpl, "additions": "Sorry."}, 200)
	call(fx.agent, "POST", "/tickets/{id}/template-replies", "/tickets/"+tk+"/template-replies", map[string]any{"template_id": tpl, "internal": true}, 201)
	call("system", "POST", "/tickets/{id}/customer-replies", "/tickets/"+tk+"/customer-replies", map[string]any{"body": "Thanks"}, 200)
	call(fx.agent, "GET", "/tickets/{id}/comments", "/tickets/"+tk+"/comments", nil, 200)
	call(fx.agent, "PUT", "/tickets/{id}/status", "/tickets/"+tk+"/status", map[string]any{"status": "pending"}, 200)
	call(admin, "POST", "/tickets/{id}/forward", "/tickets/"+tk+"/forward", map[string]any{"group_id": group}, 200)
	call(admin, "POST", "/tickets/{id}/dooray", "/tickets/"+tk+"/dooray", map[string]any{"project_id": "1001"}, 201)
	call(fx.agent, "GET", "/tickets/{id}/dooray", "/tickets/"+tk+"/dooray", nil, 200)
	call(fx.agent, "POST", "/tickets/{id}/solve", "/tickets/"+tk+"/solve", map[string]any{"internal": true}, 200)
	call(fx.agent, "GET", "/tickets/{id}/history", "/tickets/"+tk+"/history", nil, 200)
	rec, err := fx.desk.ReceiveMail(ctx, "a", "inbox", mail.Message{MessageID: "m1@customer.example",
		From: mail.Address{Name: "Yun", Address: "yun@example.com"}, Subject: "Screenshot", Text: "see attached",
		Attachments: []mail.Attachment{{Name: "a.png", ContentType: "image/png", Size: 3, Content: []byte("png")}}})
	require.NoError(t, err)
	call(fx.agent, "GET", "/tickets/{id}/attachments", "/tickets/"+rec.TicketID+"/attachments", nil, 200)

	// The outbox has the trigger's notifications: the Dooray! hook and the
	// callback URL masked (SEC-1).
	r = call(admin, "GET", "/outbox", "/outbox", nil, 200)
	assert.NotContains(t, string(r.body), "TRIGGERHOOK", "SEC-1")
	assert.Contains(t, string(r.body), `"medium":"dooray"`, "the trigger fired on creation")
	call(admin, "GET", "/outbox/counts", "/outbox/counts", nil, 200)

	// The login log and menu access.
	_, err = fx.desk.Service("a").As(helpdesk.System).Agents().RecordLogin(ctx, agent.LoginEvent{AgentID: fx.agent, Kind: agent.Login,
		Address: "192.0.2.7", UserAgent: "Firefox"})
	require.NoError(t, err)
	r = call(admin, "GET", "/login-log", "/login-log?limit=10", nil, 200)
	assert.Contains(t, string(r.body), fx.agent)
	call(admin, "PUT", "/menu-access", "/menu-access", map[string]any{"menu": "statistics", "partial": true, "restricted": []string{fx.agent}}, 200)
	call(admin, "GET", "/menu-access", "/menu-access", nil, 200)

	// Last, a deletion that answers a body.
	call(admin, "DELETE", "/categories/{id}", "/categories/"+billing, nil, 200)
}

// TestAPI1_OpenAPIValidatorRefuses: the validation the route test relies
// on refuses bodies off the document: an undocumented member, a value
// outside an enum, a missing required member, a wrong type, and a secret
// read back unmasked (SEC-1).
func TestAPI1_OpenAPIValidatorRefuses(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct{ key, body string }{
		{"DELETE /categories/{id} 200", `{"deleted":[],"extra":1}`},
		{"GET /outbox/counts 200", `{"queued":1}`},
		{"GET /groups/{id}/members 200", `[{"group_id":"g","agent_id":"a","joined_at":"2026-01-02T03:04:05Z"}]`},
		{"GET /groups/{id}/members 200", `[{"group_id":"g","agent_id":"a","seq":"1","joined_at":"2026-01-02T03:04:05Z"}]`},
		{"GET /sms 200", `{"app_key":"APPKEY","valid":true}`},
		{"GET /recipients 200", `[{"id":"r","name":"n","dooray_hook_url":"https://hook.dooray.com/services/1/2/x","created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}]`},
	} {
		sch, err := v.c.Compile(docURL + v.schemas[tc.key])
		require.NoError(t, err, tc.key)
		body, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.body))
		require.NoError(t, err)
		assert.Error(t, sch.Validate(body), "%s: %s", tc.key, tc.body)
	}
}
