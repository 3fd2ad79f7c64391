package helpdesk_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/template"
)

func mailSettings() helpdesk.MailSettings {
	return helpdesk.MailSettings{
		FromName: "ACME 고객센터", FromAddress: "help@acme.example",
		Layout:  helpdesk.MailLayout{Header: i18n.Text{"ko": "안녕하세요.", "en": "Hello <friend>"}, Footer: i18n.Text{"ko": "감사합니다."}},
		Resolve: helpdesk.AutoMail{Enabled: true, Subject: i18n.Text{"en": "Solved: #{title}"}, Body: i18n.Text{"ko": "해결: #{content}", "en": "Solved by #{agentName}: #{content}"}},
		Hold:    helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "보류: #{content}"}},
		Manual:  helpdesk.AutoMail{Enabled: true, Body: i18n.Text{"ko": "답변: #{content} (#{ticketId})"}},
	}
}

// outbox returns the service's messages as stored: hook URLs unmasked.
func outbox(t *testing.T, f *fixture) []notify.Message {
	t.Helper()
	ctx := context.Background()
	q, err := notify.Filter{Limit: 500}.Query()
	require.NoError(t, err)
	var p notify.Page
	require.NoError(t, f.store.Tx(ctx, "acme", func(r helpdesk.Repos) (err error) {
		p, err = r.Outbox().List(ctx, q)
		return err
	}))
	return p.Messages
}

func TestAutoMail_MAIL6(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	n := newTicket()
	n.Language = "en"
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)

	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "a note", Internal: true})
	require.NoError(t, err)
	assert.Empty(t, outbox(t, f), "internal notes mail nobody")

	c, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Fixed <b>it</b>", Status: ticket.StatusSolved})
	require.NoError(t, err)
	ms := outbox(t, f)
	require.Len(t, ms, 1)
	m := ms[0]
	assert.Equal(t, notify.Email, m.Medium)
	assert.Equal(t, "lee@customer.example", m.Recipient)
	assert.Equal(t, notify.Pending, m.State)
	assert.Equal(t, "Solved: Help", m.Payload.Subject)
	assert.Equal(t, "Hello <friend>\n\nSolved by Agent: Fixed <b>it</b>\n\n감사합니다.", m.Payload.Text, "English text, Korean footer by fallback")
	assert.Contains(t, m.Payload.HTML, "Fixed &lt;b&gt;it&lt;/b&gt;", "values escaped for HTML")
	assert.Contains(t, m.Payload.HTML, "Hello &lt;friend&gt;")
	assert.Equal(t, notify.Address{Name: "ACME 고객센터", Address: "help@acme.example"}, m.Payload.From, "the sender (MAIL-5)")
	assert.Zero(t, m.Payload.ReplyTo, "no reply-to address set: answers go to From")
	assert.Equal(t, map[string]string{"References": "<ticket-" + tk.ID + "@deskkit>"}, m.Payload.Headers, "threading only (MAIL-7)")
	assert.Equal(t, "auto_mail:resolve:"+c.ID, m.IdempotencyKey)
	assert.Equal(t, notify.Source{Kind: "auto_mail", TicketID: tk.ID}, m.Source)

	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "thanks but no"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "still looking"})
	require.NoError(t, err)
	ms = outbox(t, f)
	require.Len(t, ms, 3)
	assert.Equal(t, "Hello <friend>\n\n답변: still looking (1)\n\n감사합니다.", ms[0].Payload.Text, "manual processing; no English text: Korean")
	assert.Equal(t, "Hello <friend>\n\n보류: Fixed <b>it</b>\n\n감사합니다.", ms[1].Payload.Text,
		"hold: the ticket's last public reply to the customer, not the customer's own")

	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	assert.Len(t, outbox(t, f), 3, "internal resolution mails nobody (TKT-6)")
}

