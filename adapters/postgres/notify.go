package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/notify"
)

// This file holds the notify package's ports: the outbox of one service
// (notify.Outbox, inside Tx), the outbox of every service as the
// Dispatcher sees it (notify.Queue, on the Store: claims coordinate through
// the database with FOR UPDATE SKIP LOCKED and leases, so several processes
// can dispatch at once), external recipients and surge-alert state (NTF-1..4).
// The stores write what they are given and make no rule checks.

var _ notify.Queue = (*Store)(nil)

// outboxRow is one row of outbox; ClaimedBy and LeaseUntil are the claim
// (no lease: NULL).
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ServiceID       string         `bun:"service_id,pk"`
	ID              string         `bun:"id,pk"`
	Medium          string         `bun:"medium"`
	Recipient       string         `bun:"recipient"`
	Payload         notify.Payload `bun:"payload,type:jsonb"`
	IdempotencyKey  string         `bun:"idempotency_key"`
	SourceKind      string         `bun:"source_kind"`
	SourceTicketID  string         `bun:"source_ticket_id"`
	SourceTriggerID string         `bun:"source_trigger_id"`
	State           string         `bun:"state"`
	Attempts        int            `bun:"attempts"`
	NextAttemptAt   time.Time      `bun:"next_attempt_at"`
	LastError       string         `bun:"last_error"`
	ClaimedBy       string         `bun:"claimed_by"`
	LeaseUntil      time.Time      `bun:"lease_until,nullzero"`
	CreatedAt       time.Time      `bun:"created_at"`
	UpdatedAt       time.Time      `bun:"updated_at"`
	SentAt          time.Time      `bun:"sent_at,nullzero"`
}

func newOutboxRow(sid string, m notify.Message) outboxRow {
	return outboxRow{
		ServiceID: sid, ID: m.ID, Medium: string(m.Medium), Recipient: m.Recipient, Payload: m.Payload,
		IdempotencyKey: m.IdempotencyKey,
		SourceKind:     m.Source.Kind, SourceTicketID: m.Source.TicketID, SourceTriggerID: m.Source.TriggerID,
		State: string(m.State), Attempts: m.Attempts, NextAttemptAt: m.NextAttemptAt, LastError: m.LastError,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt, SentAt: m.SentAt,
	}
}

func (r *outboxRow) message() notify.Message {
	m := notify.Message{
		ID: r.ID, ServiceID: r.ServiceID, Medium: notify.Medium(r.Medium), Recipient: r.Recipient, Payload: r.Payload,
		IdempotencyKey: r.IdempotencyKey,
		Source:         notify.Source{Kind: r.SourceKind, TicketID: r.SourceTicketID, TriggerID: r.SourceTriggerID},
		State:          notify.State(r.State), Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if len(m.Payload.Headers) == 0 {
		m.Payload.Headers = nil
	}
	if !r.SentAt.IsZero() {
		m.SentAt = r.SentAt.UTC()
	}
	return m
}

func outboxMessages(rows []outboxRow) []notify.Message {
	out := make([]notify.Message, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	return out
}

type outboxRepo repos

// Enqueue inserts every message in one statement; ON CONFLICT on the
// idempotency key skips the keys the service already has (or that an
// earlier message of the same call has), while a taken id is a conflict.
//
// The statement is a hot one (hot.go): the messages go as one array per
// column.
func (r outboxRepo) Enqueue(ctx context.Context, ms ...notify.Message) error {
	if len(ms) == 0 {
		return nil
	}
	n := len(ms)
	id, medium, recipient, payload, idem := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	kind, ticketID, triggerID, state, lastError := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attempts := make([]int64, n)
	next, created, updated, sent := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n), make([]pgtype.Timestamptz, n)
	for i, m := range ms {
		js, err := json.Marshal(m.Payload)
		if err != nil {
			return errs.New(helpdesk.ErrInvalid, "message %q: payload: %v", m.ID, err)
		}
		id[i], medium[i], recipient[i], payload[i], idem[i] = m.ID, string(m.Medium), m.Recipient, string(js), m.IdempotencyKey
		kind[i], ticketID[i], triggerID[i], state[i], lastError[i] = m.Source.Kind, m.Source.TicketID, m.Source.TriggerID, string(m.State), m.LastError
		attempts[i], next[i], created[i], updated[i] = int64(m.Attempts), m.NextAttemptAt, m.CreatedAt, m.UpdatedAt
		sent[i] = pgtype.Timestamptz{Time: m.SentAt, Valid: !m.SentAt.IsZero()}
	}
	err := repos(r).execLast(ctx, enqueue, r.sid, id, medium, recipient, payload, idem, kind, ticketID, triggerID, state,
		attempts, next, lastError, created, updated, sent)
	return mapErr(err, "messages", key{"outbox_pkey", func() error { return errs.New(helpdesk.ErrConflict, "message %q exists", keyValue(err, 1)) }})
}

// enqueue is Enqueue's statement: the messages of service $1 from one
// array per column.
const enqueue = `INSERT INTO outbox (service_id, id, medium, recipient, payload, idempotency_key, source_kind,
	source_ticket_id, source_trigger_id, state, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at)
SELECT $1, x.id, x.medium, x.recipient, x.payload::jsonb, x.key, x.kind, x.ticket_id, x.trigger_id, x.state, x.attempts,
	x.next, x.last_error, x.created, x.updated, x.sent
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
	$11::int[], $12::timestamptz[], $13::text[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[])
	AS x (id, medium, recipient, payload, key, kind, ticket_id, trigger_id, state, attempts, next, last_error, created, updated, sent)
ON CONFLICT (service_id, idempotency_key) DO NOTHING`

// Get reads the row FOR UPDATE: Claim (SKIP LOCKED) passes over it until
// the transaction ends.
func (r outboxRepo) Get(ctx context.Context, id string) (notify.Message, error) {
	var row outboxRow
	if err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).For("UPDATE").Scan(ctx); err != nil {
		return notify.Message{}, mapErr(err, name("message", id))
	}
	return row.message(), nil
}

