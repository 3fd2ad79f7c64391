package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testField holds the field conformance cases (FLD-1..5): definitions,
// system fields, layouts with their pins, tenant isolation, rollback.
func testField(t *testing.T, s helpdesk.Store) {
	mkService(t, s, "acme")
	mkService(t, s, "other")
	t.Run("CRUD_FLD1", func(t *testing.T) { testFieldCRUD(t, s) })
	t.Run("DuplicateKey_FLD1", func(t *testing.T) { testFieldDuplicateKey(t, s) })
	t.Run("SystemFields_FLD4", func(t *testing.T) { testSystemFields(t, s) })
	t.Run("Layouts_FLD2_FLD3", func(t *testing.T) { testFieldLayouts(t, s) })
	t.Run("TenantIsolation_SVC1", func(t *testing.T) { testFieldIsolation(t, s) })
	t.Run("Rollback", func(t *testing.T) { testFieldRollback(t, s) })
}

// userField returns a user field of service-wide unique key, created at
// base plus sec seconds.
func userField(key string, k field.Kind, typ field.Type, sec int) field.Field {
	f := field.Field{Key: key, Kind: k, Type: typ, Label: i18n.Text{"ko": key, "en": key},
		CreatedAt: base.Add(time.Duration(sec) * time.Second), UpdatedAt: base.Add(time.Duration(sec) * time.Second)}
	if typ.HasOptions() {
		f.Options = []field.Option{{Value: "s", Label: i18n.Text{"ko": "소", "en": "Small"}}, {Value: "l"}}
	}
	return f
}

func listFields(t *testing.T, s helpdesk.Store, service string) []field.Field {
	t.Helper()
	var out []field.Field
	tx(t, s, service, func(r helpdesk.Repos) (err error) {
		out, err = r.Fields().List(context.Background())
		return err
	})
	return out
}

func fieldKeys(fs []field.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Key
	}
	return out
}

func systemKeys() []string { return fieldKeys(field.SystemFields()) }

func testFieldCRUD(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	size := userField("crud_size", field.KindCustomer, field.TypeMultiSelect, 2)
	size.HelpText = i18n.Text{"ko": "도움말"}
	size.Required = true
	note := userField("crud_note", field.KindAgent, field.TypeText, 1)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Fields().Create(ctx, size))
		return r.Fields().Create(ctx, note)
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, size.Key)
		require.NoError(t, err)
		assert.Equal(t, size, got)
		all, err := r.Fields().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, append(systemKeys(), "crud_note", "crud_size"), fieldKeys(all), "system fields, then by creation")
		assert.Equal(t, note, all[len(all)-2])
		_, err = r.Fields().Get(ctx, "nope")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Fields().Update(ctx, userField("nope", field.KindAgent, field.TypeText, 0)), helpdesk.ErrNotFound)
		assert.ErrorIs(t, r.Fields().Delete(ctx, "nope"), helpdesk.ErrNotFound)
		return nil
	})

	// Update changes the definition, never the key, kind, type or creation.
	upd := size
	upd.Kind, upd.Type, upd.CreatedAt = field.KindAgent, field.TypeText, base.Add(time.Hour)
	upd.Label = i18n.Text{"en": "Sizes"}
	upd.HelpText = nil
	upd.Required = false
	upd.Options = []field.Option{{Value: "l"}, {Value: "xl", Label: i18n.Text{"ko": "특대"}}}
	upd.UpdatedAt = base.Add(time.Minute + 7*time.Microsecond)
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Update(ctx, upd) })
	want := size
	want.Label, want.HelpText, want.Required, want.Options, want.UpdatedAt = upd.Label, nil, false, upd.Options, upd.UpdatedAt
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, size.Key)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		return nil
	})

	// values read back share no memory with the store
	all := listFields(t, s, "acme")
	all[len(all)-1].Options[0].Value = "MUTATED"
	all[len(all)-1].Label["en"] = "MUTATED"
	assert.Equal(t, want, listFields(t, s, "acme")[len(all)-1])

	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Delete(ctx, note.Key) })
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Delete(ctx, size.Key) })
	assert.Equal(t, systemKeys(), fieldKeys(listFields(t, s, "acme")))
}

