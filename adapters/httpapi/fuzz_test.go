package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/deskkit/deskkit/adapters/memory"
)

// FuzzAPI1_CreateTicketBody: whatever body a client sends to POST /tickets,
// the answer is a ticket or a problem the client caused (400, 413, 422) —
// never a 500 — and every refusal is problem+json.
func FuzzAPI1_CreateTicketBody(f *testing.F) {
	for _, s := range []string{
		`{"title":"Refund","content":"Order 42","channel":"api"}`,
		`{"title":"","content":"","channel":"pigeon"}`,
		`{"title":"x","content":"y","customer_fields":{"size":[1,2]}}`,
		`{"title":"x","content":"y","tags":["a","a"]} {}`,
		`{"title":"\u0000","content":"\xff"}`,
		`[]`, `null`, ``,
	} {
		f.Add(s)
	}
	fx := newFixture(f, memory.New())
	f.Fuzz(func(t *testing.T, body string) {
		r := fx.do(t, "a", "system", "POST", "/tickets", body)
		switch r.status {
		case http.StatusCreated:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
			r.problem(t)
		default:
			t.Fatalf("status %d for %q: %s", r.status, body, r.body)
		}
	})
}
