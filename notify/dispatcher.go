package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/deskkit/deskkit/internal/errs"
)

// RetryPolicy decides when a failed attempt is tried again (NTF-1).
type RetryPolicy struct {
	// MaxAttempts is the number of attempts before a message fails for
	// good; default 8.
	MaxAttempts int
	// Base is the wait after the first failed attempt; it doubles with
	// each further one; default 30s.
	Base time.Duration
	// Max caps the wait; default 1h.
	Max time.Duration
	// Jitter spreads waits by ± this fraction so that retries of a burst
	// do not arrive together; default 0.2; negative: none.
	Jitter float64
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 8
	}
	if p.Base <= 0 {
		p.Base = 30 * time.Second
	}
	if p.Max <= 0 {
		p.Max = time.Hour
	}
	if p.Jitter == 0 {
		p.Jitter = 0.2
	}
	return p
}

// Delay is the wait after the given number of failed attempts (1 for the
// first): Base·2^(attempts−1), capped at Max, then spread by Jitter using r,
// a number in [0, 1).
func (p RetryPolicy) Delay(attempts int, r float64) time.Duration {
	p = p.withDefaults()
	d := float64(p.Base) * math.Pow(2, float64(max(attempts, 1)-1))
	d = min(d, float64(p.Max))
	d *= 1 + max(p.Jitter, 0)*(2*r-1)
	return time.Duration(d)
}

// DispatcherConfig builds a Dispatcher. Queue and at least one notifier
// are required; every other field has a default.
type DispatcherConfig struct {
	// Queue is the outbox of every service; required.
	// helpdesk.Desk.Dispatcher sets it to the desk's store.
	Queue Queue
	// Notifiers deliver each medium; at least one is required. A message
	// whose medium has no notifier fails for good.
	Notifiers Notifiers
	// BatchSize is how many messages one claim takes; default 100.
	BatchSize int
	// Concurrency is how many messages are sent at once; default 4. Each
	// outcome is recorded as its send returns, and the next claim is made
	// while sends run, so a slow send holds up neither the others, nor
	// their outcomes, nor the claims after them. Abandoned sends (see
	// SendTimeout) count against twice this number: while that many
	// notifier calls are still running, no new send starts: the claimed
	// messages are given back unsent (not an attempt), RunOnce leaves them
	// for its next call, and Run waits PollInterval before claiming again.
	Concurrency int
	// Retry decides when a failed attempt is tried again.
	Retry RetryPolicy
	// Lease is how long a claim keeps other dispatchers away. A send never
	// runs past it: messages of a batch not sent by then are given back.
	// Default 2m.
	Lease time.Duration
	// PollInterval is Run's wait when no message is due, and Drain's
	// longest wait between looks at the outbox; default 1s.
	PollInterval time.Duration
	// SendTimeout bounds one notifier call; default 30s. A notifier that
	// ignores its context and has not returned shortly after (a tenth of
	// the timeout, at most 1s) is abandoned, left running in its
	// goroutine: its attempt fails and is retried, and the dispatcher goes
	// on without it.
	SendTimeout time.Duration
	// Clock returns the current time: what is due, and when a retry is, is
	// measured on it. It is called from several goroutines at once.
	// Default time.Now.
	Clock func() time.Time
	// Logger receives delivery failures, notifier panics (with their
	// stack) and abandoned sends; default: discard.
	Logger *slog.Logger
	// Owner names this dispatcher in its claims; default a random id.
	Owner string
	// Random returns numbers in [0, 1) for retry jitter; default
	// math/rand/v2.
	Random func() float64
}

// Stats counts what a Dispatcher did: Dispatcher.Stats everything since it
// was made, RunOnce and Drain what that call did.
type Stats struct {
	// Sent is how many messages were delivered and marked sent.
	Sent int64
	// Retried is how many attempts failed and were scheduled again after
	// a back-off (RetryPolicy).
	Retried int64
	// Failed is how many messages failed for good: a permanent error
	// (Permanent), the last attempt, or no notifier for the medium.
	Failed int64
	// Released is how many claimed messages were given back unsent, their
	// attempt not counted: the context ended before their send started,
	// or their claim's lease ran out first. They are delivered later.
	Released int64
	// LeaseLost is how many outcomes came too late to be recorded: the
	// claim had expired and another dispatcher had taken the message,
	// which it delivers (again) under the same idempotency key.
	LeaseLost int64
}

