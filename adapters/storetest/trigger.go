package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/trigger"
)

// testTriggerRepository holds the conformance cases of trigger.Repository:
// rows stored and read back as given (Active and Position too), the keys
// (id; one position per list, checked per statement), the lock, the
// trigger-set version, tenant isolation, rollback and aliasing. The order
// rules of TRG-1 are not the store's: trigger/order_test.go and the
// trigger workflow cases test them.
func testTriggerRepository(t *testing.T, s helpdesk.Store) {
	// run runs a case on a service of its own, in parallel with the others.
	run := func(t *testing.T, name string, fn func(t *testing.T, svc string)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc := newID()
			mkService(t, s, svc)
			fn(t, svc)
		})
	}
	t.Run("Lock", func(t *testing.T) {
		run(t, "KeepsVersion", func(t *testing.T, svc string) { testTriggerLockKeepsVersion(t, s, svc) })
		run(t, "SerialisesWriters_TRG1", func(t *testing.T, svc string) { testTriggerLockSerialises(t, s, svc) })
		t.Run("UnknownService", func(t *testing.T) {
			t.Parallel()
			err := s.Tx(context.Background(), newID(), func(r helpdesk.Repos) error { return r.Triggers().Lock(context.Background()) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
	})
	t.Run("Insert", func(t *testing.T) {
		run(t, "AsGiven", func(t *testing.T, svc string) { testTriggerInsertAsGiven(t, s, svc) })
		run(t, "RoundTrip", func(t *testing.T, svc string) { testTriggerRoundTrip(t, s, svc) })
		run(t, "EmptyLists", func(t *testing.T, svc string) { testTriggerEmptyLists(t, s, svc) })
		run(t, "IDTaken", func(t *testing.T, svc string) { testTriggerInsertIDTaken(t, s, svc) })
		run(t, "PositionTaken", func(t *testing.T, svc string) { testTriggerInsertPositionTaken(t, s, svc) })
		run(t, "Aliasing", func(t *testing.T, svc string) { testTriggerInsertAliasing(t, s, svc) })
		t.Run("UnknownService", func(t *testing.T) {
			t.Parallel()
			err := s.Tx(context.Background(), newID(), func(r helpdesk.Repos) error {
				return r.Triggers().Insert(context.Background(), mkTrigger("orphan", true, 0))
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a trigger needs its service")
		})
	})
	t.Run("Get", func(t *testing.T) {
		run(t, "NotFound", func(t *testing.T, svc string) {
			_, err := trgGet(s, svc, newID())
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		run(t, "Aliasing", func(t *testing.T, svc string) { testTriggerGetAliasing(t, s, svc) })
	})
	t.Run("List", func(t *testing.T) {
		run(t, "Empty", func(t *testing.T, svc string) { assert.Empty(t, trgList(t, s, svc)) })
		run(t, "Order", func(t *testing.T, svc string) { testTriggerListOrder(t, s, svc) })
		run(t, "Aliasing", func(t *testing.T, svc string) { testTriggerListAliasing(t, s, svc) })
	})
	t.Run("Save", func(t *testing.T) {
		run(t, "EveryField", func(t *testing.T, svc string) { testTriggerSaveEveryField(t, s, svc) })
		run(t, "PositionsAsOneChange", func(t *testing.T, svc string) { testTriggerSavePositions(t, s, svc) })
		run(t, "PositionTaken", func(t *testing.T, svc string) { testTriggerSavePositionTaken(t, s, svc) })
		run(t, "NotFound", func(t *testing.T, svc string) { testTriggerSaveNotFound(t, s, svc) })
		run(t, "Nothing", func(t *testing.T, svc string) { testTriggerSaveNothing(t, s, svc) })
		run(t, "Aliasing", func(t *testing.T, svc string) { testTriggerSaveAliasing(t, s, svc) })
	})
	t.Run("Delete", func(t *testing.T) {
		run(t, "Removes", func(t *testing.T, svc string) { testTriggerDelete(t, s, svc) })
		run(t, "NotFound", func(t *testing.T, svc string) {
			err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(context.Background(), newID()) })
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.Equal(t, "", trgVersion(t, s, svc), "a refused write is no write")
		})
	})
	t.Run("Touch", func(t *testing.T) {
		run(t, "NoTrigger", func(t *testing.T, svc string) {
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Touch(context.Background()) })
			assert.Equal(t, "", trgVersion(t, s, svc), "touching a service without triggers keeps no version")
		})
		run(t, "NewVersion", func(t *testing.T, svc string) {
			trgInsert(t, s, svc, mkTrigger("a", true, 0))
			v := trgVersion(t, s, svc)
			tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Touch(context.Background()) })
			assert.NotEqual(t, v, trgVersion(t, s, svc))
		})
	})
	t.Run("Version", func(t *testing.T) {
		run(t, "EveryWrite", func(t *testing.T, svc string) { testTriggerVersion(t, s, svc) })
		run(t, "Rollback", func(t *testing.T, svc string) { testTriggerVersionRollback(t, s, svc) })
	})
	run(t, "TenantIsolation_SVC1", func(t *testing.T, svc string) { testTriggerIsolation(t, s, svc) })
	run(t, "Rollback", func(t *testing.T, svc string) { testTriggerRollback(t, s, svc) })
}

// trgAt is the time of the i-th write of a trigger test.
func trgAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 5*time.Microsecond) }

