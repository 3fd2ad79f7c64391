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

// testTriggers holds the trigger conformance cases (TRG-1): the active and
// inactive lists with gapless positions, the round trip of conditions and
// actions, activation, reordering, deletion, the trigger-set version,
// tenant isolation, rollback and concurrent creates.
//
// Both stores treat a call that changes nothing (SetActive to the list the
// trigger is in, Reorder to the current order) as no write: the version
// stays.
func testTriggers(t *testing.T, s helpdesk.Store) {
	cases := []struct {
		name string
		fn   func(*testing.T, helpdesk.Store, string)
	}{
		{"CreateGetList_TRG1", testTriggerCreateGetList},
		{"RoundTrip_TRG1", testTriggerRoundTrip},
		{"Update_TRG1", testTriggerUpdate},
		{"SetActive_TRG1", testTriggerSetActive},
		{"Reorder_TRG1", testTriggerReorder},
		{"Delete_TRG1", testTriggerDelete},
		{"Version_TRG1", testTriggerVersion},
		{"TenantIsolation_SVC1", testTriggerIsolation},
		{"Rollback_TRG1", testTriggerRollback},
		{"ConcurrentCreates_TRG1", testTriggerConcurrentCreates},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := fmt.Sprintf("trg%d", i)
			mkService(t, s, svc)
			c.fn(t, s, svc)
		})
	}
}

// trgAt is the time of the i-th write of a trigger test.
func trgAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 5*time.Microsecond) }

// mkTrigger returns a trigger named name with one condition and one action.
func mkTrigger(name string, active bool) trigger.Trigger {
	return trigger.Trigger{
		ID: newID(), Name: name, Description: "about " + name,
		All:       []trigger.Condition{{Target: "status", Op: trigger.Is, Value: "new"}},
		Actions:   []trigger.Action{{Kind: trigger.AddTags, Tags: []string{name}}},
		Active:    active,
		CreatedAt: trgAt(1), UpdatedAt: trgAt(1),
	}
}

// trgCreate stores triggers in one transaction, in order, and returns
// them as stored (with their positions).
func trgCreate(t *testing.T, s helpdesk.Store, svc string, ts ...trigger.Trigger) []trigger.Trigger {
	t.Helper()
	out := slices.Clone(ts)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		for i := range out {
			if err := r.Triggers().Create(context.Background(), &out[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

func trgGet(s helpdesk.Store, svc, id string) (trigger.Trigger, error) {
	var out trigger.Trigger
	err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Triggers().Get(context.Background(), id)
		return err
	})
	return out, err
}

func trgList(t *testing.T, s helpdesk.Store, svc string) []trigger.Trigger {
	t.Helper()
	var out []trigger.Trigger
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Triggers().List(context.Background())
		return err
	})
	return out
}

func trgVersion(t *testing.T, s helpdesk.Store, svc string) string {
	t.Helper()
	var v string
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		v, err = r.Triggers().Version(context.Background())
		return err
	})
	return v
}

// trgLists returns the ids of the active and of the inactive triggers in
// List order, and checks that List gives the active ones first and that
// both lists' positions are 0..n-1.
func trgLists(t *testing.T, s helpdesk.Store, svc string) (active, inactive []string) {
	t.Helper()
	active, inactive = []string{}, []string{}
	for _, tr := range trgList(t, s, svc) {
		if tr.Active {
			assert.Empty(t, inactive, "active triggers come first")
			assert.Equal(t, len(active), tr.Position, "active positions are 0..n-1")
			active = append(active, tr.ID)
		} else {
			assert.Equal(t, len(inactive), tr.Position, "inactive positions are 0..n-1")
			inactive = append(inactive, tr.ID)
		}
	}
	return active, inactive
}

func trgIDs(ts ...trigger.Trigger) []string {
	ids := []string{}
	for _, tr := range ts {
		ids = append(ids, tr.ID)
	}
	return ids
}

