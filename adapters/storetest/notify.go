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

// mkMessage returns a message created at base + i seconds (and i%7
// microseconds: they matter), due when created.
func mkMessage(i int) notify.Message {
	at := base.Add(time.Duration(i)*time.Second + time.Duration(i%7)*time.Microsecond)
	return notify.Message{
		ID: newID(), Medium: notify.Email, Recipient: fmt.Sprintf("c%d@example.com", i),
		Payload:        notify.Payload{Subject: fmt.Sprintf("subject %d", i), Text: "text"},
		IdempotencyKey: "key-" + newID(), Source: notify.Source{Kind: "auto_mail"},
		CreatedAt: at, UpdatedAt: at,
	}
}

// stored is m as the store keeps it after Enqueue in service.
func stored(m notify.Message, service string) notify.Message {
	m.ServiceID, m.State = service, notify.Pending
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	return m
}

func enqueue(t *testing.T, s helpdesk.Store, service string, ms ...notify.Message) {
	t.Helper()
	tx(t, s, service, func(r helpdesk.Repos) error { return r.Outbox().Enqueue(context.Background(), ms...) })
}

func getMessage(s helpdesk.Store, service, id string) (notify.Message, error) {
	var m notify.Message
	err := s.Tx(context.Background(), service, func(r helpdesk.Repos) (err error) {
		m, err = r.Outbox().Get(context.Background(), id)
		return err
	})
	return m, err
}

func mustMessage(t *testing.T, s helpdesk.Store, service, id string) notify.Message {
	t.Helper()
	m, err := getMessage(s, service, id)
	require.NoError(t, err)
	return m
}

func counts(t *testing.T, s helpdesk.Store, service string) map[notify.State]int {
	t.Helper()
	var c map[notify.State]int
	tx(t, s, service, func(r helpdesk.Repos) (err error) {
		c, err = r.Outbox().Counts(context.Background())
		return err
	})
	return c
}

// queueOf returns the store's notify.Queue. The test is skipped when the
// store's Options declare the queue absent, and fails when they declare it
// but the store lacks it.
func queueOf(t *testing.T, s helpdesk.Store) notify.Queue {
	t.Helper()
	q, ok := declaredQueue(t, s)
	if !ok {
		t.Skip("storetest: notify.Queue declared absent (Options.Queue is false)")
	}
	return q
}

// hasQueue reports whether the store's Options declare a notify.Queue.
func hasQueue(s helpdesk.Store) bool { return queueDeclared(s) }

func claim(t *testing.T, q notify.Queue, owner string, now time.Time, lease time.Duration, limit int) []notify.Message {
	t.Helper()
	ms, err := q.Claim(context.Background(), owner, now, lease, limit)
	require.NoError(t, err)
	return ms
}

func messageIDs(ms []notify.Message) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// testOutbox_NTF1: every field of a message round-trips; the store sets the
// service, the state and the defaults.
func testOutbox(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	full := notify.Message{
		ID: newID(), ServiceID: "ignored", Medium: notify.SMS, Recipient: "+82-10-1234-5678",
		Payload: notify.Payload{
			Subject: "접수되었습니다 #12", Text: "본문 text", HTML: `<p class="x">본문 &amp; "quotes"</p>`,
			JSON: `{"a":[1,2],"b":"c"}`, Link: "https://example.com/t/12",
			Headers: map[string]string{"In-Reply-To": "<a@example.com>", "References": "<a@example.com> <b@example.com>"},
		},
		IdempotencyKey: "ticket-12/auto_mail/1",
		Source:         notify.Source{Kind: "trigger", TicketID: newID(), TriggerID: newID()},
		State:          notify.Sent, // the store makes it pending
		NextAttemptAt:  base.Add(time.Hour + 7*time.Microsecond),
		CreatedAt:      base.Add(123456 * time.Microsecond),
		UpdatedAt:      base.Add(2*time.Second + 5*time.Microsecond),
	}
	plain := notify.Message{ID: newID(), Medium: notify.Browser, Recipient: newID(), IdempotencyKey: "plain",
		Payload: notify.Payload{Headers: map[string]string{}}, CreatedAt: base.Add(3 * time.Microsecond)}
	enqueue(t, s, "acme", full, plain)

	want := stored(full, "acme")
	assert.Equal(t, notify.Pending, want.State)
	got := mustMessage(t, s, "acme", full.ID)
	assert.Equal(t, want, got)
	wantPlain := stored(plain, "acme")
	wantPlain.Payload.Headers = nil
	assert.Equal(t, wantPlain, mustMessage(t, s, "acme", plain.ID), "due and updated when created; empty headers are none")

	// values read back or passed in share no memory with the store
	got.Payload.Headers["References"] = "changed"
	full.Payload.Headers["In-Reply-To"] = "changed"
	assert.Equal(t, map[string]string{"In-Reply-To": "<a@example.com>", "References": "<a@example.com> <b@example.com>"},
		mustMessage(t, s, "acme", full.ID).Payload.Headers)

	_, err := getMessage(s, "acme", newID())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		m := mkMessage(1)
		m.IdempotencyKey = ""
		return r.Outbox().Enqueue(ctx, m)
	})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "a message needs an idempotency key")
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		m := mkMessage(1)
		m.ID = full.ID // a new key, a taken id
		return r.Outbox().Enqueue(ctx, m)
	})
	assert.ErrorIs(t, err, helpdesk.ErrConflict, "ids are unique")
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Outbox().Enqueue(ctx) }) // nothing to do
	assert.Equal(t, map[notify.State]int{notify.Pending: 2, notify.Sent: 0, notify.Failed: 0}, counts(t, s, "acme"))
}

