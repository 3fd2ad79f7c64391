package memory

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/page"
	"github.com/deskkit/deskkit/notify"
)

// The outbox (NTF-1) of every service lives in one store-level structure
// with its own lock, not in the tenants: the Queue claims across services
// and must not wait for (or deadlock with) any service's transaction. Lock
// order is a tenant's mu, then outbox.mu; Claim and Settle take only
// outbox.mu, and every outbox read or write holds it briefly.
//
// A row a transaction has written or read (Enqueue, Update, Get) is held
// until that transaction ends: Claim skips it and Settle waits for it, so
// nothing is delivered before its transaction commits, and a rollback
// removes or restores it before anyone else could have touched it. Postgres
// gets the same from MVCC and row locks (FOR UPDATE, SKIP LOCKED).

var _ notify.Queue = (*Store)(nil)

type outbox struct {
	mu sync.Mutex
	// ended is signalled when a transaction lets go of its held rows.
	ended    *sync.Cond
	services map[string]*serviceOutbox
	// due holds every pending row, ordered by (NextAttemptAt, ID,
	// ServiceID): Claim walks it from the front and stops at the first row
	// not yet due. A row's NextAttemptAt changes only while it is out of
	// due.
	due []*outRow
}

type serviceOutbox struct {
	rows map[string]*outRow // by message id
	keys map[string]string  // idempotency key → message id
}

type outRow struct {
	m          notify.Message
	owner      string // claimed by; "" when never claimed or settled
	leaseUntil time.Time
	holds      int // writes and reads (Enqueue, Update, Get) of transactions that have not ended
}

func newOutbox() *outbox {
	o := &outbox{services: map[string]*serviceOutbox{}}
	o.ended = sync.NewCond(&o.mu)
	return o
}

// service returns the outbox of one service, made on first use.
func (o *outbox) service(id string) *serviceOutbox {
	so := o.services[id]
	if so == nil {
		so = &serviceOutbox{rows: map[string]*outRow{}, keys: map[string]string{}}
		o.services[id] = so
	}
	return so
}

// rows returns the messages of one service (nil if it has none), without
// making its outbox: reads of unknown services leave nothing behind.
func (o *outbox) rows(id string) map[string]*outRow {
	if so := o.services[id]; so != nil {
		return so.rows
	}
	return nil
}

func cmpDue(a, b *outRow) int {
	return cmp.Or(a.m.NextAttemptAt.Compare(b.m.NextAttemptAt), strings.Compare(a.m.ID, b.m.ID),
		strings.Compare(a.m.ServiceID, b.m.ServiceID))
}

func (o *outbox) addDue(r *outRow) {
	i, _ := slices.BinarySearchFunc(o.due, r, cmpDue)
	o.due = slices.Insert(o.due, i, r)
}

func (o *outbox) removeDue(r *outRow) {
	if i, ok := slices.BinarySearchFunc(o.due, r, cmpDue); ok {
		o.due = slices.Delete(o.due, i, i+1)
	}
}

// message returns a copy of the row's message that shares no memory with
// the store.
func (r *outRow) message() notify.Message {
	m := r.m
	m.Payload.Headers = maps.Clone(m.Payload.Headers)
	return m
}

// utcMicro is t as Postgres keeps it: UTC, whole microseconds. Cursors
// carry microseconds, so finer times would page wrongly.
func utcMicro(t time.Time) time.Time { return t.Truncate(time.Microsecond).UTC() }

type outboxRepo struct{ tx *txn }

// Enqueue stores the messages as given; a key the service has is skipped,
// a taken id refuses the whole call.
func (r outboxRepo) Enqueue(ctx context.Context, ms ...notify.Message) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	o := r.tx.out
	o.mu.Lock()
	defer o.mu.Unlock()
	so := o.service(r.tx.service)
	ids, keys := map[string]bool{}, map[string]bool{}
	var add []*outRow
	for _, m := range ms {
		if _, dup := so.keys[m.IdempotencyKey]; dup || keys[m.IdempotencyKey] {
			continue
		}
		if _, taken := so.rows[m.ID]; taken || ids[m.ID] {
			return errs.New(helpdesk.ErrConflict, "message %q exists", m.ID)
		}
		ids[m.ID], keys[m.IdempotencyKey] = true, true
		m.ServiceID = r.tx.service
		m.NextAttemptAt, m.CreatedAt, m.UpdatedAt, m.SentAt = utcMicro(m.NextAttemptAt), utcMicro(m.CreatedAt), utcMicro(m.UpdatedAt), utcMicro(m.SentAt)
		m.Payload.Headers = maps.Clone(m.Payload.Headers)
		if len(m.Payload.Headers) == 0 {
			m.Payload.Headers = nil // as jsonb keeps it
		}
		add = append(add, &outRow{m: m})
	}
	for _, row := range add {
		so.rows[row.m.ID] = row
		so.keys[row.m.IdempotencyKey] = row.m.ID
		if row.m.State == notify.Pending {
			o.addDue(row)
		}
		r.hold(row)
	}
	r.tx.onUndo(func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		for _, row := range add {
			delete(so.rows, row.m.ID)
			delete(so.keys, row.m.IdempotencyKey)
			if row.m.State == notify.Pending {
				o.removeDue(row)
			}
		}
	})
	return nil
}