func testFieldDuplicateKey(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	dup := userField("dup_key", field.KindCustomer, field.TypeText, 0)
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Create(ctx, dup) })
	other := userField("dup_other", field.KindAgent, field.TypeNumber, 1)
	// Refused writes leave the transaction usable and write nothing.
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		again := userField("dup_key", field.KindAgent, field.TypeNumber, 5)
		err := r.Fields().Create(ctx, again)
		assert.ErrorIs(t, err, field.ErrDuplicateKey)
		assert.ErrorIs(t, err, helpdesk.ErrConflict)
		err = r.Fields().Create(ctx, userField(field.KeyTitle, field.KindCustomer, field.TypeText, 5))
		assert.ErrorIs(t, err, field.ErrDuplicateKey, "system keys are taken")
		return r.Fields().Create(ctx, other)
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, dup.Key)
		require.NoError(t, err)
		assert.Equal(t, dup, got, "the first definition stays")
		got, err = r.Fields().Get(ctx, other.Key)
		require.NoError(t, err)
		assert.Equal(t, other, got)
		title, err := r.Fields().Get(ctx, field.KeyTitle)
		require.NoError(t, err)
		assert.True(t, title.System)
		require.NoError(t, r.Fields().Delete(ctx, dup.Key))
		return r.Fields().Delete(ctx, other.Key)
	})
	// a deleted key can be used again
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Create(ctx, dup) })
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Delete(ctx, dup.Key) })
}

func testSystemFields(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	assert.Equal(t, field.SystemFields(), listFields(t, s, "other"), "every service has the system fields from the start")
	consent, _ := field.SystemField(field.KeyPrivacyConsent)
	changed := consent
	changed.Required = true
	changed.Label = i18n.Text{"ko": "동의합니다"}
	changed.HelpText = i18n.Text{"en": "We keep your data for a year"}
	changed.UpdatedAt = base.Add(time.Hour)
	prio, _ := field.SystemField(field.KeyPriority)
	prio.Options[0].Label = i18n.Text{"en": "Whenever"}
	prio.UpdatedAt = base.Add(2 * time.Hour)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		err := r.Fields().Delete(ctx, field.KeyPrivacyConsent)
		assert.ErrorIs(t, err, field.ErrSystemField, "FLD-4")
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		require.NoError(t, r.Fields().Update(ctx, changed))
		return r.Fields().Update(ctx, prio)
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		assert.Equal(t, changed, got)
		all, err := r.Fields().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, systemKeys(), fieldKeys(all), "a changed system field keeps its place")
		assert.Equal(t, prio, all[len(all)-1])

		def, err := r.Fields().Reset(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		assert.Equal(t, consent, def)
		def, err = r.Fields().Reset(ctx, field.KeyEmail)
		require.NoError(t, err, "resetting a field at its defaults is no error")
		assert.True(t, def.System)
		return nil
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, field.KeyPrivacyConsent)
		require.NoError(t, err)
		assert.Equal(t, consent, got, "reset to the defaults")
		_, err = r.Fields().Reset(ctx, "nope")
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		require.NoError(t, r.Fields().Create(ctx, userField("sys_user", field.KindAgent, field.TypeText, 0)))
		_, err = r.Fields().Reset(ctx, "sys_user")
		assert.ErrorIs(t, err, field.ErrNotSystem)
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		require.NoError(t, r.Fields().Delete(ctx, "sys_user"))
		_, err = r.Fields().Reset(ctx, field.KeyPriority)
		return err
	})
	assert.Equal(t, field.SystemFields(), listFields(t, s, "acme"))
	assert.Equal(t, field.SystemFields(), listFields(t, s, "other"), "untouched by acme's changes")
}