// testOutboxIdempotency_NTF1: a key the service has is skipped without an
// error; the other messages of the call are stored.
func testOutboxIdempotency(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	first := mkMessage(1)
	enqueue(t, s, "acme", first)

	again := mkMessage(2)
	again.IdempotencyKey = first.IdempotencyKey
	fresh := mkMessage(3)
	twin1, twin2 := mkMessage(4), mkMessage(5)
	twin2.IdempotencyKey = twin1.IdempotencyKey // twice in one call: the first wins
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Enqueue(ctx, again, fresh, twin1, twin2))
		// the transaction stays usable
		_, err := r.Outbox().Get(ctx, fresh.ID)
		return err
	})
	assert.Equal(t, stored(first, "acme"), mustMessage(t, s, "acme", first.ID), "the first message is untouched")
	assert.Equal(t, stored(fresh, "acme"), mustMessage(t, s, "acme", fresh.ID))
	assert.Equal(t, stored(twin1, "acme"), mustMessage(t, s, "acme", twin1.ID))
	for _, id := range []string{again.ID, twin2.ID} {
		_, err := getMessage(s, "acme", id)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	}
	// the same message again, id and key, is skipped too
	enqueue(t, s, "acme", first)
	assert.Equal(t, 3, counts(t, s, "acme")[notify.Pending])

	// keys are unique per service
	same := mkMessage(6)
	same.IdempotencyKey = first.IdempotencyKey
	enqueue(t, s, "other", same)
	assert.Equal(t, stored(same, "other"), mustMessage(t, s, "other", same.ID))
}

// testOutboxRollback_NTF1: a message belongs to its transaction: a failed
// transaction leaves none, and none is claimable before its commit.
func testOutboxRollback(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	m := mkMessage(1)
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Enqueue(ctx, m))
		_, err := r.Outbox().Get(ctx, m.ID)
		require.NoError(t, err, "the transaction sees its own message")
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = getMessage(s, "acme", m.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 0}, counts(t, s, "acme"))
	assert.Panics(t, func() {
		_ = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
			require.NoError(t, r.Outbox().Enqueue(ctx, m))
			panic("boom")
		})
	})
	_, err = getMessage(s, "acme", m.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)

	// the key of a rolled-back message is free
	enqueue(t, s, "acme", m)
	assert.Equal(t, stored(m, "acme"), mustMessage(t, s, "acme", m.ID))

	if !hasQueue(s) {
		return
	}
	q := queueOf(t, s)
	late := base.Add(time.Hour)
	m2 := mkMessage(2)
	var c1 []notify.Message
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Enqueue(ctx, m2))
		c1 = claim(t, q, "w1", late, time.Minute, 10)
		assert.Equal(t, []string{m.ID}, messageIDs(c1), "a message is not claimable before its transaction commits")
		return nil
	})
	c2 := claim(t, q, "w1", late, time.Minute, 10)
	assert.Equal(t, []string{m2.ID}, messageIDs(c2), "after the commit")
	require.NoError(t, settleOne(ctx, q, "w1", c2[0], notify.Outcome{State: notify.Sent, At: late}))

	// a failed message made pending by a transaction is claimable only
	// after the commit, and still failed after a rollback
	require.NoError(t, settleOne(ctx, q, "w1", c1[0], notify.Outcome{State: notify.Failed, At: late, Error: "550"}))
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Retry(ctx, m.ID, late))
		assert.Empty(t, claim(t, q, "w2", late.Add(time.Hour), time.Minute, 10), "not before the commit")
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, notify.Failed, mustMessage(t, s, "acme", m.ID).State)
	assert.Empty(t, claim(t, q, "w2", late.Add(time.Hour), time.Minute, 10))
}