// mkTrigger returns a trigger named name with one condition and one
// action, at position pos of its list.
func mkTrigger(name string, active bool, pos int) trigger.Trigger {
	return trigger.Trigger{
		ID: newID(), Name: name, Description: "about " + name,
		All:       []trigger.Condition{{Target: "status", Op: trigger.Is, Value: "new"}},
		Actions:   []trigger.Action{{Kind: trigger.AddTags, Tags: []string{name}}},
		Active:    active,
		Position:  pos,
		CreatedAt: trgAt(1), UpdatedAt: trgAt(1),
	}
}

// trgInsert stores triggers in one transaction, in order.
func trgInsert(t *testing.T, s helpdesk.Store, svc string, ts ...trigger.Trigger) {
	t.Helper()
	tx(t, s, svc, func(r helpdesk.Repos) error {
		for _, tr := range ts {
			if err := r.Triggers().Insert(context.Background(), tr); err != nil {
				return err
			}
		}
		return nil
	})
}

// trgSave saves rows in one call and transaction.
func trgSave(s helpdesk.Store, svc string, rows ...trigger.Trigger) error {
	return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Triggers().Save(context.Background(), rows...) })
}

func trgGet(s helpdesk.Store, svc, id string) (trigger.Trigger, error) {
	return read(s, svc, func(r helpdesk.Repos) (trigger.Trigger, error) { return r.Triggers().Get(context.Background(), id) })
}

func trgList(t *testing.T, s helpdesk.Store, svc string) []trigger.Trigger {
	t.Helper()
	return mustRead(t, s, svc, func(r helpdesk.Repos) ([]trigger.Trigger, error) { return r.Triggers().List(context.Background()) })
}

func trgVersion(t *testing.T, s helpdesk.Store, svc string) string {
	t.Helper()
	return mustRead(t, s, svc, func(r helpdesk.Repos) (string, error) { return r.Triggers().Version(context.Background()) })
}

func testTriggerLockKeepsVersion(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	lock := func() { tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Lock(ctx) }) }
	lock()
	assert.Equal(t, "", trgVersion(t, s, svc), "a service that never had a trigger")
	assert.Empty(t, trgList(t, s, svc))
	trgInsert(t, s, svc, mkTrigger("a", true, 0))
	v := trgVersion(t, s, svc)
	lock()
	assert.Equal(t, v, trgVersion(t, s, svc), "locking is no write")
}

// testTriggerLockSerialises: transactions that lock, read the list and
// append to it (as the create workflow does) run one at a time, so the
// positions they compute never clash.
func testTriggerLockSerialises(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	const n = 12
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
				if err := r.Triggers().Lock(ctx); err != nil {
					return err
				}
				ts, err := r.Triggers().List(ctx)
				if err != nil {
					return err
				}
				return r.Triggers().Insert(ctx, mkTrigger(fmt.Sprintf("t%d", k), true, len(ts)))
			})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	var positions []int
	for _, tr := range trgList(t, s, svc) {
		positions = append(positions, tr.Position)
	}
	want := make([]int, n)
	for k := range want {
		want[k] = k
	}
	assert.Equal(t, want, positions, "positions 0..n-1, each once")
}

