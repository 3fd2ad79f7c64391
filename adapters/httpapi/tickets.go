package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// ticketRoutes are the ticket workflows (Session.Tickets).
func ticketRoutes() []entry {
	return []entry{
		{method: "GET", path: "/tickets", call: listTickets},
		{method: "POST", path: "/tickets", call: createTicket},
		{method: "GET", path: "/tickets/{id}", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Tickets().Get(r.Context(), r.PathValue("id")))
		}},
		{method: "PATCH", path: "/tickets/{id}", call: updateTicket},
		{method: "PUT", path: "/tickets/{id}/status", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in struct {
				Status ticket.Status `json:"status"`
			}
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return ok(s.Tickets().SetStatus(r.Context(), r.PathValue("id"), in.Status))
		}},
		{method: "POST", path: "/tickets/{id}/solve", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in struct {
				Internal bool `json:"internal"`
			}
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return ok(s.Tickets().Solve(r.Context(), r.PathValue("id"), helpdesk.Solve{Internal: in.Internal}))
		}},
		{method: "POST", path: "/tickets/{id}/forward", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in struct {
				AgentID string `json:"agent_id"`
				GroupID string `json:"group_id"`
			}
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return ok(s.Tickets().Forward(r.Context(), r.PathValue("id"), helpdesk.Forward{AgentID: in.AgentID, GroupID: in.GroupID}))
		}},
		{method: "POST", path: "/tickets/{id}/replies", call: reply},
		{method: "POST", path: "/tickets/{id}/replies/preview", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in struct {
				Body string `json:"body"`
			}
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return preview(s.Tickets().PreviewReply(r.Context(), r.PathValue("id"), in.Body))
		}},
		{method: "POST", path: "/tickets/{id}/template-replies", call: templateReply},
		{method: "POST", path: "/tickets/{id}/template-replies/preview", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in templateReplyIn
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return preview(s.Tickets().PreviewTemplateReply(r.Context(), r.PathValue("id"), in.reply(r)))
		}},
		{method: "POST", path: "/tickets/{id}/customer-replies", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			var in struct {
				Body string `json:"body"`
			}
			if err := decode(r, &in); err != nil {
				return 0, nil, err
			}
			return ok(s.Tickets().CustomerReply(r.Context(), r.PathValue("id"),
				helpdesk.CustomerReply{Body: in.Body, IdempotencyKey: r.Header.Get("Idempotency-Key")}))
		}},
		{method: "GET", path: "/tickets/{id}/comments", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Tickets().Comments(r.Context(), r.PathValue("id")))
		}},
		{method: "GET", path: "/tickets/{id}/history", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Tickets().History(r.Context(), r.PathValue("id")))
		}},
		{method: "GET", path: "/tickets/{id}/templates", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			return ok(s.Templates().ForTicket(r.Context(), r.PathValue("id")))
		}},
		{method: "GET", path: "/tickets/{id}/attachments", call: func(r *http.Request, s *helpdesk.Session) (int, any, error) {
			fs, err := s.Tickets().Attachments(r.Context(), r.PathValue("id"))
			out := make([]attachmentOut, len(fs))
			for i, f := range fs {
				out[i] = attachmentFrom(f)
			}
			return ok(out, err)
		}},
		{method: "GET", path: "/tickets/{id}/attachments/{file_id}", stream: attachmentContent},
		{method: "GET", path: "/history/export", stream: exportHistory},
	}
}

