package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testCategoryWorkflow runs the category stories (CAT-1..7) through
// helpdesk.Session on the store under test: the category package's plans,
// the helpdesk workflows (lock, read, check, write) and the store's
// repository together. Each story has a service of its own.
func testCategoryWorkflow(t *testing.T, s helpdesk.Store) {
	for _, c := range []struct {
		name string
		fn   func(*testing.T, *cwDesk)
	}{
		{"CRUD_CAT1_CAT4_CAT7", testCategoryCRUD},
		{"Depth_CAT2", testCategoryDepth},
		{"NameClash_CAT3", testCategoryNameClash},
		{"Reorder_CAT5", testCategoryReorder},
		{"Move_CAT2_CAT3", testCategoryMove},
		{"DeleteSubtree_CAT5_CAT7", testCategoryDelete},
		{"PathAfterMove_CAT5", testCategoryPathAfterMove},
		{"ConcurrentCreates_CAT3", testCategoryConcurrentCreates},
		{"ConcurrentMoves_CAT2", testCategoryConcurrentMoves},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, newCWDesk(t, s))
		})
	}
}

// cwDesk is a desk on the store under test with a service of its own, used
// by the system (which holds every permission).
type cwDesk struct {
	t   *testing.T
	sys *helpdesk.Session
}

func newCWDesk(t *testing.T, s helpdesk.Store) *cwDesk {
	t.Helper()
	d, err := helpdesk.New(helpdesk.Config{Store: s, Clock: tickingClock()})
	require.NoError(t, err)
	id := newID()
	_, err = d.CreateService(context.Background(), helpdesk.NewService{ID: id, Settings: cfg(id).Settings})
	require.NoError(t, err)
	return &cwDesk{t: t, sys: d.Service(id).As(helpdesk.System)}
}

func (w *cwDesk) create(tree category.Tree, parentID string, name i18n.Text) (category.Category, error) {
	return w.sys.Categories().Create(context.Background(), category.New{Tree: tree, ParentID: parentID, Name: name})
}

func (w *cwDesk) mk(tree category.Tree, parentID string, name i18n.Text) category.Category {
	w.t.Helper()
	c, err := w.create(tree, parentID, name)
	require.NoError(w.t, err)
	return c
}

func (w *cwDesk) move(id, parentID string) (category.Category, error) {
	return w.sys.Categories().Move(context.Background(), id, parentID)
}

func (w *cwDesk) get(id string) category.Category {
	w.t.Helper()
	c, err := w.sys.Categories().Get(context.Background(), id)
	require.NoError(w.t, err)
	return c
}

func (w *cwDesk) tree(tree category.Tree) []category.Category {
	w.t.Helper()
	cs, err := w.sys.Categories().Tree(context.Background(), tree)
	require.NoError(w.t, err)
	return cs
}

// shape renders a tree as "level:ko-name@position" lines in display order.
func (w *cwDesk) shape(tree category.Tree) []string {
	w.t.Helper()
	cs := w.tree(tree)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%d:%s@%d", c.Level(), c.Name["ko"], c.Position)
	}
	return out
}

func clashOf(t *testing.T, err error) []category.Clash {
	t.Helper()
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	return ce.Clashes
}

// problemFields returns the fields a *helpdesk.ValidationError names.
func problemFields(t *testing.T, err error) []string {
	t.Helper()
	var ve *helpdesk.ValidationError
	require.ErrorAs(t, err, &ve)
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
	}
	return out
}

