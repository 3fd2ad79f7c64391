package trigger

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/internal/errs"
	"github.com/deskkit/deskkit/internal/text"
)

// problemFields returns the fields of the *errs.ValidationError err, which
// must match ErrInvalid.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalid)
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve, "%v", err)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
		assert.NotEmpty(t, p.Reason, p.Field)
	}
	return out
}

var goodCond = Condition{Target: TargetStatus, Op: Is, Value: "open"}

// badCondition is a condition Validate refuses, and where it says the
// problem is (after "all[i]").
type badCondition struct {
	what string
	cond Condition
	at   string
}

var badConditions = []badCondition{
	{"unknown target", Condition{Target: "nope", Op: Is, Value: "x"}, ".target"},
	{"unknown field", Condition{Target: "customer_fields.nope", Op: Is, Value: "x"}, ".target"},
	{"operator not allowed", Condition{Target: TargetStatus, Op: GreaterThan, Value: "open"}, ".op"},
	{"content has no is", Condition{Target: TargetContent, Op: Is, Value: "x"}, ".op"},
	{"unknown operator", Condition{Target: TargetTitle, Op: "matches", Value: "x"}, ".op"},
	{"number for an enum", Condition{Target: TargetPriority, Op: Is, Value: 3}, ".value"},
	{"bad status", Condition{Target: TargetStatus, Op: Is, Value: "frozen"}, ".value"},
	{"bad priority", Condition{Target: TargetPriority, Op: GreaterThan, Value: "asap"}, ".value"},
	{"bad channel", Condition{Target: TargetChannel, Op: IsNot, Value: "fax"}, ".value"},
	{"bad event in a list", Condition{Target: TargetEvent, Op: In, Value: []string{"created", "deleted"}}, ".value[1]"},
	{"unknown category", Condition{Target: TargetIntakeCategory, Op: Is, Value: "missing"}, ".value"},
	{"intake target, processing category", Condition{Target: TargetIntakeCategory, Op: IsUnder, Value: "pr-root"}, ".value"},
	{"processing target, intake category", Condition{Target: TargetProcessingCategory, Op: ChangedTo, Value: "in-child"}, ".value"},
	{"under any: a processing category on the intake target", Condition{Target: TargetIntakeCategory, Op: IsUnderAny, Value: []string{"in-root", "pr-root"}}, ".value[1]"},
	{"not under any: an unknown category", Condition{Target: TargetProcessingCategory, Op: IsNotUnderAny, Value: []string{"missing", "pr-root"}}, ".value[0]"},
	{"category in: an intake category on the processing target", Condition{Target: TargetProcessingCategory, Op: In, Value: []string{"pr-child", "in-child"}}, ".value[1]"},
	{"category not in: an unknown category", Condition{Target: TargetIntakeCategory, Op: NotIn, Value: []any{"in-root", "ghost"}}, ".value[1]"},
	{"under any: an empty list", Condition{Target: TargetIntakeCategory, Op: IsUnderAny, Value: []string{}}, ".value"},
	{"under any: not a list", Condition{Target: TargetIntakeCategory, Op: IsUnderAny, Value: 3.0}, ".value"},
	{"under any: too many", Condition{Target: TargetIntakeCategory, Op: IsUnderAny, Value: make([]string, MaxValues+1)}, ".value"},
	{"under any on an agent", Condition{Target: TargetAssignee, Op: IsUnderAny, Value: []string{"a1"}}, ".op"},
	{"contains words on tags", Condition{Target: TargetTags, Op: ContainsWords, Value: "vip"}, ".op"},
	{"contains words on a select", Condition{Target: "customer_fields.plan", Op: ContainsWords, Value: "pro"}, ".op"},
	{"empty contains-words word", Condition{Target: TargetTitle, Op: ContainsWords, Value: []string{"refund", "\u3000"}}, ".value[1]"},
	{"blank not-contains-words word", Condition{Target: TargetContent, Op: NotContainsWords, Value: " "}, ".value"},
	{"number for contains words", Condition{Target: "customer_fields.note", Op: ContainsWords, Value: 5.0}, ".value"},
	{"unknown agent", Condition{Target: TargetAssignee, Op: Is, Value: "ghost"}, ".value"},
	{"unknown group in a list", Condition{Target: TargetGroup, Op: In, Value: []string{"g1", "ghost"}}, ".value[1]"},
	{"empty contains word", Condition{Target: TargetContent, Op: Contains, Value: []string{"refund", "  "}}, ".value[1]"},
	{"in with an empty list", Condition{Target: TargetStatus, Op: In, Value: []string{}}, ".value"},
	{"not in without a list", Condition{Target: TargetStatus, Op: NotIn}, ".value"},
	{"a list of other things", Condition{Target: TargetStatus, Op: In, Value: []any{"open", 1}}, ".value"},
	{"unknown language", Condition{Target: TargetLanguage, Op: Is, Value: "fr"}, ".value"},
	{"malformed language", Condition{Target: TargetLanguage, Op: In, Value: []string{"ko", "not a tag!"}}, ".value[1]"},
	{"text for a number", Condition{Target: "customer_fields.size", Op: GreaterThan, Value: "big"}, ".value"},
	{"NaN", Condition{Target: "agent_fields.score", Op: Is, Value: math.NaN()}, ".value"},
	{"a value for changed", Condition{Target: TargetStatus, Op: Changed, Value: "open"}, ".value"},
	{"a value for present", Condition{Target: TargetAssignee, Op: Present, Value: "a1"}, ".value"},
	{"negative hours", Condition{Target: TargetHoursSinceCreated, Op: GreaterThan, Value: -1}, ".value"},
	{"text for hours", Condition{Target: TargetHoursSinceUpdated, Op: LessThan, Value: "soon"}, ".value"},
	{"not a day", Condition{Target: "customer_fields.due", Op: Is, Value: "2026-02-30"}, ".value"},
	{"not a date-time", Condition{Target: "customer_fields.visit", Op: GreaterThan, Value: "tomorrow"}, ".value"},
	{"date-time without a zone", Condition{Target: "customer_fields.visit", Op: LessThan, Value: "2026-03-01T09:00:00"}, ".value"},
	{"text for a checkbox", Condition{Target: "customer_fields.gift", Op: Is, Value: "yes"}, ".value"},
	{"no value for a checkbox", Condition{Target: "customer_fields.gift", Op: ChangedTo}, ".value"},
	{"not an option", Condition{Target: "customer_fields.plan", Op: Is, Value: "gold"}, ".value"},
	{"not an option in a list", Condition{Target: "customer_fields.addons", Op: Contains, Value: []string{"a", "z"}}, ".value[1]"},
	{"empty tag", Condition{Target: TargetTags, Op: Contains, Value: []string{"ok", " "}}, ".value[1]"},
	{"number for contains", Condition{Target: TargetTitle, Op: Contains, Value: 5.0}, ".value"},
	{"NUL byte", Condition{Target: TargetTitle, Op: Is, Value: "a\x00b"}, ".value"},
	{"value too long", Condition{Target: TargetTitle, Op: IsNot, Value: strings.Repeat("x", MaxValueBytes+1)}, ".value"},
	{"too many values", Condition{Target: TargetAssignee, Op: In, Value: make([]string, MaxValues+1)}, ".value"},
}

