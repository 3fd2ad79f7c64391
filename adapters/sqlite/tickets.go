package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/rowconv"
)

// ticketRow is a row of tickets.
type ticketRow struct {
	bun.BaseModel `bun:"table:tickets"`

	ServiceID            string         `bun:"service_id,pk"`
	ID                   string         `bun:"id,pk"`
	Number               int64          `bun:"number"`
	Version              int64          `bun:"version"`
	RequesterName        string         `bun:"requester_name"`
	RequesterEmail       string         `bun:"requester_email"`
	RequesterEmailKey    string         `bun:"requester_email_key"` // strings.ToLower(RequesterEmail)
	RequesterPhone       string         `bun:"requester_phone"`
	Title                string         `bun:"title"`
	Content              string         `bun:"content"`
	Channel              string         `bun:"channel"`
	Language             string         `bun:"language"`
	Status               string         `bun:"status"`
	Priority             string         `bun:"priority"`
	IntakeCategoryID     string         `bun:"intake_category_id"`
	ProcessingCategoryID string         `bun:"processing_category_id"`
	GroupID              string         `bun:"group_id"`
	AssigneeID           string         `bun:"assignee_id"`
	Tags                 []string       `bun:"tags,type:json,nullzero"`
	CustomerFields       map[string]any `bun:"customer_fields,type:json,nullzero"`
	AgentFields          map[string]any `bun:"agent_fields,type:json,nullzero"`
	FollowUpOf           string         `bun:"follow_up_of"`
	CreatedAt            time.Time      `bun:"created_at"`
	UpdatedAt            time.Time      `bun:"updated_at"`
	SolvedAt             time.Time      `bun:"solved_at,nullzero"`
	ClosedAt             time.Time      `bun:"closed_at,nullzero"`
}

// fixed are the columns of a ticket that an update leaves alone.
var fixed = []string{"service_id", "id", "number", "created_at"}

func toTicketRow(sid string, t *ticket.Ticket) ticketRow {
	var tags []string
	if len(t.Tags) > 0 {
		tags = t.Tags
	}
	return ticketRow{
		ServiceID: sid, ID: t.ID, Number: t.Number, Version: t.Version,
		RequesterName: t.Requester.Name, RequesterEmail: t.Requester.Email, RequesterEmailKey: strings.ToLower(t.Requester.Email),
		RequesterPhone: t.Requester.Phone,
		Title:          t.Title, Content: t.Content, Channel: string(t.Channel), Language: t.Language,
		Status: string(t.Status), Priority: string(t.Priority),
		IntakeCategoryID: t.IntakeCategoryID, ProcessingCategoryID: t.ProcessingCategoryID,
		GroupID: t.GroupID, AssigneeID: t.AssigneeID, Tags: tags,
		CustomerFields: rowconv.FieldsColumn(t.CustomerFields), AgentFields: rowconv.FieldsColumn(t.AgentFields),
		FollowUpOf: t.FollowUpOf, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, SolvedAt: t.SolvedAt, ClosedAt: t.ClosedAt,
	}
}

