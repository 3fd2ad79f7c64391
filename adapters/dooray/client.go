package dooray

import (
	"bytes"
	"context"
	"encoding/json"
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

// DefaultBaseURL is the API host of Dooray!'s private cloud; the public
// and finance clouds have their own (ClientOptions.BaseURL).
const DefaultBaseURL = "https://api.dooray.com"

// ID is a Dooray! id: a 64-bit number the API writes as a string or as a
// bare number. It decodes both without loss (never through float64) and
// encodes as a string.
type ID string

// UnmarshalJSON accepts "123", 123 and null.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null":
		*id = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*id = ID(v)
	default:
		if _, err := strconv.ParseUint(s, 10, 64); err != nil {
			return fmt.Errorf("dooray: id %s is not a 64-bit number", s)
		}
		*id = ID(s)
	}
	return nil
}

// ClientOptions configure a Client.
type ClientOptions struct {
	// BaseURL is the API host; default DefaultBaseURL.
	BaseURL string
	// HTTPClient makes the calls; default a client with a 10s timeout.
	HTTPClient *http.Client
	// RateLimitRetries is how often a call answered 429 is tried again,
	// after the wait the answer asks for (Retry-After, else the bucket's
	// one-second refill), within the call's context; default 2.
	RateLimitRetries int
	// Sleep waits d or until ctx ends; default a timer. Tests inject one.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls the Dooray! REST API (project tasks and members) with a
// tenant's token (Authorization: dooray-api TOKEN). It is safe for
// concurrent use.
type Client struct {
	base    string
	http    *http.Client
	retries int
	sleep   func(ctx context.Context, d time.Duration) error
}

// NewClient returns a Client built from o.
func NewClient(o ClientOptions) *Client {
	c := &Client{base: strings.TrimRight(o.BaseURL, "/"), http: o.HTTPClient, retries: o.RateLimitRetries, sleep: o.Sleep}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 10 * time.Second}
	}
	if c.retries <= 0 {
		c.retries = 2
	}
	if c.sleep == nil {
		c.sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}
	}
	return c
}

// RateLimit is what the API's rate-limit headers said on the last answer.
type RateLimit struct {
	Remaining, Requested, Burst, Replenish int // -1 when absent
}

func rateLimit(h http.Header) RateLimit {
	n := func(k string) int {
		v, err := strconv.Atoi(h.Get(k))
		if err != nil {
			return -1
		}
		return v
	}
	return RateLimit{Remaining: n("X-RateLimit-Remaining"), Requested: n("X-RateLimit-Requested-Tokens"),
		Burst: n("X-RateLimit-Burst-Capacity"), Replenish: n("X-RateLimit-Replenish-Rate")}
}

// envelope is the API's answer.
type envelope struct {
	Header *struct {
		IsSuccessful  bool   `json:"isSuccessful"`
		ResultCode    int    `json:"resultCode"`
		ResultMessage string `json:"resultMessage"`
	} `json:"header"`
	Result     json.RawMessage `json:"result"`
	TotalCount int             `json:"totalCount"`
}

// call makes one API call with token and decodes the envelope's result
// into out (when not nil). The status and the header's isSuccessful both
// decide; a 429 is waited out and tried again (RateLimitRetries).
func (c *Client) call(ctx context.Context, token, method, path string, q url.Values, in, out any) error {
	if token == "" {
		return notify.Permanent(fmt.Errorf("invalid: no Dooray! token"))
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return notify.Permanent(err)
		}
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return notify.Permanent(err)
		}
		req.Header.Set("Authorization", "dooray-api "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("dooray: %s %s: %w", method, path, httpx.WithoutURL(err))
		}
		raw, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("dooray: %s %s: reading the answer: %w", method, path, err)
		}
		var env envelope
		_ = json.Unmarshal(raw, &env)
		if res.StatusCode == http.StatusTooManyRequests {
			wait := retryAfter(res.Header)
			if attempt < c.retries {
				if err := c.sleep(ctx, wait); err != nil {
					return fmt.Errorf("dooray: %s %s: waiting out the rate limit: %w", method, path, err)
				}
				continue
			}
			return &APIError{Status: res.StatusCode, Message: "rate limited", RetryAfter: wait, RateLimit: rateLimit(res.Header)}
		}
		if res.StatusCode == http.StatusOK && env.Header != nil && env.Header.IsSuccessful {
			if out != nil && len(env.Result) > 0 {
				if err := json.Unmarshal(env.Result, out); err != nil {
					return fmt.Errorf("dooray: %s %s: undecodable result: %w", method, path, err)
				}
			}
			return nil
		}
		e := &APIError{Status: res.StatusCode, Message: httpx.Snippet(raw), RateLimit: rateLimit(res.Header)}
		if env.Header != nil {
			e.Code, e.Message = env.Header.ResultCode, env.Header.ResultMessage
		}
		if e.Temporary() || (res.StatusCode == http.StatusOK && env.Header == nil) {
			return e
		}
		return notify.Permanent(e)
	}
}