// badAction is an action Validate refuses, and where it says the problems
// are (after "actions[i]").
type badAction struct {
	what string
	a    Action
	at   []string
}

var (
	koBody     = i18n.Text{"ko": "티켓 #{ticketId}: #{title}"}
	badActions = []badAction{
		{"assign without a group", Action{Kind: AssignRandom}, []string{".group_id"}},
		{"unknown group, agent not used", Action{Kind: AssignRoundRobin, GroupID: "ghost", AgentID: "a1"}, []string{".group_id", ".agent_id"}},
		{"fixed without an agent", Action{Kind: AssignFixed, GroupID: "g1"}, []string{".agent_id"}},
		{"fixed, unknown agent", Action{Kind: AssignFixed, GroupID: "g1", AgentID: "ghost"}, []string{".agent_id"}},
		{"status new", Action{Kind: SetStatus, Value: "new"}, []string{".value"}},
		{"bad status", Action{Kind: SetStatus, Value: "frozen"}, []string{".value"}},
		{"bad priority", Action{Kind: SetPriority, Value: "asap"}, []string{".value"}},
		{"no priority", Action{Kind: SetPriority}, []string{".value"}},
		{"intake category", Action{Kind: SetProcessingCategory, CategoryID: "in-root"}, []string{".category_id"}},
		{"unknown category", Action{Kind: SetProcessingCategory, CategoryID: "missing"}, []string{".category_id"}},
		{"unknown field", Action{Kind: SetField, Field: "customer_fields.nope", Value: "x"}, []string{".field"}},
		{"column field", Action{Kind: SetField, Field: "title", Value: "x"}, []string{".field"}},
		{"text for a number", Action{Kind: SetField, Field: "customer_fields.size", Value: "big"}, []string{".value"}},
		{"not an option", Action{Kind: SetField, Field: "agent_fields.stage", Value: "s9"}, []string{".value"}},
		{"no tags", Action{Kind: AddTags, Tags: []string{" "}}, []string{".tags"}},
		{"tag too long", Action{Kind: RemoveTags, Tags: []string{strings.Repeat("t", 101)}}, []string{".tags[0]"}},
		{"10,000 tags to add", Action{Kind: AddTags, Tags: manyTags(10000)}, []string{".tags"}},
		{"more tags to add than a ticket holds", Action{Kind: AddTags, Tags: manyTags(text.MaxTags + 1)}, []string{".tags"}},
		{"more tags to remove than a ticket holds", Action{Kind: RemoveTags, Tags: manyTags(text.MaxTags + 1)}, []string{".tags"}},
		{"a tag that lower-cases too long", Action{Kind: AddTags, Tags: []string{strings.Repeat("Ⱥ", 34)}}, []string{".tags[0]"}},
		{"notify: bad recipient, texts", Action{Kind: Notify, Recipient: "boss", Subject: i18n.Text{"fr": "Bonjour"},
			Body: i18n.Text{"ko": "#{field.nope}"}}, []string{".recipient", ".subject", ".subject.fr", ".body.ko"}},
		{"notify: no text in the default language", Action{Kind: Notify, Recipient: RecipientCustomer, Subject: koBody,
			Body: i18n.Text{"en": "Hello"}}, []string{".body"}},
		{"notify_browser: the customer is no agent (NTF-4)", Action{Kind: NotifyBrowser, Recipient: RecipientCustomer, Subject: koBody,
			Body: koBody}, []string{".recipient"}},
		{"notify_browser: unknown recipient, no subject", Action{Kind: NotifyBrowser, Recipient: "everyone",
			Body: koBody}, []string{".recipient", ".subject"}},
		{"notify_browser: no recipient, bad codes", Action{Kind: NotifyBrowser, Subject: i18n.Text{"ko": "#{field.nope}"},
			Body: i18n.Text{"ko": "#{title"}}, []string{".recipient", ".subject.ko", ".body.ko"}},
		{"forward: bad addresses", Action{Kind: Forward, Addresses: []string{"not-an-address", "Kim <kim@example.com>"}},
			[]string{".addresses[0]", ".addresses[1]"}},
		{"forward and complete: no addresses", Action{Kind: ForwardAndComplete}, []string{".addresses"}},
		{"callback: not http", Action{Kind: Callback, URL: "ftp://example.com/x"}, []string{".url"}},
		{"callback: relative", Action{Kind: Callback, URL: "/hook"}, []string{".url"}},
		{"callback: no URL", Action{Kind: Callback}, []string{".url"}},
		{"dooray: http refused, no body", Action{Kind: Dooray, URL: "http://hook.dooray.com/services/1"}, []string{".url", ".body"}},
		{"sms: not a phone number", Action{Kind: SMS, Addresses: []string{"12ab"}, Body: koBody}, []string{".addresses[0]"}},
		{"sms: bad recipient", Action{Kind: SMS, Recipient: RecipientAssignee, Body: koBody}, []string{".recipient"}},
		{"note: unknown code", Action{Kind: Note, Body: i18n.Text{"ko": "#{unknownCode}"}}, []string{".body.ko"}},
		{"note: unclosed code", Action{Kind: Note, Body: i18n.Text{"ko": "#{title"}}, []string{".body.ko"}},
		{"note: not a service language", Action{Kind: Note, Body: i18n.Text{"ko": "메모", "fr": "note"}}, []string{".body.fr"}},
		{"note: NUL byte", Action{Kind: Note, Body: i18n.Text{"ko": "a\x00b"}}, []string{".body.ko"}},
		{"unknown kind", Action{Kind: "explode"}, []string{".kind"}},
	}
)