// testOutboxTenantIsolation_SVC1: one service cannot see or retry another's
// messages.
func testOutboxTenantIsolation(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	m := mkMessage(1)
	enqueue(t, s, "a", m)
	if hasQueue(s) {
		q := queueOf(t, s)
		got := claim(t, q, "w1", base.Add(time.Hour), time.Minute, 10)
		require.Len(t, got, 1)
		require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Failed, At: base.Add(time.Hour), Error: "boom"}))
	}
	before := mustMessage(t, s, "a", m.ID)
	tx(t, s, "b", func(r helpdesk.Repos) error {
		_, err := r.Outbox().Get(ctx, m.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		p, err := r.Outbox().List(ctx, notify.Filter{})
		require.NoError(t, err)
		assert.Empty(t, p.Messages)
		assert.Empty(t, p.Next)
		assert.ErrorIs(t, r.Outbox().Retry(ctx, m.ID, base.Add(2*time.Hour)), helpdesk.ErrNotFound)
		c, err := r.Outbox().Counts(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 0}, c)
		// the same id and key in another service are another message
		return r.Outbox().Enqueue(ctx, m)
	})
	assert.Equal(t, stored(m, "b"), mustMessage(t, s, "b", m.ID))
	assert.Equal(t, before, mustMessage(t, s, "a", m.ID), "untouched by service b")
	if hasQueue(s) {
		// a settle naming the wrong service finds no claim
		q := queueOf(t, s)
		got := claim(t, q, "w1", base.Add(time.Hour), time.Minute, 10)
		require.Len(t, got, 1)
		assert.Equal(t, "b", got[0].ServiceID)
		wrong := got[0]
		wrong.ServiceID = "a"
		assert.ErrorIs(t, settleOne(ctx, q, "w1", wrong, notify.Outcome{State: notify.Sent, At: base.Add(time.Hour)}), notify.ErrLeaseLost)
		assert.Equal(t, before, mustMessage(t, s, "a", m.ID))
	}
}

