package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
)

// Problem is the application/problem+json body of every error (RFC 9457,
// API-1).
type Problem struct {
	// Type is a URI naming the kind of problem
	// ("urn:deskkit:problem:invalid").
	Type string `json:"type"`
	// Title is the kind for a person ("invalid").
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail is the error's message ("invalid: title: is required").
	Detail string `json:"detail,omitempty"`
	// Errors lists every bad field of a 422.
	Errors []FieldError `json:"errors,omitempty"`
	// ForbiddenWords are the hits of a reply refused for its words (FWD-2).
	ForbiddenWords []template.Hit `json:"forbidden_words,omitempty"`
	// ForbiddenText is the text those hits' byte offsets are in: the reply
	// as rendered (a template reply's template with the additions), so
	// that a client can mark the words where they are.
	ForbiddenText string `json:"forbidden_text,omitempty"`
}

// FieldError is one bad field of a request.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// httpError is a refusal of the adapter itself (authentication, body,
// query string).
type httpError struct {
	status int
	detail string
	fields []FieldError
}

func (e *httpError) Error() string { return e.detail }

// badQuery is a 422 naming the bad query parameters.
func badQuery(fields []FieldError) error {
	return &httpError{status: http.StatusUnprocessableEntity, detail: "invalid: bad query parameters", fields: fields}
}

// problemOf maps err to its problem document (API-1).
func problemOf(err error) Problem {
	p := Problem{Detail: err.Error()}
	var he *httpError
	var ve *helpdesk.ValidationError
	var fe *template.ForbiddenError
	var te *ticket.TransitionError
	switch {
	case errors.As(err, &he):
		p.Status, p.Errors = he.status, he.fields
	case errors.As(err, &fe):
		p.Status, p.ForbiddenWords, p.ForbiddenText = http.StatusUnprocessableEntity, fe.Hits, fe.Text
		p.Errors = []FieldError{{Field: "body", Reason: "contains forbidden words"}}
	case errors.As(err, &ve):
		p.Status = http.StatusUnprocessableEntity
		for _, pr := range ve.Problems {
			p.Errors = append(p.Errors, FieldError{Field: pr.Field, Reason: pr.Reason})
		}
	case errors.As(err, &te):
		p.Status = http.StatusUnprocessableEntity
		p.Errors = []FieldError{{Field: "status", Reason: te.Error()}}
	case errors.Is(err, helpdesk.ErrInvalid):
		p.Status = http.StatusUnprocessableEntity
		p.Errors = []FieldError{{Field: "", Reason: err.Error()}}
	case errors.Is(err, helpdesk.ErrNotFound):
		p.Status = http.StatusNotFound
	case errors.Is(err, helpdesk.ErrForbidden):
		p.Status = http.StatusForbidden
	case errors.Is(err, helpdesk.ErrConflict):
		p.Status = http.StatusConflict
	case errors.Is(err, helpdesk.ErrUnknownOutcome), errors.Is(err, helpdesk.ErrUnavailable),
		errors.Is(err, helpdesk.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		p.Status = http.StatusServiceUnavailable
	default:
		p.Status, p.Detail = http.StatusInternalServerError, "internal error"
	}
	p.Title = titles[p.Status]
	p.Type = "urn:deskkit:problem:" + p.Title
	return p
}

// titles names the statuses a problem has.
var titles = map[int]string{
	http.StatusBadRequest:            "bad-request",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not-found",
	http.StatusMethodNotAllowed:      "method-not-allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too-large",
	http.StatusUnprocessableEntity:   "invalid",
	http.StatusInternalServerError:   "internal",
	http.StatusServiceUnavailable:    "unavailable",
}

// writeProblem writes err as application/problem+json and returns the
// problem.
func writeProblem(w http.ResponseWriter, err error) Problem {
	p := problemOf(err)
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_, _ = w.Write(append(b, '\n'))
	return p
}

// sessionKey keys the request's session in its context.
type sessionKey struct{}

func withSession(ctx context.Context, s *helpdesk.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionOf(r *http.Request) *helpdesk.Session {
	s, _ := r.Context().Value(sessionKey{}).(*helpdesk.Session)
	return s
}