// attachmentOut is an attachment of a received mail without its content
// (MAIL-8).
type attachmentOut struct {
	ID          string    `json:"id"`
	TicketID    string    `json:"ticket_id"`
	CommentID   string    `json:"comment_id,omitempty"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Kept        bool      `json:"kept"`
	CreatedAt   time.Time `json:"created_at"`
}

func attachmentFrom(f mail.File) attachmentOut {
	return attachmentOut{ID: f.ID, TicketID: f.TicketID, CommentID: f.CommentID, Name: f.Name, ContentType: f.ContentType,
		Size: f.Size, Kept: f.Kept, CreatedAt: f.CreatedAt}
}

// attachmentContent serves GET /tickets/{id}/attachments/{file_id}: the
// file as a download, never rendered by the browser (its type and name
// came from a stranger's mail). A file recorded without its content is a
// 404 problem saying so.
func attachmentContent(w http.ResponseWriter, r *http.Request, s *helpdesk.Session) error {
	f, err := s.Tickets().Attachment(r.Context(), r.PathValue("id"), r.PathValue("file_id"))
	if err != nil {
		return err
	}
	if !f.Kept {
		return fmt.Errorf("%w: attachment %q was over the size limit: it was recorded without its content (MAIL-8)", helpdesk.ErrNotFound, f.ID)
	}
	ctype := "application/octet-stream"
	if mt, _, err := mime.ParseMediaType(f.ContentType); err == nil {
		ctype = mt
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}); d != "" {
		h.Set("Content-Disposition", d)
	} else {
		h.Set("Content-Disposition", "attachment")
	}
	h.Set("Content-Length", strconv.Itoa(len(f.Content)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Content)
	return nil
}

// ok answers 200 with v, or err.
func ok[T any](v T, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// created answers 201 with v, or err.
func created[T any](v T, err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, v, nil
}

// noContent answers 204, or err.
func noContent(err error) (int, any, error) {
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

// preview answers the checked text of a reply preview.
func preview(body string, err error) (int, any, error) {
	return ok(struct {
		Body string `json:"body"`
	}{body}, err)
}

// TicketPage is a page of GET /tickets.
type TicketPage struct {
	Tickets []ticket.Ticket `json:"tickets"`
	// Next is the cursor of the next page; empty on the last one.
	Next string `json:"next,omitempty"`
}

// listTickets serves GET /tickets?status=&assignee_id=&...&limit=&cursor=.
func listTickets(r *http.Request, s *helpdesk.Session) (int, any, error) {
	q := r.URL.Query()
	f := ticket.Filter{AssigneeID: q.Get("assignee_id"), GroupID: q.Get("group_id"),
		IntakeCategoryID: q.Get("intake_category_id"), ProcessingCategoryID: q.Get("processing_category_id"),
		RequesterEmail: q.Get("requester_email"), Cursor: q.Get("cursor")}
	for _, st := range q["status"] {
		f.Statuses = append(f.Statuses, ticket.Status(st))
	}
	var err error
	if f.Limit, err = limit(q); err != nil {
		return 0, nil, err
	}
	p, err := s.Tickets().List(r.Context(), f)
	if err != nil {
		return 0, nil, err
	}
	if p.Tickets == nil {
		p.Tickets = []ticket.Ticket{}
	}
	return http.StatusOK, TicketPage{Tickets: p.Tickets, Next: p.Next}, nil
}

// ticketIn is the body of POST /tickets.
type ticketIn struct {
	Requester            ticket.Requester `json:"requester"`
	Title                string           `json:"title"`
	Content              string           `json:"content"`
	Channel              ticket.Channel   `json:"channel"`
	Language             string           `json:"language"`
	Priority             ticket.Priority  `json:"priority"`
	IntakeCategoryID     string           `json:"intake_category_id"`
	ProcessingCategoryID string           `json:"processing_category_id"`
	GroupID              string           `json:"group_id"`
	AssigneeID           string           `json:"assignee_id"`
	Tags                 []string         `json:"tags"`
	CustomerFields       ticket.Fields    `json:"customer_fields"`
	AgentFields          ticket.Fields    `json:"agent_fields"`
}

// createTicket serves POST /tickets; the Idempotency-Key header is the
// creation's key (STO-3).
func createTicket(r *http.Request, s *helpdesk.Session) (int, any, error) {
	var in ticketIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return created(s.Tickets().Create(r.Context(), ticket.New{Requester: in.Requester, Title: in.Title, Content: in.Content,
		Channel: in.Channel, Language: in.Language, Priority: in.Priority, IntakeCategoryID: in.IntakeCategoryID,
		ProcessingCategoryID: in.ProcessingCategoryID, GroupID: in.GroupID, AssigneeID: in.AssigneeID, Tags: in.Tags,
		CustomerFields: in.CustomerFields, AgentFields: in.AgentFields, IdempotencyKey: r.Header.Get("Idempotency-Key")}))
}

// ticketUpdateIn is the body of PATCH /tickets/{id}: absent members keep
// their value; version is the version read (TKT-8).
type ticketUpdateIn struct {
	Version              int64             `json:"version"`
	Requester            *ticket.Requester `json:"requester"`
	Title                *string           `json:"title"`
	Content              *string           `json:"content"`
	Language             *string           `json:"language"`
	Priority             *ticket.Priority  `json:"priority"`
	IntakeCategoryID     *string           `json:"intake_category_id"`
	ProcessingCategoryID *string           `json:"processing_category_id"`
	GroupID              *string           `json:"group_id"`
	AssigneeID           *string           `json:"assignee_id"`
	Tags                 *[]string         `json:"tags"`
	CustomerFields       ticket.Fields     `json:"customer_fields"`
	AgentFields          ticket.Fields     `json:"agent_fields"`
}

func updateTicket(r *http.Request, s *helpdesk.Session) (int, any, error) {
	var in ticketUpdateIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return ok(s.Tickets().Update(r.Context(), r.PathValue("id"), in.update()))
}

func (in ticketUpdateIn) update() ticket.Update {
	return ticket.Update{Version: in.Version, Requester: in.Requester,
		Title: in.Title, Content: in.Content, Language: in.Language, Priority: in.Priority, IntakeCategoryID: in.IntakeCategoryID,
		ProcessingCategoryID: in.ProcessingCategoryID, GroupID: in.GroupID, AssigneeID: in.AssigneeID, Tags: in.Tags,
		CustomerFields: in.CustomerFields, AgentFields: in.AgentFields}
}

// reply serves POST /tickets/{id}/replies (STO-3 by Idempotency-Key).
func reply(r *http.Request, s *helpdesk.Session) (int, any, error) {
	var in struct {
		Body     string        `json:"body"`
		Internal bool          `json:"internal"`
		Status   ticket.Status `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return created(s.Tickets().Reply(r.Context(), r.PathValue("id"), helpdesk.Reply{Body: in.Body, Internal: in.Internal,
		Status: in.Status, IdempotencyKey: r.Header.Get("Idempotency-Key")}))
}