func testCategoryCRUD(t *testing.T, w *cwDesk) {
	ctx := context.Background()
	billing := w.mk(category.Intake, "", names("결제", "Billing"))
	assert.Nil(t, billing.Path)
	assert.Equal(t, 0, billing.Position)
	assert.Equal(t, 1, billing.Level())
	refund := w.mk(category.Intake, billing.ID, names("환불", "Refund"))
	assert.Equal(t, []string{billing.ID}, refund.Path)
	assert.Equal(t, billing.ID, refund.ParentID)
	partial := w.mk("", refund.ID, names("부분 환불", ""))
	assert.Equal(t, category.Intake, partial.Tree, "the parent's tree")
	assert.Equal(t, []string{billing.ID, refund.ID}, partial.Path)
	login := w.mk(category.Intake, "", names("로그인", "Login"))
	assert.Equal(t, 1, login.Position, "after the other root")
	proc := w.mk(category.Processing, "", names("결제", "Billing"))

	assert.Equal(t, billing, w.get(billing.ID), "every field round-trips")
	assert.Equal(t, partial, w.get(partial.ID))
	assert.Equal(t, []category.Category{billing, refund, partial, login}, w.tree(category.Intake), "depth first")
	assert.Equal(t, []category.Category{proc}, w.tree(category.Processing), "the trees are independent (CAT-1)")
	p, err := w.sys.Categories().Path(ctx, partial.ID)
	require.NoError(t, err)
	assert.Equal(t, []category.Category{billing, refund, partial}, p)
	_, err = w.sys.Categories().Path(ctx, newID())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = w.sys.Categories().Get(ctx, newID())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)

	// refusals write nothing
	_, err = w.create(category.Intake, newID(), names("고아", ""))
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err), "unknown parent")
	_, err = w.create(category.Processing, billing.ID, names("교차", ""))
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err), "the parent is in the other tree")
	_, err = w.create("other", "", names("나무", ""))
	assert.Equal(t, []string{"tree"}, problemFields(t, err))
	assert.Len(t, w.tree(category.Intake), 4)

	// rename and toggle (CAT-5, CAT-6)
	off := false
	upd, err := w.sys.Categories().Update(ctx, refund.ID, category.Update{Name: names("환불 요청", "Refund request"), Enabled: &off})
	require.NoError(t, err)
	want := refund
	want.Name, want.Enabled, want.UpdatedAt = names("환불 요청", "Refund request"), false, upd.UpdatedAt
	assert.True(t, upd.UpdatedAt.After(refund.UpdatedAt))
	assert.Equal(t, want, upd)
	assert.Equal(t, want, w.get(refund.ID))
	_, err = w.sys.Categories().Update(ctx, newID(), category.Update{Name: names("유령", "")})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
}

func testCategoryDepth(t *testing.T, w *cwDesk) {
	parent := ""
	var chain []category.Category
	for lvl := 1; lvl <= category.MaxDepth; lvl++ {
		c := w.mk(category.Processing, parent, names(fmt.Sprintf("단계 %d", lvl), ""))
		assert.Equal(t, lvl, c.Level())
		chain = append(chain, c)
		parent = c.ID
	}
	_, err := w.create(category.Processing, parent, names("여섯째", ""))
	var de *category.DepthError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Equal(t, 6, de.Level)
	assert.Equal(t, chain, w.tree(category.Processing), "nothing written")
}

func testCategoryNameClash(t *testing.T, w *cwDesk) {
	ctx := context.Background()
	billing := w.mk(category.Intake, "", names("결제", "Billing"))
	account := w.mk(category.Intake, "", names("계정", "Account"))
	refund := w.mk(category.Intake, billing.ID, names("환불", "Refund"))
	noID := func(cs []category.Clash) []category.Clash { // the refused category's id is never seen
		for i := range cs {
			cs[i].ID = ""
		}
		return cs
	}

	// the same name on the same level, under another parent, is refused
	// and the error names the language, the name and the category using it
	_, err := w.create(category.Intake, account.ID, names("환불", "Refunds"))
	assert.Equal(t, []category.Clash{{Tree: category.Intake, Level: 2, Lang: "ko", Name: "환불",
		ExistingID: refund.ID, ExistingName: "환불"}}, noID(clashOf(t, err)), "only Korean clashes")
	assert.Contains(t, err.Error(), refund.ID)

	// every clashing language is listed; case, width and spaces do not matter
	_, err = w.create(category.Intake, "", names(" 결제 ", "ＢＩＬＬＩＮＧ"))
	assert.Equal(t, []category.Clash{
		{Tree: category.Intake, Level: 1, Lang: "en", Name: "ＢＩＬＬＩＮＧ", ExistingID: billing.ID, ExistingName: "Billing"},
		{Tree: category.Intake, Level: 1, Lang: "ko", Name: "결제", ExistingID: billing.ID, ExistingName: "결제"},
	}, noID(clashOf(t, err)))
	assert.Len(t, w.tree(category.Intake), 3, "nothing written")

	// the same name on another level, in the other tree or in another
	// language's slot is fine
	w.mk(category.Intake, refund.ID, names("결제", "Billing"))
	w.mk(category.Processing, "", names("결제", "Billing"))
	w.mk(category.Intake, "", i18n.Text{"ko": "Billing", "en": "결제"})

	// rename: into a clash is refused, keeping one's own name is not a clash
	_, err = w.sys.Categories().Update(ctx, account.ID, category.Update{Name: names("계정", "billing")})
	assert.Equal(t, []category.Clash{{Tree: category.Intake, Level: 1, Lang: "en", ID: account.ID, Name: "billing",
		ExistingID: billing.ID, ExistingName: "Billing"}}, clashOf(t, err))
	assert.Equal(t, account, w.get(account.ID), "nothing written")
	_, err = w.sys.Categories().Update(ctx, account.ID, category.Update{Name: names("계정", "ACCOUNT")})
	require.NoError(t, err)
	// a renamed category frees its old name and holds its new one
	w.mk(category.Intake, "", names("고객", "Account type"))
	_, err = w.sys.Categories().Update(ctx, account.ID, category.Update{Name: names("계정 관리", "")})
	require.NoError(t, err)
	w.mk(category.Intake, "", names("계정", "Account"))
	_, err = w.create(category.Intake, "", names("계정 관리", "Accounts"))
	clashOf(t, err)
}

