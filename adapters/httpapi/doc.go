// Package httpapi is a net/http handler over a helpdesk.Desk: tickets
// (list with filters and cursor paging, get, create, update, status moves,
// replies, replies with a template and their previews, solve, forward,
// comments, history and its export), categories, fields and layouts,
// templates and forbidden words, triggers (schema, dry run, order), agents
// and groups, and the outbox. It is an adapter: the rules stay in the
// helpdesk, the handler only translates HTTP to Session calls and errors
// back to HTTP.
//
// The host authenticates. Options.Authenticate is asked for the service
// and the actor of every request before anything else happens; a request
// it refuses gets 401 and reaches nothing, not even the route table:
//
//	h := httpapi.New(desk, httpapi.Options{
//		Authenticate: func(r *http.Request) (string, helpdesk.Actor, error) {
//			u, err := sessions.User(r) // the host's own login
//			if err != nil {
//				return "", helpdesk.Actor{}, err
//			}
//			return u.ServiceID, helpdesk.AgentID(u.AgentID), nil
//		},
//	})
//	mux.Handle("/helpdesk/", http.StripPrefix("/helpdesk", h))
//
// Bodies are JSON, objects spelled in snake_case as the library's types
// tag them; GET /openapi.json serves the OpenAPI 3.1 document of every
// route (Handler.Routes lists them).
//
// # Rules
//
//   - API-1 Every request is authenticated through Options.Authenticate
//     first; a refusal answers 401 and runs nothing. Every error is an
//     application/problem+json document (RFC 9457) with type, title,
//     status and detail: 400 for a malformed body, a body with an unknown
//     member or trailing data, 413 for a body over Options.MaxBodyBytes,
//     404 for ErrNotFound (and an unknown route), 403 for ErrForbidden, 409
//     for ErrConflict, 422 for ErrInvalid with an "errors" member listing
//     every bad field (and "forbidden_words" with the hits of a refused
//     reply), 503 for a store that timed out, was unreachable or could not
//     tell whether a change was stored, 500 for anything else (its detail
//     is not shown). The OpenAPI document names exactly the routes the
//     handler serves, and gives every JSON success body a typed schema
//     (secrets in them are masked strings, SEC-1); tests walk both and
//     validate a call of every route against its schema.
//   - SVC-1 A request acts in the service Authenticate returned and no
//     other: another service's ids answer 404 like unknown ones.
//   - SVC-3 A request acts as the actor Authenticate returned; a call the
//     actor may not make answers 403 and changes nothing.
//   - STO-3 The Idempotency-Key header of a ticket creation or a reply is
//     the call's idempotency key: a retried request returns the first
//     result and writes nothing new.
package httpapi
