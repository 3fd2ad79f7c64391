package nhnsms

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskkit/deskkit/adapters/internal/httpx"
	"github.com/deskkit/deskkit/notify"
)

// DefaultBaseURL is the API's host; Options.BaseURL replaces it (another
// region, a proxy, a test server).
const DefaultBaseURL = "https://sms.api.nhncloudservice.com"

// maxResponse bounds how much of an answer is read.
const maxResponse = 1 << 20

// Credentials are one service's keys and the sender numbers it uses
// (SMS-1). The first sender number is the default one.
type Credentials struct {
	AppKey        string
	SecretKey     string
	SenderNumbers []string
}

// Options configure a Client.
type Options struct {
	// BaseURL is the API's scheme and host; default DefaultBaseURL.
	BaseURL string
	// HTTPClient makes the calls; default a client with a 10s timeout.
	HTTPClient *http.Client
	// Credentials returns the keys and sender numbers of a service; SendSMS
	// needs it. A host using helpdesk passes Desk.SMSCredentials (converted);
	// a single-tenant host may return fixed keys.
	Credentials func(ctx context.Context, serviceID string) (Credentials, error)
}

// Client calls the NHN Cloud SMS API v3.0. It implements notify.SMSSender
// and lists a key's sender numbers (SMS-1). It is safe for concurrent use.
type Client struct {
	base  string
	http  *http.Client
	creds func(ctx context.Context, serviceID string) (Credentials, error)
}

// New returns a Client built from o.
func New(o Options) *Client {
	c := &Client{base: strings.TrimRight(o.BaseURL, "/"), http: o.HTTPClient, creds: o.Credentials}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	return c
}

// ErrNotConfigured is returned (marked permanent) by SendSMS when the
// client has no Credentials function or the service has no keys or no
// sender number.
var ErrNotConfigured = errors.New("invalid: SMS is not configured for the service")

// ErrTooLong is returned (marked permanent) for a text over LMSBytes in
// EUC-KR: the adapter neither cuts nor splits a text.
var ErrTooLong = errors.New("invalid: the text is longer than an LMS carries")

// ErrUnregisteredSender is returned (marked permanent) when a message names
// a sender number the service does not use: nothing is sent.
var ErrUnregisteredSender = errors.New("invalid: the sender number is not one the service uses")

// APIError is an answer of the API that is not a success: an HTTP status
// other than 200, a header with isSuccessful false, or a recipient's
// non-zero resultCode.
type APIError struct {
	Status    int    // the HTTP status
	Code      int    // header.resultCode, or the recipient's resultCode
	Message   string // resultMessage, or a part of the body
	Recipient string // set when one recipient failed
}

func (e *APIError) Error() string {
	who := ""
	if e.Recipient != "" {
		who = " for recipient " + e.Recipient
	}
	return fmt.Sprintf("nhnsms: HTTP %d, result code %d%s: %s", e.Status, e.Code, who, e.Message)
}

// Temporary reports whether trying again later may succeed: HTTP 408, 429
// and 5xx, and the API's system errors (-9999, -2021 queue insert). Every
// other failure — bad keys, an unregistered or blocked sender number, a
// bad recipient, the monthly limit — is permanent.
func (e *APIError) Temporary() bool { return Temporary(e.Status, e.Code) }

// Temporary classifies an answer by its HTTP status and result code; see
// APIError.Temporary.
func Temporary(status, code int) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500:
		return true
	}
	return code == -9999 || code == -2021
}

// header is the API's result header.
type header struct {
	IsSuccessful  bool   `json:"isSuccessful"`
	ResultCode    int    `json:"resultCode"`
	ResultMessage string `json:"resultMessage"`
}

// recipient is one entry of recipientList.
type recipient struct {
	RecipientNo string `json:"recipientNo"`
}

// sendRequest is the body of sender/sms and sender/mms.
type sendRequest struct {
	Title         string      `json:"title,omitempty"`
	Body          string      `json:"body"`
	SendNo        string      `json:"sendNo"`
	RecipientList []recipient `json:"recipientList"`
}

// sendResponse is their answer.
type sendResponse struct {
	Header header `json:"header"`
	Body   *struct {
		Data struct {
			RequestID      string `json:"requestId"`
			StatusCode     string `json:"statusCode"`
			SendResultList []struct {
				RecipientNo   string `json:"recipientNo"`
				ResultCode    *int   `json:"resultCode"`
				ResultMessage string `json:"resultMessage"`
			} `json:"sendResultList"`
		} `json:"data"`
	} `json:"body"`
}