// retryAfter is the wait a 429 asks for: Retry-After in seconds, else one
// second (the bucket refills every second).
func retryAfter(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second, time.Minute)
	}
	return time.Second
}

// MemberByEmail returns the organisation member id of the member with
// that external email address; found is false when there is none.
func (c *Client) MemberByEmail(ctx context.Context, token, email string) (id ID, found bool, err error) {
	var out []struct {
		ID ID `json:"id"`
	}
	q := url.Values{"externalEmailAddresses": {email}, "page": {"0"}, "size": {"1"}}
	if err := c.call(ctx, token, http.MethodGet, "/common/v1/members", q, nil, &out); err != nil {
		return "", false, err
	}
	if len(out) == 0 || out[0].ID == "" {
		return "", false, nil
	}
	return out[0].ID, true, nil
}

// IsProjectMember reports whether the member belongs to the project (a
// leaver does not).
func (c *Client) IsProjectMember(ctx context.Context, token, projectID string, memberID ID) (bool, error) {
	var out struct {
		Role string `json:"role"`
	}
	err := c.call(ctx, token, http.MethodGet, "/project/v1/projects/"+url.PathEscape(projectID)+"/members/"+url.PathEscape(string(memberID)), nil, nil, &out)
	var ae *APIError
	if asAPIError(err, &ae) && ae.Status == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return out.Role != "" && out.Role != "leaver", nil
}

// Task is a task to create in a project.
type Task struct {
	Subject  string
	Markdown string // the body, text/x-markdown
	Assignee ID     // organisation member id; empty: none
}

type member struct {
	Type   string `json:"type"`
	Member struct {
		OrganizationMemberID ID `json:"organizationMemberId"`
	} `json:"member"`
}

type taskBody struct {
	MimeType string `json:"mimeType"`
	Content  string `json:"content"`
}

// CreateTask creates a task in the project and returns its post id.
func (c *Client) CreateTask(ctx context.Context, token, projectID string, t Task) (ID, error) {
	in := struct {
		Users struct {
			To []member `json:"to"`
		} `json:"users"`
		Subject  string   `json:"subject"`
		Body     taskBody `json:"body"`
		Priority string   `json:"priority"`
	}{Subject: t.Subject, Body: taskBody{MimeType: "text/x-markdown", Content: t.Markdown}, Priority: "none"}
	in.Users.To = []member{}
	if t.Assignee != "" {
		m := member{Type: "member"}
		m.Member.OrganizationMemberID = t.Assignee
		in.Users.To = append(in.Users.To, m)
	}
	var out struct {
		ID ID `json:"id"`
	}
	if err := c.call(ctx, token, http.MethodPost, "/project/v1/projects/"+url.PathEscape(projectID)+"/posts", nil, in, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}

// AddComment adds a markdown comment to a task and returns its id.
func (c *Client) AddComment(ctx context.Context, token, projectID, postID, markdown string) (ID, error) {
	in := struct {
		Body taskBody `json:"body"`
	}{taskBody{MimeType: "text/x-markdown", Content: markdown}}
	var out struct {
		ID ID `json:"id"`
	}
	path := "/project/v1/projects/" + url.PathEscape(projectID) + "/posts/" + url.PathEscape(postID) + "/logs"
	if err := c.call(ctx, token, http.MethodPost, path, nil, in, &out); err != nil {
		return "", err
	}
	return out.ID, nil
}
