package mail_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mailx "github.com/deskkit/deskkit/adapters/mail"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/notify"
)

// received is one mail the test server accepted.
type received struct {
	from string
	to   []string
	data []byte
}

// smtpServer is an in-process go-smtp server that records what it gets
// and answers with the errors queued in fail (one per DATA, in order).
type smtpServer struct {
	addr string
	tls  *tls.Config // the client's config trusting the server's certificate

	mu   sync.Mutex
	got  []received
	fail []error
	user string // required AUTH PLAIN user ("": none); password "secret"
}

type smtpSession struct {
	s    *smtpServer
	cur  received
	auth bool
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.user || pass != "secret" {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		x.auth = true
		return nil
	}), nil
}
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.auth {
		return smtp.ErrAuthRequired
	}
	x.cur = received{from: from}
	return nil
}
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	x.cur.to = append(x.cur.to, to)
	return nil
}
func (x *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if len(x.s.fail) > 0 {
		err := x.s.fail[0]
		x.s.fail = x.s.fail[1:]
		return err
	}
	x.cur.data = b
	x.s.got = append(x.s.got, x.cur)
	return nil
}
func (x *smtpSession) Reset()        {}
func (x *smtpSession) Logout() error { return nil }

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// newSMTPServer starts a server; mode says how clients reach it.
func newSMTPServer(t *testing.T, mode mailx.TLSMode, user string, fail ...error) *smtpServer {
	t.Helper()
	s := &smtpServer{fail: fail, user: user}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	var l net.Listener
	var err error
	if mode == mailx.TLSNone {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	} else {
		serverTLS, clientTLS := testCert(t)
		s.tls = clientTLS
		srv.TLSConfig = serverTLS
		if mode == mailx.TLSImplicit {
			l, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
		} else {
			l, err = net.Listen("tcp", "127.0.0.1:0")
		}
	}
	require.NoError(t, err)
	s.addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// testCert makes a self-signed certificate for 127.0.0.1: the server's
// config and a client config that trusts it.
func testCert(t *testing.T) (*tls.Config, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

var sent = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func ticketMail() notify.Message {
	return notify.Message{ID: "msg1", Medium: notify.Email, Recipient: "lee@customer.example",
		Payload: notify.Payload{Subject: "[#12] 환불 문의에 답변드립니다", Text: "안녕하세요,\n처리했습니다.", HTML: "<p>안녕하세요,<br>처리했습니다.</p>",
			From:    notify.Address{Name: "ACME 고객센터", Address: "help@acme.example"},
			ReplyTo: notify.Address{Name: "ACME 고객센터", Address: "reply@acme.example"},
			Headers: map[string]string{"References": "<ticket-t1@deskkit> <q1@customer.example>"}},
		Source: notify.Source{Kind: "auto_mail", TicketID: "t1"}}
}

func newMailer(t *testing.T, s *smtpServer, mode mailx.TLSMode, user, pass string) *mailx.Mailer {
	t.Helper()
	m, err := mailx.NewMailer(mailx.SMTPConfig{Addr: s.addr, TLS: mode, TLSConfig: s.tls, Username: user, Password: pass,
		From: notify.Address{Address: "default@host.example"}, Clock: func() time.Time { return sent }})
	require.NoError(t, err)
	return m
}

func TestSMTP_MAIL5_MAIL7_HeadersThreadingEncodings(t *testing.T) {
	for _, mode := range []mailx.TLSMode{mailx.TLSNone, mailx.TLSStartTLS, mailx.TLSImplicit} {
		t.Run(string(mode), func(t *testing.T) {
			s := newSMTPServer(t, mode, "acme")
			require.NoError(t, newMailer(t, s, mode, "acme", "secret").SendMail(context.Background(), ticketMail()))
			got := s.received()
			require.Len(t, got, 1)
			assert.Equal(t, "help@acme.example", got[0].from, "envelope sender: the service's (MAIL-5)")
			assert.Equal(t, []string{"lee@customer.example"}, got[0].to)
			raw := string(got[0].data)
			assert.Contains(t, raw, "Subject: =?utf-8?", "the Korean subject is RFC 2047 encoded")
			assert.Contains(t, raw, "multipart/alternative")
			assert.Contains(t, raw, "Message-Id: <m-msg1.ticket-t1@deskkit>")
			assert.Contains(t, raw, "Date: Mon, 07 Dec 2026 10:00:00 +0000")
			// read back as the customer's client would
			m := mailx.Parse(got[0].data, mailx.ParseOptions{})
			assert.Empty(t, m.Notes)
			assert.Equal(t, "[#12] 환불 문의에 답변드립니다", m.Subject)
			assert.Equal(t, mail.Address{Name: "ACME 고객센터", Address: "help@acme.example"}, m.From)
			assert.Equal(t, "안녕하세요,\r\n처리했습니다.", m.Text)
			assert.Contains(t, m.HTML, "<p>안녕하세요,<br>처리했습니다.</p>")
			assert.Equal(t, mail.OwnID("t1", "msg1"), m.MessageID, "our own Message-ID names the ticket (MAIL-7)")
			assert.Equal(t, []string{"ticket-t1@deskkit", "q1@customer.example"}, m.References)
			assert.Equal(t, []string{"q1@customer.example"}, m.InReplyTo)
			assert.Contains(t, raw, "Reply-To: =?utf-8?")
			tid, ok := mail.TicketOf(m.MessageID)
			assert.True(t, ok)
			assert.Equal(t, "t1", tid)
			assert.NotEmpty(t, mail.Noise(m), "our own mail coming back is a loop (MAIL-4)")
		})
	}
}

func TestSMTP_MAIL5_DefaultSenderAndPlainText(t *testing.T) {
	s := newSMTPServer(t, mailx.TLSNone, "")
	msg := ticketMail()
	msg.Payload.From, msg.Payload.ReplyTo, msg.Payload.HTML = notify.Address{}, notify.Address{}, ""
	require.NoError(t, newMailer(t, s, mailx.TLSNone, "", "").SendMail(context.Background(), msg))
	got := s.received()
	require.Len(t, got, 1)
	assert.Equal(t, "default@host.example", got[0].from)
	raw := string(got[0].data)
	assert.Contains(t, raw, "Content-Type: text/plain; charset=utf-8")
	assert.NotContains(t, raw, "multipart")
	assert.NotContains(t, raw, "\nReply-To:")
}

func TestSMTP_NTF1_TemporaryThenSuccess(t *testing.T) {
	s := newSMTPServer(t, mailx.TLSNone, "", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"})
	m := newMailer(t, s, mailx.TLSNone, "", "")
	err := m.SendMail(context.Background(), ticketMail())
	require.Error(t, err)
	assert.False(t, notify.IsPermanent(err), "4xx is temporary: retried")
	assert.Empty(t, s.received())
	require.NoError(t, m.SendMail(context.Background(), ticketMail()))
	assert.Len(t, s.received(), 1)
}

func TestSMTP_NTF1_PermanentFailures(t *testing.T) {
	t.Run("5xx_on_data", func(t *testing.T) {
		s := newSMTPServer(t, mailx.TLSNone, "", &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "rejected"})
		err := newMailer(t, s, mailx.TLSNone, "", "").SendMail(context.Background(), ticketMail())
		assert.True(t, notify.IsPermanent(err), "%v", err)
	})
	t.Run("5xx_unknown_recipient", func(t *testing.T) {
		s := newSMTPServer(t, mailx.TLSNone, "")
		msg := ticketMail()
		msg.Recipient = "nobody@customer.example"
		err := newMailer(t, s, mailx.TLSNone, "", "").SendMail(context.Background(), msg)
		assert.True(t, notify.IsPermanent(err), "%v", err)
	})
	t.Run("bad_password_SEC1", func(t *testing.T) {
		s := newSMTPServer(t, mailx.TLSNone, "acme")
		err := newMailer(t, s, mailx.TLSNone, "acme", "wrong-password").SendMail(context.Background(), ticketMail())
		require.Error(t, err)
		assert.True(t, notify.IsPermanent(err))
		assert.NotContains(t, err.Error(), "wrong-password")
	})
	t.Run("no_sender", func(t *testing.T) {
		m, err := mailx.NewMailer(mailx.SMTPConfig{Addr: "127.0.0.1:1", TLS: mailx.TLSNone})
		require.NoError(t, err)
		msg := ticketMail()
		msg.Payload.From = notify.Address{}
		assert.True(t, notify.IsPermanent(m.SendMail(context.Background(), msg)))
	})
}

func TestSMTP_NTF1_NetworkFailureIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nobody listens there now
	m, err := mailx.NewMailer(mailx.SMTPConfig{Addr: addr, TLS: mailx.TLSNone})
	require.NoError(t, err)
	err = m.SendMail(context.Background(), ticketMail())
	require.Error(t, err)
	assert.False(t, notify.IsPermanent(err))
	var oe *net.OpError
	assert.True(t, errors.As(err, &oe))
}

func TestSMTP_ConfigChecked(t *testing.T) {
	_, err := mailx.NewMailer(mailx.SMTPConfig{Addr: "no-port"})
	assert.Error(t, err)
	_, err = mailx.NewMailer(mailx.SMTPConfig{Addr: "h:25", TLS: "ssl3"})
	assert.Error(t, err)
}
