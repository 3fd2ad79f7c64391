package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// testNotifyRepository holds the conformance cases of the notify ports
// (NTF-1..4): notify.Outbox, notify.Queue (only for stores that implement
// it), notify.RecipientRepository, notify.SurgeRepository, and
// ticket.Repository's CountCreatedSince, which surge alerts read. The
// stores make no rule checks; the rules (message shape, which messages may
// be retried, outcome states, filters) are tested in package notify and in
// the helpdesk workflows.
//
// Claim takes the due messages of every service, so the Queue cases run
// first, one after another, each from a drained queue; every other case
// runs in parallel after them, in a service of its own, and never claims.
func testNotifyRepository(t *testing.T, s helpdesk.Store, singleWriter bool) {
	t.Run("Claim", func(t *testing.T) { testQueueClaim(t, s, singleWriter) })
	t.Run("Settle", func(t *testing.T) { testQueueSettle(t, s) })
	t.Run("NextDue", func(t *testing.T) { testQueueNextDue(t, s) })
	t.Run("Enqueue", func(t *testing.T) { t.Parallel(); testOutboxEnqueue(t, s) })
	t.Run("Get", func(t *testing.T) { t.Parallel(); testOutboxGet(t, s) })
	t.Run("List", func(t *testing.T) { t.Parallel(); testOutboxList(t, s) })
	t.Run("Update", func(t *testing.T) { t.Parallel(); testOutboxUpdate(t, s) })
	t.Run("Counts", func(t *testing.T) { t.Parallel(); testOutboxCounts(t, s) })
	t.Run("Recipients.Create", func(t *testing.T) { t.Parallel(); testRecipientCreate(t, s) })
	t.Run("Recipients.Get", func(t *testing.T) { t.Parallel(); testRecipientGet(t, s) })
	t.Run("Recipients.List", func(t *testing.T) { t.Parallel(); testRecipientList(t, s) })
	t.Run("Recipients.Update", func(t *testing.T) { t.Parallel(); testRecipientUpdate(t, s) })
	t.Run("Recipients.Delete", func(t *testing.T) { t.Parallel(); testRecipientDelete(t, s) })
	t.Run("Surge.LockLastAlert", func(t *testing.T) { t.Parallel(); testSurgeLock(t, s) })
	t.Run("Surge.SetLastAlert", func(t *testing.T) { t.Parallel(); testSurgeSet(t, s) })
	t.Run("Tickets.CountCreatedSince", func(t *testing.T) { t.Parallel(); testCountCreatedSince(t, s) })
}

// notifyService makes a service with a fresh id and returns the id.
func notifyService(t *testing.T, s helpdesk.Store) string {
	t.Helper()
	id := newID()
	mkService(t, s, id)
	return id
}

// mkMessage returns a new pending message created at base + i seconds
// (and i%7 microseconds: they matter), due and updated when created, as
// notify.Prepare leaves it.
func mkMessage(i int) notify.Message {
	at := base.Add(time.Duration(i)*time.Second + time.Duration(i%7)*time.Microsecond)
	return notify.Message{
		ID: newID(), Medium: notify.Email, Recipient: fmt.Sprintf("c%d@example.com", i),
		Payload:        notify.Payload{Subject: fmt.Sprintf("subject %d", i), Text: "text"},
		IdempotencyKey: "key-" + newID(), Source: notify.Source{Kind: "auto_mail"},
		State: notify.Pending, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at,
	}
}

// stored is m as the store keeps it after Enqueue in service.
func stored(m notify.Message, service string) notify.Message {
	m.ServiceID = service
	return m
}

func enqueue(t *testing.T, s helpdesk.Store, service string, ms ...notify.Message) {
	t.Helper()
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Outbox().Enqueue(context.Background(), ms...) })
}

func getMessage(s helpdesk.Store, service, id string) (notify.Message, error) {
	return read(s, service, func(r helpdesk.Repos) (notify.Message, error) { return r.Outbox().Get(context.Background(), id) })
}

func mustMessage(t *testing.T, s helpdesk.Store, service, id string) notify.Message {
	t.Helper()
	m, err := getMessage(s, service, id)
	require.NoError(t, err)
	return m
}

func updateMessage(t *testing.T, s helpdesk.Store, service string, ms ...notify.Message) {
	t.Helper()
	tx(t, s, service, func(r helpdesk.Repos) error {
		for _, m := range ms {
			if err := r.Outbox().Update(context.Background(), m); err != nil {
				return err
			}
		}
		return nil
	})
}

func counts(t *testing.T, s helpdesk.Store, service string) map[notify.State]int {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (map[notify.State]int, error) { return r.Outbox().Counts(context.Background()) })
}

func listMessages(t *testing.T, s helpdesk.Store, service string, q notify.Query) notify.Page {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (notify.Page, error) { return r.Outbox().List(context.Background(), q) })
}

// queueOf returns the store's notify.Queue, or skips the test when the
// store has none. Run has checked that the store implements the queue
// exactly when its Options declare it, so a skip here is the declared
// absence, never a silent one.
func queueOf(t *testing.T, s helpdesk.Store) notify.Queue {
	t.Helper()
	q, ok := s.(notify.Queue)
	if !ok {
		t.Skip("storetest: notify.Queue declared absent (Options.Queue is false)")
	}
	return q
}

// drainQueue settles, as sent, every message earlier cases left
// claimable, so that a Queue case starts from an empty queue.
func drainQueue(t *testing.T, q notify.Queue) {
	t.Helper()
	far := base.AddDate(100, 0, 0)
	for {
		ms := claim(t, q, "drain", far, time.Hour, 1000)
		if len(ms) == 0 {
			return
		}
		rs := make([]notify.Result, len(ms))
		for i, m := range ms {
			rs[i] = notify.Result{Message: m, Outcome: notify.Outcome{State: notify.Sent, At: far}}
		}
		lost, err := q.Settle(context.Background(), "drain", rs)
		require.NoError(t, err)
		require.Empty(t, lost)
	}
}

func claim(t *testing.T, q notify.Queue, owner string, now time.Time, lease time.Duration, limit int) []notify.Message {
	t.Helper()
	ms, err := q.Claim(context.Background(), owner, now, lease, limit)
	require.NoError(t, err)
	return ms
}

