package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/deskkit/deskkit/helpdesk"
)

// DefaultMaxBodyBytes bounds a request body when Options.MaxBodyBytes is
// zero.
const DefaultMaxBodyBytes = 2 << 20

// Options configures a Handler.
type Options struct {
	// Authenticate returns the service and the actor of a request, or an
	// error to refuse it with 401 (API-1). Nil refuses every request.
	Authenticate func(r *http.Request) (serviceID string, actor helpdesk.Actor, err error)
	// Notifications, when set, serves GET /notifications: the agents'
	// browser-notification stream, such as an adapters/browser Hub (which
	// authenticates the stream again with its own Options.Authenticate).
	// Nil: that route answers 404.
	Notifications http.Handler
	// Logger receives the errors answered with a 5xx status, whose
	// detail the client does not see; default: discard.
	Logger *slog.Logger
	// MaxBodyBytes bounds a request body; a larger one answers 413.
	// Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Route is one method and path pattern the Handler serves, as in its
// OpenAPI document ("GET", "/tickets/{id}").
type Route struct {
	Method string
	Path   string
}

// Handler serves the helpdesk over HTTP. Make one with New; it is safe for
// concurrent use.
type Handler struct {
	desk   *helpdesk.Desk
	opt    Options
	mux    *http.ServeMux
	routes []Route
}

// call is a route's work: it returns the status and the JSON body of a
// success, or an error that becomes a problem document.
type call func(r *http.Request, s *helpdesk.Session) (int, any, error)

// stream is a route that writes its own success body (exports).
type stream func(w http.ResponseWriter, r *http.Request, s *helpdesk.Session) error

// entry is one row of the route table: a call or a stream.
type entry struct {
	method, path string
	call         call
	stream       stream
}

//go:embed openapi.json
var openAPI []byte

// New returns the handler of desk's HTTP API.
func New(desk *helpdesk.Desk, opt Options) *Handler {
	if opt.MaxBodyBytes <= 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{desk: desk, opt: opt, mux: http.NewServeMux()}
	table := [][]entry{
		{{method: "GET", path: "/openapi.json", stream: serveOpenAPI}},
		ticketRoutes(), configRoutes(), peopleRoutes(), settingsRoutes(opt.Notifications),
	}
	for _, part := range table {
		for _, e := range part {
			h.add(e)
		}
	}
	return h
}

// add registers one route.
func (h *Handler) add(e entry) {
	h.routes = append(h.routes, Route{Method: e.method, Path: e.path})
	h.mux.HandleFunc(e.method+" "+e.path, func(w http.ResponseWriter, r *http.Request) {
		s := sessionOf(r)
		if e.stream != nil {
			if err := e.stream(w, r, s); err != nil {
				h.fail(w, r, err)
			}
			return
		}
		status, body, err := e.call(r, s)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		writeJSON(w, status, body)
	})
}

// fail answers err as a problem, logging a server-side failure.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if p := writeProblem(w, err); p.Status >= 500 {
		h.opt.Logger.ErrorContext(r.Context(), "httpapi: request failed", "method", r.Method, "path", r.URL.Path,
			"status", p.Status, "err", err)
	}
}

// allowed returns the methods r's path takes, when r's own is not one.
func (h *Handler) allowed(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" {
			out = append(out, m)
		}
	}
	return out
}

// Routes returns every route the handler serves, in registration order.
func (h *Handler) Routes() []Route { return append([]Route(nil), h.routes...) }

// ServeHTTP authenticates the request (API-1), bounds its body and routes
// it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.opt.Authenticate == nil {
		writeProblem(w, &httpError{status: http.StatusUnauthorized, detail: "no authentication is configured"})
		return
	}
	svc, actor, err := h.opt.Authenticate(r)
	if err != nil {
		writeProblem(w, &httpError{status: http.StatusUnauthorized, detail: "the request is not authenticated"})
		return
	}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		if allow := h.allowed(r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, &httpError{status: http.StatusMethodNotAllowed,
				detail: r.URL.Path + " does not take " + r.Method + "; it takes " + strings.Join(allow, ", ")})
			return
		}
		writeProblem(w, &httpError{status: http.StatusNotFound, detail: "no route " + r.Method + " " + r.URL.Path})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opt.MaxBodyBytes)
	r = r.WithContext(withSession(r.Context(), h.desk.Service(svc).As(actor)))
	h.mux.ServeHTTP(w, r)
}

// serveOpenAPI serves the embedded OpenAPI document.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request, _ *helpdesk.Session) error {
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(openAPI)
	return err
}

// writeJSON writes body as JSON with status; a nil body writes no content.
func writeJSON(w http.ResponseWriter, status int, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	if v := reflect.ValueOf(body); v.Kind() == reflect.Slice && v.IsNil() {
		body = []struct{}{} // an empty list is [], not null
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(body); err != nil {
		writeProblem(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// limit reads the page size of a list's query; 0 when absent.
func limit(q url.Values) (int, error) {
	l := q.Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil {
		return 0, badQuery([]FieldError{{Field: "limit", Reason: "is not a number"}})
	}
	return n, nil
}

// decode reads the request's JSON body into v: an unknown member, trailing
// data or a malformed body is a 400, a body over the limit a 413 (API-1).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if e := dec.Decode(new(json.RawMessage)); e != io.EOF {
			err = errors.Join(errors.New("data after the JSON value"), e)
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return &httpError{status: http.StatusRequestEntityTooLarge,
			detail: "the body is over the limit of " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"}
	case errors.Is(err, io.EOF):
		return &httpError{status: http.StatusBadRequest, detail: "the body is empty; a JSON object is required"}
	}
	return &httpError{status: http.StatusBadRequest, detail: "malformed JSON body: " + err.Error()}
}