func (s *Stats) add(o Stats) {
	s.Sent += o.Sent
	s.Retried += o.Retried
	s.Failed += o.Failed
	s.Released += o.Released
	s.LeaseLost += o.LeaseLost
}

// Dispatcher delivers the outbox (NTF-1): it claims due messages, calls the
// notifier of each one's medium, and marks it sent, retries it later, or
// fails it for good.
//
// A long-running host runs Run in a goroutine and cancels its context to
// stop it. A test, a command-line tool or a serverless function calls
// RunOnce to deliver what is due and return, or Drain to return only once
// nothing is pending. Several dispatchers, in one process or many, may work
// the same queue. One Dispatcher runs one of Run, RunOnce and Drain at a
// time (its claims carry its Owner); to work the queue from several
// goroutines, make a Dispatcher for each. Stats may be called at any time.
type Dispatcher struct {
	cfg                                        DispatcherConfig
	sent, retried, failed, released, leaseLost atomic.Int64
	// calls holds a token for each notifier call still running, abandoned
	// ones included: at most twice Concurrency, so that a notifier that
	// never returns cannot pile up goroutines without end.
	calls chan struct{}
}

// NewDispatcher returns a Dispatcher built from cfg, its zero fields set to
// their defaults. A config without a Queue, or whose Notifiers are all nil,
// is refused with a *helpdesk.ValidationError (matching ErrInvalid) naming
// "queue" and "notifiers": a dispatcher without a notifier would fail every
// message for good.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	var c errs.Collector
	if cfg.Queue == nil {
		c.Add("queue", "a queue is required")
	}
	if cfg.Notifiers.none() {
		c.Add("notifiers", "at least one notifier is required: without one every message would fail for good")
	}
	if err := c.Err(); err != nil {
		return nil, fmt.Errorf("notify: dispatcher: %w", err)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	cfg.Retry = cfg.Retry.withDefaults()
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 30 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Owner == "" {
		cfg.Owner = "dispatcher-" + uuid.NewString()
	}
	if cfg.Random == nil {
		cfg.Random = rand.Float64
	}
	return &Dispatcher{cfg: cfg, calls: make(chan struct{}, 2*cfg.Concurrency)}, nil
}

// Owner returns the name this dispatcher claims under.
func (d *Dispatcher) Owner() string { return d.cfg.Owner }

// Stats returns what the dispatcher has done since it was made, over every
// call of Run, RunOnce and Drain.
func (d *Dispatcher) Stats() Stats {
	return Stats{Sent: d.sent.Load(), Retried: d.retried.Load(), Failed: d.failed.Load(),
		Released: d.released.Load(), LeaseLost: d.leaseLost.Load()}
}

// Run delivers due messages until ctx ends, waiting PollInterval whenever
// nothing is due: the loop of a long-running process. On cancellation it
// finishes the sends in flight and gives back the claims it has not
// started, then returns nil. Queue errors are logged and retried on the
// next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.pump(ctx, nil)
	return nil
}

// RunOnce delivers every message that is due when it is called, then
// returns what it did: for tests, command-line tools and serverless hosts
// (a function a scheduler calls every minute), where Run's endless loop
// does not fit. It claims due messages of every service, BatchSize at a
// time, delivers them and records each outcome, until no message that was
// due at the start of the call is left unclaimed. A message that comes due
// while it runs — a new one, or a failed one whose retry comes round — is
// left for the next call, so RunOnce returns even while the outbox keeps
// filling. It does not wait: a message another dispatcher has claimed, or
// one due later, is not its business (see Drain).
//
// A failed attempt is not an error of RunOnce: the message is retried or
// failed for good as usual, and counted in the Stats. RunOnce returns an
// error when the queue fails (with what was done until then), or ctx's
// error when ctx ends before it is done; then, as Run does, it finishes
// the sends in flight and gives back the claims it has not started.
func (d *Dispatcher) RunOnce(ctx context.Context) (Stats, error) {
	st, _, err := d.runOnce(ctx)
	return st, err
}