func prefixed(prefix string, suffixes ...string) []string {
	out := make([]string, len(suffixes))
	for i, s := range suffixes {
		out[i] = prefix + s
	}
	return out
}

// TestValidate_TRG5_Condition refuses each bad condition, in the all and in
// the any list, naming exactly where the problem is.
func TestValidate_TRG5_Condition(t *testing.T) {
	s := testSchema()
	for _, c := range badConditions {
		t.Run(c.what, func(t *testing.T) {
			_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond, c.cond}, Actions: []Action{quietNote}}, s, newResolver())
			assert.Equal(t, []string{"all[1]" + c.at}, problemFields(t, err))
			_, err = Validate(ctxb, New{Name: "n", Any: []Condition{c.cond}, Actions: []Action{quietNote}}, s, newResolver())
			assert.Equal(t, []string{"any[0]" + c.at}, problemFields(t, err))
		})
	}
}

// TestValidate_TRG6_Action refuses each bad action, naming exactly where
// the problems are.
func TestValidate_TRG6_Action(t *testing.T) {
	s := testSchema()
	for _, c := range badActions {
		t.Run(c.what, func(t *testing.T) {
			_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{quietNote, c.a}}, s, newResolver())
			assert.ElementsMatch(t, prefixed("actions[1]", c.at...), problemFields(t, err))
		})
	}
}