func (r *ticketRow) ticket() ticket.Ticket {
	t := ticket.Ticket{
		ID: r.ID, ServiceID: r.ServiceID, Number: r.Number, Version: r.Version,
		Requester: ticket.Requester{Name: r.RequesterName, Email: r.RequesterEmail, Phone: r.RequesterPhone},
		Title:     r.Title, Content: r.Content, Channel: ticket.Channel(r.Channel), Language: r.Language,
		Status: ticket.Status(r.Status), Priority: ticket.Priority(r.Priority),
		IntakeCategoryID: r.IntakeCategoryID, ProcessingCategoryID: r.ProcessingCategoryID,
		GroupID: r.GroupID, AssigneeID: r.AssigneeID, FollowUpOf: r.FollowUpOf,
		CustomerFields: rowconv.Fields(r.CustomerFields), AgentFields: rowconv.Fields(r.AgentFields),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if len(r.Tags) > 0 {
		t.Tags = r.Tags
	}
	if !r.SolvedAt.IsZero() {
		t.SolvedAt = r.SolvedAt.UTC()
	}
	if !r.ClosedAt.IsZero() {
		t.ClosedAt = r.ClosedAt.UTC()
	}
	return t
}

func tickets(rows []ticketRow) []ticket.Ticket {
	out := make([]ticket.Ticket, len(rows))
	for i := range rows {
		out[i] = rows[i].ticket()
	}
	return out
}

// ticketRepo is ticket.Repository: it persists and reads; the workflows
// check every rule before they call it.
type ticketRepo repos

// sqlInsertTicket inserts a ticket with the next number of its service
// and returns the number: one more than the highest (the unique index on
// (service_id, number) reads it at once), NULL when the service does not
// exist (a NOT NULL failure). The transaction is the file's one writer,
// so numbers have no gaps or duplicates, and a rollback gives its number
// back. It is a hot statement (kept prepared), so its arguments are
// bound, not written into the text; the values are stored as bun stores
// them (times in timeFormat, JSON as marshalled, NULL for none).
const sqlInsertTicket = `INSERT INTO tickets (service_id, id, number, version, requester_name, requester_email,
requester_email_key, requester_phone, title, content, channel, language, status, priority, intake_category_id,
processing_category_id, group_id, assignee_id, tags, customer_fields, agent_fields, follow_up_of, created_at,
updated_at, solved_at, closed_at)
VALUES (?, ?, (SELECT CASE WHEN EXISTS (SELECT 1 FROM services WHERE service_id = ?)
THEN coalesce(max(number), 0) + 1 END FROM tickets WHERE service_id = ?),
?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING number`

// sqlInsertChange inserts one history row (a hot statement); SQLite
// assigns the id.
const sqlInsertChange = `INSERT INTO ticket_changes (service_id, ticket_id, at, actor_kind, actor_id, event, field,
from_value, to_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// Create writes the ticket with the next number, then its history rows,
// with the hot statements.
func (r ticketRepo) Create(ctx context.Context, t *ticket.Ticket, history []ticket.Change) error {
	if err := checkHistory(t.ID, history); err != nil {
		return err
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toTicketRow(r.sid, t)
	tags, err := jsonColumn(row.Tags, len(row.Tags) == 0)
	if err != nil {
		return err
	}
	cf, err := jsonColumn(row.CustomerFields, len(row.CustomerFields) == 0)
	if err != nil {
		return err
	}
	af, err := jsonColumn(row.AgentFields, len(row.AgentFields) == 0)
	if err != nil {
		return err
	}
	c := r.st.raw()
	err = c.QueryRowContext(ctx, sqlInsertTicket, row.ServiceID, row.ID, r.sid, r.sid, row.Version,
		row.RequesterName, row.RequesterEmail, row.RequesterEmailKey, row.RequesterPhone, row.Title, row.Content,
		row.Channel, row.Language, row.Status, row.Priority, row.IntakeCategoryID, row.ProcessingCategoryID,
		row.GroupID, row.AssigneeID, tags, cf, af, row.FollowUpOf, timeColumn(row.CreatedAt), timeColumn(row.UpdatedAt),
		nullTime(row.SolvedAt), nullTime(row.ClosedAt)).Scan(&row.Number)
	if code(err) == codeNotNull {
		return errs.NotFound("service", r.sid)
	} else if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	for _, ch := range history {
		_, err := c.ExecContext(ctx, sqlInsertChange, r.sid, ch.TicketID, timeColumn(ch.At), string(ch.ActorKind), ch.ActorID,
			string(ch.Event), ch.Field, ch.From, ch.To)
		if err != nil {
			return mapErr(err, "history of ticket "+ch.TicketID)
		}
	}
	t.ServiceID, t.Number = r.sid, row.Number
	return nil
}

// jsonColumn is v as a bound JSON column: its marshalled text, or nil
// (NULL) when none.
func jsonColumn(v any, none bool) (any, error) {
	if none {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("sqlite: json: %w", err)
	}
	return string(b), nil
}

// parseTime parses a stored time (timeColumn).
func parseTime(s string) (time.Time, error) {
	tm, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: stored time %q: %w", s, err)
	}
	return tm.UTC(), nil
}

// timeColumn is tm as stored (dialect.AppendTime without the quotes).
func timeColumn(tm time.Time) string { return tm.UTC().Format(timeFormat) }

// nullTime is timeColumn(tm), or nil (NULL) for the zero time.
func nullTime(tm time.Time) any {
	if tm.IsZero() {
		return nil
	}
	return timeColumn(tm)
}

// Import writes the ticket with its own number, then its history rows;
// the next number (the highest plus one) follows by itself.
func (r ticketRepo) Import(ctx context.Context, t ticket.Ticket, history []ticket.Change, comments []ticket.Comment) error {
	if err := checkHistory(t.ID, history); err != nil {
		return err
	}
	rows := make([]commentRow, len(comments))
	for i, c := range comments {
		if c.TicketID != t.ID {
			return errs.New(helpdesk.ErrInvalid, "comment of ticket %q written with ticket %q", c.TicketID, t.ID)
		}
		rows[i] = commentRow{ServiceID: r.sid, ID: c.ID, TicketID: c.TicketID, Kind: string(c.Kind), AuthorKind: string(c.AuthorKind),
			AuthorID: c.AuthorID, FromCustomer: c.FromCustomer, Body: c.Body, CreatedAt: c.CreatedAt}
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	found, err := r.db.NewSelect().Table("services").Where("service_id = ?", r.sid).Exists(ctx)
	if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	if !found {
		return errs.NotFound("service", r.sid)
	}
	row := toTicketRow(r.sid, &t)
	if _, err := r.db.NewInsert().Model(&row).Exec(ctx); err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	if len(rows) > 0 {
		if _, err := r.db.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return mapErr(err, "comments of ticket "+t.ID)
		}
	}
	return r.insertHistory(ctx, t.ID, history)
}

// checkHistory refuses history rows of another ticket.
func checkHistory(ticketID string, cs []ticket.Change) error {
	for _, c := range cs {
		if c.TicketID != ticketID {
			return errs.New(helpdesk.ErrInvalid, "history row of ticket %q written with ticket %q", c.TicketID, ticketID)
		}
	}
	return nil
}

func (r ticketRepo) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	return r.get(ctx, name("ticket", id), "id = ?", id)
}

// GetForUpdate makes the transaction the writer (the file's write lock
// is every row's lock), then reads.
func (r ticketRepo) GetForUpdate(ctx context.Context, id string) (ticket.Ticket, error) {
	if err := repos(r).lock(ctx); err != nil {
		return ticket.Ticket{}, err
	}
	return r.get(ctx, name("ticket", id), "id = ?", id)
}

func (r ticketRepo) GetByNumber(ctx context.Context, n int64) (ticket.Ticket, error) {
	return r.get(ctx, fmt.Sprintf("ticket #%d", n), "number = ?", n)
}

func (r ticketRepo) get(ctx context.Context, what string, where string, arg any) (ticket.Ticket, error) {
	var row ticketRow
	if err := r.db.NewSelect().Model(&row).Where("service_id = ?", r.sid).Where(where, arg).Scan(ctx); err != nil {
		return ticket.Ticket{}, mapErr(err, what)
	}
	return row.ticket(), nil
}

// Update writes the ticket, if its version is still t.Version, and its
// history rows.
func (r ticketRepo) Update(ctx context.Context, t *ticket.Ticket, history []ticket.Change) error {
	if err := checkHistory(t.ID, history); err != nil {
		return err
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := toTicketRow(r.sid, t)
	row.Version = t.Version + 1
	res, err := r.db.NewUpdate().Model(&row).ExcludeColumn(fixed...).
		Where("service_id = ? AND id = ? AND version = ?", r.sid, t.ID, t.Version).Exec(ctx)
	if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	if n, _ := res.RowsAffected(); n == 0 { // unknown or stale: which?
		var cur ticketRow
		err := r.db.NewSelect().Model(&cur).Column("version").Where("service_id = ? AND id = ?", r.sid, t.ID).Scan(ctx)
		if err != nil {
			return mapErr(err, name("ticket", t.ID))
		}
		return errs.New(helpdesk.ErrConflict, "ticket %q is at version %d, not %d", t.ID, cur.Version, t.Version)
	}
	if err := r.insertHistory(ctx, t.ID, history); err != nil {
		return err
	}
	t.Version = row.Version
	return nil
}

func (r ticketRepo) List(ctx context.Context, f ticket.Query) (ticket.Page, error) {
	var rows []ticketRow
	q := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if f.Before > 0 {
		q = q.Where("number < ?", f.Before)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	for _, c := range []struct{ col, val string }{
		{"assignee_id", f.AssigneeID}, {"group_id", f.GroupID},
		{"intake_category_id", f.IntakeCategoryID}, {"processing_category_id", f.ProcessingCategoryID},
	} {
		if c.val != "" {
			q = q.Where("? = ?", bun.Ident(c.col), c.val)
		}
	}
	if f.RequesterEmail != "" {
		q = q.Where("requester_email_key = ?", strings.ToLower(f.RequesterEmail))
	}
	if err := q.OrderExpr("number DESC").Limit(int64(f.Limit) + 1).Scan(ctx); err != nil {
		return ticket.Page{}, mapErr(err, "tickets")
	}
	var p ticket.Page
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		p.Next = ticket.EncodeCursor(rows[len(rows)-1].Number)
	}
	p.Tickets = tickets(rows)
	return p, nil
}

// ListSolved reads the partial index tickets_solved_idx.
func (r ticketRepo) ListSolved(ctx context.Context, until time.Time, limit int) ([]ticket.Ticket, error) {
	if limit <= 0 {
		return nil, errs.New(helpdesk.ErrInvalid, "list solved tickets: limit %d", limit)
	}
	var rows []ticketRow
	err := r.db.NewSelect().Model(&rows).
		Where("service_id = ? AND status = ? AND solved_at <= ?", r.sid, ticket.StatusSolved, until).
		OrderExpr("solved_at, number").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "solved tickets")
	}
	return tickets(rows), nil
}

// CountCreatedSince implements ticket.Repository (surge alerts, NTF-2); it
// reads the index tickets_created_idx.
func (r ticketRepo) CountCreatedSince(ctx context.Context, since time.Time) (int, error) {
	n, err := r.db.NewSelect().Model((*ticketRow)(nil)).Where("service_id = ? AND created_at >= ?", r.sid, since).Count(ctx)
	if err != nil {
		return 0, mapErr(err, "tickets")
	}
	return int(n), nil
}

// commentRow is a row of ticket_comments.
type commentRow struct {
	bun.BaseModel `bun:"table:ticket_comments"`

	ServiceID    string    `bun:"service_id,pk"`
	ID           string    `bun:"id,pk"`
	TicketID     string    `bun:"ticket_id"`
	Kind         string    `bun:"kind"`
	AuthorKind   string    `bun:"author_kind"`
	AuthorID     string    `bun:"author_id"`
	FromCustomer bool      `bun:"from_customer"`
	Body         string    `bun:"body"`
	CreatedAt    time.Time `bun:"created_at"`
}

func (c *commentRow) comment() ticket.Comment {
	return ticket.Comment{ID: c.ID, TicketID: c.TicketID, Kind: ticket.CommentKind(c.Kind), AuthorKind: ticket.ActorKind(c.AuthorKind),
		AuthorID: c.AuthorID, FromCustomer: c.FromCustomer, Body: c.Body, CreatedAt: c.CreatedAt.UTC()}
}

func (r ticketRepo) AddComment(ctx context.Context, c ticket.Comment) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := commentRow{ServiceID: r.sid, ID: c.ID, TicketID: c.TicketID, Kind: string(c.Kind), AuthorKind: string(c.AuthorKind),
		AuthorID: c.AuthorID, FromCustomer: c.FromCustomer, Body: c.Body, CreatedAt: c.CreatedAt}
	_, err := r.db.NewInsert().Model(&row).Exec(ctx)
	return mapErr(err, name("comment", c.ID), key{foreignKey, func() error { return errs.NotFound("ticket", c.TicketID) }})
}

func (r ticketRepo) Comments(ctx context.Context, ticketID string) ([]ticket.Comment, error) {
	var rows []commentRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).
		OrderExpr("created_at, id").Scan(ctx)
	if err != nil {
		return nil, mapErr(err, name("comments of ticket", ticketID))
	}
	out := make([]ticket.Comment, len(rows))
	for i := range rows {
		out[i] = rows[i].comment()
	}
	return out, nil
}

// changeRow is a row of ticket_changes; the database assigns the id.
type changeRow struct {
	bun.BaseModel `bun:"table:ticket_changes"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ServiceID string    `bun:"service_id"`
	TicketID  string    `bun:"ticket_id"`
	At        time.Time `bun:"at"`
	ActorKind string    `bun:"actor_kind"`
	ActorID   string    `bun:"actor_id"`
	Event     string    `bun:"event"`
	Field     string    `bun:"field"`
	From      string    `bun:"from_value"`
	To        string    `bun:"to_value"`
}

