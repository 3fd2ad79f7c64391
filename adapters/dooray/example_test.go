package dooray_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"

	"github.com/deskkit/deskkit/adapters/dooray"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/notify"
)

// A HookPoster is the Dooray! notifier of a Dispatcher; here it posts one
// message to a stand-in for the hook.
func Example() {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println(string(b))
	}))
	defer hook.Close()
	p := dooray.NewHookPoster(dooray.HookOptions{BotName: "ACME Helpdesk",
		Guard: webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}) // a test server is loopback
	var _ notify.DoorayPoster = p
	err := p.PostDooray(context.Background(), notify.Message{Medium: notify.Dooray,
		Recipient: hook.URL + "/services/1/2/token", Payload: notify.Payload{Text: "New ticket #12"}})
	fmt.Println(err)
	// Output:
	// {"botName":"ACME Helpdesk","text":"New ticket #12"}
	// <nil>
}
