package helpdesk_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/field"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

func label(s string) i18n.Text { return i18n.Text{"ko": s} }

// mkFields defines, as the admin of f: customer fields size (select s, m,
// xl), born (date) and tags (multi select a, b), agent fields severity
// (number, required) and done (checkbox).
func mkFields(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	for _, n := range []field.New{
		{Key: "size", Kind: field.KindCustomer, Type: field.TypeSelect, Label: label("크기"),
			Options: []field.Option{{Value: "s"}, {Value: "m"}, {Value: "xl", Label: i18n.Text{"en": "Extra large"}}}},
		{Key: "born", Kind: field.KindCustomer, Type: field.TypeDate, Label: label("생일")},
		{Key: "tags", Kind: field.KindCustomer, Type: field.TypeMultiSelect, Label: label("태그"),
			Options: []field.Option{{Value: "a"}, {Value: "b"}}},
		{Key: "severity", Kind: field.KindAgent, Type: field.TypeNumber, Label: label("심각도"), Required: true},
		{Key: "done", Kind: field.KindAgent, Type: field.TypeCheckbox, Label: label("완료")},
	} {
		_, err := f.admin.Fields().Create(ctx, n)
		require.NoError(t, err, n.Key)
	}
}

func TestField_FLD1_AdminDefines_AgentsRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := field.New{Key: "order_no", Kind: field.KindCustomer, Type: field.TypeText, Label: i18n.Text{"ko": "주문 번호", "en": "Order"},
		HelpText: i18n.Text{"en": "On your receipt"}}
	_, err := f.agent.Fields().Create(ctx, n)
	assert.ErrorIs(t, err, helpdesk.ErrForbidden, "configuration needs the admin role (SVC-3)")
	created, err := f.admin.Fields().Create(ctx, n)
	require.NoError(t, err)
	assert.False(t, created.System)
	assert.Equal(t, f.now, created.CreatedAt)

	all, err := f.agent.Fields().List(ctx)
	require.NoError(t, err, "any agent reads the fields")
	assert.Len(t, all, len(field.SystemFields())+1)
	assert.Equal(t, created, all[len(all)-1])
	got, err := f.agent.Fields().Get(ctx, "order_no")
	require.NoError(t, err)
	assert.Equal(t, created, got)

	for name, call := range map[string]func() error{
		"update": func() error {
			_, err := f.agent.Fields().Update(ctx, "order_no", field.Update{Required: ptr(true)})
			return err
		},
		"delete": func() error { return f.agent.Fields().Delete(ctx, "order_no") },
		"reset":  func() error { _, err := f.agent.Fields().ResetSystem(ctx, field.KeyEmail); return err },
		"customer layout": func() error {
			_, err := f.agent.Fields().SetCustomerLayout(ctx, "", nil)
			return err
		},
		"reset layout": func() error { return f.agent.Fields().ResetCustomerLayout(ctx, "") },
		"agent layout": func() error { _, err := f.agent.Fields().SetAgentLayout(ctx, nil); return err },
	} {
		assert.ErrorIs(t, call(), helpdesk.ErrForbidden, name)
	}

	up, err := f.admin.Fields().Update(ctx, "order_no", field.Update{Required: ptr(true), HelpText: &i18n.Text{}})
	require.NoError(t, err)
	assert.True(t, up.Required)
	assert.Nil(t, up.HelpText)
	assert.Equal(t, f.now, up.UpdatedAt)
	assert.Equal(t, created.CreatedAt, up.CreatedAt)
	require.NoError(t, f.admin.Fields().Delete(ctx, "order_no"))
	_, err = f.agent.Fields().Get(ctx, "order_no")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func TestField_FLD1_BadDefinition_EveryProblemNothingWritten(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.admin.Fields().Create(ctx, field.New{Key: "9lives", Kind: "robot", Type: "colour", Label: i18n.Text{"fr": "x"}})
	assert.ElementsMatch(t, []string{"key", "kind", "type", "label", "label"}, problems(t, err))
	_, err = f.admin.Fields().Create(ctx, field.New{Key: "size", Kind: field.KindCustomer, Type: field.TypeSelect, Label: label("크기")})
	assert.Equal(t, []string{"options"}, problems(t, err), "a select without options")
	_, err = f.admin.Fields().Create(ctx, field.New{Key: "size", Kind: field.KindCustomer, Type: field.TypeMultiSelect, Label: label("크기"),
		Options: []field.Option{{Value: "a"}, {Value: "a"}, {Value: ""}}})
	assert.Equal(t, []string{"options[1].value", "options[2].value"}, problems(t, err))
	all, err := f.admin.Fields().List(ctx)
	require.NoError(t, err)
	assert.Len(t, all, len(field.SystemFields()), "nothing written")

	mkFields(t, f)
	_, err = f.admin.Fields().Update(ctx, "size", field.Update{Options: &[]field.Option{}, Label: &i18n.Text{"en": "Size"}})
	assert.ElementsMatch(t, []string{"options", "label"}, problems(t, err))
	_, err = f.admin.Fields().Update(ctx, "nope", field.Update{})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func TestField_FLD1_DuplicateKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().Create(ctx, field.New{Key: "size", Kind: field.KindAgent, Type: field.TypeText, Label: label("x")})
	assert.ErrorIs(t, err, field.ErrDuplicateKey)
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	assert.Contains(t, err.Error(), `"size"`)
	_, err = f.admin.Fields().Create(ctx, field.New{Key: field.KeyPrivacyConsent, Kind: field.KindCustomer, Type: field.TypeCheckbox, Label: label("x")})
	assert.ErrorIs(t, err, field.ErrDuplicateKey, "system keys are taken")
	// the same key in another service is fine (SVC-1)
	_, err = f.other.As(helpdesk.System).Fields().Create(ctx, field.New{Key: "size", Kind: field.KindAgent, Type: field.TypeText, Label: label("x")})
	require.NoError(t, err)
}