func (c *changeRow) change() ticket.Change {
	return ticket.Change{ID: c.ID, TicketID: c.TicketID, At: c.At.UTC(), ActorKind: ticket.ActorKind(c.ActorKind), ActorID: c.ActorID,
		Event: ticket.EventKind(c.Event), Field: c.Field, From: c.From, To: c.To}
}

func (r ticketRepo) AddChanges(ctx context.Context, cs []ticket.Change) error {
	if len(cs) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	return r.insertRows(ctx, cs)
}

// insertHistory inserts the history rows of one ticket.
func (r ticketRepo) insertHistory(ctx context.Context, ticketID string, cs []ticket.Change) error {
	if len(cs) == 0 {
		return nil
	}
	return r.insertRows(ctx, cs)
}

// insertRows inserts history rows in one statement.
func (r ticketRepo) insertRows(ctx context.Context, cs []ticket.Change) error {
	rows := make([]changeRow, len(cs))
	for i, c := range cs {
		rows[i] = changeRow{ServiceID: r.sid, TicketID: c.TicketID, At: c.At, ActorKind: string(c.ActorKind), ActorID: c.ActorID,
			Event: string(c.Event), Field: c.Field, From: c.From, To: c.To}
	}
	_, err := r.db.NewInsert().Model(&rows).ExcludeColumn("id").Returning("NULL").Exec(ctx)
	return mapErr(err, "history of ticket "+cs[0].TicketID)
}

