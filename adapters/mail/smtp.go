package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/notify"
)

// TLSMode is how a connection to a mail server is secured.
type TLSMode string

// The TLS modes.
const (
	// TLSImplicit opens TLS at once (SMTPS on 465, IMAPS on 993).
	TLSImplicit TLSMode = "implicit"
	// TLSStartTLS upgrades a plain connection with STARTTLS (587, 143).
	TLSStartTLS TLSMode = "starttls"
	// TLSNone sends everything in clear: for tests and local relays only.
	TLSNone TLSMode = "none"
)

// SMTPConfig configures a Mailer.
type SMTPConfig struct {
	// Addr is the server, host:port.
	Addr string
	// TLS is the connection's security; default TLSStartTLS.
	TLS TLSMode
	// TLSConfig is used for TLSImplicit and TLSStartTLS; its ServerName
	// defaults to Addr's host.
	TLSConfig *tls.Config
	// Username and Password authenticate with AUTH PLAIN when Username is
	// set. The password is never logged (SEC-1).
	Username string
	Password string
	// From is the sender of mails whose message has none of its own
	// (notify.Payload.From): the host's default sender (MAIL-5).
	From notify.Address
	// LocalName is the name sent with EHLO; default "localhost".
	LocalName string
	// Timeout bounds one delivery when the context has no earlier
	// deadline; default 1 minute.
	Timeout time.Duration
	// Clock gives the Date header; default time.Now.
	Clock func() time.Time
	// Logger receives diagnostics; default: discard.
	Logger *slog.Logger
}

// Mailer is a notify.Mailer that sends over SMTP (go-smtp), one
// connection per message.
type Mailer struct{ cfg SMTPConfig }

var _ notify.Mailer = (*Mailer)(nil)

// NewMailer checks cfg and returns a Mailer.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("invalid: smtp addr %q: %w", cfg.Addr, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSImplicit, TLSStartTLS, TLSNone:
	default:
		return nil, fmt.Errorf("invalid: smtp tls mode %q", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	return &Mailer{cfg: cfg}, nil
}

// SendMail delivers m to m.Recipient. A 5xx answer of the server is
// permanent (notify.Permanent: the dispatcher does not retry); a 4xx
// answer, a network or TLS failure is temporary and retried.
func (s *Mailer) SendMail(ctx context.Context, m notify.Message) error {
	from := m.Payload.From
	if from.IsZero() {
		from = s.cfg.From
	}
	if from.IsZero() {
		return notify.Permanent(errors.New("smtp: the message has no sender and the mailer no default (SMTPConfig.From)"))
	}
	raw, err := Build(m, from, s.cfg.Clock())
	if err != nil {
		return notify.Permanent(err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
	}
	err = s.deliver(ctx, from.Address, m.Recipient, raw)
	if err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "smtp delivery failed", slog.String("message", m.ID), slog.String("error", err.Error()))
	}
	return classify(err)
}

// classify maps an SMTP failure to the dispatcher's kinds: 5xx permanent,
// everything else temporary.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 && se.Code < 600 {
		return notify.Permanent(fmt.Errorf("smtp: %w", err))
	}
	return fmt.Errorf("smtp: %w", err)
}

func (s *Mailer) deliver(ctx context.Context, from, to string, raw []byte) error {
	host, _, _ := net.SplitHostPort(s.cfg.Addr)
	tc := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		tc = s.cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	var c *smtp.Client
	switch s.cfg.TLS {
	case TLSImplicit:
		c = smtp.NewClient(tls.Client(conn, tc))
	case TLSStartTLS:
		if c, err = smtp.NewClientStartTLS(conn, tc); err != nil {
			_ = conn.Close()
			return err
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if s.cfg.TLS != TLSStartTLS { // STARTTLS greeted already
		if err := c.Hello(s.cfg.LocalName); err != nil {
			return err
		}
	}
	if s.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(raw)); err != nil {
		return err
	}
	_ = c.Quit()
	return ctx.Err()
}

// Build renders m as an RFC 5322 mail from from: a multipart/alternative
// of its text and HTML (plain text alone without HTML), the subject and
// names encoded by RFC 2047, and the threading headers of MAIL-7 — its own
// Message-ID naming the ticket (helpdesk/mail.OwnID), and In-Reply-To and
// References from the payload's headers (In-Reply-To defaulting to the
// last of References) — so that the customer's answer threads back.
func Build(m notify.Message, from notify.Address, now time.Time) ([]byte, error) {
	var h gomail.Header
	h.SetDate(now)
	h.SetAddressList("From", []*gomail.Address{{Name: from.Name, Address: from.Address}})
	if !m.Payload.ReplyTo.IsZero() {
		h.SetAddressList("Reply-To", []*gomail.Address{{Name: m.Payload.ReplyTo.Name, Address: m.Payload.ReplyTo.Address}})
	}
	h.SetAddressList("To", []*gomail.Address{{Address: m.Recipient}})
	h.SetSubject(m.Payload.Subject)
	id := "m-" + m.ID + "@deskkit"
	if m.Source.TicketID != "" {
		id = mail.OwnID(m.Source.TicketID, m.ID)
	}
	h.SetMessageID(id)
	var refs []string
	for k, v := range m.Payload.Headers {
		switch k = textproto.CanonicalMIMEHeaderKey(k); k {
		case "References", "In-Reply-To":
			ids := looseID.FindAllStringSubmatch(v, -1)
			l := make([]string, len(ids))
			for i, x := range ids {
				l[i] = x[1]
			}
			h.SetMsgIDList(k, l)
			if k == "References" {
				refs = l
			}
		case "Message-Id", "From", "To", "Date", "Subject", "Content-Type", "Mime-Version":
			// ours
		default:
			h.SetText(k, v)
		}
	}
	if !h.Has("In-Reply-To") && len(refs) > 0 {
		h.SetMsgIDList("In-Reply-To", refs[len(refs)-1:])
	}
	h.Set("MIME-Version", "1.0")
	var buf bytes.Buffer
	if m.Payload.HTML == "" {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		w, err := gomail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(crlfText(m.Payload.Text))); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	w, err := gomail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct{ mt, body string }{{"text/plain", m.Payload.Text}, {"text/html", m.Payload.HTML}} {
		var ph gomail.InlineHeader
		ph.SetContentType(p.mt, map[string]string{"charset": "utf-8"})
		pw, err := w.CreatePart(ph)
		if err != nil {
			return nil, err
		}
		if _, err := pw.Write([]byte(crlfText(p.body))); err != nil {
			return nil, err
		}
		if err := pw.Close(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// crlfText ends every line of s with CRLF.
func crlfText(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}
