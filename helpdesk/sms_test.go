package helpdesk_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/notify"
	"github.com/deskkit/deskkit/trigger"
)

// fakeSMSNumbers is the SMSNumbers port of the test desks: the keys
// "app"/"secret" read two usable numbers; any other pair is refused.
type fakeSMSNumbers struct{ calls *atomic.Int32 }

func (f fakeSMSNumbers) SenderNumbers(_ context.Context, appKey, secretKey string) ([]string, error) {
	if f.calls != nil {
		f.calls.Add(1)
	}
	if appKey != "app" || secretKey != "secret" {
		return nil, errors.New("HTTP 200, result code -1000: Invalid appKey")
	}
	return []string{"15446859", "0212345678"}, nil
}

func TestSMS_SMS1_KeysValidOnlyWhenNumbersRead(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.SMSNumbers = fakeSMSNumbers{&calls} })

	// Bad keys: refused, nothing stored.
	_, err := f.admin.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "app", SecretKey: "wrong", SenderNumbers: []string{"15446859"}})
	assert.Equal(t, []string{"app_key"}, problems(t, err))
	got, err := f.admin.SMS().Get(ctx)
	require.NoError(t, err)
	assert.False(t, got.Valid)
	assert.Empty(t, got.AppKey)

	// An unregistered number is refused; checked against the list read.
	_, err = f.admin.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "app", SecretKey: "secret", SenderNumbers: []string{"15446859", "0299999999"}})
	assert.Equal(t, []string{"sender_numbers[1]"}, problems(t, err))

	// Good keys and a registered number: valid, stored, read back masked.
	s, err := f.admin.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "app", SecretKey: "secret", SenderNumbers: []string{"0212345678"}})
	require.NoError(t, err)
	assert.True(t, s.Valid)
	assert.Equal(t, "********", s.AppKey, "SEC-1")
	assert.Equal(t, "********", s.SecretKey, "SEC-1")
	assert.Equal(t, []string{"0212345678"}, s.SenderNumbers)
	assert.Equal(t, []string{"15446859", "0212345678"}, s.Registered)
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "********", c.SMS.SecretKey, "the configuration reads it masked too")

	// The host's notifier gets the real keys.
	cr, err := f.desk.SMSCredentials(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, helpdesk.SMSCredentials{AppKey: "app", SecretKey: "secret", SenderNumbers: []string{"0212345678"}}, cr)
	cr, err = f.desk.SMSCredentials(ctx, "other")
	require.NoError(t, err)
	assert.Zero(t, cr, "another service has none (SVC-1)")

	// Masked keys sent back keep the stored ones.
	s, err = f.admin.SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "********", SecretKey: "********", SenderNumbers: []string{"15446859", "0212345678"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"15446859", "0212345678"}, s.SenderNumbers)

	// A configuration update leaves the SMS settings alone.
	set := c.Settings
	set.Name = "ACME 2"
	_, err = f.admin.Configuration().Update(ctx, c.Version+1, set)
	require.NoError(t, err)
	cr, err = f.desk.SMSCredentials(ctx, "acme")
	require.NoError(t, err)
	assert.Equal(t, "secret", cr.SecretKey)
	assert.EqualValues(t, 4, calls.Load())

	// SMS off: no credentials for the notifier.
	c, err = f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set = c.Settings
	set.SMSEnabled = false
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	cr, err = f.desk.SMSCredentials(ctx, "acme")
	require.NoError(t, err)
	assert.Zero(t, cr)

	// A masked key with nothing stored is refused without a call.
	_, err = f.other.As(helpdesk.System).SMS().Update(ctx, helpdesk.SMSUpdate{AppKey: "********", SecretKey: "secret", SenderNumbers: []string{"15446859"}})
	assert.Equal(t, []string{"app_key"}, problems(t, err))
	assert.EqualValues(t, 4, calls.Load())
}

func TestSMS_SMS1_ActionsAndSurgeRefusedWhileSMSOff(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(_ *helpdesk.Config, s *helpdesk.Settings) { s.SMSEnabled = false })
	sms := trigger.Action{Kind: trigger.SMS, Recipient: trigger.RecipientCustomer, Body: i18n.Text{"ko": "접수"}}
	_, err := f.admin.Triggers().Create(ctx, trigger.New{Name: "text", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.AddTags, Tags: []string{"x"}}, sms}})
	assert.Equal(t, []string{"actions[1].kind"}, problems(t, err))

	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.Surge.Templates = map[notify.Medium]notify.Template{notify.SMS: {Body: i18n.Text{"ko": "#{count}"}}}
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	assert.Equal(t, []string{"surge.templates.sms"}, problems(t, err))

	// With SMS on, both are accepted.
	set.SMSEnabled = true
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	_, err = f.admin.Triggers().Create(ctx, trigger.New{Name: "text", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{sms}})
	require.NoError(t, err)
}

// An SMS action saved while SMS was on is skipped, with the reason in the
// history, once SMS is off; nothing is queued (SMS-1, TRG-6).
func TestSMS_SMS1_ActionSkippedOnceSMSOff(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	tr := f.mkTrigger(t, trigger.New{Name: "text", All: []trigger.Condition{{Target: "event", Op: trigger.Is, Value: "created"}},
		Actions: []trigger.Action{{Kind: trigger.SMS, Addresses: []string{"010-1234-5678"}, Body: i18n.Text{"ko": "접수"}}}})
	c, err := f.admin.Configuration().Get(ctx)
	require.NoError(t, err)
	set := c.Settings
	set.SMSEnabled = false
	_, err = f.admin.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	tk := f.ticket(t)
	assert.Empty(t, outbox(t, f))
	h, err := f.admin.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var reasons []string
	for _, c := range h {
		if c.Field == "trigger_action" && c.From == tr.ID {
			reasons = append(reasons, c.To)
		}
	}
	require.Len(t, reasons, 1)
	assert.Contains(t, reasons[0], "SMS is off")
}