// hold keeps Claim (and Settle) away from row until the transaction ends;
// the caller holds the outbox lock.
func (r outboxRepo) hold(row *outRow) {
	row.holds++
	o := r.tx.out
	r.tx.onEnd(func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		row.holds--
		o.ended.Broadcast()
	})
}

func (r outboxRepo) Get(ctx context.Context, id string) (notify.Message, error) {
	if err := r.tx.check(ctx); err != nil {
		return notify.Message{}, err
	}
	o := r.tx.out
	o.mu.Lock()
	defer o.mu.Unlock()
	row := o.rows(r.tx.service)[id]
	if row == nil {
		return notify.Message{}, errs.NotFound("message", id)
	}
	r.hold(row)
	return row.message(), nil
}

func (r outboxRepo) List(ctx context.Context, q notify.Query) (notify.Page, error) {
	if err := r.tx.check(ctx); err != nil {
		return notify.Page{}, err
	}
	o := r.tx.out
	o.mu.Lock()
	var all []notify.Message
	for _, row := range o.rows(r.tx.service) {
		if (q.State == "" || row.m.State == q.State) && (q.After == nil || q.After.Before(row.m)) {
			all = append(all, row.message())
		}
	}
	o.mu.Unlock()
	var p notify.Page
	p.Messages, p.Next = page.Take(all, q.Limit, func(m notify.Message) (time.Time, string) { return m.CreatedAt, m.ID })
	return p, nil
}

func (r outboxRepo) Update(ctx context.Context, m notify.Message) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	o := r.tx.out
	o.mu.Lock()
	defer o.mu.Unlock()
	row := o.rows(r.tx.service)[m.ID]
	if row == nil {
		return errs.NotFound("message", m.ID)
	}
	old := row.m
	o.setState(row, func(s *notify.Message) {
		s.State, s.Attempts, s.LastError = m.State, m.Attempts, m.LastError
		s.NextAttemptAt, s.UpdatedAt, s.SentAt = utcMicro(m.NextAttemptAt), utcMicro(m.UpdatedAt), utcMicro(m.SentAt)
	})
	r.hold(row)
	r.tx.onUndo(func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.setState(row, func(s *notify.Message) { *s = old })
	})
	return nil
}

// setState changes row's message with set, keeping due in step; the
// caller holds the outbox lock.
func (o *outbox) setState(row *outRow, set func(*notify.Message)) {
	if row.m.State == notify.Pending {
		o.removeDue(row)
	}
	set(&row.m)
	if row.m.State == notify.Pending {
		o.addDue(row)
	}
}

func (r outboxRepo) Counts(ctx context.Context) (map[notify.State]int, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := make(map[notify.State]int, len(notify.States))
	for _, s := range notify.States {
		out[s] = 0
	}
	o := r.tx.out
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, row := range o.rows(r.tx.service) {
		out[row.m.State]++
	}
	return out, nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Claim implements notify.Queue: it walks the due rows oldest first under
// the outbox lock, so two claimers never get the same message while its
// lease runs.
func (s *Store) Claim(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]notify.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, ErrClosed
	}
	now, until := utcMicro(now), utcMicro(now.Add(lease))
	o := s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []notify.Message
	for _, row := range o.due {
		if len(out) >= limit || row.m.NextAttemptAt.After(now) {
			break
		}
		if row.holds > 0 || (row.owner != "" && row.leaseUntil.After(now)) {
			continue
		}
		row.owner, row.leaseUntil = owner, until
		row.m.Attempts++
		row.m.UpdatedAt = now
		out = append(out, row.message())
	}
	return out, nil
}

// NextDue implements notify.Queue: due is ordered by NextAttemptAt, so the
// first pending row is the earliest. It counts rows of transactions that
// have not ended.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	if s.isClosed() {
		return time.Time{}, false, ErrClosed
	}
	o := s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.due) == 0 {
		return time.Time{}, false, nil
	}
	return o.due[0].m.NextAttemptAt, true, nil
}