// TestValidate_TRG5_EveryProblemAtOnce: one trigger with every bad
// condition and action (as many as a trigger may have, in chunks) gets
// every problem listed in one error.
func TestValidate_TRG5_EveryProblemAtOnce(t *testing.T) {
	s := testSchema()
	chunks := max((len(badConditions)+MaxConditions-1)/MaxConditions, (len(badActions)+MaxActions-1)/MaxActions)
	for k := range chunks {
		conds := badConditions[min(k*MaxConditions, len(badConditions)):min((k+1)*MaxConditions, len(badConditions))]
		if len(conds) == 0 {
			conds = badConditions[:1]
		}
		var all []Condition
		want := []string{"name"}
		for i, c := range conds {
			all = append(all, c.cond)
			want = append(want, fmt.Sprintf("all[%d]%s", i, c.at))
		}
		any := []Condition{badConditions[0].cond, goodCond, badConditions[3].cond}
		want = append(want, "any[0]"+badConditions[0].at, "any[2]"+badConditions[3].at)
		acts := badActions[min(k*MaxActions, len(badActions)):min((k+1)*MaxActions, len(badActions))]
		if len(acts) == 0 {
			acts = badActions[:1]
		}
		var actions []Action
		for i, c := range acts {
			actions = append(actions, c.a)
			want = append(want, prefixed(fmt.Sprintf("actions[%d]", i), c.at...)...)
		}
		_, err := Validate(ctxb, New{Name: "  ", All: all, Any: any, Actions: actions}, s, newResolver())
		assert.ElementsMatch(t, want, problemFields(t, err), "chunk %d", k)
	}
}

