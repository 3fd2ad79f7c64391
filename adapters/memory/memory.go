package memory

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// Store is the in-memory helpdesk.Store.
type Store struct {
	mu      sync.Mutex
	tenants map[string]*tenant
	closed  bool

	out *outbox // every service's messages, shared with the Queue (notify.go)
}

// New returns an empty store.
func New() *Store { return &Store{tenants: map[string]*tenant{}, out: newOutbox()} }

var _ helpdesk.Store = (*Store)(nil)

// ErrClosed is returned by Tx after Close.
var ErrClosed = errors.New("memory: store is closed")

// tenant is everything one service owns, guarded by mu.
type tenant struct {
	// lock is held by the one transaction working on the tenant; a channel,
	// so that waiting for it respects the caller's context.
	lock chan struct{}

	cfg *helpdesk.ServiceConfig

	tickets  map[string]*ticket.Ticket
	byNumber []string // byNumber[n-1] is the id of ticket #n (numbers have no gaps)
	comments map[string][]ticket.Comment
	changes  []ticket.Change // ids 1..len, in order
	byTicket map[string][]int
	keys     map[string]ticket.Key // idempotency keys (STO-3)

	ag  agentState
	nt  notifyState
	cat categoryState
	fld fieldState
	tpl templateState
	trg triggerState
	dry doorayState // dooray.go
	ml  mailState   // mail.go
}

func newTenant() *tenant {
	return &tenant{
		lock:    make(chan struct{}, 1),
		tickets: map[string]*ticket.Ticket{}, comments: map[string][]ticket.Comment{},
		byTicket: map[string][]int{}, keys: map[string]ticket.Key{}, ag: newAgentState(), nt: newNotifyState(),
		cat: newCategoryState(), fld: newFieldState(), tpl: newTemplateState(),
		trg: newTriggerState(), dry: newDoorayState(), ml: newMailState(),
	}
}

// Tx runs fn with the repositories of serviceID, holding that service's
// lock; on error or panic every write of fn is undone.
//
// A commit cannot fail here: an error means nothing was stored, and one
// that matches no Deskkit kind (an ended context, a closed store) also
// matches helpdesk.ErrNotStored.
func (s *Store) Tx(ctx context.Context, serviceID string, fn func(helpdesk.Repos) error) (err error) {
	defer func() { err = errs.NotStored(err) }()
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	t := s.tenants[serviceID]
	s.mu.Unlock()
	// An unknown service gets a tenant of its own for this transaction;
	// it is kept only if the transaction creates the service, so that
	// calls naming unknown services leave nothing behind.
	fresh := t == nil
	if fresh {
		t = newTenant()
	}
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-t.lock }()
	tx := &txn{t: t, service: serviceID, out: s.out}
	defer func() {
		tx.done = true
		p := recover()
		if p == nil && err == nil && fresh && t.cfg != nil {
			err = s.register(serviceID, t)
		}
		if p != nil || err != nil {
			tx.rollback()
		}
		tx.end()
		if p != nil {
			panic(p)
		}
	}()
	return fn(tx)
}

// register keeps the tenant a transaction created its service in, unless a
// concurrent transaction registered one first.
func (s *Store) register(id string, t *tenant) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if _, ok := s.tenants[id]; ok {
		return errs.New(helpdesk.ErrConflict, "service %q exists", id)
	}
	s.tenants[id] = t
	return nil
}

// Services returns up to limit ids of the services, in byte order, that
// come after after.
func (s *Store) Services(ctx context.Context, after string, limit int) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, errs.New(helpdesk.ErrInvalid, "services: limit %d", limit)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	var ids []string
	for id := range s.tenants {
		if id > after {
			ids = append(ids, id)
		}
	}
	s.mu.Unlock()
	slices.Sort(ids)
	return ids[:min(limit, len(ids))], nil
}

// Close makes later Tx calls fail; the data is dropped.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.tenants = nil
	return nil
}

// txn is one transaction: the repositories and the undo log.
type txn struct {
	t       *tenant
	service string
	out     *outbox
	undo    []func()
	ends    []func()
	done    bool
}

func (tx *txn) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}
	tx.undo = nil
}

// onUndo records how to revert a write.
func (tx *txn) onUndo(f func()) { tx.undo = append(tx.undo, f) }

// onEnd records what to do when the transaction ends, after a rollback if
// there is one: release what other goroutines must not see before then.
func (tx *txn) onEnd(f func()) { tx.ends = append(tx.ends, f) }

func (tx *txn) end() {
	for _, f := range tx.ends {
		f()
	}
	tx.ends = nil
}

// errDone guards against repositories used after their transaction.
var errDone = errors.New("memory: repository used after its transaction ended")

// exists refuses writes to a service that does not exist (as the Postgres
// foreign keys do).
func (tx *txn) exists() error {
	if tx.t.cfg == nil {
		return errs.NotFound("service", tx.service)
	}
	return nil
}

func (tx *txn) check(ctx context.Context) error {
	if tx.done {
		return errDone
	}
	return ctx.Err()
}

func (tx *txn) Service() helpdesk.ServiceRepository    { return serviceRepo{tx} }
func (tx *txn) Tickets() ticket.Repository             { return ticketRepo{tx} }
func (tx *txn) Agents() agent.Repository               { return agentRepo{tx} }
func (tx *txn) Groups() agent.GroupRepository          { return groupRepo{tx} }
func (tx *txn) Logins() agent.LoginLog                 { return loginLog{tx} }
func (tx *txn) Menus() agent.MenuRepository            { return menuRepo{tx} }
func (tx *txn) Outbox() notify.Outbox                  { return outboxRepo{tx} }
func (tx *txn) Recipients() notify.RecipientRepository { return recipientRepo{tx} }
func (tx *txn) Surge() notify.SurgeRepository          { return surgeRepo{tx} }
func (tx *txn) Categories() category.Repository        { return categoryRepo{tx} }
func (tx *txn) Fields() field.Repository               { return fieldRepo{tx} }
func (tx *txn) Templates() template.Repository         { return templateRepo{tx} }
func (tx *txn) Triggers() trigger.Repository           { return triggerRepo{tx} }