func testTriggerInsertAsGiven(t *testing.T, s helpdesk.Store, svc string) {
	// Positions as given, gaps included: placing is the caller's job.
	in := []trigger.Trigger{mkTrigger("a5", true, 5), mkTrigger("i0", false, 0), mkTrigger("a0", true, 0), mkTrigger("i7", false, 7)}
	trgInsert(t, s, svc, in...)
	for _, want := range in {
		g, err := trgGet(s, svc, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, g)
	}
	assert.NotEqual(t, "", trgVersion(t, s, svc))
}

func testTriggerInsertIDTaken(t *testing.T, s helpdesk.Store, svc string) {
	a := mkTrigger("a", true, 0)
	trgInsert(t, s, svc, a)
	v := trgVersion(t, s, svc)
	dup := mkTrigger("dup", false, 3)
	dup.ID = a.ID
	err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Triggers().Insert(context.Background(), dup) })
	assert.ErrorIs(t, err, helpdesk.ErrConflict, "id in use")
	g, err := trgGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, g, "untouched by the refused insert")
	assert.Equal(t, v, trgVersion(t, s, svc))
}

func testTriggerInsertPositionTaken(t *testing.T, s helpdesk.Store, svc string) {
	a := mkTrigger("a", true, 1)
	trgInsert(t, s, svc, a)
	v := trgVersion(t, s, svc)
	err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error {
		return r.Triggers().Insert(context.Background(), mkTrigger("b", true, 1))
	})
	assert.ErrorIs(t, err, helpdesk.ErrConflict, "one trigger per position of a list")
	assert.Equal(t, []trigger.Trigger{a}, trgList(t, s, svc))
	assert.Equal(t, v, trgVersion(t, s, svc))
	i := mkTrigger("i", false, 1)
	trgInsert(t, s, svc, i)
	assert.Equal(t, []trigger.Trigger{a, i}, trgList(t, s, svc), "the other list's position 1 is free")
}

