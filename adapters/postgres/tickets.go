package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
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
	Tags                 []string       `bun:"tags,array"`
	CustomerFields       map[string]any `bun:"customer_fields,type:jsonb,nullzero"`
	AgentFields          map[string]any `bun:"agent_fields,type:jsonb,nullzero"`
	FollowUpOf           string         `bun:"follow_up_of"`
	CreatedAt            time.Time      `bun:"created_at"`
	UpdatedAt            time.Time      `bun:"updated_at"`
	SolvedAt             time.Time      `bun:"solved_at,nullzero"`
	ClosedAt             time.Time      `bun:"closed_at,nullzero"`
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

// ticketCounterRow is a service's ticket-number counter, made with the service.
type ticketCounterRow struct {
	bun.BaseModel `bun:"table:ticket_counters"`

	ServiceID  string `bun:"service_id,pk"`
	LastNumber int64  `bun:"last_number"`
}

// ticketRepo is ticket.Repository: it persists and reads; the workflows
// check every rule before they call it.
type ticketRepo repos

// ticketColumns are the columns of a ticket that createTicket and
// updateTicket write from $3 … $23 of ticketArgs, in that order.
const ticketColumns = `version, requester_name, requester_email, requester_phone,
		title, content, channel, language, status, priority, intake_category_id, processing_category_id,
		group_id, assignee_id, tags, customer_fields, agent_fields, follow_up_of, updated_at, solved_at, closed_at`

// createTicket is Create's statement: the counter bump (its row lock, held
// to the end of the transaction, hands out numbers without gaps or
// duplicates, and a rollback returns the number), the ticket with that
// number ($31 is created_at), its history rows.
const createTicket = `WITH n AS (
	UPDATE ticket_counters SET last_number = last_number + 1 WHERE service_id = $1 RETURNING last_number
), w AS (
	INSERT INTO tickets (service_id, id, number, created_at, ` + ticketColumns + `)
	VALUES ($1, $2, (SELECT last_number FROM n), $31, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
		$15, $16, $17, $18, $19, $20, $21, $22, $23)
	RETURNING number
), h AS (` + insertHistory + `)
SELECT number FROM w`

// importTicket is Import's statement: createTicket with the number $32
// given, the counter raised to it when it is below, and the comments from
// arrays ($33 … $39).
const importTicket = `WITH n AS (
	UPDATE ticket_counters SET last_number = greatest(last_number, $32) WHERE service_id = $1 RETURNING 1
), w AS (
	INSERT INTO tickets (service_id, id, number, created_at, ` + ticketColumns + `)
	VALUES ($1, $2, (SELECT $32::bigint FROM n), $31, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
		$15, $16, $17, $18, $19, $20, $21, $22, $23)
	RETURNING number
), h AS (` + insertHistory + `
), c AS (
	INSERT INTO ticket_comments (service_id, id, ticket_id, kind, author_kind, author_id, from_customer, body, created_at)
	SELECT $1, x.id, $2, x.kind, x.author_kind, x.author_id, x.from_customer, x.body, x.created_at
	FROM unnest($33::text[], $34::text[], $35::text[], $36::text[], $37::bool[], $38::text[], $39::timestamptz[])
		AS x(id, kind, author_kind, author_id, from_customer, body, created_at)
	WHERE EXISTS (SELECT 1 FROM w)
)
SELECT number FROM w`

// updateTicket is Update's statement: the ticket's row if it is still at
// version $31, and then its history rows.
const updateTicket = `WITH w AS (
	UPDATE tickets SET (` + ticketColumns + `) = ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
		$15, $16, $17, $18, $19, $20, $21, $22, $23)
	WHERE service_id = $1 AND id = $2 AND version = $31
	RETURNING version
), h AS (` + insertHistory + `)
SELECT version FROM w`

// updateTicketOrNone is updateTicket as the transaction's last statement
// (queryRowLast): a stale or unknown ticket fails it, rolling back.
const updateTicketOrNone = updateTicket + "\nUNION ALL " + noRowOf + " w HAVING count(*) = 0"

