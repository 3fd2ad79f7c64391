package mail_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/deskkit/deskkit/helpdesk/mail"
)

func TestMail_MAIL4_Noise(t *testing.T) {
	person := mail.Address{Name: "Lee", Address: "lee@example.com"}
	cases := []struct {
		name  string
		m     mail.Message
		noisy bool
	}{
		{"person", mail.Message{From: person, MessageID: "a@example.com"}, false},
		{"auto_submitted_no", mail.Message{From: person, Header: map[string]string{"Auto-Submitted": "no"}}, false},
		{"auto_submitted", mail.Message{From: person, Header: map[string]string{"Auto-Submitted": "auto-replied"}}, true},
		{"x_autoreply", mail.Message{From: person, Header: map[string]string{"X-Autoreply": "yes"}}, true},
		{"x_autorespond", mail.Message{From: person, Header: map[string]string{"X-Autorespond": ""}}, true},
		{"x_loop", mail.Message{From: person, Header: map[string]string{"X-Loop": "help@acme"}}, true},
		{"x_auto_response_suppress", mail.Message{From: person, Header: map[string]string{"X-Auto-Response-Suppress": "All"}}, true},
		{"precedence_bulk", mail.Message{From: person, Header: map[string]string{"Precedence": "Bulk"}}, true},
		{"precedence_junk", mail.Message{From: person, Header: map[string]string{"Precedence": "junk"}}, true},
		{"precedence_list", mail.Message{From: person, Header: map[string]string{"Precedence": "list"}}, true},
		{"precedence_first_class", mail.Message{From: person, Header: map[string]string{"Precedence": "first-class"}}, false},
		{"mailer_daemon", mail.Message{From: mail.Address{Address: "MAILER-DAEMON@mx.example.com"}}, true},
		{"postmaster", mail.Message{From: mail.Address{Address: "postmaster@example.com"}}, true},
		{"null_return_path", mail.Message{From: person, Header: map[string]string{"Return-Path": "<>"}}, true},
		{"own_message_id", mail.Message{From: person, MessageID: mail.OwnID("t1", "m1")}, true},
		{"own_ticket_ref", mail.Message{From: person, MessageID: "<" + mail.TicketRef("t1") + ">"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.noisy {
				assert.NotEmpty(t, mail.Noise(c.m))
			} else {
				assert.Empty(t, mail.Noise(c.m))
			}
		})
	}
}

func TestMail_MAIL7_OwnIDs(t *testing.T) {
	for _, c := range []struct {
		id, ticket string
		ok         bool
	}{
		{mail.OwnID("0192-ab", "m-1"), "0192-ab", true},
		{"<" + mail.TicketRef("0192-ab") + ">", "0192-ab", true},
		{"ticket-@deskkit", "", false},
		{"x.ticket-1@deskkit", "", false},
		{"ticket-1@deskkit.example", "", false},
		{"a@example.com", "", false},
	} {
		got, ok := mail.TicketOf(c.id)
		assert.Equal(t, c.ok, ok, c.id)
		assert.Equal(t, c.ticket, got, c.id)
	}
	assert.True(t, mail.IsOwn(mail.OwnID("t", "m")))
}

func TestMail_MAIL3_SubjectToken(t *testing.T) {
	n, ok := mail.SubjectToken("Re: Re: [#42] 환불 " + mail.Token(7))
	assert.True(t, ok)
	assert.EqualValues(t, 42, n)
	for _, s := range []string{"#42", "[#]", "[#0]", "[#99999999999999999999]", "[# 4]"} {
		_, ok := mail.SubjectToken(s)
		assert.False(t, ok, s)
	}
}

func TestMail_MAIL3_TrimQuoted(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"gmail_en":    {"Thanks!\n\nOn Mon, Dec 7, 2026 at 10:00 AM ACME <help@acme.example> wrote:\n> hello\n> there", "Thanks!"},
		"gmail_ko":    {"감사합니다\n\n2026년 12월 7일 (월) 오전 10:00, ACME <help@acme.example>님이 작성:\n> 안녕하세요", "감사합니다"},
		"outlook":     {"ok\r\n\r\n-----Original Message-----\r\nFrom: ACME", "ok"},
		"trailing_gt": {"fine now\n> quoted\n>\n> more\n", "fine now"},
		"inline_gt":   {"> your question\nmy answer", "> your question\nmy answer"},
		"all_quoted":  {"> only quote", "> only quote"},
		"plain":       {"just text\n", "just text"},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, c.want, mail.TrimQuoted(c.in)) })
	}
}

func TestMail_MAIL3_Key(t *testing.T) {
	assert.Equal(t, "a@b", mail.Key(mail.Message{MessageID: " <a@b> "}))
	m := mail.Message{From: mail.Address{Address: "x@y"}, Subject: "s", Text: "t", Date: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	assert.Equal(t, mail.Key(m), mail.Key(m), "the same mail fetched again has the same key")
	m2 := m
	m2.Text = "u"
	assert.NotEqual(t, mail.Key(m), mail.Key(m2))
	assert.Contains(t, mail.Key(m), "@no-message-id")
}

// Allow counts the mails within each sliding window, drops what fell out
// of the longest, and refuses while a bounce block lasts (MAIL-9).
func TestRecipient_MAIL9_Allow(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	limits := []mail.RateLimit{{Max: 2, Per: time.Minute}, {Max: 3, Per: time.Hour}}
	var r mail.Recipient
	for i, want := range []bool{true, true, false} {
		ok, why := r.Allow(t0.Add(time.Duration(i)*time.Second), limits)
		assert.Equal(t, want, ok, "mail %d: %s", i, why)
	}
	ok, _ := r.Allow(t0.Add(2*time.Minute), limits)
	assert.True(t, ok, "the minute window slid")
	ok, why := r.Allow(t0.Add(3*time.Minute), limits)
	assert.False(t, ok, "three within the hour")
	assert.Contains(t, why, "1h0m0s")
	ok, _ = r.Allow(t0.Add(2*time.Hour), limits)
	assert.True(t, ok)
	assert.Len(t, r.Sent, 1, "times past the longest window are dropped")

	r.Block(t0.Add(3*time.Hour), "5.1.1 user unknown")
	r.Block(t0.Add(150*time.Minute), "5.2.2 mailbox full")
	assert.Equal(t, t0.Add(3*time.Hour), r.BlockedUntil, "a longer block in force stays")
	ok, why = r.Allow(t0.Add(170*time.Minute), nil)
	assert.False(t, ok)
	assert.Contains(t, why, "bounce")
	ok, _ = r.Allow(t0.Add(3*time.Hour), nil)
	assert.True(t, ok, "the block is over")
	assert.True(t, mail.Bounce{Status: "5.0.0"}.Permanent())
	assert.False(t, mail.Bounce{Status: "4.4.1"}.Permanent())
	assert.Equal(t, "lee@example.com", mail.Fold(" Lee@Example.COM "))
}