// List walks (created_at, id) downwards; id has the "C" collation, so ties
// on created_at break in byte order as in the other stores.
func (r outboxRepo) List(ctx context.Context, q notify.Query) (notify.Page, error) {
	var rows []outboxRow
	sel := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if q.State != "" {
		sel = sel.Where("state = ?", string(q.State))
	}
	if q.After != nil {
		sel = sel.Where("(created_at, id) < (?, ?)", q.After.CreatedAt, q.After.ID)
	}
	if err := sel.OrderExpr("created_at DESC, id DESC").Limit(int64(q.Limit) + 1).Scan(ctx); err != nil {
		return notify.Page{}, mapErr(err, "outbox")
	}
	var p notify.Page
	p.Messages = outboxMessages(rows[:min(len(rows), q.Limit)])
	if len(rows) > q.Limit {
		p.Next = notify.EncodeCursor(p.Messages[len(p.Messages)-1])
	}
	return p, nil
}

// Update writes the delivery state; the row lock it takes keeps Claim
// (SKIP LOCKED) away until the transaction ends.
func (r outboxRepo) Update(ctx context.Context, m notify.Message) error {
	row := newOutboxRow(r.sid, m)
	res, err := r.tx.NewUpdate().Model(&row).
		Column("state", "attempts", "next_attempt_at", "last_error", "updated_at", "sent_at").WherePK().Exec(ctx)
	if err != nil {
		return mapErr(err, name("message", m.ID))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("message", m.ID)
	}
	return nil
}

// stateCount is one group of Counts.
type stateCount struct {
	State string `bun:"state"`
	N     int    `bun:"n"`
}

func (r outboxRepo) Counts(ctx context.Context) (map[notify.State]int, error) {
	var rows []stateCount
	err := r.tx.NewSelect().Model((*outboxRow)(nil)).Column("state").ColumnExpr("count(*) AS n").
		Where("service_id = ?", r.sid).Group("state").Scan(ctx, &rows)
	if err != nil {
		return nil, mapErr(err, "outbox")
	}
	out := make(map[notify.State]int, len(notify.States))
	for _, s := range notify.States {
		out[s] = 0
	}
	for _, row := range rows {
		out[notify.State(row.State)] = row.N
	}
	return out, nil
}