// runOnce is RunOnce; it also returns how many messages it claimed.
func (d *Dispatcher) runOnce(ctx context.Context) (Stats, int, error) {
	start := d.cfg.Clock()
	w := &window{start: start, retried: map[[2]string]bool{}}
	st, claimed, err := d.pump(ctx, w)
	if err == nil {
		err = ctx.Err()
	}
	return st, claimed, err
}

// Drain delivers until no message is pending in any service, then returns
// what it did: for tests that check what was sent, and for hosts that must
// see the outbox empty before they go on. It runs RunOnce; while messages
// are still pending — a retry waiting out its back-off, a message another
// dispatcher has claimed and not yet settled, or one due later — it waits
// until the earliest is due, at most PollInterval at a time, and runs
// again. Messages enqueued meanwhile are delivered too.
//
// A message that fails for good does not keep Drain waiting, but one that
// keeps failing does, through all of its attempts (RetryPolicy: by default
// hours), so bound Drain with a deadline. Due times are measured on the
// Clock: with a clock that does not move, a message due later keeps Drain
// waiting until ctx ends.
//
// Drain returns nil once nothing is pending; ctx's error when ctx ends
// first (after finishing the sends in flight, as Run does); or the queue's
// error.
func (d *Dispatcher) Drain(ctx context.Context) (Stats, error) {
	var st Stats
	for {
		s, claimed, err := d.runOnce(ctx)
		st.add(s)
		if err != nil {
			return st, err
		}
		next, pending, err := d.cfg.Queue.NextDue(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return st, ctx.Err()
			}
			return st, fmt.Errorf("notify: next due: %w", err)
		}
		if !pending {
			return st, nil
		}
		if claimed > 0 {
			continue // more may have come due meanwhile
		}
		// Pending but nothing claimable: not due yet, or claimed by
		// someone else (wait for its outcome, or for its lease to end).
		wait := d.cfg.PollInterval
		if until := next.Sub(d.cfg.Clock()); until > 0 && until < wait {
			wait = until
		}
		if err := sleep(ctx, wait); err != nil {
			return st, err
		}
	}
}

// sleep waits for d or until ctx ends, and returns ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// window is what one RunOnce call delivers: messages due at its start,
// each at most once (with a clock that does not move and a back-off of
// zero, a retried message would be due again at once).
type window struct {
	start   time.Time
	mu      sync.Mutex
	retried map[[2]string]bool
}

// keeps reports whether m belongs to the call.
func (w *window) keeps(m Message) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !m.NextAttemptAt.After(w.start) && !w.retried[[2]string{m.ServiceID, m.ID}]
}

// skip leaves m out of the rest of the call.
func (w *window) skip(m Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.retried[[2]string{m.ServiceID, m.ID}] = true
}

// tried records the messages of rs that are to be retried.
func (w *window) tried(rs []Result) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range rs {
		if r.Outcome.State == Pending && !r.Outcome.Release {
			w.retried[[2]string{r.Message.ServiceID, r.Message.ID}] = true
		}
	}
}

// claim is a claimed message and the end of its claim's lease.
type claim struct {
	m        Message
	leaseEnd time.Time
}

// outcome is a claimed message's outcome, to be settled.
type outcome struct {
	Result
	leaseEnd time.Time
}

// claims counts a pump's claimed messages that are not settled yet, by the
// end of their claim's lease.
type claims struct {
	mu      sync.Mutex
	open    map[time.Time]int
	n       int
	settled chan struct{} // a value after each Settle
}

func (c *claims) add(leaseEnd time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open[leaseEnd]++
	c.n++
}

func (c *claims) done(os []outcome) {
	c.mu.Lock()
	for _, o := range os {
		if c.open[o.leaseEnd]--; c.open[o.leaseEnd] == 0 {
			delete(c.open, o.leaseEnd)
		}
		c.n--
	}
	c.mu.Unlock()
	select {
	case c.settled <- struct{}{}:
	default:
	}
}