// TestValidate_TRG5_Limits: a trigger needs a name, a condition and an
// action, and has at most MaxConditions per list and MaxActions.
func TestValidate_TRG5_Limits(t *testing.T) {
	s := testSchema()
	many := func(n int) []Condition {
		out := make([]Condition, n)
		for i := range out {
			out[i] = goodCond
		}
		return out
	}
	manyActions := make([]Action, MaxActions+1)
	for i := range manyActions {
		manyActions[i] = quietNote
	}
	for _, c := range []struct {
		what string
		n    New
		want []string
	}{
		{"no conditions", New{Name: "n", Actions: []Action{quietNote}}, []string{"all"}},
		{"no actions", New{Name: "n", All: []Condition{goodCond}}, []string{"actions"}},
		{"nothing", New{}, []string{"name", "all", "actions"}},
		{"too many all", New{Name: "n", All: many(MaxConditions + 1), Actions: []Action{quietNote}}, []string{"all"}},
		{"too many any", New{Name: "n", Any: many(MaxConditions + 1), Actions: []Action{quietNote}}, []string{"any"}},
		{"too many actions", New{Name: "n", All: []Condition{goodCond}, Actions: manyActions}, []string{"actions"}},
		{"name too long", New{Name: strings.Repeat("n", MaxNameBytes+1), All: []Condition{goodCond}, Actions: []Action{quietNote}}, []string{"name"}},
		{"description too long", New{Name: "n", Description: strings.Repeat("d", MaxDescriptionBytes+1), All: []Condition{goodCond},
			Actions: []Action{quietNote}}, []string{"description"}},
		{"name not UTF-8", New{Name: "n\xff", All: []Condition{goodCond}, Actions: []Action{quietNote}}, []string{"name"}},
	} {
		t.Run(c.what, func(t *testing.T) {
			_, err := Validate(ctxb, c.n, s, newResolver())
			assert.ElementsMatch(t, c.want, problemFields(t, err))
		})
	}
	_, err := Validate(ctxb, New{Name: "n", All: many(MaxConditions), Any: many(MaxConditions), Actions: manyActions[:MaxActions]}, s, newResolver())
	assert.NoError(t, err, "the limits themselves are allowed")
}

// TestValidate_TRG6_GoodActions accepts a valid action of every kind.
func TestValidate_TRG6_GoodActions(t *testing.T) {
	s := testSchema()
	good := []Action{
		{Kind: AssignRandom, GroupID: "g1"},
		{Kind: AssignRoundRobin, GroupID: "g2"},
		{Kind: AssignFixed, GroupID: "g1", AgentID: "a2"},
		{Kind: SetStatus, Value: "pending"},
		{Kind: SetPriority, Value: "urgent"},
		{Kind: SetProcessingCategory, CategoryID: "pr-child"},
		{Kind: SetProcessingCategory},
		{Kind: SetField, Field: "customer_fields.size", Value: 5},
		{Kind: SetField, Field: "agent_fields.stage"},
		{Kind: AddTags, Tags: []string{"VIP", "billing"}},
		{Kind: RemoveTags, Tags: []string{"spam"}},
		{Kind: Note, Body: i18n.Text{"ko": "#{field.size} #{field.score} #{field.call_direction}", "en": "note"}},
		{Kind: Notify, Recipient: RecipientAssignee, Subject: koBody, Body: koBody},
		{Kind: Notify, Recipient: RecipientGroup, Subject: koBody, Body: koBody},
		{Kind: Notify, Recipient: RecipientCustomer, Subject: koBody, Body: koBody},
		{Kind: NotifyBrowser, Recipient: RecipientAssignee, Subject: koBody, Body: koBody},
		{Kind: NotifyBrowser, Recipient: RecipientGroup, Subject: koBody, Body: i18n.Text{"ko": "#{agentName}", "en": "#{title}"}},
		{Kind: Forward, Addresses: []string{"ops@example.com"}},
		{Kind: ForwardAndComplete, Addresses: []string{"ops@example.com", "legal@example.com"}, Body: koBody},
		{Kind: Callback, URL: "http://hooks.example.com/x"},
		{Kind: Callback, URL: "https://hooks.example.com/x?a=1"},
		{Kind: Dooray, URL: "https://hook.dooray.com/services/1/2/3", Body: koBody},
		{Kind: SMS, Recipient: RecipientCustomer, Body: koBody},
		{Kind: SMS, Addresses: []string{"+82 10-1234-5678", "(02) 123.4567"}, Body: koBody},
	}
	require.Len(t, good, len(ActionKinds)+7, "one of every kind, and a few variants")
	for _, a := range good {
		t.Run(string(a.Kind), func(t *testing.T) {
			_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{a}}, s, newResolver())
			assert.NoError(t, err)
		})
	}
}