// insertHistory inserts the history rows of a ticket write "w" from arrays
// (one per column, $24 … $30), but only when w returned a row: a stale
// update writes no history. $1 is the service, $2 the ticket.
const insertHistory = `INSERT INTO ticket_changes (service_id, ticket_id, at, actor_kind, actor_id, event, field, from_value, to_value)
	SELECT $1, $2, x.* FROM unnest($24::timestamptz[], $25::text[], $26::text[], $27::text[], $28::text[], $29::text[], $30::text[]) AS x
	WHERE EXISTS (SELECT 1 FROM w)`

// Create writes the ticket and its history in one statement (createTicket),
// one round trip, with BEGIN when it opens the transaction.
func (r ticketRepo) Create(ctx context.Context, t *ticket.Ticket, history []ticket.Change) error {
	args, err := ticketArgs(r.sid, t, t.Version, history)
	if err != nil {
		return err
	}
	var number int64
	// createTicket returns its row or fails: it may end the transaction as it is.
	if err := repos(r).queryRowLast(ctx, createTicket, "", append(args, t.CreatedAt), &number); noCounter(err) {
		return errs.NotFound("service", r.sid)
	} else if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	t.ServiceID, t.Number = r.sid, number
	return nil
}

// Import writes the ticket with its number and its history in one
// statement (importTicket).
func (r ticketRepo) Import(ctx context.Context, t ticket.Ticket, history []ticket.Change, comments []ticket.Comment) error {
	args, err := ticketArgs(r.sid, &t, t.Version, history)
	if err != nil {
		return err
	}
	n := len(comments)
	id, kind, akind, author, body := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	fromCustomer, at := make([]bool, n), make([]time.Time, n)
	for i, c := range comments {
		if c.TicketID != t.ID {
			return errs.New(helpdesk.ErrInvalid, "comment of ticket %q written with ticket %q", c.TicketID, t.ID)
		}
		id[i], kind[i], akind[i], author[i], fromCustomer[i], body[i], at[i] = c.ID, string(c.Kind), string(c.AuthorKind), c.AuthorID, c.FromCustomer, c.Body, c.CreatedAt
	}
	args = append(args, t.CreatedAt, t.Number, id, kind, akind, author, fromCustomer, body, at)
	var number int64
	if err := repos(r).queryRow(ctx, importTicket, args, &number); noCounter(err) {
		return errs.NotFound("service", r.sid)
	} else if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	return nil
}

// ticketArgs are the arguments $1 … $30 of createTicket and updateTicket:
// the row of t at version, then its history as arrays.
func ticketArgs(sid string, t *ticket.Ticket, version int64, cs []ticket.Change) ([]any, error) {
	cf, err := jsonArg(t.CustomerFields)
	if err != nil {
		return nil, err
	}
	af, err := jsonArg(t.AgentFields)
	if err != nil {
		return nil, err
	}
	n := len(cs)
	at := make([]time.Time, n)
	kind, actor, event, field, from, to := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, c := range cs {
		if c.TicketID != t.ID {
			return nil, errs.New(helpdesk.ErrInvalid, "history row of ticket %q written with ticket %q", c.TicketID, t.ID)
		}
		at[i], kind[i], actor[i], event[i], field[i], from[i], to[i] = c.At, string(c.ActorKind), c.ActorID, string(c.Event), c.Field, c.From, c.To
	}
	var tags any // NULL for none, as bun wrote it
	if t.Tags != nil {
		tags = t.Tags
	}
	return append(make([]any, 0, 31), sid, t.ID, version, t.Requester.Name, t.Requester.Email, t.Requester.Phone,
		t.Title, t.Content, string(t.Channel), t.Language, string(t.Status), string(t.Priority),
		t.IntakeCategoryID, t.ProcessingCategoryID, t.GroupID, t.AssigneeID, tags, cf, af, t.FollowUpOf,
		t.UpdatedAt, timeArg(t.SolvedAt), timeArg(t.ClosedAt),
		at, kind, actor, event, field, from, to), nil
}

// jsonArg is a jsonb argument: the marshalled fields, NULL for none.
func jsonArg(f ticket.Fields) (any, error) {
	if len(f) == 0 {
		return nil, nil
	}
	js, err := json.Marshal(map[string]any(f))
	if err != nil {
		return nil, errs.New(helpdesk.ErrInvalid, "ticket fields: %v", err)
	}
	return string(js), nil
}