// count returns the number of open claims.
func (c *claims) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// waitUntil waits, settle by settle, until ok holds or ctx ends, and
// reports whether ok holds. ok is given the number of open claims and
// whether one of them has run out of lease (measured on now).
func (c *claims) waitUntil(ctx context.Context, now func() time.Time, ok func(n int, expired bool) bool) bool {
	for {
		c.mu.Lock()
		t, expired := now(), false
		for end := range c.open {
			expired = expired || !end.After(t)
		}
		holds := ok(c.n, expired)
		c.mu.Unlock()
		if holds {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-c.settled:
		}
	}
}

// pump is the loop of Run (w nil: until ctx ends) and of RunOnce (w: until
// the call's window is exhausted). Three parts run at once:
//
//   - the claimer (this goroutine) keeps a local queue fed with claims of
//     BatchSize messages, claiming again as soon as fewer messages are
//     waiting than there are workers, so the workers never wait for a
//     claim and a slow send delays no claim;
//   - Concurrency workers take messages from the queue and send them;
//   - the settler records each outcome as its send returns, together with
//     those ready by then (one Settle for outcomes that arrive together),
//     so that no delivered message outlives its lease unsettled, to be
//     sent again by another dispatcher.
//
// The claimer does not claim while a claim of its own has run out of lease
// and is not settled yet: it would take that message back itself and send
// it twice. When it stops (ctx ended, the window exhausted, or a queue
// error in RunOnce), the workers finish the queue — a message whose send
// has not started by then is given back unsent — and pump returns once
// every outcome is settled. It returns the first queue error of a RunOnce
// call; Run's are logged.
func (d *Dispatcher) pump(ctx context.Context, w *window) (Stats, int, error) {
	work := make(chan claim, d.cfg.BatchSize+d.cfg.Concurrency)
	results := make(chan outcome, d.cfg.BatchSize+d.cfg.Concurrency)
	taken := make(chan struct{}, 1) // a worker took a message from the queue
	var waiting atomic.Int64        // messages in the queue
	var stalled atomic.Bool         // abandoned sends held every call: wait before claiming more
	open := &claims{open: map[time.Time]int{}, settled: make(chan struct{}, 1)}
	var workers sync.WaitGroup
	for range d.cfg.Concurrency {
		workers.Go(func() {
			for c := range work {
				waiting.Add(-1)
				select {
				case taken <- struct{}{}:
				default:
				}
				o, busy := d.deliver(ctx, c.m, c.leaseEnd)
				if busy {
					stalled.Store(true)
					if w != nil {
						w.skip(c.m) // not again in this call
					}
				}
				results <- outcome{Result: Result{Message: c.m, Outcome: o}, leaseEnd: c.leaseEnd}
			}
		})
	}
	var settled Stats
	var settleErr error
	settler := make(chan struct{})
	go func() {
		defer close(settler)
		for o := range results {
			ready := []outcome{o}
			for more := true; more; {
				select {
				case o, ok := <-results:
					if ok {
						ready = append(ready, o)
					} else {
						more = false
					}
				default:
					more = false
				}
			}
			rs := make([]Result, len(ready))
			for i, o := range ready {
				rs[i] = o.Result
			}
			if w != nil {
				w.tried(rs) // before Settle: a settled retry may be claimed again at once
			}
			if err := d.settle(ctx, rs, &settled, true); err != nil {
				if w == nil {
					d.cfg.Logger.Error("notify: dispatch", "err", err)
				} else if settleErr == nil {
					settleErr = err
				}
			}
			open.done(ready)
		}
	}()

	var back Stats // claims outside the window, given back
	claimed := 0
	claimErr := func() error {
		for ctx.Err() == nil {
			for waiting.Load() >= int64(d.cfg.Concurrency) {
				select {
				case <-ctx.Done():
					return nil
				case <-taken:
				}
			}
			if !open.waitUntil(ctx, d.cfg.Clock, func(_ int, expired bool) bool { return !expired }) {
				return nil
			}
			claimedAt := d.cfg.Clock()
			ms, err := d.cfg.Queue.Claim(ctx, d.cfg.Owner, claimedAt, d.cfg.Lease, d.cfg.BatchSize)
			if err != nil {
				err = fmt.Errorf("notify: claim: %w", err)
				if w != nil {
					return err
				}
				if ctx.Err() == nil {
					d.cfg.Logger.Error("notify: dispatch", "err", err)
				}
				if sleep(ctx, d.cfg.PollInterval) != nil {
					return nil
				}
				continue
			}
			claimed += len(ms)
			leaseEnd := claimedAt.Add(d.cfg.Lease)
			var later []Result // outside the window: given back, not counted
			for _, m := range ms {
				if w != nil && !w.keeps(m) {
					later = append(later, Result{Message: m, Outcome: Outcome{State: Pending, Release: true, At: claimedAt}})
					continue
				}
				waiting.Add(1)
				open.add(leaseEnd)
				work <- claim{m: m, leaseEnd: leaseEnd}
			}
			if len(later) > 0 {
				if err := d.settle(ctx, later, &back, false); err != nil {
					return err
				}
			}
			switch {
			case w != nil && len(ms) == 0:
				if open.count() == 0 {
					return nil // nothing claimed, nothing open: the window is exhausted
				}
				// Sends may still give their message back (its lease ran
				// out first): claim again once all are settled.
				if !open.waitUntil(ctx, d.cfg.Clock, func(n int, _ bool) bool { return n == 0 }) {
					return nil
				}
			case w != nil && len(later) > 0:
				return nil // the window is exhausted
			case w == nil && (len(ms) < d.cfg.BatchSize || stalled.Swap(false)):
				if sleep(ctx, d.cfg.PollInterval) != nil {
					return nil
				}
			}
		}
		return nil
	}()
	close(work)
	workers.Wait()
	close(results)
	<-settler
	settled.add(back)
	if claimErr != nil {
		return settled, claimed, claimErr
	}
	return settled, claimed, settleErr
}

