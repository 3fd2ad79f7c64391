package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/agent"
	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// testFieldWorkflow runs the field rules end to end through helpdesk.Desk
// on the store under test (FLD-1..5): the rules live in the field package
// and the helpdesk workflows, and must hold on every store. Each story
// uses a service of its own.
func testFieldWorkflow(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	desk, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = desk.Close() })
	// admin returns an admin session of a new service.
	admin := func(t *testing.T) (adm, sys *helpdesk.Session) {
		t.Helper()
		id := newID()
		_, err := desk.CreateService(ctx, helpdesk.NewService{ID: id, Settings: cfg(id).Settings})
		require.NoError(t, err)
		sys = desk.Service(id).As(helpdesk.System)
		a, err := sys.Agents().Create(ctx, agent.New{Name: "Admin", Email: "admin@example.com", Role: agent.RoleAdmin})
		require.NoError(t, err)
		return desk.Service(id).As(helpdesk.AgentID(a.ID)), sys
	}
	mk := func(t *testing.T, adm *helpdesk.Session, key string, k field.Kind, typ field.Type) field.Field {
		t.Helper()
		n := field.New{Key: key, Kind: k, Type: typ, Label: i18n.Text{"ko": key}}
		if typ.HasOptions() {
			n.Options = []field.Option{{Value: "s"}, {Value: "l"}}
		}
		f, err := adm.Fields().Create(ctx, n)
		require.NoError(t, err)
		return f
	}
	problemsOf := func(t *testing.T, err error) []string {
		t.Helper()
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		var out []string
		for _, p := range ve.Problems {
			out = append(out, p.Field)
		}
		return out
	}

	t.Run("DuplicateKey_FLD1", func(t *testing.T) {
		t.Parallel()
		adm, _ := admin(t)
		n := field.New{Key: "order", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "주문"}}
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Go(func() { _, errs[i] = adm.Fields().Create(ctx, n) })
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			if err == nil {
				created++
				continue
			}
			assert.ErrorIs(t, err, field.ErrDuplicateKey)
			assert.ErrorIs(t, err, helpdesk.ErrConflict)
		}
		assert.Equal(t, 1, created, "concurrent creates of one key: one wins")
		_, err := adm.Fields().Create(ctx, field.New{Key: field.KeyTitle, Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "x"}})
		assert.ErrorIs(t, err, field.ErrDuplicateKey, "system keys are taken")
		all, err := adm.Fields().List(ctx)
		require.NoError(t, err)
		assert.Len(t, all, len(field.SystemFields())+1)
		require.NoError(t, adm.Fields().Delete(ctx, "order"))
		_, err = adm.Fields().Create(ctx, n)
		assert.NoError(t, err, "a deleted key can be used again")
	})

	t.Run("SystemFields_FLD4", func(t *testing.T) {
		t.Parallel()
		adm, _ := admin(t)
		all, err := adm.Fields().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, field.SystemFields(), all, "every service has the system fields from the start")
		mk(t, adm, "note", field.KindAgent, field.TypeText)
		consent, err := adm.Fields().Update(ctx, field.KeyPrivacyConsent, field.Update{Required: fldPtr(true), Label: &i18n.Text{"ko": "동의"}})
		require.NoError(t, err)
		all, err = adm.Fields().List(ctx)
		require.NoError(t, err)
		require.Len(t, all, len(field.SystemFields())+1)
		assert.Equal(t, append(fieldKeys(field.SystemFields()), "note"), fieldKeys(all), "a changed system field keeps its place")
		got, err := adm.Fields().Get(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		assert.Equal(t, consent, got)

		err = adm.Fields().Delete(ctx, field.KeyPrivacyConsent)
		assert.ErrorIs(t, err, field.ErrSystemField)
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		def, err := adm.Fields().ResetSystem(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		want, _ := field.SystemField(field.KeyPrivacyConsent)
		assert.Equal(t, want, def)
		got, err = adm.Fields().Get(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		assert.Equal(t, want, got, "back to the defaults")
		_, err = adm.Fields().ResetSystem(ctx, field.KeyEmail)
		assert.NoError(t, err, "a field at its defaults resets again")
		_, err = adm.Fields().ResetSystem(ctx, "note")
		assert.ErrorIs(t, err, field.ErrNotSystem)
		_, err = adm.Fields().ResetSystem(ctx, "nope")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, adm.Fields().Delete(ctx, "nope"), helpdesk.ErrNotFound)
	})

	t.Run("Layouts_FLD2_FLD3", func(t *testing.T) {
		t.Parallel()
		adm, _ := admin(t)
		mk(t, adm, "size", field.KindCustomer, field.TypeSelect)
		mk(t, adm, "color", field.KindCustomer, field.TypeText)
		mk(t, adm, "note", field.KindAgent, field.TypeText)
		every := []string{"intake_type", "email", "title", "content", "consulted_at", "call_direction",
			"phone_reservation", "reserved_at", "reservation_number", "size", "color", "privacy_consent"}
		l, err := adm.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: every, Inherited: true}, l)

		l, err = adm.Fields().SetCustomerLayout(ctx, "cat1", []string{"color", "title", "size"})
		require.NoError(t, err)
		cat1 := []string{"intake_type", "color", "title", "size", "privacy_consent"}
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: cat1}, l, "pins put in place")
		_, err = adm.Fields().SetCustomerLayout(ctx, "cat1", []string{"size", "intake_type"})
		assert.ErrorIs(t, err, field.ErrPinned)
		_, err = adm.Fields().SetCustomerLayout(ctx, "cat2", []string{"note", "nope", "size", "size"})
		assert.Equal(t, []string{"keys[0]", "keys[1]", "keys[3]"}, problemsOf(t, err))
		_, err = adm.Fields().SetAgentLayout(ctx, []string{"note", "priority"})
		assert.ErrorIs(t, err, field.ErrPinned)
		a, err := adm.Fields().SetAgentLayout(ctx, []string{"note"})
		require.NoError(t, err)
		assert.Equal(t, []string{"processing_type", "priority", "note"}, a.Keys)
		_, err = adm.Fields().SetCustomerLayout(ctx, "", []string{"size"})
		require.NoError(t, err)

		l, err = adm.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: cat1}, l)
		l, err = adm.Fields().CustomerLayout(ctx, "cat2")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat2",
			Keys: []string{"intake_type", "size", "privacy_consent"}, Inherited: true}, l, "the refused layout was not written; the default applies")
		got, err := adm.Fields().AgentLayout(ctx)
		require.NoError(t, err)
		assert.Equal(t, a, got)

		// deleting a field takes it out of every layout (FLD-4)
		require.NoError(t, adm.Fields().Delete(ctx, "size"))
		require.NoError(t, adm.Fields().Delete(ctx, "note"))
		l, err = adm.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "color", "title", "privacy_consent"}, l.Keys)
		l, err = adm.Fields().CustomerLayout(ctx, "cat2")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "privacy_consent"}, l.Keys)
		got, err = adm.Fields().AgentLayout(ctx)
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority"}}, got)
		mk(t, adm, "size", field.KindCustomer, field.TypeSelect)
		l, err = adm.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.NotContains(t, l.Keys, "size", "a key used again is not back in old layouts")

		require.NoError(t, adm.Fields().ResetCustomerLayout(ctx, "cat1"))
		require.NoError(t, adm.Fields().ResetCustomerLayout(ctx, "never-set"))
		l, err = adm.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1",
			Keys: []string{"intake_type", "privacy_consent"}, Inherited: true}, l, "back to the default")
	})

	t.Run("TicketChecked_FLD5", func(t *testing.T) {
		t.Parallel()
		adm, sys := admin(t)
		mk(t, adm, "size", field.KindCustomer, field.TypeSelect)
		mk(t, adm, "born", field.KindCustomer, field.TypeDate)
		billing, err := adm.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "결제"}})
		require.NoError(t, err)
		_, err = adm.Fields().SetCustomerLayout(ctx, billing.ID, []string{"size"})
		require.NoError(t, err)
		_, err = adm.Fields().Update(ctx, field.KeyPrivacyConsent, field.Update{Required: fldPtr(true)})
		require.NoError(t, err)
		n := ticket.New{Requester: ticket.Requester{Name: "Lee", Email: "lee@example.com"}, Title: "Help", Content: "Please",
			Channel: ticket.ChannelHelpCenter, IntakeCategoryID: billing.ID, CustomerFields: ticket.Fields{"size": "xl", "born": "2000-01-01"}}
		_, err = sys.Tickets().Create(ctx, n)
		assert.ElementsMatch(t, []string{"customer_fields.size", "customer_fields.born", "customer_fields.privacy_consent"}, problemsOf(t, err),
			"checked against the layout of the intake category")
		n.CustomerFields = ticket.Fields{"size": "s", "privacy_consent": true}
		tk, err := sys.Tickets().Create(ctx, n)
		require.NoError(t, err)
		assert.Equal(t, ticket.Fields{"size": "s", "privacy_consent": true}, tk.CustomerFields)
	})
}

func fieldKeys(fs []field.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key
	}
	return out
}

func fldPtr[T any](v T) *T { return &v }
