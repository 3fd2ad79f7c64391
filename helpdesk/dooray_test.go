package helpdesk_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/notify"
)

// fakeDoorayTasks is the DoorayTasks port of the test desks: it records
// the tasks and numbers them 1000, 1001 ...
type fakeDoorayTasks struct {
	mu    sync.Mutex
	tasks []helpdesk.DoorayTask
}

func (f *fakeDoorayTasks) CreateTask(_ context.Context, t helpdesk.DoorayTask) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks = append(f.tasks, t)
	return fmt.Sprint(999 + len(f.tasks)), nil
}

func doorayProjects() helpdesk.DooraySettings {
	return helpdesk.DooraySettings{Active: true, OrgName: "ACME", OrgID: "3118892665733691672", Token: "tenant-token",
		Projects: []helpdesk.DoorayProject{{Name: "CS", Address: "https://acme.dooray.com/project/7", ID: "7", Registrant: "lead@acme.example"}}}
}

func TestDooray_DRY1_SettingsTokenWriteOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	got, err := f.admin.Dooray().Update(ctx, doorayProjects())
	require.NoError(t, err)
	assert.Equal(t, "********", got.Token, "SEC-1")
	assert.Equal(t, "CS", got.Projects[0].Name)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "********", c.Dooray.Token)

	// Sent back masked, the token stays; paused, the data stays (DRY-3).
	got.Active = false
	got, err = f.admin.Dooray().Update(ctx, got)
	require.NoError(t, err)
	assert.False(t, got.Active)
	assert.Len(t, got.Projects, 1)
	tok, err := f.desk.DoorayToken(ctx, "acme")
	require.NoError(t, err)
	assert.Empty(t, tok, "paused: no token for the notifier")
	got.Active = true
	_, err = f.admin.Dooray().Update(ctx, got)
	require.NoError(t, err)
	tok, err = f.desk.DoorayToken(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, "tenant-token", tok)

	// Every bad field is named.
	_, err = f.admin.Dooray().Update(ctx, helpdesk.DooraySettings{OrgID: "x", Token: "t",
		Projects: []helpdesk.DoorayProject{{ID: "1", Name: "a", Registrant: "nobody"}, {ID: "1", Name: "b", Registrant: "b@x.example"}}})
	assert.ElementsMatch(t, []string{"org_name", "org_id", "projects[0].registrant", "projects[1].id"}, problems(t, err))
	_, err = f.agent.Dooray().Get(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	_, err = f.other.As(helpdesk.System).Dooray().Update(ctx, helpdesk.DooraySettings{OrgName: "O", OrgID: "1", Token: "********"})
	assert.Equal(t, []string{"token"}, problems(t, err), "a masked token with none stored")
}

func TestDooray_DRY2_TransferAndComments(t *testing.T) {
	ctx := context.Background()
	tasks := &fakeDoorayTasks{}
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.DoorayTasks = tasks })
	_, err := f.admin.Dooray().Update(ctx, doorayProjects())
	require.NoError(t, err)
	tk := f.ticket(t)
	ps, err := f.agent.Dooray().Projects(ctx)
	require.NoError(t, err)
	assert.Equal(t, doorayProjects().Projects, ps, "an agent picks from the registered projects")

	_, err = f.agent.Dooray().Transfer(ctx, tk.ID, "8")
	assert.Equal(t, []string{"project_id"}, problems(t, err), "an unregistered project")
	l, err := f.agent.Dooray().Transfer(ctx, tk.ID, "7")
	require.NoError(t, err)
	assert.Equal(t, helpdesk.DoorayLink{TicketID: tk.ID, ProjectID: "7", PostID: "1000", CreatedAt: l.CreatedAt}, l)
	require.Len(t, tasks.tasks, 1)
	assert.Equal(t, helpdesk.DoorayTask{Token: "tenant-token", ProjectID: "7", Subject: fmt.Sprintf("[#%d] %s", tk.Number, tk.Title),
		Markdown:   "**Requester:** Lee <lee@customer.example>\n\n" + tk.Content,
		AgentEmail: "agent@acme.example", RegistrantEmail: "lead@acme.example"}, tasks.tasks[0])
	got, err := f.agent.Dooray().Link(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, l, got)
	_, err = f.agent.Dooray().Transfer(ctx, tk.ID, "7")
	assert.ErrorIs(t, err, helpdesk.ErrConflict, "one task per ticket")
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, "7/1000", h[len(h)-1].To)
	assert.Equal(t, helpdesk.FieldDoorayTask, h[len(h)-1].Field)

	// Later comments go to the task, through the outbox.
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "확인 중입니다"})
	require.NoError(t, err)
	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "감사합니다"})
	require.NoError(t, err)
	var texts []string
	for _, m := range outbox(t, f) {
		if m.Medium == notify.Dooray {
			assert.Equal(t, helpdesk.DoorayTaskRecipient+"7/1000", storedRecipientOf(t, f, m.ID))
			texts = append(texts, m.Payload.Text)
		}
	}
	assert.ElementsMatch(t, []string{"**Agent:**\n\n확인 중입니다", "**Customer:**\n\n감사합니다"}, texts)

	// Paused: the link stays, transfer is refused, comments stay here.
	set, err := f.admin.Dooray().Get(ctx)
	require.NoError(t, err)
	set.Active = false
	_, err = f.admin.Dooray().Update(ctx, set)
	require.NoError(t, err)
	other := f.ticket(t)
	_, err = f.agent.Dooray().Transfer(ctx, other.ID, "7")
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "DRY-3")
	assert.Len(t, tasks.tasks, 1, "no call while paused")
	ps, err = f.agent.Dooray().Projects(ctx)
	require.NoError(t, err)
	assert.Empty(t, ps, "no project to pick while paused")
	before := len(outbox(t, f))
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "more", Internal: true})
	require.NoError(t, err)
	assert.Len(t, outbox(t, f), before, "no comment to the task while paused")
	_, err = f.agent.Dooray().Link(ctx, tk.ID)
	require.NoError(t, err, "the link is kept")

	// Another service sees nothing (SVC-1).
	_, err = f.other.As(helpdesk.System).Dooray().Link(ctx, tk.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

// storedRecipientOf reads a message's recipient as stored (List masks it).
func storedRecipientOf(t *testing.T, f *fixture, id string) string {
	t.Helper()
	ctx := context.Background()
	var m notify.Message
	require.NoError(t, f.store.Tx(ctx, "acme", func(r helpdesk.Repos) (err error) {
		m, err = r.Outbox().Get(ctx, id)
		return err
	}))
	return m.Recipient
}
