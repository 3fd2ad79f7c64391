package mail_test

import (
	"fmt"

	mailx "github.com/deskkit/deskkit/adapters/mail"
)

// Parse reads a raw mail; the result goes to Desk.ReceiveMail.
func ExampleParse() {
	raw := "From: =?UTF-8?B?6rmA7LKg7IiY?= <kim@example.com>\r\n" +
		"Subject: =?UTF-8?B?7ZmY67aIIOusuOydmA==?=\r\n" +
		"Message-ID: <q1@example.com>\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" +
		"<p>Order <b>#42</b>, please.</p>"
	m := mailx.Parse([]byte(raw), mailx.ParseOptions{})
	fmt.Println(m.From.Name, m.From.Address)
	fmt.Println(m.Subject)
	fmt.Println(m.MessageID)
	fmt.Println(m.Text)
	// Output:
	// 김철수 kim@example.com
	// 환불 문의
	// q1@example.com
	// Order #42, please.
}
