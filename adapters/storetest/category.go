package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deskkit/deskkit/category"
	"github.com/deskkit/deskkit/helpdesk"
	"github.com/deskkit/deskkit/helpdesk/i18n"
)

// testCategory holds the category conformance cases (CAT-1..7): both trees,
// the level limit, unique names per level and language, rename, reorder,
// move with its refusals, soft delete of a subtree, tenant isolation and
// rollback.
func testCategory(t *testing.T, s helpdesk.Store) {
	cases := []struct {
		name string
		fn   func(*testing.T, helpdesk.Store, string)
	}{
		{"CRUD_CAT1_CAT4_CAT7", testCategoryCRUD},
		{"Depth_CAT2", testCategoryDepth},
		{"NameClash_CAT3", testCategoryNameClash},
		{"Reorder_CAT5", testCategoryReorder},
		{"Move_CAT2_CAT3", testCategoryMove},
		{"DeleteSubtree_CAT5_CAT7", testCategoryDelete},
		{"TenantIsolation_SVC1", testCategoryIsolation},
		{"Rollback", testCategoryRollback},
		{"ConcurrentWrites", testCategoryConcurrent},
		{"PathAfterMove_CAT5", testCategoryPathAfterMove},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := fmt.Sprintf("cat%d", i)
			mkService(t, s, svc)
			c.fn(t, s, svc)
		})
	}
}

func names(ko, en string) i18n.Text {
	n := i18n.Text{"ko": ko}
	if en != "" {
		n["en"] = en
	}
	return n
}

// catAt is the creation time of the i-th category of a test.
func catAt(i int) time.Time { return base.Add(time.Duration(i)*time.Minute + 7*time.Microsecond) }

// createCat stores a category and returns it as stored, or the error.
func createCat(s helpdesk.Store, svc string, tree category.Tree, parentID string, name i18n.Text) (category.Category, error) {
	c := category.Category{ID: newID(), Tree: tree, ParentID: parentID, Name: name, Enabled: true, CreatedAt: catAt(1), UpdatedAt: catAt(1)}
	err := s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return r.Categories().Create(context.Background(), &c) })
	return c, err
}

func mkCat(t *testing.T, s helpdesk.Store, svc string, tree category.Tree, parentID string, name i18n.Text) category.Category {
	t.Helper()
	c, err := createCat(s, svc, tree, parentID, name)
	require.NoError(t, err)
	return c
}

func catTree(t *testing.T, s helpdesk.Store, svc string, tree category.Tree) []category.Category {
	t.Helper()
	var out []category.Category
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Categories().Tree(context.Background(), tree)
		return err
	})
	return out
}

func catGet(t *testing.T, s helpdesk.Store, svc, id string) category.Category {
	t.Helper()
	var out category.Category
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		out, err = r.Categories().Get(context.Background(), id)
		return err
	})
	return out
}

// catDo runs fn on the service's category repository in a transaction of
// its own and returns its error.
func catDo(s helpdesk.Store, svc string, fn func(category.Repository) error) error {
	return s.Tx(context.Background(), svc, func(r helpdesk.Repos) error { return fn(r.Categories()) })
}

// shape renders a tree as "level:ko-name@position" lines in display order.
func shape(cs []category.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = fmt.Sprintf("%d:%s@%d", c.Level(), c.Name["ko"], c.Position)
	}
	return out
}