// settleOne settles one claim and reports a lost one as notify.ErrLeaseLost.
func settleOne(ctx context.Context, q notify.Queue, owner string, m notify.Message, o notify.Outcome) error {
	lost, err := q.Settle(ctx, owner, []notify.Result{{Message: m, Outcome: o}})
	if err != nil {
		return err
	}
	if len(lost) > 0 {
		return fmt.Errorf("message %q: %w", m.ID, notify.ErrLeaseLost)
	}
	return nil
}

func messageIDs(ms []notify.Message) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

func testOutboxEnqueue(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("RoundTrip_NTF1", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		full := notify.Message{
			ID: newID(), ServiceID: "ignored", Medium: notify.SMS, Recipient: "+82-10-1234-5678",
			Payload: notify.Payload{
				Subject: "접수되었습니다 #12", Text: "본문 text", HTML: `<p class="x">본문 &amp; "quotes"</p>`,
				JSON: `{"a":[1,2],"b":"c"}`, Link: "https://example.com/t/12",
				From:    notify.Address{Name: "ACME 고객센터", Address: "help@acme.example"},
				ReplyTo: notify.Address{Address: "answers@acme.example"},
				Headers: map[string]string{"In-Reply-To": "<a@example.com>", "References": "<a@example.com> <b@example.com>"},
			},
			IdempotencyKey: "ticket-12/auto_mail/1",
			Source:         notify.Source{Kind: "trigger", TicketID: newID(), TriggerID: newID()},
			State:          notify.Failed, Attempts: 3, LastError: "550 rejected", // stored as given
			NextAttemptAt: base.Add(time.Hour + 7*time.Microsecond),
			CreatedAt:     base.Add(123456 * time.Microsecond),
			UpdatedAt:     base.Add(2*time.Second + 5*time.Microsecond),
			SentAt:        base.Add(3*time.Second + 9*time.Microsecond),
		}
		plain := notify.Message{ID: newID(), Medium: notify.Browser, Recipient: newID(), IdempotencyKey: "plain",
			State: notify.Pending, Payload: notify.Payload{Headers: map[string]string{}}, CreatedAt: base.Add(3 * time.Microsecond)}
		enqueue(t, s, sid, full, plain)
		assert.Equal(t, stored(full, sid), mustMessage(t, s, sid, full.ID), "every field, in the transaction's service")
		wantPlain := stored(plain, sid)
		wantPlain.Payload.Headers = nil
		assert.Equal(t, wantPlain, mustMessage(t, s, sid, plain.ID), "zero times stay zero; empty headers are none")
	})
	t.Run("Aliasing", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		m.Payload.Headers = map[string]string{"References": "<a@example.com>"}
		enqueue(t, s, sid, m)
		m.Payload.Headers["References"] = "changed in"
		got := mustMessage(t, s, sid, m.ID)
		got.Payload.Headers["References"] = "changed out"
		assert.Equal(t, map[string]string{"References": "<a@example.com>"}, mustMessage(t, s, sid, m.ID).Payload.Headers)
	})
	t.Run("IdempotencyKey_NTF1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		first := mkMessage(1)
		enqueue(t, s, sid, first)
		again := mkMessage(2)
		again.IdempotencyKey = first.IdempotencyKey
		fresh := mkMessage(3)
		twin1, twin2 := mkMessage(4), mkMessage(5)
		twin2.IdempotencyKey = twin1.IdempotencyKey // twice in one call: the first wins
		tx(t, s, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, again, fresh, twin1, twin2))
			_, err := r.Outbox().Get(ctx, fresh.ID) // the transaction stays usable
			return err
		})
		assert.Equal(t, stored(first, sid), mustMessage(t, s, sid, first.ID), "the first message is untouched")
		assert.Equal(t, stored(fresh, sid), mustMessage(t, s, sid, fresh.ID))
		assert.Equal(t, stored(twin1, sid), mustMessage(t, s, sid, twin1.ID))
		for _, id := range []string{again.ID, twin2.ID} {
			_, err := getMessage(s, sid, id)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		}
		enqueue(t, s, sid, first) // the same message again, id and key: skipped too
		assert.Equal(t, 3, counts(t, s, sid)[notify.Pending])

		same := mkMessage(6) // keys are unique per service
		same.IdempotencyKey = first.IdempotencyKey
		enqueue(t, s, other, same)
		assert.Equal(t, stored(same, other), mustMessage(t, s, other, same.ID))
	})
	t.Run("IDConflict", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		dup := mkMessage(2)
		dup.ID = m.ID // a new key, a taken id
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error { return r.Outbox().Enqueue(ctx, mkMessage(3), dup) })
		assert.ErrorIs(t, err, helpdesk.ErrConflict)
		assert.Equal(t, 1, counts(t, s, sid)[notify.Pending], "the refused call stored nothing")
		assert.Equal(t, stored(m, sid), mustMessage(t, s, sid, m.ID))
		enqueue(t, s, other, dup) // the id is free in another service
		assert.Equal(t, stored(dup, other), mustMessage(t, s, other, m.ID))
	})
	t.Run("Nothing", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		enqueue(t, s, sid)
		assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 0}, counts(t, s, sid))
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, m))
			_, err := r.Outbox().Get(ctx, m.ID)
			require.NoError(t, err, "the transaction sees its own message")
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		_, err = getMessage(s, sid, m.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Panics(t, func() {
			_ = s.Tx(ctx, sid, func(r helpdesk.Repos) error {
				require.NoError(t, r.Outbox().Enqueue(ctx, m))
				panic("boom")
			})
		})
		_, err = getMessage(s, sid, m.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 0}, counts(t, s, sid))
		enqueue(t, s, sid, m) // the key of a rolled-back message is free
		assert.Equal(t, stored(m, sid), mustMessage(t, s, sid, m.ID))
	})
}

func testOutboxGet(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("NotFound_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		_, err := getMessage(s, sid, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = getMessage(s, other, m.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's message")
	})
	t.Run("LocksUntilTheEnd", func(t *testing.T) {
		// read, then write one step later: with the lock no step is lost
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		const workers, each = 6, 5
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					assert.NoError(t, s.Tx(ctx, sid, func(r helpdesk.Repos) error {
						got, err := r.Outbox().Get(ctx, m.ID)
						if err != nil {
							return err
						}
						got.Attempts++
						return r.Outbox().Update(ctx, got)
					}))
				}
			})
		}
		wg.Wait()
		assert.Equal(t, workers*each, mustMessage(t, s, sid, m.ID).Attempts)
	})
}

