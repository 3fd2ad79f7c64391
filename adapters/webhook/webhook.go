package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/adapters/internal/httpx"
	"github.com/deskkit/deskkit/notify"
)

// The headers of a callback request.
const (
	// HeaderIdempotencyKey carries the message's idempotency key: the same
	// on every attempt, so a receiver drops repeats (NTF-1).
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderTimestamp carries the Unix time (seconds) of the attempt.
	HeaderTimestamp = "X-Deskkit-Timestamp"
	// HeaderSignature carries "v1=" and the hex HMAC-SHA256 of timestamp,
	// ".", body, one per signing secret, comma-separated.
	HeaderSignature = "X-Deskkit-Signature"
)

// Options configure a Caller.
type Options struct {
	// Secrets returns a service's signing secrets, newest first. Every
	// callback is signed with each of them (at most two: during a rotation,
	// the new and the old), so receivers holding either accept it. A
	// service without a secret gets unsigned callbacks only when
	// AllowUnsigned is set; otherwise its callbacks fail for good.
	Secrets func(ctx context.Context, serviceID string) ([]string, error)
	// AllowUnsigned sends callbacks of services without a secret unsigned.
	AllowUnsigned bool
	// Guard is the SSRF guard (SEC-2); its zero value refuses every
	// non-public address.
	Guard Guard
	// Timeout bounds one callback, redirects included; default 10s.
	Timeout time.Duration
	// MaxResponseBytes is how much of an answer is read; default 64 KiB.
	MaxResponseBytes int64
	// MaxRedirects is how many redirects are followed; default 3.
	MaxRedirects int
	// Clock stamps the requests; default time.Now.
	Clock func() time.Time
	// TLSClientConfig configures TLS (a private CA, a test server's
	// certificate); nil: the defaults.
	TLSClientConfig *tls.Config
}

// Caller makes HTTP callbacks (TRG-6.4): it implements notify.Caller. It
// is safe for concurrent use.
type Caller struct {
	o    Options
	http *http.Client
}

// New returns a Caller built from o.
func New(o Options) *Caller {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 64 << 10
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = 3
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Caller{o: o, http: o.Guard.Client(o.Timeout, o.MaxRedirects, o.TLSClientConfig)}
}

// ErrNoSecret is returned (marked permanent) for a service without a
// signing secret when unsigned callbacks are not allowed.
var ErrNoSecret = errors.New("invalid: the service has no callback signing secret")

// StatusError is a callback answered with a status other than 2xx.
type StatusError struct {
	Status int
	Body   string // the start of the answer
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook: HTTP %d: %s", e.Status, e.Body)
}

// Temporary reports whether trying again may succeed: 408, 425, 429 and
// 5xx.
func (e *StatusError) Temporary() bool {
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return e.Status >= 500
}

// Call POSTs m.Payload.JSON to m.Recipient (notify.Caller, TRG-6.4), with
// the idempotency key, a timestamp and the signatures (SEC-2). A 2xx
// answer is success. A refused target, a bad URL, a missing secret and a
// 4xx answer (other than 408, 425, 429) are permanent; timeouts,
// connection errors, 408, 425, 429 and 5xx are retried.
func (c *Caller) Call(ctx context.Context, m notify.Message) error {
	u, err := url.Parse(m.Recipient)
	if err != nil {
		return notify.Permanent(fmt.Errorf("invalid: callback URL: %w", err))
	}
	if err := c.o.Guard.checkURL(u); err != nil {
		return notify.Permanent(err)
	}
	var secrets []string
	if c.o.Secrets != nil {
		if secrets, err = c.o.Secrets(ctx, m.ServiceID); err != nil {
			return fmt.Errorf("webhook: secrets of service %q: %w", m.ServiceID, err)
		}
	}
	if len(secrets) == 0 && !c.o.AllowUnsigned {
		return notify.Permanent(ErrNoSecret)
	}
	body := []byte(m.Payload.JSON)
	ts := strconv.FormatInt(c.o.Clock().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return notify.Permanent(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "deskkit-webhook/1")
	req.Header.Set(HeaderIdempotencyKey, m.IdempotencyKey)
	req.Header.Set(HeaderTimestamp, ts)
	if len(secrets) > 0 {
		req.Header.Set(HeaderSignature, Sign(secrets[:min(len(secrets), 2)], ts, body))
	}
	res, err := c.http.Do(req)
	if err != nil {
		if Refused(err) {
			return notify.Permanent(fmt.Errorf("webhook: %w", httpx.WithoutURL(err)))
		}
		return fmt.Errorf("webhook: %w", httpx.WithoutURL(err))
	}
	defer res.Body.Close()
	snip, _ := io.ReadAll(io.LimitReader(res.Body, c.o.MaxResponseBytes))
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		return nil
	}
	se := &StatusError{Status: res.StatusCode, Body: httpx.Snippet(snip)}
	if se.Temporary() {
		return se
	}
	return notify.Permanent(se)
}

// Sign returns the signature header value of body sent at timestamp ts,
// one "v1=<hex>" per secret.
func Sign(secrets []string, ts string, body []byte) string {
	parts := make([]string, len(secrets))
	for i, s := range secrets {
		parts[i] = "v1=" + hex.EncodeToString(mac(s, ts, body))
	}
	return strings.Join(parts, ",")
}

func mac(secret, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// ErrBadSignature is Verify's answer to a request it cannot trust.
var ErrBadSignature = errors.New("forbidden: bad callback signature")

// Verify is the receiver's check of a callback (SEC-2): the timestamp
// must be within tolerance of now (replays of old requests fail), and one
// signature of the header must match the body under one of secrets —
// during a rotation, a receiver passes both the new and the old secret.
func Verify(secrets []string, header http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	ts := header.Get(HeaderTimestamp)
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: timestamp outside the tolerance", ErrBadSignature)
	}
	for _, part := range strings.Split(header.Get(HeaderSignature), ",") {
		got, ok := strings.CutPrefix(strings.TrimSpace(part), "v1=")
		if !ok {
			continue
		}
		sig, err := hex.DecodeString(got)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if s != "" && hmac.Equal(sig, mac(s, ts, body)) {
				return nil
			}
		}
	}
	return ErrBadSignature
}
