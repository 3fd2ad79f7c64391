package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// This file holds the notify package's ports: the outbox of one service
// (notify.Outbox, inside Tx), the outbox of every service as the
// Dispatcher sees it (notify.Queue, on the Store: claims coordinate through
// the database with FOR UPDATE SKIP LOCKED and leases, so several processes
// can dispatch at once), external recipients and surge-alert state (NTF-1..4).

var _ notify.Queue = (*Store)(nil)

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
	CreatedAt       time.Time      `bun:"created_at"`
	UpdatedAt       time.Time      `bun:"updated_at"`
	SentAt          time.Time      `bun:"sent_at,nullzero"`
}

// outboxColumns are the columns of outboxRow (not the lease).
const outboxColumns = `service_id, id, medium, recipient, payload, idempotency_key, source_kind, source_ticket_id,
	source_trigger_id, state, attempts, next_attempt_at, last_error, created_at, updated_at, sent_at`

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

type outboxRepo repos

// Enqueue inserts every message in one statement; ON CONFLICT on the
// idempotency key skips the keys the service already has (or that an
// earlier message of the same call has), while a taken id is a conflict.
func (r outboxRepo) Enqueue(ctx context.Context, ms ...notify.Message) error {
	if len(ms) == 0 {
		return nil
	}
	rows := make([]outboxRow, len(ms))
	for i, m := range ms {
		if m.ID == "" || m.IdempotencyKey == "" {
			return fmt.Errorf("message %q: an id and an idempotency key are required: %w", m.ID, helpdesk.ErrInvalid)
		}
		next, updated := m.NextAttemptAt, m.UpdatedAt
		if next.IsZero() {
			next = m.CreatedAt
		}
		if updated.IsZero() {
			updated = m.CreatedAt
		}
		rows[i] = outboxRow{
			ServiceID: r.sid, ID: m.ID, Medium: string(m.Medium), Recipient: m.Recipient, Payload: m.Payload,
			IdempotencyKey: m.IdempotencyKey,
			SourceKind:     m.Source.Kind, SourceTicketID: m.Source.TicketID, SourceTriggerID: m.Source.TriggerID,
			State: string(notify.Pending), Attempts: m.Attempts, NextAttemptAt: next, LastError: m.LastError,
			CreatedAt: m.CreatedAt, UpdatedAt: updated, SentAt: m.SentAt,
		}
	}
	_, err := r.tx.NewInsert().Model(&rows).On("CONFLICT (service_id, idempotency_key) DO NOTHING").Exec(ctx)
	return mapErr(err, "message "+ms[0].ID)
}

func (r outboxRepo) Get(ctx context.Context, id string) (notify.Message, error) {
	var row outboxRow
	if err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx); err != nil {
		return notify.Message{}, mapErr(err, "message "+id)
	}
	return row.message(), nil
}

// List walks (created_at, id) downwards; id has the "C" collation, so ties
// on created_at break in byte order as in the other stores.
func (r outboxRepo) List(ctx context.Context, f notify.Filter) (notify.Page, error) {
	after, err := notify.NormalizeFilter(&f)
	if err != nil {
		return notify.Page{}, err
	}
	var rows []outboxRow
	q := r.tx.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	if after != nil {
		q = q.Where("(created_at, id) < (?, ?)", after.CreatedAt, after.ID)
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit) + 1).Scan(ctx); err != nil {
		return notify.Page{}, mapErr(err, "outbox")
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	var p notify.Page
	for i := range rows {
		p.Messages = append(p.Messages, rows[i].message())
	}
	if more {
		p.Next = notify.EncodeCursor(p.Messages[len(p.Messages)-1])
	}
	return p, nil
}

// retry makes a failed message pending again. The row lock the update
// takes keeps Claim (SKIP LOCKED) away until the transaction ends.
const retry = `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2, updated_at = ?2
WHERE service_id = ?0 AND id = ?1 AND state = 'failed'`

func (r outboxRepo) Retry(ctx context.Context, id string, now time.Time) error {
	res, err := r.tx.NewRaw(retry, r.sid, id, now).Exec(ctx)
	if err != nil {
		return mapErr(err, "message "+id)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var state string
	if err := r.tx.NewRaw("SELECT state FROM outbox WHERE service_id = ? AND id = ?", r.sid, id).Scan(ctx, &state); err != nil {
		return mapErr(err, "message "+id)
	}
	return fmt.Errorf("message %q is %s, not failed: %w", id, state, helpdesk.ErrInvalid)
}

func (r outboxRepo) Counts(ctx context.Context) (map[notify.State]int, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int    `bun:"n"`
	}
	if err := r.tx.NewRaw("SELECT state, count(*) AS n FROM outbox WHERE service_id = ? GROUP BY state", r.sid).Scan(ctx, &rows); err != nil {
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
// and over rows a transaction is writing (Retry); a committed claim sets
// lease_until, which keeps the rows out until it expires. The subquery
// walks the partial index outbox_due_idx.
const claim = `UPDATE outbox SET claimed_by = ?0, lease_until = ?2, attempts = attempts + 1, updated_at = ?1
WHERE (service_id, id) IN (
	SELECT service_id, id FROM outbox
	WHERE state = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
	ORDER BY next_attempt_at, id
	LIMIT ?3
	FOR UPDATE SKIP LOCKED)
RETURNING ` + outboxColumns

// Claim implements notify.Queue.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	if owner == "" || lease <= 0 {
		return nil, fmt.Errorf("claim: an owner and a positive lease are required: %w", helpdesk.ErrInvalid)
	}
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
	out := make([]notify.Message, len(rows))
	for i := range rows {
		out[i] = rows[i].message()
	}
	slices.SortFunc(out, func(a, b notify.Message) int { // RETURNING keeps no order
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), strings.Compare(a.ID, b.ID), strings.Compare(a.ServiceID, b.ServiceID))
	})
	return out, nil
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
	n := len(rs)
	svc, id, state, errText := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at, next := make([]time.Time, n), make([]time.Time, n)
	release := make([]bool, n)
	for i, r := range rs {
		o := r.Outcome
		if o.State != notify.Sent && o.State != notify.Failed && o.State != notify.Pending {
			return nil, fmt.Errorf("settle message %q: unknown outcome state %q: %w", r.Message.ID, o.State, helpdesk.ErrInvalid)
		}
		svc[i], id[i], state[i], errText[i] = r.Message.ServiceID, r.Message.ID, string(o.State), o.Error
		at[i], next[i], release[i] = o.At, o.NextAttemptAt, o.State == notify.Pending && o.Release
		if next[i].IsZero() {
			next[i] = o.At
		}
	}
	if n == 0 {
		return nil, nil
	}
	var done []struct {
		ServiceID string `bun:"service_id"`
		ID        string `bun:"id"`
	}
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

