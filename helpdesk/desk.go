package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk/mail"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
)

// Config builds a Desk. Only Store is required.
type Config struct {
	// Store keeps everything; memory.New() for an embedded desk,
	// postgres.Open for a shared one.
	Store Store
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Logger receives diagnostics; default: discard.
	Logger *slog.Logger
	// NewID returns a new unique object id; default: UUIDv7 strings.
	NewID func() string
	// Limits bounds text sizes; zero fields take ticket.DefaultLimits.
	Limits ticket.Limits
	// ConflictRetries is how often a write the library owns (status change,
	// reply) is retried after a concurrent change (TKT-8); default 5.
	ConflictRetries int
	// ServiceCacheTTL lets calls reuse a service's settings read by this
	// Desk for up to this long instead of reading them in every
	// transaction (one round trip less on a remote store). Changes made
	// through this Desk are seen at once; changes made through another
	// process after at most the TTL. Default 0: read every time — which
	// costs adapters/postgres no round trip of its own: it answers the
	// read from its own cache and has the server check it in the batch of
	// the transaction's first statement, so it sees every change at once.
	ServiceCacheTTL time.Duration
	// Directory is the host product's user directory (AGT-1). With one,
	// agents are created from directory members only and can be invited;
	// without one, the host vouches for the names and emails it passes.
	Directory agent.Directory
	// Callbacks counts the phone callbacks an agent holds, for the
	// callback-menu restriction of AGT-8; nil: the host has no callbacks.
	Callbacks CallbackCounter
	// TriggerPasses bounds the trigger passes of one ticket event (TRG-7);
	// default trigger.DefaultMaxPasses (10).
	TriggerPasses int
	// IdempotencyTTL is how long an idempotency key (STO-3) answers a
	// retried call with the first result; an older key is ignored and
	// deleted, and the call runs anew. Default DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// SMSNumbers reads an NHN Cloud SMS key pair's sender numbers, to
	// check a service's SMS settings (SMS-1); adapters/nhnsms.Client is
	// one. Nil: SMS settings cannot be saved.
	SMSNumbers SMSNumbers
	// DoorayTasks creates Dooray! tasks for Session.Dooray().Transfer
	// (DRY-2); adapters/dooray.Tasks is one. Nil: no transfers.
	DoorayTasks DoorayTasks
	// MaxAttachmentBytes is the largest attachment of a received mail whose
	// content is kept (MAIL-8); a larger one is recorded without it.
	// Default DefaultMaxAttachmentBytes.
	MaxAttachmentBytes int64
	// MailRateLimits bound the automatic and trigger mails to one
	// recipient (MAIL-9): sliding windows, each at most Max mails within
	// Per; a mail over a limit is not queued and the ticket's history says
	// so. Nil: mail.DefaultRateLimits; an empty, non-nil slice: no limit.
	MailRateLimits []mail.RateLimit
	// BounceBlock is how long a permanent bounce (DSN status 5.x.x) blocks
	// automatic and trigger mail to its address (MAIL-9); default
	// mail.DefaultBounceBlock.
	BounceBlock time.Duration
	// TicketLink returns the address a browser notification about ticket
	// ticketID of service serviceID leads to (the host's ticket page), set
	// as the Link of the notify_browser trigger action's messages (NTF-4).
	// Nil: their Link is empty.
	TicketLink func(serviceID, ticketID string) string
}

// DefaultMaxAttachmentBytes is the default attachment size limit (MAIL-8).
const DefaultMaxAttachmentBytes = 10 << 20

// DefaultIdempotencyTTL is how long idempotency keys are kept by default.
const DefaultIdempotencyTTL = 24 * time.Hour

// CallbackCounter is the host's phone-callback module, as far as AGT-8
// needs it.
type CallbackCounter interface {
	// PendingCallbacks returns how many unprocessed callbacks the agent
	// holds in the service.
	PendingCallbacks(ctx context.Context, serviceID, agentID string) (int, error)
}

