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

// claimCustomerKey claims key for a customer reply to ticket id (STO-3).
// The reply lands in the ticket (as comment commentID) or, when the ticket
// is closed, in a follow-up: then the key names the follow-up, whose id it
// returns. An unlocked read tells which; the workflow checks it again under
// the ticket's lock. When an earlier call used the key, it returns the
// ticket that call's reply landed in, as stored now, and true.
func (s *Session) claimCustomerKey(ctx context.Context, o *op, id, commentID, key string) (t ticket.Ticket, followUpID string, used bool, err error) {
	cur, err := o.r.Tickets().Get(ctx, id)
	if err != nil {
		return t, "", false, err
	}
	k := ticket.Key{Key: key, Call: o.call, TicketID: id, CommentID: commentID, CreatedAt: o.now}
	if cur.Status == ticket.StatusClosed {
		followUpID = s.desk.newID()
		k.TicketID, k.CommentID = followUpID, ""
	}
	prev, used, err := s.claimKey(ctx, o, k)
	if err != nil || !used {
		return t, followUpID, false, err
	}
	if prev.Call != o.call {
		return t, "", true, errKeyReused(key, prev)
	}
	if t, err = o.r.Tickets().Get(ctx, prev.TicketID); err != nil {
		return t, "", true, err
	}
	if t.ID != id && t.FollowUpOf != id {
		return ticket.Ticket{}, "", true, errKeyReused(key, prev)
	}
	return t, "", true, nil
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