func testFieldLayouts(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	size := userField("lay_size", field.KindCustomer, field.TypeSelect, 10)
	color := userField("lay_color", field.KindCustomer, field.TypeText, 11)
	note := userField("lay_note", field.KindAgent, field.TypeText, 12)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		for _, f := range []field.Field{size, color, note} {
			require.NoError(t, r.Fields().Create(ctx, f))
		}
		return nil
	})
	everyCustomer := []string{"intake_type", "email", "title", "content", "consulted_at", "call_direction",
		"phone_reservation", "reserved_at", "reservation_number", "lay_size", "lay_color", "privacy_consent"}
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		l, err := r.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: everyCustomer, Inherited: true}, l)
		a, err := r.Fields().AgentLayout(ctx)
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority", "lay_note"}, Inherited: true}, a)
		return nil
	})

	// set, with the pins put in place; refused layouts write nothing and
	// leave the transaction usable
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		l, err := r.Fields().SetCustomerLayout(ctx, "cat1", []string{"lay_color", "title", "lay_size"})
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1",
			Keys: []string{"intake_type", "lay_color", "title", "lay_size", "privacy_consent"}}, l)
		_, err = r.Fields().SetCustomerLayout(ctx, "cat1", []string{"lay_size", "intake_type"})
		assert.ErrorIs(t, err, field.ErrPinned, "FLD-2: the intake type stays first")
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		_, err = r.Fields().SetCustomerLayout(ctx, "cat2", []string{"privacy_consent", "lay_size"})
		assert.ErrorIs(t, err, field.ErrPinned, "FLD-2: the privacy consent stays last")
		_, err = r.Fields().SetCustomerLayout(ctx, "cat2", []string{"lay_note", "nope", "lay_size", "lay_size"})
		var ve *helpdesk.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Len(t, ve.Problems, 3, "agent field, unknown key, repeat: %v", err)
		_, err = r.Fields().SetAgentLayout(ctx, []string{"lay_note", "priority"})
		assert.ErrorIs(t, err, field.ErrPinned, "FLD-3: priority stays on top")
		a, err := r.Fields().SetAgentLayout(ctx, []string{"priority", "lay_note"})
		require.NoError(t, err)
		assert.Equal(t, []string{"processing_type", "priority", "lay_note"}, a.Keys)
		return nil
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		l, err := r.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "lay_color", "title", "lay_size", "privacy_consent"}, l.Keys)
		assert.False(t, l.Inherited)
		l, err = r.Fields().CustomerLayout(ctx, "cat2")
		require.NoError(t, err)
		assert.True(t, l.Inherited, "the refused layout of cat2 was not written")
		assert.Equal(t, everyCustomer, l.Keys)
		a, err := r.Fields().AgentLayout(ctx)
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority", "lay_note"}}, a)

		// the service default applies to categories without a layout
		_, err = r.Fields().SetCustomerLayout(ctx, "", []string{"intake_type", "lay_size", "privacy_consent"})
		require.NoError(t, err)
		l, err = r.Fields().CustomerLayout(ctx, "cat2")
		require.NoError(t, err)
		assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat2",
			Keys: []string{"intake_type", "lay_size", "privacy_consent"}, Inherited: true}, l)
		sch, err := r.Fields().Schema(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "lay_color", "title", "lay_size", "privacy_consent"}, sch.Customer.Keys)
		assert.Equal(t, a, sch.Agent)
		all, err := r.Fields().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, all, sch.Fields)
		return nil
	})

	// deleting a field takes it out of every layout
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Fields().Delete(ctx, "lay_size"))
		return r.Fields().Delete(ctx, "lay_note")
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		sch, err := r.Fields().Schema(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "lay_color", "title", "privacy_consent"}, sch.Customer.Keys)
		assert.Equal(t, []string{"processing_type", "priority"}, sch.Agent.Keys)
		assert.False(t, sch.Agent.Inherited)
		l, err := r.Fields().CustomerLayout(ctx, "cat2")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "privacy_consent"}, l.Keys)

		require.NoError(t, r.Fields().DeleteCustomerLayout(ctx, "cat1"))
		require.NoError(t, r.Fields().DeleteCustomerLayout(ctx, "never-set"))
		l, err = r.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.True(t, l.Inherited)
		assert.Equal(t, []string{"intake_type", "privacy_consent"}, l.Keys, "back to the service default")
		require.NoError(t, r.Fields().DeleteCustomerLayout(ctx, ""))
		return r.Fields().Delete(ctx, "lay_color")
	})
}