// Sent is what the API answered to an accepted message.
type Sent struct {
	RequestID string // the API's request id
	LMS       bool   // sent as LMS (sender/mms), not SMS
}

// SendSMS sends m.Payload.Text to m.Recipient with the service's keys
// (notify.SMSSender, SMS-2). The sender number is m.Payload.From.Address
// when set (it must be one the service uses: ErrUnregisteredSender),
// otherwise the service's first one. Errors that retrying cannot fix are
// marked notify.Permanent.
func (c *Client) SendSMS(ctx context.Context, m notify.Message) error {
	if c.creds == nil {
		return notify.Permanent(ErrNotConfigured)
	}
	cr, err := c.creds(ctx, m.ServiceID)
	if err != nil {
		return fmt.Errorf("nhnsms: credentials of service %q: %w", m.ServiceID, err)
	}
	if cr.AppKey == "" || cr.SecretKey == "" || len(cr.SenderNumbers) == 0 {
		return notify.Permanent(ErrNotConfigured)
	}
	from := cr.SenderNumbers[0]
	if f := m.Payload.From.Address; f != "" {
		if !slices.Contains(cr.SenderNumbers, f) {
			return notify.Permanent(fmt.Errorf("%w: %q", ErrUnregisteredSender, f))
		}
		from = f
	}
	_, err = c.Send(ctx, cr, from, m.Recipient, m.Payload.Subject, m.Payload.Text)
	return err
}

// Send sends text from the sender number to one recipient: as SMS when it
// fits SMSBytes in EUC-KR, otherwise as LMS whose title is title (or,
// when empty, the text's first line), cut to TitleBytes. A text EUC-KR
// cannot carry (*EncodingError), one over LMSBytes (ErrTooLong) or a bad
// phone number is refused before any call. The error of a failed call is
// an *APIError or a transport error; those that retrying cannot fix are
// marked notify.Permanent.
func (c *Client) Send(ctx context.Context, cr Credentials, sendNo, to, title, text string) (Sent, error) {
	req, lms, err := message(sendNo, to, title, text)
	if err != nil {
		return Sent{}, notify.Permanent(err)
	}
	path := "/sender/sms"
	if lms {
		path = "/sender/mms"
	}
	var out sendResponse
	if err := c.do(ctx, cr, http.MethodPost, path, nil, req, &out); err != nil {
		return Sent{}, err
	}
	var sent Sent
	sent.LMS = lms
	if out.Body != nil {
		sent.RequestID = out.Body.Data.RequestID
		for _, r := range out.Body.Data.SendResultList {
			if r.ResultCode != nil && *r.ResultCode != 0 {
				return sent, classify(&APIError{Status: http.StatusOK, Code: *r.ResultCode, Message: r.ResultMessage, Recipient: r.RecipientNo})
			}
		}
	}
	return sent, nil
}

// message builds the request for one text, checking it first.
func message(sendNo, to, title, text string) (sendRequest, bool, error) {
	if !phone(sendNo) {
		return sendRequest{}, false, fmt.Errorf("invalid: sender number %q: digits only, at most 13", sendNo)
	}
	no, err := recipientNo(to)
	if err != nil {
		return sendRequest{}, false, err
	}
	if strings.TrimSpace(text) == "" {
		return sendRequest{}, false, errors.New("invalid: the text is empty")
	}
	n, err := EUCKRLen(text)
	if err != nil {
		return sendRequest{}, false, err
	}
	req := sendRequest{Body: text, SendNo: sendNo, RecipientList: []recipient{{RecipientNo: no}}}
	if n <= SMSBytes {
		return req, false, nil
	}
	if n > LMSBytes {
		return sendRequest{}, false, fmt.Errorf("%w: %d bytes in EUC-KR, at most %d", ErrTooLong, n, LMSBytes)
	}
	if title == "" {
		title, _, _ = strings.Cut(strings.TrimSpace(text), "\n")
	}
	if _, err := EUCKRLen(title); err != nil {
		return sendRequest{}, false, fmt.Errorf("title: %w", err)
	}
	req.Title = strings.TrimSpace(cut(strings.TrimSpace(title), TitleBytes))
	return req, true, nil
}