// testOutboxPaging: List pages newest first (CreatedAt, then ID in byte
// order), every message exactly once, by state.
func testOutboxPaging(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	const n = 120
	ms := make([]notify.Message, n)
	for i := range ms {
		m := mkMessage(i / 4) // four messages share each instant
		// ids that sort differently in byte order and in a linguistic
		// collation ("B" < "a" in bytes)
		m.ID = fmt.Sprintf("%c-%s", "aBcD"[i%4], newID())
		ms[i] = m
	}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		for i := range n { // stored out of order
			if err := r.Outbox().Enqueue(ctx, ms[i*7%n]); err != nil {
				return err
			}
		}
		return nil
	})
	elsewhere := mkMessage(3)
	elsewhere.NextAttemptAt = base.Add(48 * time.Hour) // out of the claims below
	enqueue(t, s, "other", elsewhere)
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Enqueue(ctx, mkMessage(10)))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	state := map[string]notify.State{}
	for _, m := range ms {
		state[m.ID] = notify.Pending
	}
	if hasQueue(s) { // a third sent, a third failed, a third pending
		q := queueOf(t, s)
		now := base.Add(time.Hour)
		got := claim(t, q, "w1", now, time.Minute, 500)
		require.Len(t, got, n)
		for i, m := range got {
			o := notify.Outcome{State: []notify.State{notify.Sent, notify.Failed, notify.Pending}[i%3], At: now, Release: true}
			require.NoError(t, settleOne(ctx, q, "w1", m, o))
			state[m.ID] = o.State
		}
	}

	newestFirst := slices.Clone(ms)
	slices.SortFunc(newestFirst, func(a, b notify.Message) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
	})
	cases := []struct {
		f     notify.Filter
		pages int
	}{
		{notify.Filter{Limit: 50}, 3},
		{notify.Filter{}, 3}, // default page size 50
		{notify.Filter{Limit: 7}, 18},
		{notify.Filter{Limit: 500}, 1},
		{notify.Filter{Limit: 120}, 1},
		{notify.Filter{Limit: 119}, 2},
	}
	if hasQueue(s) {
		cases = append(cases, []struct {
			f     notify.Filter
			pages int
		}{
			{notify.Filter{State: notify.Sent, Limit: 7}, 6},
			{notify.Filter{State: notify.Failed, Limit: 40}, 1},
			{notify.Filter{State: notify.Pending, Limit: 13}, 4},
		}...)
	}
	for _, c := range cases {
		var want []string
		for _, m := range newestFirst {
			if c.f.State == "" || state[m.ID] == c.f.State {
				want = append(want, m.ID)
			}
		}
		var got []string
		f := c.f
		pages := 0
		for {
			require.Less(t, pages, 30)
			var p notify.Page
			tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
				p, err = r.Outbox().List(ctx, f)
				return err
			})
			pages++
			limit := cmp.Or(c.f.Limit, 50)
			assert.LessOrEqual(t, len(p.Messages), limit)
			for _, m := range p.Messages {
				got = append(got, m.ID)
				if c.f.State != "" {
					assert.Equal(t, c.f.State, m.State)
				}
			}
			if p.Next == "" {
				break
			}
			assert.Len(t, p.Messages, limit, "only the last page is short")
			f.Cursor = p.Next
		}
		assert.Equal(t, want, got, "filter %+v", c.f)
		assert.Equal(t, c.pages, pages, "filter %+v", c.f)
	}

	// a page's messages are whole
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		p, err := r.Outbox().List(ctx, notify.Filter{Limit: 1})
		require.NoError(t, err)
		require.Len(t, p.Messages, 1)
		m, err := r.Outbox().Get(ctx, p.Messages[0].ID)
		require.NoError(t, err)
		assert.Equal(t, m, p.Messages[0])
		return nil
	})

	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Outbox().List(ctx, notify.Filter{Cursor: "garbage", Limit: -1, State: "nope"})
		return err
	})
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("cursor") && ve.Has("limit") && ve.Has("state"), "%v", err)
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		_, err := r.Outbox().List(ctx, notify.Filter{Limit: 501})
		return err
	})
	require.ErrorAs(t, err, &ve)
}