func testTriggerCreateGetList(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	assert.Empty(t, trgList(t, s, svc))
	in := []trigger.Trigger{mkTrigger("a1", true), mkTrigger("i1", false), mkTrigger("a2", true), mkTrigger("i2", false), mkTrigger("a3", true)}
	in[0].Position, in[1].Position = 7, 3 // ignored: Create appends
	got := trgCreate(t, s, svc, in...)
	a1, i1, a2, i2, a3 := got[0], got[1], got[2], got[3], got[4]
	assert.Equal(t, []int{0, 0, 1, 1, 2}, []int{a1.Position, i1.Position, a2.Position, i2.Position, a3.Position},
		"Create appends to the end of the trigger's list and sets Position")
	for _, want := range got {
		g, err := trgGet(s, svc, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, g)
	}
	assert.Equal(t, []trigger.Trigger{a1, a2, a3, i1, i2}, trgList(t, s, svc), "active by position, then inactive by position")
	active, inactive := trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a1, a2, a3), active)
	assert.Equal(t, trgIDs(i1, i2), inactive)

	_, err := trgGet(s, svc, newID())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)

	var later trigger.Trigger
	err = s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		dup := mkTrigger("dup", true)
		dup.ID = a2.ID
		assert.ErrorIs(t, r.Triggers().Create(ctx, &dup), helpdesk.ErrConflict, "id in use")
		// the refusal left the transaction usable
		later = mkTrigger("later", false)
		return r.Triggers().Create(ctx, &later)
	})
	require.NoError(t, err)
	assert.Equal(t, 2, later.Position)
	g, err := trgGet(s, svc, a2.ID)
	require.NoError(t, err)
	assert.Equal(t, a2, g, "untouched by the refused create")
	active, inactive = trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a1, a2, a3), active)
	assert.Equal(t, trgIDs(i1, i2, later), inactive)

	err = s.Tx(ctx, "no-such-service", func(r helpdesk.Repos) error {
		tr := mkTrigger("orphan", true)
		return r.Triggers().Create(ctx, &tr)
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a trigger needs its service")
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
		CreatedAt: trgAt(1).In(kst).Add(789 * time.Nanosecond),
		UpdatedAt: trgAt(2).In(kst),
	}
	written := in.Clone()
	got := trgCreate(t, s, svc, in)[0]
	want := written
	want.CreatedAt, want.UpdatedAt = trgAt(1), trgAt(2) // microseconds, UTC
	g, err := trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, want, g, "every value shape reads back as written")
	assert.Equal(t, []trigger.Trigger{want}, trgList(t, s, svc))

	// the store keeps no reference to what was written ...
	got.All[2].Value.([]string)[0] = "low"
	got.Actions[5].Value.([]string)[0] = "green"
	got.Actions[9].Tags[0] = "changed"
	got.Actions[12].Subject["ko"] = "changed"
	got.Actions[13].Addresses[0] = "x@example.com"
	got.Any[0].Value = "closed"
	// ... nor to what it hands out
	g.All[2].Value.([]string)[1] = "low"
	g.Actions[5].Value.([]string)[1] = "green"
	g.Actions[9].Tags[1] = "changed"
	g.Actions[12].Body["en"] = "changed"
	g.Actions[14].Addresses[0] = "x@example.com"
	g.Actions = append(g.Actions[:1], g.Actions[2:]...)
	again, err := trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again, "values read back share no memory with the store")
	l := trgList(t, s, svc)
	l[0].All[2].Value.([]string)[0] = "low"
	l[0].Actions[10].Tags[0] = "changed"
	again, err = trgGet(s, svc, in.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again, "nor does List's")

	// empty lists and an empty description read back empty
	bare := trigger.Trigger{ID: newID(), Name: "bare", All: []trigger.Condition{}, Actions: []trigger.Action{},
		CreatedAt: trgAt(3), UpdatedAt: trgAt(3)}
	trgCreate(t, s, svc, bare)
	g, err = trgGet(s, svc, bare.ID)
	require.NoError(t, err)
	bare.All, bare.Actions = nil, nil
	assert.Equal(t, bare, g)
}