func testTriggerRoundTrip(t *testing.T, s helpdesk.Store, svc string) {
	kst := time.FixedZone("KST", 9*60*60)
	in := trigger.Trigger{
		ID: newID(), Name: "환불 문의 → 결제 그룹", Description: `<b>"quoted" & escaped</b>`,
		All: []trigger.Condition{
			{Target: "title", Op: trigger.Contains, Value: "환불"},
			{Target: "title", Op: trigger.IsNot, Value: ""},
			{Target: "priority", Op: trigger.In, Value: []string{"high", "urgent"}},
			{Target: "tags", Op: trigger.Contains, Value: []string{}},
			{Target: "customer_fields.size", Op: trigger.GreaterThan, Value: 42.5},
			{Target: "agent_fields.score", Op: trigger.LessThan, Value: float64(0)},
			{Target: "customer_fields.vip", Op: trigger.Is, Value: true},
			{Target: "customer_fields.blocked", Op: trigger.Is, Value: false},
			{Target: "assignee", Op: trigger.Changed, Value: nil},
		},
		Any: []trigger.Condition{
			{Target: "status", Op: trigger.ChangedTo, Value: "open"},
			{Target: "intake_category", Op: trigger.IsUnder, Value: newID()},
			{Target: "customer_fields.count", Op: trigger.GreaterThan, Value: float64(1 << 40)},
			{Target: "content", Op: trigger.ContainsWords, Value: []string{"refund", "환불"}},
			{Target: "processing_category", Op: trigger.IsUnderAny, Value: []string{newID(), newID()}},
		},
		Actions: []trigger.Action{
			{Kind: trigger.AssignFixed, GroupID: newID(), AgentID: newID()},
			{Kind: trigger.AssignRoundRobin, GroupID: newID()},
			{Kind: trigger.SetStatus, Value: "solved"},
			{Kind: trigger.SetPriority, Value: "urgent"},
			{Kind: trigger.SetProcessingCategory, CategoryID: newID()},
			{Kind: trigger.SetField, Field: "customer_fields.colors", Value: []string{"red", "blue"}},
			{Kind: trigger.SetField, Field: "customer_fields.size", Value: 3.25},
			{Kind: trigger.SetField, Field: "agent_fields.vip", Value: true},
			{Kind: trigger.SetField, Field: "agent_fields.note", Value: nil},
			{Kind: trigger.AddTags, Tags: []string{"billing", "환불"}},
			{Kind: trigger.RemoveTags, Tags: []string{"new"}},
			{Kind: trigger.Note, Body: i18n.Text{"ko": "결제 건입니다", "en": "A billing case"}},
			{Kind: trigger.Notify, Recipient: trigger.RecipientGroup,
				Subject: i18n.Text{"ko": "#{ticketNumber} 환불", "en": "#{ticketNumber} refund"},
				Body:    i18n.Text{"ko": "본문 <#{title}>", "en": "Body & <#{title}>"}},
			{Kind: trigger.Forward, Addresses: []string{"a@example.com", "b@example.com"}},
			{Kind: trigger.ForwardAndComplete, Addresses: []string{"c@example.com"}},
			{Kind: trigger.Callback, URL: "https://example.com/hook?a=1&b=2"},
			{Kind: trigger.Dooray, URL: "https://hook.dooray.com/services/1/2/3", Body: i18n.Text{"ko": "새 티켓"}},
			{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "접수되었습니다"}},
			{Kind: trigger.SMS, Addresses: []string{"01012345678"}, Body: i18n.Text{"en": "Received"}},
		},
		Active:    true,
		Position:  3,
		CreatedAt: trgAt(1).In(kst).Add(789 * time.Nanosecond),
		UpdatedAt: trgAt(2).In(kst),
	}
	want := in.Clone()
	want.CreatedAt, want.UpdatedAt = trgAt(1), trgAt(2) // microseconds, UTC
	trgInsert(t, s, svc, in)
	g, err := trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, want, g, "every value shape reads back as written")
	assert.Equal(t, []trigger.Trigger{want}, trgList(t, s, svc))

	// Save round-trips the same shapes.
	upd := want.Clone()
	upd.All, upd.Any = want.Any, want.All
	upd.Actions = slices.Clone(want.Actions)
	slices.Reverse(upd.Actions)
	require.NoError(t, trgSave(s, svc, upd))
	g, err = trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, upd, g)
}

func testTriggerEmptyLists(t *testing.T, s helpdesk.Store, svc string) {
	// empty lists and an empty description read back empty
	bare := trigger.Trigger{ID: newID(), Name: "bare", All: []trigger.Condition{}, Actions: []trigger.Action{},
		CreatedAt: trgAt(3), UpdatedAt: trgAt(3)}
	trgInsert(t, s, svc, bare)
	g, err := trgGet(s, svc, bare.ID)
	require.NoError(t, err)
	want := bare
	want.All, want.Actions = nil, nil
	assert.Equal(t, want, g)
	bare.Any = []trigger.Condition{}
	require.NoError(t, trgSave(s, svc, bare))
	g, err = trgGet(s, svc, bare.ID)
	require.NoError(t, err)
	assert.Equal(t, want, g, "through Save too")
}

// aliasTrigger changes every list, map and list value of tr in place.
func aliasTrigger(tr trigger.Trigger) {
	tr.All[0].Value.([]string)[0] = "changed"
	tr.All[1].Value = "changed"
	tr.Actions[0].Tags[0] = "changed"
	tr.Actions[1].Value.([]string)[0] = "changed"
	tr.Actions[2].Subject["ko"] = "changed"
	tr.Actions[2].Body["en"] = "changed"
	tr.Actions[3].Addresses[0] = "changed@example.com"
	tr.Actions[4].URL = "https://changed.example"
	tr.Any[0].Op = trigger.IsNot
}

// aliasable returns a trigger with every kind of list, map and list value.
func aliasable(active bool, pos int) trigger.Trigger {
	tr := mkTrigger("alias", active, pos)
	tr.All = []trigger.Condition{{Target: "priority", Op: trigger.In, Value: []string{"high", "urgent"}},
		{Target: "title", Op: trigger.Contains, Value: "refund"}}
	tr.Any = []trigger.Condition{{Target: "status", Op: trigger.Is, Value: "new"}}
	tr.Actions = []trigger.Action{
		{Kind: trigger.AddTags, Tags: []string{"a", "b"}},
		{Kind: trigger.SetField, Field: "customer_fields.colors", Value: []string{"red", "blue"}},
		{Kind: trigger.Notify, Recipient: trigger.RecipientGroup, Subject: i18n.Text{"ko": "제목"}, Body: i18n.Text{"en": "body"}},
		{Kind: trigger.Forward, Addresses: []string{"a@example.com"}},
		{Kind: trigger.Callback, URL: "https://example.com/hook"},
	}
	return tr
}

