package mail

import (
	"strings"
	"time"
)

// Address is a mail address with its display name.
type Address struct {
	Name    string
	Address string
}

// Message is one received mail, parsed by its transport. Text fields are
// what the transport could read; the helpdesk makes them valid UTF-8 and
// cuts them to its limits (SEC-3), recording a note when it has to.
type Message struct {
	// MessageID is the Message-ID without angle brackets; a mail without
	// one gets an id made from its content (see Key).
	MessageID string
	// InReplyTo and References are the threading ids, without brackets.
	InReplyTo  []string
	References []string
	From       Address
	To, Cc     []Address
	Subject    string
	Date       time.Time
	// Language is the Content-Language tag, if the mail has one.
	Language string
	// Text is the plain-text body; when the mail had only HTML, the
	// transport's text rendering of it.
	Text string
	// HTML is the HTML body, if any.
	HTML string
	// Attachments are the mail's attached files.
	Attachments []Attachment
	// Header holds the loop and noise markers of MAIL-4 the transport
	// found, by canonical header name ("Auto-Submitted", "Precedence",
	// "X-Loop" ...): the value of the first occurrence.
	Header map[string]string
	// Notes say what the transport could not read (a broken part, an
	// unknown charset): the ticket gets them as an internal note.
	Notes []string
	// Bounce is the delivery-status report the mail carries when it is a
	// bounce (RFC 3464 multipart/report); nil otherwise. A permanent one
	// blocks automatic mail to its address (MAIL-9).
	Bounce *Bounce
}

// Attachment is one attached file (MAIL-8).
type Attachment struct {
	Name        string
	ContentType string
	// Size is the file's size in bytes; Content is nil when the transport
	// did not keep a file over its size limit.
	Size    int64
	Content []byte
}

// NoiseHeaders are the headers Noise reads; a transport copies them into
// Message.Header.
var NoiseHeaders = [...]string{"Auto-Submitted", "X-Autoreply", "X-Autorespond", "X-Loop",
	"X-Auto-Response-Suppress", "Precedence", "Return-Path"}

// Noise returns why m is an automatic or bulk mail that must not create a
// ticket, join one or cause an automatic mail (MAIL-4), or "" when it is a
// person's mail.
func Noise(m Message) string {
	h := func(k string) string { return strings.ToLower(strings.TrimSpace(m.Header[k])) }
	if v := h("Auto-Submitted"); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Loop", "X-Auto-Response-Suppress"} {
		if _, ok := m.Header[k]; ok {
			return k + " header"
		}
	}
	switch h("Precedence") {
	case "bulk", "junk", "list":
		return "Precedence: " + h("Precedence")
	}
	local, _, _ := strings.Cut(strings.ToLower(m.From.Address), "@")
	if local == "mailer-daemon" || local == "postmaster" || h("Return-Path") == "<>" {
		return "sent by " + m.From.Address + " (a delivery report)"
	}
	if IsOwn(m.MessageID) {
		return "our own Message-ID " + m.MessageID + " (a loop)"
	}
	return ""
}