// Desk is the composition root: one per process, shared by every service
// (tenant) and goroutine.
type Desk struct {
	store   Store
	clock   func() time.Time
	log     *slog.Logger
	newID   func() string
	limits  ticket.Limits
	retries int

	cacheTTL time.Duration
	services sync.Map // service id → *cachedService, when cacheTTL > 0
	matchers sync.Map // service id → *cachedMatcher: forbidden words (templates.go)

	directory agent.Directory
	callbacks CallbackCounter

	triggerPasses int
	triggers      triggerCache // compiled trigger sets (triggers.go)

	keyTTL time.Duration // idempotency keys (STO-3, idempotency.go)

	smsNumbers  SMSNumbers       // SMS-1 (sms.go)
	doorayTasks DoorayTasks      // DRY-2 (dooray.go)
	maxFile     int64            // attachments of received mail (MAIL-8, receive.go)
	mailRates   []mail.RateLimit // MAIL-9 (limit.go)
	bounceBlock time.Duration    // MAIL-9 (limit.go)

	ticketLink func(serviceID, ticketID string) string // browser notifications' links (NTF-4, trigger_actions.go)
}

// cachedService is a service's record as read at a time.
type cachedService struct {
	cfg ServiceConfig
	at  time.Time
}

// New returns a Desk built from cfg.
func New(cfg Config) (*Desk, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: helpdesk.Config.Store is required", ErrInvalid)
	}
	d := &Desk{store: cfg.Store, clock: cfg.Clock, log: cfg.Logger, newID: cfg.NewID, limits: cfg.Limits,
		retries: cfg.ConflictRetries, cacheTTL: cfg.ServiceCacheTTL, directory: cfg.Directory, callbacks: cfg.Callbacks,
		triggerPasses: cfg.TriggerPasses, keyTTL: cfg.IdempotencyTTL, smsNumbers: cfg.SMSNumbers, doorayTasks: cfg.DoorayTasks,
		maxFile: cfg.MaxAttachmentBytes, mailRates: cfg.MailRateLimits, bounceBlock: cfg.BounceBlock, ticketLink: cfg.TicketLink}
	if d.clock == nil {
		d.clock = time.Now
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.newID == nil {
		d.newID = func() string { return uuid.Must(uuid.NewV7()).String() }
	}
	if d.limits.MaxTitleBytes == 0 {
		d.limits.MaxTitleBytes = ticket.DefaultLimits.MaxTitleBytes
	}
	if d.limits.MaxContentBytes == 0 {
		d.limits.MaxContentBytes = ticket.DefaultLimits.MaxContentBytes
	}
	if d.retries == 0 {
		d.retries = 5
	}
	if d.keyTTL <= 0 {
		d.keyTTL = DefaultIdempotencyTTL
	}
	if d.mailRates == nil {
		d.mailRates = mail.DefaultRateLimits
	}
	if d.bounceBlock <= 0 {
		d.bounceBlock = mail.DefaultBounceBlock
	}
	if d.maxFile <= 0 {
		d.maxFile = DefaultMaxAttachmentBytes
	}
	return d, nil
}

// Close closes the store.
func (d *Desk) Close() error { return d.store.Close() }

// now is the clock's time in UTC at the precision every store keeps.
func (d *Desk) now() time.Time { return d.clock().UTC().Truncate(time.Microsecond) }

// Service returns the handle of one service (tenant). It does not touch the
// store; calls on an unknown service return ErrNotFound.
func (d *Desk) Service(id string) *Service { return &Service{desk: d, id: id} }

// Service is the handle of one tenant.
type Service struct {
	desk *Desk
	id   string
}

// ID returns the service's id.
func (s *Service) ID() string { return s.id }

// As returns a session in which every call is made by actor a (SVC-3).
func (s *Service) As(a Actor) *Session { return &Session{desk: s.desk, svc: s.id, actor: a} }

// Actor is who makes a call: an agent of the service or the system itself
// (triggers, mail ingestion, customers through the help center).
type Actor struct {
	Kind ticket.ActorKind
	ID   string // the agent's id; empty for the system
}

// System is the actor for work the library or the host product does on its
// own behalf; it may do everything.
var System = Actor{Kind: ticket.ActorSystem}