// testOutboxCountsRetry: Counts names every state; Retry makes a failed
// message pending again, due now, attempts reset, the error kept.
func testOutboxCountsRetry(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	q := queueOf(t, s)
	ms := []notify.Message{mkMessage(1), mkMessage(2), mkMessage(3), mkMessage(4), mkMessage(5)}
	enqueue(t, s, "acme", ms...)
	now := base.Add(time.Hour)
	got := claim(t, q, "w1", now, time.Minute, 3)
	require.Equal(t, messageIDs(ms[:3]), messageIDs(got))
	require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Sent, At: now}))
	require.NoError(t, settleOne(ctx, q, "w1", got[1], notify.Outcome{State: notify.Failed, At: now, Error: "550 no such user"}))
	require.NoError(t, settleOne(ctx, q, "w1", got[2], notify.Outcome{State: notify.Pending, At: now, Release: true}))
	assert.Equal(t, map[notify.State]int{notify.Pending: 3, notify.Sent: 1, notify.Failed: 1}, counts(t, s, "acme"))

	sent, failed, pending := ms[0], ms[1], ms[2]
	later := now.Add(time.Hour + 3*time.Microsecond)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		assert.ErrorIs(t, r.Outbox().Retry(ctx, newID(), later), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Outbox().Retry(ctx, sent.ID, later), helpdesk.ErrInvalid, "sent")
		assert.ErrorIs(t, r.Outbox().Retry(ctx, pending.ID, later), helpdesk.ErrInvalid, "pending")
		return nil
	})
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Outbox().Retry(ctx, failed.ID, later))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	before := mustMessage(t, s, "acme", failed.ID)
	assert.Equal(t, notify.Failed, before.State, "a failed transaction's retry rolls back")

	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Outbox().Retry(ctx, failed.ID, later) })
	want := before
	want.State, want.Attempts, want.NextAttemptAt, want.UpdatedAt = notify.Pending, 0, later, later
	assert.Equal(t, want, mustMessage(t, s, "acme", failed.ID))
	assert.Equal(t, "550 no such user", want.LastError, "the error is kept")
	assert.Equal(t, map[notify.State]int{notify.Pending: 4, notify.Sent: 1, notify.Failed: 0}, counts(t, s, "acme"))
	err = s.Tx(ctx, "acme", func(r helpdesk.Repos) error { return r.Outbox().Retry(ctx, failed.ID, later) })
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "pending now")

	// claimable again: the (older) released and unclaimed ones come first
	// by due time, the retried one last
	got = claim(t, q, "w2", later, time.Minute, 10)
	assert.Equal(t, []string{pending.ID, ms[3].ID, ms[4].ID, failed.ID}, messageIDs(got))
	assert.Equal(t, 1, got[3].Attempts)
}

// testQueueClaimOrder_NTF1: Claim takes due messages of every service,
// oldest due first (then by id), up to the limit.
func testQueueClaimOrder(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	q := queueOf(t, s)
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
	enqueue(t, s, "a", x3, x1, x5)
	enqueue(t, s, "b", x6, x4, x2)

	assert.Empty(t, claim(t, q, "w1", base, time.Hour, 10), "nothing due yet")
	now := base.Add(3 * time.Second)
	got := claim(t, q, "w1", now, time.Hour, 3)
	require.Equal(t, messageIDs([]notify.Message{x1, x2, x4}), messageIDs(got))
	want := stored(x1, "a")
	want.Attempts, want.UpdatedAt = 1, now
	assert.Equal(t, want, got[0], "the claimed message, attempt counted")
	assert.Equal(t, []string{"a", "b", "b"}, []string{got[0].ServiceID, got[1].ServiceID, got[2].ServiceID})
	assert.Equal(t, want, mustMessage(t, s, "a", x1.ID), "the claim is stored")

	assert.Equal(t, []string{x3.ID}, messageIDs(claim(t, q, "w2", now, time.Hour, 10)), "the others are leased")
	assert.Empty(t, claim(t, q, "w2", base.Add(4*time.Second), time.Hour, 10))
	assert.Equal(t, []string{x5.ID}, messageIDs(claim(t, q, "w2", base.Add(5*time.Second), time.Hour, 10)))
	assert.Empty(t, claim(t, q, "w2", base.Add(30*time.Minute), time.Hour, 10))
	assert.Empty(t, claim(t, q, "w2", base.Add(time.Hour), time.Hour, 0), "limit 0")
	assert.Equal(t, []string{x6.ID}, messageIDs(claim(t, q, "w2", base.Add(time.Hour), time.Hour, 10)), "due at exactly now")

	_, err := q.Claim(ctx, "", now, time.Hour, 10)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "a claim needs an owner")
	_, err = q.Claim(ctx, "w1", now, 0, 10)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "and a lease")
}

