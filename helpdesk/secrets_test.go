package helpdesk_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// storedRecipient reads a recipient as the store keeps it.
func storedRecipient(t *testing.T, f *fixture, id string) notify.Recipient {
	t.Helper()
	ctx := context.Background()
	var r notify.Recipient
	require.NoError(t, f.store.Tx(ctx, "acme", func(rs helpdesk.Repos) (err error) {
		r, err = rs.Recipients().Get(ctx, id)
		return err
	}))
	return r
}

// storedTrigger reads a trigger as the store keeps it.
func storedTrigger(t *testing.T, f *fixture, id string) trigger.Trigger {
	t.Helper()
	ctx := context.Background()
	var tr trigger.Trigger
	require.NoError(t, f.store.Tx(ctx, "acme", func(rs helpdesk.Repos) (err error) {
		tr, err = rs.Triggers().Get(ctx, id)
		return err
	}))
	return tr
}

// A recipient's Dooray! hook URL is write-only (SEC-1): it reads back
// masked, to admins too; sent back masked it keeps the stored hook; a
// masked value standing for no stored hook is refused.
func TestRecipients_SEC1_HookURLIsWriteOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const hook = "https://hook.dooray.com/services/1/2/SECRET"
	const masked = "https://hook.dooray.com/********"

	r, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "On call", Email: "oncall@acme.example", DoorayHookURL: hook})
	require.NoError(t, err)
	assert.Equal(t, masked, r.DoorayHookURL, "Create answers masked")
	assert.Equal(t, hook, storedRecipient(t, f, r.ID).DoorayHookURL, "the store keeps the whole hook")

	l, err := f.admin.Recipients().List(ctx)
	require.NoError(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, masked, l[0].DoorayHookURL, "an admin reads it masked")
	l, err = f.sys.Recipients().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, masked, l[0].DoorayHookURL, "so does System")
	_, err = f.agent.Recipients().List(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "an agent lists no recipients")

	// The masked value sent back keeps the stored hook.
	up, err := f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "On call 2", DoorayHookURL: masked})
	require.NoError(t, err)
	assert.Equal(t, "On call 2", up.Name)
	assert.Equal(t, masked, up.DoorayHookURL)
	assert.Equal(t, hook, storedRecipient(t, f, r.ID).DoorayHookURL)

	// A masked value of another host stands for nothing: refused, nothing kept.
	_, err = f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "X", DoorayHookURL: "https://evil.example/********"})
	assert.Equal(t, []string{"dooray_hook_url"}, problems(t, err))
	assert.Equal(t, "On call 2", storedRecipient(t, f, r.ID).Name)
	// Nor on a create.
	_, err = f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "Y", DoorayHookURL: masked})
	assert.Equal(t, []string{"dooray_hook_url"}, problems(t, err))

	// A whole URL replaces the hook; an empty one removes it.
	const hook2 = "https://hook.dooray.com/services/9/9/OTHER"
	_, err = f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "On call", Email: "oncall@acme.example", DoorayHookURL: hook2})
	require.NoError(t, err)
	assert.Equal(t, hook2, storedRecipient(t, f, r.ID).DoorayHookURL)
	up, err = f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "On call", Email: "oncall@acme.example"})
	require.NoError(t, err)
	assert.Empty(t, up.DoorayHookURL)
	assert.Empty(t, storedRecipient(t, f, r.ID).DoorayHookURL)
	// With no hook stored, a masked value keeps nothing.
	_, err = f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "On call", DoorayHookURL: masked})
	assert.Equal(t, []string{"dooray_hook_url"}, problems(t, err))
}

