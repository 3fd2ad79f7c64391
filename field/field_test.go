package field_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
)

var langs = []string{"ko", "en"}

func problems(t *testing.T, err error) []string {
	t.Helper()
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, errs.ErrInvalid)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
	}
	return out
}

func sizes() field.Field {
	return field.New{Key: "size", Kind: field.KindCustomer, Type: field.TypeSelect, Label: i18n.Text{"ko": "크기"},
		Options: []field.Option{{Value: "s"}, {Value: "m"}, {Value: "l", Label: i18n.Text{"en": "Large"}}}}.Field(time.Time{})
}

func TestField_FLD1_ValuesByType(t *testing.T) {
	opts := []field.Option{{Value: "a"}, {Value: "b"}}
	cases := []struct {
		typ  field.Type
		good []any
		bad  []any
	}{
		{field.TypeText, []any{"", "one line", "한글"}, []any{"two\nlines", 1.0, true, []string{"a"}, strings.Repeat("x", 1001), "\xff"}},
		{field.TypeMultiline, []any{"two\nlines", strings.Repeat("x", 2000)}, []any{false, strings.Repeat("x", 64<<10+1)}},
		{field.TypeNumber, []any{0.0, -1.5, 1e300}, []any{"1", math.NaN(), math.Inf(1), 1, nil}},
		{field.TypeDate, []any{"2026-11-25", "2024-02-29", ""}, []any{"2026-11-31", "2026-1-05", "2025-02-29", "2026-11-25T09:00:00Z", 20261125.0}},
		{field.TypeDateTime, []any{"2026-11-25T09:00:00Z", "2026-11-25T09:00:00.123+09:00"}, []any{"2026-11-25 09:00", "2026-11-25", "2026-11-25T09:00:00", true}},
		{field.TypeSelect, []any{"a", "b", ""}, []any{"c", "A", []string{"a"}}},
		{field.TypeMultiSelect, []any{[]string{"a"}, []string{"b", "a"}, []string{}}, []any{"a", []string{"a", "a"}, []string{"c"}, []string{""}}},
		{field.TypeCheckbox, []any{true, false}, []any{"true", 1.0, nil}},
		{field.TypeEmail, []any{"lee@example.com", ""}, []any{"Lee <lee@example.com>", "no-at", "lee@", 3.0}},
		{field.TypePhone, []any{"010-1234-5678", "+82 (2) 1234.5678", "112"}, []any{"12", "phone", "010-1234-567a", strings.Repeat("1", 21), "++82 10"}},
		{field.TypeURL, []any{"https://example.com/a?b=c", "http://localhost:8080"}, []any{"example.com", "ftp://example.com", "https://", "https://exa mple.com", "javascript:alert(1)", "mailto:a@b.c"}},
	}
	for _, c := range cases {
		t.Run(string(c.typ), func(t *testing.T) {
			f := field.Field{Key: "k", Kind: field.KindCustomer, Type: c.typ}
			if c.typ.HasOptions() {
				f.Options = opts
			}
			for _, v := range c.good {
				assert.NoError(t, f.CheckValue(v), "%#v", v)
			}
			for _, v := range c.bad {
				assert.Error(t, f.CheckValue(v), "%#v", v)
			}
		})
	}
	assert.Len(t, field.Types, 11, "the FLD-1 types")
	assert.False(t, field.TypeCategory.Valid(), "system only")
}

