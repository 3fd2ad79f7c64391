package helpdesk

import (
	"context"
	"errors"
	"fmt"

	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// checkKey adds a problem to c when an idempotency key is too long or not
// text (STO-3).
func checkKey(c *errs.Collector, key string) {
	text.Check(c, "idempotency_key", key, false, text.KeyBytes)
}

// claimKey claims idempotency key k for the call (STO-3), first in the
// call's transaction (see Store's lock order): it stores k and returns
// false, or, when a call made with k.Key earlier in the service is still
// within the desk's IdempotencyTTL, returns that call's key and true, for
// the caller to answer with its result. An expired key is deleted, with
// every other expired key of the service, and claimed anew. A key stored
// by a concurrent call is waited for by the store; should it vanish
// between the store's answers, the call ends in ErrConflict, which the
// retrying workflows retry.
func (s *Session) claimKey(ctx context.Context, o *op, k ticket.Key) (ticket.Key, bool, error) {
	cutoff := o.now.Add(-s.desk.keyTTL)
	for range 2 {
		err := o.r.Tickets().AddKey(ctx, k)
		if err == nil {
			return k, false, nil
		}
		if !errors.Is(err, ErrConflict) {
			return k, false, err
		}
		prev, err := o.r.Tickets().GetKey(ctx, k.Key)
		if errors.Is(err, ErrNotFound) {
			continue // deleted meanwhile (expired): claim again
		} else if err != nil {
			return k, false, err
		}
		if !prev.CreatedAt.Before(cutoff) {
			return prev, true, nil
		}
		if _, err := o.r.Tickets().DeleteKeys(ctx, cutoff); err != nil {
			return k, false, err
		}
	}
	return k, false, errs.New(ErrConflict, "idempotency key %q is in use by a concurrent call", k.Key)
}

// errKeyReused refuses a key that an earlier call of another kind, or on
// another ticket, used: one key names one call (STO-3).
func errKeyReused(key string, prev ticket.Key) error {
	return &ValidationError{Problems: []Problem{{Field: "idempotency_key", Reason: fmt.Sprintf(
		"%q was used by %s on ticket %s; a key names one call (STO-3)", key, prev.Call, prev.TicketID)}}}
}

// purgeKeys deletes the service's idempotency keys older than the desk's
// IdempotencyTTL (the AutoCloser's pass does it for every service).
func (s *Session) purgeKeys(ctx context.Context, o *op) error {
	_, err := o.r.Tickets().DeleteKeys(ctx, o.now.Add(-s.desk.keyTTL))
	return err
}
