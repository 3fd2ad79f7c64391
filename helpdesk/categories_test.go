package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
	"github.com/deskkit/deskkit/helpdesk/ticket"
)

// mkCategory creates a category as the admin.
func (f *fixture) mkCategory(t *testing.T, tree category.Tree, parentID, ko, en string) category.Category {
	t.Helper()
	name := i18n.Text{"ko": ko}
	if en != "" {
		name["en"] = en
	}
	c, err := f.admin.Categories().Create(context.Background(), category.New{Tree: tree, ParentID: parentID, Name: name})
	require.NoError(t, err)
	return c
}

func (f *fixture) tree(t *testing.T, tree category.Tree) []string {
	t.Helper()
	cs, err := f.agent.Categories().Tree(context.Background(), tree)
	require.NoError(t, err)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name["ko"]
	}
	return out
}

func TestCategory_CAT1_CAT2_TreesLevelsAndPath(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	assert.Equal(t, f.now, billing.CreatedAt)
	assert.True(t, billing.Enabled)
	refund, err := f.admin.Categories().Create(ctx, category.New{ParentID: billing.ID, Name: i18n.Text{"ko": "환불"}})
	require.NoError(t, err)
	assert.Equal(t, category.Intake, refund.Tree, "the parent's tree")
	f.mkCategory(t, category.Processing, "", "결제", "Billing") // independent trees (CAT-1)

	parent := refund.ID
	var last category.Category
	for _, n := range []string{"3", "4", "5"} {
		last = f.mkCategory(t, category.Intake, parent, "단계 "+n, "")
		parent = last.ID
	}
	assert.Equal(t, category.MaxDepth, last.Level())
	_, err = f.admin.Categories().Create(ctx, category.New{ParentID: last.ID, Name: i18n.Text{"ko": "여섯째"}})
	var de *category.DepthError
	require.ErrorAs(t, err, &de, "a sixth level is refused (CAT-2)")
	assert.Equal(t, 6, de.Level)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)

	assert.Equal(t, []string{"결제", "환불", "단계 3", "단계 4", "단계 5"}, f.tree(t, category.Intake), "nothing written")
	assert.Equal(t, []string{"결제"}, f.tree(t, category.Processing))
	path, err := f.agent.Categories().Path(ctx, last.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Billing", "환불", "단계 3", "단계 4", "단계 5"}, category.Names(path, "en", "ko"), "falls back to Korean (SVC-2)")
	got, err := f.agent.Categories().Get(ctx, refund.ID)
	require.NoError(t, err)
	assert.Equal(t, refund, got)
}

func TestCategory_CAT3_DuplicateName(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	account := f.mkCategory(t, category.Intake, "", "계정", "Account")
	refund := f.mkCategory(t, category.Intake, billing.ID, "환불", "Refund")

	_, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "결제 ", "en": "Payments"}})
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	require.Len(t, ce.Clashes, 1, "only the Korean name clashes")
	assert.Equal(t, "ko", ce.Clashes[0].Lang)
	assert.Equal(t, "결제", ce.Clashes[0].Name, "the name as normalised")
	assert.Equal(t, billing.ID, ce.Clashes[0].ExistingID)
	assert.Contains(t, err.Error(), `the ko name "결제"`)
	assert.Contains(t, err.Error(), billing.ID)

	// level-wide, not parent-wide: a second 환불 on level 2 clashes too
	_, err = f.admin.Categories().Create(ctx, category.New{ParentID: account.ID, Name: i18n.Text{"ko": "환불"}})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, refund.ID, ce.Clashes[0].ExistingID)
	// the same name on another level is fine
	f.mkCategory(t, category.Intake, refund.ID, "결제", "Billing")
	// renaming into a clash is refused
	_, err = f.admin.Categories().Update(ctx, account.ID, category.Update{Name: i18n.Text{"ko": "계정", "en": "BILLING"}})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, category.Clash{Tree: category.Intake, Level: 1, Lang: "en", ID: account.ID, Name: "BILLING",
		ExistingID: billing.ID, ExistingName: "Billing"}, ce.Clashes[0])
}

