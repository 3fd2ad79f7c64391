package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/notify"
)

// fullCfg is cfg with every nested slice and map of the settings filled.
func fullCfg(id string) helpdesk.ServiceConfig {
	c := cfg(id)
	c.SMSEnabled = true
	c.SMS = helpdesk.SMSSettings{AppKey: "app", SecretKey: "secret", SenderNumbers: []string{"15446859"},
		Registered: []string{"15446859", "0212345678"}, Valid: true, CheckedAt: base}
	c.Dooray = helpdesk.DooraySettings{Active: true, OrgName: "ACME", OrgID: "3118892665733691672", Token: "tenant-token",
		Projects: []helpdesk.DoorayProject{{Name: "CS", Address: "https://acme.dooray.com/project/1", ID: "4006824347670772680", Registrant: "lead@acme.example"}}}
	c.Tickets.AssigneeAtCreation, c.Tickets.CloseAfter = true, 36*time.Hour
	c.Mail = helpdesk.MailSettings{
		FromName: "ACME", FromAddress: "help@acme.example",
		Layout:  helpdesk.MailLayout{Header: i18n.Text{"ko": "머리말"}, Footer: i18n.Text{"en": "Footer"}},
		Resolve: helpdesk.AutoMail{Enabled: true, Subject: i18n.Text{"ko": "해결"}, Body: i18n.Text{"ko": "#{content}"}},
		Hold:    helpdesk.AutoMail{Subject: i18n.Text{"en": "On hold"}, Body: i18n.Text{"en": "#{content}"}},
	}
	c.Surge = notify.SurgeRule{Enabled: true, Window: 10 * time.Minute, Threshold: 5, Weekdays: [7]bool{1: true, 5: true},
		Location: "Asia/Seoul", Cooldown: time.Hour, AgentIDs: []string{"a1", "a2"}, RecipientIDs: []string{"r1"},
		Templates: map[notify.Medium]notify.Template{notify.Email: {Subject: i18n.Text{"ko": "급증"}, Body: i18n.Text{"ko": "#{count}"}}}}
	return c
}

// scribble changes every nested slice and map of c in place.
func scribble(c *helpdesk.ServiceConfig) {
	c.Name = "scribbled"
	if len(c.Languages) > 0 {
		c.Languages[0] = "xx"
	}
	for _, t := range []i18n.Text{c.InternalResolutionText, c.Mail.Layout.Header, c.Mail.Resolve.Body} {
		if t != nil {
			t["ko"] = "scribbled"
		}
	}
	if len(c.Dooray.Projects) > 0 {
		c.Dooray.Projects[0].Name = "scribbled"
	}
	if len(c.SMS.SenderNumbers) > 0 {
		c.SMS.SenderNumbers[0] = "scribbled"
	}
	if len(c.Surge.AgentIDs) > 0 {
		c.Surge.AgentIDs[0] = "scribbled"
	}
	if t, ok := c.Surge.Templates[notify.Email]; ok {
		t.Body["ko"] = "scribbled"
	}
}

func getService(t *testing.T, s helpdesk.Store, id string) (helpdesk.ServiceConfig, error) {
	t.Helper()
	return read(s, id, func(r helpdesk.Repos) (helpdesk.ServiceConfig, error) { return r.Service().Get(context.Background()) })
}

