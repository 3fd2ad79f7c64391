package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// testMailRecipients: the MAIL-9 state of an address round-trips; an
// unknown address reads as a zero state.
func testMailRecipients(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newService(t, s)
	lock := func(addr string) mail.Recipient {
		var rc mail.Recipient
		require.NoError(t, s.Tx(ctx, svc, func(r helpdesk.Repos) (err error) {
			rc, err = r.MailRecipients().LockRecipient(ctx, addr)
			return err
		}))
		return rc
	}
	assert.Equal(t, mail.Recipient{Address: "new@example.com"}, lock("new@example.com"))
	want := mail.Recipient{Address: "lee@example.com", Sent: []time.Time{base, base.Add(time.Minute)},
		BlockedUntil: base.Add(time.Hour), BlockReason: "5.1.1 no such user"}
	require.NoError(t, s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.MailRecipients().PutRecipient(ctx, want) }))
	assert.Equal(t, want, lock("lee@example.com"))
	want.Sent, want.BlockedUntil, want.BlockReason = []time.Time{base.Add(2 * time.Minute)}, time.Time{}, ""
	require.NoError(t, s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.MailRecipients().PutRecipient(ctx, want) }))
	assert.Equal(t, want, lock("lee@example.com"))
	var other mail.Recipient
	require.NoError(t, s.Tx(ctx, newService(t, s), func(r helpdesk.Repos) (err error) {
		other, err = r.MailRecipients().LockRecipient(ctx, "lee@example.com")
		return err
	}))
	assert.Equal(t, mail.Recipient{Address: "lee@example.com"}, other, "per service (SVC-1)")
}

// testMailLimitsWorkflow_MAIL9: automatic mails to one address are
// rate-limited in sliding windows, and a permanent bounce blocks them for
// a while; the ticket's history says why a mail was not sent.
func testMailLimitsWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	var mu sync.Mutex
	now := base
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); now = now.Add(time.Second); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: clock,
		MailRateLimits: []mail.RateLimit{{Max: 3, Per: 10 * time.Minute}}, BounceBlock: time.Hour})
	require.NoError(t, err)
	set := cfg("acme").Settings
	set.Mail = helpdesk.MailSettings{FromAddress: "help@example.com",
		Manual: helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "답변: #{content}"}}}
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: set})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	kim, err := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@example.com", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})
	require.NoError(t, err)
	asKim := desk.Service("acme").As(helpdesk.AgentID(kim.ID))
	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "Lee@Customer.example"},
		Title: "Cannot log in", Content: "help", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	sent := func() int {
		p, err := sys.Outbox().List(ctx, notify.Filter{Limit: 500})
		require.NoError(t, err)
		return len(p.Messages)
	}
	withheld := func(field string) []string {
		h, err := sys.Tickets().History(ctx, tk.ID)
		require.NoError(t, err)
		var out []string
		for _, c := range h {
			if c.Field == field {
				out = append(out, c.To)
			}
		}
		return out
	}
	reply := func(i int) {
		_, err := asKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: fmt.Sprintf("answer %d", i)})
		require.NoError(t, err)
	}

	for i := range 5 {
		reply(i)
	}
	assert.Equal(t, 3, sent(), "three within ten minutes")
	w := withheld(ticket.FieldMailWithheld)
	require.Len(t, w, 2, "each withheld mail is in the history")
	assert.Contains(t, w[0], "rate limit")
	cs, err := sys.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Len(t, cs, 5, "the replies are stored all the same")

	advance(11 * time.Minute) // the window slides past the first three
	reply(5)
	assert.Equal(t, 4, sent())

	// A permanent bounce of our mail blocks the address (its case aside).
	bounce := mail.Message{MessageID: "dsn1@mx.example", From: mail.Address{Address: "mailer-daemon@mx.example"},
		Subject: "Undelivered Mail Returned to Sender", Text: "could not deliver",
		References: []string{mail.OwnID(tk.ID, "x")},
		Bounce:     &mail.Bounce{Recipient: "lee@customer.example", Status: "5.1.1", Diagnostic: "smtp; 550 5.1.1 user unknown"}}
	rec, err := desk.ReceiveMail(ctx, "acme", "inbox", bounce)
	require.NoError(t, err)
	assert.Equal(t, mail.Ignored, rec.Outcome, "a bounce opens no ticket")
	assert.Contains(t, rec.Reason, tk.ID)
	b := withheld(ticket.FieldMailBounced)
	require.Len(t, b, 1, "the ticket says its mail bounced")
	assert.Contains(t, b[0], "5.1.1")
	advance(11 * time.Minute)
	reply(6)
	assert.Equal(t, 4, sent(), "blocked, whatever the rate")
	w = withheld(ticket.FieldMailWithheld)
	assert.True(t, strings.Contains(w[len(w)-1], "bounce"), w[len(w)-1])

	// A temporary bounce blocks nothing; the block ends after BounceBlock.
	soft := bounce
	soft.MessageID, soft.Bounce = "dsn2@mx.example", &mail.Bounce{Recipient: "lee@customer.example", Status: "4.2.2"}
	_, err = desk.ReceiveMail(ctx, "acme", "inbox", soft)
	require.NoError(t, err)
	advance(time.Hour)
	reply(7)
	assert.Equal(t, 5, sent(), "the block is over")
	assert.Len(t, withheld(ticket.FieldMailBounced), 1)
}
