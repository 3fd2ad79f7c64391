package browser_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/deskkit/deskkit/adapters/browser"
	"github.com/deskkit/deskkit/notify"
)

// The host mounts the Hub for its agents' pages and gives it to the
// Dispatcher as the browser notifier; here an agent's page is played by an
// HTTP client reading the event stream.
func Example() {
	hub := browser.New(browser.Options{
		// The host's own login; a real one reads its session cookie.
		Authenticate: func(r *http.Request) (serviceID, agentID string, err error) {
			if c, err := r.Cookie("session"); err == nil && c.Value == "s3cret" {
				return "acme", "agent-ann", nil
			}
			return "", "", errors.New("not logged in")
		},
	})
	mux := http.NewServeMux()
	mux.Handle("GET /deskkit/notifications", hub)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	// The Dispatcher gets it with
	// notify.DispatcherConfig{Notifiers: notify.Notifiers{Browser: hub}}.

	// Ann's page subscribes.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/deskkit/notifications", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: "s3cret"})
	resp, err := srv.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status, resp.Header.Get("Content-Type"))

	// A trigger's browser notification reaches her open page. PushBrowser
	// returns nil only when an open page took the message or the hub kept it
	// unread; when the unread store is full it returns ErrUnreadFull and the
	// Dispatcher retries.
	_ = hub.PushBrowser(context.Background(), notify.Message{
		ID:        "0190c2d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
		ServiceID: "acme",
		Medium:    notify.Browser,
		Recipient: "agent-ann",
		Payload: notify.Payload{
			Subject: "New ticket #1024",
			Text:    "Refund for order 77",
			Link:    "https://desk.example/tickets/1024",
		},
		CreatedAt: time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC),
	})
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() && lines.Text() != "" {
		fmt.Println(lines.Text())
	}
	// Output:
	// 200 OK text/event-stream
	// id: 0190c2d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d
	// event: notification
	// data: {"id":"0190c2d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d","subject":"New ticket #1024","text":"Refund for order 77","link":"https://desk.example/tickets/1024","created_at":"2026-03-01T09:30:00Z"}
}