// testOutboxList: List pages newest first (CreatedAt, then ID in byte
// order), every message exactly once, by state.
func testOutboxList(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Paging", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		const n = 120
		ms := make([]notify.Message, n)
		for i := range ms {
			m := mkMessage(i / 4) // four messages share each instant
			// ids that sort differently in byte order and in a linguistic
			// collation ("B" < "a" in bytes)
			m.ID = fmt.Sprintf("%c-%s", "aBcD"[i%4], newID())
			m.State = []notify.State{notify.Sent, notify.Failed, notify.Pending}[i%3]
			ms[i] = m
		}
		tx(t, s, sid, func(r helpdesk.Repos) error {
			for i := range n { // stored out of order
				if err := r.Outbox().Enqueue(ctx, ms[i*7%n]); err != nil {
					return err
				}
			}
			return nil
		})
		enqueue(t, s, other, mkMessage(3))
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, mkMessage(10)))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)

		newestFirst := slices.Clone(ms)
		slices.SortFunc(newestFirst, func(a, b notify.Message) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
		})
		for _, c := range []struct {
			q     notify.Query
			pages int
		}{
			{notify.Query{Limit: 50}, 3},
			{notify.Query{Limit: 7}, 18},
			{notify.Query{Limit: 500}, 1},
			{notify.Query{Limit: 120}, 1},
			{notify.Query{Limit: 119}, 2},
			{notify.Query{State: notify.Sent, Limit: 7}, 6},
			{notify.Query{State: notify.Failed, Limit: 40}, 1},
			{notify.Query{State: notify.Pending, Limit: 13}, 4},
		} {
			var want, got []string
			for _, m := range newestFirst {
				if c.q.State == "" || m.State == c.q.State {
					want = append(want, m.ID)
				}
			}
			q, pages := c.q, 0
			for {
				require.Less(t, pages, 30)
				p := listMessages(t, s, sid, q)
				pages++
				assert.LessOrEqual(t, len(p.Messages), c.q.Limit)
				for _, m := range p.Messages {
					got = append(got, m.ID)
				}
				if p.Next == "" {
					break
				}
				assert.Len(t, p.Messages, c.q.Limit, "only the last page is short")
				after, err := notify.Filter{Cursor: p.Next}.Query()
				require.NoError(t, err)
				q.After = after.After
			}
			assert.Equal(t, want, got, "query %+v", c.q)
			assert.Equal(t, c.pages, pages, "query %+v", c.q)
		}
	})
	t.Run("WholeMessages", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		m.Payload.Headers = map[string]string{"References": "<a@example.com>"}
		enqueue(t, s, sid, m, mkMessage(0))
		p := listMessages(t, s, sid, notify.Query{Limit: 1})
		assert.Equal(t, []notify.Message{stored(m, sid)}, p.Messages)
		assert.NotEmpty(t, p.Next)
	})
	t.Run("Aliasing", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		m.Payload.Headers = map[string]string{"References": "<a@example.com>"}
		enqueue(t, s, sid, m)
		p := listMessages(t, s, sid, notify.Query{Limit: 10})
		require.Len(t, p.Messages, 1)
		p.Messages[0].Payload.Headers["References"] = "changed"
		assert.Equal(t, stored(m, sid), mustMessage(t, s, sid, m.ID))
	})
	t.Run("Empty_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		enqueue(t, s, other, mkMessage(1))
		p := listMessages(t, s, sid, notify.Query{Limit: 50})
		assert.Empty(t, p.Messages)
		assert.Empty(t, p.Next)
	})
}

func testOutboxUpdate(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("DeliveryState_NTF1", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		m.Payload.Headers = map[string]string{"References": "<a@example.com>"}
		enqueue(t, s, sid, m)
		upd := m
		upd.State, upd.Attempts, upd.LastError = notify.Sent, 4, "timeout"
		upd.NextAttemptAt = base.Add(time.Hour + 3*time.Microsecond)
		upd.UpdatedAt = base.Add(2*time.Hour + 5*time.Microsecond)
		upd.SentAt = base.Add(2*time.Hour + 7*time.Microsecond)
		changed := upd // what is not delivery state stays as stored
		changed.Recipient, changed.IdempotencyKey, changed.CreatedAt = "other@example.com", "other", base.Add(48*time.Hour)
		changed.Payload = notify.Payload{Text: "other", Headers: map[string]string{"References": "changed"}}
		changed.Source = notify.Source{Kind: "other"}
		updateMessage(t, s, sid, changed)
		assert.Equal(t, stored(upd, sid), mustMessage(t, s, sid, m.ID))
		changed.Payload.Headers["References"] = "changed again" // aliasing
		assert.Equal(t, stored(upd, sid), mustMessage(t, s, sid, m.ID))

		back := upd
		back.State, back.SentAt = notify.Pending, time.Time{}
		updateMessage(t, s, sid, back)
		assert.Equal(t, stored(back, sid), mustMessage(t, s, sid, m.ID), "a zero time is stored as zero")
	})
	t.Run("NotFound_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		failed := m
		failed.State = notify.Failed
		tx(t, s, other, func(r helpdesk.Repos) error {
			assert.ErrorIs(t, r.Outbox().Update(ctx, failed), helpdesk.ErrNotFound, "another service's message")
			ghost := mkMessage(2)
			assert.ErrorIs(t, r.Outbox().Update(ctx, ghost), helpdesk.ErrNotFound)
			return nil
		})
		assert.Equal(t, stored(m, sid), mustMessage(t, s, sid, m.ID), "untouched")
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			upd := m
			upd.State, upd.Attempts = notify.Failed, 8
			require.NoError(t, r.Outbox().Update(ctx, upd))
			got, err := r.Outbox().Get(ctx, m.ID)
			require.NoError(t, err)
			assert.Equal(t, notify.Failed, got.State, "the transaction sees its write")
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, stored(m, sid), mustMessage(t, s, sid, m.ID))
	})
}

func testOutboxCounts(t *testing.T, s helpdesk.Store) {
	t.Run("EveryState_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 0}, counts(t, s, sid), "every state named")
		ms := []notify.Message{mkMessage(1), mkMessage(2), mkMessage(3), mkMessage(4), mkMessage(5)}
		enqueue(t, s, sid, ms...)
		enqueue(t, s, other, mkMessage(6))
		ms[0].State, ms[1].State, ms[2].State = notify.Sent, notify.Failed, notify.Failed
		updateMessage(t, s, sid, ms[:3]...)
		assert.Equal(t, map[notify.State]int{notify.Pending: 2, notify.Sent: 1, notify.Failed: 2}, counts(t, s, sid))
		assert.Equal(t, map[notify.State]int{notify.Pending: 1, notify.Sent: 0, notify.Failed: 0}, counts(t, s, other))
	})
}