// testQueueLease_NTF1: a claimed message is nobody else's until its lease
// expires; then another owner can claim it and the first owner's claim is
// lost.
func testQueueLease(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	q := queueOf(t, s)
	m := mkMessage(1)
	enqueue(t, s, "acme", m)
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

	sent := notify.Outcome{State: notify.Sent, At: t0.Add(70 * time.Second)}
	assert.ErrorIs(t, settleOne(ctx, q, "w1", first[0], sent), notify.ErrLeaseLost, "taken over")
	assert.ErrorIs(t, settleOne(ctx, q, "", first[0], sent), notify.ErrLeaseLost)
	assert.Equal(t, notify.Pending, mustMessage(t, s, "acme", m.ID).State)
	require.NoError(t, settleOne(ctx, q, "w2", second[0], sent))
	assert.ErrorIs(t, settleOne(ctx, q, "w2", second[0], sent), notify.ErrLeaseLost, "settled already")
	got := mustMessage(t, s, "acme", m.ID)
	assert.Equal(t, notify.Sent, got.State)
	assert.Equal(t, 2, got.Attempts)
	assert.Empty(t, claim(t, q, "w3", t0.Add(time.Hour), time.Minute, 10))

	// an expired lease nobody took is still the owner's
	m2 := mkMessage(2)
	enqueue(t, s, "acme", m2)
	c := claim(t, q, "w1", t0, time.Minute, 10)
	require.Len(t, c, 1)
	require.NoError(t, settleOne(ctx, q, "w1", c[0], notify.Outcome{State: notify.Sent, At: t0.Add(time.Hour)}))
	assert.ErrorIs(t, settleOne(ctx, q, "w1", mkMessage(3), sent), notify.ErrLeaseLost, "unknown message")
	assert.ErrorIs(t, settleOne(ctx, q, "w1", c[0], notify.Outcome{State: "bogus", At: base}), helpdesk.ErrInvalid)
}

// testQueueSettle_NTF1: each outcome of a delivery attempt.
func testQueueSettle(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	q := queueOf(t, s)
	ms := []notify.Message{mkMessage(1), mkMessage(2), mkMessage(3), mkMessage(4)}
	enqueue(t, s, "acme", ms...)
	now := base.Add(time.Hour)
	got := claim(t, q, "w1", now, time.Minute, 10)
	require.Equal(t, messageIDs(ms), messageIDs(got))
	at := now.Add(1234 * time.Microsecond)
	next := now.Add(10*time.Minute + 7*time.Microsecond)

	require.NoError(t, settleOne(ctx, q, "w1", got[0], notify.Outcome{State: notify.Sent, At: at}))
	want := got[0]
	want.State, want.SentAt, want.UpdatedAt = notify.Sent, at, at
	assert.Equal(t, want, mustMessage(t, s, "acme", ms[0].ID), "sent")

	require.NoError(t, settleOne(ctx, q, "w1", got[1], notify.Outcome{State: notify.Failed, At: at, Error: "550 rejected"}))
	want = got[1]
	want.State, want.LastError, want.UpdatedAt = notify.Failed, "550 rejected", at
	assert.Equal(t, want, mustMessage(t, s, "acme", ms[1].ID), "failed for good")

	require.NoError(t, settleOne(ctx, q, "w1", got[2], notify.Outcome{State: notify.Pending, At: at, NextAttemptAt: next, Error: "timeout"}))
	want = got[2]
	want.NextAttemptAt, want.LastError, want.UpdatedAt = next, "timeout", at
	assert.Equal(t, want, mustMessage(t, s, "acme", ms[2].ID), "retry later")

	require.NoError(t, settleOne(ctx, q, "w1", got[3], notify.Outcome{State: notify.Pending, At: at, Release: true, Error: "ignored"}))
	want = got[3]
	want.Attempts, want.UpdatedAt = 0, at
	assert.Equal(t, want, mustMessage(t, s, "acme", ms[3].ID), "released: the attempt is not counted")

	// the released one is claimable at once, the retried one at its time;
	// sent and failed ones never
	again := claim(t, q, "w2", at, time.Hour, 10)
	require.Equal(t, []string{ms[3].ID}, messageIDs(again))
	assert.Equal(t, 1, again[0].Attempts)
	assert.Empty(t, claim(t, q, "w2", next.Add(-time.Microsecond), time.Hour, 10))
	later := claim(t, q, "w2", next, time.Hour, 10)
	require.Equal(t, []string{ms[2].ID}, messageIDs(later))
	assert.Equal(t, 2, later[0].Attempts)
	assert.Equal(t, "timeout", later[0].LastError)
	assert.Empty(t, claim(t, q, "w3", next.Add(30*time.Minute), time.Hour, 10), "leased or settled")
	assert.Equal(t, map[notify.State]int{notify.Pending: 2, notify.Sent: 1, notify.Failed: 1}, counts(t, s, "acme"))
}

