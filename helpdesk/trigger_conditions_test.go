package helpdesk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/trigger"
)

// addTag is a trigger action adding one tag.
func addTag(tag string) []trigger.Action {
	return []trigger.Action{{Kind: trigger.AddTags, Tags: []string{tag}}}
}

// TestTriggers_TRG3_OneConditionForManyCategories: an admin routes several
// intake categories (and everything below them) to one team with one
// is_under_any condition, and names exact categories with in / not_in; the
// ids are checked against the service's tree when the trigger is saved
// (TRG-5), and the editor's schema offers the operators.
func TestTriggers_TRG3_OneConditionForManyCategories(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	refunds := f.mkCategory(t, category.Intake, billing.ID, "환불", "Refunds")
	partial := f.mkCategory(t, category.Intake, refunds.ID, "부분 환불", "Partial refunds")
	shipping := f.mkCategory(t, category.Intake, "", "배송", "Shipping")
	returns := f.mkCategory(t, category.Intake, "", "반품", "Returns")
	account := f.mkCategory(t, category.Intake, "", "계정", "Account")
	other := f.mkCategory(t, category.Intake, "", "기타", "Other")
	done := f.mkCategory(t, category.Processing, "", "완료", "Done")

	f.mkTrigger(t, trigger.New{Name: "money and parcels to the commerce team",
		All:     []trigger.Condition{{Target: "intake_category", Op: trigger.IsUnderAny, Value: []string{billing.ID, shipping.ID, returns.ID}}},
		Actions: addTag("commerce")})
	f.mkTrigger(t, trigger.New{Name: "exactly these two",
		All:     []trigger.Condition{{Target: "intake_category", Op: trigger.In, Value: []string{account.ID, refunds.ID}}},
		Actions: addTag("exact")})
	f.mkTrigger(t, trigger.New{Name: "not commerce",
		All: []trigger.Condition{
			{Target: "intake_category", Op: trigger.Present},
			{Target: "intake_category", Op: trigger.IsNotUnderAny, Value: []string{billing.ID, shipping.ID, returns.ID}},
		},
		Actions: addTag("general")})

	for _, c := range []struct {
		name     string
		category string
		want     []string
	}{
		{"a root listed", shipping.ID, []string{"commerce"}},
		{"a child of a listed root, listed exactly", refunds.ID, []string{"commerce", "exact"}},
		{"a grandchild", partial.ID, []string{"commerce"}},
		{"listed exactly only", account.ID, []string{"exact", "general"}},
		{"none of them", other.ID, []string{"general"}},
		{"no category", "", nil},
	} {
		n := newTicket()
		n.IntakeCategoryID = c.category
		tk, err := f.sys.Tickets().Create(ctx, n)
		require.NoError(t, err, c.name)
		assert.ElementsMatch(t, c.want, tk.Tags, c.name)
	}

	// Each id must be a category of the target's tree.
	_, err := f.admin.Triggers().Create(ctx, trigger.New{Name: "bad",
		All: []trigger.Condition{
			{Target: "intake_category", Op: trigger.IsUnderAny, Value: []string{billing.ID, done.ID}},
			{Target: "processing_category", Op: trigger.NotIn, Value: []string{"nope"}},
		},
		Actions: addTag("x")})
	require.ErrorIs(t, err, helpdesk.ErrInvalid)
	var ve *helpdesk.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	var at []string
	for _, p := range ve.Problems {
		at = append(at, p.Field)
	}
	assert.ElementsMatch(t, []string{"all[0].value[1]", "all[1].value[0]"}, at)

	sch, err := f.agent.Triggers().Schema(ctx)
	require.NoError(t, err)
	for _, name := range []string{"intake_category", "processing_category"} {
		tg, ok := sch.Target(name)
		require.True(t, ok)
		assert.Subset(t, tg.Ops, []trigger.Op{trigger.In, trigger.NotIn, trigger.IsUnderAny, trigger.IsNotUnderAny}, name)
	}
}

// TestTriggers_TRG4_ContainsWordsAndContains: contains_words fires on whole
// words only (a Korean word with its particle counts), contains on any
// part of a text ("refund" is in "nonrefundable"), as its documentation
// says.
func TestTriggers_TRG4_ContainsWordsAndContains(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mkTrigger(t, trigger.New{Name: "refund anywhere",
		All:     []trigger.Condition{{Target: "content", Op: trigger.Contains, Value: "refund"}},
		Actions: addTag("text")})
	f.mkTrigger(t, trigger.New{Name: "the word refund",
		All:     []trigger.Condition{{Target: "content", Op: trigger.ContainsWords, Value: []string{"refund", "환불"}}},
		Actions: addTag("word")})
	f.mkTrigger(t, trigger.New{Name: "title without the word urgent",
		All:     []trigger.Condition{{Target: "title", Op: trigger.NotContainsWords, Value: "urgent"}},
		Actions: addTag("calm")})

	for _, c := range []struct {
		title, content string
		want           []string
	}{
		{"Urgent!", "This ticket is nonrefundable.", []string{"text"}},
		{"Help", "I want a REFUND, please.", []string{"text", "word", "calm"}},
		{"Nonurgent", "환불을 요청합니다", []string{"word", "calm"}},
		{"Help", "부분환불 요청", []string{"calm"}},
	} {
		n := newTicket()
		n.Title, n.Content = c.title, c.content
		tk, err := f.sys.Tickets().Create(ctx, n)
		require.NoError(t, err)
		assert.ElementsMatch(t, c.want, tk.Tags, "%q / %q", c.title, c.content)
	}

	sch, err := f.agent.Triggers().Schema(ctx)
	require.NoError(t, err)
	content, ok := sch.Target("content")
	require.True(t, ok)
	assert.Equal(t, trigger.ContainsWords, content.Ops[0], "whole words first in the editor")
	assert.Contains(t, content.Ops, trigger.Contains)
}
