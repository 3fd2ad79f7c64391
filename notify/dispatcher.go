package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
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

// DispatcherConfig builds a Dispatcher. Only Queue is required.
type DispatcherConfig struct {
	Queue     Queue
	Notifiers Notifiers
	// BatchSize is how many messages one claim takes; default 100.
	BatchSize int
	// Concurrency is how many messages are sent at once; default 4.
	Concurrency int
	Retry       RetryPolicy
	// Lease is how long a claim keeps other dispatchers away. A send never
	// runs past it: messages of a batch not sent by then are given back.
	// Default 2m.
	Lease time.Duration
	// PollInterval is the wait when no message is due; default 1s.
	PollInterval time.Duration
	// SendTimeout bounds one notifier call; default 30s.
	SendTimeout time.Duration
	// Clock returns the current time; default time.Now.
	Clock func() time.Time
	// Logger receives delivery failures; default: discard.
	Logger *slog.Logger
	// Owner names this dispatcher in its claims; default a random id.
	Owner string
	// Random returns numbers in [0, 1) for retry jitter; default
	// math/rand/v2.
	Random func() float64
}

// Stats counts what a Dispatcher has done.
type Stats struct {
	Sent, Retried, Failed, Released, LeaseLost int64
}

// Dispatcher delivers the outbox (NTF-1). Run it in a goroutine; cancel its
// context to stop it. Several dispatchers, in one process or many, may work
// the same queue.
type Dispatcher struct {
	cfg                                        DispatcherConfig
	sent, retried, failed, released, leaseLost atomic.Int64
}

// NewDispatcher returns a Dispatcher built from cfg.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	if cfg.Queue == nil {
		return nil, errors.New("notify: DispatcherConfig.Queue is required")
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
	return &Dispatcher{cfg: cfg}, nil
}

// Owner returns the name this dispatcher claims under.
func (d *Dispatcher) Owner() string { return d.cfg.Owner }

// Stats returns what the dispatcher has done so far.
func (d *Dispatcher) Stats() Stats {
	return Stats{Sent: d.sent.Load(), Retried: d.retried.Load(), Failed: d.failed.Load(),
		Released: d.released.Load(), LeaseLost: d.leaseLost.Load()}
}

// Run delivers due messages until ctx ends, waiting PollInterval whenever
// nothing is due. On cancellation it finishes the sends in flight and gives
// back the claims it has not started, then returns nil.
func (d *Dispatcher) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.cfg.Logger.Error("notify: dispatch", "err", err)
		}
		wait := d.cfg.PollInterval
		if n == d.cfg.BatchSize && err == nil {
			wait = 0 // a full batch: more are probably due
		}
		t.Reset(wait)
	}
}

// RunOnce claims one batch of due messages, delivers it and settles every
// outcome in one step. It returns how many messages it claimed.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	claimedAt := d.cfg.Clock()
	ms, err := d.cfg.Queue.Claim(ctx, d.cfg.Owner, claimedAt, d.cfg.Lease, d.cfg.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("notify: claim: %w", err)
	}
	if len(ms) == 0 {
		return 0, nil
	}
	results := make([]Result, len(ms))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(d.cfg.Concurrency, len(ms)) {
		wg.Go(func() {
			for i := range next {
				results[i] = Result{Message: ms[i], Outcome: d.deliver(ctx, ms[i], claimedAt.Add(d.cfg.Lease))}
			}
		})
	}
	for i := range ms {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := CheckResults(results); err != nil {
		return len(ms), fmt.Errorf("notify: settle: %w", err)
	}
	// Settled even when ctx has ended: the sends happened, the releases
	// must reach the store.
	lost, err := d.cfg.Queue.Settle(context.WithoutCancel(ctx), d.cfg.Owner, results)
	if err != nil {
		return len(ms), fmt.Errorf("notify: settle: %w", err)
	}
	// A lost claim expired and was taken over; the new owner delivers it
	// (again) under the same idempotency key.
	d.leaseLost.Add(int64(len(lost)))
	return len(ms), nil
}

// deliver sends one claimed message and returns the outcome to settle.
// Once the dispatcher is stopping, a message not yet sent is released
// unsent; a send already started finishes on its own deadline. A send never
// runs past the claim's lease (leaseEnd): after it another dispatcher may
// own the message, so a message whose lease has run out is released unsent
// and a send's deadline is cut to the lease.
func (d *Dispatcher) deliver(ctx context.Context, m Message, leaseEnd time.Time) Outcome {
	left := leaseEnd.Sub(d.cfg.Clock())
	if ctx.Err() != nil || left <= 0 {
		d.released.Add(1)
		return Outcome{State: Pending, Release: true, At: d.cfg.Clock()}
	}
	sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(d.cfg.SendTimeout, left))
	err := d.cfg.Notifiers.send(sendCtx, m)
	cancel()
	now := d.cfg.Clock()
	switch {
	case err == nil:
		d.sent.Add(1)
		return Outcome{State: Sent, At: now}
	case IsPermanent(err) || m.Attempts >= d.cfg.Retry.MaxAttempts:
		d.failed.Add(1)
		d.cfg.Logger.Warn("notify: message failed for good", "id", m.ID, "service", m.ServiceID, "medium", m.Medium, "attempts", m.Attempts, "err", err)
		return Outcome{State: Failed, At: now, Error: err.Error()}
	default:
		d.retried.Add(1)
		return Outcome{State: Pending, At: now, NextAttemptAt: now.Add(d.cfg.Retry.Delay(m.Attempts, d.cfg.Random())), Error: err.Error()}
	}
}