func TestField_FLD4_SystemFieldsResetNotDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	err := f.admin.Fields().Delete(ctx, field.KeyPrivacyConsent)
	assert.ErrorIs(t, err, field.ErrSystemField)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)

	changed, err := f.admin.Fields().Update(ctx, field.KeyPrivacyConsent, field.Update{Required: ptr(true), Label: &i18n.Text{"ko": "동의", "en": "I agree"}})
	require.NoError(t, err)
	assert.True(t, changed.Required)
	got, err := f.agent.Fields().Get(ctx, field.KeyPrivacyConsent)
	require.NoError(t, err)
	assert.Equal(t, changed, got)

	_, err = f.admin.Fields().Update(ctx, field.KeyPriority, field.Update{Options: &[]field.Option{{Value: "low"}, {Value: "meh"}}})
	assert.ErrorIs(t, err, field.ErrSystemField, "option values of a system field are fixed")
	_, err = f.admin.Fields().Update(ctx, field.KeyTitle, field.Update{Required: ptr(false)})
	assert.ErrorIs(t, err, field.ErrSystemField)

	def, err := f.admin.Fields().ResetSystem(ctx, field.KeyPrivacyConsent)
	require.NoError(t, err)
	want, _ := field.SystemField(field.KeyPrivacyConsent)
	assert.Equal(t, want, def)
	all, err := f.admin.Fields().List(ctx)
	require.NoError(t, err)
	assert.Equal(t, field.SystemFields(), all)

	mkFields(t, f)
	_, err = f.admin.Fields().ResetSystem(ctx, "size")
	assert.ErrorIs(t, err, field.ErrNotSystem)
}