func testQueueClaim(t *testing.T, s helpdesk.Store, singleWriter bool) {
	ctx := context.Background()
	t.Run("Order_NTF1", func(t *testing.T) {
		// due messages of every service, oldest due first (then by id), up
		// to the limit
		q := queueOf(t, s)
		drainQueue(t, q)
		a, b := notifyService(t, s), notifyService(t, s)
		due := func(i int, id string, at time.Duration) notify.Message {
			m := mkMessage(i)
			m.CreatedAt, m.UpdatedAt = base, base
			m.ID, m.NextAttemptAt = id+newID(), base.Add(at)
			return m
		}
		x1 := due(1, "m-", time.Second)
		x2 := due(2, "m-", 2*time.Second)
		x3 := due(3, "b-", 3*time.Second)
		x4 := due(4, "a-", 3*time.Second) // ties with x3: the smaller id first
		x5 := due(5, "m-", 5*time.Second)
		x6 := due(6, "m-", time.Hour)
		done := due(7, "a-", 0)
		done.State = notify.Sent
		enqueue(t, s, a, x3, x1, x5, done)
		enqueue(t, s, b, x6, x4, x2)

		assert.Empty(t, claim(t, q, "w1", base, time.Hour, 10), "nothing due yet")
		now := base.Add(3 * time.Second)
		got := claim(t, q, "w1", now, time.Hour, 3)
		require.Equal(t, messageIDs([]notify.Message{x1, x2, x4}), messageIDs(got))
		want := stored(x1, a)
		want.Attempts, want.UpdatedAt = 1, now
		assert.Equal(t, want, got[0], "the claimed message, attempt counted")
		assert.Equal(t, []string{a, b, b}, []string{got[0].ServiceID, got[1].ServiceID, got[2].ServiceID})
		assert.Equal(t, want, mustMessage(t, s, a, x1.ID), "the claim is stored")

		assert.Equal(t, []string{x3.ID}, messageIDs(claim(t, q, "w2", now, time.Hour, 10)), "the others are leased")
		assert.Empty(t, claim(t, q, "w2", base.Add(4*time.Second), time.Hour, 10))
		assert.Equal(t, []string{x5.ID}, messageIDs(claim(t, q, "w2", base.Add(5*time.Second), time.Hour, 10)))
		assert.Empty(t, claim(t, q, "w2", base.Add(30*time.Minute), time.Hour, 10))
		assert.Empty(t, claim(t, q, "w2", base.Add(time.Hour), time.Hour, 0), "limit 0")
		assert.Equal(t, []string{x6.ID}, messageIDs(claim(t, q, "w2", base.Add(time.Hour), time.Hour, 10)), "due at exactly now")
	})
	t.Run("Lease_NTF1", func(t *testing.T) {
		// a claimed message is nobody else's until its lease expires
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		t0 := base.Add(time.Hour)
		first := claim(t, q, "w1", t0, time.Minute, 10)
		require.Len(t, first, 1)
		assert.Equal(t, 1, first[0].Attempts)
		assert.Empty(t, claim(t, q, "w2", t0.Add(59*time.Second), time.Minute, 10), "the lease runs")
		assert.Empty(t, claim(t, q, "w1", t0.Add(time.Minute-time.Microsecond), time.Minute, 10), "even for its owner")
		second := claim(t, q, "w2", t0.Add(time.Minute), time.Minute, 10)
		require.Len(t, second, 1, "the lease expired")
		assert.Equal(t, 2, second[0].Attempts)
		assert.Equal(t, t0.Add(time.Minute), second[0].UpdatedAt)
		assert.Equal(t, second[0], mustMessage(t, s, sid, m.ID))
	})
	t.Run("WaitsForTheWriter_NTF1", func(t *testing.T) {
		if !singleWriter {
			t.Skip("the store runs write transactions at once: PassesOverOpenTransactions_NTF1")
		}
		testQueueClaimSingleWriter(t, s)
	})
	t.Run("PassesOverOpenTransactions_NTF1", func(t *testing.T) {
		// nothing is delivered before its transaction commits, and a row a
		// transaction has locked is passed over, not waited for
		if singleWriter {
			t.Skip("a store with one writer at a time waits for it: WaitsForTheWriter_NTF1")
		}
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		now := base.Add(time.Hour)
		m1, m2, m3 := mkMessage(1), mkMessage(2), mkMessage(3)
		enqueue(t, s, sid, m1)
		tx(t, s, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, m2))
			assert.Equal(t, []string{m1.ID}, messageIDs(claim(t, q, "w1", now, time.Minute, 10)), "not before the commit")
			return nil
		})
		c2 := claim(t, q, "w1", now, time.Minute, 10)
		require.Equal(t, []string{m2.ID}, messageIDs(c2), "after the commit")
		require.NoError(t, settleOne(ctx, q, "w1", c2[0], notify.Outcome{State: notify.Sent, At: now}))
		c1 := mustMessage(t, s, sid, m1.ID)
		require.NoError(t, settleOne(ctx, q, "w1", c1, notify.Outcome{State: notify.Failed, At: now, Error: "550"}))

		enqueue(t, s, sid, m3)
		tx(t, s, sid, func(r helpdesk.Repos) error {
			_, err := r.Outbox().Get(ctx, m3.ID)
			require.NoError(t, err)
			assert.Empty(t, claim(t, q, "w1", now, time.Minute, 10), "locked by Get")
			return nil
		})
		c3 := claim(t, q, "w1", now, time.Minute, 10)
		require.Equal(t, []string{m3.ID}, messageIDs(c3), "after the transaction")
		require.NoError(t, settleOne(ctx, q, "w1", c3[0], notify.Outcome{State: notify.Sent, At: now}))

		// a failed message made pending by a transaction is claimable only
		// after the commit, and still failed after a rollback
		retried := mustMessage(t, s, sid, m1.ID)
		retried.State, retried.Attempts, retried.NextAttemptAt, retried.UpdatedAt = notify.Pending, 0, now, now
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Update(ctx, retried))
			assert.Empty(t, claim(t, q, "w2", now.Add(time.Hour), time.Minute, 10), "not before the commit")
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, notify.Failed, mustMessage(t, s, sid, m1.ID).State)
		assert.Empty(t, claim(t, q, "w2", now.Add(time.Hour), time.Minute, 10), "rolled back")
		updateMessage(t, s, sid, retried)
		got := claim(t, q, "w2", now, time.Minute, 10)
		require.Equal(t, []string{m1.ID}, messageIDs(got), "after the commit")
		assert.Equal(t, 1, got[0].Attempts)
		assert.Equal(t, "550", got[0].LastError)
	})
	t.Run("Concurrent_NTF1", func(t *testing.T) {
		// claimers running at once never get the same message, and
		// together get every one
		q := queueOf(t, s)
		drainQueue(t, q)
		a, b := notifyService(t, s), notifyService(t, s)
		const n, workers, batch = 500, 8, 10
		byService := map[string][]notify.Message{}
		for i := range n {
			sid := []string{a, b}[i%2]
			byService[sid] = append(byService[sid], mkMessage(i))
		}
		for sid, ms := range byService {
			enqueue(t, s, sid, ms...)
		}
		now := base.Add(time.Hour)
		var mu sync.Mutex
		seen := map[string]string{} // service/id → owner
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				owner := fmt.Sprintf("w%d", w)
				for range n {
					ms, err := q.Claim(ctx, owner, now, time.Hour, batch)
					if !assert.NoError(t, err) || len(ms) == 0 {
						return
					}
					assert.LessOrEqual(t, len(ms), batch)
					mu.Lock()
					for _, m := range ms {
						k := m.ServiceID + "/" + m.ID
						if prev, dup := seen[k]; dup {
							t.Errorf("message %s claimed by %s and %s", k, prev, owner)
						}
						seen[k] = owner
						assert.Equal(t, 1, m.Attempts)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		assert.Len(t, seen, n)
		assert.Empty(t, claim(t, q, "late", now, time.Hour, batch))
	})
	t.Run("Aliasing", func(t *testing.T) {
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		m := mkMessage(1)
		m.Payload.Headers = map[string]string{"References": "<a@example.com>"}
		enqueue(t, s, sid, m)
		got := claim(t, q, "w1", base.Add(time.Hour), time.Minute, 10)
		require.Len(t, got, 1)
		got[0].Payload.Headers["References"] = "changed"
		assert.Equal(t, map[string]string{"References": "<a@example.com>"}, mustMessage(t, s, sid, m.ID).Payload.Headers)
	})
}

func testQueueSettle(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Outcomes_NTF1", func(t *testing.T) {
		// each outcome of a delivery attempt
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		ms := []notify.Message{mkMessage(1), mkMessage(2), mkMessage(3), mkMessage(4)}
		enqueue(t, s, sid, ms...)
		now := base.Add(time.Hour)
		got := claim(t, q, "w1", now, time.Minute, 10)
		require.Equal(t, messageIDs(ms), messageIDs(got))
		at := now.Add(1234 * time.Microsecond)
		next := now.Add(10*time.Minute + 7*time.Microsecond)

		require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Sent, At: at}))
		want := got[0]
		want.State, want.SentAt, want.UpdatedAt = notify.Sent, at, at
		assert.Equal(t, want, mustMessage(t, s, sid, ms[0].ID), "sent")

		require.NoError(t, settleOne(ctx, q, "w1", got[1], notify.Outcome{State: notify.Failed, At: at, Error: "550 rejected"}))
		want = got[1]
		want.State, want.LastError, want.UpdatedAt = notify.Failed, "550 rejected", at
		assert.Equal(t, want, mustMessage(t, s, sid, ms[1].ID), "failed for good")

		require.NoError(t, settleOne(ctx, q, "w1", got[2], notify.Outcome{State: notify.Pending, At: at, NextAttemptAt: next, Error: "timeout"}))
		want = got[2]
		want.NextAttemptAt, want.LastError, want.UpdatedAt = next, "timeout", at
		assert.Equal(t, want, mustMessage(t, s, sid, ms[2].ID), "retry later")

		require.NoError(t, settleOne(ctx, q, "w1", got[3], notify.Outcome{State: notify.Pending, At: at, Release: true, Error: "ignored"}))
		want = got[3]
		want.Attempts, want.UpdatedAt = 0, at
		assert.Equal(t, want, mustMessage(t, s, sid, ms[3].ID), "released: the attempt is not counted")

		// the released one is claimable at once, the retried one at its
		// time; sent and failed ones never
		again := claim(t, q, "w2", at, time.Hour, 10)
		require.Equal(t, []string{ms[3].ID}, messageIDs(again))
		assert.Equal(t, 1, again[0].Attempts)
		assert.Empty(t, claim(t, q, "w2", next.Add(-time.Microsecond), time.Hour, 10))
		later := claim(t, q, "w2", next, time.Hour, 10)
		require.Equal(t, []string{ms[2].ID}, messageIDs(later))
		assert.Equal(t, 2, later[0].Attempts)
		assert.Equal(t, "timeout", later[0].LastError)
		assert.Empty(t, claim(t, q, "w3", next.Add(30*time.Minute), time.Hour, 10), "leased or settled")
		assert.Equal(t, map[notify.State]int{notify.Pending: 2, notify.Sent: 1, notify.Failed: 1}, counts(t, s, sid))
	})
	t.Run("Batch_NTF1", func(t *testing.T) {
		// one call applies every outcome it still owns and returns the
		// rest as lost
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		enqueue(t, s, sid, mkMessage(0), mkMessage(1), mkMessage(2), mkMessage(3))
		at := base.Add(time.Hour)
		claimed := claim(t, q, "w1", at, time.Minute, 10)
		require.Len(t, claimed, 4)
		foreign := claimed[3]
		foreign.ID = "not-claimed"
		rs := []notify.Result{
			{Message: claimed[0], Outcome: notify.Outcome{State: notify.Sent, At: at}},
			{Message: claimed[1], Outcome: notify.Outcome{State: notify.Failed, At: at, Error: "550"}},
			{Message: claimed[2], Outcome: notify.Outcome{State: notify.Pending, At: at, Release: true}},
			{Message: foreign, Outcome: notify.Outcome{State: notify.Sent, At: at}},
		}
		lost, err := q.Settle(ctx, "w1", rs)
		require.NoError(t, err)
		assert.Equal(t, rs[3:], lost)
		lost, err = q.Settle(ctx, "w1", rs[:1])
		require.NoError(t, err)
		assert.Equal(t, rs[:1], lost, "settled already")
		lost, err = q.Settle(ctx, "w1", nil)
		require.NoError(t, err)
		assert.Empty(t, lost, "nothing to settle")
		assert.Equal(t, map[notify.State]int{notify.Sent: 1, notify.Failed: 1, notify.Pending: 2}, counts(t, s, sid))
		assert.Equal(t, claimed[3], mustMessage(t, s, sid, claimed[3].ID), "untouched")
	})
	t.Run("Lost_NTF1", func(t *testing.T) {
		// a claim taken over, settled already, never made or made in
		// another service changes nothing
		q := queueOf(t, s)
		drainQueue(t, q)
		sid, other := notifyService(t, s), notifyService(t, s)
		m := mkMessage(1)
		enqueue(t, s, sid, m)
		t0 := base.Add(time.Hour)
		first := claim(t, q, "w1", t0, time.Minute, 10)
		require.Len(t, first, 1)
		second := claim(t, q, "w2", t0.Add(time.Minute), time.Minute, 10)
		require.Len(t, second, 1)
		sent := notify.Outcome{State: notify.Sent, At: t0.Add(70 * time.Second)}
		assert.ErrorIs(t, settleOne(ctx, q, "w1", first[0], sent), notify.ErrLeaseLost, "taken over")
		assert.ErrorIs(t, settleOne(ctx, q, "", first[0], sent), notify.ErrLeaseLost, "an empty owner owns nothing")
		wrong := second[0]
		wrong.ServiceID = other
		assert.ErrorIs(t, settleOne(ctx, q, "w2", wrong, sent), notify.ErrLeaseLost, "another service")
		assert.ErrorIs(t, settleOne(ctx, q, "w2", mkMessage(3), sent), notify.ErrLeaseLost, "unknown message")
		assert.Equal(t, second[0], mustMessage(t, s, sid, m.ID), "unchanged")
		require.NoError(t, settleOne(ctx, q, "w2", second[0], sent))
		assert.ErrorIs(t, settleOne(ctx, q, "w2", second[0], sent), notify.ErrLeaseLost, "settled already")
		got := mustMessage(t, s, sid, m.ID)
		assert.Equal(t, notify.Sent, got.State)
		assert.Equal(t, 2, got.Attempts)

		// an expired lease nobody took is still the owner's
		m2 := mkMessage(2)
		enqueue(t, s, sid, m2)
		c := claim(t, q, "w1", t0, time.Minute, 10)
		require.Len(t, c, 1)
		require.NoError(t, settleOne(ctx, q, "w1", c[0], notify.Outcome{State: notify.Sent, At: t0.Add(time.Hour)}))
	})
}