// timeArg is a nullable timestamptz argument: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// selectTicket reads a ticket's columns, in the order ticketRow.scan
// takes them; getTicket, lockTicket and ticketByNumber complete it. They
// are hot statements (hot.go): every change to a ticket reads it first.
const selectTicket = `SELECT id, number, ` + ticketColumns + `, created_at FROM tickets WHERE service_id = $1 AND `

const (
	getTicket      = selectTicket + `id = $2`
	lockTicket     = selectTicket + `id = $2 FOR UPDATE`
	ticketByNumber = selectTicket + `number = $2`
)

func (r ticketRepo) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	return r.get(ctx, name("ticket", id), getTicket, id)
}

// GetForUpdate locks the row (SELECT … FOR UPDATE) until the transaction
// ends, so concurrent library-owned writes queue instead of conflicting.
func (r ticketRepo) GetForUpdate(ctx context.Context, id string) (ticket.Ticket, error) {
	return r.get(ctx, name("ticket", id), lockTicket, id)
}

func (r ticketRepo) GetByNumber(ctx context.Context, n int64) (ticket.Ticket, error) {
	return r.get(ctx, fmt.Sprintf("ticket #%d", n), ticketByNumber, n)
}

func (r ticketRepo) get(ctx context.Context, what, query string, arg any) (ticket.Ticket, error) {
	row := ticketRow{ServiceID: r.sid}
	var tags []string
	var cf, af []byte
	var solved, closed pgtype.Timestamptz
	err := repos(r).queryRow(ctx, query, []any{r.sid, arg}, &row.ID, &row.Number,
		&row.Version, &row.RequesterName, &row.RequesterEmail, &row.RequesterPhone,
		&row.Title, &row.Content, &row.Channel, &row.Language, &row.Status, &row.Priority,
		&row.IntakeCategoryID, &row.ProcessingCategoryID, &row.GroupID, &row.AssigneeID,
		&tags, &cf, &af, &row.FollowUpOf, &row.UpdatedAt, &solved, &closed, &row.CreatedAt)
	if err != nil {
		return ticket.Ticket{}, mapErr(err, what)
	}
	row.Tags, row.SolvedAt, row.ClosedAt = tags, solved.Time, closed.Time
	for _, f := range []struct {
		js []byte
		to *map[string]any
	}{{cf, &row.CustomerFields}, {af, &row.AgentFields}} {
		if len(f.js) > 0 {
			if err := json.Unmarshal(f.js, f.to); err != nil {
				return ticket.Ticket{}, fmt.Errorf("%s: fields: %w", what, err)
			}
		}
	}
	return row.ticket(), nil
}

// Update writes the ticket, if its version is still t.Version, and its
// history rows in one statement (updateTicket).
func (r ticketRepo) Update(ctx context.Context, t *ticket.Ticket, history []ticket.Change) error {
	args, err := ticketArgs(r.sid, t, t.Version+1, history)
	if err != nil {
		return err
	}
	var version int64
	err = repos(r).queryRowLast(ctx, updateTicket, updateTicketOrNone, append(args, t.Version), &version)
	if errors.Is(err, errNoRow) { // the transaction's last statement: rolled back, no statement can ask which
		return errs.New(helpdesk.ErrConflict, "ticket %q is not at version %d (or gone)", t.ID, t.Version)
	}
	if errors.Is(err, sql.ErrNoRows) { // unknown or stale: which?
		var cur ticketRow
		err := r.tx.NewSelect().Model(&cur).Column("version").Where("service_id = ? AND id = ?", r.sid, t.ID).Scan(ctx)
		if err != nil {
			return mapErr(err, name("ticket", t.ID))
		}
		return errs.New(helpdesk.ErrConflict, "ticket %q is at version %d, not %d", t.ID, cur.Version, t.Version)
	}
	if err != nil {
		return mapErr(err, name("ticket", t.ID))
	}
	t.Version = version
	return nil
}