func testTriggerUpdate(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	got := trgCreate(t, s, svc, mkTrigger("a", true), mkTrigger("b", false), mkTrigger("c", true), mkTrigger("d", false))
	a, b, c, d := got[0], got[1], got[2], got[3]

	for _, old := range []trigger.Trigger{c, d} { // one of each list
		upd := old
		upd.Name, upd.Description = old.Name+" (renamed)", ""
		upd.All = nil
		upd.Any = []trigger.Condition{{Target: "priority", Op: trigger.In, Value: []string{"high"}}, {Target: "customer_fields.size", Op: trigger.LessThan, Value: 2.5}}
		upd.Actions = []trigger.Action{{Kind: trigger.SetField, Field: "agent_fields.ok", Value: false}, {Kind: trigger.Note, Body: i18n.Text{"ko": "메모"}}}
		upd.UpdatedAt = trgAt(5)
		// ignored by Update
		upd.Active, upd.Position, upd.CreatedAt = !old.Active, 9, trgAt(50)
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Update(ctx, upd) })
		g, err := trgGet(s, svc, old.ID)
		require.NoError(t, err)
		want := upd
		want.Active, want.Position, want.CreatedAt = old.Active, old.Position, old.CreatedAt
		assert.Equal(t, want, g, "Update keeps Active, Position and CreatedAt")
	}
	active, inactive := trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a, c), active, "the order did not change")
	assert.Equal(t, trgIDs(b, d), inactive)

	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().Update(ctx, mkTrigger("ghost", true)) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func testTriggerSetActive(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	got := trgCreate(t, s, svc, mkTrigger("a0", true), mkTrigger("a1", true), mkTrigger("a2", true),
		mkTrigger("i0", false), mkTrigger("i1", false))
	a0, a1, a2, i0, i1 := got[0], got[1], got[2], got[3], got[4]
	setActive := func(id string, active bool, at time.Time) {
		t.Helper()
		tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, id, active, at) })
	}
	check := func(wantActive, wantInactive []string, msg string) {
		t.Helper()
		active, inactive := trgLists(t, s, svc)
		assert.Equal(t, wantActive, active, msg)
		assert.Equal(t, wantInactive, inactive, msg)
	}

	setActive(a1.ID, false, trgAt(2))
	check(trgIDs(a0, a2), trgIDs(i0, i1, a1), "deactivating appends to the inactive list and closes the gap")
	g, err := trgGet(s, svc, a1.ID)
	require.NoError(t, err)
	want := a1
	want.Active, want.Position, want.UpdatedAt = false, 2, trgAt(2)
	assert.Equal(t, want, g, "SetActive sets UpdatedAt")

	setActive(i0.ID, true, trgAt(3))
	check(trgIDs(a0, a2, i0), trgIDs(i1, a1), "activating appends to the active list and closes the gap")
	setActive(a0.ID, false, trgAt(4))
	check(trgIDs(a2, i0), trgIDs(i1, a1, a0), "the first one")
	setActive(a0.ID, true, trgAt(5))
	check(trgIDs(a2, i0, a0), trgIDs(i1, a1), "the last one")

	v := trgVersion(t, s, svc)
	before := trgList(t, s, svc)
	setActive(i0.ID, true, trgAt(6))
	setActive(i1.ID, false, trgAt(6))
	assert.Equal(t, before, trgList(t, s, svc), "a trigger already in the list stays where it is, UpdatedAt too")
	assert.Equal(t, v, trgVersion(t, s, svc), "and nothing was written")

	err = s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, newID(), true, trgAt(7)) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func testTriggerReorder(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	reorder := func(ids ...string) error {
		return s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().Reorder(ctx, ids) })
	}
	require.NoError(t, reorder(), "no active triggers: the empty order is the order")

	got := trgCreate(t, s, svc, mkTrigger("a0", true), mkTrigger("a1", true), mkTrigger("a2", true), mkTrigger("i0", false))
	a0, a1, a2, i0 := got[0], got[1], got[2], got[3]
	v0 := trgVersion(t, s, svc)
	require.NoError(t, reorder(a2.ID, a0.ID, a1.ID))
	active, inactive := trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a2, a0, a1), active)
	assert.Equal(t, trgIDs(i0), inactive)
	v1 := trgVersion(t, s, svc)
	assert.NotEqual(t, v0, v1)

	before := trgList(t, s, svc)
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		for name, ids := range map[string][]string{
			"nothing":           nil,
			"missing":           {a2.ID, a0.ID},
			"duplicate":         {a2.ID, a2.ID, a1.ID},
			"duplicate and all": {a2.ID, a0.ID, a1.ID, a0.ID},
			"unknown":           {a2.ID, a0.ID, newID()},
			"unknown and all":   {a2.ID, a0.ID, a1.ID, newID()},
			"inactive":          {a2.ID, a0.ID, i0.ID},
			"inactive and all":  {i0.ID, a2.ID, a0.ID, a1.ID},
			"empty id":          {a2.ID, a0.ID, ""},
		} {
			err := r.Triggers().Reorder(ctx, ids)
			assert.ErrorIs(t, err, helpdesk.ErrInvalid, name)
			assert.ErrorIs(t, err, trigger.ErrInvalid, name)
		}
		return nil // commit: nothing of the refused calls may stay
	})
	require.NoError(t, err)
	assert.Equal(t, before, trgList(t, s, svc), "a refused reorder changes nothing")
	assert.Equal(t, v1, trgVersion(t, s, svc), "not even the version")

	require.NoError(t, reorder(a2.ID, a0.ID, a1.ID))
	assert.Equal(t, before, trgList(t, s, svc))
	assert.Equal(t, v1, trgVersion(t, s, svc), "the current order is no change")

	require.NoError(t, reorder(a1.ID, a0.ID, a2.ID))
	active, _ = trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a1, a0, a2), active)
	assert.NotEqual(t, v1, trgVersion(t, s, svc))
}