func testCategoryCRUD(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	billing := category.Category{ID: newID(), Tree: category.Intake, Name: names("결제", "Billing"), Enabled: true,
		CreatedAt: catAt(1), UpdatedAt: catAt(1)}
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Categories().Create(ctx, &billing) })
	assert.Nil(t, billing.Path)
	assert.Equal(t, 0, billing.Position)
	assert.Equal(t, 1, billing.Level())
	refund := mkCat(t, s, svc, category.Intake, billing.ID, names("환불", "Refund"))
	assert.Equal(t, []string{billing.ID}, refund.Path)
	assert.Equal(t, billing.ID, refund.ParentID)
	partial := mkCat(t, s, svc, category.Intake, refund.ID, names("부분 환불", ""))
	assert.Equal(t, []string{billing.ID, refund.ID}, partial.Path)
	login := mkCat(t, s, svc, category.Intake, "", names("로그인", "Login"))
	assert.Equal(t, 1, login.Position, "after the other root")
	proc := mkCat(t, s, svc, category.Processing, "", names("결제", "Billing"))

	assert.Equal(t, billing, catGet(t, s, svc, billing.ID), "every field round-trips")
	assert.Equal(t, partial, catGet(t, s, svc, partial.ID))
	assert.Equal(t, []category.Category{billing, refund, partial, login}, catTree(t, s, svc, category.Intake), "depth first")
	assert.Equal(t, []category.Category{proc}, catTree(t, s, svc, category.Processing), "the trees are independent (CAT-1)")
	tx(t, s, svc, func(r helpdesk.Repos) error {
		p, err := r.Categories().Path(ctx, partial.ID)
		require.NoError(t, err)
		assert.Equal(t, []category.Category{billing, refund, partial}, p)
		p, err = r.Categories().Path(ctx, billing.ID)
		require.NoError(t, err)
		assert.Equal(t, []category.Category{billing}, p)
		_, err = r.Categories().Path(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = r.Categories().Get(ctx, newID())
		assert.ErrorIs(t, err, helpdesk.ErrNotFound)
		_, err = r.Categories().Tree(ctx, "other")
		assert.ErrorIs(t, err, helpdesk.ErrInvalid)
		return nil
	})

	// refusals write nothing
	dup := billing
	dup.Name = names("다른", "Other")
	err := catDo(s, svc, func(r category.Repository) error { return r.Create(ctx, &dup) })
	assert.ErrorIs(t, err, helpdesk.ErrConflict, "the id is taken")
	_, err = createCat(s, svc, category.Intake, newID(), names("고아", ""))
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "unknown parent")
	_, err = createCat(s, svc, category.Processing, billing.ID, names("교차", ""))
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "the parent is in the other tree")
	_, err = createCat(s, svc, "other", "", names("나무", ""))
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Len(t, catTree(t, s, svc, category.Intake), 4)

	// rename and toggle (CAT-5, CAT-6)
	upd := refund
	upd.Name = names("환불 요청", "Refund request")
	upd.Enabled = false
	upd.UpdatedAt = catAt(9)
	upd.Path, upd.Position = nil, 7 // ignored: only name, toggle and time are written
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Categories().Update(ctx, &upd) })
	want := refund
	want.Name, want.Enabled, want.UpdatedAt = upd.Name, false, catAt(9)
	assert.Equal(t, want, upd, "refreshed with the stored category")
	assert.Equal(t, want, catGet(t, s, svc, refund.ID))
	ghost := category.Category{ID: newID(), Name: names("유령", "")}
	err = catDo(s, svc, func(r category.Repository) error { return r.Update(ctx, &ghost) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)

	// values read back share no memory with the store
	got := catGet(t, s, svc, partial.ID)
	got.Name["ko"] = "changed"
	got.Path[0] = "changed"
	assert.Equal(t, partial, catGet(t, s, svc, partial.ID))
}

func testCategoryDepth(t *testing.T, s helpdesk.Store, svc string) {
	parent := ""
	var chain []category.Category
	for lvl := 1; lvl <= category.MaxDepth; lvl++ {
		c := mkCat(t, s, svc, category.Processing, parent, names(fmt.Sprintf("단계 %d", lvl), ""))
		assert.Equal(t, lvl, c.Level())
		chain = append(chain, c)
		parent = c.ID
	}
	c, err := createCat(s, svc, category.Processing, parent, names("여섯째", ""))
	var de *category.DepthError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Equal(t, category.DepthError{ID: c.ID, Level: 6}, *de)
	assert.Equal(t, chain, catTree(t, s, svc, category.Processing), "nothing written")
}

func clashOf(t *testing.T, err error) []category.Clash {
	t.Helper()
	var ce *category.NameClashError
	require.ErrorAs(t, err, &ce)
	require.ErrorIs(t, err, helpdesk.ErrConflict)
	return ce.Clashes
}

