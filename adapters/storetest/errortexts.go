package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/template"
	"github.com/deskkit/deskkit/trigger"
)

// testErrorTexts: the same refusal reads the same from every store, as
// "<kind>: <what>" (helpdesk's package doc), and never shows a database's
// constraint or table names. Every store is held to these exact texts, so
// they are the same from each.
func testErrorTexts(t *testing.T, s helpdesk.Store) {
	t.Run("Desk", func(t *testing.T) { testDeskErrorTexts(t, s) })
	t.Run("Repositories", func(t *testing.T) { testRepoErrorTexts(t, s) })
}

// testDeskErrorTexts: what a user of the desk sees for an unknown id, a
// duplicate agent email and a stale version.
func testDeskErrorTexts(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	d, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	svc := newID()
	_, err = d.CreateService(ctx, helpdesk.NewService{ID: svc, Settings: cfg(svc).Settings})
	require.NoError(t, err)
	sys := d.Service(svc).As(helpdesk.System)

	_, err = d.CreateService(ctx, helpdesk.NewService{ID: svc, Settings: cfg(svc).Settings})
	assert.EqualError(t, err, fmt.Sprintf(`conflict: create service %q: service %q exists`, svc, svc))
	_, err = d.Service("no-such-service").As(helpdesk.System).Tickets().Get(ctx, "t1")
	assert.EqualError(t, err, `not found: service "no-such-service"`)

	_, err = sys.Tickets().Get(ctx, "no-such-ticket")
	assert.EqualError(t, err, `not found: ticket "no-such-ticket"`)
	_, err = sys.Tickets().ByNumber(ctx, 42)
	assert.EqualError(t, err, `not found: ticket #42`)
	_, err = sys.Agents().Get(ctx, "no-such-agent")
	assert.EqualError(t, err, `not found: agent "no-such-agent"`)
	_, err = sys.Categories().Get(ctx, "no-such-category")
	assert.EqualError(t, err, `not found: category "no-such-category"`)
	_, err = sys.Templates().Get(ctx, "no-such-template")
	assert.EqualError(t, err, `not found: template "no-such-template"`)
	_, err = sys.Triggers().Get(ctx, "no-such-trigger")
	assert.EqualError(t, err, `not found: trigger "no-such-trigger"`)

	kim, err := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@example.com", Role: agent.RoleAgent})
	require.NoError(t, err)
	_, err = sys.Agents().Create(ctx, agent.New{Name: "Kim again", Email: "KIM@example.com", Role: agent.RoleAgent})
	assert.EqualError(t, err, `conflict: an agent with email "KIM@example.com" exists`, "the store's unique key, worded alike")
	_, err = sys.Agents().Create(ctx, agent.New{Name: "Kim's account", Email: "kim2@example.com", Account: "kim@example.com", Role: agent.RoleAgent})
	assert.EqualError(t, err, `conflict: an agent with account "kim@example.com" exists`)
	_, err = sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "Support"})
	require.NoError(t, err)
	_, err = sys.Groups().Create(ctx, helpdesk.NewGroup{Name: "support"})
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	assert.NotContains(t, err.Error(), "_key")

	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@example.com"},
		Title: "Help", Content: "Please", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	_, err = sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptrTo("Help!")})
	require.NoError(t, err)
	_, err = sys.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptrTo("Help?")})
	assert.EqualError(t, err, fmt.Sprintf(`conflict: ticket %q is at version 2, not 1`, tk.ID))
	_, err = sys.Agents().Update(ctx, kim.ID, agent.Update{Version: kim.Version + 5, Active: ptrTo(false)})
	assert.EqualError(t, err, fmt.Sprintf(`conflict: agent %q is at version 1, not 6`, kim.ID))
}