func testCategoryReorder(t *testing.T, w *cwDesk) {
	ctx := context.Background()
	reorder := func(tree category.Tree, parentID string, ids ...string) error {
		return w.sys.Categories().Reorder(ctx, tree, parentID, ids)
	}
	a := w.mk(category.Intake, "", names("가", ""))
	b := w.mk(category.Intake, "", names("나", ""))
	c := w.mk(category.Intake, "", names("다", ""))
	a1 := w.mk(category.Intake, a.ID, names("가1", ""))
	a2 := w.mk(category.Intake, a.ID, names("가2", ""))
	other := w.mk(category.Processing, "", names("처리", ""))

	require.NoError(t, reorder(category.Intake, "", c.ID, a.ID, b.ID))
	require.NoError(t, reorder(category.Intake, a.ID, a2.ID, a1.ID))
	want := []string{"1:다@0", "1:가@1", "2:가2@0", "2:가1@1", "1:나@2"}
	assert.Equal(t, want, w.shape(category.Intake))

	for _, ids := range [][]string{
		{c.ID, a.ID},                 // one missing
		{c.ID, a.ID, b.ID, b.ID},     // one twice
		{c.ID, a.ID, b.ID, a1.ID},    // not a sibling
		{c.ID, a.ID, b.ID, other.ID}, // other tree
		{c.ID, a.ID, b.ID, newID()},  // unknown
		{c.ID, a.ID, newID()},        // unknown instead of one
	} {
		assert.ErrorIs(t, reorder(category.Intake, "", ids...), helpdesk.ErrInvalid, "%v", ids)
	}
	assert.ErrorIs(t, reorder(category.Intake, newID()), helpdesk.ErrNotFound, "unknown parent")
	assert.ErrorIs(t, reorder(category.Processing, a.ID), helpdesk.ErrNotFound, "parent in the other tree")
	require.NoError(t, reorder(category.Intake, a1.ID), "a leaf: no children")
	assert.Equal(t, want, w.shape(category.Intake), "nothing changed")
}

