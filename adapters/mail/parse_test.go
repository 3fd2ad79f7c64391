package mail_test

import (
	"mime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"

	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/helpdesk/mail"
)

func enc(t testing.TB, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	require.NoError(t, err)
	return b
}

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func parse(raw []byte) mail.Message { return mailx.Parse(raw, mailx.ParseOptions{}) }

func TestParse_MAIL3_HeadersAndThreading(t *testing.T) {
	m := parse(crlf(`From: "Lee" <lee@customer.example>
To: help@acme.example, "Sales" <sales@acme.example>
Cc: boss@customer.example
Subject: Re: [#12] Refund
Message-ID: <r2@customer.example>
In-Reply-To: <m-1.ticket-t1@deskkit>
References: <n1@customer.example>  <m-1.ticket-t1@deskkit>
Date: Mon, 07 Dec 2026 10:00:00 +0900
Content-Language: en-US
Content-Type: text/plain; charset=utf-8

Thanks!
`))
	assert.Empty(t, m.Notes)
	assert.Equal(t, "r2@customer.example", m.MessageID)
	assert.Equal(t, []string{"m-1.ticket-t1@deskkit"}, m.InReplyTo)
	assert.Equal(t, []string{"n1@customer.example", "m-1.ticket-t1@deskkit"}, m.References)
	assert.Equal(t, mail.Address{Name: "Lee", Address: "lee@customer.example"}, m.From)
	assert.Equal(t, []mail.Address{{Address: "help@acme.example"}, {Name: "Sales", Address: "sales@acme.example"}}, m.To)
	assert.Equal(t, []mail.Address{{Address: "boss@customer.example"}}, m.Cc)
	assert.Equal(t, "Re: [#12] Refund", m.Subject)
	assert.Equal(t, "2026-12-07T01:00:00Z", m.Date.Format("2006-01-02T15:04:05Z07:00"))
	assert.Equal(t, "en-US", m.Language)
	assert.Equal(t, "Thanks!\r\n", m.Text)
}

func TestParse_MAIL4_NoiseHeaders(t *testing.T) {
	m := parse(crlf("From: a@b.example\nAuto-Submitted: auto-replied\nPrecedence: bulk\nX-Loop: x\n\nbody"))
	assert.Equal(t, map[string]string{"Auto-Submitted": "auto-replied", "Precedence": "bulk", "X-Loop": "x"}, m.Header)
	assert.NotEmpty(t, mail.Noise(m))
}

func TestParse_MultipartAlternative(t *testing.T) {
	m := parse(crlf(`From: a@b.example
Subject: alt
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

=EC=95=88=EB=85=95=ED=95=98=EC=84=B8=EC=9A=94
--b1
Content-Type: text/html; charset=utf-8

<p>안녕하세요</p>
--b1--
`))
	assert.Empty(t, m.Notes)
	assert.Equal(t, "안녕하세요", strings.TrimSpace(m.Text))
	assert.Contains(t, m.HTML, "<p>안녕하세요</p>")
}

func TestParse_HTMLOnlyGetsText(t *testing.T) {
	m := parse(crlf(`From: a@b.example
Content-Type: text/html; charset=utf-8

<html><head><style>p{}</style></head><body><p>Hello &amp; welcome</p><div>line<br>two</div><script>x()</script></body></html>
`))
	assert.Equal(t, "Hello & welcome\nline\ntwo", m.Text)
}

func TestParse_Charsets_KoreanAndJapanese(t *testing.T) {
	for _, c := range []struct {
		name, charset string
		e             encoding.Encoding
		text          string
	}{
		{"euc_kr", "EUC-KR", korean.EUCKR, "비밀번호를 잊어버렸어요"},
		{"windows_949", "windows-949", korean.EUCKR, "환불 요청합니다"},
		{"ks_c_5601", "ks_c_5601-1987", korean.EUCKR, "배송 문의"},
		{"iso_2022_jp", "ISO-2022-JP", japanese.ISO2022JP, "パスワードを忘れました"},
	} {
		t.Run(c.name, func(t *testing.T) {
			subject := mime.BEncoding.Encode(c.charset, enc(t, c.e, c.text))
			m := parse(crlf("From: =?UTF-8?B?" + "6rmA7LKg7IiY" + "?= <kim@example.com>\nSubject: " + subject +
				"\nContent-Type: text/plain; charset=" + c.charset + "\n\n" + enc(t, c.e, c.text) + "\n"))
			assert.Empty(t, m.Notes)
			assert.Equal(t, c.text, m.Subject, "RFC 2047 subject")
			assert.Equal(t, c.text, strings.TrimSpace(m.Text))
			assert.Equal(t, "김철수", m.From.Name)
		})
	}
}

