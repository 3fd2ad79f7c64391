package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/notify"
)

// This file holds the notify package's ports: the outbox of one service
// (notify.Outbox, inside Tx), the outbox of every service as the
// Dispatcher sees it (notify.Queue, on the Store: claims and settlements
// are write transactions, which SQLite runs one at a time across every
// process sharing the file, and a claim leases its rows, so two
// dispatchers never deliver one message at once), external recipients and
// surge-alert state (NTF-1..4). The stores write what they are given and
// make no rule checks.

var _ notify.Queue = (*Store)(nil)

// outboxRow is one row of outbox; ClaimedBy and LeaseUntil are the claim
// (no lease: NULL).
type outboxRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ServiceID       string         `bun:"service_id,pk"`
	ID              string         `bun:"id,pk"`
	Medium          string         `bun:"medium"`
	Recipient       string         `bun:"recipient"`
	Payload         notify.Payload `bun:"payload,type:json"`
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
func (r outboxRepo) Enqueue(ctx context.Context, ms ...notify.Message) error {
	if len(ms) == 0 {
		return nil
	}
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	rows := make([]outboxRow, len(ms))
	for i, m := range ms {
		rows[i] = newOutboxRow(r.sid, m)
	}
	_, err := r.db.NewInsert().Model(&rows).On("CONFLICT (service_id, idempotency_key) DO NOTHING").Exec(ctx)
	return mapErr(err, "messages", key{"outbox.service_id, outbox.id", func() error {
		return errs.New(helpdesk.ErrConflict, "message %q exists", r.takenID(ctx, ms))
	}})
}

// takenID returns the id of the first of ms that is stored (after a
// refused insert, which wrote none of them).
func (r outboxRepo) takenID(ctx context.Context, ms []notify.Message) string {
	for i, m := range ms {
		if slices.ContainsFunc(ms[:i], func(o notify.Message) bool { return o.ID == m.ID }) {
			return m.ID
		}
		if ok, _ := r.db.NewSelect().Model((*outboxRow)(nil)).Where("service_id = ? AND id = ?", r.sid, m.ID).Exists(ctx); ok {
			return m.ID
		}
	}
	return ""
}

// Get makes the transaction the writer, so Claim waits for it to end.
func (r outboxRepo) Get(ctx context.Context, id string) (notify.Message, error) {
	if err := repos(r).lock(ctx); err != nil {
		return notify.Message{}, err
	}
	var row outboxRow
	if err := r.db.NewSelect().Model(&row).Where("service_id = ? AND id = ?", r.sid, id).Scan(ctx); err != nil {
		return notify.Message{}, mapErr(err, name("message", id))
	}
	return row.message(), nil
}

// List walks (created_at, id) downwards; ties on created_at break in byte
// order as in the other stores.
func (r outboxRepo) List(ctx context.Context, q notify.Query) (notify.Page, error) {
	var rows []outboxRow
	sel := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid)
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

// Update writes the delivery state.
func (r outboxRepo) Update(ctx context.Context, m notify.Message) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := newOutboxRow(r.sid, m)
	res, err := r.db.NewUpdate().Model(&row).
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
	err := r.db.NewSelect().Model((*outboxRow)(nil)).Column("state").ColumnExpr("count(*) AS n").
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
// statement (it walks the partial index outbox_due_idx).
const claim = `UPDATE outbox SET claimed_by = ?0, lease_until = ?2, attempts = attempts + 1, updated_at = ?1
WHERE (service_id, id) IN (
	SELECT service_id, id FROM outbox
	WHERE state = 'pending' AND next_attempt_at <= ?1 AND (lease_until IS NULL OR lease_until <= ?1)
	ORDER BY next_attempt_at, id
	LIMIT ?3)
RETURNING *`