func (r ticketRepo) List(ctx context.Context, f ticket.Query) (ticket.Page, error) {
	before := f.Before
	var rows []ticketRow
	q := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if before > 0 {
		q = q.Where("number < ?", before)
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
		q = q.Where("lower(requester_email) = lower(?)", f.RequesterEmail)
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
	err := r.tx.NewSelect().Model(&rows).
		Where("service_id = ? AND status = ? AND solved_at <= ?", r.sid, ticket.StatusSolved, until).
		OrderExpr("solved_at, number").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "solved tickets")
	}
	return tickets(rows), nil
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
	row := commentRow{ServiceID: r.sid, ID: c.ID, TicketID: c.TicketID, Kind: string(c.Kind), AuthorKind: string(c.AuthorKind),
		AuthorID: c.AuthorID, FromCustomer: c.FromCustomer, Body: c.Body, CreatedAt: c.CreatedAt}
	_, err := r.tx.NewInsert().Model(&row).Exec(ctx)
	if err != nil {
		return mapErr(err, name("comment", c.ID), key{"ticket_comments_service_id_ticket_id_fkey", func() error { return errs.NotFound("ticket", c.TicketID) }})
	}
	return nil
}

func (r ticketRepo) Comments(ctx context.Context, ticketID string) ([]ticket.Comment, error) {
	var rows []commentRow
	err := r.tx.NewSelect().Model(&rows).Where("service_id = ? AND ticket_id = ?", r.sid, ticketID).
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

	ServiceID string    `bun:"service_id"`
	ID        int64     `bun:"id,pk,autoincrement"`
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
	rows := make([]changeRow, len(cs))
	for i, c := range cs {
		rows[i] = changeRow{ServiceID: r.sid, TicketID: c.TicketID, At: c.At, ActorKind: string(c.ActorKind), ActorID: c.ActorID,
			Event: string(c.Event), Field: c.Field, From: c.From, To: c.To}
	}
	_, err := r.tx.NewInsert().Model(&rows).ExcludeColumn("id").Returning("NULL").Exec(ctx)
	return mapErr(err, "history of ticket "+cs[0].TicketID)
}

// ScanChanges streams the rows: each is scanned into a changeRow as it
// arrives, so an export of any size holds one row at a time.
func (r ticketRepo) ScanChanges(ctx context.Context, f ticket.ChangeFilter, fn func(ticket.Change) error) error {
	q := r.tx.NewSelect().Model((*changeRow)(nil)).Where("service_id = ?", r.sid)
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

// AddKey inserts the key unless the service has it: ON CONFLICT DO NOTHING
// waits for a concurrent transaction holding the same key and, unlike a
// unique violation, leaves the transaction usable for GetKey (which, at
// read committed, sees the key the other transaction committed).
func (r ticketRepo) AddKey(ctx context.Context, k ticket.Key) error {
	row := keyRow{ServiceID: r.sid, Key: k.Key, Call: k.Call, TicketID: k.TicketID, CommentID: k.CommentID, CreatedAt: k.CreatedAt}
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, key) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("idempotency key", k.Key))
	}
	if n, err := res.RowsAffected(); err != nil {
		return mapErr(err, name("idempotency key", k.Key))
	} else if n == 0 {
		return errs.New(helpdesk.ErrConflict, "idempotency key %q exists", k.Key)
	}
	return nil
}

func (r ticketRepo) GetKey(ctx context.Context, key string) (ticket.Key, error) {
	var row keyRow
	err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND key = ?", r.sid, key).Scan(ctx)
	if err != nil {
		return ticket.Key{}, mapErr(err, name("idempotency key", key))
	}
	return ticket.Key{Key: row.Key, Call: row.Call, TicketID: row.TicketID, CommentID: row.CommentID, CreatedAt: row.CreatedAt.UTC()}, nil
}

func (r ticketRepo) DeleteKeys(ctx context.Context, before time.Time) (int, error) {
	res, err := r.tx.NewDelete().Model((*keyRow)(nil)).Where("service_id = ? AND created_at < ?", r.sid, before).Exec(ctx)
	if err != nil {
		return 0, mapErr(err, "idempotency keys")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