// claim leases the oldest due pending messages of every service in one
// statement. FOR UPDATE SKIP LOCKED makes concurrent claimers (other
// goroutines, other processes) pass over the rows one of them is taking,
// and over rows a transaction has written or locked (Outbox.Enqueue, Get,
// Update); a committed claim sets lease_until, which keeps the rows out
// until it expires. The subquery walks the partial index outbox_due_idx.
const claim = `UPDATE outbox SET claimed_by = ?0, lease_until = ?2, attempts = attempts + 1, updated_at = ?1
WHERE (service_id, id) IN (
	SELECT service_id, id FROM outbox
	WHERE state = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
	ORDER BY next_attempt_at, id
	LIMIT ?3
	FOR UPDATE SKIP LOCKED)
RETURNING *`

// Claim implements notify.Queue.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	var rows []outboxRow
	if err := s.db.NewRaw(claim, owner, now, now.Add(lease), limit).Scan(ctx, &rows); err != nil {
		return nil, mapErr(err, "claim")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := outboxMessages(rows)
	slices.SortFunc(out, func(a, b notify.Message) int { // RETURNING keeps no order
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), strings.Compare(a.ID, b.ID), strings.Compare(a.ServiceID, b.ServiceID))
	})
	return out, nil
}

// NextDue implements notify.Queue; min over the partial index
// outbox_due_idx reads one entry. Rows of transactions that have not
// committed are not seen.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullTime
	err := s.db.QueryRowContext(ctx, "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'").Scan(&at)
	if err != nil {
		return time.Time{}, false, mapErr(err, "next due")
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return at.Time.UTC(), true, nil
}

// settle applies a batch of outcomes in one statement; each row is written
// only while it is still the owner's claim and pending. A release gives the
// claim back without counting the attempt; a retry keeps the message pending
// at its next time.
const settle = `UPDATE outbox AS o SET
	state = CASE WHEN v.release THEN o.state ELSE v.state END,
	sent_at = CASE WHEN v.state = 'sent' THEN v.at ELSE o.sent_at END,
	last_error = CASE WHEN v.state = 'failed' OR (v.state = 'pending' AND NOT v.release) THEN v.err ELSE o.last_error END,
	next_attempt_at = CASE WHEN v.state = 'pending' AND NOT v.release THEN v.next ELSE o.next_attempt_at END,
	attempts = CASE WHEN v.release THEN greatest(o.attempts - 1, 0) ELSE o.attempts END,
	claimed_by = '', lease_until = NULL, updated_at = v.at
FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::timestamptz[], ?::bool[])
	AS v(service_id, id, state, at, err, next, release)
WHERE o.service_id = v.service_id AND o.id = v.id AND o.claimed_by = ? AND o.claimed_by <> '' AND o.state = 'pending'
RETURNING o.service_id, o.id`

// Settle implements notify.Queue.
func (s *Store) Settle(ctx context.Context, owner string, rs []notify.Result) ([]notify.Result, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	n := len(rs)
	svc, id, state, errText := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at, next := make([]time.Time, n), make([]time.Time, n)
	release := make([]bool, n)
	for i, r := range rs {
		o := r.Outcome
		svc[i], id[i], state[i], errText[i] = r.Message.ServiceID, r.Message.ID, string(o.State), o.Error
		at[i], next[i], release[i] = o.At, o.NextAttemptAt, o.State == notify.Pending && o.Release
	}
	var done []outboxRow
	err := s.db.NewRaw(settle, pgdialect.Array(svc), pgdialect.Array(id), pgdialect.Array(state), pgdialect.Array(at),
		pgdialect.Array(errText), pgdialect.Array(next), pgdialect.Array(release), owner).Scan(ctx, &done)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, mapErr(err, "settle")
	}
	settled := make(map[[2]string]bool, len(done))
	for _, d := range done {
		settled[[2]string{d.ServiceID, d.ID}] = true
	}
	var lost []notify.Result
	for _, r := range rs {
		if !settled[[2]string{r.Message.ServiceID, r.Message.ID}] {
			lost = append(lost, r)
		}
	}
	return lost, nil
}