// settle records outcomes that are ready and counts them (unless count is
// false; lost claims are always counted) in st and in the dispatcher's
// totals.
func (d *Dispatcher) settle(ctx context.Context, rs []Result, st *Stats, count bool) error {
	var s Stats
	for _, r := range rs {
		if !count {
			break
		}
		switch o := r.Outcome; {
		case o.State == Sent:
			s.Sent++
		case o.State == Failed:
			s.Failed++
		case o.Release:
			s.Released++
		default:
			s.Retried++
		}
	}
	err := CheckResults(rs)
	if err == nil {
		// Settled even when ctx has ended: the sends happened, the
		// releases must reach the store.
		var lost []Result
		lost, err = d.cfg.Queue.Settle(context.WithoutCancel(ctx), d.cfg.Owner, rs)
		// A lost claim expired and was taken over; the new owner
		// delivers it (again) under the same idempotency key.
		s.LeaseLost = int64(len(lost))
	}
	st.add(s)
	d.sent.Add(s.Sent)
	d.retried.Add(s.Retried)
	d.failed.Add(s.Failed)
	d.released.Add(s.Released)
	d.leaseLost.Add(s.LeaseLost)
	if err != nil {
		return fmt.Errorf("notify: settle: %w", err)
	}
	return nil
}

// errNoReturn is the error of a send that has not returned by its
// deadline and a grace period after it: the notifier ignores its context.
var errNoReturn = errors.New("the notifier did not return by its deadline: it ignores its context; the call was abandoned")

// errGoexit is the error of a notifier that ended its goroutine
// (runtime.Goexit) instead of returning.
var errGoexit = errors.New("the notifier exited its goroutine instead of returning")