// testRepoErrorTexts: the store's own refusals, port by port.
func testRepoErrorTexts(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	svc := newService(t, s)
	tk := create(t, s, svc, mkTicket(1))
	a := mkAgent(t, s, svc, "kim")
	g := mkGroup(t, s, svc, "Support", 0)
	check := func(want string, fn func(r helpdesk.Repos) error) {
		t.Helper()
		assert.EqualError(t, refused(s, svc, fn), want)
	}

	// unknown ids
	check(`not found: ticket "nope"`, func(r helpdesk.Repos) error { _, err := r.Tickets().Get(ctx, "nope"); return err })
	check(`not found: ticket "nope"`, func(r helpdesk.Repos) error { return r.Tickets().AddComment(ctx, mkComment("nope", 0)) })
	check(`not found: agent "nope"`, func(r helpdesk.Repos) error {
		ghost := newAgent("ghost")
		ghost.ID = "nope"
		return r.Agents().Update(ctx, &ghost)
	})
	check(`not found: group "nope"`, func(r helpdesk.Repos) error { return r.Groups().Delete(ctx, "nope") })
	check(`not found: agent "nope"`, func(r helpdesk.Repos) error { _, err := r.Groups().AddMember(ctx, g.ID, "nope", base); return err })
	check(`not found: group "nope"`, func(r helpdesk.Repos) error {
		return r.Groups().Save(ctx, []agent.Group{g, {ID: "nope", Name: "Ghost", Position: 1}})
	})
	check(`not found: trigger "nope"`, func(r helpdesk.Repos) error { return r.Triggers().Delete(ctx, "nope") })
	check(`not found: template "nope"`, func(r helpdesk.Repos) error { return r.Templates().Delete(ctx, "nope") })
	check(`not found: service "no-such-service"`, func(helpdesk.Repos) error {
		return s.Tx(ctx, "no-such-service", func(r helpdesk.Repos) error { _, err := r.Service().Get(ctx); return err })
	})

	// duplicates
	check(fmt.Sprintf(`conflict: ticket %q exists`, tk.ID), func(r helpdesk.Repos) error {
		dup := mkTicket(2)
		dup.ID = tk.ID
		return r.Tickets().Create(ctx, &dup, nil)
	})
	check(`conflict: an agent with email "KIM@example.com" exists`, func(r helpdesk.Repos) error {
		b := newAgent("lee")
		b.Email = "KIM@example.com"
		return r.Agents().Create(ctx, b)
	})
	check(fmt.Sprintf(`conflict: agent %q exists`, a.ID), func(r helpdesk.Repos) error {
		b := newAgent("lee")
		b.ID = a.ID
		return r.Agents().Create(ctx, b)
	})
	check(`conflict: a group named "support" exists`, func(r helpdesk.Repos) error { return r.Groups().Insert(ctx, newGroup("support", 1)) })
	check(fmt.Sprintf(`conflict: agent %q is in group %q`, a.ID, g.ID), func(r helpdesk.Repos) error {
		if _, err := r.Groups().AddMember(ctx, g.ID, a.ID, base); err != nil {
			return err
		}
		_, err := r.Groups().AddMember(ctx, g.ID, a.ID, base)
		return err
	})
	check(`conflict: two groups would be named "support"`, func(r helpdesk.Repos) error {
		other := newGroup("Sales", 1)
		if err := r.Groups().Insert(ctx, other); err != nil {
			return err
		}
		other.Name = "SUPPORT"
		return r.Groups().Save(ctx, []agent.Group{other})
	})
	check(`conflict: forbidden word "stupid" is taken`, func(r helpdesk.Repos) error {
		return r.Templates().InsertWords(ctx, []template.ForbiddenWord{
			{ID: newID(), Word: "stupid", CreatedAt: base}, {ID: newID(), Word: "STUPID", CreatedAt: base}})
	})
	check(`conflict: template code key "refund" is taken`, func(r helpdesk.Repos) error {
		one := template.Template{ID: newID(), Title: "t", Content: "c", Code: "refund", CreatedAt: base, UpdatedAt: base}
		two := one
		two.ID, two.Code = newID(), "REFUND"
		if err := r.Templates().Insert(ctx, one); err != nil {
			return err
		}
		return r.Templates().Insert(ctx, two)
	})
	check(`conflict: two triggers would be at position 0 of the active list`, func(r helpdesk.Repos) error {
		one := trigger.Trigger{ID: newID(), Name: "one", Active: true, Position: 0, CreatedAt: base, UpdatedAt: base}
		two := one
		two.ID, two.Name = newID(), "two"
		if err := r.Triggers().Insert(ctx, one); err != nil {
			return err
		}
		return r.Triggers().Insert(ctx, two)
	})

	// stale versions
	check(fmt.Sprintf(`conflict: ticket %q is at version 1, not 7`, tk.ID), func(r helpdesk.Repos) error {
		stale := tk
		stale.Version = 7
		return r.Tickets().Update(ctx, &stale, nil)
	})
	check(fmt.Sprintf(`conflict: agent %q is at version 1, not 0`, a.ID), func(r helpdesk.Repos) error {
		stale := a
		stale.Version = 0
		return r.Agents().Update(ctx, &stale)
	})
	check(fmt.Sprintf(`conflict: service %q is at version 1, not 3`, svc), func(r helpdesk.Repos) error {
		c, err := r.Service().Get(ctx)
		if err != nil {
			return err
		}
		c.Version = 3
		return r.Service().Update(ctx, &c)
	})
}

func ptrTo[T any](v T) *T { return &v }