func testTriggerDelete(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	got := trgCreate(t, s, svc, mkTrigger("a", true), mkTrigger("i0", false), mkTrigger("i1", false), mkTrigger("i2", false))
	a, i0, i1, i2 := got[0], got[1], got[2], got[3]
	del := func(id string) error {
		return s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(ctx, id) })
	}

	v := trgVersion(t, s, svc)
	err := del(a.ID)
	assert.ErrorIs(t, err, trigger.ErrActive)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "ErrActive is a kind of ErrInvalid")
	g, err := trgGet(s, svc, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, g, "the active trigger stays")
	assert.Equal(t, v, trgVersion(t, s, svc))

	require.NoError(t, del(i1.ID))
	_, err = trgGet(s, svc, i1.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	active, inactive := trgLists(t, s, svc)
	assert.Equal(t, trgIDs(a), active)
	assert.Equal(t, trgIDs(i0, i2), inactive, "the gap is closed")
	assert.ErrorIs(t, del(i1.ID), helpdesk.ErrNotFound)
	assert.ErrorIs(t, del(newID()), helpdesk.ErrNotFound)

	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, a.ID, false, trgAt(2)) })
	require.NoError(t, del(i0.ID))
	require.NoError(t, del(a.ID), "an inactive trigger can be deleted")
	active, inactive = trgLists(t, s, svc)
	assert.Equal(t, []string{}, active)
	assert.Equal(t, trgIDs(i2), inactive)

	// the next create fills the list from its end
	n := trgCreate(t, s, svc, mkTrigger("n", false))[0]
	assert.Equal(t, 1, n.Position)
}

func testTriggerVersion(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	assert.Equal(t, "", trgVersion(t, s, svc), "a service that never had a trigger")
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(ctx, newID()) })
	require.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, "", trgVersion(t, s, svc), "a refused write is no write")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Touch(ctx) })
	assert.Equal(t, "", trgVersion(t, s, svc), "touching a service without triggers keeps no version")

	seen := map[string]bool{"": true}
	fresh := func(msg string) {
		t.Helper()
		v := trgVersion(t, s, svc)
		assert.False(t, seen[v], "%s gives a new version", msg)
		seen[v] = true
		assert.Equal(t, v, trgVersion(t, s, svc), "reading is no change")
	}
	a := trgCreate(t, s, svc, mkTrigger("a", true))[0]
	fresh("create")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Touch(ctx) })
	fresh("touch (a field was created or deleted)")
	var inside string
	tx(t, s, svc, func(r helpdesk.Repos) error {
		b := mkTrigger("b", true)
		require.NoError(t, r.Triggers().Create(ctx, &b))
		var err error
		inside, err = r.Triggers().Version(ctx)
		return err
	})
	assert.Equal(t, inside, trgVersion(t, s, svc), "the transaction sees its own version")
	fresh("another create")
	upd := a
	upd.Name = "renamed"
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Update(ctx, upd) })
	fresh("update")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Update(ctx, upd) })
	fresh("an update that writes the same")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, a.ID, false, trgAt(2)) })
	fresh("deactivate")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, a.ID, true, trgAt(3)) })
	fresh("activate")
	active, _ := trgLists(t, s, svc)
	slices.Reverse(active)
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Reorder(ctx, active) })
	fresh("reorder")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().SetActive(ctx, a.ID, false, trgAt(4)) })
	fresh("deactivate")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Triggers().Delete(ctx, a.ID) })
	fresh("delete")
}