func testTriggerInsertAliasing(t *testing.T, s helpdesk.Store, svc string) {
	in := aliasable(true, 0)
	want := in.Clone()
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Insert(context.Background(), in))
		aliasTrigger(in) // inside the transaction, after the write
		return nil
	})
	g, err := trgGet(s, svc, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, g, "the store keeps no reference to what was inserted")
}

func testTriggerSaveAliasing(t *testing.T, s helpdesk.Store, svc string) {
	in := aliasable(false, 0)
	trgInsert(t, s, svc, in)
	upd := aliasable(false, 0)
	upd.ID, upd.Name = in.ID, "saved"
	want := upd.Clone()
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Save(context.Background(), upd))
		aliasTrigger(upd)
		return nil
	})
	g, err := trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, want, g, "the store keeps no reference to what was saved")
}

func testTriggerGetAliasing(t *testing.T, s helpdesk.Store, svc string) {
	in := aliasable(true, 0)
	trgInsert(t, s, svc, in)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		g, err := r.Triggers().Get(context.Background(), in.ID)
		require.NoError(t, err)
		aliasTrigger(g)
		g.Actions = append(g.Actions[:1], g.Actions[2:]...)
		again, err := r.Triggers().Get(context.Background(), in.ID)
		require.NoError(t, err)
		assert.Equal(t, in, again, "values read back share no memory with the store")
		return nil
	})
}

func testTriggerListAliasing(t *testing.T, s helpdesk.Store, svc string) {
	in := aliasable(true, 0)
	trgInsert(t, s, svc, in)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		l, err := r.Triggers().List(context.Background())
		require.NoError(t, err)
		require.Len(t, l, 1)
		aliasTrigger(l[0])
		l[0].Position = 9
		again, err := r.Triggers().List(context.Background())
		require.NoError(t, err)
		assert.Equal(t, []trigger.Trigger{in}, again, "values read back share no memory with the store")
		return nil
	})
}

func testTriggerListOrder(t *testing.T, s helpdesk.Store, svc string) {
	a0, a1, a2 := mkTrigger("a0", true, 0), mkTrigger("a1", true, 1), mkTrigger("a2", true, 2)
	i0, i1 := mkTrigger("i0", false, 0), mkTrigger("i1", false, 1)
	trgInsert(t, s, svc, i1, a2, i0, a0, a1)
	assert.Equal(t, []trigger.Trigger{a0, a1, a2, i0, i1}, trgList(t, s, svc), "active by position, then inactive by position")
}

func testTriggerSaveEveryField(t *testing.T, s helpdesk.Store, svc string) {
	a := mkTrigger("a", true, 0)
	trgInsert(t, s, svc, a)
	v := trgVersion(t, s, svc)
	upd := a
	upd.Name, upd.Description = "renamed", ""
	upd.All = nil
	upd.Any = []trigger.Condition{{Target: "priority", Op: trigger.In, Value: []string{"high"}}, {Target: "customer_fields.size", Op: trigger.LessThan, Value: 2.5}}
	upd.Actions = []trigger.Action{{Kind: trigger.SetField, Field: "agent_fields.ok", Value: false}, {Kind: trigger.Note, Body: i18n.Text{"ko": "메모"}}}
	upd.Active, upd.Position = false, 4
	upd.CreatedAt, upd.UpdatedAt = trgAt(7), trgAt(8)
	require.NoError(t, trgSave(s, svc, upd))
	g, err := trgGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, upd, g, "every field as given")
	assert.NotEqual(t, v, trgVersion(t, s, svc))
}

