package notify

import (
	"context"
	"errors"
)

// Mailer sends an email message (MAIL-5, MAIL-6). The message's Recipient
// is the address to send to; its Payload holds the subject, the text and
// HTML bodies, the sender (Payload.From: when zero, the Mailer's own
// default sender), where answers go (Payload.ReplyTo) and the threading
// headers (Payload.Headers).
type Mailer interface {
	SendMail(ctx context.Context, m Message) error
}

// SMSSender sends an SMS (SMS-2).
type SMSSender interface {
	SendSMS(ctx context.Context, m Message) error
}

// DoorayPoster posts to a Dooray! incoming webhook (DRY-4).
type DoorayPoster interface {
	PostDooray(ctx context.Context, m Message) error
}

// BrowserPusher shows a notification in an agent's browser (NTF-4).
type BrowserPusher interface {
	PushBrowser(ctx context.Context, m Message) error
}

// Caller makes an HTTP callback with the message's JSON (TRG-6.4).
type Caller interface {
	Call(ctx context.Context, m Message) error
}

// Notifiers are the notifier of each medium; a medium without one fails its
// messages for good. A Dispatcher needs at least one.
type Notifiers struct {
	Mail    Mailer        // Email messages
	SMS     SMSSender     // SMS messages
	Dooray  DoorayPoster  // Dooray messages
	Browser BrowserPusher // Browser messages
	Call    Caller        // Callback messages
}

// none reports whether n has no notifier at all.
func (n Notifiers) none() bool {
	return n.Mail == nil && n.SMS == nil && n.Dooray == nil && n.Browser == nil && n.Call == nil
}

// send delivers m through the notifier of its medium.
func (n Notifiers) send(ctx context.Context, m Message) error {
	switch m.Medium {
	case Email:
		if n.Mail != nil {
			return n.Mail.SendMail(ctx, m)
		}
	case SMS:
		if n.SMS != nil {
			return n.SMS.SendSMS(ctx, m)
		}
	case Dooray:
		if n.Dooray != nil {
			return n.Dooray.PostDooray(ctx, m)
		}
	case Browser:
		if n.Browser != nil {
			return n.Browser.PushBrowser(ctx, m)
		}
	case Callback:
		if n.Call != nil {
			return n.Call.Call(ctx, m)
		}
	}
	return Permanent(errors.New("no notifier for medium " + string(m.Medium)))
}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as permanent: the Dispatcher fails the message for
// good instead of retrying (a rejected address, a 4xx answer).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err (or an error it wraps) was marked by
// Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}
