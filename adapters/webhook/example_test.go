package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"time"

	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/notify"
)

// A Caller signs each callback; the receiver verifies it with the same
// secret.
func Example() {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := webhook.Verify([]string{"s3cret"}, r.Header, body, time.Now(), 5*time.Minute)
		fmt.Println(r.Header.Get("Idempotency-Key"), string(body), err)
	}))
	defer receiver.Close()

	calls := webhook.New(webhook.Options{
		Secrets: func(ctx context.Context, serviceID string) ([]string, error) { return []string{"s3cret"}, nil },
		// The guard refuses loopback; a test server must be allow-listed.
		Guard: webhook.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
	})
	var _ notify.Caller = calls
	err := calls.Call(context.Background(), notify.Message{ServiceID: "acme", Medium: notify.Callback,
		Recipient: receiver.URL, IdempotencyKey: "k1", Payload: notify.Payload{JSON: `{"number":12}`}})
	fmt.Println(err)
	fmt.Println(webhook.Guard{}.CheckURL("http://169.254.169.254/latest/meta-data/"))
	// Output:
	// k1 {"number":12} <nil>
	// <nil>
	// forbidden: the callback target is not a public address: 169.254.169.254
}