// testTriggerSavePositions: the positions of one Save are checked once
// it is all written, so rows can swap places or shift up.
func testTriggerSavePositions(t *testing.T, s helpdesk.Store, svc string) {
	a0, a1, a2 := mkTrigger("a0", true, 0), mkTrigger("a1", true, 1), mkTrigger("a2", true, 2)
	trgInsert(t, s, svc, a0, a1, a2)
	a0.Position, a2.Position = 2, 0
	require.NoError(t, trgSave(s, svc, a0, a2), "a swap")
	assert.Equal(t, []trigger.Trigger{a2, a1, a0}, trgList(t, s, svc))

	a2.Active, a2.Position = false, 0
	a1.Position, a0.Position = 0, 1
	require.NoError(t, trgSave(s, svc, a2, a1, a0), "a move to the other list, closing the gap")
	assert.Equal(t, []trigger.Trigger{a1, a0, a2}, trgList(t, s, svc))
}

func testTriggerSavePositionTaken(t *testing.T, s helpdesk.Store, svc string) {
	a0, a1, i0 := mkTrigger("a0", true, 0), mkTrigger("a1", true, 1), mkTrigger("i0", false, 0)
	trgInsert(t, s, svc, a0, a1, i0)
	before, v := trgList(t, s, svc), trgVersion(t, s, svc)
	for name, rows := range map[string][]trigger.Trigger{
		"onto another":        {{ID: a1.ID, Name: "a1", Active: true, Position: 0, CreatedAt: trgAt(1), UpdatedAt: trgAt(1)}},
		"into the other list": {{ID: i0.ID, Name: "i0", Active: true, Position: 1, CreatedAt: trgAt(1), UpdatedAt: trgAt(1)}},
	} {
		err := trgSave(s, svc, rows...)
		assert.ErrorIs(t, err, helpdesk.ErrConflict, name)
	}
	assert.Equal(t, before, trgList(t, s, svc), "a refused save changes nothing")
	assert.Equal(t, v, trgVersion(t, s, svc))
}

func testTriggerSaveNotFound(t *testing.T, s helpdesk.Store, svc string) {
	a := mkTrigger("a", true, 0)
	trgInsert(t, s, svc, a)
	before, v := trgList(t, s, svc), trgVersion(t, s, svc)
	upd := a
	upd.Name = "renamed"
	err := trgSave(s, svc, upd, mkTrigger("ghost", false, 0))
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, before, trgList(t, s, svc), "the failed transaction leaves nothing")
	assert.Equal(t, v, trgVersion(t, s, svc))
}

func testTriggerSaveNothing(t *testing.T, s helpdesk.Store, svc string) {
	require.NoError(t, trgSave(s, svc))
	assert.Equal(t, "", trgVersion(t, s, svc))
	trgInsert(t, s, svc, mkTrigger("a", true, 0))
	v := trgVersion(t, s, svc)
	require.NoError(t, trgSave(s, svc))
	assert.Equal(t, v, trgVersion(t, s, svc), "saving nothing writes nothing")
}

func testTriggerDelete(t *testing.T, s helpdesk.Store, svc string) {
	a0, a1, i0 := mkTrigger("a0", true, 0), mkTrigger("a1", true, 1), mkTrigger("i0", false, 0)
	trgInsert(t, s, svc, a0, a1, i0)
	v := trgVersion(t, s, svc)
	del := func(id string) error {
		return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(context.Background(), id) })
	}
	require.NoError(t, del(a0.ID), "the store deletes an active trigger too: refusing is the caller's rule")
	_, err := trgGet(s, svc, a0.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, []trigger.Trigger{a1, i0}, trgList(t, s, svc), "the others stay as they are")
	assert.NotEqual(t, v, trgVersion(t, s, svc))
	assert.ErrorIs(t, del(a0.ID), helpdesk.ErrNotFound)
}