// AgentID returns the actor for the agent with id.
func AgentID(id string) Actor { return Actor{Kind: ticket.ActorAgent, ID: id} }

// Session is a service handle bound to one actor. It is cheap; make one per
// request. Its methods return the areas of the helpdesk (Tickets,
// Categories, Fields, ...), whose verb methods make the calls; see
// "Sessions and areas" in the package doc.
type Session struct {
	desk  *Desk
	svc   string
	actor Actor
}

// permission is what a call needs; authorize is the one place that decides.
type permission int

const (
	permRead          permission = iota // read settings, agents and groups: any agent
	permTicketRead                      // read tickets: ticket permission, ticket menu
	permTicketWork                      // change tickets: ticket permission, ticket menu
	permForward                         // forward tickets (TKT-7): ticket work plus forwarding permission
	permSettings                        // change service configuration: admin (AGT-3)
	permExport                          // export history: export permission (AGT-4)
	permLogs                            // read the login log: log-viewing permission (AGT-7)
	permCustomerVoice                   // speak for the customer: the system only
)

// op is the state of one call inside its transaction.
type op struct {
	call  string // the area method, "Tickets.Create", named by a refusal (ErrForbidden)
	r     Repos
	svc   ServiceConfig
	agent *agent.Agent // nil for the system
	now   time.Time
	// before is the stored ticket an update starts from (nil on create):
	// values it already had are not checked again, so a language dropped or
	// an agent switched off later does not lock old tickets.
	before *ticket.Ticket
	// systemRows are history rows the system adds to the event edit
	// writes (why an assignment found nobody), even when nothing changed.
	systemRows []ticket.FieldChange
	// mailRates are the desk's MAIL-9 windows, for enqueue.
	mailRates []mail.RateLimit
	// committed runs once the transaction has committed (the desk's
	// caches of what it read): not after a run the store rolled back and
	// started over (Store.Tx).
	committed []func()
}

// last tells the store that the transaction's next repository call is its
// last (Finisher): nothing runs after it and nothing after it can fail, so
// the store may send COMMIT with it. Call it only where the workflow knows
// that; a store without Finisher is not told.
func (o *op) last() {
	r := o.r
	if g, ok := r.(guarded); ok {
		r = g.Repos
	}
	if f, ok := r.(Finisher); ok {
		f.Finish()
	}
}

// run opens a transaction on the session's service, loads the service,
// authorizes the actor for perm and calls fn. call is the name of the
// area method the caller called, "Area.Method": a refusal names it
// ("forbidden: Groups.Create needs the admin role; ...").
func (s *Session) run(ctx context.Context, call string, perm permission, fn func(*op) error) error {
	if err := checkID("service", s.svc); err != nil { // SEC-3
		return err
	}
	var last *op
	err := s.desk.inService(ctx, s.svc, func(r Repos, cfg ServiceConfig, now time.Time) error {
		o := &op{call: call, r: guarded{r}, svc: cfg, now: now, mailRates: s.desk.mailRates}
		last = o
		if err := s.authorize(ctx, o, perm); err != nil {
			return err
		}
		return fn(o)
	})
	if err == nil && last != nil { // nil: a store that answered without running fn
		for _, f := range last.committed {
			f()
		}
	}
	return err
}

// inService runs fn in a transaction of service id with the service's
// record, from the desk's cache when it is fresh. A record read from the
// store is cached once the transaction has committed, not before: a store
// may run fn again after finding that what it answered was stale
// (Store.Tx), and what a run that was rolled back read must not outlive
// it.
func (d *Desk) inService(ctx context.Context, id string, fn func(r Repos, cfg ServiceConfig, now time.Time) error) error {
	var read *cachedService
	err := d.store.Tx(ctx, id, func(r Repos) error {
		read = nil
		now := d.now()
		cfg, fresh, err := d.service(ctx, r, id, now)
		if err != nil {
			return err
		}
		if fresh && d.cacheTTL > 0 {
			read = &cachedService{cfg: cfg.Clone(), at: now}
		}
		return fn(r, cfg, now)
	})
	if err == nil && read != nil {
		d.cache(read.cfg, read.at)
	}
	return err
}