func TestCategory_CAT4_SVC2_NamesInTheServiceLanguages(t *testing.T) {
	f := newFixture(t) // languages ko (default) and en
	ctx := context.Background()
	_, err := f.admin.Categories().Create(ctx, category.New{Tree: "nope", Disabled: true,
		Name: i18n.Text{"en": "Billing", "fr": "Facturation"}})
	assert.ElementsMatch(t, []string{"tree", "name.fr", "name.ko"}, problems(t, err), "every bad field at once")
	_, err = f.admin.Categories().Create(ctx, category.New{Tree: category.Processing, Disabled: true, Name: i18n.Text{"ko": "처리"}})
	assert.Equal(t, []string{"disabled"}, problems(t, err), "only intake categories have the toggle (CAT-6)")
	_, err = f.admin.Categories().Create(ctx, category.New{ParentID: "nope", Name: i18n.Text{"ko": "고아"}})
	assert.Equal(t, []string{"parent_id"}, problems(t, err))
	proc := f.mkCategory(t, category.Processing, "", "처리", "")
	_, err = f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, ParentID: proc.ID, Name: i18n.Text{"ko": "교차"}})
	assert.Equal(t, []string{"parent_id"}, problems(t, err), "the parent is in the other tree")
	assert.Empty(t, f.tree(t, category.Intake))

	_, err = f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"KO": " 결제 ", "EN": "Billing", "en-US": ""}})
	assert.Equal(t, []string{"name.en-US"}, problems(t, err), "en-US is not a service language, even when empty")
	c, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"KO": " 결제 ", "EN": "Billing"}})
	require.NoError(t, err)
	assert.Equal(t, i18n.Text{"ko": "결제", "en": "Billing"}, c.Name, "canonical tags, trimmed")
	_, err = f.admin.Categories().Update(ctx, c.ID, category.Update{Name: i18n.Text{"en": "Billing only"}})
	assert.Equal(t, []string{"name.ko"}, problems(t, err), "the default language stays required")
}

func TestCategory_CAT5_RenameReorderMoveDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.mkCategory(t, category.Intake, "", "가", "")
	b := f.mkCategory(t, category.Intake, "", "나", "")
	b1 := f.mkCategory(t, category.Intake, b.ID, "나1", "")
	b2 := f.mkCategory(t, category.Intake, b.ID, "나2", "")

	// rename: the id stays (CAT-7)
	r, err := f.admin.Categories().Update(ctx, b1.ID, category.Update{Name: i18n.Text{"ko": "나일", "en": "B one"}})
	require.NoError(t, err)
	assert.Equal(t, b1.ID, r.ID)
	assert.Equal(t, f.now, r.UpdatedAt)
	assert.Equal(t, b1.CreatedAt, r.CreatedAt)

	same, err := f.admin.Categories().Update(ctx, b1.ID, category.Update{})
	require.NoError(t, err)
	assert.Equal(t, r, same, "an empty update changes nothing")

	// reorder among siblings
	require.NoError(t, f.admin.Categories().Reorder(ctx, category.Intake, b.ID, []string{b2.ID, b1.ID}))
	require.NoError(t, f.admin.Categories().Reorder(ctx, category.Intake, "", []string{b.ID, a.ID}))
	assert.Equal(t, []string{"나", "나2", "나일", "가"}, f.tree(t, category.Intake))
	assert.ErrorIs(t, f.admin.Categories().Reorder(ctx, category.Intake, "", []string{a.ID}), helpdesk.ErrInvalid)
	assert.Equal(t, []string{"tree"}, problems(t, f.admin.Categories().Reorder(ctx, "nope", "", nil)))

	// move, with its subtree; cycles refused
	m, err := f.admin.Categories().Move(ctx, b.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, m.Path)
	assert.Equal(t, []string{"가", "나", "나2", "나일"}, f.tree(t, category.Intake))
	_, err = f.admin.Categories().Move(ctx, a.ID, b2.ID)
	var cyc *category.CycleError
	require.ErrorAs(t, err, &cyc)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	_, err = f.admin.Categories().Move(ctx, a.ID, "nope")
	assert.Equal(t, []string{"parent_id"}, problems(t, err))
	_, err = f.admin.Categories().Move(ctx, "nope", "")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)

	// delete with all descendants
	ids, err := f.admin.Categories().Delete(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, b2.ID, b1.ID}, ids)
	assert.Equal(t, []string{"가"}, f.tree(t, category.Intake))
	gone, err := f.agent.Categories().Get(ctx, b1.ID)
	require.NoError(t, err)
	assert.True(t, gone.Deleted)
	assert.Equal(t, "B one", gone.Name["en"], "the name is kept for history")
	_, err = f.admin.Categories().Delete(ctx, b.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.admin.Categories().Update(ctx, b1.ID, category.Update{Enabled: ptr(false)})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.admin.Categories().Move(ctx, b1.ID, "")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = f.admin.Categories().Move(ctx, a.ID, b.ID)
	assert.Equal(t, []string{"parent_id"}, problems(t, err), "a deleted parent")
}

