package nhnsms_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/deskkit/deskkit/adapters/nhnsms"
	"github.com/deskkit/deskkit/notify"
)

// A Client is the SMS notifier of a Dispatcher; here it sends one message
// to a stand-in for the API.
func Example() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(string(b))
		_, _ = io.WriteString(w, `{"header":{"isSuccessful":true,"resultCode":0,"resultMessage":"SUCCESS"},"body":{"data":{"requestId":"r1","statusCode":"2","sendResultList":[{"recipientNo":"01012345678","resultCode":0}]}}}`)
	}))
	defer api.Close()

	sms := nhnsms.New(nhnsms.Options{
		BaseURL: api.URL, // default: nhnsms.DefaultBaseURL
		Credentials: func(ctx context.Context, serviceID string) (nhnsms.Credentials, error) {
			return nhnsms.Credentials{AppKey: "app-key", SecretKey: "secret", SenderNumbers: []string{"15446859"}}, nil
		},
	})
	var _ notify.SMSSender = sms // what the Dispatcher calls
	err := sms.SendSMS(context.Background(), notify.Message{ServiceID: "acme", Medium: notify.SMS,
		Recipient: "010-1234-5678", Payload: notify.Payload{Text: "Ticket #12 received"}})
	fmt.Println(err)
	// Output:
	// POST /sms/v3.0/appKeys/app-key/sender/sms
	// {"body":"Ticket #12 received","sendNo":"15446859","recipientList":[{"recipientNo":"01012345678"}]}
	// <nil>
}