// service returns the service's record, from the cache when it is fresh;
// fresh reports that it was read from the store.
func (d *Desk) service(ctx context.Context, r Repos, id string, now time.Time) (cfg ServiceConfig, fresh bool, err error) {
	if d.cacheTTL > 0 {
		if c, ok := d.services.Load(id); ok && now.Sub(c.(*cachedService).at) < d.cacheTTL {
			return c.(*cachedService).cfg, false, nil
		}
	}
	cfg, err = r.Service().Get(ctx)
	if errors.Is(err, ErrNotFound) {
		return cfg, false, errs.NotFound("service", id)
	} else if err != nil {
		return cfg, false, err
	}
	return cfg, true, nil
}

// cache remembers cfg when caching is on, unless a newer version is cached
// already (a read that started before an update must not undo it).
func (d *Desk) cache(cfg ServiceConfig, now time.Time) {
	if d.cacheTTL <= 0 {
		return
	}
	n := &cachedService{cfg: cfg.Clone(), at: now}
	for {
		old, loaded := d.services.LoadOrStore(cfg.ID, n)
		if !loaded {
			return
		}
		if old.(*cachedService).cfg.Version > cfg.Version || d.services.CompareAndSwap(cfg.ID, old, n) {
			return
		}
	}
}

// forget drops a service's cached settings (after a conflict showed them
// stale).
func (d *Desk) forget(id string) { d.services.Delete(id) }

// runRetry is run for writes the library owns: a conflict from a concurrent
// writer is retried with fresh data (TKT-8).
func (s *Session) runRetry(ctx context.Context, call string, perm permission, fn func(*op) error) error {
	var err error
	for range s.desk.retries {
		if err = s.run(ctx, call, perm, fn); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return err
}

// authorize is the single permission check (SVC-3, AGT-3, AGT-4, AGT-8).
// The system may do everything. An agent must belong to the service and be
// active; admins hold every permission, agents the ones granted to them;
// ticket work also needs the ticket-management menu (AGT-8).
func (s *Session) authorize(ctx context.Context, o *op, perm permission) error {
	switch s.actor.Kind {
	case ticket.ActorSystem:
		return nil
	case ticket.ActorAgent:
	default:
		return errs.New(ErrForbidden, "%s: unknown actor kind %q", o.call, s.actor.Kind)
	}
	a, err := o.r.Agents().Get(ctx, s.actor.ID)
	if errors.Is(err, ErrNotFound) {
		return errs.New(ErrForbidden, "%s: %q is not an agent of service %q", o.call, s.actor.ID, s.svc)
	} else if err != nil {
		return err
	}
	if !a.Active {
		return errs.New(ErrForbidden, "%s: agent %q is inactive", o.call, a.ID)
	}
	o.agent = &a
	deny := func(what string) error {
		return errs.New(ErrForbidden, "%s needs %s; agent %q does not have it", o.call, what, a.ID)
	}
	switch perm {
	case permRead:
		return nil
	case permSettings:
		if !a.IsAdmin() {
			return deny("the admin role")
		}
		return nil
	case permExport:
		if !a.Can(func(p agent.Permissions) bool { return p.Export }) {
			return deny("the export permission")
		}
		return nil
	case permLogs:
		if !a.Can(func(p agent.Permissions) bool { return p.ViewLogs }) {
			return deny("the log-viewing permission")
		}
		return nil
	case permCustomerVoice:
		return errs.New(ErrForbidden, "%s: only the system actor speaks for the customer", o.call)
	}
	// ticket reading, work and forwarding
	if !a.Can(func(p agent.Permissions) bool { return p.Ticket }) {
		return deny("the ticket permission")
	}
	if perm == permForward && !a.Can(func(p agent.Permissions) bool { return p.Forward }) {
		return deny("the forwarding permission")
	}
	m, err := o.r.Menus().Get(ctx, agent.MenuTickets)
	if err != nil {
		return err
	}
	if !m.Allows(a.ID) {
		return errs.New(ErrForbidden, "%s needs the %s menu; agent %q is restricted from it (AGT-8)", o.call, agent.MenuTickets, a.ID)
	}
	return nil
}