func testCategoryNameClash(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	billing := mkCat(t, s, svc, category.Intake, "", names("결제", "Billing"))
	account := mkCat(t, s, svc, category.Intake, "", names("계정", "Account"))
	refund := mkCat(t, s, svc, category.Intake, billing.ID, names("환불", "Refund"))

	// the same name on the same level, under another parent, is refused
	// and the error names the language, the name and the category using it
	c, err := createCat(s, svc, category.Intake, account.ID, names("환불", "Refunds"))
	assert.Equal(t, []category.Clash{{Tree: category.Intake, Level: 2, Lang: "ko", ID: c.ID, Name: "환불",
		ExistingID: refund.ID, ExistingName: "환불"}}, clashOf(t, err), "only Korean clashes")
	assert.Contains(t, err.Error(), refund.ID)

	// every clashing language is listed; case, width and spaces do not matter
	c, err = createCat(s, svc, category.Intake, "", names(" 결제 ", "ＢＩＬＬＩＮＧ"))
	assert.Equal(t, []category.Clash{
		{Tree: category.Intake, Level: 1, Lang: "en", ID: c.ID, Name: "ＢＩＬＬＩＮＧ", ExistingID: billing.ID, ExistingName: "Billing"},
		{Tree: category.Intake, Level: 1, Lang: "ko", ID: c.ID, Name: " 결제 ", ExistingID: billing.ID, ExistingName: "결제"},
	}, clashOf(t, err))
	assert.Len(t, catTree(t, s, svc, category.Intake), 3, "nothing written")

	// the same name on another level, in the other tree or in another
	// language's slot is fine
	mkCat(t, s, svc, category.Intake, refund.ID, names("결제", "Billing"))
	mkCat(t, s, svc, category.Processing, "", names("결제", "Billing"))
	mkCat(t, s, svc, category.Intake, "", i18n.Text{"ko": "Billing", "en": "결제"})

	// rename: into a clash is refused, keeping one's own name is not a clash
	upd := account
	upd.Name = names("계정", "billing")
	err = catDo(s, svc, func(r category.Repository) error { return r.Update(ctx, &upd) })
	assert.Equal(t, []category.Clash{{Tree: category.Intake, Level: 1, Lang: "en", ID: account.ID, Name: "billing",
		ExistingID: billing.ID, ExistingName: "Billing"}}, clashOf(t, err))
	assert.Equal(t, account, catGet(t, s, svc, account.ID), "nothing written")
	upd.Name = names("계정", "ACCOUNT")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Categories().Update(ctx, &upd) })
	// a renamed category frees its old name and holds its new one
	mkCat(t, s, svc, category.Intake, "", names("고객", "Account type"))
	upd.Name = names("계정 관리", "")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Categories().Update(ctx, &upd) })
	mkCat(t, s, svc, category.Intake, "", names("계정", "Account"))
	_, err = createCat(s, svc, category.Intake, "", names("계정 관리", "Accounts"))
	clashOf(t, err)
}

func testCategoryReorder(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkCat(t, s, svc, category.Intake, "", names("가", ""))
	b := mkCat(t, s, svc, category.Intake, "", names("나", ""))
	c := mkCat(t, s, svc, category.Intake, "", names("다", ""))
	a1 := mkCat(t, s, svc, category.Intake, a.ID, names("가1", ""))
	a2 := mkCat(t, s, svc, category.Intake, a.ID, names("가2", ""))
	other := mkCat(t, s, svc, category.Processing, "", names("처리", ""))

	tx(t, s, svc, func(r helpdesk.Repos) error {
		require.NoError(t, r.Categories().Reorder(ctx, category.Intake, "", []string{c.ID, a.ID, b.ID}))
		return r.Categories().Reorder(ctx, category.Intake, a.ID, []string{a2.ID, a1.ID})
	})
	assert.Equal(t, []string{"1:다@0", "1:가@1", "2:가2@0", "2:가1@1", "1:나@2"}, shape(catTree(t, s, svc, category.Intake)))

	for _, ids := range [][]string{
		{c.ID, a.ID},                 // one missing
		{c.ID, a.ID, b.ID, b.ID},     // one twice
		{c.ID, a.ID, b.ID, a1.ID},    // not a sibling
		{c.ID, a.ID, b.ID, other.ID}, // other tree
		{c.ID, a.ID, b.ID, newID()},  // unknown
		{c.ID, a.ID, newID()},        // unknown instead of one
	} {
		err := catDo(s, svc, func(r category.Repository) error { return r.Reorder(ctx, category.Intake, "", ids) })
		assert.ErrorIs(t, err, helpdesk.ErrInvalid, "%v", ids)
	}
	err := catDo(s, svc, func(r category.Repository) error { return r.Reorder(ctx, category.Intake, newID(), nil) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "unknown parent")
	err = catDo(s, svc, func(r category.Repository) error { return r.Reorder(ctx, category.Processing, a.ID, nil) })
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "parent in the other tree")
	tx(t, s, svc, func(r helpdesk.Repos) error { return r.Categories().Reorder(ctx, category.Intake, a1.ID, nil) }) // a leaf: no children
	assert.Equal(t, []string{"1:다@0", "1:가@1", "2:가2@0", "2:가1@1", "1:나@2"}, shape(catTree(t, s, svc, category.Intake)), "nothing changed")
}