func testRecipientCreate(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	kim := func() notify.Recipient {
		return notify.Recipient{ID: newID(), Name: "kim", Email: "kim@example.com", Phone: "010-1234-5678",
			DoorayHookURL: "https://hook.dooray.com/services/1/2/abc", CreatedAt: base.Add(7 * time.Microsecond),
			UpdatedAt: base.Add(time.Second + 9*time.Microsecond)}
	}
	t.Run("RoundTrip_NTF3", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := kim()
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Recipients().Create(ctx, rc) })
		assert.Equal(t, rc, mustRecipient(t, s, sid, rc.ID))
	})
	t.Run("Aliasing", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := kim()
		want := rc
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Recipients().Create(ctx, rc) })
		rc.Name = "changed in"
		got := mustRecipient(t, s, sid, want.ID)
		got.Name = "changed out"
		assert.Equal(t, want, mustRecipient(t, s, sid, want.ID))
	})
	t.Run("IDConflict", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		rc := kim()
		tx(t, s, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Recipients().Create(ctx, rc))
			dup := notify.Recipient{ID: rc.ID, Name: "x", CreatedAt: base, UpdatedAt: base}
			assert.ErrorIs(t, r.Recipients().Create(ctx, dup), helpdesk.ErrConflict)
			_, err := r.Recipients().Get(ctx, rc.ID) // the transaction stays usable
			return err
		})
		assert.Equal(t, rc, mustRecipient(t, s, sid, rc.ID))
		same := notify.Recipient{ID: rc.ID, Name: "other kim", CreatedAt: base, UpdatedAt: base}
		tx(t, s, other, func(r helpdesk.Repos) error { return r.Recipients().Create(ctx, same) })
		assert.Equal(t, same, mustRecipient(t, s, other, rc.ID), "the id is free in another service")
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := s.Tx(ctx, newID(), func(r helpdesk.Repos) error { return r.Recipients().Create(ctx, kim()) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a recipient needs its service")
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := kim()
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Recipients().Create(ctx, rc))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Empty(t, listRecipients(t, s, sid))
	})
}