func TestField_FLD2_CustomerLayoutPins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().SetCustomerLayout(ctx, "", []string{"size", "intake_type", "born"})
	assert.ErrorIs(t, err, field.ErrPinned)
	assert.Equal(t, []string{"keys[1]"}, problems(t, err))
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "", []string{"privacy_consent", "size", "severity", "nope"})
	assert.ErrorIs(t, err, field.ErrPinned)
	assert.Equal(t, []string{"keys[0]", "keys[2]", "keys[3]"}, problems(t, err), "every problem named")

	l, err := f.admin.Fields().SetCustomerLayout(ctx, "", []string{"born", "size"})
	require.NoError(t, err)
	assert.Equal(t, []string{"intake_type", "born", "size", "privacy_consent"}, l.Keys)
	got, err := f.agent.Fields().CustomerLayout(ctx, "some-category")
	require.NoError(t, err)
	assert.True(t, got.Inherited, "a category without a layout uses the default")
	assert.Equal(t, l.Keys, got.Keys)

	require.NoError(t, f.admin.Fields().ResetCustomerLayout(ctx, ""))
	got, err = f.agent.Fields().CustomerLayout(ctx, "")
	require.NoError(t, err)
	assert.True(t, got.Inherited)
	assert.Contains(t, got.Keys, "tags", "never set: every customer field")
	_, err = f.admin.Fields().SetCustomerLayout(ctx, string([]byte{0xff}), nil)
	assert.Equal(t, []string{"intake_category_id"}, problems(t, err))
}

func TestField_FLD3_AgentLayoutPins(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().SetAgentLayout(ctx, []string{"done", "priority"})
	assert.ErrorIs(t, err, field.ErrPinned)
	l, err := f.admin.Fields().SetAgentLayout(ctx, []string{"done"})
	require.NoError(t, err)
	assert.Equal(t, []string{"processing_type", "priority", "done"}, l.Keys)
	got, err := f.agent.Fields().AgentLayout(ctx)
	require.NoError(t, err)
	assert.Equal(t, l, got)

	// severity (required) is out of the layout: it is not asked for
	_, err = f.agent.Tickets().Create(ctx, newTicket())
	require.NoError(t, err)
}

func TestField_FLD5_EveryBadFieldReported(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().Update(ctx, field.KeyPrivacyConsent, field.Update{Required: ptr(true)})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "", []string{"size", "born", "tags"})
	require.NoError(t, err)
	n := newTicket()
	n.CustomerFields = ticket.Fields{
		"size":            "xxl",                // not an option
		"born":            "25/11/2026",         // not a date
		"tags":            []string{"a", "zzz"}, // not an option
		"severity":        3,                    // an agent field
		"title":           "x",                  // a ticket column
		"nope":            true,                 // no such field
		"privacy_consent": false,                // required, unchecked
		"bad":             struct{}{},           // no value shape at all
	}
	n.AgentFields = ticket.Fields{"done": "yes", "size": "s"}
	_, err = f.agent.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{
		"customer_fields.size", "customer_fields.born", "customer_fields.tags", "customer_fields.severity",
		"customer_fields.title", "customer_fields.nope", "customer_fields.privacy_consent", "customer_fields.bad",
		"agent_fields.done", "agent_fields.size", "agent_fields.severity",
	}, problems(t, err), "severity is required when an agent creates a ticket")
	f.assertCounts(t, 0, 0)

	n.CustomerFields = ticket.Fields{"size": "xl", "born": "2026-11-25", "tags": []any{"b", "a"}, "privacy_consent": true}
	n.AgentFields = ticket.Fields{"done": false, "severity": 2}
	tk, err := f.agent.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.Fields{"size": "xl", "born": "2026-11-25", "tags": []string{"b", "a"}, "privacy_consent": true}, tk.CustomerFields)
	assert.Equal(t, ticket.Fields{"done": false, "severity": 2.0}, tk.AgentFields)
}