func TestCategory_CAT5_TicketsKeepDeletedCategoryAndItsName(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "Billing")
	refund := f.mkCategory(t, category.Intake, billing.ID, "환불", "Refund")
	proc := f.mkCategory(t, category.Processing, "", "처리 중", "In progress")
	n := newTicket()
	n.IntakeCategoryID, n.ProcessingCategoryID = refund.ID, proc.ID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)

	_, err = f.admin.Categories().Delete(ctx, billing.ID)
	require.NoError(t, err)
	_, err = f.admin.Categories().Delete(ctx, proc.ID)
	require.NoError(t, err)

	// the ticket keeps the ids and can still be worked on
	up, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("still here")})
	require.NoError(t, err)
	assert.Equal(t, refund.ID, up.IntakeCategoryID)
	assert.Equal(t, proc.ID, up.ProcessingCategoryID)
	// but a deleted category cannot be chosen anew
	other, err := f.sys.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{"intake_category_id", "processing_category_id"}, problems(t, err))
	assert.Empty(t, other.Number)
	fresh := f.ticket(t)
	_, err = f.agent.Tickets().Update(ctx, fresh.ID, ticket.Update{Version: fresh.Version, IntakeCategoryID: ptr(refund.ID)})
	assert.Equal(t, []string{"intake_category_id"}, problems(t, err))
	// and the history, which stores ids, still resolves to the old names
	p, err := f.agent.Categories().Path(ctx, up.IntakeCategoryID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Billing", "Refund"}, category.Names(p, "en", "ko"))
	assert.True(t, p[0].Deleted && p[1].Deleted)

	// a new processing category replaces the deleted one; clearing works
	next := f.mkCategory(t, category.Processing, "", "처리 중", "") // the name is free again
	up, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, ProcessingCategoryID: ptr(next.ID), IntakeCategoryID: ptr("")})
	require.NoError(t, err)
	h, err := f.agent.Tickets().History(ctx, tk.ID)
	require.NoError(t, err)
	var changes []string
	for _, c := range h {
		if c.Field == "intake_category_id" || c.Field == "processing_category_id" {
			changes = append(changes, c.Field+":"+c.From+"→"+c.To)
		}
	}
	assert.Equal(t, []string{"intake_category_id:" + refund.ID + "→", "processing_category_id:" + proc.ID + "→" + next.ID}, changes)

	// a follow-up inherits the categories of the closed ticket, deleted or not
	old, err := f.sys.Tickets().Create(ctx, ticket.New{Requester: n.Requester, Title: "old", Content: "c", Channel: ticket.ChannelEmail,
		ProcessingCategoryID: next.ID})
	require.NoError(t, err)
	_, err = f.admin.Categories().Delete(ctx, next.ID)
	require.NoError(t, err)
	_, err = f.agent.Tickets().Solve(ctx, old.ID, helpdesk.Solve{})
	require.NoError(t, err)
	_, err = f.agent.Tickets().SetStatus(ctx, old.ID, ticket.StatusClosed)
	require.NoError(t, err)
	fu, err := f.sys.Tickets().CustomerReply(ctx, old.ID, helpdesk.CustomerReply{Body: "again"})
	require.NoError(t, err)
	assert.Equal(t, next.ID, fu.ProcessingCategoryID)
}

