package helpdesk_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

var lee = mail.Address{Name: "Lee", Address: "lee@customer.example"}

func receive(t *testing.T, f *fixture, box string, m mail.Message) mail.Record {
	t.Helper()
	r, err := f.desk.ReceiveMail(context.Background(), "acme", box, m)
	require.NoError(t, err)
	return r
}

func TestReceiveMail_MAIL1_NewTicket(t *testing.T) {
	f := newFixture(t)
	r := receive(t, f, "inbox", mail.Message{MessageID: "<n1@customer.example>", From: lee, Subject: "Refund", Text: "please", Language: "fr"})
	assert.Equal(t, mail.Created, r.Outcome)
	assert.Equal(t, "n1@customer.example", r.MessageID, "brackets dropped")
	tk, err := f.sys.Tickets().Get(context.Background(), r.TicketID)
	require.NoError(t, err)
	assert.Equal(t, ticket.ChannelEmail, tk.Channel)
	assert.Equal(t, "ko", tk.Language, "a language the service lacks: the default (MAIL-1)")
	assert.Equal(t, ticket.Requester{Name: "Lee", Email: "lee@customer.example"}, tk.Requester)
	assert.Equal(t, "Refund", tk.Title)
	assert.Equal(t, "please", tk.Content)
}

func TestReceiveMail_MAIL3_Threading(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := receive(t, f, "inbox", mail.Message{MessageID: "n1@customer.example", From: lee, Subject: "Refund", Text: "please"})
	tk, err := f.sys.Tickets().Get(ctx, first.TicketID)
	require.NoError(t, err)
	cases := []struct {
		name string
		m    mail.Message
	}{
		{"our_message_id_in_in_reply_to", mail.Message{InReplyTo: []string{"<" + mail.OwnID(tk.ID, "m1") + ">"}, Text: "a"}},
		{"our_ticket_ref_in_references", mail.Message{References: []string{"x@elsewhere", mail.TicketRef(tk.ID)}, Text: "b"}},
		{"customer_message_id_in_references", mail.Message{References: []string{"n1@customer.example"}, Text: "c"}},
		{"subject_token_from_requester", mail.Message{Subject: "Re: " + mail.Token(tk.Number) + " Refund", Text: "d"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.m.MessageID = c.name + "@customer.example"
			c.m.From = lee
			r := receive(t, f, "inbox", c.m)
			assert.Equal(t, mail.Replied, r.Outcome)
			assert.Equal(t, tk.ID, r.TicketID)
			cs, err := f.sys.Tickets().Comments(ctx, tk.ID)
			require.NoError(t, err)
			require.Len(t, cs, i+1)
			assert.Equal(t, c.m.Text, cs[i].Body)
			hist, err := f.sys.Tickets().History(ctx, tk.ID)
			require.NoError(t, err)
			assert.Equal(t, ticket.EventCustomerReplied, hist[len(hist)-1].Event, "the customer replied event (MAIL-3)")
		})
	}
	t.Run("subject_token_from_a_stranger_is_a_new_ticket", func(t *testing.T) {
		r := receive(t, f, "inbox", mail.Message{MessageID: "s@evil.example", From: mail.Address{Address: "x@evil.example"},
			Subject: "Re: " + mail.Token(tk.Number), Text: "inject"})
		assert.Equal(t, mail.Created, r.Outcome)
		assert.NotEqual(t, tk.ID, r.TicketID)
	})
	t.Run("reply_reopens_a_solved_ticket", func(t *testing.T) {
		_, err := f.sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusSolved)
		require.NoError(t, err)
		receive(t, f, "inbox", mail.Message{MessageID: "r@customer.example", From: lee, InReplyTo: []string{mail.TicketRef(tk.ID)}, Text: "again"})
		got, err := f.sys.Tickets().Get(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, ticket.StatusOpen, got.Status)
	})
	t.Run("reply_to_a_closed_ticket_follows_it_up", func(t *testing.T) {
		_, err := f.sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusSolved)
		require.NoError(t, err)
		_, err = f.sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
		require.NoError(t, err)
		r := receive(t, f, "inbox", mail.Message{MessageID: "late@customer.example", From: lee, InReplyTo: []string{mail.TicketRef(tk.ID)}, Text: "later"})
		assert.Equal(t, mail.Replied, r.Outcome)
		fu, err := f.sys.Tickets().Get(ctx, r.TicketID)
		require.NoError(t, err)
		assert.Equal(t, tk.ID, fu.FollowUpOf)
	})
}

func TestReceiveMail_MAIL3_DedupePerMailbox(t *testing.T) {
	f := newFixture(t)
	m := mail.Message{MessageID: "n1@customer.example", From: lee, Subject: "Refund", Text: "please"}
	a := receive(t, f, "inbox", m)
	again := receive(t, f, "inbox", m)
	assert.Equal(t, mail.Duplicate, again.Outcome)
	assert.Equal(t, a.TicketID, again.TicketID)
	other := receive(t, f, "sales", m)
	assert.Equal(t, mail.Duplicate, other.Outcome, "the same mail through another mailbox of the service: recorded, nothing added")
	assert.Equal(t, a.TicketID, other.TicketID)
	// another service's mailbox of the same name is its own
	r, err := f.desk.ReceiveMail(context.Background(), "other", "inbox", m)
	require.NoError(t, err)
	assert.Equal(t, mail.Created, r.Outcome)
	f.assertCounts(t, 1, 1)
}

