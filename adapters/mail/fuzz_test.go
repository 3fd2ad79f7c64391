package mail_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
)

// FuzzParse_MAIL10 feeds arbitrary bytes through the MIME → ticket path:
// Parse never panics, and every mail it returns is taken in by the
// helpdesk without an error — a ticket, a reply, a duplicate or ignored
// noise, never a lost mail.
func FuzzParse_MAIL10(f *testing.F) {
	for _, s := range []string{
		"From: a@b.example\r\nSubject: hi\r\n\r\nbody",
		"From: a@b.example\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=euc-kr\r\n\r\n\xbe\xc8\xb3\xe7\r\n--b--\r\n",
		"Subject: =?ISO-2022-JP?B?GyRCJVElOSVvITwlSRsoQg==?=\r\nContent-Type: text/html\r\n\r\n<p>x</p>",
		"Content-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\nContent-Disposition: attachment; filename=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!\r\n--zz",
		"In-Reply-To: <m-1.ticket-x@deskkit>\r\nReferences: <<<>>>\r\nAuto-Submitted: auto-replied\r\n\r\n",
		"\x00\xff\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	desk, err := helpdesk.New(helpdesk.Config{Store: memory.New(), Clock: func() time.Time { return now }})
	require.NoError(f, err)
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{
		Name: "ACME", Languages: []string{"ko", "en"}, Channels: helpdesk.Channels{Ticket: true}}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := mailx.Parse(raw, mailx.ParseOptions{MaxAttachmentBytes: 1 << 10})
		r, err := desk.ReceiveMail(ctx, "acme", "inbox", m)
		require.NoError(t, err)
		require.Contains(t, []mail.Outcome{mail.Created, mail.Replied, mail.Ignored, mail.Duplicate}, r.Outcome)
	})
}