func testCategoryMove(t *testing.T, w *cwDesk) {
	a := w.mk(category.Intake, "", names("가", ""))
	a1 := w.mk(category.Intake, a.ID, names("가1", ""))
	a2 := w.mk(category.Intake, a.ID, names("가2", ""))
	w.mk(category.Intake, a.ID, names("가3", ""))
	a2x := w.mk(category.Intake, a2.ID, names("가2x", ""))
	b := w.mk(category.Intake, "", names("나", ""))
	b1 := w.mk(category.Intake, b.ID, names("나1", ""))
	p := w.mk(category.Processing, "", names("처리", ""))

	// a2 and its child go under b1, one level deeper; a's children close up
	moved, err := w.move(a2.ID, b1.ID)
	require.NoError(t, err)
	want := a2
	want.ParentID, want.Path, want.Position, want.UpdatedAt = b1.ID, []string{b.ID, b1.ID}, 0, moved.UpdatedAt
	assert.True(t, moved.UpdatedAt.After(a2.UpdatedAt))
	assert.Equal(t, want, moved)
	assert.Equal(t, want, w.get(a2.ID))
	assert.Equal(t, []string{b.ID, b1.ID, a2.ID}, w.get(a2x.ID).Path, "descendants follow")
	assert.Equal(t, a2x.UpdatedAt, w.get(a2x.ID).UpdatedAt, "only the moved category's time changes")
	assert.Equal(t, []string{"1:가@0", "2:가1@0", "2:가3@1", "1:나@1", "2:나1@0", "3:가2@0", "4:가2x@0"}, w.shape(category.Intake))

	// the names moved level with their categories (CAT-3 on the new levels)
	_, err = w.create(category.Intake, a.ID, names("가2", ""))
	require.NoError(t, err, "level 2 no longer holds 가2")
	_, err = w.create(category.Intake, a1.ID, names("가2", ""))
	assert.Equal(t, a2.ID, clashOf(t, err)[0].ExistingID, "level 3 does")

	// to the roots, after the others
	moved, err = w.move(a2.ID, "")
	require.NoError(t, err)
	assert.Nil(t, moved.Path)
	assert.Equal(t, 2, moved.Position)
	assert.Equal(t, []string{a2.ID}, w.get(a2x.ID).Path)
	// under its current parent: nothing changes
	same, err := w.move(a1.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a1, same)
	assert.Equal(t, a1, w.get(a1.ID))

	before := w.tree(category.Intake)
	_, err = w.move(a.ID, a.ID)
	var ce *category.CycleError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, category.CycleError{ID: a.ID, ParentID: a.ID}, *ce)
	_, err = w.move(a2.ID, a2x.ID)
	require.ErrorAs(t, err, &ce, "under its own child")
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Equal(t, category.CycleError{ID: a2.ID, ParentID: a2x.ID}, *ce)
	_, err = w.move(a2.ID, p.ID)
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err), "a parent in the other tree")
	_, err = w.move(a2.ID, newID())
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err))
	_, err = w.move(newID(), "")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, before, w.tree(category.Intake), "nothing written")

	// depth: a 4-level chain under b1 (level 2) would reach level 6
	c1 := w.mk(category.Intake, "", names("다", ""))
	c2 := w.mk(category.Intake, c1.ID, names("다2", ""))
	c3 := w.mk(category.Intake, c2.ID, names("다3", ""))
	c4 := w.mk(category.Intake, c3.ID, names("다4", ""))
	before = w.tree(category.Intake)
	_, err = w.move(c1.ID, b1.ID)
	var de *category.DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, category.DepthError{ID: c4.ID, Level: 6}, *de, "names the deepest category")
	assert.Equal(t, before, w.tree(category.Intake), "nothing written")
	_, err = w.move(c1.ID, b.ID)
	require.NoError(t, err, "level 5 is allowed")
	assert.Equal(t, []string{b.ID, c1.ID, c2.ID, c3.ID}, w.get(c4.ID).Path)
	_, err = w.move(c1.ID, "")
	require.NoError(t, err)

	// a clash on a new level names every clashing category of the subtree
	x3 := w.mk(category.Intake, "", names("다3", ""))   // level 1
	x4 := w.mk(category.Intake, b.ID, names("다4", "")) // level 2
	before = w.tree(category.Intake)
	_, err = w.move(c3.ID, "") // c3 → level 1, c4 → level 2
	assert.Equal(t, []category.Clash{
		{Tree: category.Intake, Level: 1, Lang: "ko", ID: c3.ID, Name: "다3", ExistingID: x3.ID, ExistingName: "다3"},
		{Tree: category.Intake, Level: 2, Lang: "ko", ID: c4.ID, Name: "다4", ExistingID: x4.ID, ExistingName: "다4"},
	}, clashOf(t, err))
	assert.Equal(t, before, w.tree(category.Intake), "nothing written")
	for _, x := range []string{x3.ID, x4.ID} {
		_, err := w.sys.Categories().Delete(context.Background(), x)
		require.NoError(t, err)
	}

	// the subtree's own names do not clash with themselves, not even for
	// the moment one of two equal names on adjacent levels has moved
	c5 := w.mk(category.Intake, c4.ID, names("다4", "")) // 다4 on levels 4 and 5
	_, err = w.move(c3.ID, "")                          // 다3 → 1, 다4 → 2 and 3
	require.NoError(t, err)
	_, err = w.move(c3.ID, b.ID) // 다3 → 2, 다4 → 3 and 4
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, c3.ID, c4.ID}, w.get(c5.ID).Path)
	_, err = w.create(category.Intake, b1.ID, names("다4", ""))
	assert.Equal(t, c4.ID, clashOf(t, err)[0].ExistingID, "다4 holds level 3")
	_, err = w.create(category.Intake, c1.ID, names("다3", ""))
	assert.Equal(t, c3.ID, clashOf(t, err)[0].ExistingID, "다3 holds level 2")
}