func testCategoryMove(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	move := func(id, parentID string) (category.Category, error) {
		var out category.Category
		err := catDo(s, svc, func(r category.Repository) (err error) {
			out, err = r.Move(ctx, id, parentID, catAt(30))
			return err
		})
		return out, err
	}
	a := mkCat(t, s, svc, category.Intake, "", names("가", ""))
	a1 := mkCat(t, s, svc, category.Intake, a.ID, names("가1", ""))
	a2 := mkCat(t, s, svc, category.Intake, a.ID, names("가2", ""))
	mkCat(t, s, svc, category.Intake, a.ID, names("가3", ""))
	a2x := mkCat(t, s, svc, category.Intake, a2.ID, names("가2x", ""))
	b := mkCat(t, s, svc, category.Intake, "", names("나", ""))
	b1 := mkCat(t, s, svc, category.Intake, b.ID, names("나1", ""))
	p := mkCat(t, s, svc, category.Processing, "", names("처리", ""))

	// a2 and its child go under b1, one level deeper; a's children close up
	moved, err := move(a2.ID, b1.ID)
	require.NoError(t, err)
	want := a2
	want.ParentID, want.Path, want.Position, want.UpdatedAt = b1.ID, []string{b.ID, b1.ID}, 0, catAt(30)
	assert.Equal(t, want, moved)
	assert.Equal(t, want, catGet(t, s, svc, a2.ID))
	assert.Equal(t, []string{b.ID, b1.ID, a2.ID}, catGet(t, s, svc, a2x.ID).Path, "descendants follow")
	assert.Equal(t, []string{"1:가@0", "2:가1@0", "2:가3@1", "1:나@1", "2:나1@0", "3:가2@0", "4:가2x@0"}, shape(catTree(t, s, svc, category.Intake)))

	// the names moved level with their categories (CAT-3 on the new levels)
	_, err = createCat(s, svc, category.Intake, a.ID, names("가2", ""))
	require.NoError(t, err, "level 2 no longer holds 가2")
	_, err = createCat(s, svc, category.Intake, a1.ID, names("가2", ""))
	assert.Equal(t, a2.ID, clashOf(t, err)[0].ExistingID, "level 3 does")

	// to the roots, after the others
	moved, err = move(a2.ID, "")
	require.NoError(t, err)
	assert.Nil(t, moved.Path)
	assert.Equal(t, 2, moved.Position)
	assert.Equal(t, []string{a2.ID}, catGet(t, s, svc, a2x.ID).Path)
	// under its current parent: nothing changes
	same, err := move(a1.ID, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a1, same)

	before := catTree(t, s, svc, category.Intake)
	_, err = move(a.ID, a.ID)
	var ce *category.CycleError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, category.CycleError{ID: a.ID, ParentID: a.ID}, *ce)
	_, err = move(a2.ID, a2x.ID)
	require.ErrorAs(t, err, &ce, "under its own child")
	assert.ErrorIs(t, err, helpdesk.ErrInvalid)
	assert.Equal(t, category.CycleError{ID: a2.ID, ParentID: a2x.ID}, *ce)
	_, err = move(a2.ID, p.ID)
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a parent in the other tree")
	_, err = move(a2.ID, newID())
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	_, err = move(newID(), "")
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	assert.Equal(t, before, catTree(t, s, svc, category.Intake), "nothing written")

	// depth: a 4-level chain under b1 (level 2) would reach level 6
	c1 := mkCat(t, s, svc, category.Intake, "", names("다", ""))
	c2 := mkCat(t, s, svc, category.Intake, c1.ID, names("다2", ""))
	c3 := mkCat(t, s, svc, category.Intake, c2.ID, names("다3", ""))
	c4 := mkCat(t, s, svc, category.Intake, c3.ID, names("다4", ""))
	before = catTree(t, s, svc, category.Intake)
	_, err = move(c1.ID, b1.ID)
	var de *category.DepthError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, category.DepthError{ID: c4.ID, Level: 6}, *de, "names the deepest category")
	assert.Equal(t, before, catTree(t, s, svc, category.Intake), "nothing written")
	_, err = move(c1.ID, b.ID)
	require.NoError(t, err, "level 5 is allowed")
	assert.Equal(t, []string{b.ID, c1.ID, c2.ID, c3.ID}, catGet(t, s, svc, c4.ID).Path)
	_, err = move(c1.ID, "")
	require.NoError(t, err)

	// a clash on a new level names every clashing category of the subtree
	x3 := mkCat(t, s, svc, category.Intake, "", names("다3", ""))   // level 1
	x4 := mkCat(t, s, svc, category.Intake, b.ID, names("다4", "")) // level 2
	before = catTree(t, s, svc, category.Intake)
	_, err = move(c3.ID, "") // c3 → level 1, c4 → level 2
	assert.Equal(t, []category.Clash{
		{Tree: category.Intake, Level: 1, Lang: "ko", ID: c3.ID, Name: "다3", ExistingID: x3.ID, ExistingName: "다3"},
		{Tree: category.Intake, Level: 2, Lang: "ko", ID: c4.ID, Name: "다4", ExistingID: x4.ID, ExistingName: "다4"},
	}, clashOf(t, err))
	assert.Equal(t, before, catTree(t, s, svc, category.Intake), "nothing written")
	for _, x := range []string{x3.ID, x4.ID} {
		require.NoError(t, catDo(s, svc, func(r category.Repository) error {
			_, err := r.Delete(ctx, x, catAt(31))
			return err
		}))
	}

	// the subtree's own names do not clash with themselves, not even for
	// the moment one of two equal names on adjacent levels has moved
	c5 := mkCat(t, s, svc, category.Intake, c4.ID, names("다4", "")) // 다4 on levels 4 and 5
	_, err = move(c3.ID, "")                                        // 다3 → 1, 다4 → 2 and 3
	require.NoError(t, err)
	_, err = move(c3.ID, b.ID) // 다3 → 2, 다4 → 3 and 4
	require.NoError(t, err)
	assert.Equal(t, []string{b.ID, c3.ID, c4.ID}, catGet(t, s, svc, c5.ID).Path)
	_, err = createCat(s, svc, category.Intake, b1.ID, names("다4", ""))
	assert.Equal(t, c4.ID, clashOf(t, err)[0].ExistingID, "다4 holds level 3")
	_, err = createCat(s, svc, category.Intake, c1.ID, names("다3", ""))
	assert.Equal(t, c3.ID, clashOf(t, err)[0].ExistingID, "다3 holds level 2")
}