func testTriggerVersion(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	assert.Equal(t, "", trgVersion(t, s, svc), "a service that never had a trigger")
	seen := map[string]bool{"": true}
	fresh := func(msg string) {
		t.Helper()
		v := trgVersion(t, s, svc)
		assert.False(t, seen[v], "%s gives a new version", msg)
		seen[v] = true
		assert.Equal(t, v, trgVersion(t, s, svc), "reading is no change")
	}
	a := mkTrigger("a", true, 0)
	trgInsert(t, s, svc, a)
	fresh("insert")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Touch(ctx) })
	fresh("touch (a field was created or deleted)")
	var inside string
	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Insert(ctx, mkTrigger("b", true, 1)))
		var err error
		inside, err = r.Triggers().Version(ctx)
		return err
	})
	assert.Equal(t, inside, trgVersion(t, s, svc), "the transaction sees its own version")
	fresh("another insert")
	upd := a
	upd.Name = "renamed"
	require.NoError(t, trgSave(s, svc, upd))
	fresh("save")
	require.NoError(t, trgSave(s, svc, upd))
	fresh("a save that writes the same")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(ctx, a.ID) })
	fresh("delete")
}

func testTriggerVersionRollback(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	// a failed first write leaves a fresh service with no version
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Lock(ctx))
		require.NoError(t, r.Triggers().Insert(ctx, mkTrigger("ghost", true, 0)))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Empty(t, trgList(t, s, svc))
	assert.Equal(t, "", trgVersion(t, s, svc))

	trgInsert(t, s, svc, mkTrigger("a", true, 0))
	v := trgVersion(t, s, svc)
	var inside string
	err = s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Insert(ctx, mkTrigger("b", true, 1)))
		var verr error
		inside, verr = r.Triggers().Version(ctx)
		require.NoError(t, verr)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, v, trgVersion(t, s, svc), "a failed transaction keeps the version")
	// a version seen inside the failed transaction is not handed out again
	trgInsert(t, s, svc, mkTrigger("c", true, 1))
	assert.NotContains(t, []string{v, inside}, trgVersion(t, s, svc))
}

func testTriggerIsolation(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	other := newID()
	mkService(t, s, other)
	a, i := mkTrigger("a", true, 0), mkTrigger("i", false, 0)
	trgInsert(t, s, svc, a, i)
	v := trgVersion(t, s, svc)

	_, err := trgGet(s, other, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	for name, fn := range map[string]func(trigger.Repository) error{
		"save":   func(r trigger.Repository) error { f := a; f.Name = "hijack"; return r.Save(ctx, f) },
		"delete": func(r trigger.Repository) error { return r.Delete(ctx, i.ID) },
	} {
		err := s.Tx(ctx, other, func(r helpdesk.Repos) error { return fn(r.Triggers()) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
	}
	tx(t, s, other, func(r helpdesk.Repos) error {
		require.NoError(t, r.Triggers().Lock(ctx))
		l, err := r.Triggers().List(ctx)
		require.NoError(t, err)
		assert.Empty(t, l)
		v, err := r.Triggers().Version(ctx)
		require.NoError(t, err)
		assert.Equal(t, "", v)
		// ids and positions are per service
		o := mkTrigger("o", true, 0)
		o.ID = a.ID
		return r.Triggers().Insert(ctx, o)
	})
	assert.Equal(t, []trigger.Trigger{a, i}, trgList(t, s, svc), "untouched by the other service")
	assert.Equal(t, v, trgVersion(t, s, svc), "the other service's writes leave this version")
	assert.NotEqual(t, "", trgVersion(t, s, other))
	tx(t, s, other, func(r helpdesk.Repos) error { return r.Triggers().Touch(ctx) })
	assert.Equal(t, v, trgVersion(t, s, svc), "nor does its touch")
}

func testTriggerRollback(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a0, a1, i0 := mkTrigger("a0", true, 0), mkTrigger("a1", true, 1), mkTrigger("i0", false, 0)
	trgInsert(t, s, svc, a0, a1, i0)
	before, v := trgList(t, s, svc), trgVersion(t, s, svc)
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		tr := r.Triggers()
		require.NoError(t, tr.Lock(ctx))
		require.NoError(t, tr.Insert(ctx, mkTrigger("ghost", true, 2)))
		upd := a0
		upd.Name, upd.All, upd.Position = "changed", nil, 1
		moved := a1
		moved.Active, moved.Position = false, 1
		require.NoError(t, tr.Save(ctx, upd, moved))
		require.NoError(t, tr.Delete(ctx, i0.ID))
		require.NoError(t, tr.Touch(ctx))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, before, trgList(t, s, svc), "a failed transaction leaves nothing")
	assert.Equal(t, v, trgVersion(t, s, svc))
}