// TestValidate_TRG5_Canonical: Validate returns the trigger in canonical
// form, and leaves its input as it was.
func TestValidate_TRG5_Canonical(t *testing.T) {
	s := testSchema()
	in := New{
		Name:        "  Refunds  ",
		Description: "route refunds",
		All: []Condition{
			{Target: "customer_fields.size", Op: GreaterThan, Value: 10},
			{Target: TargetHoursSinceCreated, Op: LessThan, Value: int64(3)},
			{Target: TargetStatus, Op: In, Value: []any{"open", "new"}},
			{Target: TargetTags, Op: Contains, Value: []string{" VIP ", "Billing", "vip"}},
			{Target: TargetTags, Op: NotContains, Value: []any{" SPAM", "Ads", "spam"}},
			{Target: TargetContent, Op: Contains, Value: []string{"refund"}},
			{Target: TargetTitle, Op: Contains, Value: []any{"refund", "환불"}},
			{Target: TargetLanguage, Op: Is, Value: "EN"},
			{Target: TargetLanguage, Op: In, Value: []string{"KO", "ja"}},
			{Target: TargetStatus, Op: Changed},
			{Target: "customer_fields.addons", Op: Contains, Value: "a"},
			{Target: "customer_fields.gift", Op: Is, Value: true},
			{Target: "agent_fields.score", Op: Is, Value: float32(1.5)},
			{Target: TargetContent, Op: ContainsWords, Value: []any{"refund"}},
			{Target: TargetTitle, Op: NotContainsWords, Value: []string{"refund", "환불"}},
			{Target: TargetIntakeCategory, Op: IsUnderAny, Value: "in-root"},
			{Target: TargetProcessingCategory, Op: In, Value: []any{"pr-root", "pr-other"}},
		},
		Actions: []Action{
			{Kind: SetField, Field: "customer_fields.size", Value: 5},
			{Kind: SetField, Field: "customer_fields.addons", Value: []any{"a", "c"}},
			{Kind: AddTags, Tags: []string{" VIP", "vip", "Billing"}},
			{Kind: RemoveTags, Tags: []string{"Spam"}},
		},
	}
	keep := New{Name: in.Name, Description: in.Description, All: cloneConditions(in.All)}
	for _, a := range in.Actions {
		keep.Actions = append(keep.Actions, a.Clone())
	}
	keep.All[2].Value = []any{"open", "new"}
	keep.Actions[1].Value = []any{"a", "c"}

	out, err := Validate(ctxb, in, s, newResolver())
	require.NoError(t, err)
	assert.Equal(t, "Refunds", out.Name)
	want := []any{
		10.0,
		3.0,
		[]string{"open", "new"},
		[]string{"billing", "vip"},
		[]string{"ads", "spam"},
		"refund", // a one-element contains list of a text target is one word
		[]string{"refund", "환불"},
		"en",
		[]string{"ko", "ja"},
		nil,
		[]string{"a"}, // a list target keeps a list
		true,
		1.5,
		"refund", // so is a one-element contains_words list
		[]string{"refund", "환불"},
		[]string{"in-root"}, // under any takes a list
		[]string{"pr-root", "pr-other"},
	}
	require.Len(t, out.All, len(want))
	for i, w := range want {
		assert.Equal(t, w, out.All[i].Value, "all[%d]", i)
		assert.Equal(t, in.All[i].Target, out.All[i].Target)
		assert.Equal(t, in.All[i].Op, out.All[i].Op)
	}
	assert.Equal(t, 5.0, out.Actions[0].Value)
	assert.Equal(t, []string{"a", "c"}, out.Actions[1].Value)
	assert.Equal(t, []string{"billing", "vip"}, out.Actions[2].Tags)
	assert.Equal(t, []string{"spam"}, out.Actions[3].Tags)
	assert.Equal(t, keep, in, "the input is not changed")

	// The canonical form is a fixed point.
	again, err := Validate(ctxb, out, s, newResolver())
	require.NoError(t, err)
	assert.Equal(t, out, again)
}