// MAIL-6: what #{content} holds in the resolve and hold mails, and when
// they go out at all. A call's own public reply is the content; failing
// that, the ticket's last public reply to the customer (never a note, never
// the customer's own reply); a ticket without one gets no mail.
func TestAutoMail_MAIL6_StatusMailContent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	texts := func() []string {
		t.Helper()
		var out []string
		for _, m := range outbox(t, f) {
			out = append(out, m.Payload.Text)
		}
		slices.Reverse(out) // oldest first
		return out
	}
	wrap := func(body string) string { return "안녕하세요.\n\n" + body + "\n\n감사합니다." }

	// Nothing said yet: no mail, whatever moves the ticket.
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "customer sounds upset", Internal: true})
	require.NoError(t, err)
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "hello?"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "a note and on hold", Internal: true, Status: ticket.StatusPending})
	require.NoError(t, err)
	assert.Empty(t, texts(), "no public reply to the customer: nothing to say, no mail")

	// A public reply is the content of every later status mail.
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Try restarting"})
	require.NoError(t, err)
	got, err := f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{})
	require.NoError(t, err)
	ms := outbox(t, f)
	require.Len(t, ms, 2)
	assert.Equal(t, "auto_mail:resolve:"+tk.ID+":v"+strconv.FormatInt(got.Version, 10), ms[0].IdempotencyKey, "one resolve mail per ticket version")
	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "still broken"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().SetStatus(ctx, tk.ID, ticket.StatusPending)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "escalated to level 2", Internal: true, Status: ticket.StatusSolved})
	require.NoError(t, err)
	assert.Equal(t, []string{
		wrap("답변: Try restarting (1)"),
		wrap("해결: Try restarting"),
		wrap("보류: Try restarting"),
		wrap("해결: Try restarting"),
	}, texts(), "the ticket's last public reply; the customer's reply and the notes are never the content")

	// A reply that moves the ticket is the content of that move's mail,
	// and the only mail of the call.
	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "no luck"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Waiting for the courier", Status: ticket.StatusPending})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "Still waiting", Status: ticket.StatusPending})
	require.NoError(t, err)
	tp, err := f.admin.Templates().Create(ctx, template.New{Title: "Done", Content: "#{customerName}님, 환불되었습니다.", Code: "done"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().ReplyWithTemplate(ctx, tk.ID, helpdesk.TemplateReply{TemplateID: tp.ID, Additions: "- Agent", Status: ticket.StatusSolved})
	require.NoError(t, err)
	assert.Equal(t, []string{
		wrap("보류: Waiting for the courier"),
		wrap("답변: Still waiting (1)"),
		wrap("해결: Lee님, 환불되었습니다.\n\n- Agent"),
	}, texts()[4:], "a reply on a ticket already pending did not move it: the manual-processing mail")

	// An internal resolution mails nobody, even with replies to quote.
	_, err = f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "thanks"})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	assert.Len(t, texts(), 7, "TKT-6")

	// No requester address, or the mail switched off: no mail.
	n := newTicket()
	n.Requester.Email = ""
	quiet, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Reply(ctx, quiet.ID, helpdesk.Reply{Body: "hi", Status: ticket.StatusSolved})
	require.NoError(t, err)
	assert.Len(t, texts(), 7)
}

func TestAutoMail_MAIL6_ContentCodeRequired(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Mail = mailSettings()
	set.Mail.Hold.Body = i18n.Text{"ko": "보류합니다 ##{content}", "fr": "#{content}"} // an escaped code does not count
	set.Mail.Manual = helpdesk.AutoMail{Enabled: true}
	set.Mail.FromAddress = "not an address"
	set.Mail.ReplyToAddress = "Answers <answers@acme.example>"
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	assert.ElementsMatch(t, []string{"mail.hold.body", "mail.hold.body", "mail.manual.body", "mail.from_address", "mail.reply_to_address"}, problems(t, err))
}

func surgeFixture(t *testing.T) (*fixture, *time.Time, notify.Recipient) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) // a Wednesday
	d, err := helpdesk.New(helpdesk.Config{Store: f.store, Clock: func() time.Time { return now }})
	require.NoError(t, err)
	f.desk, f.acme = d, d.Service("acme")
	f.sys, f.admin = f.acme.As(helpdesk.System), f.acme.As(helpdesk.AgentID(f.adminID))
	r, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "On-call", Phone: "010-1234-5678", DoorayHookURL: "https://hook.dooray.com/services/1/2/abc"})
	require.NoError(t, err)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Surge = notify.SurgeRule{
		Enabled: true, Window: 10 * time.Minute, Threshold: 3, Cooldown: 30 * time.Minute, Location: "Asia/Seoul",
		Weekdays: [7]bool{time.Wednesday: true, time.Thursday: true},
		AgentIDs: []string{f.adminID}, RecipientIDs: []string{r.ID},
		Templates: map[notify.Medium]notify.Template{
			notify.Email:   {Subject: i18n.Text{"ko": "급증"}, Body: i18n.Text{"ko": "#{window}분 동안 #{count}건"}},
			notify.SMS:     {Body: i18n.Text{"ko": "#{count}건"}},
			notify.Browser: {Body: i18n.Text{"ko": "#{count}건"}},
		},
	}
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	return f, &now, r
}