func TestField_FLD5_ChangesInHistory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	n := newTicket()
	n.CustomerFields = ticket.Fields{"size": "s"}
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	up, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version,
		CustomerFields: ticket.Fields{"size": "m"}, AgentFields: ticket.Fields{"severity": 1.5}})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, CustomerFields: ticket.Fields{"size": "huge"}})
	assert.Equal(t, []string{"customer_fields.size"}, problems(t, err))
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, AgentFields: ticket.Fields{"severity": nil}})
	assert.Equal(t, []string{"agent_fields.severity"}, problems(t, err), "a required value cannot be removed")
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var got []string
	for _, c := range h[1:] {
		got = append(got, c.Field+":"+c.From+"→"+c.To)
	}
	assert.Equal(t, []string{"customer_fields.size:s→m", "agent_fields.severity:→1.5"}, got)
}

func TestField_FLD5_RequiredWhere(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().Update(ctx, "born", field.Update{Required: ptr(true)})
	require.NoError(t, err)
	_, err = f.admin.Fields().Update(ctx, field.KeyEmail, field.Update{Required: ptr(true)})
	require.NoError(t, err)

	n := newTicket()
	n.Requester.Email = ""
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{"customer_fields.born", "requester.email"}, problems(t, err),
		"a help-center form must fill the required customer fields; severity is for agents")
	_, err = f.agent.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{"customer_fields.born", "requester.email", "agent_fields.severity"}, problems(t, err))

	n.Channel = ticket.ChannelEmail
	n.Requester.Email = "lee@customer.example"
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err, "mail has no form: required customer fields are not asked for")
	// An update checks what changes: the missing values stay missing.
	tk, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("renamed"), AgentFields: ticket.Fields{"done": true}})
	require.NoError(t, err)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Requester: &ticket.Requester{Name: "Lee"}})
	assert.Equal(t, []string{"requester.email"}, problems(t, err), "the email field is required")
}

func TestField_FLD5_DefinitionChangesKeepStoredValues(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	n := newTicket()
	n.CustomerFields = ticket.Fields{"size": "xl", "born": "2000-01-01"}
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)

	// xl is no longer offered; born is deleted.
	_, err = f.admin.Fields().Update(ctx, "size", field.Update{Options: &[]field.Option{{Value: "s"}, {Value: "m"}}})
	require.NoError(t, err)
	require.NoError(t, f.admin.Fields().Delete(ctx, "born"))
	got, err := f.agent.Tickets().Get(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, ticket.Fields{"size": "xl", "born": "2000-01-01"}, got.CustomerFields, "stored values stay readable")

	up, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: got.Version, Title: ptr("still fine"),
		CustomerFields: ticket.Fields{"size": "xl", "tags": []string{"a"}}})
	require.NoError(t, err, "unchanged values are not checked again")
	assert.Equal(t, ticket.Fields{"size": "xl", "born": "2000-01-01", "tags": []string{"a"}}, up.CustomerFields)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, CustomerFields: ticket.Fields{"size": "l", "born": "2000-01-02"}})
	assert.ElementsMatch(t, []string{"customer_fields.size", "customer_fields.born"}, problems(t, err), "changed values are")
	up, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, CustomerFields: ticket.Fields{"size": "m", "born": nil}})
	require.NoError(t, err, "a value of a deleted field can be removed")
	assert.Equal(t, ticket.Fields{"size": "m", "tags": []string{"a"}}, up.CustomerFields)
}

func TestField_FLD5_FollowUpCopiesValues(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	n := newTicket()
	n.CustomerFields = ticket.Fields{"size": "xl"}
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	_, err = f.sys.Tickets().Solve(ctx, tk.ID, helpdesk.Solve{Internal: true})
	require.NoError(t, err)
	_, err = f.sys.Tickets().SetStatus(ctx, tk.ID, ticket.StatusClosed)
	require.NoError(t, err)
	_, err = f.admin.Fields().Update(ctx, "size", field.Update{Options: &[]field.Option{{Value: "s"}}, Required: ptr(true)})
	require.NoError(t, err)
	_, err = f.admin.Fields().Update(ctx, "born", field.Update{Required: ptr(true)})
	require.NoError(t, err)

	next, err := f.sys.Tickets().CustomerReply(ctx, tk.ID, helpdesk.CustomerReply{Body: "again"})
	require.NoError(t, err, "a follow-up copies the values of the closed ticket; they are not checked again")
	assert.Equal(t, tk.ID, next.FollowUpOf)
	assert.Equal(t, ticket.Fields{"size": "xl"}, next.CustomerFields)
}