// ScanChanges streams the rows: each is scanned into a changeRow as it
// arrives, so an export of any size holds one row at a time.
func (r ticketRepo) ScanChanges(ctx context.Context, f ticket.ChangeFilter, fn func(ticket.Change) error) error {
	q := r.db.NewSelect().Model((*changeRow)(nil)).Where("service_id = ?", r.sid)
	if f.TicketID != "" {
		q = q.Where("ticket_id = ?", f.TicketID)
	}
	if f.AfterID > 0 {
		q = q.Where("id > ?", f.AfterID)
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until)
	}
	rows, err := q.OrderExpr("id").Rows(ctx)
	if err != nil {
		return mapErr(err, "history")
	}
	defer rows.Close()
	for rows.Next() {
		var c changeRow
		if err := q.DB().ScanRow(ctx, rows, &c); err != nil {
			return mapErr(err, "history")
		}
		if err := fn(c.change()); err != nil {
			return err
		}
	}
	return mapErr(rows.Err(), "history")
}

// keyRow is a row of idempotency_keys (STO-3).
type keyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	ServiceID string    `bun:"service_id,pk"`
	Key       string    `bun:"key,pk"`
	Call      string    `bun:"call"`
	TicketID  string    `bun:"ticket_id"`
	CommentID string    `bun:"comment_id"`
	CreatedAt time.Time `bun:"created_at"`
}