func TestCategory_CAT6_DisabledIntakeOnlyInTicketManagement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	billing := f.mkCategory(t, category.Intake, "", "결제", "")
	refund := f.mkCategory(t, category.Intake, billing.ID, "환불", "")
	off, err := f.admin.Categories().Update(ctx, billing.ID, category.Update{Enabled: ptr(false)})
	require.NoError(t, err)
	assert.False(t, off.Enabled)
	hidden, err := f.admin.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "내부"}, Disabled: true})
	require.NoError(t, err)
	assert.False(t, hidden.Enabled)

	for _, id := range []string{billing.ID, refund.ID, hidden.ID} {
		n := newTicket() // help center
		n.IntakeCategoryID = id
		_, err := f.sys.Tickets().Create(ctx, n)
		assert.Equal(t, []string{"intake_category_id"}, problems(t, err), "refused in the help center, also below a disabled parent")
		n.Channel = ticket.ChannelEmail
		_, err = f.sys.Tickets().Create(ctx, n)
		assert.NoError(t, err, "allowed in ticket management")
	}
	tree, err := f.agent.Categories().Tree(ctx, category.Intake)
	require.NoError(t, err)
	assert.Len(t, tree, 3, "the tree lists disabled categories")
	assert.Empty(t, category.HelpCenter(tree))

	_, err = f.admin.Categories().Update(ctx, billing.ID, category.Update{Enabled: ptr(true)})
	require.NoError(t, err)
	n := newTicket()
	n.IntakeCategoryID = refund.ID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	// switching it off later does not strand the help-center ticket
	_, err = f.admin.Categories().Update(ctx, refund.ID, category.Update{Enabled: ptr(false)})
	require.NoError(t, err)
	up, err := f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, Title: ptr("still fine")})
	require.NoError(t, err)
	// review fix: in ticket management an agent may choose a disabled
	// intake category, even for a help-center ticket (CAT-6)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: up.Version, IntakeCategoryID: ptr(hidden.ID)})
	require.NoError(t, err)

	proc := f.mkCategory(t, category.Processing, "", "처리", "")
	_, err = f.admin.Categories().Update(ctx, proc.ID, category.Update{Enabled: ptr(false)})
	assert.Equal(t, []string{"enabled"}, problems(t, err))
}

func TestCategory_CAT7_StableUUIDv7IDs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.mkCategory(t, category.Intake, "", "가", "")
	u, err := uuid.Parse(a.ID)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(7), u.Version())
	b := f.mkCategory(t, category.Intake, "", "나", "")
	moved, err := f.admin.Categories().Move(ctx, b.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, b.ID, moved.ID)
	_, err = f.admin.Categories().Delete(ctx, a.ID)
	require.NoError(t, err)
	c := f.mkCategory(t, category.Intake, "", "가", "")
	assert.NotEqual(t, a.ID, c.ID)
	assert.NotEqual(t, b.ID, c.ID)
}