func TestField_FLD1_NewValidate_EveryProblem(t *testing.T) {
	err := field.New{Key: "Bad Key", Kind: "boss", Type: "colour", Label: i18n.Text{"fr": "x"},
		HelpText: i18n.Text{"ko": strings.Repeat("h", 1001)}}.Validate(langs, "ko")
	assert.ElementsMatch(t, []string{"key", "kind", "type", "label", "label", "help_text"}, problems(t, err))

	good := field.New{Key: "order_no", Kind: field.KindAgent, Type: field.TypeText, Label: i18n.Text{"ko": "주문 번호", "en": "Order"}}
	assert.NoError(t, good.Validate(langs, "ko"))
	f := good.Field(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	assert.False(t, f.System)
	assert.Equal(t, f.CreatedAt, f.UpdatedAt)
}

func TestField_FLD1_SelectWithoutOptions(t *testing.T) {
	for _, typ := range []field.Type{field.TypeSelect, field.TypeMultiSelect} {
		err := field.New{Key: "k", Kind: field.KindCustomer, Type: typ, Label: i18n.Text{"ko": "k"}}.Validate(langs, "ko")
		assert.Equal(t, []string{"options"}, problems(t, err), typ)
		assert.Contains(t, err.Error(), "at least one option")
	}
	err := field.New{Key: "k", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "k"},
		Options: []field.Option{{Value: "a"}}}.Validate(langs, "ko")
	assert.Equal(t, []string{"options"}, problems(t, err), "only selects take options")

	err = field.New{Key: "k", Kind: field.KindCustomer, Type: field.TypeSelect, Label: i18n.Text{"ko": "k"},
		Options: []field.Option{{Value: "a"}, {Value: " b"}, {Value: "a"}, {Value: "c", Label: i18n.Text{"ja": "c"}}}}.Validate(langs, "ko")
	assert.Equal(t, []string{"options[1].value", "options[2].value", "options[3].label"}, problems(t, err))
}

func TestField_FLD4_SystemFields(t *testing.T) {
	var keys []string
	for _, f := range field.SystemFields() {
		keys = append(keys, f.Key)
		assert.True(t, f.System, f.Key)
		assert.NotEmpty(t, f.Label["ko"], f.Key)
		assert.NotEmpty(t, f.Label["en"], f.Key)
		assert.True(t, f.Kind.Valid(), f.Key)
		assert.True(t, f.Type.Valid() || f.Type == field.TypeCategory, f.Key)
		assert.Equal(t, f.Type.HasOptions(), len(f.Options) > 0, f.Key)
		assert.Equal(t, f.Key == "title" || f.Key == "content" || f.Key == "priority", f.Required, f.Key)
	}
	assert.Equal(t, []string{
		"intake_type", "email", "title", "content", "privacy_consent", // help center
		"consulted_at", "call_direction", "phone_reservation", "reserved_at", "reservation_number", // phone
		"processing_type", "priority", // agent-side pins (FLD-3)
	}, keys)
	cols := map[string]string{}
	for _, f := range field.SystemFields() {
		if c := f.Column(); c != "" {
			cols[f.Key] = c
		}
	}
	assert.Equal(t, map[string]string{"intake_type": "intake_category_id", "email": "requester.email", "title": "title",
		"content": "content", "processing_type": "processing_category_id", "priority": "priority"}, cols)
	assert.Empty(t, sizes().Column(), "user fields hold custom values")

	// defaults are fresh copies
	a := field.SystemFields()
	a[0].Label["ko"] = "MUTATED"
	b, _ := field.SystemField("intake_type")
	assert.Equal(t, "문의 유형", b.Label["ko"])
}

func TestField_FLD4_SystemFieldFixedParts(t *testing.T) {
	prio, ok := field.SystemField(field.KeyPriority)
	require.True(t, ok)
	relabel := []field.Option{{Value: "low", Label: i18n.Text{"en": "Meh"}}, {Value: "normal"}, {Value: "high"}, {Value: "urgent"}}
	assert.NoError(t, prio.ValidateUpdate(field.Update{Options: &relabel}, langs, "ko"), "labels may change")
	fewer := relabel[:3]
	err := prio.ValidateUpdate(field.Update{Options: &fewer}, langs, "ko")
	assert.ErrorIs(t, err, field.ErrSystemField)
	assert.Equal(t, []string{"options"}, problems(t, err))
	off := false
	err = prio.ValidateUpdate(field.Update{Required: &off}, langs, "ko")
	assert.ErrorIs(t, err, field.ErrSystemField)

	consent, _ := field.SystemField(field.KeyPrivacyConsent)
	on := true
	assert.NoError(t, consent.ValidateUpdate(field.Update{Required: &on, Label: &i18n.Text{"ko": "동의"}}, langs, "ko"))
	err = consent.ValidateUpdate(field.Update{Label: &i18n.Text{"en": "Consent"}}, langs, "ko")
	assert.Equal(t, []string{"label"}, problems(t, err), "a label needs the default language")
	assert.False(t, errors.Is(err, field.ErrSystemField))
}