func getRecipient(s helpdesk.Store, service, id string) (notify.Recipient, error) {
	return read(s, service, func(r helpdesk.Repos) (notify.Recipient, error) { return r.Recipients().Get(context.Background(), id) })
}

func mustRecipient(t *testing.T, s helpdesk.Store, service, id string) notify.Recipient {
	t.Helper()
	rc, err := getRecipient(s, service, id)
	require.NoError(t, err)
	return rc
}

func listRecipients(t *testing.T, s helpdesk.Store, service string) []notify.Recipient {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) ([]notify.Recipient, error) { return r.Recipients().List(context.Background()) })
}

func createRecipients(t *testing.T, s helpdesk.Store, service string, rcs ...notify.Recipient) {
	t.Helper()
	tx(t, s, service, func(r helpdesk.Repos) error {
		for _, rc := range rcs {
			if err := r.Recipients().Create(context.Background(), rc); err != nil {
				return err
			}
		}
		return nil
	})
}

func recipient(name string) notify.Recipient {
	return notify.Recipient{ID: newID(), Name: name, Email: name + "@example.com", CreatedAt: base, UpdatedAt: base}
}

func testRecipientGet(t *testing.T, s helpdesk.Store) {
	t.Run("NotFound_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		rc := recipient("lee")
		createRecipients(t, s, sid, rc)
		_, err := getRecipient(s, sid, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = getRecipient(s, other, rc.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "another service's recipient")
	})
}

