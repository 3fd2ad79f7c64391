package mail_test

import (
	"context"
	"mime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"

	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// TestRoundTrip_MAIL3_MAIL7: a Korean mail in EUC-KR with an attachment
// arrives by IMAP and opens a ticket; the agent's reply goes out by SMTP
// with our threading headers; the customer's answer, in ISO-2022-JP and
// with quoted history, comes back by IMAP into the same ticket.
func TestRoundTrip_MAIL3_MAIL7(t *testing.T) {
	ctx := context.Background()
	imapPeer := newIMAPPeer(t, 0, 0)
	smtpPeer := newSMTPServer(t, mailx.TLSNone, "")
	store := memory.New()
	desk, err := helpdesk.New(helpdesk.Config{Store: store})
	require.NoError(t, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "ja"}, Channels: helpdesk.Channels{Ticket: true},
		Mail: helpdesk.MailSettings{FromName: "ACME 고객센터", FromAddress: "help@acme.example",
			Manual: helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "#{content}"}}},
	}})
	require.NoError(t, err)
	sys := desk.Service("acme").As(helpdesk.System)
	kim, err := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@acme.example", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})
	require.NoError(t, err)

	// 1. the customer's first mail: EUC-KR, RFC 2047 subject, an attachment
	body := enc(t, korean.EUCKR, "주문한 상품이 아직 안 왔어요.")
	imapPeer.deliver(t, "From: =?EUC-KR?B?"+b64(enc(t, korean.EUCKR, "이영희"))+"?= <lee@customer.example>\n"+
		"To: help@acme.example\nSubject: "+mime.BEncoding.Encode("EUC-KR", enc(t, korean.EUCKR, "배송 문의"))+"\n"+
		"Message-ID: <first@customer.example>\nContent-Language: ko\n"+
		"Content-Type: multipart/mixed; boundary=b1\n\n--b1\nContent-Type: text/plain; charset=EUC-KR\nContent-Transfer-Encoding: 8bit\n\n"+
		body+"\n--b1\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"receipt.png\"\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--b1--\n")
	poller := newPoller(t, desk, imapPeer)
	n, err := poller.Sync(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	page, err := sys.Tickets().List(ctx, ticket.Filter{})
	require.NoError(t, err)
	require.Len(t, page.Tickets, 1)
	tk := page.Tickets[0]
	assert.Equal(t, "배송 문의", tk.Title)
	assert.Equal(t, "주문한 상품이 아직 안 왔어요.", strings.TrimSpace(tk.Content))
	assert.Equal(t, ticket.Requester{Name: "이영희", Email: "lee@customer.example"}, tk.Requester)
	assert.Equal(t, "ko", tk.Language)
	files, err := sys.Tickets().Attachments(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, "receipt.png", files[0].Name)
	assert.Equal(t, "image/png", files[0].ContentType)
	assert.EqualValues(t, 8, files[0].Size)
	assert.Nil(t, files[0].Content, "listed without content")
	file, err := sys.Tickets().Attachment(ctx, tk.ID, files[0].ID)
	require.NoError(t, err)
	assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), file.Content, "kept with the ticket (MAIL-8)")

	// 2. the agent answers; the dispatcher sends the mail over SMTP
	_, err = desk.Service("acme").As(helpdesk.AgentID(kim.ID)).Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "내일 도착 예정입니다."})
	require.NoError(t, err)
	mailer, err := mailx.NewMailer(mailx.SMTPConfig{Addr: smtpPeer.addr, TLS: mailx.TLSNone})
	require.NoError(t, err)
	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: mailer}})
	require.NoError(t, err)
	_, err = d.Drain(ctx)
	require.NoError(t, err)
	got := smtpPeer.received()
	require.Len(t, got, 1)
	out := mailx.Parse(got[0].data, mailx.ParseOptions{})
	assert.Equal(t, "help@acme.example", got[0].from)
	assert.Equal(t, []string{"lee@customer.example"}, got[0].to)
	assert.Contains(t, out.Text, "내일 도착 예정입니다.")
	assert.Contains(t, out.Subject, mail.Token(tk.Number), "the ticket token in the subject")
	owner, ok := mail.TicketOf(out.MessageID)
	require.True(t, ok, "our Message-ID names the ticket (MAIL-7)")
	assert.Equal(t, tk.ID, owner)

	// 3. the customer answers from a Japanese client, quoting our mail
	reply := enc(t, japanese.ISO2022JP, "ありがとうございます") + "\n\n" + "On Mon, ACME wrote:\n> " + "old"
	imapPeer.deliver(t, "From: lee@customer.example\nTo: help@acme.example\n"+
		"Subject: "+mime.BEncoding.Encode("ISO-2022-JP", enc(t, japanese.ISO2022JP, "Re: 配送"))+"\n"+
		"Message-ID: <second@customer.example>\nIn-Reply-To: <"+out.MessageID+">\nReferences: <"+strings.Join(out.References, "> <")+"> <"+out.MessageID+">\n"+
		"Content-Type: text/plain; charset=ISO-2022-JP\n\n"+reply+"\n")
	n, err = poller.Sync(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	page, err = sys.Tickets().List(ctx, ticket.Filter{})
	require.NoError(t, err)
	require.Len(t, page.Tickets, 1, "the answer joined the ticket (MAIL-3)")
	cs, err := sys.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	require.Len(t, cs, 2) // the agent's reply, the customer's
	assert.True(t, cs[1].FromCustomer)
	assert.Equal(t, "ありがとうございます", cs[1].Body, "decoded from ISO-2022-JP, quoted history trimmed")
	hist, err := sys.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.EventCustomerReplied, hist[len(hist)-1].Event)
}
