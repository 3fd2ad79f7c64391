package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
)

// nwMailer counts deliveries; while reject is set it refuses every mail for
// good.
type nwMailer struct {
	reject atomic.Bool
	sent   atomic.Int64
}

func (m *nwMailer) SendMail(context.Context, notify.Message) error {
	if m.reject.Load() {
		return notify.Permanent(errors.New("550 no such user"))
	}
	m.sent.Add(1)
	return nil
}

// testNotifyWorkflow runs the outbox end to end through helpdesk.Desk on
// the store under test (NTF-1): a reply's mail is queued with the reply,
// the dispatcher fails it for good, an admin retries it — once, however
// many admins try at the same time: the message is locked, read, checked
// and written back — and the dispatcher delivers it.
func testNotifyWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	queueOf(t, s)
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	set := cfg("acme").Settings
	set.Mail = helpdesk.MailSettings{FromAddress: "help@example.com",
		Manual: helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "답변: #{content}", "en": "Answer: #{content}"}}}
	_, err = desk.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: set})
	require.NoError(t, err)
	acme := desk.Service("acme")
	sys := acme.As(helpdesk.System)
	a, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
	require.NoError(t, err)
	admin := acme.As(helpdesk.AgentID(a.ID))
	tk, err := sys.Tickets().Create(ctx, ticket.New{Requester: ticket.Requester{Name: "Customer", Email: "c@example.com"},
		Title: "Cannot log in", Content: "help", Channel: ticket.ChannelEmail})
	require.NoError(t, err)
	_, err = admin.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "try again"})
	require.NoError(t, err)

	mailer := &nwMailer{}
	d, err := desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: mailer}})
	require.NoError(t, err)
	failAll := func() {
		t.Helper()
		mailer.reject.Store(true)
		st, err := d.RunOnce(ctx)
		require.NoError(t, err)
		require.Equal(t, notify.Stats{Failed: 1}, st)
		mailer.reject.Store(false)
	}
	failAll()
	counts, err := admin.Outbox().Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 1}, counts)
	p, err := admin.Outbox().List(ctx, notify.Filter{State: notify.Failed})
	require.NoError(t, err)
	require.Len(t, p.Messages, 1)
	failed := p.Messages[0]
	assert.Equal(t, 1, failed.Attempts)

	require.NoError(t, admin.Outbox().Retry(ctx, failed.ID))
	p, err = admin.Outbox().List(ctx, notify.Filter{})
	require.NoError(t, err)
	require.Len(t, p.Messages, 1)
	retried := p.Messages[0]
	assert.Equal(t, notify.Pending, retried.State)
	assert.Zero(t, retried.Attempts, "attempts reset")
	assert.Equal(t, failed.LastError, retried.LastError, "the error kept")
	assert.Equal(t, retried.UpdatedAt, retried.NextAttemptAt, "due when retried")
	assert.ErrorIs(t, admin.Outbox().Retry(ctx, failed.ID), helpdesk.ErrInvalid, "pending: nothing to retry")
	assert.ErrorIs(t, admin.Outbox().Retry(ctx, newID()), helpdesk.ErrNotFound)

	// admins retrying at once: one succeeds, the others find it pending
	failAll()
	var ok, invalid atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			err := admin.Outbox().Retry(ctx, failed.ID)
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, helpdesk.ErrInvalid):
				invalid.Add(1)
			default:
				t.Errorf("retry: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), ok.Load())
	assert.Equal(t, int64(3), invalid.Load())

	st, err := d.Drain(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 1}, st, "Drain delivers the retried message and returns: nothing is pending")
	assert.Equal(t, int64(1), mailer.sent.Load())
	counts, err = admin.Outbox().Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 1, notify.Failed: 0}, counts)
}