// testQueueConcurrentClaims: claimers running at once never get the same
// message, and together get every one.
func testQueueConcurrentClaims(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	q := queueOf(t, s)
	const n, workers, batch = 500, 8, 10
	byService := map[string][]notify.Message{}
	for i := range n {
		sid := []string{"a", "b"}[i%2]
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
}

// testRecipients_NTF3: external recipients have CRUD, per service.
func testRecipients(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "a")
	mkService(t, s, "b")
	kim := notify.Recipient{ID: "a-" + newID(), Name: "kim", Email: "kim@example.com", Phone: "010-1234-5678",
		DoorayHookURL: "https://hook.dooray.com/services/1/2/abc", CreatedAt: base.Add(7 * time.Microsecond),
		UpdatedAt: base.Add(time.Second + 9*time.Microsecond)}
	lee1 := notify.Recipient{ID: "a-" + newID(), Name: "Lee", Email: "lee@example.com", CreatedAt: base, UpdatedAt: base}
	lee2 := notify.Recipient{ID: "B-" + newID(), Name: "Lee", Phone: "010", CreatedAt: base, UpdatedAt: base}
	list := func(service string) []notify.Recipient {
		t.Helper()
		var l []notify.Recipient
		tx(t, s, service, func(r helpdesk.Repos) (err error) {
			l, err = r.Recipients().List(ctx)
			return err
		})
		return l
	}
	assert.Empty(t, list("a"))
	tx(t, s, "a", func(r helpdesk.Repos) error {
		for _, rc := range []notify.Recipient{kim, lee1, lee2} {
			require.NoError(t, r.Recipients().Create(ctx, rc))
		}
		// a taken id is a conflict; the transaction stays usable
		assert.ErrorIs(t, r.Recipients().Create(ctx, notify.Recipient{ID: kim.ID, Name: "x", CreatedAt: base, UpdatedAt: base}), helpdesk.ErrConflict)
		got, err := r.Recipients().Get(ctx, kim.ID)
		require.NoError(t, err)
		assert.Equal(t, kim, got)
		_, err = r.Recipients().Get(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []notify.Recipient{lee2, lee1, kim}, list("a"), "by name, then id, in byte order")

	upd := kim
	upd.Name, upd.Email, upd.Phone, upd.DoorayHookURL = "Kim Minji", "", "010-9999", ""
	upd.UpdatedAt = base.Add(time.Hour + 3*time.Microsecond)
	tx(t, s, "a", func(r helpdesk.Repos) error {
		changed := upd
		changed.CreatedAt = base.Add(48 * time.Hour)
		return r.Recipients().Update(ctx, changed)
	})
	got := list("a")
	assert.Equal(t, []notify.Recipient{upd, lee2, lee1}, got, "every field but the creation time")

	// another service sees none of them and can reuse an id
	tx(t, s, "b", func(r helpdesk.Repos) error {
		_, err := r.Recipients().Get(ctx, kim.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Recipients().Update(ctx, notify.Recipient{ID: kim.ID, Name: "hijack"}), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Recipients().Delete(ctx, kim.ID), helpdesk.ErrNotFound)
		l, err := r.Recipients().List(ctx)
		require.NoError(t, err)
		assert.Empty(t, l)
		return r.Recipients().Create(ctx, notify.Recipient{ID: kim.ID, Name: "other kim", CreatedAt: base, UpdatedAt: base})
	})
	assert.Equal(t, []notify.Recipient{upd, lee2, lee1}, list("a"), "untouched by service b")
	assert.Len(t, list("b"), 1)
	err := s.Tx(ctx, "nope", func(r helpdesk.Repos) error {
		return r.Recipients().Create(ctx, notify.Recipient{ID: newID(), Name: "x", CreatedAt: base, UpdatedAt: base})
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a recipient needs its service")

	err = s.Tx(ctx, "a", func(r helpdesk.Repos) error {
		require.NoError(t, r.Recipients().Delete(ctx, lee1.ID))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Len(t, list("a"), 3, "a failed delete rolls back")
	tx(t, s, "a", func(r helpdesk.Repos) error {
		require.NoError(t, r.Recipients().Delete(ctx, lee1.ID))
		assert.ErrorIs(t, r.Recipients().Delete(ctx, lee1.ID), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Recipients().Update(ctx, lee1), helpdesk.ErrNotFound)
		_, err := r.Recipients().Get(ctx, lee1.ID)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		return nil
	})
	assert.Equal(t, []notify.Recipient{upd, lee2}, list("a"))
}

// testSurgeState_NTF2: the time of the last surge alert is kept per
// service, rolls back with its transaction, and its lock makes concurrent
// deciders take turns.
func testSurgeState(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	last := func(service string) time.Time {
		t.Helper()
		var at time.Time
		tx(t, s, service, func(r helpdesk.Repos) (err error) {
			at, err = r.Surge().LockLastAlert(ctx)
			return err
		})
		return at
	}
	assert.True(t, last("acme").IsZero(), "never alerted")
	assert.True(t, last("acme").IsZero(), "still never")
	t1 := base.Add(time.Minute + 7*time.Microsecond)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		at, err := r.Surge().LockLastAlert(ctx)
		require.NoError(t, err)
		assert.True(t, at.IsZero())
		require.NoError(t, r.Surge().SetLastAlert(ctx, t1))
		at, err = r.Surge().LockLastAlert(ctx)
		require.NoError(t, err)
		assert.Equal(t, t1, at, "the transaction sees its write")
		return nil
	})
	assert.Equal(t, t1, last("acme"))
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Surge().SetLastAlert(ctx, t1.Add(time.Hour)))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, t1, last("acme"), "a failed transaction rolls back")
	assert.True(t, last("other").IsZero(), "per service")
	tx(t, s, "other", func(r helpdesk.Repos) error { return r.Surge().SetLastAlert(ctx, base) }) // without a lock first
	assert.Equal(t, base, last("other"))
	assert.Equal(t, t1, last("acme"))

	// read, then write one step later: with the lock no step is lost
	fresh := "fresh"
	mkService(t, s, fresh)
	const workers, each = 6, 5
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				err := s.Tx(ctx, fresh, func(r helpdesk.Repos) error {
					at, err := r.Surge().LockLastAlert(ctx)
					if err != nil {
						return err
					}
					if at.IsZero() {
						at = base
					}
					return r.Surge().SetLastAlert(ctx, at.Add(time.Second))
				})
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, base.Add(workers*each*time.Second), last(fresh))
}

// testCountCreatedSince_NTF2: surge alerts count the tickets created at or
// after a time, per service.
func testCountCreatedSince(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mkService(t, s, "acme")
	mkService(t, s, "other")
	for i := range 10 {
		create(t, s, "acme", mkTicket(i)) // created at base + i seconds
	}
	create(t, s, "other", mkTicket(9))
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error {
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
	assert.Equal(t, 10, count("acme", time.Time{}))
	assert.Equal(t, 10, count("acme", base))
	assert.Equal(t, 5, count("acme", base.Add(5*time.Second)), "at or after")
	assert.Equal(t, 4, count("acme", base.Add(5*time.Second+time.Microsecond)))
	assert.Equal(t, 0, count("acme", base.Add(time.Hour)))
	assert.Equal(t, 1, count("other", base))
	assert.Equal(t, 0, count("nope", base))
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

// testQueueSettleBatch: one Settle call applies every outcome it still owns
// and returns the rest as lost.
func testQueueSettleBatch(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	q := queueOf(t, s)
	mkService(t, s, "acme")
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		for i := range 4 {
			if err := r.Outbox().Enqueue(ctx, mkMessage(i)); err != nil {
				return err
			}
		}
		return nil
	})
	claimed, err := q.Claim(ctx, "w1", base.Add(time.Hour), time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 4)
	at := base.Add(time.Hour)
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
	_, err = q.Settle(ctx, "w1", []notify.Result{{Message: claimed[3], Outcome: notify.Outcome{State: "bogus", At: at}}})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		counts, err := r.Outbox().Counts(ctx)
		require.NoError(t, err)
		assert.Equal(t, map[notify.State]int{notify.Sent: 1, notify.Failed: 1, notify.Pending: 2}, counts)
		m, err := r.Outbox().Get(ctx, claimed[3].ID)
		require.NoError(t, err)
		assert.Equal(t, 1, m.Attempts, "the bogus batch changed nothing")
		return nil
	})
}
