package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // charsets beyond UTF-8: EUC-KR, ISO-2022-JP, Windows-949 ...
	gomail "github.com/emersion/go-message/mail"

	"github.com/deskkit/deskkit/helpdesk/mail"
)

// ParseOptions bound what Parse reads.
type ParseOptions struct {
	// MaxAttachmentBytes is the largest attachment Parse keeps the content
	// of; a larger one is kept without content and noted (MAIL-8).
	// Default DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64
}

// DefaultMaxAttachmentBytes is the default attachment size limit.
const DefaultMaxAttachmentBytes = 10 << 20

// maxTextBytes bounds one text part Parse reads (the helpdesk cuts the
// text to its own limit later).
const maxTextBytes = 4 << 20

// Parse reads a raw RFC 5322 mail into the helpdesk's Message. It never
// fails and never panics: what it cannot read (a broken header, an unknown
// charset or transfer encoding, a truncated part) it leaves out or keeps
// as raw text, and says so in Message.Notes, so that the mail still makes
// a ticket (MAIL-10). Headers are decoded from RFC 2047; text parts from
// their charset (UTF-8, EUC-KR, Windows-949, ISO-2022-JP and the others of
// golang.org/x/text); of multipart/alternative the plain part is the text,
// and a mail with only HTML gets a text rendering of it.
func Parse(raw []byte, opt ParseOptions) (m mail.Message) {
	if opt.MaxAttachmentBytes <= 0 {
		opt.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	defer func() {
		if p := recover(); p != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("the mail could not be parsed (%v); its raw text is kept", p))
			if m.Text == "" {
				m.Text = string(raw)
			}
		}
	}()
	e, err := message.Read(bytes.NewReader(raw))
	if e == nil {
		return mail.Message{Text: string(raw), Notes: []string{"the mail's header could not be read (" + err.Error() + "); its raw text is kept"}}
	}
	if err != nil {
		m.Notes = append(m.Notes, "the mail: "+err.Error())
	}
	readHeader(&m, gomail.Header{Header: e.Header})
	var plain, htm []string
	walkErr := e.Walk(func(path []int, part *message.Entity, err error) error {
		if err != nil && len(path) > 0 {
			m.Notes = append(m.Notes, fmt.Sprintf("part %s: %v", partName(path), err))
		}
		mt, params, _ := part.Header.ContentType()
		if strings.HasPrefix(mt, "multipart/") {
			return nil
		}
		switch mt {
		case "message/delivery-status": // a bounce (RFC 3464, MAIL-9)
			if b := readDSN(part.Body); b != nil && m.Bounce == nil {
				m.Bounce = b
			}
			return nil
		case "message/rfc822-headers", "text/rfc822-headers", "message/rfc822":
			// the bounced mail: its Message-ID threads the bounce to
			// the ticket it came from
			if oh, err := textproto.NewReader(bufio.NewReader(io.LimitReader(part.Body, maxTextBytes))).ReadMIMEHeader(); err == nil || len(oh) > 0 {
				h := gomail.Header{Header: message.Header{}}
				for k, vs := range oh {
					for _, v := range vs {
						h.Add(k, v)
					}
				}
				m.References = append(m.References, msgIDs(h, "Message-Id")...)
			}
			if mt != "message/rfc822" {
				return nil
			}
		}
		disp, dparams, _ := part.Header.ContentDisposition()
		name := dparams["filename"]
		if name == "" {
			name = params["name"]
		}
		isText := mt == "" || mt == "text/plain" || mt == "text/html"
		if disp == "attachment" || (!isText && (name != "" || mt != "")) || (disp == "inline" && name != "") {
			a, note := readAttachment(part, mt, name, opt.MaxAttachmentBytes)
			m.Attachments = append(m.Attachments, a)
			if note != "" {
				m.Notes = append(m.Notes, fmt.Sprintf("part %s: %s", partName(path), note))
			}
			return nil
		}
		b, rerr := io.ReadAll(io.LimitReader(part.Body, maxTextBytes))
		if rerr != nil {
			m.Notes = append(m.Notes, fmt.Sprintf("part %s: read only in part: %v", partName(path), rerr))
		}
		if mt == "text/html" {
			htm = append(htm, string(b))
		} else {
			plain = append(plain, string(b))
		}
		return nil
	})
	if walkErr != nil {
		m.Notes = append(m.Notes, "the mail's parts could not all be read: "+walkErr.Error())
	}
	m.Text = strings.Join(plain, "\n\n")
	m.HTML = strings.Join(htm, "\n")
	if strings.TrimSpace(m.Text) == "" && m.HTML != "" {
		m.Text = HTMLText(m.HTML)
	}
	return m
}

func partName(path []int) string {
	s := make([]string, len(path))
	for i, p := range path {
		s[i] = fmt.Sprint(p + 1)
	}
	return strings.Join(s, ".")
}