// testServiceRepository: the one record of a service (ServiceRepository)
// and the store-wide list of services (Store.Services).
func testServiceRepository(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	t.Run("Get", func(t *testing.T) {
		t.Run("unknown_service", func(t *testing.T) {
			t.Parallel()
			_, err := getService(t, s, newID())
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("round_trip", func(t *testing.T) {
			t.Parallel()
			id := newID()
			want := fullCfg(id)
			tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Create(ctx, want) })
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, fullCfg(id), got)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			id := newID()
			tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Create(ctx, fullCfg(id)) })
			got, err := getService(t, s, id)
			require.NoError(t, err)
			scribble(&got)
			again, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, fullCfg(id), again, "a value read back shares no memory with the store")
		})
	})
	t.Run("Create", func(t *testing.T) {
		t.Run("exists_SVC1", func(t *testing.T) {
			t.Parallel()
			id := newID()
			mkService(t, s, id)
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error { return r.Service().Create(ctx, cfg(id)) })
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
		})
		t.Run("rollback", func(t *testing.T) {
			t.Parallel()
			id := newID()
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error {
				require.NoError(t, r.Service().Create(ctx, cfg(id)))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			_, err = getService(t, s, id)
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
			assert.NotContains(t, allServices(t, s), id)
			mkService(t, s, id) // the id is free again
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			id := newID()
			in := fullCfg(id)
			tx(t, s, id, func(r helpdesk.Repos) error {
				require.NoError(t, r.Service().Create(ctx, in))
				scribble(&in) // within the transaction, after the write
				got, err := r.Service().Get(ctx)
				require.NoError(t, err)
				assert.Equal(t, fullCfg(id), got)
				return nil
			})
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, fullCfg(id), got, "a value written shares no memory with the store")
		})
	})
	t.Run("Update", func(t *testing.T) {
		t.Run("version_TKT8", func(t *testing.T) {
			t.Parallel()
			id := newID()
			mkService(t, s, id)
			var updated helpdesk.ServiceConfig
			tx(t, s, id, func(r helpdesk.Repos) error {
				updated = fullCfg(id)
				updated.UpdatedAt = base.Add(time.Hour)
				require.NoError(t, r.Service().Update(ctx, &updated))
				assert.Equal(t, int64(2), updated.Version)
				return nil
			})
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, updated, got)
			assert.Equal(t, base, got.CreatedAt, "created_at is kept")
		})
		t.Run("stale_conflict", func(t *testing.T) {
			t.Parallel()
			id := newID()
			mkService(t, s, id)
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error {
				stale := fullCfg(id)
				stale.Version = 7
				return r.Service().Update(ctx, &stale)
			})
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, cfg(id), got, "nothing written")
		})
		t.Run("unknown_service", func(t *testing.T) {
			t.Parallel()
			id := newID()
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error {
				c := cfg(id)
				return r.Service().Update(ctx, &c)
			})
			assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		})
		t.Run("rollback", func(t *testing.T) {
			t.Parallel()
			id := newID()
			mkService(t, s, id)
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error {
				c := fullCfg(id)
				require.NoError(t, r.Service().Update(ctx, &c))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, cfg(id), got)
		})
		t.Run("aliasing", func(t *testing.T) {
			t.Parallel()
			id := newID()
			mkService(t, s, id)
			in := fullCfg(id)
			tx(t, s, id, func(r helpdesk.Repos) error { return r.Service().Update(ctx, &in) })
			scribble(&in)
			want := fullCfg(id)
			want.Version = 2
			got, err := getService(t, s, id)
			require.NoError(t, err)
			assert.Equal(t, want, got, "a value written shares no memory with the store")
		})
	})
	t.Run("Services", func(t *testing.T) {
		t.Run("pages_visit_each_once", func(t *testing.T) {
			t.Parallel()
			var mine []string
			for i := range 5 {
				id := fmt.Sprintf("%s-%d", newID(), i)
				mkService(t, s, id)
				mine = append(mine, id)
			}
			var seen []string
			after := ""
			for pages := 0; ; pages++ {
				require.Less(t, pages, 10_000)
				ids, err := s.Services(ctx, after, 2)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(ids), 2)
				assert.NotContains(t, ids, after, "after is exclusive")
				seen = append(seen, ids...)
				if len(ids) < 2 {
					break
				}
				after = ids[len(ids)-1]
			}
			for _, id := range mine {
				n := 0
				for _, x := range seen {
					if x == id {
						n++
					}
				}
				assert.Equal(t, 1, n, "service %s listed %d times", id, n)
			}
		})
		t.Run("after_not_stored", func(t *testing.T) {
			t.Parallel()
			id := newID() + "-x"
			mkService(t, s, id)
			ids, err := s.Services(ctx, id[:len(id)-1], len(allServices(t, s))+1)
			require.NoError(t, err)
			assert.Contains(t, ids, id, "paging may go on after an id that is not stored")
		})
		t.Run("limit", func(t *testing.T) {
			t.Parallel()
			_, err := s.Services(ctx, "", 0)
			assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		})
		t.Run("uncommitted_not_listed", func(t *testing.T) {
			t.Parallel()
			id := newID()
			err := s.Tx(ctx, id, func(r helpdesk.Repos) error {
				require.NoError(t, r.Service().Create(ctx, cfg(id)))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			assert.NotContains(t, allServices(t, s), id)
		})
	})
}

// allServices pages through Store.Services.
func allServices(t *testing.T, s helpdesk.Store) []string {
	t.Helper()
	var all []string
	after := ""
	for {
		ids, err := s.Services(context.Background(), after, 100)
		require.NoError(t, err)
		all = append(all, ids...)
		if len(ids) < 100 {
			return all
		}
		after = ids[len(ids)-1]
	}
}
