package helpdesk_test

import (
	"context"
	"errors"
	"io"
	"strings"
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

// TestText_SEC3_Settings: a settings update whose texts no store keeps
// (a NUL, invalid UTF-8, oversize) is refused naming every bad field, and
// changes nothing: the next valid update works.
func TestText_SEC3_Settings(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Mail.FromName = "ACME\x00"
	set.Mail.FromAddress = "help@acme.example"
	set.InternalResolutionText = i18n.Text{"ko": "\xff", "en\x00": "x"}
	set.Mail.Layout.Header = i18n.Text{"ko": strings.Repeat("a", 64<<10+1)}
	set.Surge.Location = "Asia/Seoul\x00"
	set.Surge.AgentIDs = []string{"a\x00"}
	set.Surge.Templates = map[notify.Medium]notify.Template{notify.Email: {Body: i18n.Text{"ko": "\x00"}}}
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	assert.Subset(t, problems(t, err), []string{"mail.from_name", "internal_resolution_text", "internal_resolution_text.ko",
		"mail.layout.header.ko", "surge.location", "surge.agent_ids[0]", "surge.templates.email.body.ko"})

	set = c.Settings
	set.Mail.FromName = `ACME \u0000`
	got, err := f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err, "the six characters are text like any other")
	assert.Equal(t, `ACME \u0000`, got.Mail.FromName)
}

// TestText_SEC3_Agents: CTI ids, extensions, accounts and group ids are
// checked on create, and the phone settings again on update.
func TestText_SEC3_Agents(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Channels.Phone = true })
	_, err := f.admin.Agents().Create(ctx, agent.New{Account: "p\x00", Name: "P\xff", Email: "p@acme.example",
		CTIID: strings.Repeat("1", 65), Extension: "3\x00", GroupIDs: []string{"g\x00"}})
	assert.ElementsMatch(t, []string{"account", "name", "cti_id", "extension", "group_ids[0]"}, problems(t, err))

	a, err := f.admin.Agents().Create(ctx, agent.New{Name: "P", Email: "p@acme.example", CTIID: "cti-1", Extension: "301"})
	require.NoError(t, err)
	cti, ext := "cti\x00", strings.Repeat("9", 33)
	_, err = f.admin.Agents().Update(ctx, a.ID, agent.Update{Version: a.Version, CTIID: &cti, Extension: &ext})
	assert.ElementsMatch(t, []string{"cti_id", "extension"}, problems(t, err))
	got, err := f.admin.Agents().Get(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, "cti-1", got.CTIID, "nothing written")
}

// TestText_SEC3_Recipients: phone numbers and hook URLs are bounded.
func TestText_SEC3_Recipients(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "On\x00call",
		Phone: strings.Repeat("1", 300), DoorayHookURL: "https://hook.dooray.com/" + strings.Repeat("a", 2048)})
	assert.ElementsMatch(t, []string{"name", "phone", "dooray_hook_url"}, problems(t, err))
	r, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "On-call", Phone: "010-1234-5678"})
	require.NoError(t, err)
	_, err = f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "On-call", Phone: "010\x00"})
	assert.Equal(t, []string{"phone"}, problems(t, err))
}

// TestText_SEC3_IDs: an id that is not text a store keeps names no object:
// ErrNotFound, before any store is asked.
func TestText_SEC3_IDs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tk, err := f.sys.Tickets().Create(ctx, newTicket())
	require.NoError(t, err)
	for _, id := range []string{tk.ID + "\x00", "\x00" + tk.ID, tk.ID[:5] + "\xff" + tk.ID[5:]} {
		_, err := f.admin.Tickets().Get(ctx, id)
		assert.ErrorIs(t, err, helpdesk.ErrNotFound, "%q", id)
		_, err = f.admin.Agents().Get(ctx, f.agentID+"\x00")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, f.admin.Triggers().Delete(ctx, id), helpdesk.ErrNotFound)
		_, err = f.admin.Fields().Get(ctx, "title\x00")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	}
	_, err = f.desk.Service("acme\x00").As(helpdesk.System).Configuration().Get(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

// TestText_SEC3_Triggers: a trigger's values, ids, addresses, hook URLs and
// texts that no store keeps are refused, each bad field named.
func TestText_SEC3_Triggers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.Triggers().Create(ctx, trigger.New{Name: "t\x00",
		All: []trigger.Condition{
			{Target: trigger.TargetContent, Op: trigger.Contains, Value: "a\x00"},
			{Target: trigger.TargetAssignee, Op: trigger.Is, Value: f.agentID + "\x00"},
			{Target: trigger.TargetTitle, Op: trigger.Is, Value: "\xff"},
		},
		Actions: []trigger.Action{
			{Kind: trigger.AssignFixed, GroupID: "g\x00", AgentID: f.agentID},
			{Kind: trigger.Callback, URL: "https://example.com/\xff"},
			{Kind: trigger.Forward, Addresses: []string{"a\x00@example.com"}},
			{Kind: trigger.Note, Body: i18n.Text{"ko": "\x00"}},
		}})
	assert.ElementsMatch(t, []string{"name", "all[0].value", "all[1].value", "all[2].value", "actions[0].group_id",
		"actions[1].url", "actions[2].addresses[0]", "actions[3].body.ko"}, problems(t, err))

	_, err = f.admin.Triggers().Create(ctx, trigger.New{Name: `\u0000`,
		All:     []trigger.Condition{{Target: trigger.TargetContent, Op: trigger.Contains, Value: `\\u0000`}},
		Actions: []trigger.Action{{Kind: trigger.Note, Body: i18n.Text{"ko": `\u0000`}}}})
	require.NoError(t, err, "the six characters are text")
}

// TestText_SEC3_Filters: the ids and address of a ticket list filter, a
// template search and a history export are checked before a store sees
// them.
func TestText_SEC3_Filters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.Tickets().List(ctx, ticket.Filter{AssigneeID: f.agentID + "\x00", GroupID: "\xff",
		RequesterEmail: strings.Repeat("a", 300), IntakeCategoryID: "c\x00", ProcessingCategoryID: "p\x00"})
	assert.ElementsMatch(t, []string{"assignee_id", "group_id", "requester_email", "intake_category_id", "processing_category_id"}, problems(t, err))
	err = f.admin.Tickets().ExportHistory(ctx, io.Discard, helpdesk.JSONLines, ticket.ChangeFilter{TicketID: "t\x00"})
	assert.Equal(t, []string{"ticket_id"}, problems(t, err))
	_, err = f.admin.ForbiddenWords().Add(ctx, "ok", "bad\x00", "\xff")
	assert.ElementsMatch(t, []string{"words[1]", "words[2]"}, problems(t, err))
}

// TestText_SEC3_LookedUpIDs: ids inside an input that the workflow looks
// up (a ticket's assignee, a forward's agent) never reach the store with a
// NUL: the id names no object.
func TestText_SEC3_LookedUpIDs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := newTicket()
	n.AssigneeID = f.agentID + "\x00"
	_, err := f.sys.Tickets().Create(ctx, n)
	assert.Contains(t, problems(t, err), "assignee_id")
	tk, err := f.sys.Tickets().Create(ctx, newTicket())
	require.NoError(t, err)
	_, err = f.admin.Tickets().Forward(ctx, tk.ID, helpdesk.Forward{AgentID: f.agentID + "\x00"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, helpdesk.ErrNotFound) || errors.Is(err, helpdesk.ErrInvalid), "%v", err)
	got, err := f.admin.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Empty(t, got.AssigneeID, "nothing written")
}