func TestField_FLD2_CustomerLayoutPins(t *testing.T) {
	defs := field.Merge([]field.Field{sizes(), {Key: "note", Kind: field.KindAgent, Type: field.TypeText}})
	cases := []struct {
		name   string
		keys   []string
		want   []string
		bad    []string
		pinned bool
	}{
		{"pins added", []string{"size"}, []string{"intake_type", "size", "privacy_consent"}, nil, false},
		{"pins in place", []string{"intake_type", "title", "size", "privacy_consent"}, []string{"intake_type", "title", "size", "privacy_consent"}, nil, false},
		{"empty", nil, []string{"intake_type", "privacy_consent"}, nil, false},
		{"intake type moved", []string{"size", "intake_type"}, nil, []string{"keys[1]"}, true},
		{"consent moved", []string{"privacy_consent", "size"}, nil, []string{"keys[0]"}, true},
		{"every problem", []string{"nope", "note", "size", "size", "privacy_consent", "intake_type"}, nil,
			[]string{"keys[0]", "keys[1]", "keys[3]", "keys[4]", "keys[5]"}, true},
		{"no pin problem", []string{"size", "nope"}, nil, []string{"keys[1]"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := field.CheckLayout(field.KindCustomer, c.keys, defs)
			if c.bad == nil {
				require.NoError(t, err)
				assert.Equal(t, c.want, got)
				return
			}
			assert.Equal(t, c.bad, problems(t, err))
			assert.Equal(t, c.pinned, errors.Is(err, field.ErrPinned))
		})
	}
}

func TestField_FLD3_AgentLayoutPins(t *testing.T) {
	defs := field.Merge([]field.Field{sizes(), {Key: "note", Kind: field.KindAgent, Type: field.TypeText}})
	got, err := field.CheckLayout(field.KindAgent, []string{"note"}, defs)
	require.NoError(t, err)
	assert.Equal(t, []string{"processing_type", "priority", "note"}, got)
	got, err = field.CheckLayout(field.KindAgent, []string{"priority", "note"}, defs)
	require.NoError(t, err, "priority listed first is in place once processing type is put before it")
	assert.Equal(t, []string{"processing_type", "priority", "note"}, got)
	_, err = field.CheckLayout(field.KindAgent, []string{"note", "processing_type", "priority"}, defs)
	assert.ErrorIs(t, err, field.ErrPinned)
	assert.Equal(t, []string{"keys[1]", "keys[2]"}, problems(t, err))
	_, err = field.CheckLayout(field.KindAgent, []string{"priority", "processing_type"}, defs)
	assert.ErrorIs(t, err, field.ErrPinned)
	_, err = field.CheckLayout(field.KindAgent, []string{"size"}, defs)
	assert.Equal(t, []string{"keys[0]"}, problems(t, err), "a customer field in the agent layout")
}

func TestField_FLD2_NewSchemaResolvesLayouts(t *testing.T) {
	note := field.Field{Key: "note", Kind: field.KindAgent, Type: field.TypeText}
	st := field.Stored{Fields: []field.Field{note, sizes()}}

	sch := field.NewSchema(st, "cat1")
	assert.Equal(t, field.Merge(st.Fields), sch.Fields, "rows merged with the system defaults")
	assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Inherited: true,
		Keys: []string{"intake_type", "email", "title", "content", "consulted_at", "call_direction",
			"phone_reservation", "reserved_at", "reservation_number", "size", "privacy_consent"}}, sch.Customer, "never set: every customer field")
	assert.Equal(t, field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority", "note"}, Inherited: true}, sch.Agent)

	st.Layouts = []field.Layout{
		{Kind: field.KindCustomer, Keys: []string{"intake_type", "title", "privacy_consent"}},
		{Kind: field.KindCustomer, IntakeCategoryID: "cat2", Keys: []string{"size"}},
		{Kind: field.KindAgent, Keys: []string{"note"}},
	}
	sch = field.NewSchema(st, "cat1")
	assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Inherited: true,
		Keys: []string{"intake_type", "title", "privacy_consent"}}, sch.Customer, "the service default")
	assert.Equal(t, field.Layout{Kind: field.KindAgent, Keys: []string{"processing_type", "priority", "note"}}, sch.Agent, "stored, pins put in place")
	sch = field.NewSchema(st, "")
	assert.Equal(t, field.Layout{Kind: field.KindCustomer, Keys: []string{"intake_type", "title", "privacy_consent"}}, sch.Customer,
		"the default itself is not inherited")

	st.Layouts = append(st.Layouts, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1",
		Keys: []string{"intake_type", "size", "gone", "note", "privacy_consent"}})
	sch = field.NewSchema(st, "cat1")
	assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1",
		Keys: []string{"intake_type", "size", "privacy_consent"}}, sch.Customer, "fields gone or of the other kind are dropped")
	sch.Customer.Keys[1] = "MUTATED"
	assert.Equal(t, "size", st.Layouts[3].Keys[1], "the schema shares no keys with the rows")
}