// Settle implements notify.Queue. Like an UPDATE meeting a row lock, it
// waits while a transaction holds a row it names.
func (s *Store) Settle(ctx context.Context, owner string, rs []notify.Result) ([]notify.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.isClosed() {
		return nil, ErrClosed
	}
	o := s.out
	o.mu.Lock()
	defer o.mu.Unlock()
	for slices.ContainsFunc(rs, func(r notify.Result) bool {
		row := o.rows(r.Message.ServiceID)[r.Message.ID]
		return row != nil && row.holds > 0
	}) {
		o.ended.Wait()
	}
	var lost []notify.Result
	for _, r := range rs {
		m, oc := r.Message, r.Outcome
		row := o.rows(m.ServiceID)[m.ID]
		if row == nil || owner == "" || row.owner != owner || row.m.State != notify.Pending {
			lost = append(lost, r)
			continue
		}
		o.setState(row, func(m *notify.Message) {
			switch {
			case oc.State == notify.Sent:
				m.State, m.SentAt = notify.Sent, utcMicro(oc.At)
			case oc.State == notify.Failed:
				m.State, m.LastError = notify.Failed, oc.Error
			case oc.Release:
				m.Attempts = max(m.Attempts-1, 0)
			default:
				m.NextAttemptAt, m.LastError = utcMicro(oc.NextAttemptAt), oc.Error
			}
			m.UpdatedAt = utcMicro(oc.At)
		})
		row.owner, row.leaseUntil = "", time.Time{}
	}
	return lost, nil
}

// notifyState is a tenant's external recipients and surge-alert state.
type notifyState struct {
	recipients map[string]notify.Recipient
	lastAlert  time.Time
}

func newNotifyState() notifyState {
	return notifyState{recipients: map[string]notify.Recipient{}}
}

type recipientRepo struct{ tx *txn }

func (r recipientRepo) Create(ctx context.Context, rc notify.Recipient) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg == nil {
		return errs.NotFound("service", r.tx.service)
	}
	if _, ok := t.nt.recipients[rc.ID]; ok {
		return errs.New(helpdesk.ErrConflict, "recipient %q exists", rc.ID)
	}
	t.nt.recipients[rc.ID] = rc
	r.tx.onUndo(func() { delete(t.nt.recipients, rc.ID) })
	return nil
}

func (r recipientRepo) Get(ctx context.Context, id string) (notify.Recipient, error) {
	if err := r.tx.check(ctx); err != nil {
		return notify.Recipient{}, err
	}
	rc, ok := r.tx.t.nt.recipients[id]
	if !ok {
		return notify.Recipient{}, errs.NotFound("recipient", id)
	}
	return rc, nil
}

func (r recipientRepo) List(ctx context.Context) ([]notify.Recipient, error) {
	if err := r.tx.check(ctx); err != nil {
		return nil, err
	}
	out := slices.Collect(maps.Values(r.tx.t.nt.recipients))
	slices.SortFunc(out, func(a, b notify.Recipient) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (r recipientRepo) Update(ctx context.Context, rc notify.Recipient) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	old, ok := t.nt.recipients[rc.ID]
	if !ok {
		return errs.NotFound("recipient", rc.ID)
	}
	rc.CreatedAt = old.CreatedAt
	t.nt.recipients[rc.ID] = rc
	r.tx.onUndo(func() { t.nt.recipients[old.ID] = old })
	return nil
}

func (r recipientRepo) Delete(ctx context.Context, id string) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	old, ok := t.nt.recipients[id]
	if !ok {
		return errs.NotFound("recipient", id)
	}
	delete(t.nt.recipients, id)
	r.tx.onUndo(func() { t.nt.recipients[id] = old })
	return nil
}

type surgeRepo struct{ tx *txn }

// LockLastAlert needs no lock of its own: the service's transactions
// already run one at a time.
func (r surgeRepo) LockLastAlert(ctx context.Context) (time.Time, error) {
	if err := r.tx.check(ctx); err != nil {
		return time.Time{}, err
	}
	if r.tx.t.cfg == nil {
		return time.Time{}, errs.NotFound("service", r.tx.service)
	}
	return r.tx.t.nt.lastAlert, nil
}

func (r surgeRepo) SetLastAlert(ctx context.Context, at time.Time) error {
	if err := r.tx.check(ctx); err != nil {
		return err
	}
	t := r.tx.t
	if t.cfg == nil {
		return errs.NotFound("service", r.tx.service)
	}
	old := t.nt.lastAlert
	t.nt.lastAlert = at
	r.tx.onUndo(func() { t.nt.lastAlert = old })
	return nil
}

// CountCreatedSince implements ticket.Repository (surge alerts, NTF-2).
func (r ticketRepo) CountCreatedSince(ctx context.Context, since time.Time) (int, error) {
	if err := r.tx.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	for _, tk := range r.tx.t.tickets {
		if !tk.CreatedAt.Before(since) {
			n++
		}
	}
	return n, nil
}