func testRecipientList(t *testing.T, s helpdesk.Store) {
	t.Run("Order_NTF3", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		assert.Empty(t, listRecipients(t, s, sid))
		kim, lee1, lee2 := recipient("kim"), recipient("Lee"), recipient("Lee")
		lee1.ID, lee2.ID = "a-"+newID(), "B-"+newID()
		createRecipients(t, s, sid, kim, lee1, lee2)
		createRecipients(t, s, other, recipient("Ahn"))
		assert.Equal(t, []notify.Recipient{lee2, lee1, kim}, listRecipients(t, s, sid), "by name, then id, in byte order; this service's")
	})
	t.Run("Aliasing", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		l := listRecipients(t, s, sid)
		require.Len(t, l, 1)
		l[0].Name = "changed"
		assert.Equal(t, []notify.Recipient{rc}, listRecipients(t, s, sid))
	})
}

func testRecipientUpdate(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("EveryFieldButCreatedAt_NTF3", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		upd := rc
		upd.Name, upd.Email, upd.Phone, upd.DoorayHookURL = "Kim Minji", "", "010-9999", "https://hook.dooray.com/x"
		upd.UpdatedAt = base.Add(time.Hour + 3*time.Microsecond)
		changed := upd
		changed.CreatedAt = base.Add(48 * time.Hour)
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Recipients().Update(ctx, changed) })
		assert.Equal(t, upd, mustRecipient(t, s, sid, rc.ID))
	})
	t.Run("NotFound_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		tx(t, s, other, func(r helpdesk.Repos) error {
			hijack := rc
			hijack.Name = "hijack"
			assert.ErrorIs(t, r.Recipients().Update(ctx, hijack), helpdesk.ErrNotFound, "another service's recipient")
			assert.ErrorIs(t, r.Recipients().Update(ctx, recipient("ghost")), helpdesk.ErrNotFound)
			return nil
		})
		assert.Equal(t, rc, mustRecipient(t, s, sid, rc.ID), "untouched")
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			upd := rc
			upd.Name = "changed"
			require.NoError(t, r.Recipients().Update(ctx, upd))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, rc, mustRecipient(t, s, sid, rc.ID))
	})
}

func testRecipientDelete(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Removes_NTF3", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		kim, lee := recipient("kim"), recipient("lee")
		createRecipients(t, s, sid, kim, lee)
		tx(t, s, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Recipients().Delete(ctx, lee.ID))
			assert.ErrorIs(t, r.Recipients().Delete(ctx, lee.ID), helpdesk.ErrNotFound, "gone")
			_, err := r.Recipients().Get(ctx, lee.ID)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			return nil
		})
		assert.Equal(t, []notify.Recipient{kim}, listRecipients(t, s, sid))
	})
	t.Run("NotFound_SVC1", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		tx(t, s, other, func(r helpdesk.Repos) error {
			assert.ErrorIs(t, r.Recipients().Delete(ctx, rc.ID), helpdesk.ErrNotFound, "another service's recipient")
			assert.ErrorIs(t, r.Recipients().Delete(ctx, newID()), helpdesk.ErrNotFound)
			return nil
		})
		assert.Equal(t, rc, mustRecipient(t, s, sid, rc.ID), "untouched")
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		rc := recipient("kim")
		createRecipients(t, s, sid, rc)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Recipients().Delete(ctx, rc.ID))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, []notify.Recipient{rc}, listRecipients(t, s, sid))
	})
}

func lastAlert(t *testing.T, s helpdesk.Store, service string) time.Time {
	t.Helper()
	return mustRead(t, s, service, func(r helpdesk.Repos) (time.Time, error) { return r.Surge().LockLastAlert(context.Background()) })
}

func testSurgeLock(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("NeverAlerted_NTF2", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		assert.True(t, lastAlert(t, s, sid).IsZero(), "never alerted")
		assert.True(t, lastAlert(t, s, sid).IsZero(), "still never")
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := s.Tx(ctx, newID(), func(r helpdesk.Repos) error {
			_, err := r.Surge().LockLastAlert(ctx)
			return err
		})
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
	t.Run("Concurrent_NTF2", func(t *testing.T) {
		// read, then write one step later: with the lock no step is lost
		t.Parallel()
		sid := notifyService(t, s)
		const workers, each = 6, 5
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					assert.NoError(t, s.Tx(ctx, sid, func(r helpdesk.Repos) error {
						at, err := r.Surge().LockLastAlert(ctx)
						if err != nil {
							return err
						}
						if at.IsZero() {
							at = base
						}
						return r.Surge().SetLastAlert(ctx, at.Add(time.Second))
					}))
				}
			})
		}
		wg.Wait()
		assert.Equal(t, base.Add(workers*each*time.Second), lastAlert(t, s, sid))
	})
}