func TestField_FLD4_WithoutKey(t *testing.T) {
	ls := []field.Layout{
		{Kind: field.KindCustomer, Keys: []string{"intake_type", "size", "privacy_consent"}},
		{Kind: field.KindCustomer, IntakeCategoryID: "cat1", Keys: []string{"title"}},
		{Kind: field.KindAgent, Keys: []string{"size"}},
	}
	got := field.WithoutKey(ls, "size")
	assert.Equal(t, []field.Layout{
		{Kind: field.KindCustomer, Keys: []string{"intake_type", "privacy_consent"}},
		{Kind: field.KindAgent, Keys: []string{}},
	}, got, "only the layouts that list the key, without it")
	assert.Equal(t, []string{"intake_type", "size", "privacy_consent"}, ls[0].Keys, "the input is not modified")
	assert.Empty(t, field.WithoutKey(ls, "nope"))
}

func TestField_FLD1_CheckCreate(t *testing.T) {
	f := sizes()
	assert.NoError(t, field.CheckCreate(f, false))
	err := field.CheckCreate(f, true)
	assert.ErrorIs(t, err, field.ErrDuplicateKey)
	assert.ErrorIs(t, err, errs.ErrConflict)
	assert.Contains(t, err.Error(), `"size"`)
	title := field.Field{Key: field.KeyTitle, Kind: field.KindCustomer, Type: field.TypeText}
	assert.ErrorIs(t, field.CheckCreate(title, false), field.ErrDuplicateKey, "a system key is taken without a row")
	sys, _ := field.SystemField(field.KeyEmail)
	err = field.CheckCreate(sys, false)
	assert.ErrorIs(t, err, errs.ErrInvalid, "system fields are never created")
	assert.False(t, errors.Is(err, field.ErrDuplicateKey))
}

func TestField_FLD4_CheckDelete(t *testing.T) {
	assert.NoError(t, field.CheckDelete("size", true))
	assert.ErrorIs(t, field.CheckDelete("size", false), field.ErrNotFound)
	for _, stored := range []bool{false, true} {
		err := field.CheckDelete(field.KeyPrivacyConsent, stored)
		assert.ErrorIs(t, err, field.ErrSystemField, "stored %v", stored)
		assert.ErrorIs(t, err, errs.ErrInvalid)
	}
}

func TestField_FLD4_ResetTo(t *testing.T) {
	want, _ := field.SystemField(field.KeyPriority)
	for _, stored := range []bool{false, true} {
		got, err := field.ResetTo(field.KeyPriority, stored)
		require.NoError(t, err)
		assert.Equal(t, want, got, "stored %v", stored)
	}
	_, err := field.ResetTo("size", true)
	assert.ErrorIs(t, err, field.ErrNotSystem)
	assert.ErrorIs(t, err, errs.ErrInvalid)
	_, err = field.ResetTo("size", false)
	assert.ErrorIs(t, err, field.ErrNotFound)
}

func TestField_FLD4_Current(t *testing.T) {
	row, _ := field.SystemField(field.KeyEmail)
	row.Required = true
	got, ok := field.Current(field.KeyEmail, row, true)
	assert.True(t, ok)
	assert.Equal(t, row, got, "the stored row")
	def, _ := field.SystemField(field.KeyEmail)
	got, ok = field.Current(field.KeyEmail, field.Field{}, false)
	assert.True(t, ok)
	assert.Equal(t, def, got, "no row: the defaults")
	got, ok = field.Current("size", sizes(), true)
	assert.True(t, ok)
	assert.Equal(t, sizes(), got)
	_, ok = field.Current("size", field.Field{}, false)
	assert.False(t, ok)
}