// readHeader fills m from the mail's header.
func readHeader(m *mail.Message, h gomail.Header) {
	note := func(what string, err error) {
		if err != nil {
			m.Notes = append(m.Notes, what+": "+err.Error())
		}
	}
	var err error
	if m.MessageID, err = h.MessageID(); err != nil || m.MessageID == "" {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	m.InReplyTo = msgIDs(h, "In-Reply-To")
	m.References = msgIDs(h, "References")
	if from, err := h.AddressList("From"); err == nil && len(from) > 0 {
		m.From = mail.Address{Name: from[0].Name, Address: from[0].Address}
	} else if h.Get("From") != "" {
		note("From", fmt.Errorf("%q is not an address", h.Get("From")))
	}
	m.To, m.Cc = addresses(h, "To"), addresses(h, "Cc")
	if m.Subject, err = h.Subject(); err != nil {
		m.Subject = h.Get("Subject")
		note("Subject", err)
	}
	if d, err := netmail.ParseDate(h.Get("Date")); err == nil { // faster than go-message's Header.Date
		m.Date = d.UTC()
	} else if d, err := h.Date(); err == nil { // which reads more obsolete forms
		m.Date = d.UTC()
	}
	m.Language = strings.TrimSpace(strings.Split(h.Get("Content-Language"), ",")[0])
	for _, k := range mail.NoiseHeaders {
		if h.Has(k) {
			if m.Header == nil {
				m.Header = map[string]string{}
			}
			m.Header[k] = h.Get(k)
		}
	}
}

var looseID = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs reads a list of message ids, falling back to every <...> in the
// field when it is not well formed.
func msgIDs(h gomail.Header, k string) []string {
	ids, err := h.MsgIDList(k)
	if err == nil {
		return ids
	}
	for _, m := range looseID.FindAllStringSubmatch(h.Get(k), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func addresses(h gomail.Header, k string) []mail.Address {
	l, _ := h.AddressList(k)
	out := make([]mail.Address, 0, len(l))
	for _, a := range l {
		out = append(out, mail.Address{Name: a.Name, Address: a.Address})
	}
	return out
}

// readAttachment reads one attached part, keeping its content when it is
// within max bytes.
func readAttachment(part *message.Entity, mt, name string, max int64) (mail.Attachment, string) {
	if dec, err := (&gomail.AttachmentHeader{Header: part.Header}).Filename(); err == nil && dec != "" {
		name = dec
	}
	if mt == "" {
		mt = "application/octet-stream"
	}
	a := mail.Attachment{Name: name, ContentType: mt}
	b, err := io.ReadAll(io.LimitReader(part.Body, max+1))
	if err != nil {
		return a, fmt.Sprintf("attachment %q could not be read: %v", name, err)
	}
	if int64(len(b)) > max {
		n, _ := io.Copy(io.Discard, part.Body)
		a.Size = int64(len(b)) + n
		return a, fmt.Sprintf("attachment %q is %d bytes, over the limit of %d: kept without its content", name, a.Size, max)
	}
	a.Content, a.Size = b, int64(len(b))
	return a, ""
}

var (
	dropBlocks = regexp.MustCompile(`(?is)<(script|style|head|title)\b.*?</(script|style|head|title)\s*>`)
	breaks     = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|li|tr|h[1-6]|blockquote|table)\s*>`)
	tags       = regexp.MustCompile(`(?s)<[^>]*>`)
	blankRuns  = regexp.MustCompile(`\n[ \t]*(\n[ \t]*)+`)
	spaceRuns  = regexp.MustCompile(`[ \t\r\f]+`)
)

// HTMLText renders an HTML body as plain text: the text of its elements,
// a line break for each break, paragraph, list item and row, entities
// decoded, scripts and styles dropped.
func HTMLText(s string) string {
	s = dropBlocks.ReplaceAllString(s, "")
	s = breaks.ReplaceAllString(s, "\n")
	s = tags.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = spaceRuns.ReplaceAllString(s, " ")
	s = blankRuns.ReplaceAllString(s, "\n\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// readDSN reads a delivery-status report (RFC 3464): the per-message
// fields, then one block per recipient. It returns the first recipient
// that failed for good (status 5.x.x), else the first with a status; nil
// when no block names a recipient and a status.
func readDSN(r io.Reader) *mail.Bounce {
	tr := textproto.NewReader(bufio.NewReader(io.LimitReader(r, maxTextBytes)))
	var first *mail.Bounce
	for range 100 {
		h, err := tr.ReadMIMEHeader()
		if len(h) > 0 {
			b := mail.Bounce{Recipient: dsnAddress(h.Get("Final-Recipient")), Status: strings.TrimSpace(h.Get("Status")),
				Diagnostic: strings.TrimSpace(h.Get("Diagnostic-Code"))}
			if b.Recipient == "" {
				b.Recipient = dsnAddress(h.Get("Original-Recipient"))
			}
			if b.Recipient != "" && b.Status != "" {
				if b.Permanent() {
					return &b
				}
				if first == nil {
					first = &b
				}
			}
		}
		if err != nil {
			break
		}
	}
	return first
}

// dsnAddress returns the address of a DSN recipient field
// ("rfc822; jane@example.com"): the part after the address type.
func dsnAddress(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	return strings.Trim(strings.TrimSpace(v), "<>")
}