func TestParse_MAIL8_Attachments(t *testing.T) {
	raw := crlf(`From: a@b.example
Subject: files
Content-Type: multipart/mixed; boundary="mx"

--mx
Content-Type: text/plain; charset=utf-8

see attached
--mx
Content-Type: application/pdf; name="=?UTF-8?B?7JiB7IiY7KadLnBkZg==?="
Content-Disposition: attachment; filename*=UTF-8''%EC%98%81%EC%88%98%EC%A6%9D.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--mx
Content-Type: image/png
Content-Disposition: attachment; filename="big.png"

0123456789abcdef
--mx--
`)
	m := mailx.Parse(raw, mailx.ParseOptions{MaxAttachmentBytes: 10})
	assert.Equal(t, "see attached", strings.TrimSpace(m.Text))
	require.Len(t, m.Attachments, 2)
	assert.Equal(t, mail.Attachment{Name: "영수증.pdf", ContentType: "application/pdf", Size: 9, Content: []byte("%PDF-1.4\n")}, m.Attachments[0])
	assert.Equal(t, "big.png", m.Attachments[1].Name)
	assert.Nil(t, m.Attachments[1].Content, "over the limit: recorded without content (MAIL-8)")
	assert.EqualValues(t, 16, m.Attachments[1].Size)
	require.Len(t, m.Notes, 1)
	assert.Contains(t, m.Notes[0], "over the limit")
}

func TestParse_MAIL10_MalformedKeepsWhatItCan(t *testing.T) {
	t.Run("unknown_charset", func(t *testing.T) {
		m := parse(crlf("From: a@b.example\nContent-Type: text/plain; charset=x-unknown\n\nhello\n"))
		assert.Equal(t, "hello\r\n", m.Text)
		require.NotEmpty(t, m.Notes)
		assert.Contains(t, strings.Join(m.Notes, ";"), "x-unknown")
	})
	t.Run("unknown_transfer_encoding", func(t *testing.T) {
		m := parse(crlf("From: a@b.example\nContent-Transfer-Encoding: x-weird\n\nhello\n"))
		assert.Contains(t, m.Text, "hello")
		assert.NotEmpty(t, m.Notes)
	})
	t.Run("broken_header", func(t *testing.T) {
		m := parse([]byte("this is not a header\r\nat all"))
		assert.Contains(t, m.Text, "this is not a header")
	})
	t.Run("unterminated_multipart", func(t *testing.T) {
		m := parse(crlf("From: a@b.example\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nhalf a mail"))
		assert.Contains(t, m.Text, "half a mail")
	})
	t.Run("bad_from", func(t *testing.T) {
		m := parse(crlf("From: not an address\nSubject: x\n\nbody"))
		assert.Empty(t, m.From.Address)
		assert.NotEmpty(t, m.Notes)
	})
	t.Run("raw_8bit_subject", func(t *testing.T) {
		m := parse(crlf("From: a@b.example\nSubject: " + enc(t, korean.EUCKR, "제목") + "\n\nbody"))
		assert.NotEmpty(t, m.Subject, "kept; the helpdesk repairs invalid bytes")
	})
	t.Run("empty", func(t *testing.T) {
		m := parse(nil)
		assert.Empty(t, m.Text)
	})
}

func b64(s string) string {
	return strings.TrimSuffix(strings.TrimPrefix(mime.BEncoding.Encode("x", s), "=?x?b?"), "?=")
}

// A delivery-status report (RFC 3464) becomes the message's Bounce, and
// the bounced mail's Message-ID threads it to its ticket (MAIL-9).
func TestParse_MAIL9_DeliveryStatus(t *testing.T) {
	raw := crlf(`From: Mail Delivery System <MAILER-DAEMON@mx.example>
To: help@acme.example
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@mx.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example
Arrival-Date: Sun, 6 Dec 2026 04:00:00 +0000

Final-Recipient: rfc822; ok@customer.example
Action: delayed
Status: 4.4.1

Final-Recipient: rfc822; lee@customer.example
Original-Recipient: rfc822;lee@customer.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <lee@customer.example>: user unknown

--b1
Content-Type: text/rfc822-headers

From: help@acme.example
To: lee@customer.example
Subject: [#12] Cannot log in
Message-ID: <m-7.ticket-t1@deskkit>

--b1--
`)
	m := mailx.Parse(raw, mailx.ParseOptions{})
	require.NotNil(t, m.Bounce)
	assert.Equal(t, mail.Bounce{Recipient: "lee@customer.example", Status: "5.1.1",
		Diagnostic: "smtp; 550 5.1.1 <lee@customer.example>: user unknown"}, *m.Bounce, "the permanent failure, not the delay before it")
	assert.True(t, m.Bounce.Permanent())
	assert.Contains(t, m.References, "m-7.ticket-t1@deskkit")
	assert.Contains(t, m.Text, "could not be delivered")
	assert.Empty(t, m.Attachments)

	soft := strings.Replace(string(raw), "Status: 5.1.1", "Status: 4.2.2", 1)
	m = mailx.Parse([]byte(soft), mailx.ParseOptions{})
	require.NotNil(t, m.Bounce)
	assert.False(t, m.Bounce.Permanent())
}