// A trigger's Dooray! and callback URLs are write-only (SEC-1): Create,
// Update, Get, List and a dry run answer them masked, and so does the outbox; the
// messages go to the whole URL; an update sending the masked values back
// keeps the stored URLs, even with the actions moved.
func TestTriggers_SEC1_TRG8_HookURLsAreWriteOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const dooray = "https://hook.dooray.com/services/1/2/SECRET"
	const callback = "https://hooks.example/tickets?token=SECRET"
	n := trigger.New{Name: "hooks", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{
			{Kind: trigger.Dooray, URL: dooray, Body: i18n.Text{"ko": "#{title}"}},
			{Kind: trigger.Callback, URL: callback},
		}}
	tr, err := f.admin.Triggers().Create(ctx, n)
	require.NoError(t, err)
	masked := []string{"https://hook.dooray.com/********", "https://hooks.example/********"}
	urls := func(tr trigger.Trigger) []string {
		var out []string
		for _, a := range tr.Actions {
			out = append(out, a.URL)
		}
		return out
	}
	assert.Equal(t, masked, urls(tr), "Create answers masked")
	assert.Equal(t, []string{dooray, callback}, urls(storedTrigger(t, f, tr.ID)))
	got, err := f.admin.Triggers().Get(ctx, tr.ID)
	require.NoError(t, err)
	assert.Equal(t, masked, urls(got))
	l, err := f.admin.Triggers().List(ctx)
	require.NoError(t, err)
	require.Len(t, l, 1)
	assert.Equal(t, masked, urls(l[0]))

	// The messages go to the whole URLs; the outbox shows them masked.
	tk := f.ticket(t)
	var to []string
	for _, m := range f.messages(t) {
		if m.Medium == notify.Dooray || m.Medium == notify.Callback {
			to = append(to, m.Recipient)
		}
	}
	assert.ElementsMatch(t, []string{dooray, callback}, to)
	p, err := f.admin.Outbox().List(ctx, notify.Filter{})
	require.NoError(t, err)
	for _, m := range p.Messages {
		assert.NotContains(t, m.Recipient, "SECRET")
	}

	// A dry run (TRG-8) reports the actions with their URLs masked too.
	rep, err := f.admin.Triggers().DryRun(ctx, tk.ID, ticket.EventCreated, nil)
	require.NoError(t, err)
	require.Len(t, rep.Triggers, 1)
	require.True(t, rep.Triggers[0].Fired)
	var reported []string
	for _, a := range rep.Triggers[0].Actions {
		reported = append(reported, a.Action.URL)
	}
	assert.Equal(t, masked, reported, "the dry run answers masked")
	assert.Equal(t, []string{dooray, callback}, urls(storedTrigger(t, f, tr.ID)), "the stored trigger keeps its URLs")

	// Sent back as read — here with the actions swapped — the stored URLs stay.
	got.Actions[0], got.Actions[1] = got.Actions[1], got.Actions[0]
	up, err := f.admin.Triggers().Update(ctx, tr.ID, trigger.New{Name: "hooks 2", All: got.All, Actions: got.Actions})
	require.NoError(t, err)
	assert.Equal(t, []string{masked[1], masked[0]}, urls(up))
	assert.Equal(t, []string{callback, dooray}, urls(storedTrigger(t, f, tr.ID)))

	// A masked URL that stands for no stored one is refused, and so is
	// one on a create.
	bad := trigger.New{Name: "hooks", All: got.All, Actions: []trigger.Action{
		{Kind: trigger.Callback, URL: "https://other.example/********"},
		{Kind: trigger.Callback, URL: masked[0]}, // a Dooray! hook's mask on a callback
	}}
	_, err = f.admin.Triggers().Update(ctx, tr.ID, bad)
	assert.ElementsMatch(t, []string{"actions[0].url", "actions[1].url"}, problems(t, err))
	assert.Equal(t, []string{callback, dooray}, urls(storedTrigger(t, f, tr.ID)))
	_, err = f.admin.Triggers().Create(ctx, trigger.New{Name: "copy", All: got.All, Actions: got.Actions})
	assert.ElementsMatch(t, []string{"actions[0].url", "actions[1].url"}, problems(t, err))

	// Two stored hooks on one host masked alike: the one at the same index
	// is kept; elsewhere the mask is ambiguous and refused.
	const dooray2 = "https://hook.dooray.com/services/3/4/OTHER"
	two := trigger.New{Name: "two", All: got.All, Actions: []trigger.Action{
		{Kind: trigger.Dooray, URL: dooray, Body: i18n.Text{"ko": "a"}},
		{Kind: trigger.Dooray, URL: dooray2, Body: i18n.Text{"ko": "b"}},
	}}
	tr2, err := f.admin.Triggers().Create(ctx, two)
	require.NoError(t, err)
	_, err = f.admin.Triggers().Update(ctx, tr2.ID, trigger.New{Name: "two", All: got.All, Actions: tr2.Actions})
	require.NoError(t, err)
	assert.Equal(t, []string{dooray, dooray2}, urls(storedTrigger(t, f, tr2.ID)))
	three := append(tr2.Actions, trigger.Action{Kind: trigger.Dooray, URL: masked[0], Body: i18n.Text{"ko": "c"}})
	_, err = f.admin.Triggers().Update(ctx, tr2.ID, trigger.New{Name: "two", All: got.All, Actions: three})
	assert.Equal(t, []string{"actions[2].url"}, problems(t, err))
}