func TestCategory_TicketFieldsNameTheirTree(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := f.mkCategory(t, category.Intake, "", "결제", "")
	proc := f.mkCategory(t, category.Processing, "", "처리", "")
	foreign, err := f.other.As(helpdesk.System).Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "남의 것"}})
	require.NoError(t, err)

	n := newTicket()
	n.Title = ""
	n.IntakeCategoryID, n.ProcessingCategoryID = proc.ID, in.ID // swapped
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.ElementsMatch(t, []string{"title", "intake_category_id", "processing_category_id"}, problems(t, err), "every bad field at once")
	var ve *helpdesk.ValidationError
	require.True(t, errors.As(err, &ve))
	for _, p := range ve.Problems {
		if p.Field == "intake_category_id" {
			assert.Contains(t, p.Reason, "processing tree")
		}
	}
	n = newTicket()
	n.IntakeCategoryID = foreign.ID
	_, err = f.sys.Tickets().Create(ctx, n)
	assert.Equal(t, []string{"intake_category_id"}, problems(t, err), "another service's category does not exist here (SVC-1)")
	_, err = f.agent.Categories().Get(ctx, foreign.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	f.assertCounts(t, 0, 0)

	n.IntakeCategoryID, n.ProcessingCategoryID = in.ID, proc.ID
	tk, err := f.sys.Tickets().Create(ctx, n)
	require.NoError(t, err)
	assert.Equal(t, in.ID, tk.IntakeCategoryID)
	_, err = f.agent.Tickets().Update(ctx, tk.ID, ticket.Update{Version: tk.Version, ProcessingCategoryID: ptr("nope")})
	assert.Equal(t, []string{"processing_category_id"}, problems(t, err))
}

func TestCategory_SVC3_AdminChangesAgentsRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.mkCategory(t, category.Intake, "", "가", "")
	b := f.mkCategory(t, category.Intake, "", "나", "")
	denied := map[string]error{}
	_, denied["create"] = f.agent.Categories().Create(ctx, category.New{Tree: category.Intake, Name: i18n.Text{"ko": "다"}})
	_, denied["update"] = f.agent.Categories().Update(ctx, a.ID, category.Update{Name: i18n.Text{"ko": "바뀜"}})
	_, denied["move"] = f.agent.Categories().Move(ctx, b.ID, a.ID)
	denied["reorder"] = f.agent.Categories().Reorder(ctx, category.Intake, "", []string{b.ID, a.ID})
	_, denied["delete"] = f.agent.Categories().Delete(ctx, a.ID)
	for what, err := range denied {
		assert.ErrorIs(t, err, helpdesk.ErrForbidden, what)
	}
	assert.Equal(t, []string{"가", "나"}, f.tree(t, category.Intake), "nothing changed; agents read")
	_, err := f.agent.Categories().Path(ctx, a.ID)
	assert.NoError(t, err)
	_, err = f.other.As(helpdesk.AgentID(f.foreignAgentID)).Categories().Path(ctx, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "SVC-1")
	_, err = f.agent.Categories().Tree(ctx, "nope")
	assert.Equal(t, []string{"tree"}, problems(t, err))
}

// positions renders a tree as "ko-name@position" in display order.
func (f *fixture) positions(t *testing.T, tree category.Tree) []string {
	t.Helper()
	cs, err := f.agent.Categories().Tree(context.Background(), tree)
	require.NoError(t, err)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%s@%d", c.Name["ko"], c.Position)
	}
	return out
}

func TestCategory_CAT5_PositionsStayGapFree(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.mkCategory(t, category.Intake, "", "가", "")
	b := f.mkCategory(t, category.Intake, "", "나", "")
	c := f.mkCategory(t, category.Intake, "", "다", "")
	d := f.mkCategory(t, category.Intake, "", "라", "")
	assert.Equal(t, []string{"가@0", "나@1", "다@2", "라@3"}, f.positions(t, category.Intake))

	_, err := f.admin.Categories().Move(ctx, b.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"가@0", "나@0", "다@1", "라@2"}, f.positions(t, category.Intake), "the old siblings close up")
	_, err = f.admin.Categories().Delete(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"가@0", "나@0", "라@1"}, f.positions(t, category.Intake), "and after a delete")
	e := f.mkCategory(t, category.Intake, "", "마", "")
	assert.Equal(t, 2, e.Position, "a new category goes last")
	require.NoError(t, f.admin.Categories().Reorder(ctx, category.Intake, "", []string{e.ID, d.ID, a.ID}))
	assert.Equal(t, []string{"마@0", "라@1", "가@2", "나@0"}, f.positions(t, category.Intake))

	// a refused move writes nothing
	_, err = f.admin.Categories().Move(ctx, a.ID, b.ID)
	var ce *category.CycleError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{"마@0", "라@1", "가@2", "나@0"}, f.positions(t, category.Intake))
}