func testTriggerIsolation(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	other := svc + "-other"
	mkService(t, s, other)
	got := trgCreate(t, s, svc, mkTrigger("a", true), mkTrigger("i", false))
	a, i := got[0], got[1]
	v := trgVersion(t, s, svc)

	_, err := trgGet(s, other, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	for name, fn := range map[string]func(trigger.Repository) error{
		"update":     func(r trigger.Repository) error { f := a; f.Name = "hijack"; return r.Update(ctx, f) },
		"activate":   func(r trigger.Repository) error { return r.SetActive(ctx, i.ID, true, trgAt(2)) },
		"deactivate": func(r trigger.Repository) error { return r.SetActive(ctx, a.ID, false, trgAt(2)) },
		"delete":     func(r trigger.Repository) error { return r.Delete(ctx, i.ID) },
	} {
		err := s.Tx(ctx, other, func(r helpdesk.Repos) error { return fn(r.Triggers()) })
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, name)
	}
	err = s.Tx(ctx, other, func(r helpdesk.Repos) error { return r.Triggers().Reorder(ctx, []string{a.ID}) })
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "another service's trigger is no active trigger here")
	tx(t, s, other, func(r helpdesk.Repos) error {
		l, err := r.Triggers().List(ctx)
		require.NoError(t, err)
		assert.Empty(t, l)
		v, err := r.Triggers().Version(ctx)
		require.NoError(t, err)
		assert.Equal(t, "", v)
		// positions are per service
		o := mkTrigger("o", true)
		require.NoError(t, r.Triggers().Create(ctx, &o))
		assert.Equal(t, 0, o.Position)
		return nil
	})
	assert.Equal(t, []trigger.Trigger{a, i}, trgList(t, s, svc), "untouched by the other service")
	assert.Equal(t, v, trgVersion(t, s, svc), "the other service's writes leave this version")
	assert.NotEqual(t, "", trgVersion(t, s, other))
}

func testTriggerRollback(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	got := trgCreate(t, s, svc, mkTrigger("a0", true), mkTrigger("a1", true), mkTrigger("i0", false), mkTrigger("i1", false))
	a0, a1, i0, i1 := got[0], got[1], got[2], got[3]
	before, v := trgList(t, s, svc), trgVersion(t, s, svc)
	var inside []string
	err := s.Tx(ctx, svc, func(r helpdesk.Repos) error {
		tr := r.Triggers()
		ghost := mkTrigger("ghost", true)
		require.NoError(t, tr.Create(ctx, &ghost))
		upd := a0
		upd.Name, upd.All = "changed", nil
		require.NoError(t, tr.Update(ctx, upd))
		require.NoError(t, tr.Reorder(ctx, []string{ghost.ID, a1.ID, a0.ID}))
		require.NoError(t, tr.SetActive(ctx, a1.ID, false, trgAt(2)))
		require.NoError(t, tr.SetActive(ctx, i1.ID, true, trgAt(2)))
		require.NoError(t, tr.Delete(ctx, i0.ID))
		require.NoError(t, tr.Delete(ctx, a1.ID))
		v, err := tr.Version(ctx)
		require.NoError(t, err)
		inside = append(inside, v)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, before, trgList(t, s, svc), "a failed transaction leaves nothing")
	assert.Equal(t, v, trgVersion(t, s, svc))

	// a version seen inside the failed transaction is not handed out again
	trgCreate(t, s, svc, mkTrigger("later", false))
	assert.NotContains(t, append(inside, v), trgVersion(t, s, svc))

	// a failed first write leaves a fresh service with no version
	fresh := svc + "-fresh"
	mkService(t, s, fresh)
	err = s.Tx(ctx, fresh, func(r helpdesk.Repos) error {
		tr := mkTrigger("ghost", true)
		require.NoError(t, r.Triggers().Create(ctx, &tr))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Empty(t, trgList(t, s, fresh))
	assert.Equal(t, "", trgVersion(t, s, fresh))
}

// testTriggerConcurrentCreates: creates racing in separate transactions
// get distinct positions without gaps.
func testTriggerConcurrentCreates(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	var positions []int
	for k := range n {
		wg.Go(func() {
			tr := mkTrigger(fmt.Sprintf("t%d", k), true)
			err := s.Tx(ctx, svc, func(r helpdesk.Repos) error { return r.Triggers().Create(ctx, &tr) })
			if assert.NoError(t, err) {
				mu.Lock()
				positions = append(positions, tr.Position)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(positions)
	want := make([]int, n)
	for k := range want {
		want[k] = k
	}
	assert.Equal(t, want, positions, "positions 0..n-1, each once")
	active, inactive := trgLists(t, s, svc)
	assert.Len(t, active, n)
	assert.Empty(t, inactive)
}