func TestField_FLD5_LayoutOfTheIntakeCategory(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	billing, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: label("결제")})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, billing.ID, []string{"size"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "", []string{"born"})
	require.NoError(t, err)

	n := newTicket()
	n.IntakeCategoryID = billing.ID
	n.CustomerFields = ticket.Fields{"size": "s", "born": "2000-01-01"}
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"customer_fields.born"}, problems(t, err), "born is not in the billing layout")
	n.IntakeCategoryID = ""
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"customer_fields.size"}, problems(t, err), "the default layout has no size")
	n.CustomerFields = ticket.Fields{"born": "2000-01-01"}
	_, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
}

func TestField_SVC1_FieldsPerService(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	other := f.other.As(helpdesk.System)
	n := newTicket()
	n.CustomerFields = ticket.Fields{"size": "s"}
	_, err := other.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"customer_fields.size"}, problems(t, err), "acme's field is unknown in other")
	_, err = other.Fields().Get(ctx, "size")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.ErrorIs(t, other.Fields().Delete(ctx, "size"), helpdesk.ErrNotFound)
	_, err = f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
}

func TestField_FLD5_ValuesNeedTheirField(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := newTicket()
	n.CustomerFields = ticket.Fields{"order": 7, "colors": []any{"red"}}
	_, err := f.agent.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{"customer_fields.order", "customer_fields.colors"}, problems(t, err), "unknown keys are refused")
	defineOrderAndColors(t, f)
	tk, err := f.agent.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, ticket.Fields{"order": 7.0, "colors": []string{"red"}}, tk.CustomerFields)
}

// defineOrderAndColors defines the customer fields order (number) and
// colors (multi select: red) that the ticket tests in desk_test.go submit
// values for: since FLD-5, a value needs its field.
func defineOrderAndColors(t *testing.T, f *fixture) {
	t.Helper()
	for _, n := range []field.New{
		{Key: "order", Kind: field.KindCustomer, Type: field.TypeNumber, Label: label("주문")},
		{Key: "colors", Kind: field.KindCustomer, Type: field.TypeMultiSelect, Label: label("색"), Options: []field.Option{{Value: "red"}}},
	} {
		_, err := f.admin.Fields().Create(context.Background(), n)
		require.NoError(t, err, n.Key)
	}
}

// blindFields hides every stored row from Row, as if a writer had skipped
// the field lock: the store's primary key still refuses a taken key.
type blindFields struct{ field.Repository }

func (blindFields) Row(_ context.Context, key string) (field.Field, error) {
	return field.Field{}, fmt.Errorf("field %q: %w", key, helpdesk.ErrNotFound)
}

type blindRepos struct{ helpdesk.Repos }

func (r blindRepos) Fields() field.Repository { return blindFields{r.Repos.Fields()} }

type blindStore struct{ helpdesk.Store }

func (s blindStore) Tx(ctx context.Context, id string, fn func(helpdesk.Repos) error) error {
	return s.Store.Tx(ctx, id, func(r helpdesk.Repos) error { return fn(blindRepos{r}) })
}