func TestReceiveMail_MAIL4_NoiseNeverTicketsNorReplies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := receive(t, f, "inbox", mail.Message{MessageID: "n1@customer.example", From: lee, Subject: "Refund", Text: "please"})
	for name, m := range map[string]mail.Message{
		"auto_reply_in_thread": {From: lee, InReplyTo: []string{"n1@customer.example"}, Header: map[string]string{"Auto-Submitted": "auto-replied"}},
		"bounce":               {From: mail.Address{Address: "mailer-daemon@mx.example"}, Subject: "Undelivered"},
		"our_own_mail":         {MessageID: mail.OwnID(first.TicketID, "m9"), From: mail.Address{Address: "help@acme.example"}},
		"bulk":                 {From: lee, Header: map[string]string{"Precedence": "bulk"}},
	} {
		t.Run(name, func(t *testing.T) {
			if m.MessageID == "" {
				m.MessageID = name + "@x"
			}
			m.Text = "auto"
			r := receive(t, f, "inbox", m)
			assert.Equal(t, mail.Ignored, r.Outcome)
			assert.NotEmpty(t, r.Reason)
			assert.Empty(t, r.TicketID)
		})
	}
	cs, err := f.sys.Tickets().Comments(ctx, first.TicketID)
	require.NoError(t, err)
	assert.Empty(t, cs)
	f.assertCounts(t, 1, 1)
}

func TestReceiveMail_SEC3_BrokenMailIsKeptWithANote(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) {
		c.Limits = ticket.Limits{MaxTitleBytes: 16, MaxContentBytes: 400}
	})
	r := receive(t, f, "inbox", mail.Message{MessageID: "bad\xff\x00@x", From: mail.Address{Name: "L\x00ee", Address: "not an address"},
		Subject: "제목이 아주 아주 긴 메일입니다", Text: strings.Repeat("가", 200) + "\xff", Notes: []string{"part 2: unknown charset x-foo"}})
	require.Equal(t, mail.Created, r.Outcome)
	tk, err := f.sys.Tickets().Get(ctx, r.TicketID)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(tk.Title), 16)
	assert.LessOrEqual(t, len(tk.Content), 400)
	assert.Empty(t, tk.Requester.Email)
	cs, err := f.sys.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Equal(t, ticket.CommentInternal, cs[0].Kind)
	assert.Contains(t, cs[0].Body, "unknown charset x-foo")
	assert.Contains(t, cs[0].Body, "sender address")
	// empty mail
	r = receive(t, f, "inbox", mail.Message{})
	assert.Equal(t, mail.Created, r.Outcome)
	_, err = f.desk.ReceiveMail(ctx, "acme", "", mail.Message{})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
}

func TestReceiveMail_MAIL8_AttachmentsKeptWithinLimitAndService(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.MaxAttachmentBytes = 4 })
	r := receive(t, f, "inbox", mail.Message{MessageID: "a@x", From: lee, Subject: "files", Text: "see",
		Attachments: []mail.Attachment{{Name: "ok.txt", ContentType: "text/plain", Size: 3, Content: []byte("abc")},
			{Name: "big.bin", ContentType: "application/octet-stream", Size: 10, Content: []byte("0123456789")},
			{Name: "cut.bin", ContentType: "application/octet-stream", Size: 1 << 20}}})
	files, err := f.sys.Tickets().Attachments(ctx, r.TicketID)
	require.NoError(t, err)
	require.Len(t, files, 3)
	assert.True(t, files[0].Kept)
	assert.False(t, files[1].Kept, "over the desk's limit: recorded without content")
	assert.EqualValues(t, 10, files[1].Size)
	assert.False(t, files[2].Kept, "not kept by the transport")
	got, err := f.agent.Tickets().Attachment(ctx, r.TicketID, files[0].ID)
	require.NoError(t, err)
	assert.Equal(t, []byte("abc"), got.Content)
	big, err := f.sys.Tickets().Attachment(ctx, r.TicketID, files[1].ID)
	require.NoError(t, err)
	assert.Nil(t, big.Content)
	cs, err := f.sys.Tickets().Comments(ctx, r.TicketID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	assert.Contains(t, cs[0].Body, `"big.bin"`, "the note says what was not kept")
	assert.Contains(t, cs[0].Body, `"cut.bin"`)
	// only through its ticket, only within the service
	other := receive(t, f, "inbox", mail.Message{MessageID: "b@x", From: lee, Subject: "other", Text: "x"})
	_, err = f.sys.Tickets().Attachment(ctx, other.TicketID, files[0].ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.other.As(helpdesk.System).Tickets().Attachment(ctx, r.TicketID, files[0].ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.other.As(helpdesk.System).Tickets().Attachments(ctx, r.TicketID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}