func (r *recipientRow) recipient() notify.Recipient {
	return notify.Recipient{ID: r.ID, Name: r.Name, Email: r.Email, Phone: r.Phone, DoorayHookURL: r.DoorayHookURL,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type recipientRepo repos

// Create skips a taken id (ON CONFLICT DO NOTHING) and reports it, so the
// refusal leaves the transaction usable, as in the memory store.
func (r recipientRepo) Create(ctx context.Context, rc notify.Recipient) error {
	row := recipientRow{ServiceID: r.sid, ID: rc.ID, Name: rc.Name, Email: rc.Email, Phone: rc.Phone,
		DoorayHookURL: rc.DoorayHookURL, CreatedAt: rc.CreatedAt, UpdatedAt: rc.UpdatedAt}
	res, err := r.tx.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, "recipient "+rc.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("recipient %q exists: %w", rc.ID, helpdesk.ErrConflict)
	}
	return nil
}

func (r recipientRepo) Get(ctx context.Context, id string) (notify.Recipient, error) {
	var row recipientRow
	if err := r.tx.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx); err != nil {
		return notify.Recipient{}, mapErr(err, "recipient "+id)
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
	row := recipientRow{ServiceID: r.sid, ID: rc.ID, Name: rc.Name, Email: rc.Email, Phone: rc.Phone,
		DoorayHookURL: rc.DoorayHookURL, UpdatedAt: rc.UpdatedAt}
	res, err := r.tx.NewUpdate().Model(&row).Column("name", "email", "phone", "dooray_hook_url", "updated_at").
		Where("service_id = ? AND id = ?", r.sid, rc.ID).Exec(ctx)
	if err != nil {
		return mapErr(err, "recipient "+rc.ID)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("recipient %q: %w", rc.ID, helpdesk.ErrNotFound)
	}
	return nil
}

func (r recipientRepo) Delete(ctx context.Context, id string) error {
	res, err := r.tx.NewDelete().Model((*recipientRow)(nil)).Where("service_id = ? AND id = ?", r.sid, id).Exec(ctx)
	if err != nil {
		return mapErr(err, "recipient "+id)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("recipient %q: %w", id, helpdesk.ErrNotFound)
	}
	return nil
}

type surgeRepo repos

const lockSurge = "SELECT last_alert_at FROM surge_state WHERE service_id = ? FOR UPDATE"

// LockLastAlert locks the service's surge_state row until the transaction
// ends. The row is made by the first call (a concurrent first call waits
// on the insert, then finds the row); after that it is one statement.
func (r surgeRepo) LockLastAlert(ctx context.Context) (time.Time, error) {
	var at sql.NullTime
	err := r.tx.NewRaw(lockSurge, r.sid).Scan(ctx, &at)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := r.tx.NewRaw("INSERT INTO surge_state (service_id) VALUES (?) ON CONFLICT (service_id) DO NOTHING", r.sid).Exec(ctx); err != nil {
			return time.Time{}, mapErr(err, "surge state")
		}
		err = r.tx.NewRaw(lockSurge, r.sid).Scan(ctx, &at)
	}
	if err != nil {
		return time.Time{}, mapErr(err, "surge state")
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return at.Time.UTC(), nil
}

func (r surgeRepo) SetLastAlert(ctx context.Context, at time.Time) error {
	_, err := r.tx.NewRaw(`INSERT INTO surge_state (service_id, last_alert_at) VALUES (?, ?)
ON CONFLICT (service_id) DO UPDATE SET last_alert_at = EXCLUDED.last_alert_at`, r.sid, at).Exec(ctx)
	return mapErr(err, "surge state")
}

// CountCreatedSince implements ticket.Repository (surge alerts, NTF-2); it
// reads the index tickets_created_idx.
func (r ticketRepo) CountCreatedSince(ctx context.Context, since time.Time) (int, error) {
	var n int
	err := r.tx.NewRaw("SELECT count(*) FROM tickets WHERE service_id = ? AND created_at >= ?", r.sid, since).Scan(ctx, &n)
	if err != nil {
		return 0, mapErr(err, "tickets")
	}
	return n, nil
}