// TestValidate_TRG5_StorageError: an error of the resolver other than
// ErrNotFound is returned as it is, even when the trigger has problems too.
func TestValidate_TRG5_StorageError(t *testing.T) {
	s := testSchema()
	dbErr := errors.New("connection reset")
	for _, n := range []New{
		{Name: "n", All: []Condition{{Target: TargetIntakeCategory, Op: Is, Value: "in-root"}}, Actions: []Action{quietNote}},
		{Name: "n", All: []Condition{{Target: TargetAssignee, Op: Is, Value: "a1"}}, Actions: []Action{quietNote}},
		{Name: "n", All: []Condition{goodCond}, Actions: []Action{{Kind: AssignRandom, GroupID: "g1"}}},
		{Name: "", All: []Condition{{Target: "nope"}, {Target: TargetGroup, Op: In, Value: []string{"g1"}}}, Actions: []Action{quietNote}},
	} {
		r := newResolver()
		r.err = dbErr
		_, err := Validate(ctxb, n, s, r)
		assert.Equal(t, dbErr, err)
		assert.NotErrorIs(t, err, ErrInvalid)
	}
}

// TestValidate_TRG5_ScalarValuePath: a problem with a value given as one
// word is reported at "….value", as for every other scalar value; "[i]"
// is for the elements of a list the caller gave.
//
// Bug: condition() turns a contains value into a list and validates it
// element by element, so a bad single word is reported at "all[0].value[0]",
// a path naming an element of a list the caller never sent.
func TestValidate_TRG5_ScalarValuePath(t *testing.T) {
	s := testSchema()
	_, err := Validate(ctxb, New{Name: "n", All: []Condition{{Target: TargetContent, Op: Contains, Value: " "}}, Actions: []Action{quietNote}}, s, newResolver())
	assert.Equal(t, []string{"all[0].value"}, problemFields(t, err))
	_, err = Validate(ctxb, New{Name: "n", All: []Condition{{Target: TargetTags, Op: NotContains, Value: " "}}, Actions: []Action{quietNote}}, s, newResolver())
	assert.Equal(t, []string{"all[0].value"}, problemFields(t, err))
}

// TestValidate_TRG5_AcceptedCompiles: what Validate accepts compiles into a
// Set (TRG-5); Compile refuses an unknown target with ErrInvalid.
func TestValidate_TRG5_AcceptedCompiles(t *testing.T) {
	s := testSchema()
	var all []Condition
	for _, c := range allOpCases(s) {
		if len(all) == MaxConditions {
			break
		}
		all = append(all, c.cond)
	}
	n, err := Validate(ctxb, New{Name: "n", Any: all, Actions: []Action{quietNote}}, s, newResolver())
	require.NoError(t, err)
	_, err = Compile([]Trigger{{ID: "t", Any: n.Any, Actions: n.Actions, Active: true}}, s, Options{})
	assert.NoError(t, err)

	_, err = Compile([]Trigger{{ID: "t", All: []Condition{{Target: "nope", Op: Is, Value: "x"}}, Active: true}}, s, Options{})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = Compile([]Trigger{{ID: "t", All: []Condition{{Target: "nope", Op: Is, Value: "x"}}, Active: false}}, s, Options{})
	assert.NoError(t, err, "inactive triggers are left out")
}

// TestValidate_TRG5_UnknownTargetSuggests: a misspelt target is refused
// with the target it most likely means, as a template's misspelt code is;
// a name close to none gets no guess.
func TestValidate_TRG5_UnknownTargetSuggests(t *testing.T) {
	s := testSchema()
	reason := func(target string) string {
		_, err := Validate(ctxb, New{Name: "n", All: []Condition{{Target: target, Op: Is, Value: "open"}}, Actions: []Action{quietNote}}, s, newResolver())
		var ve *errs.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Len(t, ve.Problems, 1, "%v", err)
		assert.Equal(t, "all[0].target", ve.Problems[0].Field)
		return ve.Problems[0].Reason
	}
	assert.Equal(t, `unknown target "stauts" (did you mean "status"?)`, reason("stauts"))
	assert.Equal(t, `unknown target "Priority" (did you mean "priority"?)`, reason("Priority"))
	assert.Equal(t, `unknown target "customer_fields.addon" (did you mean "customer_fields.addons"?)`, reason("customer_fields.addon"))
	assert.Equal(t, `unknown target "nope"`, reason("nope"))
}

