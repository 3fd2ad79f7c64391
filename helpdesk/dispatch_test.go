package helpdesk_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// hostMailer is the host's notifier: it records what it is handed.
type hostMailer struct {
	mu  sync.Mutex
	got []notify.Message
}

func (h *hostMailer) SendMail(_ context.Context, m notify.Message) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, m)
	return nil
}

func (h *hostMailer) SendSMS(ctx context.Context, m notify.Message) error { return h.SendMail(ctx, m) }

func TestDeskDispatcher_NTF1_NeedsANotifier(t *testing.T) {
	f := newFixture(t)
	d, err := f.desk.Dispatcher(notify.DispatcherConfig{})
	assert.Nil(t, d)
	assert.Equal(t, []string{"notifiers"}, problems(t, err), "refused when made, not by failing every message later")

	// a store that cannot feed a dispatcher, and no queue given
	desk, err := helpdesk.New(helpdesk.Config{Store: struct{ helpdesk.Store }{memory.New()}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = desk.Close() })
	_, err = desk.Dispatcher(notify.DispatcherConfig{})
	assert.ElementsMatch(t, []string{"queue"}, problems(t, err))
	_, err = desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: &hostMailer{}}})
	assert.Equal(t, []string{"queue"}, problems(t, err))
}

// Every mail a service sends — automatic, trigger and surge mails —
// carries the service's sender as typed fields, and RunOnce delivers them
// all.
func TestDeskDispatcher_MAIL5_RunOnceDeliversWithTheSender(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) {
		s.Mail = mailSettings()
		s.Mail.ReplyToAddress = "answers@acme.example"
	})
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Surge = notify.SurgeRule{Enabled: true, Window: 10 * time.Minute, Threshold: 1, Cooldown: time.Hour, Location: "UTC",
		Weekdays: [7]bool{true, true, true, true, true, true, true}, AgentIDs: []string{f.adminID},
		Templates: map[notify.Medium]notify.Template{notify.Email: {Subject: i18n.Text{"ko": "급증"}, Body: i18n.Text{"ko": "#{count}건"}}}}
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	f.mkTrigger(t, trigger.New{Name: "forward",
		All:     []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.Forward, Addresses: []string{"legal@acme.example"}}}})

	tk := f.ticket(t) // the surge alert and the forward
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "on it"})
	require.NoError(t, err) // the automatic mail (MAIL-6)

	mailer := &hostMailer{}
	// one send at a time: the fixture's ticking clock is not safe for
	// concurrent use
	d, err := f.desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{Mail: mailer}, Concurrency: 1})
	require.NoError(t, err)
	st, err := d.RunOnce(ctx)
	require.NoError(t, err)
	assert.Equal(t, notify.Stats{Sent: 3}, st)
	require.Len(t, mailer.got, 3)
	kinds := map[string]bool{}
	for _, m := range mailer.got {
		kinds[m.Source.Kind] = true
		assert.Equal(t, notify.Address{Name: "ACME 고객센터", Address: "help@acme.example"}, m.Payload.From, m.Source.Kind)
		assert.Equal(t, notify.Address{Name: "ACME 고객센터", Address: "answers@acme.example"}, m.Payload.ReplyTo, m.Source.Kind)
		for h := range m.Payload.Headers {
			assert.Equal(t, "References", h, "threading headers only (MAIL-7)")
		}
	}
	assert.Equal(t, map[string]bool{"surge": true, "trigger": true, "auto_mail": true}, kinds)

	st, err = d.Drain(ctx)
	require.NoError(t, err)
	assert.Zero(t, st, "nothing is pending")
	counts, err := f.admin.Outbox().Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 3, notify.Failed: 0}, counts)
}

// Without a from-address the service's mails carry no sender: the host's
// Mailer uses its own.
func TestAutoMail_MAIL5_NoSender(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) {
		s.Mail = mailSettings()
		s.Mail.FromAddress = ""
	})
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "on it"})
	require.NoError(t, err)
	ms := f.messages(t)
	require.Len(t, ms, 1)
	assert.Zero(t, ms[0].Payload.From)
	assert.Zero(t, ms[0].Payload.ReplyTo)
}