func testCategoryDelete(t *testing.T, w *cwDesk) {
	ctx := context.Background()
	a := w.mk(category.Intake, "", names("가", "A"))
	b := w.mk(category.Intake, "", names("나", "B"))
	c := w.mk(category.Intake, "", names("다", "C"))
	b1 := w.mk(category.Intake, b.ID, names("나1", ""))
	b2 := w.mk(category.Intake, b.ID, names("나2", ""))
	b1x := w.mk(category.Intake, b1.ID, names("나1x", ""))

	ids, err := w.sys.Categories().Delete(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, b1.ID, b2.ID, b1x.ID}, ids, "the category, then its descendants by level")
	assert.Equal(t, []string{"1:가@0", "1:다@1"}, w.shape(category.Intake), "the siblings close up")

	// a deleted category keeps its id, name and path for history (CAT-5)
	got := w.get(b1x.ID)
	want := b1x
	want.Deleted, want.UpdatedAt = true, got.UpdatedAt
	assert.True(t, got.UpdatedAt.After(b1x.UpdatedAt))
	assert.Equal(t, want, got)
	p, err := w.sys.Categories().Path(ctx, b1x.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"나", "나1", "나1x"}, category.Names(p, "ko", "ko"))

	// but it cannot be used or changed (CAT-7: and its id is never reused)
	_, err = w.create(category.Intake, b.ID, names("새", ""))
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err), "a deleted parent")
	_, err = w.sys.Categories().Delete(ctx, b1.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "already deleted")
	_, err = w.sys.Categories().Update(ctx, b2.ID, category.Update{Name: names("부활", "")})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = w.move(b2.ID, a.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = w.move(c.ID, b.ID)
	assert.Equal(t, []string{"parent_id"}, problemFields(t, err), "under a deleted parent")
	// its names are free again
	again := w.mk(category.Intake, "", names("나", "B"))
	w.mk(category.Intake, again.ID, names("나1", ""))
	assert.Equal(t, []string{"1:가@0", "1:다@1", "1:나@2", "2:나1@0"}, w.shape(category.Intake))
	assert.True(t, w.get(b.ID).Deleted)
}

// testCategoryPathAfterMove: a deleted category's path stays root → leaf
// after an ancestor moves.
func testCategoryPathAfterMove(t *testing.T, w *cwDesk) {
	ctx := context.Background()
	x := w.mk(category.Intake, "", names("X", ""))
	y := w.mk(category.Intake, x.ID, names("Y", ""))
	a := w.mk(category.Intake, "", names("A", ""))
	b := w.mk(category.Intake, a.ID, names("B", ""))
	c := w.mk(category.Intake, b.ID, names("C", ""))
	_, err := w.sys.Categories().Delete(ctx, b.ID)
	require.NoError(t, err)
	_, err = w.move(a.ID, y.ID)
	require.NoError(t, err)
	p, err := w.sys.Categories().Path(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"A", "B", "C"}, category.Names(p, "ko", "ko"), "the path c had when it was deleted")
	assert.Equal(t, []string{x.ID, y.ID}, p[0].Path, "A as it is now")
}

// testCategoryConcurrentCreates: the writers of one service are serialised,
// so a name is taken once and sibling positions stay 0..n-1.
func testCategoryConcurrentCreates(t *testing.T, w *cwDesk) {
	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, clashed int
	for i := range writers {
		wg.Go(func() {
			_, err := w.create(category.Intake, "", names("같은 이름", ""))
			_, err2 := w.create(category.Intake, "", names(fmt.Sprintf("이름 %d", i), ""))
			mu.Lock()
			defer mu.Unlock()
			assert.NoError(t, err2)
			var ce *category.NameClashError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ce):
				clashed++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, ok)
	assert.Equal(t, writers-1, clashed)
	tree := w.tree(category.Intake)
	require.Len(t, tree, writers+1)
	for i, c := range tree {
		assert.Equal(t, i, c.Position)
	}
}

// testCategoryConcurrentMoves: two moves that would each put the other
// category under itself never both succeed (no cycle), whatever their
// timing.
func testCategoryConcurrentMoves(t *testing.T, w *cwDesk) {
	for i := range 4 {
		a := w.mk(category.Intake, "", names(fmt.Sprintf("가 %d", i), ""))
		b := w.mk(category.Intake, "", names(fmt.Sprintf("나 %d", i), ""))
		errs := make([]error, 2)
		var wg sync.WaitGroup
		wg.Go(func() { _, errs[0] = w.move(a.ID, b.ID) })
		wg.Go(func() { _, errs[1] = w.move(b.ID, a.ID) })
		wg.Wait()
		var ce *category.CycleError
		if errs[0] == nil {
			assert.ErrorAs(t, errs[1], &ce)
		} else {
			assert.ErrorAs(t, errs[0], &ce)
			assert.NoError(t, errs[1])
		}
	}
	for _, c := range w.tree(category.Intake) {
		assert.NotContains(t, c.Path, c.ID, "no cycle")
		assert.LessOrEqual(t, c.Level(), 2)
	}
}
