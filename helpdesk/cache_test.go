package helpdesk_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/adapters/memory"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/notify"
)

// Two desks (two processes) share one store; desk a caches settings.
func TestServiceCacheTTL(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := helpdesk.New(helpdesk.Config{Store: store, Clock: clock, ServiceCacheTTL: time.Minute})
	require.NoError(t, err)
	b, err := helpdesk.New(helpdesk.Config{Store: store, Clock: clock})
	require.NoError(t, err)

	_, err = a.Service("acme").As(helpdesk.System).Configuration().Get(ctx)
	require.ErrorIs(t, err, helpdesk.ErrNotFound, "unknown services are never cached")
	_, err = b.CreateService(ctx, helpdesk.NewService{ID: "acme", Settings: helpdesk.Settings{Name: "v1", Languages: []string{"ko"}}})
	require.NoError(t, err)

	sa, sb := a.Service("acme").As(helpdesk.System), b.Service("acme").As(helpdesk.System)
	c, err := sa.Configuration().Get(ctx)
	require.NoError(t, err)
	c.Languages[0] = "xx" // a caller's copy: the cache must not change with it

	cb, err := sb.Configuration().Get(ctx)
	require.NoError(t, err)
	set := cb.Settings
	set.Name = "v2"
	_, err = sb.Configuration().Update(ctx, cb.Version, set)
	require.NoError(t, err)

	c, err = sa.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v1", c.Name, "another process's change is seen after the TTL")
	assert.Equal(t, []string{"ko"}, c.Languages)
	_, err = sa.Configuration().Update(ctx, c.Version, c.Settings)
	require.ErrorIs(t, err, helpdesk.ErrConflict, "stale")
	c, err = sa.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v2", c.Name, "a conflict drops the stale cache entry")

	now = now.Add(time.Minute)
	c, err = sa.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v2", c.Name)

	set.Name = "v3"
	_, err = sa.Configuration().Update(ctx, c.Version, set)
	require.NoError(t, err)
	c, err = sa.Configuration().Get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v3", c.Name, "its own change is seen at once")
}

// Clone shares no memory: changing every list and text of a clone leaves
// the original as it was.
func TestServiceConfig_CloneIsDeep(t *testing.T) {
	orig := helpdesk.ServiceConfig{ID: "acme", Settings: helpdesk.Settings{
		Languages: []string{"ko"}, InternalResolutionText: i18n.Text{"ko": "a"},
		Mail: helpdesk.MailSettings{
			Layout:  helpdesk.MailLayout{Header: i18n.Text{"ko": "h"}, Footer: i18n.Text{"ko": "f"}},
			Resolve: helpdesk.AutoMail{Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"ko": "b"}},
			Hold:    helpdesk.AutoMail{Body: i18n.Text{"ko": "b"}},
			Manual:  helpdesk.AutoMail{Body: i18n.Text{"ko": "b"}},
		},
		Surge: notify.SurgeRule{AgentIDs: []string{"a"}, RecipientIDs: []string{"r"},
			Templates: map[notify.Medium]notify.Template{notify.Email: {Subject: i18n.Text{"ko": "s"}, Body: i18n.Text{"ko": "b"}}}},
	}}
	want, err := json.Marshal(orig)
	require.NoError(t, err)
	c := orig.Clone()
	c.Languages[0] = "x"
	c.InternalResolutionText["ko"] = "x"
	c.Mail.Layout.Header["ko"], c.Mail.Layout.Footer["ko"] = "x", "x"
	c.Mail.Resolve.Subject["ko"], c.Mail.Resolve.Body["ko"], c.Mail.Hold.Body["ko"], c.Mail.Manual.Body["ko"] = "x", "x", "x", "x"
	c.Surge.AgentIDs[0], c.Surge.RecipientIDs[0] = "x", "x"
	c.Surge.Templates[notify.Email].Body["ko"] = "x"
	c.Surge.Templates[notify.SMS] = notify.Template{}
	got, err := json.Marshal(orig)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}
