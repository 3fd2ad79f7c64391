package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/deskkit/deskkit/adapters/httpapi"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
)

// The host puts the helpdesk behind its own login: Authenticate maps a
// request to a service and an actor.
func Example() {
	ctx := context.Background()
	desk, _ := helpdesk.New(helpdesk.Config{Store: memory.New()})
	defer desk.Close()
	_, _ = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"en"}, Channels: helpdesk.Channels{Ticket: true}}})

	api := httpapi.New(desk, httpapi.Options{
		Authenticate: func(r *http.Request) (string, helpdesk.Actor, error) {
			if r.Header.Get("Authorization") != "Bearer host-secret" { // the host's own check
				return "", helpdesk.Actor{}, errors.New("not logged in")
			}
			return "acme", helpdesk.System, nil
		},
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	send := func(method, path, body string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer host-secret")
		res, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		fmt.Println(res.StatusCode, res.Header.Get("Content-Type"), len(b) > 0)
	}
	send("POST", "/tickets", `{"title":"Refund","content":"Order 42","channel":"api"}`)
	send("POST", "/tickets", `{"title":"","content":"Order 42"}`)
	send("POST", "/tickets", `{"title":"Refund","colour":"red"}`)
	// Output:
	// 201 application/json true
	// 422 application/problem+json true
	// 400 application/problem+json true
}