// AddKey inserts the key unless the service has it (ON CONFLICT DO
// NOTHING leaves the transaction usable for GetKey). The transaction is
// the writer first, so a concurrent call with the same key waits for this
// one and then, restarted on a fresh snapshot, sees its key.
func (r ticketRepo) AddKey(ctx context.Context, k ticket.Key) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := keyRow{ServiceID: r.sid, Key: k.Key, Call: k.Call, TicketID: k.TicketID, CommentID: k.CommentID, CreatedAt: k.CreatedAt}
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("idempotency key", k.Key), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr(err, name("idempotency key", k.Key))
	} else if n == 0 {
		return errs.New(helpdesk.ErrConflict, "idempotency key %q exists", k.Key)
	}
	return nil
}

func (r ticketRepo) GetKey(ctx context.Context, k string) (ticket.Key, error) {
	var row keyRow
	err := r.db.NewSelect().Model(&row).Where("service_id = ? AND key = ?", r.sid, k).Scan(ctx)
	if err != nil {
		return ticket.Key{}, mapErr(err, name("idempotency key", k))
	}
	return ticket.Key{Key: row.Key, Call: row.Call, TicketID: row.TicketID, CommentID: row.CommentID, CreatedAt: row.CreatedAt.UTC()}, nil
}

func (r ticketRepo) DeleteKeys(ctx context.Context, before time.Time) (int, error) {
	if err := repos(r).lock(ctx); err != nil {
		return 0, err
	}
	res, err := r.db.NewDelete().Model((*keyRow)(nil)).Where("service_id = ? AND created_at < ?", r.sid, before).Exec(ctx)
	if err != nil {
		return 0, mapErr(err, "idempotency keys")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// noRows reports whether err is sql.ErrNoRows.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