func testFieldIsolation(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	mine := userField("iso_key", field.KindCustomer, field.TypeText, 0)
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		require.NoError(t, r.Fields().Create(ctx, mine))
		_, err := r.Fields().SetCustomerLayout(ctx, "cat1", []string{"iso_key"})
		return err
	})
	err := s.Tx(ctx, "other", func(r helpdesk.Repos) error {
		_, err := r.Fields().Get(ctx, mine.Key)
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
	err = s.Tx(ctx, "other", func(r helpdesk.Repos) error { return r.Fields().Delete(ctx, mine.Key) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = s.Tx(ctx, "other", func(r helpdesk.Repos) error {
		_, err := r.Fields().SetCustomerLayout(ctx, "cat1", []string{"iso_key"})
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrInvalid, "acme's field is unknown in other")
	theirs := userField("iso_key", field.KindAgent, field.TypeNumber, 3)
	tx(t, s, "other", func(r helpdesk.Repos) error { return r.Fields().Create(ctx, theirs) }) // the same key in another service
	tx(t, s, "other", func(r helpdesk.Repos) error {
		l, err := r.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.True(t, l.Inherited, "acme's layout is not other's")
		got, err := r.Fields().Get(ctx, "iso_key")
		require.NoError(t, err)
		assert.Equal(t, theirs, got)
		return r.Fields().Delete(ctx, "iso_key")
	})
	tx(t, s, "acme", func(r helpdesk.Repos) error {
		got, err := r.Fields().Get(ctx, mine.Key)
		require.NoError(t, err)
		assert.Equal(t, mine, got, "untouched by other")
		l, err := r.Fields().CustomerLayout(ctx, "cat1")
		require.NoError(t, err)
		assert.Equal(t, []string{"intake_type", "iso_key", "privacy_consent"}, l.Keys)
		require.NoError(t, r.Fields().DeleteCustomerLayout(ctx, "cat1"))
		return r.Fields().Delete(ctx, mine.Key)
	})
}

func testFieldRollback(t *testing.T, s helpdesk.Store) {
	ctx := context.Background()
	keep := userField("rb_keep", field.KindCustomer, field.TypeText, 0)
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Create(ctx, keep) })
	before := listFields(t, s, "acme")
	schema := func() field.Schema {
		var sch field.Schema
		tx(t, s, "acme", func(r helpdesk.Repos) (err error) {
			sch, err = r.Fields().Schema(ctx, "cat1")
			return err
		})
		return sch
	}
	schemaBefore := schema()
	fail := func(r helpdesk.Repos) {
		require.NoError(t, r.Fields().Create(ctx, userField("rb_ghost", field.KindCustomer, field.TypeText, 1)))
		changed := keep
		changed.Required = true
		changed.UpdatedAt = base.Add(time.Hour)
		require.NoError(t, r.Fields().Update(ctx, changed))
		email, _ := field.SystemField(field.KeyEmail)
		email.Required = true
		require.NoError(t, r.Fields().Update(ctx, email))
		_, err := r.Fields().SetCustomerLayout(ctx, "cat1", []string{"rb_keep", "rb_ghost"})
		require.NoError(t, err)
		_, err = r.Fields().SetAgentLayout(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, r.Fields().Delete(ctx, "rb_keep"))
	}
	err := s.Tx(ctx, "acme", func(r helpdesk.Repos) error { fail(r); return errBoom })
	require.ErrorIs(t, err, errBoom)
	assert.Panics(t, func() {
		_ = s.Tx(ctx, "acme", func(r helpdesk.Repos) error { fail(r); panic("boom") })
	})
	assert.Equal(t, before, listFields(t, s, "acme"))
	assert.Equal(t, schemaBefore, schema(), "no layout was written")
	tx(t, s, "acme", func(r helpdesk.Repos) error { return r.Fields().Delete(ctx, keep.Key) })
}
