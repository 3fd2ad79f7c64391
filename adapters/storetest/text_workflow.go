package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// testTextWorkflow: texts that look like escapes are saved and used like
// any other text, and text no store keeps is refused at the boundary
// (SEC-3 of helpdesk, SEC-3 of adapters/postgres).
func testTextWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("TriggerMailText", func(t *testing.T) {
		t.Parallel()
		// A trigger whose mail text holds the six characters \u0000, also
		// after a backslash, saves; ticket creation still works and the
		// mail carries the text as written.
		w := newTWDesk(t, s)
		body := `refund \u0000 and \\u0000 #{title}`
		tr := w.trigger(t, trigger.New{Name: `mail \u0000`,
			All: []trigger.Condition{onCreated, {Target: trigger.TargetContent, Op: trigger.Contains, Value: `\u0000`}},
			Actions: []trigger.Action{{Kind: trigger.Notify, Recipient: trigger.RecipientCustomer,
				Subject: i18n.Text{"ko": `\\u0000`}, Body: i18n.Text{"ko": body}}}})
		got, err := w.admin.Triggers().Get(ctx, tr.ID)
		require.NoError(t, err)
		assert.Equal(t, tr, got)
		for i := range 2 {
			tk := w.ticket(t, `content with \u0000 in it`)
			assert.Equal(t, []string{tr.ID}, w.fired(t, tk.ID), "ticket %d", i)
		}
		var texts []string
		for _, m := range w.messages(t) {
			if m.Medium == notify.Email {
				texts = append(texts, m.Payload.Subject+" | "+m.Payload.Text)
			}
		}
		require.Len(t, texts, 2)
		assert.Contains(t, texts[0], `\\u0000 | refund \u0000 and \\u0000 Refund wanted`)
	})
	t.Run("SenderName", func(t *testing.T) {
		t.Parallel()
		// A NUL in the sender name is refused naming the field; the
		// settings stay updatable, and the six characters are kept.
		w := newTWDesk(t, s)
		c, err := w.admin.Configuration().Get(ctx)
		require.NoError(t, err)
		set := c.Settings
		set.Mail.FromName, set.Mail.FromAddress = "ACME\x00", "help@acme.example"
		_, err = w.admin.Configuration().Update(ctx, c.Version, set)
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Problems, 1)
		assert.Equal(t, "mail.from_name", ve.Problems[0].Field)

		set.Mail.FromName = `ACME \\u0000`
		c, err = w.admin.Configuration().Update(ctx, c.Version, set)
		require.NoError(t, err)
		set.Name = "renamed"
		c, err = w.admin.Configuration().Update(ctx, c.Version, set)
		require.NoError(t, err)
		fresh, err := helpdesk.New(helpdesk.Config{Store: s})
		require.NoError(t, err)
		got, err := fresh.Service(w.svc).As(helpdesk.System).Configuration().Get(ctx)
		require.NoError(t, err)
		assert.Equal(t, `ACME \\u0000`, got.Mail.FromName)
		assert.Equal(t, c, got)
	})
	t.Run("BadIDs", func(t *testing.T) {
		t.Parallel()
		// An id with a NUL names no object, even when the id without it
		// does.
		w := newTWDesk(t, s)
		tk := w.ticket(t, "hello")
		for _, id := range []string{tk.ID + "\x00", tk.ID[:4] + "\x00" + tk.ID[4:], tk.ID + "\xff", strings.Repeat(tk.ID, 300)} {
			_, err := w.admin.Tickets().Get(ctx, id)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound, "%q", id)
		}
		// Ids inside an input, looked up by the workflow, too: the
		// ticket is not given to the agent whose id is a prefix.
		n := twNew("hello again")
		n.AssigneeID = w.eligible[0].ID + "\x00"
		_, err := w.sys.Tickets().Create(ctx, n)
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		_, err = w.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{GroupID: w.group + "\x00"})
		require.Error(t, err)
		assert.Empty(t, w.get(t, tk.ID).GroupID, "nothing written")
		_, err = w.admin.Groups().Create(ctx, helpdesk.NewGroup{Name: "fixed", Strategy: agent.StrategyFixed, FixedAgentID: w.eligible[0].ID + "\x00"})
		require.ErrorAs(t, err, &ve)
		assert.True(t, ve.Has("fixed_agent_id"), "%v", err)
	})
}