// phone reports whether s is 1–13 digits.
func phone(s string) bool {
	if s == "" || len(s) > 13 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// recipientNo turns a phone number as people write it ("010-1234-5678",
// "+82 10 1234 5678") into the API's domestic form ("01012345678").
// Numbers of other countries are refused: LMS cannot go abroad, and the
// adapter sends domestic messages only.
func recipientNo(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == '-' || r == ' ' || r == '(' || r == ')' || r == '.':
		default:
			return "", fmt.Errorf("invalid: recipient %q is not a phone number", s)
		}
	}
	no := b.String()
	if rest, ok := strings.CutPrefix(no, "+82"); ok {
		no = "0" + strings.TrimPrefix(rest, "0")
	} else if strings.HasPrefix(no, "+") {
		return "", fmt.Errorf("invalid: recipient %q: only Korean (+82) numbers are sent", s)
	}
	if len(no) < 3 || len(no) > 20 {
		return "", fmt.Errorf("invalid: recipient %q is not a phone number", s)
	}
	return no, nil
}

// SenderNumber is one registered sender number of an app key.
type SenderNumber struct {
	SendNo  string `json:"sendNo"`
	UseYn   string `json:"useYn"`
	BlockYn string `json:"blockYn"`
}

// Usable reports whether the number can send: in use and not blocked.
func (n SenderNumber) Usable() bool { return n.UseYn == "Y" && n.BlockYn == "N" }

// pageSize is how many sender numbers one list call asks for.
const pageSize = 100

// ListSenderNumbers returns every registered sender number of the keys,
// usable or not (GET …/sendNos, all pages). An answer that is not a
// success is an *APIError.
func (c *Client) ListSenderNumbers(ctx context.Context, cr Credentials) ([]SenderNumber, error) {
	var all []SenderNumber
	for page := 1; page <= 100; page++ {
		var out struct {
			Header header `json:"header"`
			Body   *struct {
				TotalCount int            `json:"totalCount"`
				Data       []SenderNumber `json:"data"`
			} `json:"body"`
		}
		q := url.Values{"pageNum": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(pageSize)}}
		if err := c.do(ctx, cr, http.MethodGet, "/sendNos", q, nil, &out); err != nil {
			return nil, err
		}
		if out.Body == nil {
			break
		}
		all = append(all, out.Body.Data...)
		if len(out.Body.Data) < pageSize || len(all) >= out.Body.TotalCount {
			break
		}
	}
	return all, nil
}

// SenderNumbers returns the usable sender numbers of the keys (useYn Y,
// blockYn N): the port helpdesk calls to check SMS settings (SMS-1).
func (c *Client) SenderNumbers(ctx context.Context, appKey, secretKey string) ([]string, error) {
	ns, err := c.ListSenderNumbers(ctx, Credentials{AppKey: appKey, SecretKey: secretKey})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range ns {
		if n.Usable() {
			out = append(out, n.SendNo)
		}
	}
	return out, nil
}

// do makes one call and decodes its answer into out, which must start
// with the result header. The header, not only the HTTP status, decides
// success.
func (c *Client) do(ctx context.Context, cr Credentials, method, path string, q url.Values, in, out any) error {
	if cr.AppKey == "" || cr.SecretKey == "" {
		return notify.Permanent(ErrNotConfigured)
	}
	u := c.base + "/sms/v3.0/appKeys/" + url.PathEscape(cr.AppKey) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return notify.Permanent(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return notify.Permanent(fmt.Errorf("nhnsms: %w", err))
	}
	req.Header.Set("X-Secret-Key", cr.SecretKey)
	if in != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		// Transport errors and timeouts are temporary. The URL (with the
		// app key) is left out of the message.
		return fmt.Errorf("nhnsms: %s %s: %w", method, path, httpx.WithoutURL(err))
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("nhnsms: %s %s: reading the answer: %w", method, path, err)
	}
	var h struct {
		Header *header `json:"header"`
	}
	if json.Unmarshal(raw, &h) != nil || h.Header == nil {
		return classify(&APIError{Status: res.StatusCode, Code: 0, Message: cmp.Or(httpx.Snippet(raw), "empty answer")})
	}
	if res.StatusCode != http.StatusOK || !h.Header.IsSuccessful || h.Header.ResultCode != 0 {
		return classify(&APIError{Status: res.StatusCode, Code: h.Header.ResultCode, Message: h.Header.ResultMessage})
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return classify(&APIError{Status: res.StatusCode, Message: "undecodable answer: " + err.Error()})
	}
	return nil
}

// classify marks e permanent unless it is temporary. An answer of HTTP
// 200 without the API's header (a proxy's page) counts as temporary.
func classify(e *APIError) error {
	if e.Temporary() || (e.Status == http.StatusOK && e.Code == 0 && e.Recipient == "") {
		return e
	}
	return notify.Permanent(e)
}