func TestField_FLD1_DuplicateKey_StoreConflictReportedAsDuplicate(t *testing.T) {
	f := newFixture(t, func(c *helpdesk.Config, _ *helpdesk.Settings) { c.Store = blindStore{c.Store} })
	ctx := context.Background()
	n := field.New{Key: "order", Kind: field.KindCustomer, Type: field.TypeText, Label: label("주문")}
	first, err := f.admin.Fields().Create(ctx, n)
	require.NoError(t, err)
	n.Kind = field.KindAgent
	_, err = f.admin.Fields().Create(ctx, n)
	assert.ErrorIs(t, err, field.ErrDuplicateKey, "the store's ErrConflict is the domain's duplicate key")
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	assert.Contains(t, err.Error(), `"order"`)
	all, err := f.agent.Fields().List(ctx) // Rows, which blindFields does not hide
	require.NoError(t, err)
	assert.Equal(t, first, all[len(all)-1], "the first definition stays")
	assert.Len(t, all, len(field.SystemFields())+1)
}

func TestField_FLD4_DeleteTakesTheKeyOutOfEveryLayout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	_, err := f.admin.Fields().SetCustomerLayout(ctx, "", []string{"size", "born"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "cat1", []string{"born", "tags"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "cat2", []string{"tags"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetAgentLayout(ctx, []string{"done", "severity"})
	require.NoError(t, err)

	require.NoError(t, f.admin.Fields().Delete(ctx, "born"))
	require.NoError(t, f.admin.Fields().Delete(ctx, "done"))
	for id, want := range map[string][]string{
		"":     {"intake_type", "size", "privacy_consent"},
		"cat1": {"intake_type", "tags", "privacy_consent"},
		"cat2": {"intake_type", "tags", "privacy_consent"},
	} {
		l, err := f.agent.Fields().CustomerLayout(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, want, l.Keys, "layout %q", id)
		assert.False(t, l.Inherited, "layout %q stays set", id)
	}
	a, err := f.agent.Fields().AgentLayout(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"processing_type", "priority", "severity"}, a.Keys)

	// a field of the same key created later is not in the old layouts
	_, err = f.admin.Fields().Create(ctx, field.New{Key: "born", Kind: field.KindCustomer, Type: field.TypeDate, Label: label("생일")})
	require.NoError(t, err)
	l, err := f.agent.Fields().CustomerLayout(ctx, "cat1")
	require.NoError(t, err)
	assert.Equal(t, []string{"intake_type", "tags", "privacy_consent"}, l.Keys)
}

func TestField_FLD2_RefusedLayoutWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	set, err := f.admin.Fields().SetCustomerLayout(ctx, "cat1", []string{"size"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "cat1", []string{"born", "nope"})
	assert.Equal(t, []string{"keys[1]"}, problems(t, err))
	_, err = f.admin.Fields().SetAgentLayout(ctx, []string{"size"})
	assert.Equal(t, []string{"keys[0]"}, problems(t, err), "a customer field in the agent layout")
	got, err := f.agent.Fields().CustomerLayout(ctx, "cat1")
	require.NoError(t, err)
	assert.Equal(t, set, got)
	a, err := f.agent.Fields().AgentLayout(ctx)
	require.NoError(t, err)
	assert.True(t, a.Inherited, "never set")
	assert.Equal(t, []string{"processing_type", "priority", "severity", "done"}, a.Keys)
}

func TestField_FLD2_ResetCustomerLayout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mkFields(t, f)
	require.NoError(t, f.admin.Fields().ResetCustomerLayout(ctx, "never-set"), "forgetting a layout never set is no error")
	_, err := f.admin.Fields().SetCustomerLayout(ctx, "", []string{"born"})
	require.NoError(t, err)
	_, err = f.admin.Fields().SetCustomerLayout(ctx, "cat1", []string{"size"})
	require.NoError(t, err)
	require.NoError(t, f.admin.Fields().ResetCustomerLayout(ctx, "cat1"))
	l, err := f.agent.Fields().CustomerLayout(ctx, "cat1")
	require.NoError(t, err)
	assert.Equal(t, field.Layout{Kind: field.KindCustomer, IntakeCategoryID: "cat1",
		Keys: []string{"intake_type", "born", "privacy_consent"}, Inherited: true}, l, "back to the service default")
}