func testSurgeSet(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t1 := base.Add(time.Minute + 7*time.Microsecond)
	t.Run("AfterLock_NTF2", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		tx(t, s, sid, func(r helpdesk.Repos) error {
			at, err := r.Surge().LockLastAlert(ctx)
			require.NoError(t, err)
			assert.True(t, at.IsZero())
			require.NoError(t, r.Surge().SetLastAlert(ctx, t1))
			at, err = r.Surge().LockLastAlert(ctx)
			require.NoError(t, err)
			assert.Equal(t, t1, at, "the transaction sees its write")
			return nil
		})
		assert.Equal(t, t1, lastAlert(t, s, sid))
		assert.True(t, lastAlert(t, s, other).IsZero(), "per service")
	})
	t.Run("WithoutLock", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Surge().SetLastAlert(ctx, t1) })
		assert.Equal(t, t1, lastAlert(t, s, sid))
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Surge().SetLastAlert(ctx, base) })
		assert.Equal(t, base, lastAlert(t, s, sid), "written again")
	})
	t.Run("Rollback", func(t *testing.T) {
		t.Parallel()
		sid := notifyService(t, s)
		tx(t, s, sid, func(r helpdesk.Repos) error { return r.Surge().SetLastAlert(ctx, t1) })
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Surge().SetLastAlert(ctx, t1.Add(time.Hour)))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		assert.Equal(t, t1, lastAlert(t, s, sid), "a failed transaction rolls back")
	})
	t.Run("UnknownService", func(t *testing.T) {
		t.Parallel()
		err := s.Tx(ctx, newID(), func(r helpdesk.Repos) error { return r.Surge().SetLastAlert(ctx, t1) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	})
}

// testCountCreatedSince: surge alerts count the tickets created at or
// after a time, per service (NTF-2).
func testCountCreatedSince(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("AtOrAfter_NTF2", func(t *testing.T) {
		t.Parallel()
		sid, other := notifyService(t, s), notifyService(t, s)
		for i := range 10 {
			create(t, s, sid, mkTicket(i)) // created at base + i seconds
		}
		create(t, s, other, mkTicket(9))
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			tk := mkTicket(9)
			require.NoError(t, r.Tickets().Create(ctx, &tk, nil))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		count := func(service string, since time.Time) int {
			t.Helper()
			var n int
			tx(t, s, service, func(r helpdesk.Repos) (err error) {
				n, err = r.Tickets().CountCreatedSince(ctx, since)
				return err
			})
			return n
		}
		assert.Equal(t, 10, count(sid, time.Time{}))
		assert.Equal(t, 10, count(sid, base))
		assert.Equal(t, 5, count(sid, base.Add(5*time.Second)), "at or after")
		assert.Equal(t, 4, count(sid, base.Add(5*time.Second+time.Microsecond)))
		assert.Equal(t, 0, count(sid, base.Add(time.Hour)))
		assert.Equal(t, 1, count(other, base))
		assert.Equal(t, 0, count(newID(), base))
	})
}

// testQueueNextDue: NextDue names when the earliest pending message of any
// service is due, claimed or not; sent and failed messages do not count.
func testQueueNextDue(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	nextDue := func(t *testing.T, q notify.Queue) (time.Time, bool) {
		t.Helper()
		at, pending, err := q.NextDue(ctx)
		require.NoError(t, err)
		return at, pending
	}
	t.Run("Earliest_NTF1", func(t *testing.T) {
		q := queueOf(t, s)
		drainQueue(t, q)
		_, pending := nextDue(t, q)
		assert.False(t, pending, "an empty queue")

		a, b := notifyService(t, s), notifyService(t, s)
		done, failed := mkMessage(0), mkMessage(0)
		done.State, failed.State = notify.Sent, notify.Failed
		m1, m2 := mkMessage(1), mkMessage(2) // due at base+1s+1µs, base+2s+2µs
		enqueue(t, s, a, done, m2)
		enqueue(t, s, b, failed, m1)
		at, pending := nextDue(t, q)
		require.True(t, pending)
		assert.Equal(t, m1.NextAttemptAt, at, "the earliest of every service, to the microsecond")

		now := base.Add(time.Hour)
		got := claim(t, q, "w1", now, time.Minute, 1)
		require.Equal(t, []string{m1.ID}, messageIDs(got))
		at, _ = nextDue(t, q)
		assert.Equal(t, m1.NextAttemptAt, at, "a claimed message is pending until settled")
		require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Sent, At: now}))
		at, _ = nextDue(t, q)
		assert.Equal(t, m2.NextAttemptAt, at)

		got = claim(t, q, "w1", now, time.Minute, 1)
		require.Equal(t, []string{m2.ID}, messageIDs(got))
		later := now.Add(time.Hour + 3*time.Microsecond)
		require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Pending, At: now, NextAttemptAt: later, Error: "451"}))
		at, _ = nextDue(t, q)
		assert.Equal(t, later, at, "a retry counts from its next attempt")

		got = claim(t, q, "w1", later, time.Minute, 1)
		require.Len(t, got, 1)
		require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Failed, At: later, Error: "550"}))
		_, pending = nextDue(t, q)
		assert.False(t, pending, "nothing pending: sent and failed messages do not count")
	})
	t.Run("Rollback_NTF1", func(t *testing.T) {
		q := queueOf(t, s)
		drainQueue(t, q)
		sid := notifyService(t, s)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, mkMessage(1)))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
		_, pending := nextDue(t, q)
		assert.False(t, pending, "a rolled-back message was never pending")
	})
}

// testQueueClaimSingleWriter: in a store that runs one write transaction
// at a time (Options.SingleWriter), a claim made while a transaction is
// open waits for it to end: it never takes what the transaction wrote or
// locked before the commit, and after a rollback finds what was there
// before (NTF-1).
func testQueueClaimSingleWriter(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	q := queueOf(t, s)
	drainQueue(t, q)
	sid := notifyService(t, s)
	now := base.Add(time.Hour)
	m1, m2, m3 := mkMessage(1), mkMessage(2), mkMessage(3)
	enqueue(t, s, sid, m1)
	// claimDuring runs write in a transaction, starts a claim before the
	// transaction ends with end, and returns what the claim took.
	claimDuring := func(owner string, at time.Time, write func(r helpdesk.Repos) error, end error) ([]notify.Message, error) {
		got := make(chan []notify.Message, 1)
		err := s.Tx(ctx, sid, func(r helpdesk.Repos) error {
			if err := write(r); err != nil {
				return err
			}
			go func() {
				ms, err := q.Claim(ctx, owner, at, time.Minute, 10)
				assert.NoError(t, err)
				got <- ms
			}()
			return end
		})
		return <-got, err
	}
	ids := func(ms []notify.Message) []string { return messageIDs(ms) }

	c, err := claimDuring("w1", now, func(r helpdesk.Repos) error { return r.Outbox().Enqueue(ctx, m2) }, nil)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{m1.ID, m2.ID}, ids(c), "the claim waited for the commit")
	for _, m := range c {
		o := notify.Outcome{State: notify.Sent, At: now}
		if m.ID == m1.ID {
			o = notify.Outcome{State: notify.Failed, At: now, Error: "550"}
		}
		require.NoError(t, settleOne(ctx, q, "w1", m, o))
	}

	enqueue(t, s, sid, m3)
	c, err = claimDuring("w1", now, func(r helpdesk.Repos) error {
		_, err := r.Outbox().Get(ctx, m3.ID)
		return err
	}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{m3.ID}, ids(c), "after the transaction that locked it")
	require.NoError(t, settleOne(ctx, q, "w1", c[0], notify.Outcome{State: notify.Sent, At: now}))

	retried := mustMessage(t, s, sid, m1.ID)
	retried.State, retried.Attempts, retried.NextAttemptAt, retried.UpdatedAt = notify.Pending, 0, now, now
	c, err = claimDuring("w2", now.Add(time.Hour), func(r helpdesk.Repos) error { return r.Outbox().Update(ctx, retried) }, errBoom)
	require.ErrorIs(t, err, errBoom)
	assert.Empty(t, c, "rolled back")
	assert.Equal(t, notify.Failed, mustMessage(t, s, sid, m1.ID).State)
	updateMessage(t, s, sid, retried)
	got := claim(t, q, "w2", now, time.Minute, 10)
	require.Equal(t, []string{m1.ID}, ids(got), "after the commit")
	assert.Equal(t, 1, got[0].Attempts)
	assert.Equal(t, "550", got[0].LastError)
}