// TestValidate_TRG6_BadCodeOnce: a bad code of an action's text is one
// problem, worded once (not "invalid:" inside "invalid:"), with the hint a
// template gives.
func TestValidate_TRG6_BadCodeOnce(t *testing.T) {
	_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond},
		Actions: []Action{{Kind: Note, Body: i18n.Text{"ko": "#{titel} #{}"}}}}, testSchema(), newResolver())
	assert.EqualError(t, err, `invalid: actions[0].body.ko: code "titel" at byte 0: unknown code (did you mean #{title}?); `+
		`actions[0].body.ko: code "" at byte 9: unknown code`)
}

// TestErrActive_TRG1: deleting an active trigger is refused with an error
// that matches ErrInvalid.
func TestErrActive_TRG1(t *testing.T) {
	assert.ErrorIs(t, fmt.Errorf("delete: %w", ErrActive), ErrInvalid)
	assert.NotErrorIs(t, ErrActive, ErrNotFound)
	assert.Contains(t, ErrActive.Error(), "deactivate it first")
}

// TestSchema_ConcurrentValidate: one Schema (a value a UI and the service
// share) is used by several goroutines at once. Run with -race.
//
// Bug: Schema.Target builds its index lazily, writing s.index without
// synchronization, so two first lookups race.
func TestSchema_ConcurrentValidate(t *testing.T) {
	s := testSchema()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{quietNote}}, s, newResolver())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
}

// manyTags returns n distinct tags.
func manyTags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("tag-%d", i)
	}
	return out
}

// TestValidate_TRG5_TagsAsATicketTakes: an action adding or removing as
// many tags as a ticket holds, counted once normalized, is accepted; every
// run carries it out (TRG-5: nothing is saved that every run skips).
func TestValidate_TRG5_TagsAsATicketTakes(t *testing.T) {
	s := testSchema()
	tags := append(manyTags(text.MaxTags), "TAG-0", " tag-1 ") // repeats, once normalized
	for _, k := range []ActionKind{AddTags, RemoveTags} {
		n, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{{Kind: k, Tags: tags}}}, s, newResolver())
		require.NoError(t, err, k)
		assert.Len(t, n.Actions[0].Tags, text.MaxTags)
	}
	n, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{{Kind: AddTags, Tags: tags}}}, s, newResolver())
	require.NoError(t, err)
	tk := baseTicket()
	tk.Tags = nil
	changed, handled, err := ApplyToTicket(0, n.Actions[0], &tk, tk.UpdatedAt)
	require.NoError(t, err)
	assert.True(t, changed && handled)
	assert.Len(t, tk.Tags, text.MaxTags, "the ticket takes them")
}

// TestValidate_TRG5_AddTagsTogether: two add-tags actions that together
// name more different tags than a ticket holds are refused on the action
// that goes over; repeats across the actions count once.
func TestValidate_TRG5_AddTagsTogether(t *testing.T) {
	s := testSchema()
	first := manyTags(60)
	second := manyTags(120)[60:] // 60 more, all different
	_, err := Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{
		{Kind: AddTags, Tags: first}, {Kind: AddTags, Tags: second}}}, s, newResolver())
	var ve *errs.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("actions[1].tags"), "%v", err)
	assert.ErrorContains(t, err, "120 different tags together")

	overlap := manyTags(100)[40:] // 60 tags, 20 of them new
	_, err = Validate(ctxb, New{Name: "n", All: []Condition{goodCond}, Actions: []Action{
		{Kind: AddTags, Tags: first}, {Kind: AddTags, Tags: overlap}, {Kind: RemoveTags, Tags: manyTags(100)}}}, s, newResolver())
	require.NoError(t, err, "100 different tags to add, and removals do not count")
}