// templateReplyIn is the body of a reply with a template.
type templateReplyIn struct {
	TemplateID string        `json:"template_id"`
	Additions  string        `json:"additions"`
	Internal   bool          `json:"internal"`
	Status     ticket.Status `json:"status"`
}

func (in templateReplyIn) reply(r *http.Request) helpdesk.TemplateReply {
	return helpdesk.TemplateReply{TemplateID: in.TemplateID, Additions: in.Additions, Internal: in.Internal,
		Status: in.Status, IdempotencyKey: r.Header.Get("Idempotency-Key")}
}

func templateReply(r *http.Request, s *helpdesk.Session) (int, any, error) {
	var in templateReplyIn
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	return created(s.Tickets().ReplyWithTemplate(r.Context(), r.PathValue("id"), in.reply(r)))
}

// exportHistory serves GET /history/export?format=csv|jsonl&ticket_id=&
// since=&until= (RFC 3339 times), streaming the rows.
func exportHistory(w http.ResponseWriter, r *http.Request, s *helpdesk.Session) error {
	q := r.URL.Query()
	f := ticket.ChangeFilter{TicketID: q.Get("ticket_id")}
	var bad []FieldError
	f.Since, f.Until, bad = period(q.Get("since"), q.Get("until"))
	format, ctype := helpdesk.JSONLines, "application/jsonl"
	switch q.Get("format") {
	case "", "jsonl":
	case "csv":
		format, ctype = helpdesk.CSV, "text/csv"
	default:
		bad = append(bad, FieldError{Field: "format", Reason: `must be "csv" or "jsonl"`})
	}
	if bad != nil {
		return badQuery(bad)
	}
	sw := &startWriter{w: w, ctype: ctype}
	err := s.Tickets().ExportHistory(r.Context(), sw, format, f)
	if err != nil && sw.started {
		panic(http.ErrAbortHandler) // the rows sent cannot be taken back: cut the response
	}
	if err == nil && !sw.started {
		sw.start()
	}
	return err
}

// startWriter sends the success header with the first bytes only, so an
// export refused before any row still answers a problem.
type startWriter struct {
	w       http.ResponseWriter
	ctype   string
	started bool
}

func (s *startWriter) start() {
	s.started = true
	s.w.Header().Set("Content-Type", s.ctype)
	s.w.WriteHeader(http.StatusOK)
}

func (s *startWriter) Write(p []byte) (int, error) {
	if !s.started {
		s.start()
	}
	return s.w.Write(p)
}