func testCategoryDelete(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkCat(t, s, svc, category.Intake, "", names("가", "A"))
	b := mkCat(t, s, svc, category.Intake, "", names("나", "B"))
	c := mkCat(t, s, svc, category.Intake, "", names("다", "C"))
	b1 := mkCat(t, s, svc, category.Intake, b.ID, names("나1", ""))
	b2 := mkCat(t, s, svc, category.Intake, b.ID, names("나2", ""))
	b1x := mkCat(t, s, svc, category.Intake, b1.ID, names("나1x", ""))

	var ids []string
	tx(t, s, svc, func(r helpdesk.Repos) (err error) {
		ids, err = r.Categories().Delete(ctx, b.ID, catAt(40))
		return err
	})
	assert.Equal(t, []string{b.ID, b1.ID, b2.ID, b1x.ID}, ids, "the category, then its descendants by level")
	assert.Equal(t, []string{"1:가@0", "1:다@1"}, shape(catTree(t, s, svc, category.Intake)), "the siblings close up")

	// a deleted category keeps its id, name and path for history (CAT-5)
	got := catGet(t, s, svc, b1x.ID)
	want := b1x
	want.Deleted, want.UpdatedAt = true, catAt(40)
	assert.Equal(t, want, got)
	tx(t, s, svc, func(r helpdesk.Repos) error {
		p, err := r.Categories().Path(ctx, b1x.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"나", "나1", "나1x"}, category.Names(p, "ko", "ko"))
		return nil
	})
	// but it cannot be used or changed, and its id is never reused (CAT-7)
	_, err := createCat(s, svc, category.Intake, b.ID, names("새", ""))
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "a deleted parent")
	reuse := b
	reuse.Name = names("재사용", "")
	err = catDo(s, svc, func(r category.Repository) error { return r.Create(ctx, &reuse) })
	assert.ErrorIs(t, err, helpdesk.ErrConflict)
	err = catDo(s, svc, func(r category.Repository) error {
		_, err := r.Delete(ctx, b1.ID, catAt(41))
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "already deleted")
	err = catDo(s, svc, func(r category.Repository) error {
		u := b2
		return r.Update(ctx, &u)
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = catDo(s, svc, func(r category.Repository) error {
		_, err := r.Move(ctx, b2.ID, a.ID, catAt(41))
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound)
	err = catDo(s, svc, func(r category.Repository) error {
		_, err := r.Move(ctx, c.ID, b.ID, catAt(41))
		return err
	})
	assert.ErrorIs(t, err, helpdesk.ErrNotFound, "under a deleted parent")
	// its names are free again
	again := mkCat(t, s, svc, category.Intake, "", names("나", "B"))
	mkCat(t, s, svc, category.Intake, again.ID, names("나1", ""))
	assert.Equal(t, []string{"1:가@0", "1:다@1", "1:나@2", "2:나1@0"}, shape(catTree(t, s, svc, category.Intake)))
	assert.True(t, catGet(t, s, svc, b.ID).Deleted)
}

func testCategoryIsolation(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	mkService(t, s, svc+"b")
	a := mkCat(t, s, svc, category.Intake, "", names("결제", "Billing"))
	a1 := mkCat(t, s, svc, category.Intake, a.ID, names("환불", ""))
	foreign := svc + "b"
	mkCat(t, s, foreign, category.Intake, "", names("결제", "Billing")) // names are per service

	notFound := map[string]func(category.Repository) error{
		"Get":  func(r category.Repository) error { _, err := r.Get(ctx, a.ID); return err },
		"Path": func(r category.Repository) error { _, err := r.Path(ctx, a1.ID); return err },
		"Create under": func(r category.Repository) error {
			c := category.Category{ID: newID(), Tree: category.Intake, ParentID: a.ID, Name: names("x", ""), CreatedAt: base, UpdatedAt: base}
			return r.Create(ctx, &c)
		},
		"Update": func(r category.Repository) error { u := a; u.Name = names("탈취", ""); return r.Update(ctx, &u) },
		"Move":   func(r category.Repository) error { _, err := r.Move(ctx, a1.ID, "", base); return err },
		"Reorder": func(r category.Repository) error {
			return r.Reorder(ctx, category.Intake, a.ID, []string{a1.ID})
		},
		"Delete": func(r category.Repository) error { _, err := r.Delete(ctx, a.ID, base); return err },
	}
	for name, fn := range notFound {
		assert.ErrorIs(t, catDo(s, foreign, fn), helpdesk.ErrNotFound, name)
	}
	err := catDo(s, foreign, func(r category.Repository) error { // a foreign id is not even detected by a clash
		c := a
		c.Name = names("다른", "")
		return r.Create(ctx, &c)
	})
	assert.NoError(t, err, "ids are per service")
	assert.Len(t, catTree(t, s, foreign, category.Intake), 2)
	assert.Equal(t, []category.Category{a, a1}, catTree(t, s, svc, category.Intake), "untouched")
}

func testCategoryRollback(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	a := mkCat(t, s, svc, category.Intake, "", names("가", ""))
	b := mkCat(t, s, svc, category.Intake, "", names("나", ""))
	b1 := mkCat(t, s, svc, category.Intake, b.ID, names("나1", ""))
	mkCat(t, s, svc, category.Intake, b1.ID, names("나1x", ""))
	mkCat(t, s, svc, category.Processing, "", names("처리", ""))
	intake, proc := catTree(t, s, svc, category.Intake), catTree(t, s, svc, category.Processing)

	err := s.Tx(ctx, svc, func(hr helpdesk.Repos) error {
		r := hr.Categories()
		n := category.Category{ID: newID(), Tree: category.Intake, ParentID: b1.ID, Name: names("새", ""), CreatedAt: base, UpdatedAt: base}
		require.NoError(t, r.Create(ctx, &n))
		u := a
		u.Name, u.Enabled = names("가 바뀜", ""), false
		require.NoError(t, r.Update(ctx, &u))
		_, err := r.Move(ctx, b1.ID, a.ID, catAt(50))
		require.NoError(t, err)
		require.NoError(t, r.Reorder(ctx, category.Intake, "", []string{b.ID, a.ID}))
		_, err = r.Delete(ctx, a.ID, catAt(51))
		require.NoError(t, err)
		p := category.Category{ID: newID(), Tree: category.Processing, Name: names("새 처리", ""), CreatedAt: base, UpdatedAt: base}
		require.NoError(t, r.Create(ctx, &p))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, intake, catTree(t, s, svc, category.Intake))
	assert.Equal(t, proc, catTree(t, s, svc, category.Processing))
	// and the names the failed transaction took or freed are as before
	_, err = createCat(s, svc, category.Intake, "", names("가", ""))
	clashOf(t, err)
	mkCat(t, s, svc, category.Intake, b1.ID, names("새", ""))
}

// testCategoryConcurrent: writers of one service are serialised, so a name
// is taken once and sibling positions stay 0..n-1.
func testCategoryConcurrent(t *testing.T, s helpdesk.Store, svc string) {
	const writers = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, clashed int
	for i := range writers {
		wg.Go(func() {
			_, err := createCat(s, svc, category.Intake, "", names("같은 이름", ""))
			_, err2 := createCat(s, svc, category.Intake, "", names(fmt.Sprintf("이름 %d", i), ""))
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
	tree := catTree(t, s, svc, category.Intake)
	require.Len(t, tree, writers+1)
	for i, c := range tree {
		assert.Equal(t, i, c.Position)
	}
}

// testCategoryPathAfterMove: a deleted category's path stays root → leaf
// after an ancestor moves (review: Postgres ordered by path length).
func testCategoryPathAfterMove(t *testing.T, s helpdesk.Store, svc string) {
	ctx := context.Background()
	x := mkCat(t, s, svc, category.Intake, "", names("X", ""))
	y := mkCat(t, s, svc, category.Intake, x.ID, names("Y", ""))
	a := mkCat(t, s, svc, category.Intake, "", names("A", ""))
	b := mkCat(t, s, svc, category.Intake, a.ID, names("B", ""))
	c := mkCat(t, s, svc, category.Intake, b.ID, names("C", ""))
	tx(t, s, svc, func(r helpdesk.Repos) error {
		if _, err := r.Categories().Delete(ctx, b.ID, catAt(2)); err != nil {
			return err
		}
		_, err := r.Categories().Move(ctx, a.ID, y.ID, catAt(3))
		return err
	})
	tx(t, s, svc, func(r helpdesk.Repos) error {
		p, err := r.Categories().Path(ctx, c.ID)
		require.NoError(t, err)
		var ids []string
		for _, x := range p {
			ids = append(ids, x.ID)
		}
		require.NotEmpty(t, ids)
		assert.Equal(t, c.ID, ids[len(ids)-1], "the category itself comes last")
		assert.Equal(t, b.ID, ids[len(ids)-2], "then its (deleted) parent")
		return nil
	})
}