// Claim implements notify.Queue. It is a write transaction: claimers of
// every process sharing the file run one after another, and each sees the
// leases the ones before it committed.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	var rows []outboxRow
	err := s.writeTx(ctx, func(db bun.IDB) error {
		rows = rows[:0]
		return mapErr(db.NewRaw(claim, owner, now, now.Add(lease), limit).Scan(ctx, &rows), "claim")
	})
	if err != nil && !noRows(err) {
		return nil, err
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
// outbox_due_idx reads one entry.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullString
	err := s.db.QueryRowContext(ctx, "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'").Scan(&at)
	if err != nil {
		return time.Time{}, false, mapErr(err, "next due")
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	t, err := time.Parse(timeFormat, at.String)
	if err != nil {
		return time.Time{}, false, mapErr(err, "next due")
	}
	return t.UTC(), true, nil
}

// settle applies one outcome, only while the row is still the owner's
// claim and pending. A release gives the claim back without counting the
// attempt; a retry keeps the message pending at its next time.
const settle = `UPDATE outbox SET
	state = CASE WHEN ?3 THEN state ELSE ?2 END,
	sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END,
	last_error = CASE WHEN ?2 = 'failed' OR (?2 = 'pending' AND NOT ?3) THEN ?5 ELSE last_error END,
	next_attempt_at = CASE WHEN ?2 = 'pending' AND NOT ?3 THEN ?6 ELSE next_attempt_at END,
	attempts = CASE WHEN ?3 THEN max(attempts - 1, 0) ELSE attempts END,
	claimed_by = '', lease_until = NULL, updated_at = ?4
WHERE service_id = ?0 AND id = ?1 AND claimed_by = ?7 AND claimed_by <> '' AND state = 'pending'`

// Settle implements notify.Queue: every outcome in one write transaction.
func (s *Store) Settle(ctx context.Context, owner string, rs []notify.Result) ([]notify.Result, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	var lost []notify.Result
	err := s.writeTx(ctx, func(db bun.IDB) error {
		lost = lost[:0]
		for _, r := range rs {
			o := r.Outcome
			release := o.State == notify.Pending && o.Release
			res, err := db.NewRaw(settle, r.Message.ServiceID, r.Message.ID, string(o.State), release, o.At, o.Error,
				o.NextAttemptAt, owner).Exec(ctx)
			if err != nil {
				return mapErr(err, "settle")
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(lost) == 0 {
		return nil, nil
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

// Create skips a taken id (ON CONFLICT DO NOTHING) and reports it.
func (r recipientRepo) Create(ctx context.Context, rc notify.Recipient) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := newRecipientRow(r.sid, rc)
	res, err := r.db.NewInsert().Model(&row).On("CONFLICT (service_id, id) DO NOTHING").Exec(ctx)
	if err != nil {
		return mapErr(err, name("recipient", rc.ID), key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.New(helpdesk.ErrConflict, "recipient %q exists", rc.ID)
	}
	return nil
}

func (r recipientRepo) Get(ctx context.Context, id string) (notify.Recipient, error) {
	row := recipientRow{ServiceID: r.sid, ID: id}
	if err := r.db.NewSelect().Model(&row).WherePK().Scan(ctx); err != nil {
		return notify.Recipient{}, mapErr(err, name("recipient", id))
	}
	return row.recipient(), nil
}

func (r recipientRepo) List(ctx context.Context) ([]notify.Recipient, error) {
	var rows []recipientRow
	err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).OrderExpr("name, id").Scan(ctx)
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
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	row := newRecipientRow(r.sid, rc)
	res, err := r.db.NewUpdate().Model(&row).ExcludeColumn("created_at").WherePK().Exec(ctx)
	return recipientWritten(res, err, rc.ID)
}

func (r recipientRepo) Delete(ctx context.Context, id string) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	res, err := r.db.NewDelete().Model(&recipientRow{ServiceID: r.sid, ID: id}).WherePK().Exec(ctx)
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

// LockLastAlert makes the transaction the writer and reads the state.
func (r surgeRepo) LockLastAlert(ctx context.Context) (time.Time, error) {
	if err := repos(r).lock(ctx); err != nil {
		return time.Time{}, err
	}
	var rows []surgeRow
	if err := r.db.NewSelect().Model(&rows).Where("service_id = ?", r.sid).Scan(ctx); err != nil {
		return time.Time{}, mapErr(err, "surge state")
	}
	if len(rows) == 0 { // the first call makes the row; an unknown service fails its foreign key
		_, err := r.db.NewInsert().Model(&surgeRow{ServiceID: r.sid}).On("CONFLICT (service_id) DO NOTHING").Exec(ctx)
		return time.Time{}, mapErr(err, "surge state", key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
	}
	if rows[0].LastAlertAt.IsZero() {
		return time.Time{}, nil
	}
	return rows[0].LastAlertAt.UTC(), nil
}

func (r surgeRepo) SetLastAlert(ctx context.Context, at time.Time) error {
	if err := repos(r).lock(ctx); err != nil {
		return err
	}
	_, err := r.db.NewInsert().Model(&surgeRow{ServiceID: r.sid, LastAlertAt: at}).
		On("CONFLICT (service_id) DO UPDATE").Set("last_alert_at = EXCLUDED.last_alert_at").Exec(ctx)
	return mapErr(err, "surge state", key{foreignKey, func() error { return errs.NotFound("service", r.sid) }})
}