// A service keeps an active admin (AGT-3): the only one can neither
// deactivate nor demote themselves, nor be deactivated or demoted, by
// anyone; once another agent is an active admin, they can.
func TestAgents_AGT3_LastActiveAdminStays(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	version := func(id string) int64 {
		a, err := f.sys.Agents().Get(ctx, id)
		require.NoError(t, err)
		return a.Version
	}
	_, err := f.admin.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Active: ptr(false)})
	assert.Equal(t, []string{"active"}, problems(t, err))
	_, err = f.admin.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Role: ptr(agent.RoleAgent)})
	assert.Equal(t, []string{"role"}, problems(t, err))
	_, err = f.sys.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Active: ptr(false)})
	assert.Equal(t, []string{"active"}, problems(t, err), "System is refused too")
	a, err := f.sys.Agents().Get(ctx, f.adminID)
	require.NoError(t, err)
	assert.True(t, a.Active && a.IsAdmin(), "nothing changed")
	// Other changes to the last admin go through.
	_, err = f.admin.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Permissions: &agent.Permissions{Ticket: true}})
	require.NoError(t, err)

	// An inactive admin does not count.
	_, err = f.admin.Agents().Update(ctx, f.agentID, agent.Update{Version: version(f.agentID), Role: ptr(agent.RoleAdmin), Active: ptr(false)})
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Active: ptr(false)})
	assert.Equal(t, []string{"active"}, problems(t, err))

	// Once the other admin is active, the first may step down.
	_, err = f.admin.Agents().Update(ctx, f.agentID, agent.Update{Version: version(f.agentID), Active: ptr(true)})
	require.NoError(t, err)
	_, err = f.admin.Agents().Update(ctx, f.adminID, agent.Update{Version: version(f.adminID), Active: ptr(false)})
	require.NoError(t, err)
	// and now the other is the last one.
	_, err = f.agent.Agents().Update(ctx, f.agentID, agent.Update{Version: version(f.agentID), Role: ptr(agent.RoleAgent)})
	assert.Equal(t, []string{"role"}, problems(t, err))
}

// Invite checks the caller's role before the input (AGT-1): a bare agent
// learns neither that the address is bad nor that no directory is set.
func TestAgents_AGT1_InviteChecksTheRoleFirst(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // no directory
	err := f.agent.Agents().Invite(ctx, "not an address", "X")
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	assert.NotErrorIs(t, err, helpdesk.ErrInvalid)
	assert.ElementsMatch(t, []string{"email", "directory"}, problems(t, f.admin.Agents().Invite(ctx, "not an address", "X")))
}
