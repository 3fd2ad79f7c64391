package mail_test

import (
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/mail"
)

// A transport parses a mail into a Message; the rules tell an
// out-of-office answer from a person's mail and find the ticket a reply
// names.
func Example() {
	ooo := mail.Message{From: mail.Address{Address: "lee@example.com"}, Header: map[string]string{"Auto-Submitted": "auto-replied"}}
	fmt.Println(mail.Noise(ooo))
	id, _ := mail.TicketOf("<" + mail.OwnID("0192-ab", "m1") + ">")
	fmt.Println(id)
	n, _ := mail.SubjectToken("Re: [#1024] 로그인 문제")
	fmt.Println(n)
	fmt.Println(mail.TrimQuoted("Still broken.\n\nOn Mon, 7 Dec 2026, ACME wrote:\n> Try again."))
	// Output:
	// Auto-Submitted: auto-replied
	// 0192-ab
	// 1024
	// Still broken.
}