type recipientRow struct {
	bun.BaseModel `bun:"table:notify_recipients"`

	ServiceID     string    `bun:"service_id,pk"`
	ID            string    `bun:"id,pk"`
	Name          string    `bun:"name"`
	Email         string    `bun:"email"`
	Phone         string    `bun:"phone"`
	DoorayHookURL string    `bun:"dooray_hook_url"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func newRecipientRow(sid string, rc notify.Recipient) recipientRow {
	return recipientRow{ServiceID: sid, ID: rc.ID, Name: rc.Name, Email: rc.Email, Phone: rc.Phone,
		DoorayHookURL: rc.DoorayHookURL, CreatedAt: rc.CreatedAt, UpdatedAt: rc.UpdatedAt}
}

func (r *recipientRow) recipient() notify.Recipient {
	return notify.Recipient{ID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone, DoorayHookURL: r.DoorayHookURL,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type recipientRepo repos

// Create skips a taken id (ON CONFLICT DO NOTHING) and reports it, so the
// refusal leaves the transaction usable, as in the memory store.
func (r recipientRepo) Create(ctx context.Context, rc notify.Recipient) error {
	row := newRecipientRow(r.sid, rc)
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("recipient", rc.ID))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "recipient %q exists", rc.ID)
	}
	return nil
}

func (r recipientRepo) Get(ctx context.Context, id string) (notify.Recipient, error) {
	row := recipientRow{ServiceID: r.sid, ID: id}
	if err := r.tx.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return notify.Recipient{}, mapErr(err, name("recipient", id))
	}
	return row.recipient(), nil
}

func (r recipientRepo) List(ctx context.Context) ([]notify.Recipient, error) {
	var rows []recipientRow
	err := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr(`name COLLATE "C", id COLLATE "C"`).Scan(ctx)
	if err != nil {
		return nil, mapErr(err, "recipients")
	}
	out := make([]notify.Recipient, len(rows))
	for i := range rows {
		out[i] = rows[i].recipient()
	}
	return out, nil
}

func (r recipientRepo) Update(ctx context.Context, rc notify.Recipient) error {
	row := newRecipientRow(r.sid, rc)
	res, err := r.tx.NewUpdate().Model(&row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	return recipientWritten(res, err, rc.ID)
}

func (r recipientRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model(&recipientRow{ServiceID: r.sid, ID: id}).WherePK().Exec(ctx)
	return recipientWritten(res, err, id)
}

// recipientWritten maps a write's error, and no row written to ErrNotFound.
func recipientWritten(res sql.Result, err error, id string) error {
	if err != nil {
		return mapErr(err, name("recipient", id))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.NotFound("recipient", id)
	}
	return nil
}

// surgeRow is the surge-alert state of one service; LastAlertAt is NULL
// before the first alert.
type surgeRow struct {
	bun.BaseModel `bun:"table:surge_state"`

	ServiceID   string    `bun:"service_id,pk"`
	LastAlertAt time.Time `bun:"last_alert_at,nullzero"`
}

type surgeRepo repos

// LockLastAlert locks the service's surge_state row until the transaction
// ends. The row is made by the first call (a concurrent first call waits
// on the insert, then finds the row); after that it is one statement.
func (r surgeRepo) LockLastAlert(ctx context.Context) (time.Time, error) {
	row := surgeRow{ServiceID: r.sid}
	lock := func() error { return r.tx.NewSelect().Model(&row).WherePK().For("UPDATE").Scan(ctx) }
	err := lock()
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id) DO NOTHING").Exec(ctx); err != nil {
			return time.Time{}, mapErr(err, "surge state")
		}
		err = lock()
	}
	if err != nil {
		return time.Time{}, mapErr(err, "surge state")
	}
	if row.LastAlertAt.IsZero() {
		return time.Time{}, nil
	}
	return row.LastAlertAt.UTC(), nil
}

func (r surgeRepo) SetLastAlert(ctx context.Context, at time.Time) error {
	_, err := r.tx.NewInsert().Model(&surgeRow{ServiceID: r.sid, LastAlertAt: at}).
		On("CONFLICT (service_id) DO UPDATE").Set("last_alert_at = EXCLUDED.last_alert_at").Exec(ctx)
	return mapErr(err, "surge state")
}

// CountCreatedSince implements ticket.Repository (surge alerts, NTF-2); it
// reads the index tickets_created_idx.
func (r ticketRepo) CountCreatedSince(ctx context.Context, since time.Time) (int, error) {
	n, err := r.tx.NewSelect().Model((*ticketRow)(nil)).Where("service_id = ? AND created_at >= ?", r.sid, since).Count(ctx)
	if err != nil {
		return 0, mapErr(err, "tickets")
	}
	return int(n), nil
}