// deliver sends one claimed message and returns the outcome to settle.
// Once the dispatcher is stopping, a message not yet sent is released
// unsent; a send already started finishes on its own deadline. A send never
// runs past the claim's lease (leaseEnd): after it another dispatcher may
// own the message, so a message whose lease has run out is released unsent
// and a send's deadline is cut to the lease. A message claimed more often
// than MaxAttempts (earlier attempts ended without an outcome: their
// dispatcher crashed) fails for good unsent.
//
// A notifier that panics fails the attempt (the panic and its stack are
// logged); one that has not returned shortly after its deadline is
// abandoned — left running in its goroutine — and fails the attempt too.
// Either is retried by the policy like any other failed attempt.
//
// busy reports a message given back because abandoned sends held every
// call until its lease ran out (see DispatcherConfig.Concurrency).
func (d *Dispatcher) deliver(ctx context.Context, m Message, leaseEnd time.Time) (o Outcome, busy bool) {
	if m.Attempts > d.cfg.Retry.MaxAttempts {
		msg := fmt.Sprintf("attempts exhausted: claimed %d times, at most %d allowed; earlier attempts ended without an outcome", m.Attempts, d.cfg.Retry.MaxAttempts)
		if m.LastError != "" {
			msg += "; last error: " + m.LastError
		}
		d.cfg.Logger.Warn("notify: message failed for good", "id", m.ID, "service", m.ServiceID, "medium", m.Medium, "attempts", m.Attempts, "err", msg)
		return Outcome{State: Failed, At: d.cfg.Clock(), Error: msg}, false
	}
	left := leaseEnd.Sub(d.cfg.Clock())
	if ctx.Err() != nil || left <= 0 {
		return Outcome{State: Pending, Release: true, At: d.cfg.Clock()}, false
	}
	if !d.call() {
		d.cfg.Logger.Warn("notify: abandoned sends still running hold every call; message given back", "id", m.ID,
			"service", m.ServiceID, "medium", m.Medium, "calls", cap(d.calls))
		return Outcome{State: Pending, Release: true, At: d.cfg.Clock()}, true
	}
	timeout := min(d.cfg.SendTimeout, left)
	err := d.send(ctx, m, timeout)
	now := d.cfg.Clock()
	switch {
	case err == nil:
		return Outcome{State: Sent, At: now}, false
	case IsPermanent(err) || m.Attempts >= d.cfg.Retry.MaxAttempts:
		d.cfg.Logger.Warn("notify: message failed for good", "id", m.ID, "service", m.ServiceID, "medium", m.Medium, "attempts", m.Attempts, "err", err)
		return Outcome{State: Failed, At: now, Error: err.Error()}, false
	default:
		return Outcome{State: Pending, At: now, NextAttemptAt: now.Add(d.cfg.Retry.Delay(m.Attempts, d.cfg.Random())), Error: err.Error()}, false
	}
}

// call takes a token for one notifier call, and reports false when
// abandoned sends still running hold every token.
func (d *Dispatcher) call() bool {
	select {
	case d.calls <- struct{}{}:
		return true
	default:
		return false
	}
}

// send calls m's notifier in a goroutine of its own, with a context that
// ends after timeout, and returns its error. A panic is recovered and
// becomes the error; a notifier still running a grace period after its
// deadline (a tenth of the timeout, at most a second) is abandoned and
// errNoReturn returned: what it does when it returns is logged, not
// recorded.
func (d *Dispatcher) send(ctx context.Context, m Message, timeout time.Duration) error {
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	errc := make(chan error, 1)
	// state: 0 while the notifier runs; 1 once it has returned (its error
	// is on errc), 2 once it has been abandoned. Whichever comes first wins.
	var state atomic.Int32
	go func() {
		err := errGoexit
		defer func() {
			if p := recover(); p != nil {
				d.cfg.Logger.Error("notify: notifier panicked", "id", m.ID, "service", m.ServiceID, "medium", m.Medium,
					"attempts", m.Attempts, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = fmt.Errorf("the notifier panicked: %v", p)
			}
			// The call is over: give its token (taken by deliver) back
			// before the outcome, so the worker's next send finds it.
			<-d.calls
			if state.CompareAndSwap(0, 1) {
				errc <- err
				return
			}
			d.cfg.Logger.Warn("notify: an abandoned send returned; its outcome is not recorded", "id", m.ID, "service", m.ServiceID,
				"medium", m.Medium, "attempts", m.Attempts, "err", err)
		}()
		err = d.cfg.Notifiers.send(sendCtx, m)
	}()
	select {
	case err := <-errc:
		return err
	case <-sendCtx.Done():
	}
	grace := time.NewTimer(min(timeout/10, time.Second))
	defer grace.Stop()
	select {
	case err := <-errc:
		return err
	case <-grace.C:
		if !state.CompareAndSwap(0, 2) {
			return <-errc // it returned meanwhile
		}
		d.cfg.Logger.Error("notify: a send outlived its deadline and was abandoned", "id", m.ID, "service", m.ServiceID,
			"medium", m.Medium, "attempts", m.Attempts, "timeout", timeout)
		return errNoReturn
	}
}