func TestSurge_NTF2_ThresholdCooldownWeekday(t *testing.T) {
	ctx := context.Background()
	f, now, r := surgeFixture(t)
	create := func() {
		_, err := f.sys.Tickets().Create(ctx, newTicket())
		require.NoError(t, err)
	}
	create()
	*now = now.Add(time.Minute)
	create()
	assert.Empty(t, outbox(t, f), "2 < threshold")
	*now = now.Add(time.Minute)
	create() // third in the window: alert
	ms := outbox(t, f)
	got := map[string]string{}
	for _, m := range ms {
		got[string(m.Medium)+" "+m.Recipient] = m.Payload.Text
		assert.Equal(t, "surge", m.Source.Kind)
	}
	assert.Equal(t, map[string]string{
		"email admin@acme.example": "10분 동안 3건", // the admin by mail
		"browser " + f.adminID:     "3건",        // and in the browser
		"sms 010-1234-5678":        "3건",        // the external recipient by SMS (no email on file)
	}, got)
	assert.NotContains(t, got, "sms "+r.DoorayHookURL)

	*now = now.Add(10 * time.Minute)
	for range 3 {
		create()
	}
	assert.Len(t, outbox(t, f), 3, "cooldown: no repeat")
	*now = now.Add(20 * time.Minute) // cooldown over, but the window holds only this one
	create()
	assert.Len(t, outbox(t, f), 3)
	create()
	create()
	assert.Len(t, outbox(t, f), 6, "a new surge after the cooldown")

	*now = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC) // Friday in Seoul: off
	for range 4 {
		create()
	}
	assert.Len(t, outbox(t, f), 6, "weekday off")
}

func TestSurge_RuleValidation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Surge = notify.SurgeRule{Enabled: true, Location: "Mars/Base", Cooldown: -1,
		Templates: map[notify.Medium]notify.Template{notify.Callback: {Body: i18n.Text{"ko": "x"}}}}
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	assert.ElementsMatch(t, []string{"surge.window", "surge.threshold", "surge.cooldown", "surge.location", "surge.targets", "surge.templates"}, problems(t, err))
}

func TestRecipients_NTF3(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "", Email: "bad", Phone: "call me", DoorayHookURL: "http://insecure"})
	assert.ElementsMatch(t, []string{"name", "email", "phone", "dooray_hook_url"}, problems(t, err))
	_, err = f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "Nobody"})
	assert.Equal(t, []string{"email"}, problems(t, err))
	r, err := f.admin.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "Boss", Email: "boss@acme.example"})
	require.NoError(t, err)
	_, err = f.agent.Recipients().Create(ctx, helpdesk.NewRecipient{Name: "X", Email: "x@acme.example"})
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	up, err := f.admin.Recipients().Update(ctx, r.ID, helpdesk.NewRecipient{Name: "Big Boss", Phone: "+82 10 1234 5678"})
	require.NoError(t, err)
	assert.Equal(t, "Big Boss", up.Name)
	_, err = f.agent.Recipients().List(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "recipients are the admins' (SVC-3)")
	l, err := f.admin.Recipients().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, []notify.Recipient{up}, l)
	require.NoError(t, f.admin.Recipients().Delete(ctx, r.ID))
	assert.ErrorIs(t, f.admin.Recipients().Delete(ctx, r.ID), helpdesk.ErrNotFound)
}

func TestOutboxAdmin_NTF1(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.Mail = mailSettings() })
	tk := f.ticket(t)
	_, err := f.agent.Tickets().Reply(ctx, tk.ID, helpdesk.Reply{Body: "hi"})
	require.NoError(t, err)
	d, err := f.desk.Dispatcher(notify.DispatcherConfig{Notifiers: notify.Notifiers{SMS: &hostMailer{}}}) // no mailer: fails for good
	require.NoError(t, err)
	_, err = d.RunOnce(ctx)
	require.NoError(t, err)
	counts, err := f.admin.Outbox().Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[notify.State]int{notify.Pending: 0, notify.Sent: 0, notify.Failed: 1}, counts)
	failed, err := f.admin.Outbox().List(ctx, notify.Filter{State: notify.Failed})
	require.NoError(t, err)
	require.Len(t, failed.Messages, 1)
	require.NoError(t, f.admin.Outbox().Retry(ctx, failed.Messages[0].ID))
	counts, err = f.admin.Outbox().Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, counts[notify.Pending])
	p, err := f.admin.Outbox().List(ctx, notify.Filter{})
	require.NoError(t, err)
	require.Len(t, p.Messages, 1)
	assert.Zero(t, p.Messages[0].Attempts, "attempts reset")
	assert.Equal(t, failed.Messages[0].LastError, p.Messages[0].LastError, "the error kept")
	assert.ErrorIs(t, f.admin.Outbox().Retry(ctx, failed.Messages[0].ID), helpdesk.ErrInvalid, "pending: only failed messages are retried")
	assert.ErrorIs(t, f.admin.Outbox().Retry(ctx, "nope"), helpdesk.ErrNotFound)
	assert.ErrorIs(t, f.agent.Outbox().Retry(ctx, failed.Messages[0].ID), helpdesk.ErrForbidden)
	_, err = f.agent.Outbox().Counts(ctx)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden)
	_, err = f.admin.Outbox().List(ctx, notify.Filter{State: "lost"})
	assert.Equal(t, []string{"state"}, problems(t, err))
}