func TestField_FLD4_MergeOrder(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	b := field.Field{Key: "b", Kind: field.KindAgent, Type: field.TypeText, CreatedAt: at}
	a := field.Field{Key: "a", Kind: field.KindAgent, Type: field.TypeText, CreatedAt: at.Add(time.Second)}
	c := field.Field{Key: "c", Kind: field.KindAgent, Type: field.TypeText, CreatedAt: at}
	email, _ := field.SystemField("email")
	email.Required = true
	got := field.Merge([]field.Field{a, email, c, b})
	n := len(field.SystemFields())
	require.Len(t, got, n+3)
	assert.True(t, got[1].Required, "the stored version of a system field")
	assert.Equal(t, []string{"b", "c", "a"}, []string{got[n].Key, got[n+1].Key, got[n+2].Key}, "by creation, then key")
}

func TestField_FLD5_EveryBadFieldReported(t *testing.T) {
	defs := field.Merge([]field.Field{
		sizes(),
		{Key: "age", Kind: field.KindCustomer, Type: field.TypeNumber, Required: true},
		{Key: "born", Kind: field.KindCustomer, Type: field.TypeDate},
		{Key: "hidden", Kind: field.KindCustomer, Type: field.TypeText},
		{Key: "note", Kind: field.KindAgent, Type: field.TypeText},
	})
	consent, _ := field.SystemField(field.KeyPrivacyConsent)
	consent.Required = true
	defs[4] = consent
	sch := field.Schema{Fields: defs,
		Customer: field.Layout{Kind: field.KindCustomer, Keys: []string{"intake_type", "size", "age", "born", "privacy_consent"}},
		Agent:    field.NewSchema(field.Stored{Fields: defs}, "").Agent}
	err := field.Check{Prefix: "customer_fields.", Kind: field.KindCustomer, Schema: sch, Required: true}.Run(map[string]any{
		"size":            "xl",        // not an option
		"born":            "yesterday", // not a date
		"hidden":          "x",         // not in the layout
		"note":            "x",         // an agent field
		"nope":            1.0,         // unknown
		"title":           "x",         // a ticket column
		"privacy_consent": false,       // required checkbox unchecked
		// age: required, missing
	})
	assert.Equal(t, []string{"customer_fields.born", "customer_fields.hidden", "customer_fields.nope", "customer_fields.note",
		"customer_fields.privacy_consent", "customer_fields.size", "customer_fields.title", "customer_fields.age"}, problems(t, err))

	assert.NoError(t, field.Check{Prefix: "customer_fields.", Kind: field.KindCustomer, Schema: sch, Required: true}.Run(map[string]any{
		"size": "m", "age": 3.0, "privacy_consent": true}))

	assert.NoError(t, field.Check{Prefix: "customer_fields.", Kind: field.KindCustomer, Schema: sch}.Run(nil),
		"Required off: nothing is required")
}

func TestField_FLD5_UnchangedValuesNotChecked(t *testing.T) {
	f := sizes()
	f.Options = f.Options[:2] // option "l" removed after tickets stored it
	f.Required = true
	sch := field.NewSchema(field.Stored{Fields: []field.Field{f}}, "")
	before := map[string]any{"size": "l", "gone": "old value of a deleted field"}
	run := func(values map[string]any, before map[string]any) []string {
		err := field.Check{Prefix: "cf.", Kind: field.KindCustomer, Schema: sch, Compare: true, Before: before, Required: true}.Run(values)
		if err == nil {
			return nil
		}
		return problems(t, err)
	}
	assert.Empty(t, run(map[string]any{"size": "l", "gone": "old value of a deleted field"}, before), "unchanged values stay valid")
	assert.Equal(t, []string{"cf.size"}, run(map[string]any{"size": "xl", "gone": "old value of a deleted field"}, before), "a changed value is checked")
	assert.Equal(t, []string{"cf.size"}, run(map[string]any{"gone": "old value of a deleted field"}, before), "removing a required value")
	assert.Equal(t, []string{"cf.gone"}, run(map[string]any{"size": "l", "gone": "new"}, before))
	assert.Empty(t, run(nil, map[string]any{}), "a required field missing before and after is not reported")
}
