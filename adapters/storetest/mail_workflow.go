package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
)

// testAutoMailWorkflow runs the automatic mails (MAIL-6) through
// helpdesk.Desk on the store under test: which call queues which mail, and
// what its #{content} is — the call's public reply, else the ticket's last
// public reply to the customer as the store returns the comments (never a
// note, never the customer's own reply), else no mail. Plain replies are
// stored as written ("#{" is text); template replies are rendered (TKT-3,
// TPL-4). An internal resolution with no text configured writes no empty
// history row (TKT-6).
func testAutoMailWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	set := cfg("acme").Settings
	set.InternalResolutionText = i18n.Text{"en": "Handled internally"} // none in Korean, the default
	set.Mail = helpdesk.MailSettings{FromAddress: "help@example.com",
		Resolve: helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "해결: #{content}"}},
		Hold:    helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "보류: #{content}"}},
		Manual:  helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "답변: #{content}"}},
	}
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: set})
	require.NoError(t, err)
	acme := desk.Service("acme")
	sys := acme.As(helpdesk.System)
	kim, err := sys.Agents().Create(ctx, agent.New{Name: "Kim", Email: "kim@example.com", Role: agent.RoleAgent,
		Permissions: &agent.Permissions{Ticket: true}})
	require.NoError(t, err)
	asKim := acme.As(helpdesk.AgentID(kim.ID))
	tpl, err := sys.Templates().Create(ctx, template.New{Title: "Done", Content: "#{customerName}님, #{title} 건 처리했습니다.", Code: "done"})
	require.NoError(t, err)
	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "c@example.com"},
		Title: "Cannot log in", Content: "help", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	mails := func() []string {
		t.Helper()
		p, err := sys.Outbox().List(ctx, notify.Filter{Limit: 500})
		require.NoError(t, err)
		var out []string
		for _, m := range slices.Backward(p.Messages) { // oldest first
			assert.Equal(t, "c@example.com", m.Recipient)
			out = append(out, m.Payload.Text)
		}
		return out
	}

	_, err = asKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "checking the logs", Internal: true})
	require.NoError(t, err)
	_, err = asKim.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
	require.NoError(t, err)
	_, err = asKim.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	assert.Empty(t, mails(), "no public reply yet: nothing to say, no mail")

	_, err = sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "still nothing"})
	require.NoError(t, err)
	c, err := asKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Type #{not a code} in the box"})
	require.NoError(t, err, "a plain reply is not a template")
	assert.Equal(t, "Type #{not a code} in the box", c.Body)
	_, err = sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "what box?"})
	require.NoError(t, err)
	_, err = asKim.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "asked the customer", Internal: true})
	require.NoError(t, err)
	_, err = asKim.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
	require.NoError(t, err)
	_, err = sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "this one"})
	require.NoError(t, err)
	_, err = asKim.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tpl.ID, Additions: "#{thanks}", Status: ticket.StatusSolved})
	require.NoError(t, err)
	_, err = sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "it broke again"})
	require.NoError(t, err)
	_, err = asKim.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"답변: Type #{not a code} in the box",
		"보류: Type #{not a code} in the box",
		"해결: Lee님, Cannot log in 건 처리했습니다.\n\n#{thanks}",
		"해결: Lee님, Cannot log in 건 처리했습니다.\n\n#{thanks}",
	}, mails(), "the last public reply to the customer, never a note or the customer's own reply")
	cs, err := asKim.Tickets().Comments(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "Lee님, Cannot log in 건 처리했습니다.\n\n#{thanks}", cs[len(cs)-2].Body, "stored rendered, the additions as written")

	_, err = sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "thanks"})
	require.NoError(t, err)
	_, err = asKim.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	assert.Len(t, mails(), 4, "an internal resolution mails nobody (TKT-6)")
	hist, err := asKim.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	for _, h := range hist {
		assert.NotEqual(t, ticket.FieldInternalResolution, h.Field, "no text in Korean nor the default: no empty row")
	}
	last := hist[len(hist)-1]
	assert.Equal(t, "status", last.Field)
	assert.Equal(t, string(ticket.StatusSolved), last.To)
}
