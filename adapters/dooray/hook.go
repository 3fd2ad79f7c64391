package dooray

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/deskkit/deskkit/adapters/internal/httpx"
	"github.com/deskkit/deskkit/adapters/webhook"
	"github.com/deskkit/deskkit/notify"
)

// HookOptions configure a HookPoster.
type HookOptions struct {
	// BotName is the name the messages show; default "Deskkit".
	BotName string
	// BotIconImage is the URL of the bot's icon; default none.
	BotIconImage string
	// Guard is the SSRF guard of the hook URLs an admin enters (SEC-2);
	// its zero value refuses every non-public address. Tests allow-list
	// their server.
	Guard webhook.Guard
	// Timeout bounds one post; default 10s.
	Timeout time.Duration
	// TLSClientConfig configures TLS (a test server's certificate); nil:
	// the defaults.
	TLSClientConfig *tls.Config
}

// HookPoster posts to Dooray! messenger incoming webhooks (DRY-4,
// TRG-6.5): it implements notify.DoorayPoster. It is safe for concurrent
// use.
type HookPoster struct {
	o    HookOptions
	http *http.Client
}

// NewHookPoster returns a HookPoster built from o.
func NewHookPoster(o HookOptions) *HookPoster {
	if o.BotName == "" {
		o.BotName = "Deskkit"
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return &HookPoster{o: o, http: o.Guard.Client(o.Timeout, 3, o.TLSClientConfig)}
}

// HookMessage is the JSON an incoming webhook takes.
type HookMessage struct {
	BotName      string       `json:"botName"`
	BotIconImage string       `json:"botIconImage,omitempty"`
	Text         string       `json:"text"`
	Attachments  []Attachment `json:"attachments,omitempty"`
}

// Attachment is one attachment block of a HookMessage.
type Attachment struct {
	Title     string `json:"title,omitempty"`
	TitleLink string `json:"titleLink,omitempty"`
	Text      string `json:"text,omitempty"`
	Color     string `json:"color,omitempty"`
}

// Message returns the hook message of m: its rendered Payload.Text as the
// text and, when m has a subject or a link (a surge alert, a ticket), one
// attachment titled by the subject and linking to the link. A
// Payload.JSON that is a HookMessage is sent as it is, the bot's name and
// icon filled in where it has none.
func (p *HookPoster) Message(m notify.Message) (HookMessage, error) {
	var h HookMessage
	if m.Payload.JSON != "" {
		if err := json.Unmarshal([]byte(m.Payload.JSON), &h); err != nil {
			return h, fmt.Errorf("invalid: the message's JSON is not a Dooray! hook message: %w", err)
		}
	} else {
		h.Text = m.Payload.Text
		if m.Payload.Subject != "" || m.Payload.Link != "" {
			h.Attachments = []Attachment{{Title: m.Payload.Subject, TitleLink: m.Payload.Link}}
		}
	}
	if h.BotName == "" {
		h.BotName = p.o.BotName
	}
	if h.BotIconImage == "" {
		h.BotIconImage = p.o.BotIconImage
	}
	if strings.TrimSpace(h.Text) == "" && len(h.Attachments) == 0 {
		return h, fmt.Errorf("invalid: the Dooray! message is empty")
	}
	return h, nil
}

// PostDooray posts m to the incoming-webhook URL m.Recipient
// (notify.DoorayPoster). A 2xx answer is success unless its body is the
// API's envelope with header.isSuccessful false. 429, 408 and 5xx answers
// and transport errors are retried; other failures are permanent. Errors
// never include the hook URL, a credential (SEC-1).
func (p *HookPoster) PostDooray(ctx context.Context, m notify.Message) error {
	h, err := p.Message(m)
	if err != nil {
		return notify.Permanent(err)
	}
	u, err := url.Parse(m.Recipient)
	if err != nil {
		return notify.Permanent(fmt.Errorf("invalid: the hook URL does not parse"))
	}
	if err := p.o.Guard.CheckURL(u.String()); err != nil {
		return notify.Permanent(err)
	}
	body, err := json.Marshal(h)
	if err != nil {
		return notify.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(fmt.Errorf("invalid: the hook URL: %s", u.Scheme))
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.http.Do(req)
	if err != nil {
		if webhook.Refused(err) {
			return notify.Permanent(fmt.Errorf("dooray: hook: %w", httpx.WithoutURL(err)))
		}
		return fmt.Errorf("dooray: hook: %w", httpx.WithoutURL(err))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	return hookResult(res.StatusCode, raw)
}

// hookResult classifies an incoming webhook's answer.
func hookResult(status int, raw []byte) error {
	if status >= 200 && status < 300 {
		var env struct {
			Header *struct {
				IsSuccessful  bool   `json:"isSuccessful"`
				ResultCode    int    `json:"resultCode"`
				ResultMessage string `json:"resultMessage"`
			} `json:"header"`
		}
		if json.Unmarshal(raw, &env) == nil && env.Header != nil && !env.Header.IsSuccessful {
			return notify.Permanent(&APIError{Status: status, Code: env.Header.ResultCode, Message: env.Header.ResultMessage})
		}
		return nil
	}
	e := &APIError{Status: status, Message: httpx.Snippet(raw)}
	if e.Temporary() {
		return e
	}
	return notify.Permanent(e)
}
